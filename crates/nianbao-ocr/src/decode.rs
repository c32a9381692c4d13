//! Page images into 8-bit grayscale: image files (JPEG, PNG, multi-page TIFF) and the raw
//! encodings scanners put into PDFs (CCITT G3/G4, 1/8-bit gray and RGB samples).
use image::{GrayImage, ImageFormat};
use std::io::Cursor;

/// Largest page image accepted, in pixels (A3 at 600 dpi is about 70 million).
pub const MAX_PIXELS: u64 = 80_000_000;

/// The image file format of these bytes, if it is one we read as a page.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some(ImageFormat::Tiff)
    } else {
        None
    }
}

/// Every page of an image file: one for JPEG and PNG, one per directory for TIFF; a TIFF of
/// more than `max_pages` pages is refused before its later pages are decoded.
pub fn pages(bytes: &[u8], max_pages: usize) -> Result<Vec<GrayImage>, String> {
    match sniff(bytes) {
        Some(ImageFormat::Tiff) => tiff_pages(bytes, max_pages),
        Some(format) => Ok(vec![one(bytes, format)?]),
        None => Err("not a JPEG, PNG or TIFF image".into()),
    }
}

/// A JPEG image (a PDF's `/DCTDecode` stream) as grayscale.
pub fn jpeg(bytes: &[u8]) -> Result<GrayImage, String> {
    one(bytes, ImageFormat::Jpeg)
}

/// One image in a known format, as grayscale.
pub fn one(bytes: &[u8], format: ImageFormat) -> Result<GrayImage, String> {
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| format!("unreadable {format:?} image: {e}"))?;
    Ok(img.to_luma8())
}

fn tiff_pages(bytes: &[u8], max_pages: usize) -> Result<Vec<GrayImage>, String> {
    // The `image` crate reads a TIFF's first page only; the `tiff` crate under it walks the
    // directories (pages).
    let mut out = Vec::new();
    let mut dec = tiff::decoder::Decoder::new(Cursor::new(bytes))
        .map_err(|e| format!("unreadable TIFF: {e}"))?;
    loop {
        let (w, h) = dec
            .dimensions()
            .map_err(|e| format!("unreadable TIFF page {}: {e}", out.len() + 1))?;
        if u64::from(w) * u64::from(h) > MAX_PIXELS {
            return Err(format!(
                "TIFF page {} is {w}×{h} pixels, too large",
                out.len() + 1
            ));
        }
        let color = dec
            .colortype()
            .map_err(|e| format!("TIFF page {}: {e}", out.len() + 1))?;
        let data = dec
            .read_image()
            .map_err(|e| format!("unreadable TIFF page {}: {e}", out.len() + 1))?;
        // (The tiff crate already turns WhiteIsZero pages, as fax software writes, the right
        // way round.)
        let page = tiff_gray(w, h, color, data).ok_or_else(|| {
            format!(
                "TIFF page {}: colour type {color:?} is not supported",
                out.len() + 1
            )
        })?;
        out.push(page);
        if !dec.more_images() {
            break;
        }
        if out.len() >= max_pages {
            return Err(format!("a TIFF of more than {max_pages} pages"));
        }
        dec.next_image()
            .map_err(|e| format!("unreadable TIFF page {}: {e}", out.len() + 1))?;
    }
    Ok(out)
}

fn tiff_gray(
    w: u32,
    h: u32,
    color: tiff::ColorType,
    data: tiff::decoder::DecodingResult,
) -> Option<GrayImage> {
    use tiff::decoder::DecodingResult as D;
    use tiff::ColorType as C;
    let n = (w as usize) * (h as usize);
    let px: Vec<u8> = match (color, data) {
        (C::Gray(8), D::U8(v)) => v,
        (C::Gray(1), D::U8(v)) => unpack_bits(&v, w, h, false),
        (C::Gray(16), D::U16(v)) => v.iter().map(|p| (p >> 8) as u8).collect(),
        (C::RGB(8), D::U8(v)) => v.chunks_exact(3).map(|p| luma(p[0], p[1], p[2])).collect(),
        (C::RGBA(8), D::U8(v)) => v.chunks_exact(4).map(|p| luma(p[0], p[1], p[2])).collect(),
        _ => return None,
    };
    if px.len() < n {
        return None;
    }
    GrayImage::from_raw(w, h, px[..n].to_vec())
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000) as u8
}

/// 1-bit rows (each padded to a byte) into gray; `one_is_black` for PDF image masks and
/// `/Decode [1 0]`.
pub fn unpack_bits(data: &[u8], w: u32, h: u32, one_is_black: bool) -> Vec<u8> {
    let stride = (w as usize).div_ceil(8);
    let mut out = Vec::with_capacity(w as usize * h as usize);
    for y in 0..h as usize {
        for x in 0..w as usize {
            let bit = data
                .get(y * stride + x / 8)
                .is_some_and(|b| b & (0x80 >> (x % 8)) != 0);
            out.push(if bit != one_is_black { 255 } else { 0 });
        }
    }
    out
}

