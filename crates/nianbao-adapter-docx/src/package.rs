//! The OPC (zip) package of a DOCX: opening it, finding the main document part and reading
//! parts under the size limits (a zip bomb must fail fast, never fill memory).
use nianbao_core::{ErrorKind, ExtractError, Limits};
use std::borrow::Cow;
use std::io::{Cursor, Read};
use zip::{CompressionMethod, ZipArchive};

pub struct Package<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    bytes: &'a [u8],
    limits: &'a Limits,
}

impl<'a> Package<'a> {
    pub fn open(bytes: &'a [u8], limits: &'a Limits) -> Result<Self, ExtractError> {
        let zip = ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| ExtractError::corrupt(format!("not a valid DOCX package: {e}")))?;
        Ok(Package { zip, bytes, limits })
    }

    /// Reads one part as bytes; `Ok(None)` when the package has no such part.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ExtractError> {
        let max = self.limits.max_part_bytes;
        let max_ratio = self.limits.max_ratio.max(1);
        let mut file = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => {
                return Err(ExtractError::corrupt(format!(
                    "cannot open part {name}: {e}"
                )))
            }
        };
        let declared = file.size();
        if declared > max {
            return Err(too_large(format!(
                "part {name} declares {declared} bytes uncompressed, over the limit of {max}"
            )));
        }
        let packed = file.compressed_size().max(1);
        if declared / packed > max_ratio {
            return Err(too_large(format!(
                "part {name} expands {}x, over the limit of {max_ratio}x (zip bomb?)",
                declared / packed
            )));
        }
        let cap = declared.min(max) as usize;
        let direct = match (file.encrypted(), file.compression(), file.data_start()) {
            (false, CompressionMethod::Deflated, Some(start)) => {
                let data = nianbao_core::inflate::span(self.bytes, start, file.compressed_size());
                data.map(|data| (data, file.crc32()))
            }
            _ => None,
        };
        let out = match direct {
            Some((data, crc)) => nianbao_core::inflate::zip_part(data, cap, crc)
                .map_err(|e| ExtractError::corrupt(format!("cannot read part {name}: {e}")))?,
            None => {
                // The declared size may lie: read with a hard cap one byte past the limit.
                let mut out = Vec::with_capacity(cap);
                (&mut file)
                    .take(max + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| ExtractError::corrupt(format!("cannot read part {name}: {e}")))?;
                out
            }
        };
        if out.len() as u64 > max {
            return Err(too_large(format!(
                "part {name} inflates past the limit of {max} bytes"
            )));
        }
        Ok(Some(out))
    }

    /// The main document part named by the package relationships (`word/document.xml` in
    /// nearly every file; some producers choose another name).
    pub fn main_part_name(&mut self) -> Result<String, ExtractError> {
        let default = "word/document.xml".to_string();
        let Some(rels) = self.read("_rels/.rels")? else {
            return Ok(default);
        };
        let rels = String::from_utf8_lossy(&rels);
        Ok(office_document_target(&rels).unwrap_or(default))
    }
}

fn too_large(message: String) -> ExtractError {
    ExtractError::new(ErrorKind::TooLarge, message)
}

/// The `Target` of the relationship whose type ends in `/officeDocument`.
fn office_document_target(rels: &str) -> Option<String> {
    use crate::body::attr;
    use quick_xml::events::Event;
    let mut reader = crate::body::reader(rels);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if e.local_name().as_ref() == b"Relationship"
                    && attr(&e, b"Type").is_some_and(|k| k.ends_with("/officeDocument")) =>
            {
                return attr(&e, b"Target").map(|t| t.trim_start_matches('/').to_string());
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

/// Part bytes as text: UTF-8 (BOM stripped) or UTF-16 with a BOM. Malformed UTF-8 is replaced
/// and reported rather than failing the whole document.
/// Valid UTF-8, the usual case, is the part's bytes borrowed as text, without a copy.
pub fn part_text<'a>(bytes: &'a [u8], warnings: &mut Vec<String>) -> Cow<'a, str> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return lossy(rest, warnings);
    }
    let utf16 = |le: bool| {
        let units = bytes[2..].chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        Cow::Owned(
            char::decode_utf16(units)
                .map(|c| c.unwrap_or('\u{FFFD}'))
                .collect(),
        )
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        _ => lossy(bytes, warnings),
    }
}

/// The check of a whole part is vectorised (simdutf8): with std's it was a tenth of the walk.
fn lossy<'a>(bytes: &'a [u8], warnings: &mut Vec<String>) -> Cow<'a, str> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            warnings.push("document part is not valid UTF-8: malformed bytes were replaced".into());
            String::from_utf8_lossy(bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_main_part_in_relationships() {
        let rels = r#"<?xml version="1.0"?><Relationships xmlns="x"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document2.xml"/></Relationships>"#;
        assert_eq!(
            office_document_target(rels).as_deref(),
            Some("word/document2.xml")
        );
        assert_eq!(office_document_target("<x/>"), None);
    }

    #[test]
    fn malformed_utf8_is_replaced_and_reported_valid_utf8_is_borrowed() {
        let mut w = Vec::new();
        let damaged = b"<w:t>\xE5\xB9\xB4\xFF\xE6\x8A</w:t>";
        assert_eq!(part_text(damaged, &mut w), "<w:t>年\u{FFFD}\u{FFFD}</w:t>");
        assert_eq!(
            w,
            ["document part is not valid UTF-8: malformed bytes were replaced"]
        );
        let mut w = Vec::new();
        let bom = "\u{FEFF}<w:t>年报</w:t>".as_bytes();
        let text = part_text(bom, &mut w);
        assert!(matches!(text, Cow::Borrowed("<w:t>年报</w:t>")), "{text:?}");
        assert!(w.is_empty());
    }

    #[test]
    fn decodes_utf16_parts() {
        let mut w = Vec::new();
        let mut bytes = vec![0xFF, 0xFE];
        for u in "<a>年报</a>".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(part_text(&bytes, &mut w), "<a>年报</a>");
        assert!(w.is_empty());
    }
}
