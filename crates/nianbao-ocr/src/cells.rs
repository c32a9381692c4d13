//! Table cells read one by one: each cell's ink is cut out (without its borders) and stacked
//! with the others into one composite image per pass. The Chinese pass reads every cell; cells
//! it reads as a number are read again digits-only by the English model, and a number is kept
//! only when both readings agree with good confidence.
use crate::tesseract::{self, Pass, Word};
use crate::text::{self, TextLine};
use crate::Rect;
use image::GrayImage;
use std::collections::HashMap;
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
    /// The whole numbers the readings of a number left out saw, each once.
    pub read: Vec<String>,
}

/// Lowest word confidence at which a number read twice alike is kept.
pub const MIN_DIGIT_CONF: f32 = 60.0;
/// The same for a number the Chinese pass did not see as one (both digits-only readings).
pub const MIN_RESCUE_CONF: f32 = 80.0;

/// A cell's ink, cut out of the page, and where it was: `None` when the cell is blank.
fn cut(img: &GrayImage, ink: u8, r: Rect, dpi: f32) -> Option<(GrayImage, (u32, u32))> {
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
    // A border that leaked in (a thick or slightly tilted rule) is a row or column near the
    // edge that is almost all ink: whitened so it is neither read nor counted as content.
    // (Further in, a character's stroke can fill most of a one-line cell's height.)
    let edge = inset + 3;
    let near_edge = |i: u32, n: u32| i < edge || i + edge >= n;
    for y in (0..ch).filter(|&y| near_edge(y, ch)) {
        let dark = (0..cw).filter(|&x| crop.get_pixel(x, y).0[0] < ink).count() as u32;
        if dark * 10 >= cw * 7 {
            (0..cw).for_each(|x| crop.put_pixel(x, y, image::Luma([255])));
        }
    }
    for x in (0..cw).filter(|&x| near_edge(x, cw)) {
        let dark = (0..ch).filter(|&y| crop.get_pixel(x, y).0[0] < ink).count() as u32;
        if dark * 10 >= ch * 8 {
            (0..ch).for_each(|y| crop.put_pixel(x, y, image::Luma([255])));
        }
    }
    let (bx0, by0, bx1, by1, n) = ink_box(&crop, ink);
    // Specks of scanner noise are not content: a digit's stroke at 100 dpi is still dozens
    // of pixels.
    let min_ink = ((dpi / 40.0) * (dpi / 40.0)).max(10.0) as u32;
    if n < min_ink || by1 - by0 < (dpi / 30.0) as u32 {
        return None;
    }
    let piece = image::imageops::crop_imm(&crop, bx0, by0, bx1 - bx0, by1 - by0).to_image();
    Some((piece, (x0 + bx0, y0 + by0)))
}

/// The box around the pixels darker than `ink` (left, top, right, bottom, exclusive) and how
/// many there are; an empty box (left past right) when there are none.
fn ink_box(img: &GrayImage, ink: u8) -> (u32, u32, u32, u32, u32) {
    let (mut bx0, mut by0, mut bx1, mut by1, mut n) = (img.width(), img.height(), 0, 0, 0u32);
    for (x, y, p) in img.enumerate_pixels() {
        if p.0[0] < ink {
            n += 1;
            bx0 = bx0.min(x);
            by0 = by0.min(y);
            bx1 = bx1.max(x + 1);
            by1 = by1.max(y + 1);
        }
    }
    (bx0, by0, bx1, by1, n)
}

/// A band of running text, cut to its ink; `None` when it is blank.
fn band_piece(img: &GrayImage, ink: u8, r: Rect, dpi: f32) -> Option<(GrayImage, (u32, u32))> {
    let (w, h) = img.dimensions();
    let (x1, y1) = (r.x1.min(w), r.y1.min(h));
    if x1 <= r.x0 || y1 <= r.y0 {
        return None;
    }
    let crop = image::imageops::crop_imm(img, r.x0, r.y0, x1 - r.x0, y1 - r.y0).to_image();
    let (bx0, by0, bx1, by1, n) = ink_box(&crop, ink);
    let min_ink = ((dpi / 25.0) * (dpi / 25.0)).max(12.0) as u32;
    if n < min_ink {
        return None;
    }
    let piece = image::imageops::crop_imm(&crop, bx0, by0, bx1 - bx0, by1 - by0).to_image();
    Some((piece, (r.x0 + bx0, r.y0 + by0)))
}

/// White space around each piece of a composite.
fn padding(dpi: f32) -> u32 {
    (dpi / 12.0).max(10.0) as u32
}

