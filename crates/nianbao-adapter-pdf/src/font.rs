//! Fonts: how a shown string is cut into codes, what text each code stands for, and how far
//! each glyph advances. Handles simple fonts (one byte per code), composite (Type0) fonts with
//! Identity-H/V, the predefined Chinese CMaps (UniGB-UCS2-H/V, UniGB-UTF16-H/V, GBK-EUC-H/V,
//! GB-EUC-H/V) and embedded CMaps, with `/ToUnicode` taking precedence everywhere.

use crate::cmap::CMap;
use crate::kangxi::normalize_char;
use crate::obj;
use crate::truetype;
use lopdf::{Dictionary, Document, Object};
use std::collections::HashMap;

/// How codes are found in a string and turned into text when there is no usable ToUnicode.
enum Codes {
    /// One byte per code; text from the font's simple encoding.
    Simple(Box<[Option<char>; 256]>),
    /// Two bytes per code; the code is the CID (Identity-H/V).
    Identity,
    /// Two bytes per code, the code is UCS-2 / UTF-16 (UniGB-UCS2-H, UniGB-UTF16-H).
    Ucs2,
    /// GBK: one byte below 0x81, two bytes otherwise (GBK-EUC-H, GB-EUC-H, GBpc-EUC-H).
    Gbk,
    /// An embedded CMap stream (codes → CIDs).
    Embedded(CMap),
}

pub struct Font {
    codes: Codes,
    to_unicode: Option<CMap>,
    /// CID/GID → text from the embedded TrueType program's own cmap table (used when a
    /// composite font has no ToUnicode).
    gid_text: Option<HashMap<u16, char>>,
    /// Simple fonts: widths indexed by code - first_char.
    first_char: u32,
    simple_widths: Vec<f32>,
    /// Composite fonts: CID → width.
    cid_widths: CidWidths,
    default_width: f32,
    pub vertical: bool,
    /// False when no code of this font can be turned into text reliably.
    pub usable: bool,
    pub name: String,
}

/// One decoded code of a shown string.
pub struct Code {
    pub text: String,
    /// Horizontal advance in text-space units per 1000 (glyph space).
    pub width: f32,
    /// A single-byte code 32: word spacing applies.
    pub is_space: bool,
}

/// Bounds how many codes one font program's cmap may produce (hostile fonts).
const MAX_CID_WIDTHS: usize = 1 << 17;

impl Font {
    pub fn load(doc: &Document, dict: &Dictionary) -> Font {
        let name = obj::name(doc, dict, b"BaseFont")
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let subtype = obj::name(doc, dict, b"Subtype").unwrap_or(b"");
        let to_unicode = obj::stream(doc, dict, b"ToUnicode")
            .and_then(obj::stream_bytes)
            .map(|b| CMap::parse(&b))
            .filter(|m| !m.unicode.is_empty());
        if subtype == b"Type0" {
            Self::load_type0(doc, dict, name, to_unicode)
        } else {
            Self::load_simple(doc, dict, name, to_unicode)
        }
    }

    fn load_simple(
        doc: &Document,
        dict: &Dictionary,
        name: String,
        to_unicode: Option<CMap>,
    ) -> Font {
        let mut table: Box<[Option<char>; 256]> = Box::new([None; 256]);
        // Without `/Encoding`, lopdf's encoding is the same ToUnicode stream parsed a second
        // time (and looked up once per code). Every code that map holds is read from ours
        // first, so of that table only the printable ASCII fallback would ever be used.
        let encoding = if to_unicode.is_some() && dict.get(b"Encoding").is_err() {
            None
        } else {
            catch(|| dict.get_font_encoding(doc).ok())
        };
        for (b, slot) in table.iter_mut().enumerate() {
            let decoded = encoding
                .as_ref()
                .and_then(|e| e.bytes_to_string(&[b as u8]).ok());
            *slot = decoded
                .and_then(|s| s.chars().next())
                .filter(|c| *c != '\u{FFFD}');
            if slot.is_none() && (0x20..0x7f).contains(&b) {
                *slot = Some(b as u8 as char);
            }
        }
        let first_char = obj::num_key(doc, dict, b"FirstChar")
            .unwrap_or(0.0)
            .max(0.0) as u32;
        let simple_widths = obj::array(doc, dict, b"Widths")
            .map(|a| {
                a.iter()
                    .take(256)
                    .map(|o| obj::num(doc, o).unwrap_or(0.0))
                    .collect()
            })
            .unwrap_or_default();
        let default_width = obj::dict(doc, dict, b"FontDescriptor")
            .and_then(|fd| obj::num_key(doc, fd, b"MissingWidth"))
            .filter(|w| *w > 0.0)
            .unwrap_or(500.0);
        Font {
            codes: Codes::Simple(table),
            to_unicode,
            gid_text: None,
            first_char,
            simple_widths,
            cid_widths: CidWidths::default(),
            default_width,
            vertical: false,
            usable: true,
            name,
        }
    }

