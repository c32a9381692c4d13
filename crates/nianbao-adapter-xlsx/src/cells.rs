//! A workbook's cell values and formulas read straight off its inflated parts, for the common
//! case of plain SpreadsheetML: shared strings, inline strings, formula strings and numbers in
//! General-like formats, formulas that are not shared. Anything else (a date format, a boolean,
//! a shared formula, a namespace prefix, a comment, an entity other than the five predefined, a
//! `_xHHHH_` escape, …) makes the reader decline the whole workbook, and calamine reads it.
//!
//! What it returns is exactly what calamine's cell reader yields for the same parts, cell for
//! cell (a differential test holds it to that), at a fraction of the cost: calamine's opening
//! of a workbook (fonts, fills, borders and the theme, for styles this tool never shows) and its
//! event-by-event cell reader were two fifths of an XLSX's time.
use calamine::Data;
use memchr::{memchr, memchr3, memmem};

/// The reader leaves this workbook to calamine.
#[derive(Debug, PartialEq)]
pub struct Decline;

type Read<T> = Result<T, Decline>;

/// What the cells of every sheet need from the rest of the workbook.
pub struct Shared {
    /// The shared strings, in order.
    strings: Vec<String>,
    /// For each cell format (`cellXfs`), whether calamine reads a number in it as a plain
    /// number (not a date or a duration).
    plain_number: Vec<bool>,
}

impl Shared {
    /// Reads the shared strings and the cell formats' number formats (either part may be
    /// missing, as calamine allows).
    pub fn read(strings: Option<&[u8]>, styles: Option<&[u8]>) -> Read<Shared> {
        Ok(Shared {
            strings: strings.map(shared_strings).transpose()?.unwrap_or_default(),
            plain_number: styles.map(plain_numbers).transpose()?.unwrap_or_default(),
        })
    }
}

/// The cells of one worksheet part, in document order, as calamine's one-pass reader yields
/// them: the non-empty values, and the formulas with any text.
#[derive(Default)]
pub struct Sheet {
    /// (row, column) and value, zero-based.
    pub values: Vec<((u32, u32), Data)>,
    /// (row, column) and formula text.
    pub formulas: Vec<((u32, u32), String)>,
}

/// Reads one worksheet part.
pub fn sheet(xml: &[u8], shared: &Shared) -> Read<Sheet> {
    let mut scan = Scan::new(xml)?;
    // Up to <sheetData>: the root must be a worksheet; a <dimension> must be one calamine reads.
    let root = scan.tag()?;
    if root.close || root.empty || root.name != b"worksheet" {
        return Err(Decline);
    }
    loop {
        let tag = scan.tag()?;
        match (tag.close, tag.name) {
            (false, b"sheetData") if tag.empty => return Ok(Sheet::default()),
            (false, b"sheetData") => break,
            (false, b"dimension") => {
                let range = attr(tag.attrs, b"ref")?.ok_or(Decline)?;
                let mut ends = range.split(|&b| b == b':');
                let (first, last) = (ends.next(), ends.next());
                if ends.next().is_some() {
                    return Err(Decline);
                }
                for end in [first, last].into_iter().flatten() {
                    cell_ref(end)?;
                }
            }
            (true, b"worksheet") => return Err(Decline),
            _ => {}
        }
    }
    let mut cells = Sheet::default();
    let (mut row, mut col) = (0u32, 0u32);
    loop {
        let tag = scan.tag()?;
        match (tag.close, tag.name) {
            (false, b"row") => {
                if let Some(r) = attr(tag.attrs, b"r")? {
                    row = row_number(r)?;
                }
                if tag.empty {
                    (row, col) = (row + 1, 0);
                }
            }
            (true, b"row") => (row, col) = (row + 1, 0),
            (false, b"c") => {
                let (mut r, mut s, mut t) = (None, None, None);
                for a in Attrs(tag.attrs) {
                    let (key, value) = a?;
                    let slot = match key {
                        b"r" => &mut r,
                        b"s" => &mut s,
                        b"t" => &mut t,
                        _ => continue,
                    };
                    if slot.replace(value).is_some() {
                        return Err(Decline);
                    }
                }
                let pos = match r {
                    Some(r) => {
                        let pos = cell_ref(r)?;
                        col = pos.1;
                        pos
                    }
                    None => (row, col),
                };
                let (value, formula) = if tag.empty {
                    (Data::Empty, None)
                } else {
                    cell_value(&mut scan, s, t, shared)?
                };
                col += 1;
                if let Some(f) = formula.filter(|f| !f.is_empty()) {
                    cells.formulas.push((pos, f));
                }
                if value != Data::Empty {
                    cells.values.push((pos, value));
                }
            }
            (true, b"sheetData") => return Ok(cells),
            _ => return Err(Decline),
        }
    }
}