/// Raw PDF image samples (after Flate and predictors) into gray.
pub fn raw_samples(
    data: &[u8],
    w: u32,
    h: u32,
    bits: u32,
    components: u32,
    invert: bool,
) -> Result<GrayImage, String> {
    if u64::from(w) * u64::from(h) > MAX_PIXELS || w == 0 || h == 0 {
        return Err(format!("image of {w}×{h} pixels is out of range"));
    }
    let n = w as usize * h as usize;
    let mut px: Vec<u8> = match (bits, components) {
        (1, 1) => unpack_bits(data, w, h, false),
        (8, 1) => data.get(..n).ok_or("image data too short")?.to_vec(),
        (8, 3) => data
            .get(..n * 3)
            .ok_or("image data too short")?
            .chunks_exact(3)
            .map(|p| luma(p[0], p[1], p[2]))
            .collect(),
        (8, 4) => data
            .get(..n * 4)
            .ok_or("image data too short")?
            .chunks_exact(4)
            .map(|p| {
                255 - ((u32::from(p[3]) + (u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2])) / 3)
                    .min(255) as u8)
            })
            .collect(),
        _ => {
            return Err(format!(
                "image samples of {bits} bit(s) × {components} component(s) are not supported"
            ))
        }
    };
    if px.len() < n {
        return Err("image data too short".into());
    }
    if invert {
        px.iter_mut().for_each(|p| *p = 255 - *p);
    }
    GrayImage::from_raw(w, h, px).ok_or_else(|| "image data too short".into())
}

/// CCITT fax data (`/CCITTFaxDecode`): `k < 0` is Group 4, `k == 0` Group 3 one-dimensional.
pub fn ccitt(data: &[u8], w: u32, h: u32, k: i64, black_is_1: bool) -> Result<GrayImage, String> {
    if w == 0 || w > u32::from(u16::MAX) || h > u32::from(u16::MAX) {
        return Err(format!("CCITT image of {w}×{h} pixels is out of range"));
    }
    let width = w as u16;
    let mut px: Vec<u8> = Vec::with_capacity(w as usize * h as usize);
    let mut rows = 0u32;
    let mut line = |t: &[u16]| {
        if rows < h {
            px.extend(fax::decoder::pels(t, width).map(|c| match c {
                fax::Color::Black => 0u8,
                fax::Color::White => 255u8,
            }));
            rows += 1;
        }
    };
    let ok = if k < 0 {
        fax::decoder::decode_g4(data.iter().copied(), width, Some(h as u16), &mut line)
    } else if k == 0 {
        fax::decoder::decode_g3(data.iter().copied(), &mut line)
    } else {
        return Err("CCITT Group 3 two-dimensional (K > 0) images are not supported".into());
    };
    if ok.is_none() && rows == 0 {
        return Err("unreadable CCITT fax image".into());
    }
    px.resize(w as usize * h as usize, 255);
    if black_is_1 {
        px.iter_mut().for_each(|p| *p = 255 - *p);
    }
    GrayImage::from_raw(w, h, px).ok_or_else(|| "unreadable CCITT fax image".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../../fixtures/scan/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn every_page_of_a_group4_tiff() {
        let all = pages(&fixture("qingshan-2020-scan200.tif"), 4).unwrap();
        assert_eq!(all.len(), 4);
        assert!(pages(&fixture("qingshan-2020-scan200.tif"), 3).is_err());
        for p in &all {
            assert_eq!(p.dimensions(), (1654, 2339));
            // 1-bit pages: only black and white, mostly white.
            let black = p.as_raw().iter().filter(|&&v| v == 0).count();
            assert!(p.as_raw().iter().all(|&v| v == 0 || v == 255));
            assert!(black > 1000 && black < p.as_raw().len() / 5, "{black}");
        }
    }

    #[test]
    fn a_png_page() {
        let one = pages(&fixture("donghu-2021-page1.png"), 1).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].dimensions(), (1654, 2339));
        assert!(pages(b"GIF89a", 1).is_err());
    }

    #[test]
    fn bits_and_ccitt_rows() {
        // 0b1010_0000: white, black, white, black (0 is black in a gray image).
        assert_eq!(unpack_bits(&[0b1010_0000], 4, 1, false), [255, 0, 255, 0]);
        assert_eq!(unpack_bits(&[0b1010_0000], 4, 1, true), [0, 255, 0, 255]);
        assert!(ccitt(&[], 0, 1, -1, false).is_err());
        assert!(ccitt(&[0], 8, 1, 1, false)
            .unwrap_err()
            .contains("not supported"));
    }
}
