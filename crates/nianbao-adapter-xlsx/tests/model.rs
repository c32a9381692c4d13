//! The document model read from the spreadsheet fixtures, checked against the layout drawn in
//! them (xtask/fixturegen): sheets, cell texts, merges as spans, provenance, formulas.
use nianbao_adapter_xlsx::XlsxAdapter;
use nianbao_core::{Adapter, Block, Cell, Document, Input, Limits, Table};
use std::path::Path;

fn read(name: &str) -> Document {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/xlsx")
        .join(name);
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        XlsxAdapter.sniff(&bytes),
        "{name} not sniffed as a spreadsheet"
    );
    XlsxAdapter
        .extract(&Input {
            bytes: &bytes,
            path: name,
            limits: &Limits::default(),
        })
        .unwrap()
}

fn tables(d: &Document) -> Vec<&Table> {
    d.tables().collect()
}

fn at(t: &Table, r: usize, c: usize) -> &Cell {
    t.rows[r]
        .iter()
        .find(|x| x.col == c)
        .unwrap_or_else(|| panic!("no cell at {r},{c}: {:?}", t.rows[r]))
}

/// The same multi-sheet workbook as xlsx (rust_xlsxwriter), xls and ods (LibreOffice).
#[test]
fn one_report_over_several_sheets_in_three_formats() {
    for name in ["baihe-2022.xlsx", "baihe-2022.xls", "baihe-2022.ods"] {
        let d = read(name);
        assert!(d.warnings.is_empty(), "{name}: {:?}", d.warnings);
        let Block::Paragraph(title) = &d.blocks[0] else {
            panic!("{name}: no title")
        };
        assert_eq!(
            title.text, "临江市白河县人民政府2022年政府信息公开工作年度报告",
            "{name}"
        );
        assert_eq!(title.prov.sheet.as_deref(), Some("总体情况"), "{name}");
        let t = tables(&d);
        assert_eq!(t.len(), 3, "{name}");
        assert_eq!(
            (t[0].n_cols, t[1].n_cols, t[2].n_cols),
            (4, 10, 15),
            "{name}"
        );
        // Numbers stored as numbers read as written: whole numbers without ".0", money as is.
        assert_eq!(at(t[0], 6, 1).text, "3571", "{name}");
        assert_eq!(
            (at(t[0], 13, 1).text.as_str(), at(t[0], 13, 1).col_span),
            ("12.0468", 3),
            "{name}"
        );
        // 表三 on its own sheet; spans from merged regions; provenance in sheet coordinates.
        let r3 = at(t[1], 5, 0);
        assert_eq!(
            (r3.text.as_str(), r3.row_span),
            ("三、本年度办理结果", 22),
            "{name}"
        );
        assert_eq!(
            (at(t[1], 0, 0).col_span, at(t[1], 0, 0).row_span),
            (3, 3),
            "{name}"
        );
        let granted = at(t[1], 5, 3);
        assert_eq!(granted.text, "20", "{name}");
        assert_eq!(granted.prov.sheet.as_deref(), Some("依申请公开"), "{name}");
        assert_eq!(
            (granted.prov.row, granted.prov.col, granted.prov.table),
            (Some(7), Some(3), Some(1)),
            "{name}"
        );
        // Blank 科研机构 cells of （五）不予处理 stay as empty cells.
        let duplicate: Vec<&str> = t[1].rows[19].iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            duplicate,
            ["2.重复申请", "1", "0", "", "0", "0", "1", "2"],
            "{name}"
        );
        assert_eq!(at(t[2], 3, 4).text, "2", "{name}");
        assert_eq!(
            at(t[2], 3, 4).prov.sheet.as_deref(),
            Some("复议诉讼"),
            "{name}"
        );
    }
}

#[test]
fn all_tables_on_one_sheet_with_formulas_and_text_numbers() {
    let d = read("shuiting-2019.xlsx");
    let t = tables(&d);
    assert_eq!(t.len(), 3);
    assert!(t
        .iter()
        .all(|t| t.prov.sheet.as_deref() == Some("年度报告")));
    // 表二's numbers are text cells; the money cell spans two columns.
    assert_eq!(at(t[0], 7, 2).text, "-3");
    assert_eq!(
        (at(t[0], 17, 2).text.as_str(), at(t[0], 17, 2).col_span),
        ("84.3", 2)
    );
    // Totals are formulas: their cached values are read.
    assert_eq!(at(t[1], 3, 9).text, "16");
    assert_eq!(at(t[1], 24, 3).text, "14");
    // 行政复议 总计 has no cached value: blank, and a warning names the cell.
    assert_eq!(at(t[2], 3, 4).text, "");
    assert_eq!(at(t[2], 3, 4).prov.row, Some(60));
    assert_eq!(d.warnings.len(), 1);
    assert!(
        d.warnings[0].contains("no cached value") && d.warnings[0].contains("E61"),
        "{:?}",
        d.warnings
    );
}
