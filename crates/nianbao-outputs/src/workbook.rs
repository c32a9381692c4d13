//! `reports.xlsx`, for the offices that check their reports in Excel, WPS or LibreOffice:
//! - 汇总: one row per document (source, status, metadata, key totals, failed checks);
//! - 校验: one row per failed part of a check, with what disagrees and the cells concerned;
//! - 表二, 表三, 表四: one row per document and one column per key of that table, headed by the
//!   form's Chinese section, row and column labels, the cells of a failed check filled red.
//!
//! Headers are frozen and filtered. Every text is written as a string, so a text that begins
//! with `=`, `+`, `-` or `@` is never a formula. A `null` is a blank cell, never 0.
use crate::cells::{self, Failure};
use crate::{Cell, Doc, Records};
use nianbao_template::keys::{self, KeyDef};
use nianbao_template::Key;
use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, Worksheet, XlsxError};
use std::collections::HashSet;
use std::io;
use std::path::Path;

/// The sheets of the form's three tables, with the key prefix of each.
pub const TABLE_SHEETS: [(&str, &str); 3] = [
    ("表二", "active."),
    ("表三", "applications."),
    ("表四", "appeals."),
];

/// The totals shown on the 汇总 sheet.
const TOTALS: [Key; 7] = [
    Key::APPLICATIONS_NEW_TOTAL,
    Key::APPLICATIONS_CARRIED_OVER_TOTAL,
    Key::APPLICATIONS_TOTAL_TOTAL,
    Key::APPLICATIONS_CARRY_FORWARD_TOTAL,
    Key::APPEALS_REVIEW_TOTAL,
    Key::APPEALS_LITIGATION_DIRECT_TOTAL,
    Key::APPEALS_LITIGATION_AFTER_REVIEW_TOTAL,
];

/// The columns that describe a document, first on every sheet.
const DOC_COLUMNS: [(&str, f64); 5] = [
    ("序号", 6.0),
    ("来源路径", 48.0),
    ("机关", 28.0),
    ("年度", 7.0),
    ("模板", 7.0),
];

/// [`DOC_COLUMNS`] as the start of a sheet's header list, which each sheet extends.
fn doc_headers() -> Vec<(String, f64)> {
    DOC_COLUMNS
        .iter()
        .map(|(n, w)| (n.to_string(), *w))
        .collect()
}

struct Styles {
    header: Format,
    failed: Format,
}

/// Writes `reports.xlsx` from the records as they arrive: each sheet is written row by row to
/// a temporary file (rust_xlsxwriter's low-memory mode), so that memory stays flat however
/// many documents there are.
pub fn write(path: &Path, records: Records) -> io::Result<()> {
    crate::write_aside(path, |tmp| {
        build(records)
            .map_err(|e| match e {
                Stop::Read(e) => e,
                Stop::Xlsx(e) => crate::failed(path, e),
            })?
            .save(tmp)
            .map_err(|e| crate::failed(path, e))
    })
}

/// Why the workbook was not finished: the records stopped, or the writer failed.
enum Stop {
    Read(io::Error),
    Xlsx(XlsxError),
}

impl From<XlsxError> for Stop {
    fn from(e: XlsxError) -> Self {
        Stop::Xlsx(e)
    }
}

fn build(records: Records) -> Result<Workbook, Stop> {
    let styles = Styles {
        header: Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_background_color(Color::RGB(0xDDEBF7)),
        failed: Format::new()
            .set_background_color(Color::RGB(0xFFC7CE))
            .set_font_color(Color::RGB(0x9C0006)),
    };
    let mut wb = Workbook::new();
    // Compressing the sheets' XML was a third of the workbook's time at the default level (6);
    // level 3 takes half as long for a file an eighth larger (10,000 documents: 7.6 MB
    // against 6.8 MB; level 1 made 11.4 MB).
    wb.set_zip_compression_level(3);
    let mut summary = Summary::start(wb.new_worksheet_with_low_memory()?, &styles)?;
    let mut checks = Checks::start(wb.new_worksheet_with_low_memory()?, &styles)?;
    let mut tables = Vec::new();
    for (name, prefix) in TABLE_SHEETS {
        let defs: Vec<&'static KeyDef> = keys::all()
            .iter()
            .filter(|d| d.key.starts_with(prefix))
            .collect();
        let mut ws = wb.new_worksheet_with_low_memory()?;
        ws.set_name(name)?;
        tables.push(Table::start(ws, defs, &styles)?);
    }
    let mut i = 0;
    for batch in records {
        for d in batch.map_err(Stop::Read)?.iter() {
            let failures = cells::failures(d);
            let failed = failed_keys(&failures);
            summary.add(i, d, &failed, &styles)?;
            checks.add(i, d, &failures)?;
            for t in &mut tables {
                t.add(i, d, &failed, &styles)?;
            }
            i += 1;
        }
    }
    wb.push_worksheet(summary.finish(i)?);
    wb.push_worksheet(checks.finish()?);
    for t in tables {
        wb.push_worksheet(t.finish(i)?);
    }
    Ok(wb)
}

