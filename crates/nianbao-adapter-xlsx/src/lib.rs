//! Spreadsheets: .xlsx (and .xlsm), legacy .xls and OpenDocument .ods, read with calamine
//! behind the zip guard ([`guard`]). Every sheet, in workbook order, becomes paragraphs and
//! tables (see [`nianbao_core::grid`]); merged regions become cell spans; formulas contribute
//! their cached value.
//!
//! Password-protected .xlsx files are compound files with an `EncryptionInfo` stream; the docx
//! adapter claims those (one adapter reports `encrypted` for both formats).
mod guard;
mod ods_spans;
mod value;

pub use value::{cell_text, number};

use calamine::{Cell, Data, DataRef, Range, Reader};
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
        // The package of an xlsx or ods, opened once: the guard checks it before calamine reads
        // anything, and it serves the parts read besides calamine.
        let mut package = match kind {
            Kind::Xls => None,
            Kind::Xlsx | Kind::Ods => Some(guard::check_zip(input.bytes, input.limits)?),
        };
        let doc = read_with_calamine(kind, input, package.as_mut())?;
        finish(doc, package.as_mut())
    }
}

/// The workbook read by calamine (`package`: the guard's, for an xlsx or ods).
fn read_with_calamine(
    kind: Kind,
    input: &Input,
    package: Option<&mut guard::Package>,
) -> Result<Document, ExtractError> {
    let bytes = input.bytes;
    let mut doc = Document::default();
    let cursor = Cursor::new(bytes);
    match (kind, package) {
        (Kind::Xlsx, _) => {
            let mut wb = calamine::Xlsx::new(cursor).map_err(|e| open_error(&e.to_string()))?;
            // Merged regions are a second parse of the whole sheet part: read only for a sheet
            // that has cells for them to span.
            let merges = |wb: &mut calamine::Xlsx<_>, name: &str| {
                wb.merge_cells_by_sheet_name(name)
                    .map(|m| dims(&m))
                    .unwrap_or_default()
            };
            for name in &wb.sheet_names() {
                match values_and_formulas(&mut wb, name) {
                    Some(read) => {
                        let (values, formulas) = read?;
                        let merges = match values.start() {
                            Some(_) => merges(&mut wb, name),
                            None => Vec::new(),
                        };
                        sheet_blocks(name, values, Some(formulas), merges, &mut doc)?
                    }
                    None => read_sheet(&mut wb, name, merges, &mut doc)?,
                }
            }
        }
        (Kind::Xls, _) => {
            let mut wb = calamine::Xls::new(cursor).map_err(|e| open_error(&e.to_string()))?;
            let merges = |wb: &mut calamine::Xls<_>, name: &str| {
                wb.merge_cells_by_sheet_name(name)
                    .map(|m| dims(&m))
                    .unwrap_or_default()
            };
            for name in &wb.sheet_names() {
                read_sheet(&mut wb, name, merges, &mut doc)?;
            }
        }
        (Kind::Ods, Some(package)) => {
            let content = guard::read_part(package, "content.xml", input.limits)?;
            let mut spans = ods_spans::merges(&String::from_utf8_lossy(&content));
            let mut wb = calamine::Ods::new(cursor).map_err(|e| open_error(&e.to_string()))?;
            for name in &wb.sheet_names() {
                let merges = spans.remove(name).unwrap_or_default();
                read_sheet(&mut wb, name, |_, _| merges, &mut doc)?;
            }
        }
        (Kind::Ods, None) => {
            return Err(ExtractError::corrupt("not a valid spreadsheet package"));
        }
    }
    Ok(doc)
}

fn finish(
    mut doc: Document,
    package: Option<&mut guard::Package>,
) -> Result<Document, ExtractError> {
    if doc.blocks.is_empty() {
        return Err(ExtractError::not_a_report(
            "the workbook has no worksheet with content",
        ));
    }
    doc.title = package.and_then(stored_title);
    Ok(doc)
}

/// The package's title property (`docProps/core.xml`, an ODS's `meta.xml`): a fallback for the
/// report's metadata only, so a part that cannot be read is no title.
fn stored_title(zip: &mut guard::Package) -> Option<String> {
    use std::io::Read;
    for name in ["docProps/core.xml", "meta.xml"] {
        let Ok(part) = zip.by_name(name) else {
            continue;
        };
        let mut xml = Vec::new();
        part.take(nianbao_core::props::MAX_PROPS_BYTES)
            .read_to_end(&mut xml)
            .ok()?;
        return nianbao_core::props::dc_title(&xml);
    }
    None
}

