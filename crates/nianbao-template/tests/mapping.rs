//! The template mapping on small documents whose values were decided by hand, one quirk each.
use nianbao_core::{Block, Cell, Document, Provenance, Table};
use nianbao_template::{convert, Key, Num, Record, Source};

fn text_doc(text: &str) -> Document {
    let mut d = Document::default();
    for (i, l) in text.lines().enumerate() {
        if !l.trim().is_empty() {
            d.push_paragraph(l, Provenance::line(i as u32 + 1));
        }
    }
    d
}

fn run(doc: &Document) -> Record {
    convert(
        doc,
        Source {
            path: "t.txt".into(),
            ..Default::default()
        },
    )
}

fn count(r: &Record, key: Key) -> Option<i64> {
    r.get(key).and_then(Num::as_count)
}

const ACTIVE_2019: &str = "\
某县某镇人民政府2020年政府信息公开工作年度报告
一、总体情况
本年度主动公开信息 1351 条。
二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量
规章\t／\t/\t—
规范性文件\t１２\t1，204\t1,351
第二十条第（五）项
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政许可\t12\t-3\t1,204
其他对外管理服务事项\t7\t2
第二十条第（八）项
信息内容\t上一年项目数量\t本年增/减
行政事业性收费\t4\t－1
第二十条第（九）项
信息内容\t采购项目数量\t采购总金额
政府集中采购\t3\t80056元
三、收到和处理政府信息公开申请情况
五、存在的主要问题及改进情况
无。
六、其他需要报告的事项
无。
某县某镇人民政府
2021年1月20日
";

#[test]
fn table_two_quirks() {
    let r = run(&text_doc(ACTIVE_2019));
    // `／ / —` placeholders: null, never 0.
    assert_eq!(r.get(Key::ACTIVE_RULES_MADE), None);
    assert_eq!(r.get(Key::ACTIVE_RULES_TOTAL), None);
    // Full-width digits and both thousands separators.
    assert_eq!(count(&r, Key::ACTIVE_NORMATIVE_MADE), Some(12));
    assert_eq!(count(&r, Key::ACTIVE_NORMATIVE_PUBLISHED), Some(1204));
    assert_eq!(count(&r, Key::ACTIVE_NORMATIVE_TOTAL), Some(1351));
    // Negative 本年增/减, ASCII and full-width minus.
    assert_eq!(count(&r, Key::ACTIVE_LICENSING_CHANGE), Some(-3));
    assert_eq!(count(&r, Key::ACTIVE_LICENSING_DECISIONS), Some(1204));
    assert_eq!(count(&r, Key::ACTIVE_FEES_CHANGE), Some(-1));
    // Two numbers for three columns: not attributed, and said so.
    assert_eq!(r.get(Key::ACTIVE_OTHER_SERVICES_PREV_ITEMS), None);
    assert_eq!(r.get(Key::ACTIVE_OTHER_SERVICES_DECISIONS), None);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("其他对外管理服务事项")),
        "{:?}",
        r.warnings
    );
    // 元 → 万元, raw text kept.
    assert_eq!(
        r.get(Key::ACTIVE_PROCUREMENT_AMOUNT_WAN),
        Some(Num::Wan(8.0056))
    );
    assert_eq!(
        r.raw
            .get(Key::ACTIVE_PROCUREMENT_AMOUNT_WAN)
            .map(String::as_str),
        Some("80056元")
    );
    assert_eq!(count(&r, Key::ACTIVE_PROCUREMENT_ITEMS), Some(3));
    // Metadata.
    assert_eq!(r.report.template.as_deref(), Some("2019"));
    assert_eq!(r.report.year, Some(2020));
    assert_eq!(r.report.agency.as_deref(), Some("某县某镇人民政府"));
    assert_eq!(r.report.published.as_deref(), Some("2021-01-20"));
    assert_eq!(r.sections.problems.as_deref(), Some("无。"));
    assert_eq!(r.status.as_str(), "partial");
}