/// Writes the header row `row` and the widths of `columns`.
fn headers(
    ws: &mut Worksheet,
    row: u32,
    columns: &[(String, f64)],
    styles: &Styles,
) -> Result<(), XlsxError> {
    for (c, (name, width)) in columns.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, name, &styles.header)?;
        ws.set_column_width(c as u16, *width)?;
    }
    Ok(())
}

fn opt_string(ws: &mut Worksheet, row: u32, col: u16, s: Option<&str>) -> Result<(), XlsxError> {
    if let Some(s) = s {
        ws.write_string(row, col, s)?;
    }
    Ok(())
}

/// The columns of [`DOC_COLUMNS`] for document `i`.
fn doc_columns(ws: &mut Worksheet, row: u32, i: usize, d: &Doc) -> Result<(), XlsxError> {
    ws.write_number(row, 0, (i + 1) as f64)?;
    ws.write_string(row, 1, &d.path)?;
    opt_string(ws, row, 2, d.agency.as_deref())?;
    if let Some(y) = d.year {
        ws.write_number(row, 3, y as f64)?;
    }
    opt_string(ws, row, 4, d.template.as_deref())
}

/// A key's value, red when a failed check is about it (a blank red cell when it is null).
fn value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: Option<&Cell>,
    failed: bool,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let v = cell.and_then(|c| c.value.as_f64());
    match (v, failed) {
        (Some(v), false) => ws.write_number(row, col, v)?,
        (Some(v), true) => ws.write_number_with_format(row, col, v, &styles.failed)?,
        (None, true) => ws.write_blank(row, col, &styles.failed)?,
        (None, false) => ws,
    };
    Ok(())
}

/// The keys any failed check of a document is about.
fn failed_keys(f: &[Failure]) -> HashSet<Key> {
    f.iter().flat_map(|f| f.keys.iter().copied()).collect()
}

/// A key's header: its form row and column, as the form labels them.
pub fn key_label(d: &KeyDef) -> String {
    format!("{}｜{}", d.row, d.column)
}

/// The 汇总 sheet: one row per document.
struct Summary {
    ws: Worksheet,
    columns: u16,
}

impl Summary {
    fn start(mut ws: Worksheet, styles: &Styles) -> Result<Self, XlsxError> {
        ws.set_name("汇总")?;
        let mut columns = doc_headers();
        for (n, w) in [
            ("格式", 7.0),
            ("状态", 9.0),
            ("错误类型", 14.0),
            ("错误信息", 30.0),
            ("发布日期", 11.0),
            ("标题", 40.0),
        ] {
            columns.push((n.to_string(), w));
        }
        for k in TOTALS {
            columns.push((key_label(k.def()), 14.0));
        }
        columns.push(("未通过校验".into(), 10.0));
        columns.push(("警告".into(), 8.0));
        ws.set_row_height(0, 60)?;
        headers(&mut ws, 0, &columns, styles)?;
        Ok(Summary {
            ws,
            columns: columns.len() as u16,
        })
    }

    fn add(
        &mut self,
        i: usize,
        d: &Doc,
        failed: &HashSet<Key>,
        styles: &Styles,
    ) -> Result<(), XlsxError> {
        let ws = &mut self.ws;
        let row = i as u32 + 1;
        doc_columns(ws, row, i, d)?;
        opt_string(ws, row, 5, d.format.as_deref())?;
        ws.write_string(row, 6, &d.status)?;
        opt_string(ws, row, 7, d.error_kind.as_deref())?;
        opt_string(ws, row, 8, d.error_message.as_deref())?;
        opt_string(ws, row, 9, d.published.as_deref())?;
        opt_string(ws, row, 10, d.title.as_deref())?;
        for (j, k) in TOTALS.iter().enumerate() {
            value(
                ws,
                row,
                11 + j as u16,
                d.cell(*k),
                failed.contains(k),
                styles,
            )?;
        }
        let n_failed = d.failed_checks().count();
        let col = 11 + TOTALS.len() as u16;
        if n_failed > 0 {
            ws.write_number_with_format(row, col, n_failed as f64, &styles.failed)?;
        } else {
            ws.write_number(row, col, 0.0)?;
        }
        ws.write_number(row, col + 1, d.warnings.len() as f64)?;
        Ok(())
    }

