//! Content-stream operations, read straight off the bytes.
//!
//! lopdf's `Content::decode_iter` built every operand as an owned `Object` through nom
//! combinators and was 40 % of the time of a PDF. This reader accepts the same grammar (the
//! one of lopdf 0.47, whose behaviour the tests compare it with, edge cases included): it
//! lends names and strings out of the stream when they hold no escape, keeps numbers as
//! `f32`, and reuses one operand list. Like lopdf it stops at the first thing that is not an
//! operation; what was read before still counts.

use std::borrow::Cow;

/// Brackets a literal string may nest, and arrays/dictionaries may nest (lopdf's limits).
const MAX_BRACKET: usize = 100;
const MAX_NESTING: usize = 100;

/// One operand, as the interpreter needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand<'a> {
    Int(i64),
    Real(f32),
    Bool(bool),
    Name(Cow<'a, [u8]>),
    /// A literal or hexadecimal string's bytes.
    Str(Cow<'a, [u8]>),
    Array(Vec<Operand<'a>>),
    /// `null`, a dictionary, a reference, an inline image.
    Other,
}

impl Operand<'_> {
    /// A finite number (an integer converted as lopdf's `as_float` does).
    pub fn num(&self) -> Option<f32> {
        match self {
            Operand::Int(i) => Some(*i as f32),
            Operand::Real(v) if v.is_finite() => Some(*v),
            _ => None,
        }
    }
    pub fn name(&self) -> Option<&[u8]> {
        match self {
            Operand::Name(n) => Some(n),
            _ => None,
        }
    }
    pub fn string(&self) -> Option<&[u8]> {
        match self {
            Operand::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A number as read, small enough to be returned in registers.
#[derive(Debug, Clone, Copy)]
enum Number {
    Int(i64),
    Real(f32),
}

impl From<Number> for Operand<'_> {
    fn from(n: Number) -> Self {
        match n {
            Number::Int(i) => Operand::Int(i),
            Number::Real(v) => Operand::Real(v),
        }
    }
}

/// A dictionary entry: key and value.
type Entry<'a> = (Cow<'a, [u8]>, Operand<'a>);

/// The operations of one content stream, in order.
pub struct Operations<'a> {
    input: &'a [u8],
    at: usize,
    started: bool,
    done: bool,
}

/// Reading stops here: lopdf would have yielded an error (too deep; a broken inline image).
type Stop = ();

impl<'a> Operations<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Operations {
            input,
            at: 0,
            started: false,
            done: false,
        }
    }

    /// The next operator, with its operands in `operands` (cleared first); `None` at the end
    /// of the stream or at the first thing that is not an operation.
    pub fn next_op(&mut self, operands: &mut Vec<Operand<'a>>) -> Option<&'a [u8]> {
        operands.clear();
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            self.skip_blanks();
        }
        let before = self.at;
        match self.operation(operands) {
            Ok(op) if self.at > before => Some(op),
            _ => {
                self.done = true;
                operands.clear();
                None
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.at).copied()
    }

    fn rest(&self) -> &'a [u8] {
        &self.input[self.at.min(self.input.len())..]
    }

    /// White space only (lopdf's `content_space`).
    fn skip_blanks(&mut self) {
        while self.peek().is_some_and(is_whitespace) {
            self.at += 1;
        }
    }

    /// A comment and its end of line; false (nothing consumed) if there is none.
    fn comment(&mut self) -> bool {
        if self.peek() != Some(b'%') {
            return false;
        }
        let rest = self.rest();
        let Some(end) = rest.iter().position(|&c| c == b'\r' || c == b'\n') else {
            return false;
        };
        self.at += end + eol_len(&rest[end..]);
        true
    }

    /// White space and comments (lopdf's `space`, used inside arrays and dictionaries).
    fn skip_space(&mut self) {
        loop {
            let start = self.at;
            self.skip_blanks();
            self.comment();
            if self.at == start {
                return;
            }
        }
    }

    fn operation(&mut self, operands: &mut Vec<Operand<'a>>) -> Result<&'a [u8], Stop> {
        while self.comment() {
            self.skip_blanks();
        }
        if self.rest().starts_with(b"BI") {
            return self.inline_image(operands);
        }
        loop {
            let start = self.at;
            if self.push_operand(MAX_NESTING, operands)? {
                self.skip_blanks();
            } else {
                self.at = start;
                break;
            }
        }
        let rest = self.rest();
        let len = rest
            .iter()
            .take_while(|&&c| c.is_ascii_alphanumeric() || matches!(c, b'*' | b'\'' | b'"'))
            .count();
        if len == 0 || rest[0].is_ascii_digit() {
            return Err(());
        }
        self.at += len;
        self.skip_blanks();
        Ok(&rest[..len])
    }

    /// Reads one operand of an operation into `out`: `Ok(false)` (nothing read) where none
    /// starts (the operator may). The operand goes straight into the list: handed back as a
    /// `Result<Option<Operand>>` it was copied twice more.
    fn push_operand(&mut self, depth: usize, out: &mut Vec<Operand<'a>>) -> Result<bool, Stop> {
        let rest = self.rest();
        let Some(&c) = rest.first() else {
            return Ok(false);
        };
        let item = match c {
            b'0'..=b'9' | b'+' | b'-' | b'.' => self.number().map(Operand::from),
            b'/' => Some(Operand::Name(self.name())),
            b'n' => self.keyword(b"null", Operand::Other),
            b't' => self.keyword(b"true", Operand::Bool(true)),
            b'f' => self.keyword(b"false", Operand::Bool(false)),
            b'(' => self.literal_string().map(Operand::Str),
            b'<' => match self.hex_string() {
                Some(s) => Some(Operand::Str(s)),
                None => self.dictionary(depth)?,
            },
            b'[' => self.array(depth)?,
            _ => None,
        };
        let Some(item) = item else {
            return Ok(false);
        };
        out.push(item);
        Ok(true)
    }

    /// A real (`1.5`, `-.5`, `3.`) or an integer; `None` (nothing consumed) if neither.
    ///
    /// Content streams are mostly short numbers (coordinates, glyph adjustments): those are
    /// read in one pass over their bytes, with the same result as [`Self::any_number`], which
    /// takes every other case (long or unusual ones).
    fn number(&mut self) -> Option<Number> {
        let rest = self.rest();
        let signed = matches!(rest.first(), Some(b'+' | b'-')) as usize;
        let negative = signed == 1 && rest[0] == b'-';
        let mut mantissa: u32 = 0;
        // Numbers of up to 7 digits are finished here (below `fast_f32`'s 2^24 bound); a
        // longer one may wrap the mantissa, and goes to `any_number`.
        let digits = |start: usize, mantissa: &mut u32| {
            let mut end = start;
            for &c in &rest[start..] {
                let digit = c.wrapping_sub(b'0');
                if digit > 9 {
                    break;
                }
                *mantissa = mantissa.wrapping_mul(10).wrapping_add(u32::from(digit));
                end += 1;
            }
            end
        };
        let i = digits(signed, &mut mantissa);
        let int_digits = i - signed;
        if int_digits > 7 {
            return self.any_number();
        }
        if rest.get(i) != Some(&b'.') {
            if int_digits == 0 {
                return None;
            }
            self.at += i;
            let value = i64::from(mantissa);
            return Some(Number::Int(if negative { -value } else { value }));
        }
        let frac_start = i + 1;
        let end = digits(frac_start, &mut mantissa);
        let decimals = end - frac_start;
        if int_digits + decimals > 7
            || (int_digits == 0 && decimals == 0)
            || rest.get(end) == Some(&b'-')
        {
            return self.any_number();
        }
        const POW10: [f32; 8] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7];
        let value = mantissa as f32 / POW10[decimals];
        self.at += end;
        Some(Number::Real(if negative { -value } else { value }))
    }

    /// [`Self::number`] for any length and the forms producers get wrong.
    fn any_number(&mut self) -> Option<Number> {
        let rest = self.rest();
        let signed = matches!(rest.first(), Some(b'+' | b'-')) as usize;
        let int_digits = rest[signed..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let dot = signed + int_digits;
        let is_real = rest.get(dot) == Some(&b'.')
            && (int_digits > 0 || rest.get(dot + 1).is_some_and(u8::is_ascii_digit));
        if is_real {
            // Some producers write a minus sign inside the fraction (`0.00-4142502`): like
            // lopdf (and pdf.js, Poppler) it is dropped rather than splitting the number.
            let frac = rest[dot + 1..]
                .iter()
                .take_while(|&&c| c == b'-' || c.is_ascii_digit())
                .count();
            let text = &rest[..dot + 1 + frac];
            let value = if let Some(v) = fast_f32(text) {
                Some(v)
            } else if text[1..].contains(&b'-') {
                let kept: Vec<u8> = text[..1]
                    .iter()
                    .chain(text[1..].iter().filter(|&&c| c != b'-'))
                    .copied()
                    .collect();
                parse_f32(&kept)
            } else {
                parse_f32(text)
            };
            let value = value?;
            self.at += text.len();
            return Some(Number::Real(value));
        }
        if int_digits == 0 {
            return None;
        }
        let magnitude = parse_u(&rest[signed..dot])?;
        let value = if rest[0] == b'-' {
            0i64.checked_sub_unsigned(magnitude)?
        } else {
            i64::try_from(magnitude).ok()?
        };
        self.at += dot;
        Some(Number::Int(value))
    }

    /// A run of digits and its value (`None` if there is none, or it overflows).
    fn unsigned(&mut self) -> Option<u64> {
        let rest = self.rest();
        let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        self.at += n;
        (n > 0).then(|| parse_u(&rest[..n])).flatten()
    }

    /// A name after its `/`, with `#xx` escapes decoded; a `#` not followed by two hex digits
    /// ends it.
    fn name(&mut self) -> Cow<'a, [u8]> {
        self.at += 1;
        let rest = self.rest();
        let run = rest
            .iter()
            .position(|&c| c == b'#' || !is_regular(c))
            .unwrap_or(rest.len());
        if rest.get(run) != Some(&b'#') || hex_pair(&rest[run + 1..]).is_none() {
            self.at += run;
            return Cow::Borrowed(&rest[..run]);
        }
        let mut out = Vec::with_capacity(rest.len().min(64));
        let mut i = 0;
        loop {
            let run = rest[i..]
                .iter()
                .position(|&c| c == b'#' || !is_regular(c))
                .unwrap_or(rest.len() - i);
            out.extend_from_slice(&rest[i..i + run]);
            i += run;
            match (rest.get(i), hex_pair(rest.get(i + 1..).unwrap_or(&[]))) {
                (Some(b'#'), Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                _ => break,
            }
        }
        self.at += i;
        Cow::Owned(out)
    }

    /// `( … )`: balanced parentheses, escapes, end-of-line markers read as `\n`. `None`
    /// (nothing consumed) if it does not close.
    fn literal_string(&mut self) -> Option<Cow<'a, [u8]>> {
        let rest = self.rest();
        // Fast path: no escape, no end of line, no nesting before the closing parenthesis.
        if let Some(end) = rest[1..]
            .iter()
            .position(|&c| matches!(c, b'(' | b')' | b'\\' | b'\r' | b'\n'))
        {
            if rest[1 + end] == b')' {
                self.at += end + 2;
                return Some(Cow::Borrowed(&rest[1..1 + end]));
            }
        }
        let mut out = Vec::new();
        let used = literal_body(&rest[1..], MAX_BRACKET, &mut out)?;
        if rest.get(1 + used) != Some(&b')') {
            return None;
        }
        self.at += used + 2;
        Some(Cow::Owned(out))
    }

    /// `< … >` of hex digits and white space; an odd last digit is padded with 0. `None`
    /// (nothing consumed) for anything else, such as `<<`.
    fn hex_string(&mut self) -> Option<Cow<'a, [u8]>> {
        let rest = self.rest();
        let mut out = Vec::new();
        let mut high = true;
        let mut i = 1;
        loop {
            while rest.get(i).copied().is_some_and(is_whitespace) {
                i += 1;
            }
            match rest.get(i).and_then(|&c| hex_value(c)) {
                Some(v) => {
                    if high {
                        out.push(v << 4);
                    } else if let Some(last) = out.last_mut() {
                        *last |= v;
                    }
                    high = !high;
                    i += 1;
                }
                None => break,
            }
        }
        if rest.get(i) != Some(&b'>') {
            return None;
        }
        self.at += i + 1;
        Some(Cow::Owned(out))
    }

    /// `<< /Key value … >>`; its content is not kept.
    fn dictionary(&mut self, depth: usize) -> Result<Option<Operand<'a>>, Stop> {
        let start = self.at;
        if !self.rest().starts_with(b"<<") {
            return Ok(None);
        }
        self.at += 2;
        self.skip_space();
        self.dictionary_entries(depth, None)?;
        if !self.rest().starts_with(b">>") {
            self.at = start;
            return Ok(None);
        }
        self.at += 2;
        Ok(Some(Operand::Other))
    }

    /// `/Key value` pairs up to what is not one (a key without a value is left unread, as
    /// lopdf's `fold_many0` backtracks over it), kept in `keep` when given.
    fn dictionary_entries(
        &mut self,
        depth: usize,
        mut keep: Option<&mut Vec<Entry<'a>>>,
    ) -> Result<(), Stop> {
        while self.peek() == Some(b'/') {
            let key_at = self.at;
            let key = self.name();
            self.skip_space();
            let Some(value) = self.object(depth)? else {
                self.at = key_at;
                return Ok(());
            };
            if let Some(entries) = keep.as_deref_mut() {
                entries.push((key, value));
            }
        }
        Ok(())
    }

    /// `[ … ]` of objects separated by white space and comments.
    fn array(&mut self, depth: usize) -> Result<Option<Operand<'a>>, Stop> {
        let start = self.at;
        self.at += 1;
        self.skip_space();
        let mut items = Vec::new();
        while let Some(item) = self.object(depth)? {
            items.push(item);
        }
        if self.peek() != Some(b']') {
            self.at = start;
            return Ok(None);
        }
        self.at += 1;
        Ok(Some(Operand::Array(items)))
    }

    /// An object inside an array or dictionary (lopdf's `_direct_object`): as an operand,
    /// plus references, followed by white space and comments. Too deep is an error.
    fn object(&mut self, depth: usize) -> Result<Option<Operand<'a>>, Stop> {
        if depth == 0 {
            return Err(());
        }
        let depth = depth - 1;
        let rest = self.rest();
        let item = match rest.first() {
            Some(b'n') => self.keyword(b"null", Operand::Other),
            Some(b't') => self.keyword(b"true", Operand::Bool(true)),
            Some(b'f') => self.keyword(b"false", Operand::Bool(false)),
            Some(b'0'..=b'9') => match reference_len(rest) {
                Some(n) => {
                    self.at += n;
                    Some(Operand::Other)
                }
                None => self.number().map(Operand::from),
            },
            Some(b'+' | b'-' | b'.') => self.number().map(Operand::from),
            Some(b'/') => Some(Operand::Name(self.name())),
            Some(b'(') => self.literal_string().map(Operand::Str),
            Some(b'<') => match self.hex_string() {
                Some(s) => Some(Operand::Str(s)),
                None => self.dictionary(depth)?,
            },
            Some(b'[') => self.array(depth)?,
            _ => None,
        };
        if item.is_some() {
            self.skip_space();
        }
        Ok(item)
    }

    fn keyword(&mut self, word: &[u8], value: Operand<'a>) -> Option<Operand<'a>> {
        self.rest().starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    /// `BI` dictionary `ID` data `EI`. The data's length comes from the dictionary when it
    /// can (no filter); otherwise the data runs to the first `EI` between white space.
    fn inline_image(&mut self, operands: &mut Vec<Operand<'a>>) -> Result<&'a [u8], Stop> {
        self.at += 2;
        self.skip_blanks();
        let mut dict = Vec::new();
        self.dictionary_entries(MAX_NESTING, Some(&mut dict))?;
        if !self.rest().starts_with(b"ID") {
            return Err(());
        }
        self.at += 2;
        // The one white-space character (or CR LF) between `ID` and the data.
        let rest = self.rest();
        self.at += match eol_len(rest) {
            0 => rest.first().copied().is_some_and(is_whitespace) as usize,
            n => n,
        };
        let data = self.rest();
        match image_data_len(&dict) {
            Some(len) if len <= data.len() => {
                self.at += len;
                self.skip_blanks();
                if !self.rest().starts_with(b"EI") {
                    return Err(());
                }
                self.at += 2;
                // lopdf hands the image over as the operand; found by scanning, none.
                operands.push(Operand::Other);
            }
            _ => {
                let ei = data.windows(3).enumerate().find(|&(i, w)| {
                    is_whitespace(w[0])
                        && &w[1..] == b"EI"
                        && data.get(i + 3).is_none_or(|&c| is_whitespace(c))
                });
                let Some((i, _)) = ei else {
                    return Err(());
                };
                self.at += i + 3;
            }
        }
        self.skip_blanks();
        Ok(b"BI")
    }
}

/// The bytes of an inline image with no filter: width × height rows of
/// bits-per-component × colours, each row whole bytes. `None` when the dictionary does not say
/// (or says a filter), as lopdf's `image_data_stream` fails.
fn image_data_len(entries: &[Entry]) -> Option<usize> {
    // A later entry replaces an earlier one with the same key, as in a dictionary.
    let get = |abbr: &[u8], full: &[u8]| {
        entries
            .iter()
            .rev()
            .find(|(k, _)| k.as_ref() == abbr)
            .or_else(|| entries.iter().rev().find(|(k, _)| k.as_ref() == full))
            .map(|(_, v)| v)
    };
    let whole = |v: &Operand| match v {
        Operand::Int(n) => usize::try_from(*n).ok(),
        _ => None,
    };
    if get(b"F", b"Filter").is_some() {
        return None;
    }
    let width = whole(get(b"W", b"Width")?)?;
    let height = whole(get(b"H", b"Height")?)?;
    let mask = get(b"IM", b"ImageMask") == Some(&Operand::Bool(true));
    let bpc = match get(b"BPC", b"BitsPerComponent") {
        Some(v) => whole(v)?,
        None if mask => 1,
        None => return None,
    };
    let colours = if mask {
        1
    } else {
        match get(b"CS", b"ColorSpace")? {
            Operand::Array(a)
                if matches!(a.first().and_then(Operand::name), Some(b"Indexed" | b"I")) =>
            {
                1
            }
            Operand::Name(n) => match n.as_ref() {
                b"DeviceGray" | b"G" | b"Gray" => 1,
                b"DeviceRGB" | b"RGB" => 3,
                b"DeviceRGBA" | b"RGBA" | b"DeviceCMYK" | b"CMYK" => 4,
                _ => return None,
            },
            _ => return None,
        }
    };
    let row_bits = width.checked_mul(bpc.checked_mul(colours)?)?;
    row_bits.div_ceil(8).checked_mul(height)
}

/// The body of a literal string up to (not including) its closing parenthesis, decoded into
/// `out`; the bytes read, or `None` if it nests too deep.
fn literal_body(s: &[u8], depth: usize, out: &mut Vec<u8>) -> Option<usize> {
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        match c {
            b')' => return Some(i),
            b'(' => {
                if depth == 0 {
                    return Some(i);
                }
                let mut inner = Vec::new();
                let Some(n) = literal_body(&s[i + 1..], depth - 1, &mut inner) else {
                    return Some(i);
                };
                if s.get(i + 1 + n) != Some(&b')') {
                    // An unclosed nested string: the outer one cannot close either.
                    return Some(i);
                }
                out.push(b'(');
                out.extend_from_slice(&inner);
                out.push(b')');
                i += n + 2;
            }
            b'\\' => {
                let Some(&e) = s.get(i + 1) else {
                    return Some(i);
                };
                match e {
                    b'0'..=b'7' => {
                        let n = s[i + 1..]
                            .iter()
                            .take(3)
                            .take_while(|c| (b'0'..=b'7').contains(c))
                            .count();
                        let v = s[i + 1..i + 1 + n]
                            .iter()
                            .fold(0u16, |v, &d| v * 8 + u16::from(d - b'0'));
                        out.push(v as u8);
                        i += 1 + n;
                    }
                    b'\r' | b'\n' => i += 1 + eol_len(&s[i + 1..]),
                    b'n' => {
                        out.push(b'\n');
                        i += 2;
                    }
                    b'r' => {
                        out.push(b'\r');
                        i += 2;
                    }
                    b't' => {
                        out.push(b'\t');
                        i += 2;
                    }
                    b'b' => {
                        out.push(0x08);
                        i += 2;
                    }
                    b'f' => {
                        out.push(0x0C);
                        i += 2;
                    }
                    other => {
                        out.push(other);
                        i += 2;
                    }
                }
            }
            b'\r' | b'\n' => {
                out.push(b'\n');
                i += eol_len(&s[i..]);
            }
            _ => {
                let run = s[i..]
                    .iter()
                    .position(|&c| matches!(c, b'(' | b')' | b'\\' | b'\r' | b'\n'))
                    .unwrap_or(s.len() - i);
                out.extend_from_slice(&s[i..i + run]);
                i += run;
            }
        }
    }
    Some(i)
}

/// `N G R` at the start of `s` (an indirect reference): its length up to the `R`.
fn reference_len(s: &[u8]) -> Option<usize> {
    let mut probe = Operations::new(s);
    let object = probe.unsigned().and_then(|v| u32::try_from(v).ok());
    probe.skip_space();
    let generation = probe.unsigned().and_then(|v| u16::try_from(v).ok());
    probe.skip_space();
    (object.is_some() && generation.is_some() && probe.peek() == Some(b'R')).then_some(probe.at + 1)
}

fn parse_u(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |v, &d| {
        v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// `[+-]digits.digits` with at most 7 significant digits and 10 decimals, as one division of
/// two exactly representable `f32`s: correctly rounded, so the same bits as `str::parse`
/// (the usual fast path of decimal parsing), without its general machinery.
fn fast_f32(text: &[u8]) -> Option<f32> {
    const POW10: [f32; 11] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
    let (negative, digits) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, text),
    };
    let mut mantissa: u32 = 0;
    let mut decimals = None;
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'.' if decimals.is_none() => decimals = Some(digits.len() - i - 1),
            b'0'..=b'9' => {
                mantissa = mantissa.checked_mul(10)? + u32::from(c - b'0');
                if mantissa > 1 << 24 {
                    return None;
                }
            }
            _ => return None,
        }
    }
    let v = mantissa as f32 / *POW10.get(decimals.unwrap_or(0))?;
    Some(if negative { -v } else { v })
}

