//! The HTML adapter on the fixture pages of fixtures/html: registration and sniffing, the
//! document model of the GBK page (grid columns under merged header cells, chrome left out),
//! and every page against its hand-checked expectation through the template mapping.
use nianbao_adapter_html::HtmlAdapter;
use nianbao_core::{adapters, detect, Adapter, Document, Input, Limits, Table};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/html")
}

fn read(name: &str) -> Vec<u8> {
    let path = fixtures().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn extract(bytes: &[u8], path: &str) -> Document {
    let limits = Limits::default();
    let input = Input {
        bytes,
        path,
        limits: &limits,
    };
    HtmlAdapter
        .extract(&input)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn pages() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("html" | "htm" | "mhtml")
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn is_registered() {
    let names: Vec<&str> = adapters().iter().map(|a| a.name()).collect();
    assert!(names.contains(&"html"), "registered adapters: {names:?}");
}

#[test]
fn sniffs_pages_by_their_bytes() {
    assert!(pages().len() >= 3);
    for page in pages() {
        let bytes = std::fs::read(&page).unwrap();
        assert_eq!(
            detect(&bytes).map(|a| a.name()),
            Some("html"),
            "{}",
            page.display()
        );
    }
    let html = HtmlAdapter;
    assert!(html.sniff(b"\xef\xbb\xbf  \r\n<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">"));
    assert!(html.sniff(b"<!-- saved from url=(0043)http://www.gov.cn/ -->\n<HTML><HEAD>"));
    assert!(html.sniff(b"<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"));
    assert!(html.sniff(b"<meta http-equiv=\"Content-Type\" content=\"text/html\"><table>"));
    assert!(html.sniff(b"<TABLE border=1><TR><TD>1</TD></TR></TABLE>"));
    assert!(!html.sniff("一、总体情况\n<html> in the middle of a text".as_bytes()));
    // A CMS content field is HTML whatever the file is called.
    assert!(
        html.sniff("<p style='text-align: center;'>2019年报告</p>\t<p>一、总体情况</p>".as_bytes())
    );
    assert!(!html.sniff(b"%PDF-1.7\n<html>"));
    assert!(!html.sniff(b"PK\x03\x04"));
    assert!(!html.sniff(b""));
}

fn tables(doc: &Document) -> Vec<&Table> {
    doc.tables().collect()
}

/// (row, col, text) of every cell, for finding cells by text.
fn cells(t: &Table) -> Vec<(usize, usize, &str)> {
    t.rows
        .iter()
        .enumerate()
        .flat_map(|(r, row)| row.iter().map(move |c| (r, c.col, c.text.as_str())))
        .collect()
}

fn at(t: &Table, text: &str) -> (usize, usize) {
    let found: Vec<_> = cells(t).into_iter().filter(|c| c.2 == text).collect();
    assert_eq!(found.len(), 1, "cells with text {text:?}: {found:?}");
    (found[0].0, found[0].1)
}

#[test]
fn gbk_page_model() {
    let doc = extract(&read("shiqiao-2021-gbk.html"), "shiqiao-2021-gbk.html");
    assert_eq!(doc.encoding.as_deref(), Some("GBK"));
    // The layout tables around the report are read through: only the three report tables
    // remain, with their template shapes.
    let t = tables(&doc);
    assert_eq!(t.len(), 3, "{t:#?}");
    assert_eq!((t[0].rows.len(), t[0].n_cols), (14, 4));
    assert_eq!((t[1].rows.len(), t[1].n_cols), (29, 10)); // 28 + Word's sizing row
    assert_eq!((t[2].rows.len(), t[2].n_cols), (4, 15));

    let apps = t[1];
    assert_eq!(at(apps, "申请人情况"), (0, 3));
    assert_eq!(at(apps, "自然人"), (1, 3));
    assert_eq!(at(apps, "法人或其他组织"), (1, 4));
    assert_eq!(at(apps, "总计"), (1, 9));
    // <br> inside a cell is a line break; the rowspans above push 商业企业 to column 4.
    assert_eq!(at(apps, "商业\n企业"), (2, 4));
    assert_eq!(at(apps, "其他"), (2, 8));
    assert_eq!(at(apps, "三、本年度办理结果"), (5, 0));
    assert_eq!(at(apps, "（三）不予公开"), (7, 1));
    assert_eq!(at(apps, "1.属于国家秘密"), (7, 2));
    assert_eq!(at(apps, "8.属于行政查询事项"), (14, 2));
    assert_eq!(at(apps, "3.危及“三安全一稳定”"), (9, 2));
    // A source line break between two Chinese characters is no space.
    assert_eq!(
        at(
            apps,
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
        ),
        (6, 1)
    );
    let spans = |r: usize, i: usize| (apps.rows[r][i].col_span, apps.rows[r][i].row_span);
    assert_eq!(spans(0, 0), (3, 3));
    assert_eq!(spans(5, 0), (1, 22));
    // 8.属于行政查询事项: the blank 科研机构 cell stays, empty, in its column.
    let row: Vec<(usize, &str)> = apps.rows[14]
        .iter()
        .map(|c| (c.col, c.text.as_str()))
        .collect();
    assert_eq!(
        row,
        [
            (2, "8.属于行政查询事项"),
            (3, "5"),
            (4, "0"),
            (5, ""),
            (6, "0"),
            (7, "0"),
            (8, "0"),
            (9, "5")
        ]
    );
    let c = &apps.rows[14][3];
    assert_eq!(
        (c.prov.table, c.prov.row, c.prov.col),
        (Some(1), Some(14), Some(5))
    );

    let appeals = t[2];
    let row2: Vec<usize> = appeals.rows[2].iter().map(|c| c.col).collect();
    assert_eq!(row2, (5..15).collect::<Vec<_>>());
    assert_eq!(appeals.rows[3].len(), 15);

    let text = doc.plain_text();
    for kept in [
        "石桥县人民政府2021年政府信息公开工作年度报告",
        "发布日期：2022-01-25",
        "一、总体情况",
        "六、其他需要报告的事项",
        "2022年1月25日",
    ] {
        assert!(text.contains(kept), "{kept} missing from:\n{text}");
    }
    for chrome in [
        "当前位置",
        "首页",
        "无障碍",
        "走进石桥",
        "政府信息公开指南",
        "字号",
        "附件下载",
        "分享到",
        "打印本页",
        "关闭窗口",
        "网站地图",
        "版权所有",
        "document.write",
        "_hmt",
        "float:left",
        "o:p",
    ] {
        assert!(!text.contains(chrome), "{chrome} is in:\n{text}");
    }
}

#[test]
fn html5_page_and_its_mhtml_read_the_same() {
    let page = extract(&read("baisha-2020-utf8.html"), "baisha-2020-utf8.html");
    let saved = extract(&read("baisha-2020-saved.mhtml"), "baisha-2020-saved.mhtml");
    assert_eq!(page.blocks, saved.blocks);
    assert_eq!(page.encoding.as_deref(), Some("UTF-8"));
    let text = page.plain_text();
    // The article's own header and footer are kept, the site's are not.
    for kept in [
        "白沙镇人民政府2020年政府信息公开工作年度报告",
        "发布时间：2021-01-28",
        "一、总体情况",
        "2021年1月28日",
    ] {
        assert!(text.contains(kept), "{kept} missing from:\n{text}");
    }
    for chrome in [
        "您现在的位置",
        "办事服务",
        "相关文章",
        "版权所有",
        "not text",
        "分享",
    ] {
        assert!(!text.contains(chrome), "{chrome} is in:\n{text}");
    }
    assert!(
        text.contains("主动公开政府信息 126 条。\n全年收到"),
        "{text}"
    );
}

/// Every fixture page against its hand-checked expectation, cell by cell.
#[test]
fn fixtures_match_expectations() {
    let mut failures = Vec::new();
    for page in pages() {
        let stem = page.file_stem().unwrap().to_str().unwrap().to_string();
        let bytes = std::fs::read(&page).unwrap();
        let doc = extract(&bytes, &stem);
        let source = nianbao_template::Source {
            path: page.display().to_string(),
            format: Some("html".into()),
            bytes: bytes.len() as u64,
            ..Default::default()
        };
        let record = nianbao_template::convert(&doc, source);
        let expected = page.with_file_name(format!("{stem}.expected.json"));
        let score = nianbao_template::expected::compare_file(&record, &expected).unwrap();
        println!(
            "{stem}: {}/{} cells ({:.4})",
            score.right,
            score.cells,
            score.accuracy()
        );
        if !score.is_perfect() {
            failures.push(format!(
                "{stem}: {:?} {:#?}",
                score.meta_wrong, score.mismatches
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
