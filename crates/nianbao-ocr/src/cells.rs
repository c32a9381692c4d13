//! Table cells read one by one: each cell's ink is cut out (without its borders) and stacked
//! with the others into one composite image per pass. The Chinese pass reads every cell; cells
//! it reads as a number are read again digits-only by the English model, and a number is kept
//! only when both readings agree with good confidence.
use crate::tesseract::{self, Pass, Word};
use crate::Rect;
use image::GrayImage;
use std::time::Instant;

/// What one cell says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CellText {
    /// The text; empty for a blank cell and for a number that was not read with certainty.
    pub text: String,
    /// Lowest word confidence (0–100) of the reading kept; `None` for a blank cell.
    pub conf: Option<f32>,
    /// Why a number was left out, naming what each reading saw.
    pub doubt: Option<String>,
}

/// Lowest digits-pass word confidence at which a number is kept.
pub const MIN_DIGIT_CONF: f32 = 60.0;

/// A cell's ink, cut out of the page: `None` when the cell is blank.
fn cut(img: &GrayImage, ink: u8, r: Rect, dpi: f32) -> Option<GrayImage> {
    // Just past the rule's ink: text in a one-line row comes within a few pixels of it.
    let inset = (dpi / 100.0).max(2.0) as u32;
    let (w, h) = img.dimensions();
    let x0 = (r.x0 + inset).min(w);
    let y0 = (r.y0 + inset).min(h);
    let x1 = r.x1.saturating_sub(inset).min(w);
    let y1 = r.y1.saturating_sub(inset).min(h);
    if x1 <= x0 + 2 || y1 <= y0 + 2 {
        return None;
    }
    let (cw, ch) = (x1 - x0, y1 - y0);
    let mut crop = image::imageops::crop_imm(img, x0, y0, cw, ch).to_image();
    // A border that leaked in (a thick or slightly tilted rule) is a row or column almost all
    // ink: whitened so it is neither read nor counted as content.
    for y in 0..ch {
        let dark = (0..cw).filter(|&x| crop.get_pixel(x, y).0[0] < ink).count() as u32;
        if dark * 10 >= cw * 7 {
            (0..cw).for_each(|x| crop.put_pixel(x, y, image::Luma([255])));
        }
    }
    for x in 0..cw {
        let dark = (0..ch).filter(|&y| crop.get_pixel(x, y).0[0] < ink).count() as u32;
        if dark * 10 >= ch * 7 {
            (0..ch).for_each(|y| crop.put_pixel(x, y, image::Luma([255])));
        }
    }
    let (mut bx0, mut by0, mut bx1, mut by1, mut n) = (cw, ch, 0, 0, 0u32);
    for (x, y, p) in crop.enumerate_pixels() {
        if p.0[0] < ink {
            n += 1;
            bx0 = bx0.min(x);
            by0 = by0.min(y);
            bx1 = bx1.max(x + 1);
            by1 = by1.max(y + 1);
        }
    }
    // Specks of scanner noise are not content: a digit's stroke at 100 dpi is still dozens
    // of pixels.
    let min_ink = ((dpi / 25.0) * (dpi / 25.0)).max(12.0) as u32;
    if n < min_ink || by1 - by0 < (dpi / 30.0) as u32 {
        return None;
    }
    Some(image::imageops::crop_imm(&crop, bx0, by0, bx1 - bx0, by1 - by0).to_image())
}

/// Stacks cut-out cells into one image; returns it and each piece's row band.
fn stack(pieces: &[&GrayImage], dpi: f32) -> (GrayImage, Vec<(u32, u32)>) {
    let pad = (dpi / 12.0).max(10.0) as u32;
    let w = pieces.iter().map(|p| p.width()).max().unwrap_or(1) + 2 * pad;
    let h = pieces.iter().map(|p| p.height() + pad).sum::<u32>() + pad;
    let mut out = GrayImage::from_pixel(w, h, image::Luma([255]));
    let mut bands = Vec::new();
    let mut y = pad;
    for p in pieces {
        image::imageops::replace(&mut out, *p, i64::from(pad), i64::from(y));
        bands.push((y.saturating_sub(pad / 2), y + p.height() + pad / 2));
        y += p.height() + pad;
    }
    (out, bands)
}