    fn load_type0(
        doc: &Document,
        dict: &Dictionary,
        name: String,
        to_unicode: Option<CMap>,
    ) -> Font {
        let enc_obj = obj::get(doc, dict, b"Encoding");
        let enc_name: &[u8] = enc_obj.and_then(|o| o.as_name().ok()).unwrap_or(b"");
        let vertical = enc_name.ends_with(b"-V");
        let codes = match enc_name {
            b"Identity-H" | b"Identity-V" => Codes::Identity,
            b"UniGB-UCS2-H" | b"UniGB-UCS2-V" | b"UniGB-UTF16-H" | b"UniGB-UTF16-V" => Codes::Ucs2,
            b"GBK-EUC-H" | b"GBK-EUC-V" | b"GB-EUC-H" | b"GB-EUC-V" | b"GBpc-EUC-H"
            | b"GBpc-EUC-V" | b"GBK2K-H" | b"GBK2K-V" | b"GBKp-EUC-H" | b"GBKp-EUC-V" => Codes::Gbk,
            _ => match enc_obj
                .and_then(|o| o.as_stream().ok())
                .and_then(obj::stream_bytes)
            {
                Some(bytes) => Codes::Embedded(CMap::parse(&bytes)),
                None => Codes::Identity,
            },
        };
        let descendant = obj::array(doc, dict, b"DescendantFonts")
            .and_then(|a| a.first())
            .and_then(|o| obj::deref(doc, o))
            .and_then(|o| o.as_dict().ok());
        let mut cid_widths = CidWidths::default();
        let mut default_width = 1000.0;
        let mut gid_text = None;
        if let Some(d) = descendant {
            default_width = obj::num_key(doc, d, b"DW").unwrap_or(1000.0);
            if let Some(w) = obj::array(doc, d, b"W") {
                cid_widths = CidWidths::read(doc, w);
            }
            if to_unicode.is_none() && matches!(codes, Codes::Identity) {
                gid_text = embedded_truetype_text(doc, d);
            }
        }
        let usable = to_unicode.is_some()
            || gid_text.as_ref().is_some_and(|m| !m.is_empty())
            || matches!(codes, Codes::Ucs2 | Codes::Gbk);
        Font {
            codes,
            to_unicode,
            gid_text,
            first_char: 0,
            simple_widths: Vec::new(),
            cid_widths,
            default_width,
            vertical,
            usable,
            name,
        }
    }

    /// Cuts `bytes` into codes with their text and width.
    pub fn decode(&self, bytes: &[u8]) -> Vec<Code> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let rest = &bytes[i..];
            let n = match &self.codes {
                Codes::Simple(_) => 1,
                Codes::Identity | Codes::Ucs2 => 2.min(rest.len()),
                Codes::Gbk => {
                    if rest[0] < 0x81 {
                        1
                    } else {
                        2.min(rest.len())
                    }
                }
                Codes::Embedded(m) => m.code_len(rest, 2),
            };
            let raw = &rest[..n];
            i += n;
            let code = raw.iter().fold(0u32, |a, &b| (a << 8) | b as u32);
            out.push(self.decode_code(raw, code));
        }
        out
    }

    fn decode_code(&self, raw: &[u8], code: u32) -> Code {
        let len = raw.len() as u8;
        // The ToUnicode text when the map has the code (even an empty one), else what the
        // encoding says; built straight into the glyph's one string (this runs per glyph).
        let mapped = self
            .to_unicode
            .as_ref()
            .and_then(|m| m.to_unicode(len, code));
        let mut text = String::new();
        let mut fallback = |c: Option<char>| {
            if mapped.is_none() {
                text.extend(c.map(normalize_char));
            }
        };
        let width = match &self.codes {
            Codes::Simple(table) => {
                fallback(table[code as usize & 0xff]);
                code.checked_sub(self.first_char)
                    .and_then(|k| self.simple_widths.get(k as usize))
                    .copied()
                    .filter(|w| *w > 0.0)
                    .unwrap_or(self.default_width)
            }
            Codes::Identity => {
                fallback(
                    self.gid_text
                        .as_ref()
                        .and_then(|m| m.get(&(code as u16)))
                        .copied(),
                );
                self.cid_width(code)
            }
            Codes::Ucs2 => {
                fallback(char::from_u32(code).filter(|c| !c.is_control() || *c == ' '));
                // The CID of a UCS-2 code is unknown without Adobe's tables: half width for
                // ASCII, full width otherwise.
                if code < 0x80 {
                    500.0
                } else {
                    1000.0
                }
            }
            Codes::Gbk => {
                if mapped.is_none() {
                    let (s, _, bad) = encoding_rs::GBK.decode(raw);
                    if !bad {
                        text.extend(s.chars().map(normalize_char));
                    }
                }
                if raw.len() == 1 {
                    500.0
                } else {
                    1000.0
                }
            }
            Codes::Embedded(m) => m
                .to_cid(len, code)
                .map(|cid| self.cid_width(cid))
                .unwrap_or(self.default_width),
        };
        if let Some(m) = mapped {
            text.extend(m.chars().map(normalize_char));
        }
        Code {
            text,
            width,
            is_space: raw.len() == 1 && code == 32,
        }
    }

    fn cid_width(&self, cid: u32) -> f32 {
        self.cid_widths.get(cid).unwrap_or(self.default_width)
    }
}

