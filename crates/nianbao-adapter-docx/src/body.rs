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
//!
//! Events are byte slices of the part's text (quick-xml 0.41): names are matched as bytes and
//! only the text a reader sees is turned into `&str` (decision 0016).
use nianbao_core::word_table::{Item, Merge, RawCell, RawRow, RawTable};
use nianbao_core::ExtractError;
use quick_xml::events::{BytesRef, BytesStart, BytesText, Event};
use std::borrow::Cow;

/// A pull reader over the text of one part.
pub type Reader<'a> = quick_xml::Reader<&'a [u8]>;

/// Tables nested deeper than this are skipped (a hostile file could nest without end).
const MAX_DEPTH: usize = 24;

/// What the walk found besides content.
#[derive(Debug, Default)]
pub struct Walk {
    pub items: Vec<Item>,
    pub warnings: Vec<String>,
}

/// A reader of `xml` that keeps a bare `&` as text, as Word and WPS Office read it.
pub fn reader(xml: &str) -> Reader<'_> {
    let mut r = Reader::from_str(xml);
    r.config_mut().allow_dangling_amp = true;
    r
}

fn xml_err(r: &Reader, e: impl Into<quick_xml::Error>) -> ExtractError {
    let e = e.into();
    ExtractError::corrupt(format!(
        "document.xml is not well-formed XML near byte {}: {e}",
        r.error_position()
    ))
}

/// The next event, or the error with the place where reading stopped.
fn next<'a>(r: &mut Reader<'a>) -> Result<Event<'a>, ExtractError> {
    r.read_event().map_err(|e| xml_err(r, e))
}

/// An element's name without its namespace prefix: `w:p` → `p`.
fn local<'e>(e: &'e BytesStart) -> &'e [u8] {
    unprefixed(e.name().0)
}

/// A name without its namespace prefix. Names are a few bytes: a plain loop, not a vectorised
/// search.
fn unprefixed(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The raw value of the attribute whose local name is `name` (`w:val` for `val`). The value is
/// a slice of the part's text, so it is UTF-8; a value that were not would read as absent.
pub fn attr<'e>(e: &'e BytesStart, name: &[u8]) -> Option<Cow<'e, str>> {
    let value = e
        .attributes()
        .with_checks(false)
        .map_while(Result::ok)
        .find(|a| unprefixed(a.key.0) == name)?
        .value;
    match value {
        Cow::Borrowed(b) => std::str::from_utf8(b).ok().map(Cow::Borrowed),
        Cow::Owned(b) => String::from_utf8(b).ok().map(Cow::Owned),
    }
}

/// The text of a text event with line ends normalised (the part is one `&str`, so a slice
/// between markup is UTF-8; the check is kept rather than trusted).
fn content<'a>(r: &Reader, t: &BytesText<'a>) -> Result<Cow<'a, str>, ExtractError> {
    t.xml10_content().map_err(|e| xml_err(r, e))
}

/// The text a reference in character data stands for (`&amp;`, `&#x4E00;`); an unknown named
/// one, or a number that is no character, stands for nothing. What only looks like one (`& 乙;`,
/// a name with characters no name has) is text, as Word shows it.
fn reference(r: &BytesRef) -> Cow<'static, str> {
    let name = String::from_utf8_lossy(r);
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '#') {
        let text = format!("&{name};");
        let normalised = BytesText::from_escaped(text.as_str())
            .xml10_content()
            .map(Cow::into_owned);
        return Cow::Owned(normalised.unwrap_or(text));
    }
    let c = if r.is_char_ref() {
        r.resolve_char_ref().ok().flatten()
    } else {
        match &*name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => None,
        }
    };
    c.map_or(Cow::Borrowed(""), |c| Cow::Owned(c.to_string()))
}