/// An XML element's name without its namespace prefix.
fn local_name<'e>(e: &'e quick_xml::events::BytesStart) -> &'e str {
    let name = e.name().0;
    name.rsplit(':').next().unwrap_or(name)
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

/// Whether an error comes from the bytes of a part (an I/O error underneath: a part that
/// inflates past its declared size, a bad checksum, a damaged deflate stream).
fn damaged(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(e) = cause {
        // quick-xml shares its I/O errors behind an Arc.
        if e.is::<std::io::Error>() || e.is::<std::sync::Arc<std::io::Error>>() {
            return true;
        }
        cause = e.source();
    }
    false
}

/// Reads one sheet into blocks; a sheet that cannot be read (a chart sheet) is a warning, a
/// sheet whose part is damaged makes the workbook corrupt.
fn read_sheet<R, RS>(
    wb: &mut R,
    name: &str,
    merges: impl FnOnce(&mut R, &str) -> Vec<Merge>,
    doc: &mut Document,
) -> Result<(), ExtractError>
where
    R: Reader<RS>,
    R::Error: std::error::Error + 'static,
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
            if damaged(&e) {
                return Err(ExtractError::corrupt(format!(
                    "sheet {name}: its part is damaged: {message}"
                )));
            }
            doc.warnings
                .push(format!("sheet {name}: not read ({message})"));
            return Ok(());
        }
    };
    if range.start().is_none() || too_many_cells(&range) {
        // Empty, or refused below before its formulas and merged regions are read.
        return sheet_blocks(name, range, None, Vec::new(), doc);
    }
    let merges = merges(wb, name);
    let formulas = wb.worksheet_formula(name).ok();
    sheet_blocks(name, range, formulas, merges, doc)
}

fn too_many_cells(range: &Range<Data>) -> bool {
    let (height, width) = range.get_size();
    check_size("", height, width).is_err()
}

/// One sheet's values and formulas, as calamine reads them.
type SheetCells = (Range<Data>, Range<String>);

/// An xlsx sheet's values and formulas in one pass over its XML, as `worksheet_range` and
/// `worksheet_formula` read them in two (the formulas pass was a tenth of an xlsx's time), or
/// the error of a sheet too large, found before a range of its size is allocated. `None` on
/// anything unexpected: the caller then takes the two passes, with their own handling of
/// errors.
fn values_and_formulas<RS: std::io::Read + std::io::Seek>(
    wb: &mut calamine::Xlsx<RS>,
    name: &str,
) -> Option<Result<SheetCells, ExtractError>> {
    let mut cells = wb.worksheet_cells_reader(name).ok()?;
    let (mut values, mut formulas) = (Vec::new(), Vec::new());
    while let Some(cell) = cells.next_cell_with_formula().ok()? {
        if let Some(f) = cell.formula.filter(|f| !f.is_empty()) {
            formulas.push(Cell::new(cell.pos, f));
        }
        if cell.value != DataRef::Empty {
            values.push(Cell::new(cell.pos, Data::from(cell.value)));
        }
    }
    for (height, width) in [span(&values), span(&formulas)] {
        if let Err(e) = check_size(name, height, width) {
            return Some(Err(e));
        }
    }
    Some(Ok((
        Range::from_sparse(values),
        Range::from_sparse(formulas),
    )))
}

/// The height and width of the smallest range holding these cells (what
/// [`Range::from_sparse`] allocates).
fn span<T: calamine::CellType>(cells: &[Cell<T>]) -> (usize, usize) {
    let mut positions = cells.iter().map(Cell::get_position);
    let Some((r, c)) = positions.next() else {
        return (0, 0);
    };
    let (mut rows, mut cols) = ((r, r), (c, c));
    for (r, c) in positions {
        rows = (rows.0.min(r), rows.1.max(r));
        cols = (cols.0.min(c), cols.1.max(c));
    }
    let len = |(first, last): (u32, u32)| (last - first) as usize + 1;
    (len(rows), len(cols))
}

/// The blocks of one sheet read (with the warning about uncached formulas when they were read).
fn sheet_blocks(
    name: &str,
    range: Range<Data>,
    formulas: Option<Range<String>>,
    merges: Vec<Merge>,
    doc: &mut Document,
) -> Result<(), ExtractError> {
    let Some(origin) = range.start() else {
        return Ok(());
    };
    let (height, width) = range.get_size();
    check_size(name, height, width)?;
    let mut text = vec![vec![String::new(); width]; height];
    for (r, row) in range.rows().enumerate() {
        for (c, d) in row.iter().enumerate() {
            text[r][c] = cell_text(d);
        }
    }
    if let Some(f) = &formulas {
        warn_uncached(name, &range, f, doc);
    }
    push_sheet(name, origin, text, merges, doc);
    Ok(())
}