/// `/W` of a CIDFont: `c [w1 w2 …]` or `c_first c_last w`. Kept as the runs the array
/// lists, looked up by binary search: a font's `/W` often spans tens of thousands of CIDs, and
/// a hash map of every CID was a tenth of the time of a PDF.
enum CidWidths {
    /// Runs sorted by first CID, none overlapping (the usual case).
    Runs {
        runs: Vec<WidthRun>,
        listed: Vec<f32>,
    },
    /// Runs that overlap: later entries win, CID by CID.
    Map(HashMap<u32, f32>),
}

struct WidthRun {
    first: u32,
    last: u32,
    width: RunWidth,
}

enum RunWidth {
    /// `c_first c_last w`.
    Same(f32),
    /// `c [w1 w2 …]`: widths from this index of `listed` (NaN where an entry is no number).
    Listed(usize),
}

impl Default for CidWidths {
    fn default() -> Self {
        CidWidths::Runs {
            runs: Vec::new(),
            listed: Vec::new(),
        }
    }
}

/// One entry of `/W`.
enum WEntry<'a> {
    /// `c [w1 w2 …]`: widths of CIDs from `first` on (items that are no number give none).
    Listed { first: u32, widths: &'a [Object] },
    /// `c_first c_last w` (`last` capped at `first` + [`MAX_CID_WIDTHS`]; below `first`, empty).
    Same { first: u32, last: u32, width: f32 },
}

/// The entries of a `/W` array in order, up to the first that is malformed.
struct WEntries<'a> {
    doc: &'a Document,
    w: &'a [Object],
    i: usize,
}

impl<'a> Iterator for WEntries<'a> {
    type Item = WEntry<'a>;

    fn next(&mut self) -> Option<WEntry<'a>> {
        let (doc, w, i) = (self.doc, self.w, self.i);
        let first = obj::num(doc, w.get(i)?)?.max(0.0) as u32;
        match obj::deref(doc, w.get(i + 1)?)? {
            Object::Array(widths) => {
                self.i += 2;
                Some(WEntry::Listed { first, widths })
            }
            o => {
                let last = obj::num(doc, o)?;
                let width = obj::num(doc, w.get(i + 2)?)?;
                let last = (last.max(0.0) as u32).min(first.saturating_add(MAX_CID_WIDTHS as u32));
                self.i += 3;
                Some(WEntry::Same { first, last, width })
            }
        }
    }
}

impl CidWidths {
    fn entries<'a>(doc: &'a Document, w: &'a [Object]) -> WEntries<'a> {
        WEntries { doc, w, i: 0 }
    }

    fn read(doc: &Document, w: &[Object]) -> CidWidths {
        let mut runs = Vec::new();
        let mut listed = Vec::new();
        // CIDs given a width so far (distinct while the runs do not overlap).
        let mut count = 0usize;
        let mut entries = Self::entries(doc, w);
        while count < MAX_CID_WIDTHS {
            let Some(entry) = entries.next() else { break };
            match entry {
                WEntry::Listed { first, widths } => {
                    let at = listed.len();
                    for o in widths {
                        let v = obj::num(doc, o);
                        count += v.is_some() as usize;
                        listed.push(v.unwrap_or(f32::NAN));
                    }
                    if !widths.is_empty() {
                        let Some(last) = u32::try_from(widths.len() - 1)
                            .ok()
                            .and_then(|n| first.checked_add(n))
                        else {
                            return CidWidths::by_cid(doc, w);
                        };
                        runs.push(WidthRun {
                            first,
                            last,
                            width: RunWidth::Listed(at),
                        });
                    }
                }
                WEntry::Same { first, last, width } => {
                    if last >= first {
                        count += (last - first) as usize + 1;
                        runs.push(WidthRun {
                            first,
                            last,
                            width: RunWidth::Same(width),
                        });
                    }
                }
            }
        }
        runs.sort_by_key(|r| r.first);
        if runs.windows(2).any(|p| p[1].first <= p[0].last) {
            return CidWidths::by_cid(doc, w);
        }
        CidWidths::Runs { runs, listed }
    }

