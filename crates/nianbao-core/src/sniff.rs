//! Byte-signature helpers shared by adapters' `sniff` implementations.
use crate::ErrorKind;

/// Local file header of a zip archive (DOCX, XLSX, ODS and plain zips all start so).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// OLE2 compound file: legacy `.doc`/`.xls`, and also password-protected DOCX/XLSX.
pub fn is_cfb(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// `%PDF-` within the first KiB (some producers put junk before the header).
pub fn is_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// Whether a zip's central directory names an entry equal to `name`. Cheap: scans the raw
/// bytes for the name after a central-directory signature, without inflating anything.
pub fn zip_has_entry(bytes: &[u8], name: &str) -> bool {
    let needle = name.as_bytes();
    let sig = b"PK\x01\x02";
    let mut i = 0;
    while let Some(pos) = find(&bytes[i..], sig) {
        let h = i + pos;
        if h + 46 > bytes.len() {
            break;
        }
        let n = u16::from_le_bytes([bytes[h + 28], bytes[h + 29]]) as usize;
        let start = h + 46;
        if start + n <= bytes.len() && &bytes[start..start + n] == needle {
            return true;
        }
        i = h + 4;
    }
    false
}

/// Whether a zip's central directory has an entry whose name starts with `prefix`.
pub fn zip_has_prefix(bytes: &[u8], prefix: &str) -> bool {
    let needle = prefix.as_bytes();
    let sig = b"PK\x01\x02";
    let mut i = 0;
    while let Some(pos) = find(&bytes[i..], sig) {
        let h = i + pos;
        if h + 46 > bytes.len() {
            break;
        }
        let n = u16::from_le_bytes([bytes[h + 28], bytes[h + 29]]) as usize;
        let start = h + 46;
        if start + n <= bytes.len() && bytes[start..start + n].starts_with(needle) {
            return true;
        }
        i = h + 4;
    }
    false
}

/// First position of `needle` in `hay`. The directory sits at the end of a zip, so each
/// lookup scans nearly the whole file: a byte-by-byte window compare cost more than
/// inflating a small workbook.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Whether `name` appears in UTF-16LE anywhere in the bytes: how a compound file's directory
/// stores stream names, looked for in the raw bytes when the directory cannot be read.
pub fn has_utf16le(bytes: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    find(bytes, &needle).is_some()
}

/// Elements of HTML's vocabulary a page or a crawler's content field is written in. Only these
/// count as markup: `<` in a report's text (`<5件`, `<附件>`) names no element.
const HTML_TAGS: &[&str] = &[
    "!doctype",
    "html",
    "head",
    "body",
    "meta",
    "title",
    "link",
    "style",
    "script",
    "base",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
    "colgroup",
    "col",
    "p",
    "div",
    "span",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "font",
    "strong",
    "b",
    "i",
    "u",
    "em",
    "sup",
    "sub",
    "center",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "nav",
    "a",
    "img",
    "pre",
    "blockquote",
    "form",
    "iframe",
    "label",
    "small",
    "big",
    "strike",
    "s",
    "o:p",
];

/// Elements whose closing tag marks a text as written in HTML (a `<br>` or `<b>` in a
/// markdown report does not).
const BLOCK_CLOSERS: &[&str] = &[
    "p", "div", "span", "table", "tr", "td", "th", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
    "h6", "font", "section", "article", "center", "tbody", "strong", "pre",
];

/// The element a tag at the start of `b` (`<name`, `</name`) names, lowercased, if it is one of
/// HTML's and the name ends there (`<p>`, `<p class=…>`, `<br/>`, not `<pre5>`).
fn html_tag(b: &[u8]) -> Option<(bool, &'static str)> {
    let rest = b.strip_prefix(b"<")?;
    let (closing, rest) = match rest.strip_prefix(b"/") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    HTML_TAGS.iter().copied().find_map(|name| {
        let n = name.len();
        let head = rest.get(..n)?;
        let ends = matches!(
            rest.get(n),
            Some(b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n')
        );
        (head.eq_ignore_ascii_case(name.as_bytes()) && ends).then_some((closing, name))
    })
}

/// Whether a text is HTML: its first content (after a BOM, white space, comments and an XML
/// declaration) is a tag of HTML's vocabulary, or it is mostly such markup (a crawler's
/// content field that starts with a bare title line). Decided on the ASCII bytes of the tags,
/// so it holds for GBK as for UTF-8. A report in plain text or markdown that uses a few tags
/// (`<br>` in a table cell) stays text.
pub fn is_html(bytes: &[u8]) -> bool {
    const HEAD: usize = 64 * 1024;
    let mut b = &bytes[..bytes.len().min(HEAD)];
    b = b.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(b);
    loop {
        b = &b[b.iter().take_while(|c| c.is_ascii_whitespace()).count()..];
        let close: &[u8] = if b.starts_with(b"<!--") {
            b"-->"
        } else if b.len() >= 5 && b[..5].eq_ignore_ascii_case(b"<?xml") {
            b"?>"
        } else {
            break;
        };
        match find(b, close) {
            Some(at) => b = &b[at + close.len()..],
            None => return false,
        }
    }
    if html_tag(b).is_some() {
        return true;
    }
    mostly_markup(b)
}

/// At least three closing tags of block elements, and markup on most non-blank lines or on
/// lines holding most of the text (a crawler's field lines, then the content field on one line).
fn mostly_markup(b: &[u8]) -> bool {
    let mut closers = 0;
    let (mut lines, mut tagged) = (0, 0);
    let (mut bytes, mut tagged_bytes) = (0, 0);
    for line in b.split(|&c| c == b'\n') {
        let mut has_tag = false;
        for at in memchr::memchr_iter(b'<', line) {
            if let Some((closing, name)) = html_tag(&line[at..]) {
                has_tag = true;
                closers += usize::from(closing && BLOCK_CLOSERS.contains(&name));
            }
        }
        if line.iter().any(|c| !c.is_ascii_whitespace()) {
            lines += 1;
            bytes += line.len();
            if has_tag {
                tagged += 1;
                tagged_bytes += line.len();
            }
        }
    }
    closers >= 3 && (tagged * 2 >= lines || tagged_bytes * 2 >= bytes)
}

/// A format no adapter reads but that is known by its bytes, with the error its record gets:
/// an image is not a report (an archive's pictures, a photo; a scanned page would need OCR),
/// the others name what to convert them to.
pub fn known_unread(bytes: &[u8]) -> Option<(ErrorKind, String)> {
    const SCAN: &str = "not a report (a scanned or photographed page would need OCR)";
    const IMAGES: [(&[u8], &str); 7] = [
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"II*\0", "a TIFF image"),
        (b"MM\0*", "a TIFF image"),
        (b"BM", "a BMP image"),
    ];
    if let Some((_, what)) = IMAGES.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Some((ErrorKind::NotAReport, format!("{what}, {SCAN}")));
    }
    if is_zip(bytes) && zip_has_entry(bytes, "OFD.xml") {
        return Some((
            ErrorKind::UnsupportedFormat,
            "an OFD document (GB/T 33190), not read yet: print it to PDF and convert that".into(),
        ));
    }
    if is_zip(bytes) && zip_has_prefix(bytes, "ppt/") {
        return Some((
            ErrorKind::UnsupportedFormat,
            "a PowerPoint presentation, not a report format nianbao reads".into(),
        ));
    }
    if bytes.starts_with(b"{\\rtf") {
        return Some((
            ErrorKind::UnsupportedFormat,
            "an RTF document, not read yet: save it as .docx and convert that".into(),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures() {
        assert!(is_zip(b"PK\x03\x04rest"));
        assert!(!is_zip(b"%PDF-1.7"));
        assert!(is_pdf(b"\xef\xbb\xbf%PDF-1.4"));
        assert!(is_cfb(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]));
    }

    #[test]
    fn central_directory_names() {
        // A hand-built central directory record naming "word/document.xml".
        let name = b"word/document.xml";
        let mut cd = b"PK\x01\x02".to_vec();
        cd.extend_from_slice(&[0u8; 24]);
        cd.extend_from_slice(&(name.len() as u16).to_le_bytes());
        cd.extend_from_slice(&[0u8; 16]);
        cd.extend_from_slice(name);
        assert!(zip_has_entry(&cd, "word/document.xml"));
        assert!(!zip_has_entry(&cd, "xl/workbook.xml"));
        assert!(zip_has_prefix(&cd, "word/"));
    }

    #[test]
    fn html_by_its_markup() {
        // A CMS content field: no <html>, no <body>.
        assert!(is_html(
            "<p style='text-align: center'>2019年报告</p><p>一、总体情况</p>".as_bytes()
        ));
        assert!(is_html(b"\xef\xbb\xbf\r\n<!-- x -->\n<DIV class=a>1</DIV>"));
        assert!(is_html(b"<span>x</span>"));
        assert!(is_html(b"<br/>text"));
        assert!(is_html(b"<!DOCTYPE html><html>"));
        // A crawler's fragment after a bare title line.
        let crawled = "标题:2019年某局政府信息公开工作年度报告\n<p>一、总体情况</p>\n<p>正文</p>\n<table><tr><td>规章</td><td>0</td></tr></table>";
        assert!(is_html(crawled.as_bytes()));
        let one_line = "标题:2019年某局报告\n发布时间:2020-01-31 来源:某局\n【字体:大 中 小】\n<p>一、总体情况</p><p>正文</p><table><tr><td>规章</td><td>0</td></tr></table>";
        assert!(is_html(one_line.as_bytes()));
        // Text that mentions markup, or uses a tag or two, stays text.
        assert!(!is_html(
            "一、总体情况\n<html> in the middle of a text".as_bytes()
        ));
        assert!(!is_html(
            "一、总体情况\n本年共收到申请<5件<br>\n二、主动公开\n三、申请\n四、复议\n".as_bytes()
        ));
        let md = "# 报告\n\n| 1.属于<br>国家秘密 | 0 |\n|---|---|\n| 2.其他 | 0 |\n\n一、总体情况\n正文\n<div>注</div>\n";
        assert!(!is_html(md.as_bytes()));
        assert!(!is_html(b"<pre5>"));
        assert!(!is_html(b"<tablet>"));
        assert!(!is_html(b""));
    }

    #[test]
    fn known_formats_nobody_reads_get_a_clear_error() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(known_unread(png).unwrap().0, ErrorKind::NotAReport);
        assert!(known_unread(b"{\\rtf1\\ansi").unwrap().1.contains("RTF"));
        assert_eq!(known_unread(b"%PDF-1.7"), None);
        assert_eq!(known_unread(b"plain text"), None);
    }
}
