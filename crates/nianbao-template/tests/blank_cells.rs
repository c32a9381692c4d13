//! Real tables whose cells are left blank, as web pages and office documents publish them: a
//! blank cell is null at its position and the row's other values are read, whatever columns
//! (the 总计 among them) were left blank.
use nianbao_core::{Block, Cell, Document, Provenance, Table};
use nianbao_template::keys::row;
use nianbao_template::{convert, Key, Num, Record, Source};

/// A table row from cell texts, one grid column each; "" is a blank cell.
fn row(cells: &[&str]) -> Vec<Cell> {
    cells
        .iter()
        .enumerate()
        .map(|(c, t)| Cell::new(*t, c, Provenance::default()))
        .collect()
}

fn table(rows: &[&[&str]]) -> Block {
    let mut t = Table {
        rows: rows.iter().map(|r| row(r)).collect(),
        ..Default::default()
    };
    t.fix_width();
    Block::Table(t)
}

fn record() -> Record {
    let mut d = Document::default();
    d.push_paragraph(
        "某区人民政府2019年政府信息公开工作年度报告",
        Provenance::default(),
    );
    d.push_paragraph("三、收到和处理政府信息公开申请情况", Provenance::default());
    // 表三 as the 上海市人民政府办公厅 2019 page gives it: the 总计 column is blank on most
    // rows, and so are the columns to its left.
    d.blocks.push(table(&[
        &[
            "",
            "自然人",
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他",
            "总计",
        ],
        &[
            "一、本年新收政府信息公开申请数量",
            "821",
            "35",
            "",
            "",
            "2",
            "1",
            "859",
        ],
        &[
            "二、上年结转政府信息公开申请数量",
            "18",
            "",
            "",
            "",
            "",
            "",
            "18",
        ],
        &["（一）予以公开", "258", "12", "", "", "1", "1", ""],
        &[
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            "3",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        &[
            "1.本机关不掌握相关政府信息",
            "252",
            "12",
            "",
            "",
            "1",
            "",
            "",
        ],
        &["1.信访举报投诉类申请", "148", "1", "", "", "", "", ""],
        &["（七）总计", "767", "35", "", "", "2", "1", "805"],
    ]));
    d.push_paragraph(
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        Provenance::default(),
    );
    // 表四: its last group (复议后起诉) all blank.
    d.blocks.push(table(&[
        &["行政复议", "行政诉讼"],
        &[
            "5", "", "", "2", "7", "8", "", "", "1", "9", "", "", "", "", "",
        ],
    ]));
    d.push_paragraph(
        "五、政府信息公开工作存在的主要问题及改进情况",
        Provenance::default(),
    );
    convert(
        &d,
        Source {
            path: "t.html".into(),
            ..Default::default()
        },
    )
}

fn count(r: &Record, key: Key) -> Option<i64> {
    r.get(key).and_then(Num::as_count)
}

#[test]
fn rows_with_blank_trailing_cells_keep_their_values() {
    let r = record();
    // A row's keys: natural_person, enterprise, research, public_interest, legal_service,
    // other_org, total.
    let row = |keys: [Key; 7]| -> Vec<Option<i64>> { keys.map(|k| count(&r, k)).to_vec() };
    assert_eq!(
        row(row::APPLICATIONS_GRANTED),
        [Some(258), Some(12), None, None, Some(1), Some(1), None]
    );
    assert_eq!(
        row(row::APPLICATIONS_PARTIAL),
        [Some(3), None, None, None, None, None, None]
    );
    assert_eq!(
        row(row::APPLICATIONS_UNABLE_NOT_HELD),
        [Some(252), Some(12), None, None, Some(1), None, None]
    );
    assert_eq!(
        row(row::APPLICATIONS_REJECTED_PETITION),
        [Some(148), Some(1), None, None, None, None, None]
    );
    assert_eq!(
        row(row::APPLICATIONS_NEW),
        [Some(821), Some(35), None, None, Some(2), Some(1), Some(859)]
    );
    assert!(
        !r.warnings
            .iter()
            .any(|w| w.contains("values where the template")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn appeals_with_a_blank_group_are_read() {
    let r = record();
    // Each group: upheld, corrected, other, pending, total.
    let got: Vec<Option<i64>> = [
        &row::APPEALS_REVIEW[..],
        &row::APPEALS_LITIGATION_DIRECT,
        &[
            Key::APPEALS_LITIGATION_AFTER_REVIEW_UPHELD,
            Key::APPEALS_LITIGATION_AFTER_REVIEW_TOTAL,
        ],
    ]
    .concat()
    .into_iter()
    .map(|k| count(&r, k))
    .collect();
    assert_eq!(
        got,
        [
            Some(5),
            None,
            None,
            Some(2),
            Some(7),
            Some(8),
            None,
            None,
            Some(1),
            Some(9),
            None,
            None
        ]
    );
}

#[test]
fn a_tab_separated_copy_keeps_its_trailing_blank_cells() {
    // The same rows copied from the page as tab-separated text: the blank cells after the last
    // value are tabs, and hold their places too.
    let text = "某区人民政府2019年政府信息公开工作年度报告\n\
        三、收到和处理政府信息公开申请情况\n\
        \t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n\
        （一）予以公开\t258\t12\t\t\t1\t1\t\n\
        1.本机关不掌握相关政府信息\t252\t12\t\t\t1\t\t\n\
        四、因政府信息公开工作被申请行政复议、提起行政诉讼情况\n\
        5\t\t\t2\t7\t8\t\t\t1\t9\t\t\t\t\t\n\
        五、政府信息公开工作存在的主要问题及改进情况\n";
    let mut d = Document::default();
    for (i, l) in text.lines().enumerate() {
        d.push_paragraph(l, Provenance::line(i as u32 + 1));
    }
    let r = convert(
        &d,
        Source {
            path: "t.tsv".into(),
            ..Default::default()
        },
    );
    assert_eq!(
        count(&r, Key::APPLICATIONS_GRANTED_NATURAL_PERSON),
        Some(258)
    );
    assert_eq!(count(&r, Key::APPLICATIONS_GRANTED_OTHER_ORG), Some(1));
    assert_eq!(count(&r, Key::APPLICATIONS_GRANTED_TOTAL), None);
    assert_eq!(
        count(&r, Key::APPLICATIONS_UNABLE_NOT_HELD_LEGAL_SERVICE),
        Some(1)
    );
    assert_eq!(count(&r, Key::APPLICATIONS_UNABLE_NOT_HELD_OTHER_ORG), None);
    assert_eq!(count(&r, Key::APPEALS_REVIEW_UPHELD), Some(5));
    assert_eq!(count(&r, Key::APPEALS_LITIGATION_DIRECT_TOTAL), Some(9));
    assert_eq!(count(&r, Key::APPEALS_LITIGATION_AFTER_REVIEW_TOTAL), None);
}
