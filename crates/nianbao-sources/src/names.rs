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

    #[test]
    fn normalised_paths() {
        assert_eq!(normalize("./a//b\\c.pdf"), "a/b/c.pdf");
        assert_eq!(normalize("/abs/x"), "abs/x");
        assert!(is_dir_name("目录/"));
    }
}
