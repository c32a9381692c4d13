//! Running text of a page (title, headings, paragraphs): the words Tesseract read in a band of
//! the page outside its tables, grouped into lines.
use crate::tesseract::{self, Word};
use crate::Rect;

/// One line of running text, with its box in page pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    pub text: String,
    pub rect: Rect,
    pub conf: f32,
}

/// Lowest confidence of a word at either end of a line.
const MIN_EDGE_CONF: f32 = 30.0;
/// Lowest mean word confidence of a line kept: below it the "line" is noise, a stamp or a
/// signature read as characters.
const MIN_LINE_CONF: f32 = 40.0;

/// The lines of a band's words (boxes relative to the band's ink, which starts at `origin` on
/// the page).
pub fn lines_of(words: &[Word], origin: (u32, u32)) -> Vec<TextLine> {
    let mut out = Vec::new();
    for group in words.chunk_by(|a, b| a.line == b.line) {
        // Specks read as characters hang at the ends of lines with hardly any confidence.
        let sure = |w: &Word| w.conf >= MIN_EDGE_CONF;
        let Some(first) = group.iter().position(sure) else {
            continue;
        };
        let last = group.iter().rposition(sure).unwrap_or(first);
        let group = &group[first..=last];
        let mean = group.iter().map(|w| w.conf).sum::<f32>() / group.len() as f32;
        if mean < MIN_LINE_CONF {
            continue;
        }
        let text = tesseract::join_words(group.iter().map(|w| w.text.as_str()));
        // A lone character in brackets or strokes is a speck or a line's end read as text.
        if text.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
            continue;
        }
        let rect = Rect {
            x0: origin.0 + group.iter().map(|w| w.rect.x0).min().unwrap_or(0),
            y0: origin.1 + group.iter().map(|w| w.rect.y0).min().unwrap_or(0),
            x1: origin.0 + group.iter().map(|w| w.rect.x1).max().unwrap_or(0),
            y1: origin.1 + group.iter().map(|w| w.rect.y1).max().unwrap_or(0),
        };
        let conf = group.iter().map(|w| w.conf).fold(100.0, f32::min);
        out.push(TextLine { text, rect, conf });
    }
    out
}
