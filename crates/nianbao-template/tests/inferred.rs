//! Agency and year of a document whose body does not state them: from its path, then from its
//! own properties, said in the record's provenance; the body always wins.
use nianbao_core::{Document, Provenance};
use nianbao_template::{convert, Record, Source};

fn doc(lines: &[&str], title: Option<&str>) -> Document {
    let mut d = Document {
        title: title.map(str::to_string),
        ..Default::default()
    };
    for l in lines {
        d.push_paragraph(*l, Provenance::default());
    }
    d
}

/// Only the tables' headings and a row: what a workbook of 附表 holds.
const TABLES_ONLY: &[&str] = &[
    "二、主动公开政府信息情况",
    "规章\t0\t0\t0",
    "三、收到和处理政府信息公开申请情况",
];

fn run(d: &Document, path: &str) -> (Record, serde_json::Value) {
    let r = convert(
        d,
        Source {
            path: path.into(),
            ..Default::default()
        },
    );
    let json = r.to_json();
    (r, json)
}

#[test]
fn a_workbook_named_after_its_report() {
    let (r, json) = run(
        &doc(TABLES_ONLY, None),
        "/data/某某县财政局2023年政府信息公开工作年度报告附表.xlsx",
    );
    assert_eq!(r.report.agency.as_deref(), Some("某某县财政局"));
    assert_eq!(r.report.year, Some(2023));
    assert_eq!(json["provenance"]["report.agency"]["from"], "path");
    assert_eq!(json["provenance"]["report.year"]["from"], "path");
}

#[test]
fn folders_of_an_archive_member_then_properties() {
    let (r, json) = run(
        &doc(
            TABLES_ONLY,
            Some("某某镇人民政府2023年政府信息公开工作年度报告"),
        ),
        "/data/2023.zip!/2023年度/年报.docx",
    );
    assert_eq!(r.report.year, Some(2023));
    assert_eq!(json["provenance"]["report.year"]["from"], "path");
    assert_eq!(r.report.agency.as_deref(), Some("某某镇人民政府"));
    assert_eq!(json["provenance"]["report.agency"]["from"], "properties");
}

#[test]
fn the_body_wins_over_the_path() {
    let mut lines = vec!["某某区人民政府2021年政府信息公开工作年度报告"];
    lines.extend_from_slice(TABLES_ONLY);
    let (r, json) = run(
        &doc(&lines, Some("2019年别的局政府信息公开工作年度报告")),
        "/data/某某县财政局2023年报告/年报.docx",
    );
    assert_eq!(r.report.agency.as_deref(), Some("某某区人民政府"));
    assert_eq!(r.report.year, Some(2021));
    assert!(json["provenance"].get("report.agency").is_none());
    assert!(json["provenance"].get("report.year").is_none());
}