/// Stacks cut-out cells into one image; returns it and each piece's row band.
fn stack(pieces: &[&GrayImage], dpi: f32) -> (GrayImage, Vec<(u32, u32)>) {
    let pad = padding(dpi);
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
        && text.chars().filter(|c| c.is_ascii_digit()).count() * 2 >= text.chars().count()
}

/// A whole number or a decimal, possibly negative (a change from the year before).
fn is_number(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let mut parts = body.split('.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    parts.next().is_none()
        && !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
}

fn lowest(words: &[Word]) -> Option<f32> {
    words.iter().map(|w| w.conf).reduce(f32::min)
}

/// A cell of a page's tables: its box and the grid column it starts in (a key unique over the
/// page's tables, so that a column of numbers is known as one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellBox {
    pub rect: Rect,
    pub column: usize,
}

/// One straightened page to read: its cells, and the bands of running text outside its
/// tables.
pub struct PageJob<'a> {
    pub img: &'a GrayImage,
    pub ink: u8,
    pub dpi: f32,
    pub cells: Vec<CellBox>,
    pub text_bands: Vec<Rect>,
}

/// What a page says: one reading per cell (in the order given) and its lines of text.
#[derive(Debug, Default)]
pub struct PageText {
    pub cells: Vec<CellText>,
    pub lines: Vec<TextLine>,
}

/// A cut-out piece of a page in a composite: a cell or a band of running text.
struct Piece {
    img: GrayImage,
    page: usize,
    /// Where the piece's top-left pixel is on its page.
    origin: (u32, u32),
    cell: Option<usize>,
}

/// Reads every page of a document with as few Tesseract runs as possible: one Chinese pass
/// over all cells and text, one digits-only pass over the numbers, and two more only for
/// numbers the Chinese pass misread.
///
/// Every cell is read by the Chinese pass. A number is then read a second time, digits only,
/// by the English model, and kept when both readings agree. In a column of numbers, a cell the
/// Chinese pass misread as a character or two (a lone 4 read as 攻) is read by the English
/// model twice, digits only and unrestricted, and kept only when both give the same digits
/// with high confidence.
pub fn read_document(pages: &[PageJob], deadline: Instant) -> Result<Vec<PageText>, String> {
    let dpi = pages.iter().map(|p| p.dpi).fold(100.0, f32::max);
    let mut out: Vec<PageText> = pages
        .iter()
        .map(|p| PageText {
            cells: vec![CellText::default(); p.cells.len()],
            lines: Vec::new(),
        })
        .collect();
    let mut pieces: Vec<Piece> = Vec::new();
    for (n, page) in pages.iter().enumerate() {
        for (i, b) in page.cells.iter().enumerate() {
            if let Some((img, origin)) = cut(page.img, page.ink, b.rect, page.dpi) {
                pieces.push(Piece {
                    img,
                    page: n,
                    origin,
                    cell: Some(i),
                });
            }
        }
        for band in &page.text_bands {
            if let Some((img, origin)) = band_piece(page.img, page.ink, *band, page.dpi) {
                pieces.push(Piece {
                    img,
                    page: n,
                    origin,
                    cell: None,
                });
            }
        }
    }
    if pieces.is_empty() {
        return Ok(out);
    }
    let all: Vec<usize> = (0..pieces.len()).collect();
    let chinese = pass(&pieces, &all, Pass::Chinese, dpi, deadline)?;
    let first: Vec<(String, f32)> = chinese
        .iter()
        .map(|w| {
            (
                tesseract::join_words(w.iter().map(|w| w.text.as_str())),
                lowest(w).unwrap_or(0.0),
            )
        })
        .collect();
    // Columns where most cells read as numbers.
    let mut votes: HashMap<(usize, usize), (usize, usize)> = HashMap::new();
    for (k, p) in pieces.iter().enumerate() {
        let Some(i) = p.cell else { continue };
        let v = votes
            .entry((p.page, pages[p.page].cells[i].column))
            .or_default();
        if number_like(&first[k].0) {
            v.0 += 1;
        } else {
            v.1 += 1;
        }
    }
    let numeric_column = |page: usize, i: usize| {
        votes
            .get(&(page, pages[page].cells[i].column))
            .is_some_and(|v| v.0 > v.1)
    };
    let mut numbers: Vec<usize> = Vec::new();
    let mut misread: Vec<usize> = Vec::new();
    for (k, p) in pieces.iter().enumerate() {
        let Some(i) = p.cell else {
            out[p.page]
                .lines
                .extend(text::lines_of(&chinese[k], p.origin));
            continue;
        };
        let (text, conf) = &first[k];
        if number_like(text) {
            numbers.push(k);
        } else if numeric_column(p.page, i) && text.chars().count() <= 3 {
            misread.push(k);
        } else {
            out[p.page].cells[i] = CellText {
                text: text.clone(),
                conf: lowest(&chinese[k]).map(|_| *conf),
                ..CellText::default()
            };
        }
    }
    let joined = |words: &[Word]| {
        (
            tesseract::join_words(words.iter().map(|w| w.text.as_str())),
            lowest(words).unwrap_or(0.0),
        )
    };
    // (piece, reading A, reading B, confidence needed)
    let mut readings: Vec<(usize, Reading, Reading, f32)> = Vec::new();
    if !numbers.is_empty() {
        let english = pass(&pieces, &numbers, Pass::Digits, dpi, deadline)?;
        for (&k, words) in numbers.iter().zip(&english) {
            // The Chinese model's confidence in a lone digit is often nil even when right: its
            // reading has to agree, the English one has to be sure.
            readings.push((
                k,
                (first[k].0.clone(), 100.0),
                joined(words),
                MIN_DIGIT_CONF,
            ));
        }
    }
    if !misread.is_empty() {
        let english = pass(&pieces, &misread, Pass::Digits, dpi, deadline)?;
        let latin = pass(&pieces, &misread, Pass::Latin, dpi, deadline)?;
        for ((&k, e), l) in misread.iter().zip(&english).zip(&latin) {
            readings.push((k, joined(l), joined(e), MIN_RESCUE_CONF));
        }
    }
    for (k, (a, a_conf), (b, b_conf), min_conf) in readings {
        let p = &pieces[k];
        let Some(i) = p.cell else { continue };
        let conf = a_conf.min(b_conf);
        out[p.page].cells[i] = if is_number(&b) && a == b && conf >= min_conf {
            CellText {
                text: b,
                conf: Some(conf),
                ..CellText::default()
            }
        } else {
            let seen = &first[k].0;
            // A header the Chinese pass read as two or three characters is not a number that
            // was missed (the unrestricted reading has letters, the digits-only one nothing):
            // it keeps its text.
            let no_digits = !a.chars().any(|c| c.is_ascii_digit()) && b.is_empty();
            if no_digits && !number_like(seen) && !seen.is_empty() {
                CellText {
                    text: seen.clone(),
                    conf: Some(first[k].1),
                    ..CellText::default()
                }
            } else {
                let mut read: Vec<String> = Vec::new();
                for r in [seen, &a, &b] {
                    let digits =
                        !r.is_empty() && r.len() <= 9 && r.bytes().all(|c| c.is_ascii_digit());
                    if digits && !read.contains(r) {
                        read.push(r.clone());
                    }
                }
                CellText {
                    text: String::new(),
                    conf: Some(conf),
                    doubt: Some(format!(
                        "read as “{seen}”, digits only as “{a}” and “{b}” (confidence {conf:.0})"
                    )),
                    read,
                }
            }
        };
    }
    Ok(out)
}

