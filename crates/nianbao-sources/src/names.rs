//! Member names: decoding the bytes archives store and normalising them into display paths.

use std::borrow::Cow;

/// Decodes a stored member name. Zips made on Chinese Windows store GBK without the UTF-8
/// flag. The zip reader has already replaced the name by the Info-ZIP Unicode Path extra
/// field when that field is present and valid, and a name flagged UTF-8 is UTF-8, so the rule
/// "flag or Unicode field, else valid UTF-8, else GB18030" reduces to: valid UTF-8 wins,
/// anything else is GB18030 (a superset of GBK and GB2312).
pub(crate) fn decode_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let (text, _, _) = encoding_rs::GB18030.decode(raw);
            text.into_owned()
        }
    }
}

/// Turns a decoded name into the part of a display path after `!/`: forward slashes (some
/// Windows tools write backslashes; this runs after decoding because a GBK trail byte can be
/// 0x5C), no leading `/` or `./`, no empty or `.` components.
pub(crate) fn normalize(name: &str) -> String {
    let unified: Cow<'_, str> = if name.contains('\\') {
        Cow::Owned(name.replace('\\', "/"))
    } else {
        Cow::Borrowed(name)
    };
    unified
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// The display path of a file on disk. A path that is valid UTF-8 is shown as it is. On Unix a
/// name can be any bytes (a GBK name copied from a Chinese Windows disk): each byte that is not
/// part of a UTF-8 character is written `\xHH` (two lower-case hex digits) and, in such a path
/// only, each backslash doubled, so that the path's bytes can always be had back from it
/// (where a lossy conversion would have turned them all into U+FFFD).
pub(crate) fn display_path(path: &std::path::Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        if let Ok(s) = std::str::from_utf8(bytes) {
            return s.to_string();
        }
        let mut out = String::with_capacity(bytes.len() * 2);
        for chunk in bytes.utf8_chunks() {
            out.push_str(&chunk.valid().replace('\\', "\\\\"));
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned()
    }
}

/// Whether a stored name is a directory entry (ends with a separator).
pub(crate) fn is_dir_name(name: &str) -> bool {
    name.ends_with('/') || name.ends_with('\\')
}

/// The display path of a member: `outer.zip!/目录/报告.docx`.
pub(crate) fn member_path(archive: &str, member: &str) -> String {
    format!("{archive}!/{member}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_and_utf8_names() {
        // "报告.txt" in GBK: 报 = B1 A8, 告 = B8 E6.
        assert_eq!(
            decode_name(&[0xB1, 0xA8, 0xB8, 0xE6, b'.', b't', b'x', b't']),
            "报告.txt"
        );
        assert_eq!(decode_name("目录/报告.docx".as_bytes()), "目录/报告.docx");
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_paths_are_escaped_and_recoverable() {
        use std::os::unix::ffi::OsStrExt;
        let p = |b: &[u8]| display_path(std::path::Path::new(std::ffi::OsStr::from_bytes(b)));
        assert_eq!(p("目录/a\\b.txt".as_bytes()), "目录/a\\b.txt");
        // 报告 in GBK, beside a UTF-8 folder name and a backslash.
        let mut gbk = "目录/".as_bytes().to_vec();
        gbk.extend_from_slice(b"\xb1\xa8\xb8\xe6\\x.txt");
        assert_eq!(p(&gbk), "目录/\\xb1\\xa8\\xb8\\xe6\\\\x.txt");
    }

    #[test]
    fn normalised_paths() {
        assert_eq!(normalize("./a//b\\c.pdf"), "a/b/c.pdf");
        assert_eq!(normalize("/abs/x"), "abs/x");
        assert!(is_dir_name("目录/"));
    }
}