/// Walks the whole document part.
pub fn walk(xml: &str) -> Result<Walk, ExtractError> {
    let mut r = reader(xml);
    let mut w = Walk::default();
    let mut saw_body = false;
    loop {
        match next(&mut r)? {
            Event::Start(e) if local(&e) == b"body" => {
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
fn skipped(name: &[u8]) -> bool {
    matches!(
        name,
        b"pPr"
            | b"rPr"
            | b"sectPr"
            | b"tblPr"
            | b"tblPrEx"
            | b"sdtPr"
            | b"sdtEndPr"
            | b"del"
            | b"moveFrom"
            | b"instrText"
            | b"delText"
            | b"drawing"
            | b"pict"
            | b"object"
            | b"Fallback"
            | b"footnoteReference"
            | b"commentReference"
            | b"bookmarkStart"
            | b"bookmarkEnd"
            | b"proofErr"
    )
}

/// Reads past the element `e` just opened.
fn skip(r: &mut Reader, e: &BytesStart) -> Result<(), ExtractError> {
    match r.read_to_end(e.name()) {
        Ok(_) => Ok(()),
        Err(err) => Err(xml_err(r, err)),
    }
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
        match next(r)? {
            Event::Start(e) => match local(&e) {
                b"p" => items.extend(paragraph(r)?.into_iter().map(Item::Paragraph)),
                b"tbl" if depth >= MAX_DEPTH => {
                    warnings.push(format!(
                        "a table nested more than {MAX_DEPTH} deep was skipped"
                    ));
                    skip(r, &e)?;
                }
                b"tbl" => items.push(Item::Table(table(r, depth + 1, warnings)?)),
                b"tcPr" => match cell.as_deref_mut() {
                    Some(c) => cell_properties(r, c)?,
                    None => skip(r, &e)?,
                },
                name if skipped(name) => skip(r, &e)?,
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
        let (e, opened) = match next(r)? {
            Event::Start(e) if matches!(local(&e), b"gridSpan" | b"vMerge" | b"hMerge") => {
                (e, true)
            }
            // Borders, margins, shading, tracked changes: nothing of the table's shape.
            Event::Start(e) => {
                skip(r, &e)?;
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
        match local(&e) {
            b"gridSpan" => {
                cell.grid_span = attr(&e, b"val")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(1)
            }
            b"vMerge" => cell.v_merge = merge_value(&e),
            b"hMerge" => cell.h_merge = merge_value(&e),
            _ => {}
        }
    }
}

/// `<w:vMerge/>` without a value continues a merge; `w:val="restart"` starts one.
fn merge_value(e: &BytesStart) -> Merge {
    match attr(e, b"val").as_deref() {
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
        match next(r)? {
            Event::Start(e) => match local(&e) {
                b"tr" => t.rows.push(row(r, depth, warnings)?),
                b"tblGrid" => level += 1,
                name if skipped(name) => skip(r, &e)?,
                b"gridCol" => {
                    t.grid_cols += 1;
                    skip(r, &e)?;
                }
                // Row-level content controls and custom XML: walk through.
                _ => level += 1,
            },
            Event::Empty(e) if local(&e) == b"gridCol" => t.grid_cols += 1,
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
        match next(r)? {
            Event::Start(e) => match local(&e) {
                b"tc" => {
                    let mut cell = RawCell::default();
                    cell.items = blocks(r, depth, Some(&mut cell), warnings)?;
                    row.cells.push(cell);
                }
                name if skipped(name) => skip(r, &e)?,
                // trPr, sdt, sdtContent, customXml, ins: walk through.
                _ => level += 1,
            },
            Event::Empty(e) => match local(&e) {
                b"gridBefore" => {
                    row.grid_before = attr(&e, b"val")
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0)
                }
                b"tc" => row.cells.push(RawCell::default()),
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
        match next(r)? {
            Event::Start(e) => match local(&e) {
                b"t" => {
                    in_text = true;
                    level += 1;
                }
                name if skipped(name) => skip(r, &e)?,
                // A text box's own paragraphs would nest here; their content is not the report's.
                b"txbxContent" => skip(r, &e)?,
                _ => level += 1,
            },
            Event::Empty(e) => match local(&e) {
                b"tab" | b"ptab" => push(&mut lines, "\t"),
                b"br" if attr(&e, b"type").as_deref() == Some("page") => {}
                b"br" | b"cr" => lines.push(String::new()),
                b"noBreakHyphen" => push(&mut lines, "-"),
                _ => {}
            },
            Event::Text(t) if in_text => push(&mut lines, &content(r, &t)?),
            Event::GeneralRef(g) if in_text => push(&mut lines, &reference(&g)),
            Event::CData(t) if in_text => {
                let t = t.xml10_content().map_err(|e| xml_err(r, e))?;
                push(&mut lines, &t)
            }
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
