//! Several page image files of one report (`报告-1.jpg`, `报告-2.jpg` …) handed to the adapters
//! as one document: the walk joins them (`nianbao-sources`), the image adapter reads every page.
//!
//! The container is `NBPAGES1`, the number of pages as a little-endian `u32`, each page's
//! length as a little-endian `u64`, then the pages' bytes one after the other, in page order.
//! Its size is therefore the pages' sizes plus `12 + 8 × pages` bytes, and its SHA-256 (the
//! record's `source.sha256`) depends only on the pages' bytes and their order.

/// The first bytes of a page container.
pub const MAGIC: &[u8; 8] = b"NBPAGES1";

/// Whether the bytes begin as a JPEG, PNG or TIFF image: the page images a report is scanned
/// to.
pub fn is_page_image(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        || bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
}

/// Whether the bytes are a page container (by their first bytes; [`unpack`] checks the rest).
pub fn is_container(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// The container holding `pages` in order.
pub fn pack(pages: &[Vec<u8>]) -> Vec<u8> {
    let data: usize = pages.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(12 + 8 * pages.len() + data);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(pages.len() as u32).to_le_bytes());
    for p in pages {
        out.extend_from_slice(&(p.len() as u64).to_le_bytes());
    }
    for p in pages {
        out.extend_from_slice(p);
    }
    out
}

/// The pages of a container, or why it is damaged (a length that runs past its end, bytes
/// left over).
pub fn unpack(bytes: &[u8]) -> Result<Vec<&[u8]>, String> {
    let rest = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or("not a page container")?;
    let (count, mut rest) = rest
        .split_first_chunk::<4>()
        .ok_or("page container cut short")?;
    let count = u32::from_le_bytes(*count) as usize;
    if count.saturating_mul(8) > rest.len() {
        return Err(format!("page container of {count} pages cut short"));
    }
    let mut lens = Vec::with_capacity(count);
    for _ in 0..count {
        let (len, after) = rest.split_first_chunk::<8>().expect("length checked above");
        lens.push(u64::from_le_bytes(*len));
        rest = after;
    }
    let mut pages = Vec::with_capacity(count);
    for (i, len) in lens.into_iter().enumerate() {
        let len = usize::try_from(len)
            .ok()
            .filter(|&n| n <= rest.len())
            .ok_or_else(|| format!("page container cut short in page {}", i + 1))?;
        let (page, after) = rest.split_at(len);
        pages.push(page);
        rest = after;
    }
    if !rest.is_empty() {
        return Err(format!(
            "page container has {} bytes after its last page",
            rest.len()
        ));
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_come_back_in_order() {
        let pages = vec![b"\xFF\xD8\xFFone".to_vec(), b"two!".to_vec(), Vec::new()];
        let packed = pack(&pages);
        assert_eq!(packed.len(), 12 + 8 * 3 + 6 + 4);
        assert!(is_container(&packed));
        let back = unpack(&packed).unwrap();
        assert_eq!(back, vec![&b"\xFF\xD8\xFFone"[..], b"two!", b""]);
    }

    #[test]
    fn a_damaged_container_is_an_error_not_a_panic() {
        let packed = pack(&[b"abc".to_vec(), b"defg".to_vec()]);
        for cut in 0..packed.len() {
            assert!(unpack(&packed[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = packed.clone();
        longer.push(0);
        assert!(unpack(&longer).unwrap_err().contains("after its last page"));
        let mut huge = packed;
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(unpack(&huge).is_err());
    }

    #[test]
    fn page_images_by_their_first_bytes() {
        assert!(is_page_image(b"\xFF\xD8\xFF\xE0"));
        assert!(is_page_image(b"\x89PNG\r\n\x1a\n...."));
        assert!(is_page_image(b"II*\0"));
        assert!(is_page_image(b"MM\0*"));
        assert!(!is_page_image(b"%PDF-1.7"));
        assert!(!is_page_image(MAGIC));
    }
}
