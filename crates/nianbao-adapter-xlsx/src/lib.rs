//! Spreadsheets: .xlsx (and .xlsm), legacy .xls and OpenDocument .ods, read with calamine.
//! Every sheet, in workbook order, becomes paragraphs and tables (see [`nianbao_core::grid`]); merged
//! regions become cell spans; formulas contribute their cached value.
//!
//! Password-protected .xlsx files are compound files with an `EncryptionInfo` stream; the docx
//! adapter claims those (one adapter reports `encrypted` for both formats).
mod guard;
mod ods_spans;
mod value;

pub use value::{cell_text, number};

use calamine::{Data, Range, Reader};
use nianbao_core::grid::{self, Merge, SheetGrid};
use nianbao_core::{sniff, Adapter, Block, Document, ErrorKind, ExtractError, Input};
use std::io::Cursor;

/// Cells of one sheet above this are refused (a hostile used range must not allocate).
const MAX_CELLS: usize = 4_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Xlsx,
    Xls,
    Ods,
}

/// The spreadsheet flavour of these bytes, if any.
pub fn kind(bytes: &[u8]) -> Option<Kind> {
    if sniff::is_zip(bytes) {
        if sniff::zip_has_entry(bytes, "xl/workbook.xml") {
            return Some(Kind::Xlsx);
        }
        // ODF puts an uncompressed `mimetype` entry first; its content follows the local header.
        let ods = b"application/vnd.oasis.opendocument.spreadsheet";
        if sniff::zip_has_entry(bytes, "mimetype")
            && bytes[..bytes.len().min(200)]
                .windows(ods.len())
                .any(|w| w == ods)
        {
            return Some(Kind::Ods);
        }
        return None;
    }
    if !sniff::is_cfb(bytes) {
        return None;
    }
    // A compound file is a workbook when its root holds one (a .doc or .ppt may mention
    // `Book` anywhere in its bytes); when the directory is unreadable (a truncated .xls), the
    // names in the raw bytes decide, so that the file still fails here as corrupt.
    let has = |name: &str| match nianbao_core::cfb::root_names(bytes) {
        Some(names) => names.iter().any(|n| n == name),
        None => sniff::has_utf16le(bytes, name),
    };
    let workbook = (has("Workbook") || has("Book")) && !has("EncryptionInfo");
    workbook.then_some(Kind::Xls)
}

pub struct XlsxAdapter;

impl Adapter for XlsxAdapter {
    fn name(&self) -> &'static str {
        "xlsx"
    }
    fn describe(&self) -> &'static str {
        "spreadsheets .xlsx/.xlsm, legacy .xls and .ods: every sheet, merged cells, cached formula values"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn priority(&self) -> u32 {
        30
    }
    fn sniff(&self, bytes: &[u8]) -> bool {
        kind(bytes).is_some()
    }
    fn extract(&self, input: &Input<'_>) -> Result<Document, ExtractError> {
        let Some(kind) = kind(input.bytes) else {
            return Err(ExtractError::new(
                ErrorKind::UnsupportedFormat,
                "not an xlsx, xls or ods spreadsheet",
            ));
        };
        // Formulas are read unless the guard saw none anywhere in an xlsx package.
        let formulas = match kind {
            Kind::Xls => true,
            Kind::Xlsx => guard::check_zip(input.bytes, input.limits)?.formulas,
            Kind::Ods => {
                guard::check_zip(input.bytes, input.limits)?;
                true
            }
        };
        let mut doc = Document::default();
        let cursor = Cursor::new(input.bytes);
        match kind {
            Kind::Xlsx => {
                let mut wb = calamine::Xlsx::new(cursor).map_err(|e| open_error(&e.to_string()))?;
                let names = wb.sheet_names();
                for name in &names {
                    let merges = wb
                        .merge_cells_by_sheet_name(name)
                        .map(|m| dims(&m))
                        .unwrap_or_default();
                    read_sheet(&mut wb, name, merges, formulas, &mut doc)?;
                }
            }
            Kind::Xls => {
                let mut wb = calamine::Xls::new(cursor).map_err(|e| open_error(&e.to_string()))?;
                for name in &wb.sheet_names() {
                    let merges = wb
                        .merge_cells_by_sheet_name(name)
                        .map(|m| dims(&m))
                        .unwrap_or_default();
                    read_sheet(&mut wb, name, merges, true, &mut doc)?;
                }
            }
            Kind::Ods => {
                let content = guard::read_part(input.bytes, "content.xml", input.limits)?;
                let mut spans = ods_spans::merges(&String::from_utf8_lossy(&content));
                let mut wb = calamine::Ods::new(cursor).map_err(|e| open_error(&e.to_string()))?;
                for name in &wb.sheet_names() {
                    let merges = spans.remove(name).unwrap_or_default();
                    read_sheet(&mut wb, name, merges, true, &mut doc)?;
                }
            }
        }
        if doc.blocks.is_empty() {
            return Err(ExtractError::not_a_report(
                "the workbook has no worksheet with content",
            ));
        }
        Ok(doc)
    }
}

