//! Scanned pages (a PDF of page images, or image files handed over by the image adapter):
//! each page is straightened, its ruling lines become [`Rule`]s so that [`grid`] builds the
//! same cells and spans as for a drawn table, every cell is read on its own by OCR
//! ([`nianbao_ocr::cells`]) and the text outside tables line by line, and [`layout`] assembles
//! the pages exactly as it does for a text layer.
use crate::grid;
use crate::interp::{Glyph, PageContent, Rule};
use crate::layout;
use nianbao_core::{Block, Document, ErrorKind, ExtractError};
use nianbao_ocr::{cells, decode, prep, rules, tesseract, GrayImage, Rect};
use std::collections::HashMap;
use std::time::Instant;

/// One page image and its resolution (pixels per inch).
pub struct ScanPage {
    pub img: GrayImage,
    pub dpi: f32,
}

/// Whether OCR can run, as the error a scan gets when it cannot.
pub fn ocr_available(what: &str) -> Result<(), ExtractError> {
    tesseract::available().map_err(|why| {
        ExtractError::new(
            ErrorKind::NoTextLayer,
            format!("{what} without a text layer: a scan, not read because {why}"),
        )
    })
}

/// What OCR saw in a cell (confidence, box, the numbers of readings in doubt), keyed by the
/// cell's page and top-left corner in points.
type CellInfo = HashMap<(u32, u32, u32), (f32, Rect, Vec<String>)>;

/// A page straightened, with its ruling lines and table cells found, before reading.
struct Laid {
    img: GrayImage,
    ink: u8,
    dpi: f32,
    rules: Vec<Rule>,
    cells: Vec<cells::CellBox>,
    /// Each cell's top-left corner in points, which the page assembly gives its cell.
    corners: Vec<(f32, f32)>,
    text_bands: Vec<Rect>,
}

/// Reads scanned pages into a document.
pub fn read_pages(pages: Vec<ScanPage>, deadline: Instant) -> Result<Document, ExtractError> {
    let mut warnings = Vec::new();
    let mut laid = Vec::with_capacity(pages.len());
    for (i, page) in pages.into_iter().enumerate() {
        if Instant::now() > deadline {
            return Err(ExtractError::new(
                ErrorKind::Timeout,
                format!("OCR ran past the time limit at page {}", i + 1),
            ));
        }
        laid.push(lay_out(page, i as u32 + 1, &mut warnings));
    }
    let jobs: Vec<cells::PageJob> = laid
        .iter()
        .map(|l| cells::PageJob {
            img: &l.img,
            ink: l.ink,
            dpi: l.dpi,
            cells: l.cells.clone(),
            text_bands: l.text_bands.clone(),
        })
        .collect();
    let read = cells::read_document(&jobs, deadline).map_err(|e| {
        if Instant::now() > deadline {
            ExtractError::new(ErrorKind::Timeout, e)
        } else {
            ExtractError::new(ErrorKind::Internal, format!("OCR failed: {e}"))
        }
    })?;
    let mut info: CellInfo = HashMap::new();
    let mut contents = Vec::with_capacity(laid.len());
    for (i, (l, text)) in laid.into_iter().zip(read).enumerate() {
        contents.push(page_content(
            l,
            text,
            i as u32 + 1,
            &mut warnings,
            &mut info,
        ));
    }
    let mut doc = layout::assemble(&contents);
    if doc.blocks.is_empty() {
        return Err(ExtractError::new(
            ErrorKind::NoTextLayer,
            format!(
                "{} page image(s) without a text layer, and OCR found no text on them",
                contents.len()
            ),
        ));
    }
    for block in &mut doc.blocks {
        let Block::Table(t) = block else { continue };
        for cell in t.rows.iter_mut().flatten() {
            let (Some(p), Some(x), Some(y)) = (cell.prov.page, cell.prov.x, cell.prov.y) else {
                continue;
            };
            if let Some((conf, r, read)) = info.get(&(p, x.to_bits(), y.to_bits())) {
                cell.prov.ocr_conf = Some(conf.round());
                cell.prov.pixels = Some([r.x0, r.y0, r.x1, r.y1]);
                cell.prov.ocr_read = read.clone();
            }
        }
    }
    doc.warnings.extend(warnings);
    Ok(doc)
}