/// A sheet of `height` x `width` places is refused above [`MAX_CELLS`].
fn check_size(name: &str, height: usize, width: usize) -> Result<(), ExtractError> {
    if height.saturating_mul(width) <= MAX_CELLS {
        return Ok(());
    }
    Err(ExtractError::new(
        ErrorKind::TooLarge,
        format!("sheet {name} spans {height} x {width} cells, over the limit of {MAX_CELLS}"),
    ))
}

/// A sheet's text grid, from `origin`, as blocks of the document.
fn push_sheet(
    name: &str,
    origin: (u32, u32),
    text: Vec<Vec<String>>,
    merges: Vec<Merge>,
    doc: &mut Document,
) {
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
}

/// A formula whose writer stored no result shows nothing until recalculated: the cell stays
/// blank (never an invented value) and the document gets a warning.
fn warn_uncached(name: &str, values: &Range<Data>, formulas: &Range<String>, doc: &mut Document) {
    let Some(fs) = formulas.start() else { return };
    let cells = formulas.used_cells().map(|(r, c, f)| {
        let (row, col) = (fs.0 + r as u32, fs.1 + c as u32);
        ((row, col), f, values.get_value((row, col)))
    });
    warn_blank_formulas(name, cells, doc);
}

/// The warning for formula cells, in sheet order, whose value is blank.
fn warn_blank_formulas<'a>(
    name: &str,
    cells: impl Iterator<Item = ((u32, u32), &'a String, Option<&'a Data>)>,
    doc: &mut Document,
) {
    let mut missing = Vec::new();
    for ((row, col), f, value) in cells {
        if f.trim().is_empty() {
            continue;
        }
        let blank = match value {
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

    /// A minimal xlsx package around one sheet's XML.
    fn xlsx_with_sheet(sheet: &str) -> Vec<u8> {
        xlsx_with(sheet, None, None)
    }

    /// A minimal xlsx package around one sheet's XML, with shared strings and styles parts.
    fn xlsx_with(sheet: &str, strings: Option<&str>, styles: Option<&str>) -> Vec<u8> {
        use std::io::Write;
        let parts = [
            ("[Content_Types].xml", Some("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>")),
            ("_rels/.rels", Some("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>")),
            ("xl/workbook.xml", Some("<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"表1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")),
            ("xl/_rels/workbook.xml.rels", Some("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>")),
            ("xl/worksheets/sheet1.xml", Some(sheet)),
            ("xl/sharedStrings.xml", strings),
            ("xl/styles.xml", styles),
        ];
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, text) in parts {
            let Some(text) = text else { continue };
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn sheet_xml(cells: &str) -> String {
        format!("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\">{cells}</row></sheetData></worksheet>")
    }

    /// The adapter's reading of these bytes, with the default limits.
    fn extract(bytes: &[u8]) -> Result<Document, ExtractError> {
        let input = Input {
            bytes,
            path: "t.xlsx",
            limits: &Default::default(),
        };
        XlsxAdapter.extract(&input)
    }

    fn first_row(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
        let doc = extract(bytes).unwrap();
        let row = doc
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Table(t) => Some(t.rows[0].iter().map(|c| c.text.clone()).collect()),
                _ => None,
            })
            .unwrap_or_default();
        (row, doc.warnings)
    }

    #[test]
    fn values_and_formulas_come_from_one_pass_or_else_from_two() {
        // A formula without a cached value: one pass reads both, and the warning names it.
        let bytes = xlsx_with_sheet(&sheet_xml(
            "<c r=\"A1\"><v>7</v></c><c r=\"B1\"><f>A1*2</f><v>14</v></c><c r=\"C1\"><f>A1+B1</f></c>",
        ));
        let mut wb = calamine::Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        let (values, formulas) = values_and_formulas(&mut wb, "表1").unwrap().unwrap();
        assert_eq!(values.get_value((0, 1)), Some(&Data::Float(14.0)));
        assert_eq!(
            formulas.get_value((0, 2)).map(String::as_str),
            Some("A1+B1")
        );
        let (row, warnings) = first_row(&bytes);
        assert_eq!(row, ["7", "14"], "a formula without a value adds no cell");
        assert!(warnings.iter().any(|w| w.contains("C1")), "{warnings:?}");
        // A shared formula without its index stops the one pass; the two passes still read
        // every value (and, as before, give up on the formulas quietly).
        let bytes = xlsx_with_sheet(&sheet_xml(
            "<c r=\"A1\"><v>7</v></c><c r=\"B1\"><f t=\"shared\" ref=\"B1:B2\">A1*2</f><v>14</v></c>",
        ));
        let mut wb = calamine::Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        assert!(values_and_formulas(&mut wb, "表1").is_none());
        let (row, warnings) = first_row(&bytes);
        assert_eq!(row, ["7", "14"]);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    const STRINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"4\" uniqueCount=\"4\"><si><t>  依申请公开 </t></si><si><r><rPr><b/><sz val=\"11\"/></rPr><t xml:space=\"preserve\">新收 </t></r><r><t> 申请 &amp; 数量 </t></r><phoneticPr fontId=\"1\"/></si><si/><si><t/></si></sst>";
    const STYLES: &str = "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"0.0\"/></numFmts><cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs count=\"5\"><xf numFmtId=\"0\" fontId=\"0\"/><xf numFmtId=\"2\"><alignment wrapText=\"1\"/></xf><xf fontId=\"1\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/></cellXfs></styleSheet>";

    #[test]
    fn shared_strings_and_dates_are_read_as_a_person_sees_them() {
        // A shared string with surrounding spaces, and a number in a date format.
        let cells = "<c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" s=\"3\"><v>45000</v></c>";
        let bytes = xlsx_with(&sheet_xml(cells), Some(STRINGS), Some(STYLES));
        let (row, _) = first_row(&bytes);
        assert_eq!(row, ["依申请公开", "2023-03-15"]);
    }

    #[test]
    fn a_sheet_too_large_is_refused_before_its_grid_is_allocated() {
        // Two cells 9,999,998 rows and 18,277 columns apart: a grid of them would not fit.
        for first in [
            "<c r=\"A1\"><v>1</v></c>",
            "<c r=\"A1\" s=\"3\"><v>45000</v></c>",
        ] {
            let cells = format!("{first}<c r=\"ZZZ9999999\"><v>2</v></c>");
            let bytes = xlsx_with(&sheet_xml(&cells), None, Some(STYLES));
            let err = extract(&bytes).unwrap_err();
            assert_eq!(err.kind, ErrorKind::TooLarge);
            assert_eq!(
                err.message,
                "sheet 表1 spans 9999999 x 18278 cells, over the limit of 4000000"
            );
        }
    }

    #[test]
    fn a_sheet_part_that_lies_about_its_size_makes_the_workbook_corrupt() {
        // The sheet's declared size, in both headers, cut to 100 bytes of the ~1,000 it holds:
        // the guard passes it (its declared size and ratio are fine), the zip reader stops it.
        let cells: String = (1..=40)
            .map(|r| format!("<c r=\"A{r}\"><v>{r}</v></c>"))
            .collect();
        let mut bytes = xlsx_with_sheet(&sheet_xml(&cells));
        let name = b"xl/worksheets/sheet1.xml";
        for (sig, size_at) in [(&b"PK\x03\x04"[..], 22), (&b"PK\x01\x02"[..], 24)] {
            let name_at = if sig[2] == 3 { 30 } else { 46 };
            let at = (0..bytes.len() - 4)
                .find(|&i| bytes[i..].starts_with(sig) && bytes[i + name_at..].starts_with(name))
                .unwrap();
            bytes[at + size_at..at + size_at + 4].copy_from_slice(&100u32.to_le_bytes());
        }
        let err = extract(&bytes).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Corrupt, "{err:?}");
        assert!(
            err.message.starts_with("sheet 表1: its part is damaged:")
                && err
                    .message
                    .contains("larger than its declared uncompressed size"),
            "{err:?}"
        );
    }

    #[test]
    fn an_ods_gets_its_merged_spans_from_the_package_the_guard_opened() {
        // LibreOffice's content.xml of this workbook: on sheet 依申请公开, the note about the
        // column's sums spans 3 columns and 3 rows (table:number-columns-spanned="3"
        // table:number-rows-spanned="3").
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let bytes = std::fs::read(fixtures.join("xlsx/baihe-2022.ods")).unwrap();
        let doc = extract(&bytes).unwrap();
        let note = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .flat_map(|t| t.rows.iter().flatten())
            .find(|c| c.text.starts_with("（本列数据的勾稽关系"))
            .expect("the note is a table cell");
        assert_eq!((note.col_span, note.row_span), (3, 3), "{note:?}");
    }

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