    /// The width of every CID in a map, entry after entry, for runs that overlap.
    fn by_cid(doc: &Document, w: &[Object]) -> CidWidths {
        let mut out = HashMap::new();
        let mut entries = Self::entries(doc, w);
        while out.len() < MAX_CID_WIDTHS {
            match entries.next() {
                Some(WEntry::Listed { first, widths }) => {
                    for (k, o) in widths.iter().enumerate() {
                        if let Some(v) = obj::num(doc, o) {
                            out.insert(first.saturating_add(k as u32), v);
                        }
                    }
                }
                Some(WEntry::Same { first, last, width }) => {
                    for c in first..=last {
                        out.insert(c, width);
                    }
                }
                None => break,
            }
        }
        CidWidths::Map(out)
    }

    fn get(&self, cid: u32) -> Option<f32> {
        match self {
            CidWidths::Runs { runs, listed } => {
                let run = &runs[runs.partition_point(|r| r.first <= cid).checked_sub(1)?];
                if cid > run.last {
                    return None;
                }
                match run.width {
                    RunWidth::Same(v) => Some(v),
                    RunWidth::Listed(at) => listed
                        .get(at + (cid - run.first) as usize)
                        .copied()
                        .filter(|v| !v.is_nan()),
                }
            }
            CidWidths::Map(m) => m.get(&cid).copied(),
        }
    }
}

/// GID → character from an embedded TrueType font's cmap, when CIDs are GIDs (Identity
/// CIDToGIDMap): lets us read composite fonts that carry no ToUnicode.
fn embedded_truetype_text(doc: &Document, cid_font: &Dictionary) -> Option<HashMap<u16, char>> {
    if let Some(map) = obj::get(doc, cid_font, b"CIDToGIDMap") {
        if map.as_name().ok() != Some(b"Identity") {
            return None;
        }
    }
    let fd = obj::dict(doc, cid_font, b"FontDescriptor")?;
    let program = obj::stream(doc, fd, b"FontFile2").and_then(obj::stream_bytes)?;
    truetype::glyph_to_char(&program)
}

/// Runs a lopdf call that might panic on hostile input; a panic becomes `None`.
fn catch<T>(f: impl FnOnce() -> Option<T>) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::Object::{Array, Integer, Name, Real};

    /// Every CID near the ones `/W` names gets the width the plain CID-by-CID map gives.
    fn assert_runs_match_map(w: &[Object]) {
        let doc = Document::new();
        let runs = CidWidths::read(&doc, w);
        let CidWidths::Map(map) = CidWidths::by_cid(&doc, w) else {
            unreachable!()
        };
        for cid in (0..400).chain([65_530, 65_535, 65_536, u32::MAX - 1, u32::MAX]) {
            assert_eq!(runs.get(cid), map.get(&cid).copied(), "CID {cid} of {w:?}");
        }
    }

    #[test]
    fn width_runs_give_the_widths_of_every_cid() {
        let cases: Vec<Vec<Object>> = vec![
            vec![],
            vec![
                Integer(1),
                Array(vec![Integer(500), Real(250.5), Integer(600)]),
            ],
            vec![
                Integer(10),
                Integer(20),
                Integer(1000),
                Integer(0),
                Integer(5),
                Integer(500),
            ],
            // Out of order but disjoint.
            vec![
                Integer(300),
                Integer(310),
                Integer(700),
                Integer(3),
                Array(vec![Integer(1)]),
            ],
            // Overlapping: the later entry wins.
            vec![
                Integer(1),
                Integer(100),
                Integer(500),
                Integer(50),
                Array(vec![Integer(7), Integer(8)]),
            ],
            vec![
                Integer(5),
                Array(vec![Integer(1); 10]),
                Integer(8),
                Integer(8),
                Integer(9),
            ],
            // A hole (a name where a width should be) and a reversed range.
            vec![
                Integer(0),
                Array(vec![Integer(1), Name(b"x".to_vec()), Integer(3)]),
                Integer(9),
                Integer(4),
                Integer(2),
            ],
            // Ends early at what is not a CID.
            vec![
                Integer(1),
                Integer(2),
                Integer(3),
                Name(b"x".to_vec()),
                Integer(4),
                Integer(5),
                Integer(6),
            ],
            vec![Integer(65_530), Integer(70_000), Integer(321)],
            vec![
                Integer(u32::MAX as i64),
                Array(vec![Integer(1), Integer(2)]),
            ],
            vec![Integer(-5), Integer(3), Integer(250)],
        ];
        for w in &cases {
            assert_runs_match_map(w);
        }
    }
}