/// A cell's value and formula, reading up to its `</c>`. As in calamine, each `<v>` or `<is>`
/// child replaces the value read so far, each `<f>` the formula.
fn cell_value(
    scan: &mut Scan,
    style: Option<&[u8]>,
    kind: Option<&[u8]>,
    shared: &Shared,
) -> Read<(Data, Option<String>)> {
    // Most cells are `<v>…</v></c>`: read at once, without a tag at a time.
    if let Some(text) = scan.lone_value() {
        return Ok((v_value(text, style, kind, shared)?, None));
    }
    let mut value = Data::Empty;
    let mut formula = None;
    loop {
        let tag = scan.tag()?;
        value = match (tag.close, tag.name) {
            (true, b"c") => return Ok((value, formula)),
            (false, b"f") => {
                // A shared formula's cells are expanded by calamine from its first cell.
                if attr(tag.attrs, b"t")? == Some(b"shared") {
                    return Err(Decline);
                }
                let text = if tag.empty {
                    &[][..]
                } else {
                    scan.text_to_end(b"f")?
                };
                formula = Some(unescape(text)?);
                continue;
            }
            (false, b"is") if tag.empty => Data::String(String::new()),
            (false, b"is") => Data::String(rich_text(scan, b"is")?),
            (false, b"v") => {
                let text = if tag.empty {
                    &[][..]
                } else {
                    scan.text_to_end(b"v")?
                };
                v_value(text, style, kind, shared)?
            }
            _ => return Err(Decline),
        };
    }
}

/// The value a `<v>` holds, by the cell's type and style.
fn v_value(text: &[u8], style: Option<&[u8]>, kind: Option<&[u8]>, shared: &Shared) -> Read<Data> {
    Ok(match kind {
        Some(b"inlineStr" | b"is") => Data::Empty,
        // A formula's text result: kept even when empty, as calamine keeps it.
        Some(b"str") => Data::String(unescape(text)?),
        _ if text.is_empty() => Data::Empty,
        Some(b"s") => {
            let i = digits(text)?;
            Data::String(shared.strings.get(i).ok_or(Decline)?.clone())
        }
        None | Some(b"n") => {
            let plain = match style {
                None => true,
                Some(s) => shared.plain_number.get(digits(s)?).is_none_or(|&p| p),
            };
            if !plain {
                return Err(Decline);
            }
            Data::Float(plain_decimal(text)?)
        }
        _ => return Err(Decline),
    })
}

/// The shared strings part: one string per `<si>`.
fn shared_strings(xml: &[u8]) -> Read<Vec<String>> {
    let mut scan = Scan::new(xml)?;
    let root = scan.tag()?;
    if root.close || root.name != b"sst" {
        return Err(Decline);
    }
    let mut out = Vec::new();
    if root.empty {
        return Ok(out);
    }
    loop {
        let tag = scan.tag()?;
        match (tag.close, tag.name) {
            (false, b"si") if tag.empty => out.push(String::new()),
            (false, b"si") => out.push(rich_text(&mut scan, b"si")?),
            (true, b"sst") => return Ok(out),
            _ => return Err(Decline),
        }
    }
}

/// The text of a string item (`<si>` or `<is>`) up to its end tag: its `<t>` elements joined,
/// each trimmed of ASCII white space unless it asks to be preserved, as calamine joins them.
fn rich_text(scan: &mut Scan, end: &[u8]) -> Read<String> {
    let mut out = String::new();
    loop {
        let tag = scan.tag()?;
        match (tag.close, tag.name) {
            (true, name) if name == end => return Ok(out),
            (false, b"t") if tag.empty => {}
            (false, b"t") => {
                let preserve = attr(tag.attrs, b"xml:space")? == Some(b"preserve");
                push_text(scan.text_to_end(b"t")?, !preserve, &mut out)?;
            }
            // Phonetic runs are left out by calamine; not worth following here.
            (false, b"rPh") => return Err(Decline),
            // Runs and their properties: only the `<t>` inside count.
            _ => {}
        }
    }
}

