//! Scanned pages as image files: JPEG, PNG and TIFF (every page of a multi-page TIFF), and
//! several page files of one report joined by the walk ([`nianbao_core::pages`]), read by OCR
//! through the same scan reader as a PDF of page images.

use nianbao_adapter_pdf::scan::{self, ScanPage};
use nianbao_core::{pages as container, Adapter, Document, ErrorKind, ExtractError, Input};
use nianbao_ocr::decode;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

pub struct ImageAdapter;

/// Pages read at most from one TIFF (as many as from a scanned PDF).
const MAX_PAGES: usize = nianbao_adapter_pdf::scan::MAX_SCAN_PAGES;
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
        decode::sniff(bytes).is_some() || container::is_container(bytes)
    }
    fn extract(&self, input: &Input<'_>) -> Result<Document, ExtractError> {
        let deadline = Instant::now() + input.limits.time_budget;
        match catch_unwind(AssertUnwindSafe(|| extract(input.bytes, deadline))) {
            Ok(r) => r,
            Err(p) => Err(ExtractError::new(
                ErrorKind::Internal,
                format!(
                    "image adapter panicked: {}",
                    p.downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| p.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown panic".into())
                ),
            )),
        }
    }
}

static IMAGE: ImageAdapter = ImageAdapter;
nianbao_core::register_adapter!(IMAGE);

fn extract(bytes: &[u8], deadline: Instant) -> Result<Document, ExtractError> {
    scan::ocr_available("a page image")?;
    let files = if container::is_container(bytes) {
        container::unpack(bytes).map_err(ExtractError::corrupt)?
    } else {
        vec![bytes]
    };
    let joined = files.len() > 1;
    let mut pages: Vec<ScanPage> = Vec::new();
    for (n, file) in files.into_iter().enumerate() {
        let in_file = |e: String| {
            if joined {
                format!("page file {}: {e}", n + 1)
            } else {
                e
            }
        };
        let left = MAX_PAGES.saturating_sub(pages.len());
        if left == 0 {
            return Err(ExtractError::new(
                ErrorKind::TooLarge,
                format!("more than {MAX_PAGES} pages: OCR reads at most that many"),
            ));
        }
        let read = decode::pages(file, left).map_err(|e| {
            if e.starts_with("a TIFF of more than") {
                ExtractError::new(
                    ErrorKind::TooLarge,
                    format!("{}: OCR reads at most that many", in_file(e)),
                )
            } else {
                ExtractError::corrupt(in_file(e))
            }
        })?;
        pages.extend(read.into_iter().map(|img| {
            let dpi = img.width().min(img.height()) as f32 / A4_SHORT_SIDE_IN;
            ScanPage { img, dpi }
        }));
    }
    scan::read_pages(pages, deadline)
}
