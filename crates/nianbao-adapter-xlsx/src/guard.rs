//! Zip-bomb guard: every part of an xlsx/ods package is checked against the size and ratio
//! limits and inflated once with a hard cap before calamine reads it, so a part that lies about
//! its size fails here, not in memory.
use nianbao_core::{ErrorKind, ExtractError, Limits};
use std::io::{Cursor, Read};
use zip::{CompressionMethod, ZipArchive};

fn open(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, ExtractError> {
    ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ExtractError::corrupt(format!("not a valid spreadsheet package: {e}")))
}

fn too_large(message: String) -> ExtractError {
    ExtractError::new(ErrorKind::TooLarge, message)
}

/// Checks the declared size and ratio of every part, then its true inflated size.
pub fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), ExtractError> {
    let mut zip = open(bytes)?;
    for i in 0..zip.len() {
        let raw = zip
            .by_index_raw(i)
            .map_err(|e| ExtractError::corrupt(format!("damaged zip entry {i}: {e}")))?;
        let name = raw.name().map(|n| n.into_owned()).unwrap_or_default();
        check_declared(&name, raw.size(), raw.compressed_size(), limits)?;
        // An ordinary deflated part is inflated in one pass straight from the package bytes
        // (with the zip reader's errors); any other is streamed through the zip reader.
        let direct = match (raw.encrypted(), raw.compression(), raw.data_start()) {
            (false, CompressionMethod::Deflated, Some(start)) => {
                let data = nianbao_core::inflate::span(bytes, start, raw.compressed_size());
                data.map(|d| (d, raw.size(), raw.crc32()))
            }
            _ => None,
        };
        drop(raw);
        match direct {
            Some((data, size, crc)) => {
                nianbao_core::inflate::zip_part(data, size as usize, crc).map_err(|e| {
                    ExtractError::corrupt(format!("cannot inflate part {name}: {e}"))
                })?;
            }
            None => stream_part(&mut zip, i, &name, limits)?,
        }
    }
    Ok(())
}

/// Reads part `i` through the zip reader in chunks, with the hard cap.
fn stream_part(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    i: usize,
    name: &str,
    limits: &Limits,
) -> Result<(), ExtractError> {
    let mut f = zip
        .by_index(i)
        .map_err(|e| ExtractError::corrupt(format!("damaged zip entry {i}: {e}")))?;
    let n = std::io::copy(
        &mut (&mut f).take(limits.max_part_bytes + 1),
        &mut std::io::sink(),
    )
    .map_err(|e| ExtractError::corrupt(format!("cannot inflate part {name}: {e}")))?;
    if n > limits.max_part_bytes {
        return Err(too_large(format!(
            "part {name} inflates past the limit of {} bytes",
            limits.max_part_bytes
        )));
    }
    Ok(())
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
    use std::io::Write;

    /// A package of one part of `len` spaces, deflated.
    fn package_of(len: usize) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("xl/big.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&vec![b' '; len]).unwrap();
        zip.finish().unwrap().into_inner()
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
        let err = check_zip(&bytes, &limits).unwrap_err();
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