/// For each cell format, whether a number in it is a plain number to calamine: the format has
/// no `numFmtId`, or a built-in id that is not a date, time or duration. A custom format
/// (calamine reads dates off its code) is not: the reader declines a number in one.
fn plain_numbers(xml: &[u8]) -> Read<Vec<bool>> {
    let mut scan = Scan::new(xml)?;
    let mut custom: Vec<&[u8]> = Vec::new();
    let mut formats = Vec::new();
    let (mut in_custom, mut in_cell_formats) = (false, false);
    while let Some(tag) = scan.next_tag()? {
        match (tag.close, tag.name) {
            (false, b"numFmts") => in_custom = !tag.empty,
            (true, b"numFmts") => in_custom = false,
            (false, b"numFmt") if in_custom => {
                let id = attr(tag.attrs, b"numFmtId")?;
                if let (Some(id), Some(_)) = (id, attr(tag.attrs, b"formatCode")?) {
                    custom.push(id);
                }
            }
            (false, b"cellXfs") => in_cell_formats = !tag.empty,
            (true, b"cellXfs") => in_cell_formats = false,
            (false, b"xf") if in_cell_formats => {
                formats.push(match attr(tag.attrs, b"numFmtId")? {
                    None => true,
                    Some(id) => !custom.contains(&id) && !builtin_date_or_time(id),
                });
            }
            _ => {}
        }
    }
    Ok(formats)
}

/// The built-in number formats calamine reads as dates, times or durations (by their id as
/// written, as it compares them).
fn builtin_date_or_time(id: &[u8]) -> bool {
    matches!(
        id,
        b"14"
            | b"15"
            | b"16"
            | b"17"
            | b"18"
            | b"19"
            | b"20"
            | b"21"
            | b"22"
            | b"27"
            | b"28"
            | b"29"
            | b"30"
            | b"31"
            | b"32"
            | b"33"
            | b"34"
            | b"35"
            | b"36"
            | b"45"
            | b"46"
            | b"47"
            | b"50"
            | b"51"
            | b"52"
            | b"53"
            | b"54"
            | b"55"
            | b"56"
            | b"57"
            | b"58"
    )
}

/// A cell reference (`B12`, `b12`) as a zero-based (row, column).
fn cell_ref(r: &[u8]) -> Read<(u32, u32)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if !(1..=3).contains(&letters) {
        return Err(Decline);
    }
    let col = r[..letters].iter().fold(0u32, |c, b| {
        c * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
    });
    Ok((row_number(&r[letters..])?, col - 1))
}

/// A one-based row number as written (`12`), zero-based.
fn row_number(r: &[u8]) -> Read<u32> {
    if r.len() > 7 {
        return Err(Decline);
    }
    (digits(r)? as u32).checked_sub(1).ok_or(Decline)
}

/// A small decimal integer, digits only.
fn digits(text: &[u8]) -> Read<usize> {
    if text.is_empty() || text.len() > 9 || !text.iter().all(u8::is_ascii_digit) {
        return Err(Decline);
    }
    Ok(text.iter().fold(0, |n, b| n * 10 + usize::from(b - b'0')))
}

/// A number written as `-12`, `3.25` or `1.5E-3`: the forms on which calamine's parser and
/// Rust's agree (both round exactly).
fn plain_decimal(text: &[u8]) -> Read<f64> {
    let body = text.strip_prefix(b"-").unwrap_or(text);
    let (mantissa, exponent) = match body.iter().position(|&b| b == b'e' || b == b'E') {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.iter().position(|&b| b == b'.') {
        Some(i) => (&mantissa[..i], Some(&mantissa[i + 1..])),
        None => (mantissa, None),
    };
    let all_digits = |d: &[u8]| !d.is_empty() && d.iter().all(u8::is_ascii_digit);
    let exponent_ok = exponent.is_none_or(|e| all_digits(e.strip_prefix(b"-").unwrap_or(e)));
    if !all_digits(whole) || !fraction.is_none_or(all_digits) || !exponent_ok {
        return Err(Decline);
    }
    let text = std::str::from_utf8(text).map_err(|_| Decline)?;
    text.parse().map_err(|_| Decline)
}

/// Element text with the five predefined entities replaced, trimmed of ASCII white space when
/// `trim` (before or after the replacing is the same: no entity it accepts stands for white
/// space), added to `out`. Other references, a `\r` left inside (which XML reads as a line
/// end) and calamine's `_xHHHH_` escapes are declined.
fn push_text(text: &[u8], trim: bool, out: &mut String) -> Read<()> {
    let text = match trim {
        true => trim_ascii_space(text),
        false => text,
    };
    if memchr3(b'\r', b'_', b'&', text).is_some() {
        return push_escaped(text, out);
    }
    out.push_str(std::str::from_utf8(text).map_err(|_| Decline)?);
    Ok(())
}

/// [`push_text`] for text that holds an `&`, a `_` or a `\r`.
fn push_escaped(text: &[u8], out: &mut String) -> Read<()> {
    if memchr(b'\r', text).is_some() || memmem::find(text, b"_x").is_some() {
        return Err(Decline);
    }
    let mut rest = std::str::from_utf8(text).map_err(|_| Decline)?;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').ok_or(Decline)?;
        out.push(match &rest[i + 1..i + end] {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => return Err(Decline),
        });
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// Text without the ASCII white space calamine trims (space, tab, CR, LF) at either end.
fn trim_ascii_space(text: &[u8]) -> &[u8] {
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = text.iter().position(|b| !space(b)).unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |i| i + 1);
    &text[start..end]
}

/// Element text, unescaped as [`push_text`] does, untrimmed.
fn unescape(text: &[u8]) -> Read<String> {
    let mut out = String::new();
    push_text(text, false, &mut out)?;
    Ok(out)
}

/// One tag: its name, its attributes as written, and whether it closes (`</x>`) or is empty
/// (`<x/>`, which calamine's reader expands into a start and an end).
struct Tag<'a> {
    name: &'a [u8],
    attrs: &'a [u8],
    close: bool,
    empty: bool,
}