/// Straightens a page and finds its tables' cells and the bands of text around them.
fn lay_out(page: ScanPage, page_no: u32, warnings: &mut Vec<String>) -> Laid {
    let dpi = page.dpi.clamp(50.0, 1200.0);
    let pt = 72.0 / dpi;
    let prepared = prep::prepare(page.img);
    if prepared.skew != 0.0 {
        warnings.push(format!(
            "page {page_no}: scan straightened by {:.2}°",
            prepared.skew
        ));
    }
    let segments = rules::find(&prepared.img, prepared.ink, dpi);
    let page_rules: Vec<Rule> = segments
        .iter()
        .map(|s| Rule {
            x0: s.x0 * pt,
            y0: s.y0 * pt,
            x1: s.x1 * pt,
            y1: s.y1 * pt,
        })
        .collect();
    let grids = grid::find(&page_rules);
    let px = |v: f32| (v / pt).round().max(0.0) as u32;
    let mut cells_of = Vec::new();
    let mut corners = Vec::new();
    let mut tables: Vec<(u32, u32)> = Vec::new();
    for (n, g) in grids.iter().enumerate() {
        tables.push((px(g.ys[0]).saturating_sub(2), px(g.ys[g.ys.len() - 1]) + 3));
        for span in &g.cells {
            cells_of.push(cells::CellBox {
                rect: Rect {
                    x0: px(g.xs[span.c0]),
                    y0: px(g.ys[span.r0]),
                    x1: px(g.xs[span.c1 + 1]),
                    y1: px(g.ys[span.r1 + 1]),
                },
                column: n * 10_000 + span.c0,
            });
            corners.push((g.xs[span.c0], g.ys[span.r0]));
        }
    }
    // Running text lies in the bands above, between and below the tables.
    tables.sort_unstable();
    let (w, h) = prepared.img.dimensions();
    let mut text_bands = Vec::new();
    let mut top = 0;
    for (t0, t1) in tables {
        if t0 > top {
            text_bands.push(Rect {
                x0: 0,
                y0: top,
                x1: w,
                y1: t0,
            });
        }
        top = top.max(t1);
    }
    if top < h {
        text_bands.push(Rect {
            x0: 0,
            y0: top,
            x1: w,
            y1: h,
        });
    }
    Laid {
        img: prepared.img,
        ink: prepared.ink,
        dpi,
        rules: page_rules,
        cells: cells_of,
        corners,
        text_bands,
    }
}

/// A read page as the glyphs and rules the page assembly takes from a text layer.
fn page_content(
    l: Laid,
    text: cells::PageText,
    page_no: u32,
    warnings: &mut Vec<String>,
    info: &mut CellInfo,
) -> PageContent {
    let pt = 72.0 / l.dpi;
    let mut glyphs = Vec::new();
    for ((cell, b), (x, y)) in text.cells.into_iter().zip(&l.cells).zip(l.corners) {
        let r = &b.rect;
        if let Some(doubt) = &cell.doubt {
            warnings.push(format!(
                "page {page_no}, table cell at pixels ({}, {})–({}, {}): number left out, {doubt}",
                r.x0, r.y0, r.x1, r.y1
            ));
        }
        if let Some(conf) = cell.conf {
            info.insert((page_no, x.to_bits(), y.to_bits()), (conf, *r, cell.read));
        }
        if cell.text.is_empty() {
            continue;
        }
        // One glyph for the whole cell at its centre: the grid puts it in its cell and the
        // cell's text is taken as read.
        let (cx, cy) = (
            (r.x0 + r.x1) as f32 / 2.0 * pt,
            (r.y0 + r.y1) as f32 / 2.0 * pt,
        );
        glyphs.push(Glyph {
            text: cell.text,
            x0: cx - 1.0,
            x1: cx + 1.0,
            top: cy - 1.0,
            bottom: cy + 1.0,
            size: 2.0,
        });
    }
    for line in text.lines {
        let r = line.rect;
        glyphs.push(Glyph {
            text: line.text,
            x0: r.x0 as f32 * pt,
            x1: r.x1 as f32 * pt,
            top: r.y0 as f32 * pt,
            bottom: r.y1 as f32 * pt,
            size: r.height() as f32 * pt,
        });
    }
    PageContent {
        glyphs,
        rules: l.rules,
        images: 1,
        height: l.img.height() as f32 * pt,
    }
}

/// Page size assumed when a page gives none: A4 width in points.
const A4_WIDTH_PT: f32 = 595.0;

/// Most pages of a scan read by OCR: an annual report has a few dozen at most, and every
/// page image is held in memory (4 MB at 200 dpi) until the document is read.
pub const MAX_SCAN_PAGES: usize = 100;

/// The scanned image of each page (the largest image on it), decoded to grayscale.
pub fn page_images(
    doc: &lopdf::Document,
    page_ids: &[lopdf::ObjectId],
) -> Result<Vec<ScanPage>, ExtractError> {
    if page_ids.len() > MAX_SCAN_PAGES {
        return Err(ExtractError::new(
            ErrorKind::TooLarge,
            format!(
                "a scan of {} pages; OCR reads at most {MAX_SCAN_PAGES}",
                page_ids.len()
            ),
        ));
    }
    let mut out = Vec::new();
    for (i, id) in page_ids.iter().enumerate() {
        let page_no = i + 1;
        let fail = |m: String| ExtractError::corrupt(format!("page {page_no}: {m}"));
        let images = doc.get_page_images(*id).map_err(|e| fail(e.to_string()))?;
        let Some(best) = images.iter().max_by_key(|im| im.width * im.height) else {
            continue;
        };
        let stream = doc
            .get_object(best.id)
            .and_then(lopdf::Object::as_stream)
            .map_err(|e| fail(e.to_string()))?;
        let img = image_of(stream).map_err(|m| {
            if m.contains("not supported") {
                ExtractError::new(ErrorKind::UnsupportedFormat, format!("page {page_no}: {m}"))
            } else {
                fail(m)
            }
        })?;
        let width_pt = page_width(doc, *id).unwrap_or(A4_WIDTH_PT).max(1.0);
        let dpi = img.width() as f32 / width_pt * 72.0;
        out.push(ScanPage { img, dpi });
    }
    Ok(out)
}