/// The words that fall in each band, in Tesseract's reading order.
fn by_band(words: Vec<Word>, bands: &[(u32, u32)]) -> Vec<Vec<Word>> {
    let mut out = vec![Vec::new(); bands.len()];
    for w in words {
        let cy = (w.rect.y0 + w.rect.y1) / 2;
        if let Some(i) = bands.iter().position(|&(a, b)| cy >= a && cy < b) {
            out[i].push(w);
        }
    }
    out
}

fn is_han(c: char) -> bool {
    ('\u{3400}'..='\u{9fff}').contains(&c)
}

/// A Chinese-pass reading that may be a number: no Chinese character, mostly digits or
/// their look-alikes.
fn number_like(text: &str) -> bool {
    !text.is_empty()
        && !text.chars().any(is_han)
        && text
            .chars()
            .filter(|c| c.is_ascii_digit())
            .count()
            * 2
            >= text.chars().count()
}

fn lowest(words: &[Word]) -> Option<f32> {
    words.iter().map(|w| w.conf).reduce(f32::min)
}

/// Reads the cells `rects` (pixels of the straightened page `img`, ink below `ink`, scanned
/// at `dpi`).
pub fn read(
    img: &GrayImage,
    ink: u8,
    dpi: f32,
    rects: &[Rect],
    deadline: Instant,
) -> Result<Vec<CellText>, String> {
    let mut out = vec![CellText::default(); rects.len()];
    let cuts: Vec<Option<GrayImage>> = rects.iter().map(|r| cut(img, ink, *r, dpi)).collect();
    let inked: Vec<usize> = (0..rects.len()).filter(|&i| cuts[i].is_some()).collect();
    if inked.is_empty() {
        return Ok(out);
    }
    let pieces: Vec<&GrayImage> = inked.iter().filter_map(|&i| cuts[i].as_ref()).collect();
    let (composite, bands) = stack(&pieces, dpi);
    let chinese = by_band(tesseract::words(&composite, Pass::Chinese, deadline)?, &bands);
    let mut numbers: Vec<(usize, String, f32)> = Vec::new();
    for (k, &i) in inked.iter().enumerate() {
        let words = &chinese[k];
        let text = tesseract::join_words(words.iter().map(|w| w.text.as_str()));
        if number_like(&text) {
            numbers.push((i, text, lowest(words).unwrap_or(0.0)));
        } else {
            out[i] = CellText {
                conf: lowest(words),
                text,
                doubt: None,
            };
        }
    }
    if numbers.is_empty() {
        return Ok(out);
    }
    let pieces: Vec<&GrayImage> = numbers
        .iter()
        .filter_map(|(i, _, _)| cuts[*i].as_ref())
        .collect();
    let (composite, bands) = stack(&pieces, dpi);
    let digits = by_band(tesseract::words(&composite, Pass::Digits, deadline)?, &bands);
    for ((i, first, first_conf), words) in numbers.into_iter().zip(digits) {
        let second = tesseract::join_words(words.iter().map(|w| w.text.as_str()));
        let conf = lowest(&words).unwrap_or(0.0).min(first_conf);
        let digits_only = !second.is_empty() && second.chars().all(|c| c.is_ascii_digit());
        out[i] = if digits_only && second == first && conf >= MIN_DIGIT_CONF {
            CellText {
                text: second,
                conf: Some(conf),
                doubt: None,
            }
        } else {
            CellText {
                text: String::new(),
                conf: Some(conf),
                doubt: Some(format!(
                    "read as “{first}” and, digits only, as “{second}” (confidence {conf:.0})"
                )),
            }
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_like_readings() {
        assert!(number_like("12436"));
        assert!(number_like("l2"));
        assert!(!number_like("行政许可"));
        assert!(!number_like("1.属于国家秘密"));
        assert!(!number_like("Ol"));
        assert!(!number_like(""));
    }

    #[test]
    fn a_blank_cell_and_its_borders_are_not_content() {
        let mut img = GrayImage::from_pixel(200, 100, image::Luma([250]));
        for x in 0..200 {
            img.put_pixel(x, 2, image::Luma([0]));
            img.put_pixel(x, 97, image::Luma([0]));
        }
        let r = Rect {
            x0: 0,
            y0: 0,
            x1: 200,
            y1: 100,
        };
        assert!(cut(&img, 128, r, 200.0).is_none());
        for y in 40..70 {
            for x in 90..96 {
                img.put_pixel(x, y, image::Luma([0]));
            }
        }
        let piece = cut(&img, 128, r, 200.0).expect("a stroke is content");
        assert_eq!(piece.dimensions(), (6, 30));
    }
}
