//! Scanned pages (a PDF of page images, or image files handed over by the image adapter):
//! each page is straightened, its ruling lines become [`Rule`]s so that [`grid`] builds the
//! same cells and spans as for a drawn table, every cell is read on its own by OCR
//! ([`nianbao_ocr::cells`]) and the text outside tables line by line, and [`layout`] assembles
//! the pages exactly as it does for a text layer.
use crate::grid;
use crate::interp::{Glyph, PageContent, Rule};
use crate::layout;
use nianbao_core::{Block, Document, ErrorKind, ExtractError};
use nianbao_ocr::{cells, decode, prep, rules, tesseract, text, GrayImage, Rect};
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

/// What OCR saw in a cell, keyed by the cell's page and top-left corner in points.
type CellInfo = HashMap<(u32, u32, u32), (f32, Rect)>;

/// Reads scanned pages into a document.
pub fn read_pages(pages: Vec<ScanPage>, deadline: Instant) -> Result<Document, ExtractError> {
    let mut contents = Vec::with_capacity(pages.len());
    let mut warnings = Vec::new();
    let mut info: CellInfo = HashMap::new();
    for (i, page) in pages.into_iter().enumerate() {
        let page_no = i as u32 + 1;
        let content = read_page(page, page_no, deadline, &mut warnings, &mut info)
            .map_err(|e| {
                if Instant::now() > deadline {
                    ExtractError::new(ErrorKind::Timeout, format!("page {page_no}: {e}"))
                } else {
                    ExtractError::new(ErrorKind::Internal, format!("OCR of page {page_no}: {e}"))
                }
            })?;
        contents.push(content);
    }
    let mut doc = layout::assemble(&contents);
    for block in &mut doc.blocks {
        let Block::Table(t) = block else { continue };
        for cell in t.rows.iter_mut().flatten() {
            let (Some(p), Some(x), Some(y)) = (cell.prov.page, cell.prov.x, cell.prov.y) else {
                continue;
            };
            if let Some((conf, r)) = info.get(&(p, x.to_bits(), y.to_bits())) {
                cell.prov.ocr_conf = Some(conf.round());
                cell.prov.pixels = Some([r.x0, r.y0, r.x1, r.y1]);
            }
        }
    }
    doc.warnings.extend(warnings);
    Ok(doc)
}

fn read_page(
    page: ScanPage,
    page_no: u32,
    deadline: Instant,
    warnings: &mut Vec<String>,
    info: &mut CellInfo,
) -> Result<PageContent, String> {
    let dpi = page.dpi.clamp(50.0, 1200.0);
    let pt = 72.0 / dpi;
    let prepared = prep::prepare(page.img);
    if prepared.skew.abs() >= 0.05 {
        warnings.push(format!(
            "page {page_no}: scan straightened by {:.2}°",
            prepared.skew
        ));
    }
    let img = &prepared.img;
    let segments = rules::find(img, prepared.ink, dpi);
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
    let mut rects = Vec::new();
    let mut corners = Vec::new();
    let mut table_boxes = Vec::new();
    for g in &grids {
        table_boxes.push(Rect {
            x0: px(g.xs[0]).saturating_sub(2),
            y0: px(g.ys[0]).saturating_sub(2),
            x1: px(g.xs[g.xs.len() - 1]) + 3,
            y1: px(g.ys[g.ys.len() - 1]) + 3,
        });
        for span in &g.cells {
            rects.push(Rect {
                x0: px(g.xs[span.c0]),
                y0: px(g.ys[span.r0]),
                x1: px(g.xs[span.c1 + 1]),
                y1: px(g.ys[span.r1 + 1]),
            });
            corners.push((g.xs[span.c0], g.ys[span.r0]));
        }
    }
    let read = cells::read(img, prepared.ink, dpi, &rects, deadline)?;
    let mut glyphs = Vec::new();
    for ((cell, r), (x, y)) in read.into_iter().zip(&rects).zip(corners) {
        if let Some(doubt) = &cell.doubt {
            warnings.push(format!(
                "page {page_no}, table cell at pixels ({}, {})–({}, {}): number left out, {doubt}",
                r.x0, r.y0, r.x1, r.y1
            ));
        }
        if let Some(conf) = cell.conf {
            info.insert((page_no, x.to_bits(), y.to_bits()), (conf, *r));
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
    for line in text::lines(img, &table_boxes, deadline)? {
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
    Ok(PageContent {
        glyphs,
        rules: page_rules,
        images: 1,
        height: img.height() as f32 * pt,
    })
}

/// Page size assumed when a page gives none: A4 width in points.
const A4_WIDTH_PT: f32 = 595.0;

/// The scanned image of each page (the largest image on it), decoded to grayscale.
pub fn page_images(
    doc: &lopdf::Document,
    page_ids: &[lopdf::ObjectId],
) -> Result<Vec<ScanPage>, ExtractError> {
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
        if let Ok(b) = dict.get(b"MediaBox").and_then(|o| doc.dereference(o).map(|x| x.1)) {
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
        Some(b"DCTDecode") if filters.len() == 1 => {
            decode::jpeg(&stream.content)
        }
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
            decode::ccitt(&stream.content, cols, rows, k, black_is_1 != decode_inverted(dict))
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