/// 表三 of a 2021 report as a real table with vertically merged group labels: only the first
/// row of each group carries the group cell, as DOCX and HTML give it.
fn table_three() -> Table {
    let rows: Vec<(&str, [i64; 7])> = vec![
        ("一、本年新收政府信息公开申请数量", [10, 2, 0, 0, 1, 0, 13]),
        ("二、上年结转政府信息公开申请数量", [1, 0, 0, 0, 0, 0, 1]),
        ("（一）予以公开", [5, 1, 0, 0, 1, 0, 7]),
        (
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            [1, 0, 0, 0, 0, 0, 1],
        ),
        ("1.属于国家秘密", [0; 7]),
        ("2.其他法律行政法规禁止公开", [0; 7]),
        ("3.危及“三安全一稳定”", [0; 7]),
        ("4.保护第三方合法权益", [1, 0, 0, 0, 0, 0, 1]),
        ("5.属于三类内部事务信息", [0; 7]),
        ("6.属于四类过程性信息", [0; 7]),
        ("7.属于行政执法案卷", [0; 7]),
        ("8.属于行政查询事项", [0; 7]),
        ("1.本机关不掌握相关政府信息", [2, 1, 0, 0, 0, 0, 3]),
        ("2.没有现成信息需要另行制作", [0; 7]),
        ("3.补正后申请内容仍不明确", [0; 7]),
        ("1.信访举报投诉类申请", [0; 7]),
        ("2.重复申请", [1, 0, 0, 0, 0, 0, 1]),
        ("3.要求提供公开出版物", [0; 7]),
        ("4.无正当理由大量反复申请", [0; 7]),
        ("5.要求行政机关确认或重新出具已获取信息", [0; 7]),
        (
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            [0; 7],
        ),
        (
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            [0; 7],
        ),
        ("3.其他", [0; 7]),
        ("（七）总计", [10, 2, 0, 0, 1, 0, 13]),
        ("四、结转下年度继续办理", [1, 0, 0, 0, 0, 0, 1]),
    ];
    let mut t = Table::default();
    for (ri, (label, vals)) in rows.iter().enumerate() {
        let mut row = Vec::new();
        // Group cells (vertically merged) appear only on their first row.
        let group = match ri {
            2 => Some("三、本年度办理结果"),
            4 => Some("（三）不予公开"),
            12 => Some("（四）无法提供"),
            15 => Some("（五）不予处理"),
            20 => Some("（六）其他处理"),
            _ => None,
        };
        if let Some(g) = group {
            row.push(Cell {
                text: g.into(),
                col: 0,
                col_span: 1,
                row_span: 3,
                prov: Provenance::default(),
            });
        }
        row.push(Cell::new(*label, 1, Provenance::default()));
        for (c, v) in vals.iter().enumerate() {
            // One blank cell: 信访 row, 法律服务机构 column.
            let text = if ri == 15 && c == 4 {
                String::new()
            } else {
                v.to_string()
            };
            row.push(Cell::new(text, 2 + c, Provenance::default()));
        }
        t.rows.push(row);
    }
    t.fix_width();
    t
}

#[test]
fn table_three_from_a_real_table() {
    let mut d =
        text_doc("某区人民政府2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况");
    d.blocks.push(Block::Table(table_three()));
    d.push_paragraph(
        "四、政府信息公开行政复议、行政诉讼情况",
        Provenance::default(),
    );
    let r = run(&d);
    assert_eq!(count(&r, Key::APPLICATIONS_NEW_TOTAL), Some(13));
    assert_eq!(count(&r, Key::APPLICATIONS_NEW_LEGAL_SERVICE), Some(1));
    assert_eq!(count(&r, Key::APPLICATIONS_GRANTED_TOTAL), Some(7));
    assert_eq!(
        count(&r, Key::APPLICATIONS_DENIED_THIRD_PARTY_NATURAL_PERSON),
        Some(1)
    );
    assert_eq!(
        count(&r, Key::APPLICATIONS_UNABLE_NOT_HELD_ENTERPRISE),
        Some(1)
    );
    assert_eq!(
        count(&r, Key::APPLICATIONS_REJECTED_DUPLICATE_TOTAL),
        Some(1)
    );
    assert_eq!(count(&r, Key::APPLICATIONS_OTHER_MISC_TOTAL), Some(0));
    assert_eq!(
        count(&r, Key::APPLICATIONS_CARRY_FORWARD_NATURAL_PERSON),
        Some(1)
    );
    // The blank cell is null; its neighbours are read by position.
    assert_eq!(
        r.get(Key::APPLICATIONS_REJECTED_PETITION_LEGAL_SERVICE),
        None
    );
    assert_eq!(
        count(&r, Key::APPLICATIONS_REJECTED_PETITION_OTHER_ORG),
        Some(0)
    );
    // 2021 rows are split: the combined 2019 row stays null.
    assert_eq!(r.get(Key::APPLICATIONS_OTHER_COMBINED_TOTAL), None);
    let check = |rule: &str| r.checks.iter().find(|c| c.rule == rule).map(|c| c.ok);
    assert_eq!(check("balance"), Some(true));
    assert_eq!(check("outcome_total"), Some(true));
    assert_eq!(check("row_total"), Some(true));
}

#[test]
fn inconsistent_totals_are_kept_and_reported() {
    let mut t = table_three();
    // The report's own 总计 says 12 where its rows add up to 13.
    t.rows[23][7].text = "12".into();
    let mut d = text_doc("三、收到和处理政府信息公开申请情况");
    d.blocks.push(Block::Table(t));
    let r = run(&d);
    assert_eq!(count(&r, Key::APPLICATIONS_TOTAL_TOTAL), Some(12));
    let row_total = r.checks.iter().find(|c| c.rule == "row_total").unwrap();
    assert!(!row_total.ok);
    assert!(
        row_total
            .detail
            .contains("total: columns sum to 13, total says 12"),
        "{}",
        row_total.detail
    );
}

#[test]
fn prose_is_not_a_report() {
    let r = run(&text_doc("床前明月光\n疑是地上霜\n举头望明月\n低头思故乡"));
    assert_eq!(r.status.as_str(), "failed");
    assert_eq!(r.error.unwrap().kind.as_str(), "not_a_report");
}
