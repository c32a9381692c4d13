//! OCR of scanned pages: page images decoded from JPEG/PNG/TIFF/CCITT, deskewed, their table
//! ruling lines found, and each table cell read on its own by Tesseract (labels with the
//! Simplified Chinese model, numbers confirmed by a digits-only second reading).
//!
//! The table grid itself is built by the caller (the PDF adapter's grid from ruling lines), so
//! a scanned table gets exactly the spans a drawn one would.

pub mod cells;
pub mod decode;
pub mod prep;
pub mod rules;
pub mod tesseract;
pub mod text;

pub use image::GrayImage;

/// A rectangle in pixels, `x1`/`y1` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl Rect {
    pub fn width(&self) -> u32 {
        self.x1.saturating_sub(self.x0)
    }
    pub fn height(&self) -> u32 {
        self.y1.saturating_sub(self.y0)
    }
}
