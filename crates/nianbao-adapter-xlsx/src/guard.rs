//! Zip-bomb guard: every part of an xlsx/ods package is inflated once with a hard cap before
//! calamine reads it, so a part that lies about its size fails here, not in memory. The plain
//! reader (`cells`) reads only the parts it needs: the others wait until calamine reads.
use nianbao_core::{ErrorKind, ExtractError, Limits};
use std::io::{Cursor, Read, Write};
use zip::{CompressionMethod, ZipArchive};

fn open(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, ExtractError> {
    ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ExtractError::corrupt(format!("not a valid spreadsheet package: {e}")))
}

fn too_large(message: String) -> ExtractError {
    ExtractError::new(ErrorKind::TooLarge, message)
}

/// What the guard saw of the parts while inflating them.
#[derive(Debug, Default, PartialEq)]
pub struct Seen {
    /// Whether some part may hold a formula (every part is looked at, wherever the workbook
    /// keeps its sheets). Reading a sheet's formulas is a whole extra parse of it, for a
    /// warning about formulas without a cached value; a workbook without any need not pay it.
    pub formulas: bool,
    /// Every part checked (folders aside), inflated, in package order, when they inflate to at
    /// most [`KEPT_MAX_BYTES`] together: the adapter reads the workbook from them without
    /// inflating anything a second time. `None` for a larger package, or one with a part name
    /// that does not decode or comes twice.
    pub parts: Option<Vec<Part>>,
    /// The entries left for [`check_deferred`].
    deferred: Vec<usize>,
}

/// One part of the package, inflated.
#[derive(Debug, PartialEq)]
pub struct Part {
    /// Its place among the package's entries.
    index: usize,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Largest package, inflated, kept in memory (larger ones are read from the original bytes,
/// inflating as they are read).
pub const KEPT_MAX_BYTES: u64 = 32 << 20;

/// Whether a part is one that only calamine reads, or none: the content types, the document
/// properties and the theme (calamine reads the theme's colours). Their inflating (a third of
/// an xlsx's inflated bytes, the theme alone a fifth) can wait until calamine is to read.
pub fn only_for_calamine(name: &str) -> bool {
    name == "[Content_Types].xml" || name.starts_with("docProps/") || name.contains("/theme/")
}

/// Checks declared sizes and ratios of every part, then the true inflated size of each part
/// but those `defer` picks, which are left for [`check_deferred`].
pub fn check_zip(
    bytes: &[u8],
    limits: &Limits,
    defer: fn(&str) -> bool,
) -> Result<Seen, ExtractError> {
    let mut check = Check::open(bytes, limits)?;
    let mut deferred = Vec::new();
    for i in 0..check.zip.len() {
        if !check.entry(i, defer)? {
            deferred.push(i);
        }
    }
    Ok(Seen {
        formulas: check.formulas,
        parts: check.kept,
        deferred,
    })
}

/// Checks (and keeps) the parts [`check_zip`] left for later, as it checks the others.
pub fn check_deferred(bytes: &[u8], limits: &Limits, seen: &mut Seen) -> Result<(), ExtractError> {
    if seen.deferred.is_empty() {
        return Ok(());
    }
    let mut check = Check::open(bytes, limits)?;
    check.formulas = seen.formulas;
    check.kept = seen.parts.take();
    check.kept_bytes = check
        .kept
        .iter()
        .flatten()
        .map(|p| p.bytes.len() as u64)
        .sum();
    for i in std::mem::take(&mut seen.deferred) {
        check.entry(i, |_| false)?;
    }
    seen.formulas = check.formulas;
    seen.parts = check.kept.map(|mut parts| {
        parts.sort_by_key(|p| p.index);
        parts
    });
    Ok(())
}

/// The package being checked, entry by entry.
struct Check<'a> {
    bytes: &'a [u8],
    zip: ZipArchive<Cursor<&'a [u8]>>,
    limits: &'a Limits,
    formulas: bool,
    kept: Option<Vec<Part>>,
    kept_bytes: u64,
}

impl<'a> Check<'a> {
    fn open(bytes: &'a [u8], limits: &'a Limits) -> Result<Check<'a>, ExtractError> {
        let zip = open(bytes)?;
        Ok(Check {
            bytes,
            kept: Some(Vec::with_capacity(zip.len())),
            zip,
            limits,
            formulas: false,
            kept_bytes: 0,
        })
    }

