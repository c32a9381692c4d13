//! `reports.xlsx`, for the offices that check their reports in Excel, WPS or LibreOffice:
//! - 汇总: one row per document (source, status, metadata, key totals, failed checks);
//! - 校验: one row per failed part of a check, with what disagrees and the cells concerned;
//! - 表二, 表三, 表四: one row per document and one column per key of that table, headed by the
//!   form's Chinese section, row and column labels, the cells of a failed check filled red.
//!
//! Headers are frozen and filtered. Every text is written as a string, so a text that begins
//! with `=`, `+`, `-` or `@` is never a formula. A `null` is a blank cell, never 0.
use crate::cells::{self, Failure};
use crate::Doc;
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

pub fn write(path: &Path, docs: &[Doc]) -> io::Result<()> {
    crate::write_aside(path, |tmp| {
        build(docs)
            .and_then(|mut wb| wb.save(tmp))
            .map_err(|e| crate::failed(path, e))
    })
}

fn build(docs: &[Doc]) -> Result<Workbook, XlsxError> {
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
    let failures: Vec<Vec<Failure>> = docs.iter().map(cells::failures).collect();
    let mut wb = Workbook::new();
    summary(
        wb.add_worksheet().set_name("汇总")?,
        docs,
        &failures,
        &styles,
    )?;
    checks(
        wb.add_worksheet().set_name("校验")?,
        docs,
        &failures,
        &styles,
    )?;
    for (name, prefix) in TABLE_SHEETS {
        let defs: Vec<&KeyDef> = keys::all()
            .iter()
            .filter(|d| d.key.starts_with(prefix))
            .collect();
        table(
            wb.add_worksheet().set_name(name)?,
            docs,
            &failures,
            &defs,
            &styles,
        )?;
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
    d: &Doc,
    key: &str,
    failed: bool,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let v = d.cell(key).and_then(|c| c.value.as_f64());
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

fn summary(
    ws: &mut Worksheet,
    docs: &[Doc],
    failures: &[Vec<Failure>],
    styles: &Styles,
) -> Result<(), XlsxError> {
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
    headers(ws, 0, &columns, styles)?;
    ws.set_row_height(0, 60)?;
    for (i, d) in docs.iter().enumerate() {
        let row = i as u32 + 1;
        doc_columns(ws, row, i, d)?;
        opt_string(ws, row, 5, d.format.as_deref())?;
        ws.write_string(row, 6, &d.status)?;
        opt_string(ws, row, 7, d.error_kind.as_deref())?;
        opt_string(ws, row, 8, d.error_message.as_deref())?;
        opt_string(ws, row, 9, d.published.as_deref())?;
        opt_string(ws, row, 10, d.title.as_deref())?;
        let failed = failed_keys(&failures[i]);
        for (j, k) in TOTALS.iter().enumerate() {
            let marked = failed.contains(k);
            value(ws, row, 11 + j as u16, d, k.name(), marked, styles)?;
        }
        let n_failed = d.failed_checks().count();
        let col = 11 + TOTALS.len() as u16;
        if n_failed > 0 {
            ws.write_number_with_format(row, col, n_failed as f64, &styles.failed)?;
        } else {
            ws.write_number(row, col, 0.0)?;
        }
        ws.write_number(row, col + 1, d.warnings.len() as f64)?;
    }
    finish(ws, 0, docs.len() as u32, columns.len() as u16, 2)
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

fn checks(
    ws: &mut Worksheet,
    docs: &[Doc],
    failures: &[Vec<Failure>],
    styles: &Styles,
) -> Result<(), XlsxError> {
    let mut columns = doc_headers();
    columns.push(("规则".into(), 14.0));
    columns.push(("不一致之处".into(), 70.0));
    columns.push(("涉及单元格".into(), 60.0));
    headers(ws, 0, &columns, styles)?;
    let mut row = 0;
    for (i, d) in docs.iter().enumerate() {
        for f in &failures[i] {
            row += 1;
            doc_columns(ws, row, i, d)?;
            ws.write_string(row, 5, &f.rule)?;
            ws.write_string(row, 6, &f.detail)?;
            let labels: Vec<String> = f.keys.iter().map(|k| key_label(k.def())).collect();
            ws.write_string(row, 7, labels.join("；"))?;
        }
    }
    finish(ws, 0, row, columns.len() as u16, 2)
}

/// One of the form's tables: three header rows (section, row and column labels) above the key.
fn table(
    ws: &mut Worksheet,
    docs: &[Doc],
    failures: &[Vec<Failure>],
    defs: &[&KeyDef],
    styles: &Styles,
) -> Result<(), XlsxError> {
    const KEY_ROW: u32 = 3;
    let mut columns = doc_headers();
    let first = columns.len() as u16;
    for d in defs {
        columns.push((d.key.to_string(), 14.0));
    }
    headers(ws, KEY_ROW, &columns, styles)?;
    for (j, d) in defs.iter().enumerate() {
        let col = first + j as u16;
        ws.write_string_with_format(0, col, d.section, &styles.header)?;
        ws.write_string_with_format(1, col, d.row, &styles.header)?;
        ws.write_string_with_format(2, col, d.column, &styles.header)?;
    }
    for r in 0..3 {
        for c in 0..first {
            ws.write_blank(r, c, &styles.header)?;
        }
    }
    ws.set_row_height(0, 45)?;
    ws.set_row_height(1, 75)?;
    ws.set_row_height(2, 45)?;
    for (i, d) in docs.iter().enumerate() {
        let row = KEY_ROW + 1 + i as u32;
        doc_columns(ws, row, i, d)?;
        let failed = failed_keys(&failures[i]);
        for (j, def) in defs.iter().enumerate() {
            let col = first + j as u16;
            let marked = failed.contains(&Key::from(*def));
            value(ws, row, col, d, def.key, marked, styles)?;
        }
    }
    finish(ws, KEY_ROW, docs.len() as u32, columns.len() as u16, 2)
}
