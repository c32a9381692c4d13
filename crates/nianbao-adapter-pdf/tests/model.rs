//! The document model built from the real reports in fixtures/real: rows, columns, spans and
//! provenance checked against what the PDFs show (values read off the pages by a person, and
//! listed in fixtures/real/*.expected.json).
mod common;
use common::*;
use nianbao_core::{Block, Cell};

/// The row of a table whose label cell reads `label`.
fn row_of<'d>(doc: &'d nianbao_core::Document, label: &str) -> &'d Vec<Cell> {
    tables(doc)
        .into_iter()
        .flat_map(|t| t.rows.iter())
        .find(|r| r.iter().any(|c| c.text == label))
        .unwrap_or_else(|| panic!("no row labelled {label}"))
}

/// Texts and grid columns of the cells after the label.
fn values(row: &[Cell], label: &str) -> (Vec<String>, Vec<usize>) {
    let at = row.iter().position(|c| c.text == label).unwrap();
    let after = &row[at + 1..];
    (
        after.iter().map(|c| c.text.clone()).collect(),
        after.iter().map(|c| c.col).collect(),
    )
}

#[test]
fn huaian_secret_row_has_seven_values_in_seven_columns() {
    let doc = extract("real/huaian-2024.pdf");
    let (vals, cols) = values(row_of(&doc, "1.属于国家秘密"), "1.属于国家秘密");
    assert_eq!(vals, ["2", "0", "0", "0", "0", "0", "2"]);
    let mut distinct = cols.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 7, "{cols:?}");
}

#[test]
fn huaian_wrapped_label_is_one_cell_with_its_numbers() {
    let doc = extract("real/huaian-2024.pdf");
    let label = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）";
    let (vals, _) = values(row_of(&doc, label), label);
    assert_eq!(vals, ["447", "7", "0", "0", "0", "0", "454"]);
    let label = "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请";
    let (vals, _) = values(row_of(&doc, label), label);
    assert_eq!(vals, ["67", "3", "0", "0", "1", "0", "71"]);
}

#[test]
fn huaian_vertical_label_is_one_spanning_cell() {
    let doc = extract("real/huaian-2024.pdf");
    let cell = tables(&doc)
        .into_iter()
        .flat_map(|t| t.rows.iter().flatten())
        .find(|c| c.text == "三、本年度办理结果")
        .expect("vertical label joined into one cell");
    assert!(cell.row_span >= 8, "row_span {}", cell.row_span);
    assert_eq!(cell.col, 0);
}

#[test]
fn huaian_table_three_continues_across_the_page_break() {
    let doc = extract("real/huaian-2024.pdf");
    // Rows from page 4 and page 5 end up in one table (or consecutive tables).
    let t = tables(&doc)
        .into_iter()
        .find(|t| t.rows.iter().flatten().any(|c| c.text == "1.属于国家秘密"))
        .unwrap();
    let pages: std::collections::BTreeSet<u32> = t
        .rows
        .iter()
        .flatten()
        .filter_map(|c| c.prov.page)
        .collect();
    assert_eq!(pages.into_iter().collect::<Vec<_>>(), [4, 5]);
    let (vals, _) = values(row_of(&doc, "（七）总计"), "（七）总计");
    assert_eq!(vals, ["2932", "53", "0", "0", "61", "4", "3050"]);
}

#[test]
fn page_numbers_are_not_emitted() {
    for f in [
        "real/huaian-2024.pdf",
        "real/hongze-2023.pdf",
        "real/hongze-2024.pdf",
    ] {
        let doc = extract(f);
        let text = doc.plain_text();
        for n in 1..=6 {
            assert!(
                !text.lines().any(|l| l.trim() == format!("-{n}-")),
                "{f}: page number -{n}- kept"
            );
        }
    }
}

#[test]
fn cells_carry_page_and_position() {
    let doc = extract("real/hongze-2024.pdf");
    for t in tables(&doc) {
        for c in t.rows.iter().flatten() {
            let p = &c.prov;
            assert!(
                p.page.is_some() && p.x.is_some() && p.y.is_some() && p.row.is_some(),
                "{c:?}"
            );
            assert_eq!(p.col, Some(c.col as u32));
        }
    }
    for b in &doc.blocks {
        if let Block::Paragraph(p) = b {
            assert!(p.prov.page.is_some() && p.prov.x.is_some() && p.prov.y.is_some());
        }
    }
}

#[test]
fn hongze_open_bottom_row_stays_in_the_table() {
    // Page 3 of hongze-2023 ends in a row with no bottom border (the table continues).
    let doc = extract("real/hongze-2023.pdf");
    let label = "2.没有现成信息需要另行制作";
    let (vals, _) = values(row_of(&doc, label), label);
    assert_eq!(vals, ["3", "0", "0", "0", "0", "0", "3"]);
}

#[test]
fn body_text_comes_out_in_reading_order() {
    let doc = extract("real/huaian-2024.pdf");
    let text = doc.plain_text();
    let a = text.find("一、总体情况").unwrap();
    let b = text.find("二、主动公开政府信息情况").unwrap();
    let c = text.find("六、其他需要报告的事项").unwrap();
    assert!(a < b && b < c);
    assert!(text.contains("全年收取政府信息公开信息处理费3940元"));
    assert_eq!(doc.pages, Some(6));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}
