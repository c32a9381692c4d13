//! Which encoding a page is in: the BOM, then what the page (or its MHTML part) declares, then
//! the bytes themselves. Government sites still serve GBK/GB2312 pages, often undeclared, and
//! saved pages sometimes keep a `<meta charset>` that no longer matches their bytes.
use encoding_rs::{Encoding, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};
use nianbao_core::sniff::find;

/// How far into the page declarations are looked for (browsers scan 1 KiB; Word's HTML export
/// puts several KiB of styles before its `<meta>`).
const PRESCAN: usize = 16 * 1024;

pub struct Decoded {
    pub text: String,
    /// Name of the encoding the text was read as, with where that came from.
    pub encoding: String,
    pub warning: Option<String>,
}

/// Decodes a page. `declared` is a charset named outside the page (an MHTML part header).
pub fn decode(bytes: &[u8], declared: Option<&str>) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text: text.into_owned(),
            encoding: format!("{} (BOM)", enc.name()),
            warning: None,
        };
    }
    let label = declared.map(str::to_string).or_else(|| meta_charset(bytes));
    let Some(enc) = label
        .as_deref()
        .and_then(|l| Encoding::for_label(l.trim().as_bytes()))
    else {
        return undeclared(bytes);
    };
    // A page cannot really be UTF-16 without a BOM: browsers read such a declaration as UTF-8.
    let enc = if enc == UTF_16LE || enc == UTF_16BE {
        UTF_8
    } else {
        enc
    };
    let (text, had_errors) = with_superset(enc).decode_without_bom_handling(bytes);
    if !had_errors {
        return Decoded {
            text: text.into_owned(),
            encoding: enc.name().to_string(),
            warning: None,
        };
    }
    // The declaration is wrong: the other of the two encodings Chinese pages use may fit.
    let other = if enc == UTF_8 { GB18030 } else { UTF_8 };
    let (alt, alt_errors) = other.decode_without_bom_handling(bytes);
    if !alt_errors {
        return Decoded {
            text: alt.into_owned(),
            encoding: other.name().to_string(),
            warning: Some(format!(
                "the page declares {} but its bytes are {}",
                enc.name(),
                other.name()
            )),
        };
    }
    Decoded {
        text: text.into_owned(),
        encoding: enc.name().to_string(),
        warning: Some(format!(
            "the page is not valid {}: malformed bytes were replaced",
            enc.name()
        )),
    }
}

/// GBK and GB2312 pages are decoded as GB18030, their superset (servers mislabel freely).
fn with_superset(enc: &'static Encoding) -> &'static Encoding {
    if enc == GBK {
        GB18030
    } else {
        enc
    }
}

/// Undeclared: UTF-8 if the bytes are valid UTF-8, else GB18030, which is what an undeclared
/// Chinese page that is not UTF-8 is in practice.
fn undeclared(bytes: &[u8]) -> Decoded {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Decoded {
            text: s.to_string(),
            encoding: "UTF-8".into(),
            warning: None,
        };
    }
    let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: GB18030.name().to_string(),
        warning: had_errors.then(|| {
            "the page declares no charset and is neither UTF-8 nor GB18030: malformed bytes \
             were replaced"
                .to_string()
        }),
    }
}

/// The charset a page declares in `<meta charset=…>`, `<meta http-equiv=… content="…;
/// charset=…">` or an XML declaration, within the first bytes.
pub fn meta_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(PRESCAN)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"<?xml") {
        let end = find(&lower, b"?>").unwrap_or(lower.len());
        if let Some(label) = value_after(&lower[..end], b"encoding") {
            return Some(label);
        }
    }
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"<meta") {
        let start = from + at + 5;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        if let Some(label) = value_after(&lower[start..end], b"charset") {
            return Some(label);
        }
        from = end;
    }
    None
}

/// The value following `key`, an optional `=`/whitespace and an optional quote.
fn value_after(tag: &[u8], key: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(at) = find(&tag[from..], key) {
        let mut i = from + at + key.len();
        while i < tag.len() && tag[i].is_ascii_whitespace() {
            i += 1;
        }
        if tag.get(i) == Some(&b'=') {
            i += 1;
            while i < tag.len() && matches!(tag[i], b'"' | b'\'' | b' ' | b'\t' | b'\r' | b'\n') {
                i += 1;
            }
            let len = tag[i..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
                .count();
            if len > 0 {
                return Some(String::from_utf8_lossy(&tag[i..i + len]).into_owned());
            }
        }
        from = i;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TITLE: &str = "临河县人民政府2021年政府信息公开工作年度报告";

    fn gbk(s: &str) -> Vec<u8> {
        GBK.encode(s).0.into_owned()
    }

    #[test]
    fn gbk_declared_in_meta() {
        let page = format!("<html><head><meta charset=\"gbk\"><title>{TITLE}</title>");
        let d = decode(&gbk(&page), None);
        assert_eq!(d.encoding, "GBK");
        assert!(d.text.contains(TITLE));
        assert!(d.warning.is_none());
    }

    #[test]
    fn gb2312_declared_in_http_equiv() {
        let page = format!(
            "<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; \
             charset=gb2312\"></HEAD><BODY>{TITLE}"
        );
        assert_eq!(meta_charset(page.as_bytes()).as_deref(), Some("gb2312"));
        let d = decode(&gbk(&page), None);
        assert!(d.text.contains(TITLE), "{}", d.text);
    }

    #[test]
    fn bom_wins_over_meta() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(format!("<meta charset=gbk>{TITLE}").as_bytes());
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, "UTF-8 (BOM)");
        assert!(d.text.ends_with(TITLE));
    }

    #[test]
    fn undeclared_gbk_and_utf8_bytes() {
        let page = format!("<html><body><p>{TITLE}</p>");
        let d = decode(&gbk(&page), None);
        assert_eq!(d.encoding, "gb18030");
        assert!(d.text.contains(TITLE));
        assert_eq!(decode(page.as_bytes(), None).encoding, "UTF-8");
    }

    #[test]
    fn wrong_declaration_is_repaired() {
        let page = format!("<meta charset=\"utf-8\"><p>{TITLE}</p>");
        let d = decode(&gbk(&page), None);
        assert_eq!(d.encoding, "gb18030");
        assert!(d.text.contains(TITLE));
        assert!(d.warning.unwrap().contains("declares UTF-8"));
    }

    #[test]
    fn outside_declaration_and_xml_declaration() {
        let page = format!("<p>{TITLE}</p>");
        assert_eq!(decode(&gbk(&page), Some("gb2312")).encoding, "GBK");
        let xml = b"<?xml version=\"1.0\" encoding=\"GB2312\"?><html>";
        assert_eq!(meta_charset(xml).as_deref(), Some("gb2312"));
        assert_eq!(meta_charset(b"<meta name=\"x\" content=\"charset\">"), None);
    }
}
