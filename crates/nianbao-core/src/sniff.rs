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
    fn known_formats_nobody_reads_get_a_clear_error() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(known_unread(png).unwrap().0, ErrorKind::NotAReport);
        assert!(known_unread(b"{\\rtf1\\ansi").unwrap().1.contains("RTF"));
        assert_eq!(known_unread(b"%PDF-1.7"), None);
        assert_eq!(known_unread(b"plain text"), None);
    }
}