fn parse_f32(text: &[u8]) -> Option<f32> {
    std::str::from_utf8(text).ok()?.parse().ok()
}

fn hex_value(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|v| v as u8)
}

fn hex_pair(s: &[u8]) -> Option<u8> {
    Some((hex_value(*s.first()?)? << 4) | hex_value(*s.get(1)?)?)
}

/// Bytes of the end-of-line marker starting `s` (CR LF, LF or CR), or 0.
fn eol_len(s: &[u8]) -> usize {
    match s {
        [b'\r', b'\n', ..] => 2,
        [b'\r' | b'\n', ..] => 1,
        _ => 0,
    }
}

fn is_whitespace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\0' | 0x0C)
}

fn is_regular(c: u8) -> bool {
    !is_whitespace(c) && !b"()<>[]{}/%".contains(&c)
}

#[cfg(test)]
mod tests {
    //! Differential tests: every operation read here must be the one lopdf's
    //! `Content::decode_iter` reads, up to the same stopping point, on real content streams,
    //! on hand-written edge cases, and on thousands of damaged copies of both.
    use super::*;
    use lopdf::content::Content;
    use lopdf::Object;

    /// An operand in a form both readers map onto.
    #[derive(Debug, PartialEq)]
    enum Norm {
        Int(i64),
        Real(u32),
        Bool(bool),
        Name(Vec<u8>),
        Str(Vec<u8>),
        Array(Vec<Norm>),
        Other,
    }