    /// Checks entry `i`; `false` when its inflating is deferred.
    fn entry(&mut self, i: usize, defer: fn(&str) -> bool) -> Result<bool, ExtractError> {
        let raw = self
            .zip
            .by_index_raw(i)
            .map_err(|e| ExtractError::corrupt(format!("damaged zip entry {i}: {e}")))?;
        let name = raw.name().map(|n| n.into_owned());
        let shown = name.clone().unwrap_or_default();
        check_declared(&shown, raw.size(), raw.compressed_size(), self.limits)?;
        if name.as_deref().is_ok_and(defer) {
            return Ok(false);
        }
        // A folder entry holds nothing the workbook reads; one whose name does not decode
        // cannot be looked up by name: neither is kept, and the others still are.
        let name = name.ok().filter(|_| !raw.is_dir());
        if raw.size() > KEPT_MAX_BYTES.saturating_sub(self.kept_bytes) {
            self.kept = None;
        }
        // Inflated whole, straight from the package bytes, when the part is an ordinary
        // deflated one that will be kept; otherwise streamed through the zip reader.
        let keep = self.kept.is_some();
        let direct = match (keep, raw.encrypted(), raw.compression(), raw.data_start()) {
            (true, false, CompressionMethod::Deflated, Some(start)) => {
                let data = nianbao_core::inflate::span(self.bytes, start, raw.compressed_size());
                data.map(|d| (d, raw.size(), raw.crc32()))
            }
            _ => None,
        };
        drop(raw);
        let part = match direct {
            Some((data, size, crc)) => {
                let part =
                    nianbao_core::inflate::zip_part(data, size as usize, crc).map_err(|e| {
                        ExtractError::corrupt(format!("cannot inflate part {shown}: {e}"))
                    })?;
                self.formulas = self.formulas || may_hold_formula(&part);
                Some(part)
            }
            None => stream_part(
                &mut self.zip,
                i,
                &shown,
                keep,
                &mut self.formulas,
                self.limits,
            )?,
        };
        match (&mut self.kept, part, name) {
            (Some(parts), Some(bytes), Some(name)) => {
                self.kept_bytes += bytes.len() as u64;
                if self.kept_bytes > KEPT_MAX_BYTES || parts.iter().any(|p| p.name == name) {
                    self.kept = None;
                } else {
                    parts.push(Part {
                        index: i,
                        name,
                        bytes,
                    });
                }
            }
            (Some(_), _, None) => {}
            _ => self.kept = None,
        }
        Ok(true)
    }
}

/// Reads part `i` through the zip reader in chunks, with the hard cap: its bytes when `keep`.
fn stream_part(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    i: usize,
    name: &str,
    keep: bool,
    formulas: &mut bool,
    limits: &Limits,
) -> Result<Option<Vec<u8>>, ExtractError> {
    let mut f = zip
        .by_index(i)
        .map_err(|e| ExtractError::corrupt(format!("damaged zip entry {i}: {e}")))?;
    let mut part = (&mut f).take(limits.max_part_bytes + 1);
    let mut kept = keep.then(Vec::new);
    let mut buf = vec![0u8; CHUNK];
    let mut n = 0u64;
    // The two bytes before each chunk, so that a tag split between chunks is seen.
    let mut carry = [0u8; 2];
    loop {
        let got = part
            .read(&mut buf[2..])
            .map_err(|e| ExtractError::corrupt(format!("cannot inflate part {name}: {e}")))?;
        if got == 0 {
            break;
        }
        n += got as u64;
        if let Some(kept) = &mut kept {
            kept.extend_from_slice(&buf[2..2 + got]);
        }
        if !*formulas {
            buf[..2].copy_from_slice(&carry);
            *formulas = may_hold_formula(&buf[..2 + got]);
            carry.copy_from_slice(&buf[got..got + 2]);
        }
    }
    if n > limits.max_part_bytes {
        return Err(too_large(format!(
            "part {name} inflates past the limit of {} bytes",
            limits.max_part_bytes
        )));
    }
    Ok(kept)
}

