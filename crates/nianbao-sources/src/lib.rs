//! Turns nianbao's inputs — files, folders, archives — into a lazy stream of documents to
//! convert, expanding archives safely.
//!
//! Every file is accounted for: each document, each archive member that is not a report (a
//! `说明.txt`, an image), and each failure (a damaged archive, a member over a limit, an
//! unreadable file) comes out as one [`Item`]. Directories are not items. One bad file never
//! costs another file's result.
//!
//! * Archives are recognised by their bytes, never their extension: zip (GBK or UTF-8 member
//!   names, decided per entry; zip64), tar, tar.gz/.tgz, single-file gzip and 7z, nested to
//!   [`Limits::max_depth`]. A zip holding `[Content_Types].xml`, `mimetype` or `OFD.xml` is a
//!   document (DOCX, XLSX, ODT, EPUB, OFD…) and is yielded whole. RAR is recognised and failed
//!   with instructions to unpack it.
//! * Member paths read `outer.zip!/目录/inner.zip!/报告.docx`. Every entry is a member: when an
//!   archive holds several entries with one name, the second reads `报告.docx#2`, the third `#3`.
//!   Zip entries whose bytes overlap another's (the overlapping zip bomb) are `too_large`.
//! * Page images of one report (`报告-1.jpg`, `报告-2.jpg`, … with no page missing) are one
//!   item, at the path `报告-{1..n}.jpg`, whose bytes are a [`nianbao_core::pages`] container
//!   of the pages in order; a lone page or a gap keeps an item per file.
//! * Order is deterministic: inputs as given, folder entries and archive members sorted by
//!   name, nested archives expanded in place.
//! * Memory stays flat: one document at a time; an archive on disk is read through its file;
//!   nested archives and front-to-back formats (tar.gz, 7z) are spooled to memory when small
//!   and to an unnamed temporary file when large.
//!
//! ```no_run
//! use nianbao_sources::{walk, Limits};
//! for item in walk(&["reports.zip".into()], &Limits::default()) {
//!     match item.data {
//!         Ok(bytes) => println!("{}: {} bytes", item.path, bytes.len()),
//!         Err(e) => println!("{}: {e}", item.path),
//!     }
//! }
//! ```

mod capped;
mod detect;
mod disk_file;
mod limits;
mod members;
mod names;
mod pages;
mod spool;
mod stream_source;
mod walk;
mod zip_source;

pub use disk_file::DiskFile;
pub use limits::{Limits, RATIO_GRACE_BYTES};
pub use walk::{Found, Walk};

use nianbao_core::ExtractError;
use std::io::BufRead;
use std::path::PathBuf;

/// One thing to convert, or one thing that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Display path: the input path as given (joined with folder entries), then `!/member`
    /// for each archive level, e.g. `in/outer.zip!/目录/inner.zip!/报告.docx`.
    pub path: String,
    /// The document's bytes (never empty), or why there are none:
    /// `io` (unreadable file), `empty` (0 bytes, or an archive with no files), `corrupt`
    /// (a damaged archive — its own item — or member), `encrypted`, `too_large` (a limit of
    /// [`Limits`]; the message names it), `unsupported_format` (RAR, xz, …).
    pub data: Result<Vec<u8>, ExtractError>,
}

/// Walks `inputs` lazily: each path is a file or a folder (walked recursively, sorted by name,
/// symlink loops cut); archives found anywhere are expanded in place.
pub fn walk(inputs: &[PathBuf], limits: &Limits) -> Walk {
    Walk::new(inputs.to_vec(), limits)
}

/// Reads input paths one per line (`nianbao convert -` with paths on stdin). Blank lines are
/// skipped; a trailing `\r` is removed; reading stops at the first read error.
pub fn paths_from_reader(reader: impl BufRead) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for line in reader.split(b'\n') {
        let Ok(mut line) = line else { break };
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        paths.push(bytes_to_path(line));
    }
    paths
}

/// A path from its bytes as the OS holds them (on Unix any bytes, such as a GBK file name;
/// elsewhere UTF-8, lossily).
#[cfg(unix)]
pub fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

/// A path from its bytes (UTF-8, lossily, off Unix).
#[cfg(not(unix))]
pub fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

/// Whether `bytes` begin as a zip whose central directory cannot be read (a truncated or
/// damaged DOCX, XLSX…): such a file is `corrupt`, not a format nianbao does not read.
pub fn is_damaged_zip(bytes: &[u8]) -> bool {
    nianbao_core::sniff::is_zip(bytes) && zip::ZipArchive::new(std::io::Cursor::new(bytes)).is_err()
}

/// Lower-case hex SHA-256 of `bytes` (for `source.sha256`).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest.iter() {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn paths_one_per_line() {
        let input = "a/报告.pdf\r\n\n  \nb c.docx\n".as_bytes();
        assert_eq!(
            paths_from_reader(input),
            vec![PathBuf::from("a/报告.pdf"), PathBuf::from("b c.docx")]
        );
    }
}