/// A reading's text and its lowest word confidence.
type Reading = (String, f32);

/// One Tesseract pass over the pieces `which`: the words of each, in order.
fn pass(
    pieces: &[Piece],
    which: &[usize],
    kind: Pass,
    dpi: f32,
    deadline: Instant,
) -> Result<Vec<Vec<Word>>, String> {
    let imgs: Vec<&GrayImage> = which.iter().map(|&i| &pieces[i].img).collect();
    let (composite, bands) = stack(&imgs, dpi);
    let mut words = by_band(tesseract::words(&composite, kind, deadline)?, &bands);
    // Word boxes relative to their piece (placed `pad` from the left, `pad / 2` into its band).
    let pad = padding(dpi);
    for (ws, (top, _)) in words.iter_mut().zip(&bands) {
        let piece_top = top + pad / 2;
        for w in ws.iter_mut() {
            w.rect.x0 = w.rect.x0.saturating_sub(pad);
            w.rect.x1 = w.rect.x1.saturating_sub(pad);
            w.rect.y0 = w.rect.y0.saturating_sub(piece_top);
            w.rect.y1 = w.rect.y1.saturating_sub(piece_top);
        }
    }
    Ok(words)
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
    fn numbers() {
        for ok in ["0", "12436", "-9", "2316.85"] {
            assert!(is_number(ok), "{ok}");
        }
        for bad in ["", "-", "1.", ".5", "1.2.3", "12 436", "l2", "--9"] {
            assert!(!is_number(bad), "{bad}");
        }
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
        let (piece, origin) = cut(&img, 128, r, 200.0).expect("a stroke is content");
        assert_eq!(piece.dimensions(), (6, 30));
        assert_eq!(origin, (90, 40));
    }
}
