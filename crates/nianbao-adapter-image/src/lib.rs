//! Scanned pages as image files: JPEG, PNG and TIFF (every page of a multi-page TIFF), read by
//! OCR through the same scan reader as a PDF of page images.

use nianbao_adapter_pdf::scan::{self, ScanPage};
use nianbao_core::{Adapter, Document, ErrorKind, ExtractError, Input};
use nianbao_ocr::decode;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

pub struct ImageAdapter;

/// Pages read at most from one TIFF.
const MAX_PAGES: usize = 200;
/// Width of an A4 page in inches: image files rarely say their resolution truthfully, so a
/// page image is taken to be an A4 page (its short side 8.27 inches).
const A4_SHORT_SIDE_IN: f32 = 8.27;

impl Adapter for ImageAdapter {
    fn name(&self) -> &'static str {
        "image"
    }
    fn describe(&self) -> &'static str {
        "Scanned pages as JPEG, PNG or TIFF images (OCR with Tesseract, tables from ruling lines)"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn priority(&self) -> u32 {
        40
    }
    fn sniff(&self, bytes: &[u8]) -> bool {
        decode::sniff(bytes).is_some()
    }
    fn extract(&self, input: &Input<'_>) -> Result<Document, ExtractError> {
        let deadline = Instant::now() + input.limits.time_budget;
        match catch_unwind(AssertUnwindSafe(|| extract(input.bytes, deadline))) {
            Ok(r) => r,
            Err(_) => Err(ExtractError::new(
                ErrorKind::Internal,
                "image adapter panicked",
            )),
        }
    }
}

static IMAGE: ImageAdapter = ImageAdapter;
nianbao_core::register_adapter!(IMAGE);

fn extract(bytes: &[u8], deadline: Instant) -> Result<Document, ExtractError> {
    scan::ocr_available("a page image")?;
    let mut pages = decode::pages(bytes).map_err(ExtractError::corrupt)?;
    if pages.len() > MAX_PAGES {
        return Err(ExtractError::new(
            ErrorKind::TooLarge,
            format!(
                "{} pages in one image file; at most {MAX_PAGES} are read",
                pages.len()
            ),
        ));
    }
    let pages: Vec<ScanPage> = pages
        .drain(..)
        .map(|img| {
            let dpi = img.width().min(img.height()) as f32 / A4_SHORT_SIDE_IN;
            ScanPage { img, dpi }
        })
        .collect();
    scan::read_pages(pages, deadline)
}