    fn from_lopdf(o: &Object) -> Norm {
        match o {
            Object::Integer(i) => Norm::Int(*i),
            Object::Real(f) => Norm::Real(f.to_bits()),
            Object::Boolean(b) => Norm::Bool(*b),
            Object::Name(n) => Norm::Name(n.clone()),
            Object::String(s, _) => Norm::Str(s.clone()),
            Object::Array(a) => Norm::Array(a.iter().map(from_lopdf).collect()),
            _ => Norm::Other,
        }
    }

    fn from_ours(o: &Operand) -> Norm {
        match o {
            Operand::Int(i) => Norm::Int(*i),
            Operand::Real(f) => Norm::Real(f.to_bits()),
            Operand::Bool(b) => Norm::Bool(*b),
            Operand::Name(n) => Norm::Name(n.to_vec()),
            Operand::Str(s) => Norm::Str(s.to_vec()),
            Operand::Array(a) => Norm::Array(a.iter().map(from_ours).collect()),
            Operand::Other => Norm::Other,
        }
    }

    fn lopdf_ops(bytes: &[u8]) -> Vec<(String, Vec<Norm>)> {
        Content::decode_iter(bytes)
            .map_while(Result::ok)
            .map(|op| (op.operator, op.operands.iter().map(from_lopdf).collect()))
            .collect()
    }

