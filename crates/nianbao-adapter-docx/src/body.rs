//! A direct walk of `word/document.xml` into paragraphs and raw tables, in body order.
//!
//! Elements are matched by local name, so any namespace prefix works (Word, WPS Office and
//! LibreOffice all write `w:`, but nothing requires it). Wrappers that only group content —
//! content controls (`sdt`), hyperlinks, tracked insertions, smart tags, simple fields — are
//! walked through; deleted text (`delText`), field codes (`instrText`), properties and drawing
//! fallbacks are skipped.
//!
//! The items are the raw types of [`nianbao_core::word_table`], which the `.doc` adapter
//! produces too; the conversion into blocks is shared there.
use crate::xml::{normalize_eol, unescape, Event, Reader, Tag, XmlError};
use nianbao_core::word_table::{Item, Merge, RawCell, RawRow, RawTable};
use nianbao_core::ExtractError;

/// Tables nested deeper than this are skipped (a hostile file could nest without end).
const MAX_DEPTH: usize = 24;

/// What the walk found besides content.
#[derive(Debug, Default)]
pub struct Walk {
    pub items: Vec<Item>,
    pub warnings: Vec<String>,
}

fn xml_err(e: XmlError) -> ExtractError {
    ExtractError::corrupt(format!(
        "document.xml is not well-formed XML near byte {}: {}",
        e.at, e.what
    ))
}