    fn finish(mut self, docs: usize) -> Result<Worksheet, XlsxError> {
        finish(&mut self.ws, 0, docs as u32, self.columns, 2)?;
        Ok(self.ws)
    }
}

/// Freezes the headers (rows up to `header_row`) and the first `fixed` columns, and filters.
fn finish(
    ws: &mut Worksheet,
    header_row: u32,
    rows: u32,
    columns: u16,
    fixed: u16,
) -> Result<(), XlsxError> {
    ws.set_freeze_panes(header_row + 1, fixed)?;
    ws.autofilter(header_row, 0, header_row + rows.max(1), columns - 1)?;
    Ok(())
}

/// The 校验 sheet: one row per failed part of a check.
struct Checks {
    ws: Worksheet,
    columns: u16,
    row: u32,
}

impl Checks {
    fn start(mut ws: Worksheet, styles: &Styles) -> Result<Self, XlsxError> {
        ws.set_name("校验")?;
        let mut columns = doc_headers();
        columns.push(("规则".into(), 14.0));
        columns.push(("不一致之处".into(), 70.0));
        columns.push(("涉及单元格".into(), 60.0));
        headers(&mut ws, 0, &columns, styles)?;
        Ok(Checks {
            ws,
            columns: columns.len() as u16,
            row: 0,
        })
    }

    fn add(&mut self, i: usize, d: &Doc, failures: &[Failure]) -> Result<(), XlsxError> {
        let ws = &mut self.ws;
        for f in failures {
            self.row += 1;
            let row = self.row;
            doc_columns(ws, row, i, d)?;
            ws.write_string(row, 5, &f.rule)?;
            ws.write_string(row, 6, &f.detail)?;
            let labels: Vec<String> = f.keys.iter().map(|k| key_label(k.def())).collect();
            ws.write_string(row, 7, labels.join("；"))?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Worksheet, XlsxError> {
        finish(&mut self.ws, 0, self.row, self.columns, 2)?;
        Ok(self.ws)
    }
}

/// One of the form's tables: three header rows (section, row and column labels) above the key.
struct Table {
    ws: Worksheet,
    defs: Vec<&'static KeyDef>,
    columns: u16,
}

impl Table {
    const KEY_ROW: u32 = 3;

    fn start(
        mut ws: Worksheet,
        defs: Vec<&'static KeyDef>,
        styles: &Styles,
    ) -> Result<Self, XlsxError> {
        let mut columns = doc_headers();
        let first = columns.len() as u16;
        for d in &defs {
            columns.push((d.key.to_string(), 14.0));
        }
        // Row by row, top to bottom: a row is written out once the next one is begun.
        ws.set_row_height(0, 45)?;
        ws.set_row_height(1, 75)?;
        ws.set_row_height(2, 45)?;
        for r in 0..3 {
            for c in 0..first {
                ws.write_blank(r, c, &styles.header)?;
            }
            for (j, d) in defs.iter().enumerate() {
                let label = [d.section, d.row, d.column][r as usize];
                ws.write_string_with_format(r, first + j as u16, label, &styles.header)?;
            }
        }
        headers(&mut ws, Self::KEY_ROW, &columns, styles)?;
        Ok(Table {
            ws,
            defs,
            columns: columns.len() as u16,
        })
    }

    fn add(
        &mut self,
        i: usize,
        d: &Doc,
        failed: &HashSet<Key>,
        styles: &Styles,
    ) -> Result<(), XlsxError> {
        let ws = &mut self.ws;
        let row = Self::KEY_ROW + 1 + i as u32;
        doc_columns(ws, row, i, d)?;
        let first = DOC_COLUMNS.len() as u16;
        // The document's cells and the table's keys are both in the order of keys.tsv.
        let mut cells = d.cells.iter().peekable();
        for (j, def) in self.defs.iter().enumerate() {
            while cells.next_if(|c| c.def.id < def.id).is_some() {}
            let cell = cells.next_if(|c| c.def.id == def.id);
            value(
                ws,
                row,
                first + j as u16,
                cell,
                failed.contains(&Key::from(*def)),
                styles,
            )?;
        }
        Ok(())
    }

    fn finish(mut self, docs: usize) -> Result<Worksheet, XlsxError> {
        finish(&mut self.ws, Self::KEY_ROW, docs as u32, self.columns, 2)?;
        Ok(self.ws)
    }
}