    fn our_ops(bytes: &[u8]) -> Vec<(String, Vec<Norm>)> {
        let mut ops = Operations::new(bytes);
        let mut operands = Vec::new();
        let mut out = Vec::new();
        while let Some(op) = ops.next_op(&mut operands) {
            let op = String::from_utf8(op.to_vec()).unwrap();
            out.push((op, operands.iter().map(from_ours).collect()));
        }
        out
    }

    fn assert_same(bytes: &[u8]) {
        let theirs = lopdf_ops(bytes);
        let ours = our_ops(bytes);
        if ours != theirs {
            let at = ours.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
            panic!(
                "differ at operation {at} of {:?}\n ours:  {:?}\n lopdf: {:?}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(300)]),
                ours.get(at),
                theirs.get(at)
            );
        }
    }

    const CASES: &[&[u8]] = &[
        b"",
        b"   \n",
        b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET",
        b"q 1 0 0 1 0 0 cm 0.5 g 10 10 100 50 re f Q",
        b"[(A) -120 (B) 3.5 (C)] TJ",
        b"[(A)-120(B)]TJ",
        b"<48656C6C6F> Tj <4 8 6 5 6> Tj <> Tj",
        b"(a\\(b\\)c \\\\ \\n\\r\\t\\b\\f \\101\\0601 \\q) Tj",
        b"(nested (parens (deep)) ok) Tj",
        b"(line\r\nbreak\rand\nmore) Tj (cont\\\r\nnued) Tj",
        b"(unclosed Tj",
        b"(bad escape at end\\",
        b"/Name#20With#41Escapes 1 Tf /Bad#G1 Tf /End# Tf",
        b"/Span <</MCID 0 /Alt (x) /A [1 2 3] /D <</E 1>>>> BDC EMC",
        b"<< /Unclosed 1 BDC",
        b"<</K>> BDC",
        b"0.00-4142502 0 Td -.5 +.5 5. +7 -0 Td",
        b"1.5.3 Td",
        b". Td",
        b"- Td",
        b"99999999999999999999 Td",
        b"-9223372036854775808 Td 9223372036854775808 Td",
        b"1e5 Td",
        b"true false null Td",
        b"[1 0 R 2 0 R] TJ [1 0 obj] TJ",
        b"[1 % comment\n 2] TJ",
        b"1 % comment\n 2 Td",
        b"% leading comment\n  BT ET % trailing",
        b"% comment without end",
        b"BT d0 d1 T* ' \" Tj ET",
        b"BI /W 2 /H 2 /BPC 8 /CS /G ID \x00\x01\x02\x03 EI Q",
        b"BI /W 2 /H 1 /BPC 8 /CS /RGB ID\r\nabcdef\nEI q",
        b"BI /W 1 /H 1 /IM true ID \x80 EI BT ET",
        b"BI /W 4 /H 4 /BPC 8 /CS /G /F /AHx ID 00ff00ff EI BT ET",
        b"BI /W 10 /H 10 /BPC 8 /CS /G ID short EI BT ET",
        b"BI /W 1 /H 1 /BPC 8 /CS /Pattern ID x EI BT ET",
        b"BI /W 1 /H 1 /BPC 8 /CS [/Indexed /RGB 1 <00>] ID x EI n",
        b"BI /W 1 /H 1 /BPC 8 /CS /G ID xEI",
        b"BI ID no end",
        b"1 0 0 1 0 0 cm BI /W 1 /H 1 /BPC 8 /CS /G ID x EI",
        b"[[[[[[[[[[]]]]]]]]]] TJ",
        b"{ } Tj",
        b") Tj",
        b"] Tj",
        b"> Tj",
        b"/ Tf",
        b"/A/B/C Tf",
        b"(a)(b)<63>Tj",
        b"\x00\x0c\t Tj",
    ];