/// A cursor over XML from tag to tag. It declines comments, CDATA, processing instructions
/// after the XML declaration and prefixed names, which calamine reads event by event.
struct Scan<'a> {
    xml: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    fn new(xml: &'a [u8]) -> Read<Scan<'a>> {
        let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
        let mut at = 0;
        if xml.starts_with(b"<?xml") {
            at = memmem::find(xml, b"?>").ok_or(Decline)? + 2;
        }
        Ok(Scan { xml, at })
    }

    /// The next tag; `None` at the end of the text.
    fn next_tag(&mut self) -> Read<Option<Tag<'a>>> {
        let xml = self.xml;
        // Most tags follow the last one at once: a search call costs more than a look.
        let lt = match xml.get(self.at) {
            Some(b'<') => 0,
            _ => match memchr(b'<', &xml[self.at.min(xml.len())..]) {
                Some(lt) => lt,
                None => {
                    self.at = xml.len();
                    return Ok(None);
                }
            },
        };
        let start = self.at + lt + 1;
        let close = xml.get(start) == Some(&b'/');
        let name_at = start + usize::from(close);
        let name_len = xml[name_at..]
            .iter()
            .position(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>'))
            .ok_or(Decline)?;
        let name = &xml[name_at..name_at + name_len];
        let plain_name = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
        if name.is_empty() || !name.iter().all(plain_name) {
            return Err(Decline);
        }
        // The tag ends at the first `>` outside a quoted attribute value (a plain loop: tags
        // are short, and a search call per quote, or for the `>` and then the quotes before
        // it, cost more than it saved).
        let from = name_at + name_len;
        let mut i = from;
        let mut quote = 0;
        loop {
            let b = *xml.get(i).ok_or(Decline)?;
            if quote != 0 {
                if b == quote {
                    quote = 0;
                }
            } else if b == b'>' {
                break;
            } else if b == b'"' || b == b'\'' {
                quote = b;
            }
            i += 1;
        }
        let empty = !close && xml[i - 1] == b'/';
        let attrs = &xml[from..i - usize::from(empty)];
        if close && !attrs.iter().all(u8::is_ascii_whitespace) {
            return Err(Decline);
        }
        self.at = i + 1;
        Ok(Some(Tag {
            name,
            attrs,
            close,
            empty,
        }))
    }

    /// At `<v>text</v></c>` (text without markup), the text, the cursor moved past it.
    fn lone_value(&mut self) -> Option<&'a [u8]> {
        let rest = self.xml.get(self.at..)?.strip_prefix(b"<v>")?;
        let len = rest.iter().position(|&b| b == b'<')?;
        rest[len..].starts_with(b"</v></c>").then(|| {
            self.at += 3 + len + 8;
            &rest[..len]
        })
    }

    /// The next tag, which must be there.
    fn tag(&mut self) -> Read<Tag<'a>> {
        self.next_tag()?.ok_or(Decline)
    }

    /// The text of an element whose start tag was just read, up to its end tag, which must
    /// come next (no element inside).
    fn text_to_end(&mut self, name: &[u8]) -> Read<&'a [u8]> {
        let from = self.at;
        let len = memchr(b'<', &self.xml[from..]).ok_or(Decline)?;
        let tag = self.tag()?;
        if !tag.close || tag.name != name {
            return Err(Decline);
        }
        Ok(&self.xml[from..from + len])
    }
}

