//! Zip-bomb guard: every part of an xlsx/ods package is inflated once with a hard cap before
//! calamine reads it, so a part that lies about its size fails here, not in memory.
use nianbao_core::{ErrorKind, ExtractError, Limits};
use std::io::{Cursor, Read, Write};
use zip::ZipArchive;

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
    /// The same package with every part stored uncompressed, when its parts inflate to at most
    /// [`STORED_MAX_BYTES`] together. calamine reads the workbook's parts from it without
    /// inflating them a second time (a sheet, twice more): inflating was a quarter of an xlsx's
    /// time. `None` for a larger package, or one whose part names cannot be written back.
    pub stored: Option<Vec<u8>>,
}

/// Largest package, inflated, kept in memory as a stored copy (larger ones are read from the
/// original bytes, inflating as before).
pub const STORED_MAX_BYTES: u64 = 32 << 20;

/// Checks declared sizes and ratios, then the true inflated size of every part.
pub fn check_zip(bytes: &[u8], limits: &Limits) -> Result<Seen, ExtractError> {
    let mut zip = open(bytes)?;
    let mut formulas = false;
    let mut stored = StoredCopy::new();
    let mut buf = vec![0u8; CHUNK];
    for i in 0..zip.len() {
        let mut f = zip
            .by_index(i)
            .map_err(|e| ExtractError::corrupt(format!("damaged zip entry {i}: {e}")))?;
        let name = f.name().map(|n| n.into_owned()).unwrap_or_default();
        check_declared(&name, f.size(), f.compressed_size(), limits)?;
        // A folder entry holds nothing calamine reads; one whose name does not decode cannot
        // be looked up by name, so it is not copied either.
        let copied = !f.is_dir() && f.name().is_ok();
        if copied {
            stored.start(&name);
        }
        let mut part = (&mut f).take(limits.max_part_bytes + 1);
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
            if copied {
                stored.write(&buf[2..2 + got]);
            }
            if !formulas {
                buf[..2].copy_from_slice(&carry);
                formulas = may_hold_formula(&buf[..2 + got]);
                carry.copy_from_slice(&buf[got..got + 2]);
            }
        }
        if n > limits.max_part_bytes {
            return Err(too_large(format!(
                "part {name} inflates past the limit of {} bytes",
                limits.max_part_bytes
            )));
        }
    }
    Ok(Seen {
        formulas,
        stored: stored.finish(),
    })
}

/// The package being written again with its parts stored. A step that fails (too large, or
/// a name the zip writer refuses) abandons the copy, and the check goes on without it.
struct StoredCopy {
    /// `None` once abandoned.
    zip: Option<zip::ZipWriter<Cursor<Vec<u8>>>>,
    bytes: u64,
}

impl StoredCopy {
    fn new() -> StoredCopy {
        StoredCopy {
            zip: Some(zip::ZipWriter::new(Cursor::new(Vec::new()))),
            bytes: 0,
        }
    }

    fn start(&mut self, name: &str) {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        if let Some(zip) = &mut self.zip {
            if zip.start_file(name, options).is_err() {
                self.zip = None;
            }
        }
    }

    fn write(&mut self, data: &[u8]) {
        self.bytes += data.len() as u64;
        let fits = self.bytes <= STORED_MAX_BYTES;
        if let Some(zip) = &mut self.zip {
            if !fits || zip.write_all(data).is_err() {
                self.zip = None;
            }
        }
    }

    fn finish(self) -> Option<Vec<u8>> {
        Some(self.zip?.finish().ok()?.into_inner())
    }
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
    fn a_stored_copy_holds_the_parts_up_to_its_cap() {
        let limits = Limits {
            max_ratio: 1 << 20,
            ..Default::default()
        };
        let small = check_zip(&package_of(1000), &limits).unwrap();
        let stored = small.stored.expect("a small package is copied");
        let mut copy = ZipArchive::new(Cursor::new(&stored[..])).unwrap();
        let mut part = copy.by_name("xl/big.xml").unwrap();
        assert_eq!(part.compression(), zip::CompressionMethod::Stored);
        let mut text = Vec::new();
        part.read_to_end(&mut text).unwrap();
        assert_eq!(text, vec![b' '; 1000]);
        let large = check_zip(&package_of(STORED_MAX_BYTES as usize + 1), &limits).unwrap();
        assert_eq!(large.stored, None, "checked, but not copied");
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