    /// A small repeatable pseudo-random sequence (xorshift64) for the generated cases.
    fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    #[test]
    fn fast_decimals_are_the_bits_of_str_parse() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
        let mut fast = 0;
        for _ in 0..200_000 {
            let int = next() % 100_000;
            let decimals = (next() % 12) as usize;
            let frac = next() % 10u64.pow(decimals as u32).max(1);
            let sign = ["", "-", "+"][(next() % 3) as usize];
            let text = if decimals == 0 {
                format!("{sign}{int}.")
            } else {
                format!("{sign}{int}.{frac:0decimals$}")
            };
            let want: f32 = text.parse().unwrap();
            if let Some(got) = fast_f32(text.as_bytes()) {
                fast += 1;
                assert_eq!(got.to_bits(), want.to_bits(), "{text}");
            }
        }
        assert!(fast > 50_000, "{fast} on the fast path");
        for text in [
            "0.0",
            "-0.0",
            ".5",
            "-.5",
            "16777216.",
            "16777217.",
            "0.0000000001",
        ] {
            if let Some(got) = fast_f32(text.as_bytes()) {
                assert_eq!(
                    got.to_bits(),
                    text.parse::<f32>().unwrap().to_bits(),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn hand_written_cases_read_as_lopdf_reads_them() {
        for case in CASES {
            assert_same(case);
        }
        // Deep nesting: lopdf fails at 100 levels.
        for n in [98, 99, 100, 101, 150] {
            let mut s = b"[".repeat(n);
            s.extend(b"]".repeat(n));
            s.extend_from_slice(b" TJ BT");
            assert_same(&s);
            let mut s = b"(".repeat(n);
            s.extend(b")".repeat(n));
            s.extend_from_slice(b" Tj BT");
            assert_same(&s);
        }
    }

    /// Numbers of every length around the one-pass reader's 7-digit bound, with signs, leading
    /// and trailing dots, zeros and a minus inside the fraction, in one stream per thousand.
    #[test]
    fn generated_numbers_read_as_lopdf_reads_them() {
        let mut next = xorshift(0x1234_5678_9abc_def1u64);
        let mut stream = Vec::new();
        for n in 0..20_000 {
            let digits = |count: u64, next: &mut dyn FnMut() -> u64| -> String {
                (0..count)
                    .map(|_| char::from(b'0' + (next() % 10) as u8))
                    .collect()
            };
            let sign = ["", "-", "+"][(next() % 3) as usize];
            let int = digits(next() % 11, &mut next);
            let text = match next() % 4 {
                0 => format!("{sign}{int}"),
                1 => format!("{sign}{int}.{}", digits(next() % 11, &mut next)),
                2 => format!(
                    "{sign}{int}.{}-{}",
                    digits(next() % 3, &mut next),
                    digits(2, &mut next)
                ),
                _ => format!("{sign}{int}."),
            };
            stream.extend_from_slice(text.as_bytes());
            stream.extend_from_slice(b" 0 Td ");
            if n % 1000 == 999 {
                assert_same(&stream);
                stream.clear();
            }
        }
    }

    /// Page content streams of the PDFs in fixtures/ (LibreOffice's and real published ones).
    fn fixture_streams() -> Vec<Vec<u8>> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut out = Vec::new();
        for rel in [
            "pdf/donghu-2021.pdf",
            "pdf/qingshan-2020.pdf",
            "real/hongze-2023.pdf",
            "real/hongze-2024.pdf",
            "real/huaian-2024.pdf",
        ] {
            let doc = lopdf::Document::load(root.join(rel)).unwrap();
            for page in doc.get_pages().values() {
                let content = doc.get_page_content(*page);
                out.push(content);
            }
        }
        out
    }

    #[test]
    fn real_content_streams_read_as_lopdf_reads_them() {
        let streams = fixture_streams();
        assert!(streams.len() > 20);
        let mut ops = 0;
        for s in &streams {
            assert_same(s);
            ops += our_ops(s).len();
        }
        assert!(ops > 10_000, "{ops} operations");
    }

    /// Damaged copies: cut short, one byte replaced by a byte PDF syntax cares about.
    #[test]
    fn damaged_content_streams_read_as_lopdf_reads_them() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1du64);
        const SPECIAL: &[u8] = b"()<>[]{}/%\\#\r\n \t.-+0123456789eEfFBIDT*'\"\x00";
        let mut samples: Vec<Vec<u8>> = CASES.iter().map(|c| c.to_vec()).collect();
        for s in fixture_streams() {
            // A window of each stream keeps the test quick.
            let start = (next() as usize) % s.len().max(1);
            samples.push(s[start..(start + 3000).min(s.len())].to_vec());
        }
        for sample in &samples {
            for _ in 0..60 {
                let mut s = sample.clone();
                if s.is_empty() {
                    break;
                }
                for _ in 0..(1 + next() % 3) {
                    let at = (next() as usize) % s.len();
                    s[at] = SPECIAL[(next() as usize) % SPECIAL.len()];
                }
                let cut = (next() as usize) % (s.len() + 1);
                assert_same(&s);
                assert_same(&s[..cut]);
            }
        }
    }
}
