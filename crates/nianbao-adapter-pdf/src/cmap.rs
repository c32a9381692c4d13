//! A small parser for CMap streams: `/ToUnicode` maps (code → text) and embedded encoding
//! CMaps (code → CID), with their code-space ranges so that a byte string can be cut into codes.
//!
//! Written by hand rather than taken from lopdf because lopdf keeps its parser private and only
//! applies it when `/Encoding` is absent or Identity; we also need the code-space ranges.

use nianbao_core::Fnv;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// Maps keyed by (code length, code), looked up for every glyph.
type CodeMap<V> = HashMap<(u8, u32), V, BuildHasherDefault<Fnv>>;

/// Entries beyond this are ignored: a real CMap has at most ~65k codes.
const MAX_ENTRIES: usize = 1 << 17;

#[derive(Debug, Default, Clone)]
pub struct CMap {
    /// (byte length, low, high) of each code-space range.
    pub codespace: Vec<(u8, u32, u32)>,
    /// Code (with its byte length) → Unicode text.
    pub unicode: CodeMap<String>,
    /// Code (with its byte length) → CID, for encoding CMaps.
    pub cid: CodeMap<u32>,
    /// Contiguous ranges too long to expand: (len, lo, hi, first CID).
    cid_ranges: Vec<(u8, u32, u32, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Hex(Vec<u8>),
    Num(i64),
    Name(Vec<u8>),
    Open,
    Close,
    Word(Vec<u8>),
}

fn tokenize(data: &[u8]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let c = data[i];
        match c {
            b'%' => {
                while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            b'<' if data.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if data.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                // Hex digits in pairs, other bytes skipped, an odd last digit padded with 0.
                let mut bytes = Vec::new();
                let mut high: Option<u8> = None;
                i += 1;
                while i < data.len() && data[i] != b'>' {
                    if data[i].is_ascii_hexdigit() {
                        let v = hex_val(data[i]);
                        match high.take() {
                            Some(h) => bytes.push((h << 4) | v),
                            None => high = Some(v),
                        }
                    }
                    i += 1;
                }
                i += 1;
                if let Some(h) = high {
                    bytes.push(h << 4);
                }
                out.push(Tok::Hex(bytes));
            }
            b'[' => {
                out.push(Tok::Open);
                i += 1;
            }
            b']' => {
                out.push(Tok::Close);
                i += 1;
            }
            b'(' => {
                // Literal strings only appear in headers (Registry etc.); skip them.
                let mut depth = 0;
                while i < data.len() {
                    match data[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'/' => {
                let start = i + 1;
                i += 1;
                while i < data.len() && !is_delim(data[i]) {
                    i += 1;
                }
                out.push(Tok::Name(data[start..i].to_vec()));
            }
            _ if c.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                while i < data.len() && !is_delim(data[i]) {
                    i += 1;
                }
                if i == start {
                    i += 1;
                    continue;
                }
                let word = &data[start..i];
                match std::str::from_utf8(word)
                    .ok()
                    .and_then(|s| s.parse::<i64>().ok())
                {
                    Some(n) => out.push(Tok::Num(n)),
                    None => out.push(Tok::Word(word.to_vec())),
                }
            }
        }
    }
    out
}

fn is_delim(b: u8) -> bool {
    b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b)
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

fn code_of(bytes: &[u8]) -> Option<(u8, u32)> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    Some((
        bytes.len() as u8,
        bytes.iter().fold(0u32, |a, &b| (a << 8) | b as u32),
    ))
}

/// UTF-16BE destination bytes → text (lone surrogates dropped).
fn utf16_text(bytes: &[u8]) -> String {
    let units = bytes
        .chunks(2)
        .map(|p| ((p[0] as u16) << 8) | *p.get(1).unwrap_or(&0) as u16);
    char::decode_utf16(units).filter_map(Result::ok).collect()
}

/// Adds `n` to the last UTF-16 unit of a bfrange destination.
fn utf16_plus(bytes: &[u8], n: u32) -> String {
    let mut b = bytes.to_vec();
    if b.len() >= 2 {
        let k = b.len() - 2;
        let last = (((b[k] as u32) << 8) | b[k + 1] as u32).wrapping_add(n);
        b[k] = (last >> 8) as u8;
        b[k + 1] = last as u8;
    }
    utf16_text(&b)
}

impl CMap {
    pub fn parse(data: &[u8]) -> CMap {
        let toks = tokenize(data);
        let mut m = CMap::default();
        let mut i = 0;
        let mut entries = 0usize;
        while i < toks.len() {
            let Tok::Word(w) = &toks[i] else {
                i += 1;
                continue;
            };
            i += 1;
            match w.as_slice() {
                b"begincodespacerange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        if let (Some((n, l)), Some((_, h))) = (code_of(lo), code_of(hi)) {
                            m.codespace.push((n, l, h));
                        }
                        i += 2;
                    }
                }
                b"beginbfchar" => {
                    while let (Some(Tok::Hex(src)), Some(dst)) = (toks.get(i), toks.get(i + 1)) {
                        if let (Some(code), Tok::Hex(d)) = (code_of(src), dst) {
                            m.unicode.insert(code, utf16_text(d));
                        }
                        i += 2;
                        entries += 1;
                    }
                }
                b"beginbfrange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        i += 2;
                        let (Some((n, l)), Some((_, h))) = (code_of(lo), code_of(hi)) else {
                            continue;
                        };
                        match toks.get(i) {
                            Some(Tok::Hex(d)) => {
                                i += 1;
                                for (k, c) in (l..=h).enumerate() {
                                    if entries >= MAX_ENTRIES {
                                        break;
                                    }
                                    m.unicode.insert((n, c), utf16_plus(d, k as u32));
                                    entries += 1;
                                }
                            }
                            Some(Tok::Open) => {
                                i += 1;
                                let mut c = l;
                                while let Some(Tok::Hex(d)) = toks.get(i) {
                                    if c <= h && entries < MAX_ENTRIES {
                                        m.unicode.insert((n, c), utf16_text(d));
                                        entries += 1;
                                    }
                                    c = c.wrapping_add(1);
                                    i += 1;
                                }
                                if toks.get(i) == Some(&Tok::Close) {
                                    i += 1;
                                }
                            }
                            _ => {}
                        }
                    }
                }
                b"begincidchar" => {
                    while let (Some(Tok::Hex(src)), Some(Tok::Num(cid))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        if let Some(code) = code_of(src) {
                            m.cid.insert(code, (*cid).clamp(0, u32::MAX as i64) as u32);
                        }
                        i += 2;
                    }
                }
                b"begincidrange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi)), Some(Tok::Num(cid))) =
                        (toks.get(i), toks.get(i + 1), toks.get(i + 2))
                    {
                        if let (Some((n, l)), Some((_, h))) = (code_of(lo), code_of(hi)) {
                            m.cid_ranges
                                .push((n, l, h, (*cid).clamp(0, u32::MAX as i64) as u32));
                        }
                        i += 3;
                    }
                }
                _ => {}
            }
            if entries >= MAX_ENTRIES {
                break;
            }
        }
        m
    }

    /// Length in bytes of the code starting at `bytes[0]`, by the code-space ranges
    /// (`default` when the CMap declares none or nothing matches).
    pub fn code_len(&self, bytes: &[u8], default: usize) -> usize {
        if self.codespace.is_empty() {
            return default.min(bytes.len()).max(1);
        }
        for n in 1..=4usize {
            if n > bytes.len() {
                break;
            }
            let v = bytes[..n].iter().fold(0u32, |a, &b| (a << 8) | b as u32);
            if self
                .codespace
                .iter()
                .any(|&(len, lo, hi)| len as usize == n && v >= lo && v <= hi)
            {
                return n;
            }
        }
        // No range matches: take the shortest declared length (what Acrobat does).
        let min = self
            .codespace
            .iter()
            .map(|c| c.0 as usize)
            .min()
            .unwrap_or(1);
        min.min(bytes.len()).max(1)
    }

    pub fn to_unicode(&self, len: u8, code: u32) -> Option<&str> {
        self.unicode.get(&(len, code)).map(String::as_str)
    }

    pub fn to_cid(&self, len: u8, code: u32) -> Option<u32> {
        if let Some(c) = self.cid.get(&(len, code)) {
            return Some(*c);
        }
        self.cid_ranges
            .iter()
            .find(|&&(n, lo, hi, _)| n == len && code >= lo && code <= hi)
            .map(|&(_, lo, _, first)| first.saturating_add(code - lo))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bfchar_bfrange_and_codespace() {
        let src = b"/CIDInit /ProcSet findresource begin\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
            2 beginbfchar <0003> <0020> <0010> <4E00> endbfchar\n\
            2 beginbfrange <0020> <0022> <0041> <0030> <0031> [<2F00> <D83DDE00>] endbfrange";
        let m = CMap::parse(src);
        assert_eq!(m.to_unicode(2, 0x10), Some("一"));
        assert_eq!(m.to_unicode(2, 0x21), Some("B"));
        assert_eq!(m.to_unicode(2, 0x30), Some("⼀"));
        assert_eq!(m.to_unicode(2, 0x31), Some("😀"));
        assert_eq!(m.code_len(&[0, 0x10], 1), 2);
    }

    #[test]
    fn mixed_width_codespace() {
        let m = CMap::parse(b"2 begincodespacerange <00> <80> <8140> <FEFE> endcodespacerange");
        assert_eq!(m.code_len(b"A\x81\x40", 2), 1);
        assert_eq!(m.code_len(b"\x81\x40", 1), 2);
    }
}
