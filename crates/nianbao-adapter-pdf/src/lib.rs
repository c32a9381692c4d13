//! PDF reports.
//!
//! lopdf parses the file (xref recovery, filters, object streams); our own content-stream
//! reader ([`content`], lopdf's grammar without its allocations) and interpreter ([`interp`])
//! place every glyph, [`font`] turns codes into text (ToUnicode,
//! Identity-H/V, UniGB-UCS2-H, GBK-EUC-H, embedded CMaps, the font program's cmap), and
//! [`layout`] rebuilds lines and ruled tables from geometry.

mod cmap;
mod content;
mod flate;
mod font;
mod grid;
mod interp;
mod kangxi;
mod layout;
mod lines;
mod obj;
pub mod scan;
mod truetype;

use interp::{Budget, Interpreter, PageContent};
use nianbao_core::{Adapter, Document, ErrorKind, ExtractError, Input};
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

pub use layout::is_page_number;

pub struct PdfAdapter;

/// Pages read at most; a longer "report" is not one.
const MAX_PAGES: usize = 2000;
/// Content-stream operators interpreted per document (a report needs ~10^5).
const MAX_OPS: u64 = 20_000_000;

impl Adapter for PdfAdapter {
    fn name(&self) -> &'static str {
        "pdf"
    }
    fn describe(&self) -> &'static str {
        "PDF (tables rebuilt from ruling lines; Chinese CID fonts; pages of images read by OCR)"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn priority(&self) -> u32 {
        10
    }
    fn sniff(&self, bytes: &[u8]) -> bool {
        nianbao_core::sniff::is_pdf(bytes)
    }
    fn extract(&self, input: &Input<'_>) -> Result<Document, ExtractError> {
        let deadline = Instant::now() + input.limits.time_budget;
        match catch_unwind(AssertUnwindSafe(|| extract(input.bytes, deadline))) {
            Ok(r) => r,
            Err(p) => Err(ExtractError::new(
                ErrorKind::Internal,
                format!("PDF adapter panicked: {}", panic_text(&p)),
            )),
        }
    }
}

static PDF: PdfAdapter = PdfAdapter;
nianbao_core::register_adapter!(PDF);

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn extract(bytes: &[u8], deadline: Instant) -> Result<Document, ExtractError> {
    if bytes.is_empty() {
        return Err(ExtractError::new(ErrorKind::Empty, "zero bytes"));
    }
    let mut warnings = Vec::new();
    let doc = load(bytes, &mut warnings)?;
    let mut seen = HashSet::new();
    let page_ids: Vec<_> = doc
        .page_iter()
        .take(MAX_PAGES)
        .filter(|id| seen.insert(*id))
        .collect();
    if page_ids.is_empty() {
        return Err(ExtractError::corrupt(
            "no pages: the page tree is missing or unreadable",
        ));
    }
    let budget = Budget {
        ops: 0,
        max_ops: MAX_OPS,
        deadline,
        exhausted: false,
    };
    let mut interp = Interpreter::new(&doc, budget);
    let mut pages: Vec<PageContent> = Vec::with_capacity(page_ids.len());
    let mut broken = Vec::new();
    for (i, id) in page_ids.iter().enumerate() {
        match interp.page(*id) {
            Ok(p) => pages.push(p),
            Err(e) if e.kind == ErrorKind::Timeout => return Err(e),
            Err(e) => broken.push(format!("page {}: {}", i + 1, e.message)),
        }
    }
    // A page whose objects are gone means a truncated or damaged file: a partial report
    // would pass for a complete one, so it is refused.
    if !broken.is_empty() {
        let n = broken.len();
        broken.truncate(3);
        return Err(ExtractError::corrupt(format!(
            "truncated or damaged PDF: {n} of {} pages unreadable ({})",
            page_ids.len(),
            broken.join("; ")
        )));
    }
    if interp.budget.exhausted {
        warnings.push(format!(
            "stopped after {MAX_OPS} content operators; later text is missing"
        ));
    }
    for name in &interp.unusable_fonts {
        warnings.push(format!(
            "font {name} has no usable Unicode map (no ToUnicode, no known CMap, no cmap in the font program); its text was left out"
        ));
    }
    let glyphs: usize = pages.iter().map(|p| p.glyphs.len()).sum();
    if glyphs == 0 {
        let images: usize = pages.iter().map(|p| p.images).sum();
        if images > 0 {
            return read_scan(&doc, &page_ids, deadline, warnings);
        }
        let msg = if images > 0 {
            format!(
                "{} page(s) of images and no text layer: a scan, OCR is needed",
                pages.len()
            )
        } else if !interp.unusable_fonts.is_empty() {
            "no readable text: every font lacks a Unicode map".to_string()
        } else {
            format!("{} page(s) without any text", pages.len())
        };
        return Err(ExtractError::new(ErrorKind::NoTextLayer, msg));
    }
    for (i, p) in pages.iter().enumerate() {
        if p.glyphs.is_empty() && p.images > 0 {
            warnings.push(format!("page {} has only images (no text layer)", i + 1));
        }
    }
    let mut out = layout::assemble(&pages);
    out.warnings.extend(warnings);
    out.title = info_title(&doc);
    Ok(out)
}