/// Walks the whole document part.
pub fn walk(xml: &str) -> Result<Walk, ExtractError> {
    let mut r = Reader::new(xml);
    let mut w = Walk::default();
    let mut saw_body = false;
    loop {
        match r.next().map_err(xml_err)? {
            Event::Start(e) if e.local() == "body" => {
                saw_body = true;
                let items = blocks(&mut r, 0, None, &mut w.warnings)?;
                w.items.extend(items);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_body {
        return Err(ExtractError::corrupt(
            "document.xml has no w:body: not a Word document",
        ));
    }
    Ok(w)
}

/// Elements whose whole subtree holds nothing a reader of the report sees.
fn skipped(name: &str) -> bool {
    matches!(
        name,
        "pPr"
            | "rPr"
            | "sectPr"
            | "tblPr"
            | "tblPrEx"
            | "sdtPr"
            | "sdtEndPr"
            | "del"
            | "moveFrom"
            | "instrText"
            | "delText"
            | "drawing"
            | "pict"
            | "object"
            | "Fallback"
            | "footnoteReference"
            | "commentReference"
            | "bookmarkStart"
            | "bookmarkEnd"
            | "proofErr"
    )
}

/// Reads past the element just opened.
fn skip(r: &mut Reader) -> Result<(), ExtractError> {
    r.skip_element().map_err(xml_err)
}

/// Reads block content (paragraphs and tables) until the end of the element just opened.
/// `cell` receives cell properties when this is a table cell.
fn blocks(
    r: &mut Reader,
    depth: usize,
    mut cell: Option<&mut RawCell>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Item>, ExtractError> {
    let mut items = Vec::new();
    let mut level = 0usize;
    loop {
        match r.next().map_err(xml_err)? {
            Event::Start(e) => match e.local() {
                "p" => items.extend(paragraph(r)?.into_iter().map(Item::Paragraph)),
                "tbl" if depth >= MAX_DEPTH => {
                    warnings.push(format!(
                        "a table nested more than {MAX_DEPTH} deep was skipped"
                    ));
                    skip(r)?;
                }
                "tbl" => items.push(Item::Table(table(r, depth + 1, warnings)?)),
                "tcPr" => match cell.as_deref_mut() {
                    Some(c) => cell_properties(r, c)?,
                    None => skip(r)?,
                },
                name if skipped(name) => skip(r)?,
                // sdt, sdtContent, customXml, ins, …: walk through.
                _ => level += 1,
            },
            Event::End(_) => {
                if level == 0 {
                    return Ok(items);
                }
                level -= 1;
            }
            Event::Eof => return Err(ExtractError::corrupt("document.xml ends inside an element")),
            _ => {}
        }
    }
}

fn cell_properties(r: &mut Reader, cell: &mut RawCell) -> Result<(), ExtractError> {
    let mut level = 0usize;
    loop {
        let (e, opened) = match r.next().map_err(xml_err)? {
            Event::Start(e) if matches!(e.local(), "gridSpan" | "vMerge" | "hMerge") => (e, true),
            // Borders, margins, shading, tracked changes: nothing of the table's shape.
            Event::Start(_) => {
                skip(r)?;
                continue;
            }
            Event::Empty(e) => (e, false),
            Event::End(_) => {
                if level == 0 {
                    return Ok(());
                }
                level -= 1;
                continue;
            }
            Event::Eof => {
                return Err(ExtractError::corrupt(
                    "document.xml ends inside cell properties",
                ))
            }
            _ => continue,
        };
        if opened {
            level += 1;
        }
        match e.local() {
            "gridSpan" => {
                cell.grid_span = e
                    .attr("val")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(1)
            }
            "vMerge" => cell.v_merge = merge_value(&e),
            "hMerge" => cell.h_merge = merge_value(&e),
            _ => {}
        }
    }
}

/// `<w:vMerge/>` without a value continues a merge; `w:val="restart"` starts one.
fn merge_value(e: &Tag) -> Merge {
    match e.attr("val") {
        Some("restart") => Merge::Restart,
        _ => Merge::Continue,
    }
}

fn table(
    r: &mut Reader,
    depth: usize,
    warnings: &mut Vec<String>,
) -> Result<RawTable, ExtractError> {
    let mut t = RawTable::default();
    let mut level = 0usize;
    loop {
        match r.next().map_err(xml_err)? {
            Event::Start(e) => match e.local() {
                "tr" => t.rows.push(row(r, depth, warnings)?),
                "tblGrid" => level += 1,
                name if skipped(name) => skip(r)?,
                "gridCol" => {
                    t.grid_cols += 1;
                    skip(r)?;
                }
                // Row-level content controls and custom XML: walk through.
                _ => level += 1,
            },
            Event::Empty(e) if e.local() == "gridCol" => t.grid_cols += 1,
            Event::End(_) => {
                if level == 0 {
                    return Ok(t);
                }
                level -= 1;
            }
            Event::Eof => return Err(ExtractError::corrupt("document.xml ends inside a table")),
            _ => {}
        }
    }
}

fn row(r: &mut Reader, depth: usize, warnings: &mut Vec<String>) -> Result<RawRow, ExtractError> {
    let mut row = RawRow::default();
    let mut level = 0usize;
    loop {
        match r.next().map_err(xml_err)? {
            Event::Start(e) => match e.local() {
                "tc" => {
                    let mut cell = RawCell::default();
                    cell.items = blocks(r, depth, Some(&mut cell), warnings)?;
                    row.cells.push(cell);
                }
                name if skipped(name) => skip(r)?,
                // trPr, sdt, sdtContent, customXml, ins: walk through.
                _ => level += 1,
            },
            Event::Empty(e) => match e.local() {
                "gridBefore" => {
                    row.grid_before = e
                        .attr("val")
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0)
                }
                "tc" => row.cells.push(RawCell::default()),
                _ => {}
            },
            Event::End(_) => {
                if level == 0 {
                    return Ok(row);
                }
                level -= 1;
            }
            Event::Eof => {
                return Err(ExtractError::corrupt(
                    "document.xml ends inside a table row",
                ))
            }
            _ => {}
        }
    }
}

/// The text of one paragraph. A manual line break (`w:br`, `w:cr`) splits it: printed to text,
/// the lines are separate, and the template reads each as its own row.
fn paragraph(r: &mut Reader) -> Result<Vec<String>, ExtractError> {
    let mut lines = vec![String::new()];
    let mut level = 0usize;
    let mut in_text = false;
    loop {
        match r.next().map_err(xml_err)? {
            Event::Start(e) => match e.local() {
                "t" => {
                    in_text = true;
                    level += 1;
                }
                name if skipped(name) => skip(r)?,
                // A text box's own paragraphs would nest here; their content is not the report's.
                "txbxContent" => skip(r)?,
                _ => level += 1,
            },
            Event::Empty(e) => match e.local() {
                "tab" | "ptab" => push(&mut lines, "\t"),
                "br" if e.attr("type") == Some("page") => {}
                "br" | "cr" => lines.push(String::new()),
                "noBreakHyphen" => push(&mut lines, "-"),
                _ => {}
            },
            Event::Text(t) if in_text => push(&mut lines, &unescape(t)),
            Event::CData(t) if in_text => push(&mut lines, &normalize_eol(t)),
            Event::End(_) => {
                in_text = false;
                if level == 0 {
                    return Ok(lines.into_iter().map(|l| l.trim().to_string()).collect());
                }
                level -= 1;
            }
            Event::Eof => {
                return Err(ExtractError::corrupt(
                    "document.xml ends inside a paragraph",
                ))
            }
            _ => {}
        }
    }
}

fn push(lines: &mut [String], s: &str) {
    if let Some(last) = lines.last_mut() {
        last.push_str(s);
    }
}