/// The value of attribute `key` as written; `None` when absent.
fn attr<'a>(attrs: &'a [u8], key: &[u8]) -> Read<Option<&'a [u8]>> {
    for a in Attrs(attrs) {
        let (k, v) = a?;
        if k == key {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

/// The `key="value"` pairs of a start tag (quotes of either kind).
struct Attrs<'a>(&'a [u8]);

impl<'a> Iterator for Attrs<'a> {
    type Item = Read<(&'a [u8], &'a [u8])>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.0.trim_ascii_start();
        if rest.is_empty() {
            return None;
        }
        // Plain loops: keys and values are a few bytes long.
        let pair = (|| {
            let eq = rest.iter().position(|&b| b == b'=').ok_or(Decline)?;
            let key = rest[..eq].trim_ascii_end();
            let value = rest[eq + 1..].trim_ascii_start();
            let quote = *value.first().ok_or(Decline)?;
            if !matches!(quote, b'"' | b'\'') || key.is_empty() {
                return Err(Decline);
            }
            let len = value[1..].iter().position(|&b| b == quote).ok_or(Decline)?;
            self.0 = &value[len + 2..];
            Ok((key, &value[1..1 + len]))
        })();
        if pair.is_err() {
            self.0 = &[];
        }
        Some(pair)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_and_numbers() {
        assert_eq!(cell_ref(b"A1"), Ok((0, 0)));
        assert_eq!(cell_ref(b"ab12"), Ok((11, 27)));
        assert_eq!(cell_ref(b"A0"), Err(Decline));
        assert_eq!(cell_ref(b"12"), Err(Decline));
        assert_eq!(cell_ref(b"ABCD1"), Err(Decline));
        assert_eq!(plain_decimal(b"-12"), Ok(-12.0));
        assert_eq!(plain_decimal(b"2316.85"), Ok(2316.85));
        assert_eq!(plain_decimal(b"1.5E-3"), Ok(0.0015));
        for odd in [
            &b" 1"[..],
            b"1.",
            b".5",
            b"+1",
            b"1e",
            b"inf",
            b"0x10",
            b"1,000",
        ] {
            assert_eq!(plain_decimal(odd), Err(Decline), "{odd:?}");
        }
    }

    #[test]
    fn text_is_unescaped_or_declined() {
        assert_eq!(unescape(b"a &amp; b &lt;c&gt;").unwrap(), "a & b <c>");
        assert_eq!(unescape("年报".as_bytes()).unwrap(), "年报");
        let mut out = String::from("新收");
        push_text(b"\r\n \t&lt;x&gt; \n", true, &mut out).unwrap();
        push_text(b"  ", true, &mut out).unwrap();
        push_text(b" _ ", false, &mut out).unwrap();
        assert_eq!(out, "新收<x> _ ");
        for odd in [&b"&#20013;"[..], b"&nbsp;", b"a\r\nb", b"_x000D_", b"\xff"] {
            assert_eq!(unescape(odd), Err(Decline), "{odd:?}");
        }
    }

    #[test]
    fn tags_and_attributes() {
        let xml = b"<?xml version=\"1.0\"?><a x='1>2' y = \"3\"/></b ><c d=\"4>5\" e=\"\">";
        let mut scan = Scan::new(xml).unwrap();
        let a = scan.tag().unwrap();
        assert_eq!((a.name, a.close, a.empty), (&b"a"[..], false, true));
        assert_eq!(attr(a.attrs, b"x"), Ok(Some(&b"1>2"[..])));
        assert_eq!(attr(a.attrs, b"y"), Ok(Some(&b"3"[..])));
        assert_eq!(attr(a.attrs, b"z"), Ok(None));
        let b = scan.tag().unwrap();
        assert_eq!((b.name, b.close), (&b"b"[..], true));
        let c = scan.tag().unwrap();
        assert_eq!(attr(c.attrs, b"d"), Ok(Some(&b"4>5"[..])));
        assert_eq!(attr(c.attrs, b"e"), Ok(Some(&b""[..])));
        assert!(scan.next_tag().unwrap().is_none());
        for odd in [
            &b"<!-- c -->"[..],
            b"<![CDATA[x]]>",
            b"<x:c/>",
            b"<?pi?>",
            b"<a b=1/>",
        ] {
            let mut scan = Scan::new(odd).unwrap();
            let tag = scan.next_tag();
            let declined = tag.is_err() || Attrs(tag.unwrap().unwrap().attrs).any(|a| a.is_err());
            assert!(declined, "{odd:?}");
        }
    }
}