/// The document information dictionary's `/Title` (a fallback for the report's metadata only:
/// absent or unreadable is no title).
fn info_title(doc: &lopdf::Document) -> Option<String> {
    let info = doc.trailer.get_deref(b"Info", doc).ok()?.as_dict().ok()?;
    let title = lopdf::decode_text_string(info.get_deref(b"Title", doc).ok()?).ok()?;
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

/// A PDF of page images: OCR when it can run, `no_text_layer` saying why when not.
fn read_scan(
    doc: &lopdf::Document,
    page_ids: &[lopdf::ObjectId],
    deadline: Instant,
    warnings: Vec<String>,
) -> Result<Document, ExtractError> {
    scan::ocr_available(&format!("{} page(s) of images", page_ids.len()))?;
    let pages = scan::page_images(doc, page_ids)?;
    let mut out = scan::read_pages(pages, deadline)?;
    out.warnings.splice(0..0, warnings);
    Ok(out)
}

/// Parses the file with lopdf, mapping its failures onto our error kinds. lopdf is run under
/// `catch_unwind` of its own so that a panic in the parser is reported as a damaged file.
fn load(bytes: &[u8], warnings: &mut Vec<String>) -> Result<lopdf::Document, ExtractError> {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(obj::MAX_STREAM_BYTES),
        ..Default::default()
    };
    let loaded = catch_unwind(AssertUnwindSafe(|| {
        lopdf::Document::load_mem_with_options(bytes, options)
    }));
    let declares_encryption = || nianbao_core::sniff::find(bytes, b"/Encrypt").is_some();
    let doc = match loaded {
        Err(p) => {
            return Err(ExtractError::corrupt(format!(
                "PDF parser failed: {}",
                panic_text(&p)
            )))
        }
        Ok(Err(e)) => {
            use lopdf::Error as E;
            return Err(match e {
                E::InvalidPassword | E::Decryption(_) | E::UnsupportedSecurityHandler(_) => {
                    ExtractError::encrypted(format!("encrypted PDF: {e}"))
                }
                _ if declares_encryption() => {
                    ExtractError::encrypted(format!("encrypted PDF that could not be opened: {e}"))
                }
                _ => ExtractError::corrupt(format!("unreadable PDF: {e}")),
            });
        }
        Ok(Ok(doc)) => doc,
    };
    if doc.trailer.get(b"Encrypt").is_ok() {
        if doc.encryption_state.is_none() {
            return Err(ExtractError::encrypted(
                "encrypted PDF: a password is needed to open it",
            ));
        }
        warnings.push("encrypted PDF with an empty user password; read without a password".into());
    }
    if doc.xref_recovery.is_some() {
        warnings.push(
            "damaged cross-reference table; objects were recovered by scanning the file".into(),
        );
    }
    Ok(doc)
}