fn page_width(doc: &lopdf::Document, id: lopdf::ObjectId) -> Option<f32> {
    let mut dict = doc.get_dictionary(id).ok()?;
    for _ in 0..32 {
        if let Ok(b) = dict
            .get(b"MediaBox")
            .and_then(|o| doc.dereference(o).map(|x| x.1))
        {
            let a = b.as_array().ok()?;
            let n: Vec<f32> = a.iter().filter_map(|o| o.as_float().ok()).collect();
            return (n.len() == 4).then(|| (n[2] - n[0]).abs());
        }
        let parent = dict.get(b"Parent").ok()?.as_reference().ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
    None
}

fn int(dict: &lopdf::Dictionary, key: &[u8]) -> Option<i64> {
    dict.get(key).ok().and_then(|o| o.as_i64().ok())
}

/// Decodes one image XObject: DCT (JPEG), Flate (with PNG/TIFF predictors) or unfiltered
/// samples, CCITT G3/G4. JBIG2 and JPEG 2000 are named in the error.
fn image_of(stream: &lopdf::Stream) -> Result<GrayImage, String> {
    let dict = &stream.dict;
    let w = int(dict, b"Width").unwrap_or(0).clamp(0, 1 << 20) as u32;
    let h = int(dict, b"Height").unwrap_or(0).clamp(0, 1 << 20) as u32;
    let filters: Vec<Vec<u8>> = stream
        .filters()
        .map(|f| f.into_iter().map(<[u8]>::to_vec).collect())
        .unwrap_or_default();
    let last = filters.last().map(Vec::as_slice);
    let parms = match dict.get(b"DecodeParms") {
        Ok(lopdf::Object::Dictionary(d)) => Some(d.clone()),
        Ok(lopdf::Object::Array(a)) => a.last().and_then(|o| o.as_dict().ok()).cloned(),
        _ => None,
    };
    match last {
        Some(b"DCTDecode") if filters.len() == 1 => decode::jpeg(&stream.content),
        Some(b"CCITTFaxDecode") if filters.len() == 1 => {
            let p = parms.unwrap_or_default();
            let k = int(&p, b"K").unwrap_or(0);
            let cols = int(&p, b"Columns").unwrap_or(1728).clamp(1, 65535) as u32;
            let rows = int(&p, b"Rows").unwrap_or(i64::from(h)).clamp(1, 65535) as u32;
            let black_is_1 = p
                .get(b"BlackIs1")
                .ok()
                .and_then(|o| o.as_bool().ok())
                .unwrap_or(false);
            decode::ccitt(
                &stream.content,
                cols,
                rows,
                k,
                black_is_1 != decode_inverted(dict),
            )
        }
        Some(b"JBIG2Decode") => Err("JBIG2 page images are not supported".into()),
        Some(b"JPXDecode") => Err("JPEG 2000 page images are not supported".into()),
        Some(b"FlateDecode") | Some(b"LZWDecode") | None => {
            let data = stream
                .decompressed_content_with_limit(decode::MAX_PIXELS as usize * 4)
                .map_err(|e| format!("unreadable image data: {e}"))?;
            let mask = dict
                .get(b"ImageMask")
                .ok()
                .and_then(|o| o.as_bool().ok())
                .unwrap_or(false);
            let bits = int(dict, b"BitsPerComponent").unwrap_or(1) as u32;
            let comps = components(dict).ok_or("colour space is not supported")?;
            // An image mask paints its 0 bits (the ink) unless decoded the other way.
            let invert = decode_inverted(dict) != mask;
            decode::raw_samples(&data, w, h, bits, comps, invert)
        }
        Some(f) => Err(format!(
            "page images filtered with {} are not supported",
            String::from_utf8_lossy(f)
        )),
    }
}

/// `/Decode [1 0]`: samples read the other way round.
fn decode_inverted(dict: &lopdf::Dictionary) -> bool {
    dict.get(b"Decode")
        .ok()
        .and_then(|o| o.as_array().ok())
        .and_then(|a| a.first())
        .and_then(|o| o.as_float().ok())
        .is_some_and(|v| v > 0.5)
}

fn components(dict: &lopdf::Dictionary) -> Option<u32> {
    let cs = match dict.get(b"ColorSpace") {
        Err(_) => return Some(1),
        Ok(o) => o,
    };
    let name = match cs {
        lopdf::Object::Name(n) => n.as_slice(),
        lopdf::Object::Array(a) => a.first()?.as_name().ok()?,
        _ => return None,
    };
    match name {
        b"DeviceGray" | b"CalGray" => Some(1),
        b"DeviceRGB" | b"CalRGB" => Some(3),
        b"DeviceCMYK" => Some(4),
        _ => None,
    }
}
