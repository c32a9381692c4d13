//! Running text of a page (title, headings, paragraphs): the page with its tables blanked out,
//! read by the Chinese pass, one line per Tesseract line.
use crate::tesseract::{self, Pass, Word};
use crate::Rect;
use image::GrayImage;
use std::time::Instant;

/// One line of running text, with its box in page pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    pub text: String,
    pub rect: Rect,
    pub conf: f32,
}

/// The lines of text outside `tables` (pixel boxes whitened before reading).
pub fn lines(img: &GrayImage, tables: &[Rect], deadline: Instant) -> Result<Vec<TextLine>, String> {
    let mut page = img.clone();
    for t in tables {
        for y in t.y0..t.y1.min(page.height()) {
            for x in t.x0..t.x1.min(page.width()) {
                page.put_pixel(x, y, image::Luma([255]));
            }
        }
    }
    let words = tesseract::words(&page, Pass::Chinese, deadline)?;
    let mut out: Vec<TextLine> = Vec::new();
    let mut group: Vec<Word> = Vec::new();
    let flush = |group: &mut Vec<Word>, out: &mut Vec<TextLine>| {
        if group.is_empty() {
            return;
        }
        let text = tesseract::join_words(group.iter().map(|w| w.text.as_str()));
        let rect = Rect {
            x0: group.iter().map(|w| w.rect.x0).min().unwrap_or(0),
            y0: group.iter().map(|w| w.rect.y0).min().unwrap_or(0),
            x1: group.iter().map(|w| w.rect.x1).max().unwrap_or(0),
            y1: group.iter().map(|w| w.rect.y1).max().unwrap_or(0),
        };
        let conf = group.iter().map(|w| w.conf).fold(100.0, f32::min);
        out.push(TextLine { text, rect, conf });
        group.clear();
    };
    for w in words {
        if group.last().is_some_and(|l| l.line != w.line) {
            flush(&mut group, &mut out);
        }
        group.push(w);
    }
    flush(&mut group, &mut out);
    Ok(out)
}
