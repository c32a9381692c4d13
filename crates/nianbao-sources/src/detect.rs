//! Deciding by magic numbers, never by extension, whether bytes are an archive to expand.

/// What the first bytes of a file or member say it is, as far as expansion is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A zip: an archive, unless its entries show it is a DOCX/XLSX/ODF/EPUB/OFD document.
    Zip,
    Gzip,
    Tar,
    SevenZ,
    /// Recognised but not readable here: fail with a message saying how to unpack it.
    Rar,
    /// A compressed stream we do not decode (xz, bzip2, zstd); the name for the message.
    OtherCompressed(&'static str),
    /// Anything else: a document (or junk) for the adapters.
    Document,
}

/// Bytes needed by [`kind_of`] (the tar magic sits at offset 257).
pub(crate) const HEAD_LEN: usize = 512;

pub(crate) fn kind_of(head: &[u8]) -> Kind {
    if head.starts_with(b"PK\x03\x04")
        || head.starts_with(b"PK\x05\x06")
        || head.starts_with(b"PK\x07\x08PK\x03\x04")
    {
        Kind::Zip
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Kind::Gzip
    } else if head.starts_with(&[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) {
        Kind::SevenZ
    } else if head.starts_with(b"Rar!\x1a\x07") {
        Kind::Rar
    } else if head.starts_with(&[0xFD, b'7', b'z', b'X', b'Z', 0x00]) {
        Kind::OtherCompressed("xz")
    } else if head.len() >= 10
        && head.starts_with(b"BZh")
        && head[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
    {
        Kind::OtherCompressed("bzip2")
    } else if head.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
        Kind::OtherCompressed("zstd")
    } else if is_tar(head) {
        Kind::Tar
    } else {
        Kind::Document
    }
}

/// POSIX `ustar\0` or GNU `ustar  ` magic in the first header block.
pub(crate) fn is_tar(head: &[u8]) -> bool {
    head.len() >= 262 && &head[257..262] == b"ustar"
}

/// Entry names that make a zip a document rather than an archive: OOXML (DOCX, XLSX, PPTX,
/// XPS), ODF and EPUB (`mimetype`), OFD (China's fixed-layout format). Besides the package
/// markers, the parts every Office package holds count too: a package whose marker is damaged
/// or cut off (openpyxl writes `[Content_Types].xml` last) is still one document, not an
/// archive of XML files.
pub(crate) fn is_document_marker(name: &str) -> bool {
    const PART_FOLDERS: [&str; 4] = ["word/", "xl/", "ppt/", "customXml/"];
    matches!(
        name,
        "[Content_Types].xml"
            | "mimetype"
            | "OFD.xml"
            | "META-INF/manifest.xml"
            | "_rels/.rels"
            | "docProps/app.xml"
            | "docProps/core.xml"
    ) || (PART_FOLDERS.iter().any(|f| name.starts_with(f))
        && (name.ends_with(".xml") || name.ends_with(".rels")))
}

/// Whether a name lies in a folder of an Office package (`word/`, `xl/`, `docProps/`…),
/// whatever follows. Too loose for an intact archive, where a user's folder may be named so;
/// for a damaged zip read front to back, whose entry names may themselves be damaged (`word/`
/// followed by garbage), it tells a package from an archive.
pub(crate) fn in_office_folder(name: &str) -> bool {
    const FOLDERS: [&str; 6] = ["word/", "xl/", "ppt/", "docProps/", "_rels/", "customXml/"];
    FOLDERS.iter().any(|f| name.starts_with(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers() {
        assert_eq!(kind_of(b"PK\x03\x04...."), Kind::Zip);
        assert_eq!(kind_of(b"Rar!\x1a\x07\x01\x00"), Kind::Rar);
        assert_eq!(kind_of(&[0x1f, 0x8b, 8, 0]), Kind::Gzip);
        assert_eq!(kind_of(b"%PDF-1.7"), Kind::Document);
        let mut tar = vec![0u8; 512];
        tar[257..263].copy_from_slice(b"ustar\0");
        assert_eq!(kind_of(&tar), Kind::Tar);
        assert_eq!(kind_of(b""), Kind::Document);
    }

    #[test]
    fn office_parts_mark_a_document() {
        for part in [
            "[Content_Types].xml",
            "docProps/app.xml",
            "_rels/.rels",
            "word/document.xml",
            "xl/worksheets/sheet1.xml",
            "xl/_rels/workbook.xml.rels",
        ] {
            assert!(is_document_marker(part), "{part}");
        }
        for name in ["报告.docx", "word/报告.txt", "xl.xml", "docProps/x.pdf"] {
            assert!(!is_document_marker(name), "{name}");
        }
    }
}