fn dims(d: &[calamine::Dimensions]) -> Vec<Merge> {
    d.iter()
        .map(|d| Merge {
            first_row: d.start.0,
            first_col: d.start.1,
            last_row: d.end.0,
            last_col: d.end.1,
        })
        .collect()
}

fn open_error(message: &str) -> ExtractError {
    let lower = message.to_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        ExtractError::encrypted(format!("password-protected workbook: {message}"))
    } else {
        ExtractError::corrupt(format!("cannot open the workbook: {message}"))
    }
}

/// Reads one sheet into blocks; a sheet that cannot be read (a chart sheet) is a warning.
fn read_sheet<R, RS>(
    wb: &mut R,
    name: &str,
    merges: Vec<Merge>,
    formulas: bool,
    doc: &mut Document,
) -> Result<(), ExtractError>
where
    R: Reader<RS>,
    R::Error: std::fmt::Display,
    RS: std::io::Read + std::io::Seek,
{
    let range = match wb.worksheet_range(name) {
        Ok(r) => r,
        Err(e) => {
            let message = e.to_string();
            if message.to_lowercase().contains("password") {
                return Err(ExtractError::encrypted(format!(
                    "password-protected workbook: {message}"
                )));
            }
            doc.warnings
                .push(format!("sheet {name}: not read ({message})"));
            return Ok(());
        }
    };
    let Some(origin) = range.start() else {
        return Ok(());
    };
    let (height, width) = range.get_size();
    if height.saturating_mul(width) > MAX_CELLS {
        return Err(ExtractError::new(
            ErrorKind::TooLarge,
            format!("sheet {name} spans {height} x {width} cells, over the limit of {MAX_CELLS}"),
        ));
    }
    let formulas = formulas.then(|| wb.worksheet_formula(name).ok()).flatten();
    let mut text = vec![vec![String::new(); width]; height];
    for (r, row) in range.rows().enumerate() {
        for (c, d) in row.iter().enumerate() {
            text[r][c] = cell_text(d);
        }
    }
    if let Some(f) = &formulas {
        warn_uncached(name, &range, f, doc);
    }
    let first_table_index = doc
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Table(_)))
        .count() as u32;
    let grid = SheetGrid {
        name: Some(name),
        lines: Vec::new(),
        origin,
        text,
        merges,
        first_table_index,
    };
    doc.blocks.extend(grid::blocks(&grid));
    Ok(())
}

/// A formula whose writer stored no result shows nothing until recalculated: the cell stays
/// blank (never an invented value) and the document gets a warning.
fn warn_uncached(name: &str, values: &Range<Data>, formulas: &Range<String>, doc: &mut Document) {
    let mut missing = Vec::new();
    for (r, c, f) in formulas.used_cells() {
        if f.trim().is_empty() {
            continue;
        }
        let Some(fs) = formulas.start() else { continue };
        let (row, col) = (fs.0 + r as u32, fs.1 + c as u32);
        let blank = match values.get_value((row, col)) {
            None | Some(Data::Empty) => true,
            Some(Data::String(s)) => s.is_empty(),
            Some(_) => false,
        };
        if blank {
            missing.push(format!("{}{}", column_name(col), row + 1));
        }
    }
    if !missing.is_empty() {
        doc.warnings.push(format!(
            "sheet {name}: {} formula cell(s) have no cached value and were read as blank: {}",
            missing.len(),
            missing.join(", ")
        ));
    }
}

fn column_name(mut col: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

static XLSX: XlsxAdapter = XlsxAdapter;
nianbao_core::register_adapter!(XLSX);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
    }

    #[test]
    fn sniffs_only_spreadsheets() {
        assert_eq!(kind(b"%PDF-1.7"), None);
        let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        cfb.extend("Workbook".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(kind(&cfb), Some(Kind::Xls));
        cfb.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(
            kind(&cfb),
            None,
            "encrypted files belong to the docx adapter"
        );
    }

    #[test]
    fn a_compound_file_is_a_workbook_by_its_root_not_its_text() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let xls = std::fs::read(fixtures.join("xlsx/baihe-2022.xls")).unwrap();
        assert_eq!(kind(&xls), Some(Kind::Xls));
        // A Word document that says `Book` in its text (a bookmark, a sentence) is not one.
        let mut doc = std::fs::read(fixtures.join("doc/donghu-2021.doc")).unwrap();
        assert_eq!(kind(&doc), None);
        doc.extend("Book".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(kind(&doc), None);
    }
}
