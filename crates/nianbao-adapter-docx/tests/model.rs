//! The document model read from the DOCX fixtures, checked against the layout of the official
//! form as drawn in them (xtask/fixturegen): cell texts, spans and provenance.
use nianbao_adapter_docx::DocxAdapter;
use nianbao_core::{Adapter, Cell, Document, Input, Limits, Table};
use std::path::Path;

fn read(name: &str) -> Document {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/docx")
        .join(name);
    let bytes = std::fs::read(&path).unwrap();
    assert!(DocxAdapter.sniff(&bytes), "{name} not sniffed as docx");
    DocxAdapter
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

fn paragraphs(d: &Document) -> Vec<&str> {
    d.paragraphs().collect()
}

/// The cell of `t` that starts at grid row `r`, column `c`.
fn at(t: &Table, r: usize, c: usize) -> &Cell {
    t.rows[r]
        .iter()
        .find(|x| x.col == c)
        .unwrap_or_else(|| panic!("no cell at {r},{c}: {:?}", t.rows[r]))
}

#[test]
fn word_report_tables_spans_and_provenance() {
    let d = read("donghu-2021.docx");
    let t = tables(&d);
    // 表二, 表三, and 表四 taken out of its one-cell frame.
    assert_eq!(t.len(), 3);
    assert_eq!((t[0].n_cols, t[1].n_cols, t[2].n_cols), (4, 10, 15));
    assert_eq!(t[1].rows.len(), 28);

    // 表二: 行政许可's value spans the three value columns.
    let licensing = at(t[0], 6, 1);
    assert_eq!((licensing.text.as_str(), licensing.col_span), ("12436", 3));
    // The fee amount is blank: an empty cell, not a missing one.
    assert_eq!(at(t[0], 13, 1).text, "");

    // 表三 header: 3 rows x 3 columns merged; 法人或其他组织 across 5; 自然人 down 2.
    let corner = at(t[1], 0, 0);
    assert_eq!((corner.col_span, corner.row_span), (3, 3));
    assert_eq!(
        (at(t[1], 1, 4).text.as_str(), at(t[1], 1, 4).col_span),
        ("法人或其他组织", 5)
    );
    assert_eq!(
        (at(t[1], 1, 3).text.as_str(), at(t[1], 1, 3).row_span),
        ("自然人", 2)
    );
    assert_eq!(t[1].rows[2].len(), 5, "covered cells are not repeated");
    // Row labels: 三、本年度办理结果 down 22 rows, （三）不予公开 down 8.
    let r3 = at(t[1], 5, 0);
    assert_eq!(
        (r3.text.as_str(), r3.row_span, r3.col_span),
        ("三、本年度办理结果", 22, 1)
    );
    let denied = at(t[1], 7, 1);
    assert_eq!(
        (denied.text.as_str(), denied.row_span),
        ("（三）不予公开", 8)
    );
    // A label written as two paragraphs in several runs.
    assert_eq!(
        at(t[1], 6, 1).text,
        "（二）部分公开\n（区分处理的，只计这一情形，不计其他情形）"
    );
    // 予以公开 by 自然人, and its provenance.
    let granted = at(t[1], 5, 3);
    assert_eq!(granted.text, "98");
    assert_eq!(
        (granted.prov.table, granted.prov.row, granted.prov.col),
        (Some(1), Some(5), Some(3))
    );
    // A fully blank row keeps its seven empty cells.
    let three_safety: Vec<&str> = t[1].rows[9].iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        three_safety,
        ["3.危及“三安全一稳定”", "", "", "", "", "", "", ""]
    );
    // 四、结转下年度继续办理 总计.
    assert_eq!(at(t[1], 27, 9).text, "12");

    // 表四: 15 numbers in the last row.
    let values: Vec<&str> = t[2].rows[3].iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        values,
        ["5", "1", "0", "2", "8", "3", "0", "1", "1", "5", "1", "0", "0", "1", "2"]
    );
    assert_eq!(t[2].rows[3][14].prov.table, Some(2));

    let p = paragraphs(&d);
    assert_eq!(p[0], "临江市东湖区人民政府2021年政府信息公开工作年度报告");
    assert!(p.contains(&"四、政府信息公开行政复议、行政诉讼情况"));
    // Hyperlink text and the signature inside a content control are kept.
    assert!(p.contains(
        &"本报告电子版可在“临江市东湖区人民政府”门户网站（www.donghu.gov.cn）查阅或下载。"
    ));
    assert_eq!(p[p.len() - 2..], ["临江市东湖区人民政府", "2022年1月25日"]);
}

#[test]
fn wps_report_with_table_three_split_over_two_tables() {
    let d = read("qingshan-2020.docx");
    let t = tables(&d);
    assert_eq!(t.len(), 4);
    // 2019 表二: 18 rows; （九） amount spans two columns.
    assert_eq!(t[0].rows.len(), 18);
    let amount = at(t[0], 17, 2);
    assert_eq!((amount.text.as_str(), amount.col_span), ("2316.85", 2));
    assert_eq!(at(t[0], 6, 2).text, "-9");
    // 表三 part one ends with 6.属于四类过程性信息; part two starts with 7.属于行政执法案卷,
    // without header, its level-1 and level-2 label cells restarted empty.
    assert_eq!(t[1].rows.len(), 13);
    assert_eq!(at(t[1], 12, 2).text, "6.属于四类过程性信息");
    let first: Vec<(&str, usize)> = t[2].rows[0]
        .iter()
        .take(3)
        .map(|c| (c.text.as_str(), c.row_span))
        .collect();
    assert_eq!(first, [("", 12), ("", 2), ("7.属于行政执法案卷", 1)]);
    assert_eq!(t[2].rows.len(), 13);
    assert_eq!(t[2].prov.table, Some(2));
    // Blank 科研机构 and 社会公益组织 cells stay in place.
    let row: Vec<&str> = t[2].rows[0].iter().map(|c| c.text.as_str()).collect();
    assert_eq!(row[3..], ["0", "0", "", "", "0", "0", "0"]);
    assert_eq!(at(t[2], 10, 1).text, "（六）其他处理");
    assert_eq!(at(t[2], 12, 9).text, "7");
}

#[test]
fn libreoffice_resave_keeps_the_same_content() {
    let d = read("donghu-2021-lo.docx");
    let t = tables(&d);
    assert_eq!(t.len(), 3);
    assert_eq!(at(t[1], 5, 3).text, "98");
    assert_eq!(at(t[1], 5, 0).row_span, 22);
    // LibreOffice re-derives 表四's grid from the cell widths: one column more, 总计 spans two.
    let values: Vec<&str> = t[2].rows[3].iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        values,
        ["5", "1", "0", "2", "8", "3", "0", "1", "1", "5", "1", "0", "0", "1", "2"]
    );
}