/// The package again with the kept parts stored uncompressed, for calamine to read without
/// inflating them a second time (a sheet, twice more). `None` if the zip writer refuses one.
pub fn stored_package(parts: &[Part]) -> Option<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for part in parts {
        zip.start_file(part.name.as_str(), options).ok()?;
        zip.write_all(&part.bytes).ok()?;
    }
    Some(zip.finish().ok()?.into_inner())
}

/// Bytes inflated at a time by [`check_zip`] (after two carried over).
const CHUNK: usize = 2 + (64 << 10);

/// Whether XML text may contain a formula element: `f` right after `<` or a namespace
/// prefix's `:`, followed by white space, `>` or `/` (`<f>`, `<f t="shared" …/>`, `<x:f>`).
/// It may say yes for other text; it never says no to a formula.
fn may_hold_formula(xml: &[u8]) -> bool {
    memchr::memchr_iter(b'f', xml).any(|i| {
        i > 0
            && matches!(xml[i - 1], b'<' | b':')
            && matches!(
                xml.get(i + 1),
                Some(b' ' | b'>' | b'/' | b'\t' | b'\n' | b'\r')
            )
    })
}

fn check_declared(name: &str, size: u64, packed: u64, limits: &Limits) -> Result<(), ExtractError> {
    if size > limits.max_part_bytes {
        return Err(too_large(format!(
            "part {name} declares {size} bytes uncompressed, over the limit of {}",
            limits.max_part_bytes
        )));
    }
    let ratio = size / packed.max(1);
    if ratio > limits.max_ratio.max(1) {
        return Err(too_large(format!(
            "part {name} expands {ratio}x, over the limit of {}x (zip bomb?)",
            limits.max_ratio
        )));
    }
    Ok(())
}

