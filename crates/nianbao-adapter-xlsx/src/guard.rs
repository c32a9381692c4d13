//! Zip-bomb guard: every part of an xlsx/ods package is checked against the size and ratio
//! limits from what the zip directory declares, before calamine reads anything. The zip reader
//! calamine reads through stops a part that inflates past its declared size (and checks its
//! CRC-32 at its end), so a part that lies about its size fails there, never in memory.
//!
//! The package the guard opened is handed back, so that the parts read besides calamine (an
//! ODS's `content.xml`, the title property) come from the zip directory parsed once here.
use nianbao_core::{ErrorKind, ExtractError, Limits};
use std::io::{Cursor, Read};
use zip::ZipArchive;

/// A spreadsheet package whose zip directory has been read.
pub type Package<'a> = ZipArchive<Cursor<&'a [u8]>>;

fn open(bytes: &[u8]) -> Result<Package<'_>, ExtractError> {
    ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ExtractError::corrupt(format!("not a valid spreadsheet package: {e}")))
}

fn too_large(message: String) -> ExtractError {
    ExtractError::new(ErrorKind::TooLarge, message)
}

/// Checks the declared size and ratio of every part; the package, when they pass.
pub fn check_zip<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Package<'a>, ExtractError> {
    let mut zip = open(bytes)?;
    for i in 0..zip.len() {
        let raw = zip
            .by_index_raw(i)
            .map_err(|e| ExtractError::corrupt(format!("damaged zip entry {i}: {e}")))?;
        let name = raw.name().map(|n| n.into_owned()).unwrap_or_default();
        check_declared(&name, raw.size(), raw.compressed_size(), limits)?;
    }
    Ok(zip)
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

/// One part of a package [`check_zip`] passed, read with the hard cap.
pub fn read_part(zip: &mut Package, name: &str, limits: &Limits) -> Result<Vec<u8>, ExtractError> {
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