/// One part, read with the hard cap (after [`check_zip`]).
pub fn read_part(bytes: &[u8], name: &str, limits: &Limits) -> Result<Vec<u8>, ExtractError> {
    let mut zip = open(bytes)?;
    let mut f = zip
        .by_name(name)
        .map_err(|e| ExtractError::corrupt(format!("cannot open part {name}: {e}")))?;
    let mut out = Vec::new();
    (&mut f)
        .take(limits.max_part_bytes + 1)
        .read_to_end(&mut out)
        .map_err(|e| ExtractError::corrupt(format!("cannot read part {name}: {e}")))?;
    if out.len() as u64 > limits.max_part_bytes {
        return Err(too_large(format!(
            "part {name} inflates past the limit of {} bytes",
            limits.max_part_bytes
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_elements_are_seen_in_any_spelling() {
        for xml in [
            "<c r=\"B3\"><f>SUM(B1:B2)</f><v>3</v></c>",
            "<c><f t=\"shared\" ref=\"B3:B9\" si=\"0\"/></c>",
            "<c><f/></c>",
            "<x:c><x:f>A1</x:f></x:c>",
            "<c><f\n>A1</f></c>",
        ] {
            assert!(may_hold_formula(xml.as_bytes()), "{xml}");
        }
        for xml in [
            "<c r=\"B3\" t=\"s\"><v>12</v></c>",
            "<sheetFormatPr defaultRowHeight=\"15\"/><mergeCell ref=\"A1:B2\"/>",
            "<c><is><t>if formula</t></is></c>",
        ] {
            assert!(!may_hold_formula(xml.as_bytes()), "{xml}");
        }
    }

    /// A package of one part of `len` spaces, deflated.
    fn package_of(len: usize) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("xl/big.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&vec![b' '; len]).unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn parts_are_kept_up_to_the_cap_and_stored_again() {
        let limits = Limits {
            max_ratio: 1 << 20,
            ..Default::default()
        };
        let small = check_zip(&package_of(1000), &limits, |_| false).unwrap();
        let parts = small.parts.expect("a small package is kept");
        assert_eq!(parts.len(), 1);
        assert_eq!(
            (&parts[0].name[..], &parts[0].bytes),
            ("xl/big.xml", &vec![b' '; 1000])
        );
        let stored = stored_package(&parts).unwrap();
        let mut copy = ZipArchive::new(Cursor::new(&stored[..])).unwrap();
        let mut part = copy.by_name("xl/big.xml").unwrap();
        assert_eq!(part.compression(), CompressionMethod::Stored);
        let mut text = Vec::new();
        part.read_to_end(&mut text).unwrap();
        assert_eq!(text, vec![b' '; 1000]);
        let large = check_zip(&package_of(KEPT_MAX_BYTES as usize + 1), &limits, |_| false);
        let large = large.unwrap();
        assert_eq!(large.parts, None, "checked, but not kept");
    }

    #[test]
    fn folder_entries_are_checked_but_not_kept() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.add_directory("xl/", options).unwrap();
        zip.start_file("xl/workbook.xml", options).unwrap();
        zip.write_all(b"<w/>").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let seen = check_zip(&bytes, &Limits::default(), |_| false).unwrap();
        let parts = seen.parts.expect("the other parts are kept");
        let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["xl/workbook.xml"]);
    }

    #[test]
    fn deferred_parts_are_checked_when_calamine_is_to_read() {
        // The theme comes first but is inflated last, into its place; a damaged one fails then.
        let package = |theme: &[u8]| {
            let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for (name, text) in [("xl/theme/theme1.xml", theme), ("xl/workbook.xml", b"<w/>")] {
                zip.start_file(name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                zip.write_all(text).unwrap();
            }
            zip.finish().unwrap().into_inner()
        };
        let limits = Limits::default();
        let bytes = package(b"<theme/>");
        let mut seen = check_zip(&bytes, &limits, only_for_calamine).unwrap();
        let names = |seen: &Seen| -> Vec<String> {
            seen.parts
                .iter()
                .flatten()
                .map(|p| p.name.clone())
                .collect()
        };
        assert_eq!(names(&seen), ["xl/workbook.xml"]);
        check_deferred(&bytes, &limits, &mut seen).unwrap();
        assert_eq!(names(&seen), ["xl/theme/theme1.xml", "xl/workbook.xml"]);
        let mut damaged = package(&[b'x'; 4000]);
        let at = damaged.windows(4).position(|w| w == b"PK\x03\x04").unwrap() + 30;
        damaged[at + 25..at + 35].fill(0xff);
        let mut seen = check_zip(&damaged, &limits, only_for_calamine).unwrap();
        let err = check_deferred(&damaged, &limits, &mut seen).unwrap_err();
        assert!(
            err.message
                .starts_with("cannot inflate part xl/theme/theme1.xml"),
            "{err:?}"
        );
        assert!(check_zip(&damaged, &limits, |_| false).is_err());
    }

    #[test]
    fn a_part_that_lies_about_its_size_fails_as_the_zip_reader_says() {
        // The declared size in both headers is cut to 100 bytes of the 1000 the part holds.
        let mut bytes = package_of(1000);
        let at = |b: &[u8], sig: &[u8]| b.windows(4).position(|w| w == sig).unwrap();
        let local = at(&bytes, b"PK\x03\x04");
        bytes[local + 22..local + 26].copy_from_slice(&100u32.to_le_bytes());
        let central = at(&bytes, b"PK\x01\x02");
        bytes[central + 24..central + 28].copy_from_slice(&100u32.to_le_bytes());
        let limits = Limits {
            max_ratio: 1 << 20,
            ..Default::default()
        };
        let err = check_zip(&bytes, &limits, |_| false).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Corrupt);
        assert_eq!(
            err.message,
            "cannot inflate part xl/big.xml: File is larger than its declared uncompressed size"
        );
    }

    #[test]
    fn declared_sizes_and_ratios() {
        let limits = Limits {
            max_part_bytes: 1000,
            max_ratio: 100,
            ..Default::default()
        };
        assert!(check_declared("a", 900, 100, &limits).is_ok());
        assert_eq!(
            check_declared("a", 1001, 900, &limits).unwrap_err().kind,
            ErrorKind::TooLarge
        );
        assert_eq!(
            check_declared("a", 1000, 5, &limits).unwrap_err().kind,
            ErrorKind::TooLarge
        );
    }
}
