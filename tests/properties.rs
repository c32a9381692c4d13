//! The title a file's own properties store, read by each format's adapter (a fallback for the
//! report's agency and year when the body does not name them).
use nianbao_core::{detect, Input, Limits};
use std::path::Path;
// Links the adapters, which register themselves.
use nianbao_cli as _;

fn title_of(rel: &str) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel);
    let bytes = std::fs::read(&path).unwrap();
    let limits = Limits::default();
    let adapter = detect(&bytes).unwrap();
    adapter
        .extract(&Input {
            bytes: &bytes,
            path: rel,
            limits: &limits,
        })
        .unwrap()
        .title
}

#[test]
fn stored_titles() {
    const TITLE: &str = "2019年上海市人民政府办公厅政府信息公开工作年度报告";
    // LibreOffice carried the page's <title> into the DOCX's docProps/core.xml.
    let page_title = format!("{TITLE}_上海市人民政府");
    assert_eq!(
        title_of("web/shanghai-office-2019-page.html").as_deref(),
        Some(page_title.as_str())
    );
    assert_eq!(
        title_of("docx/shanghai-office-2019.docx").as_deref(),
        Some(page_title.as_str())
    );
    // LibreOffice printed the DOCX's title into the PDF's /Info /Title.
    assert_eq!(
        title_of("pdf/shanghai-office-2019.pdf").as_deref(),
        Some(page_title.as_str())
    );
    // openpyxl's workbook.properties.title.
    assert_eq!(
        title_of("xlsx/上海市人民政府办公厅2019年政府信息公开工作年度报告附表.xlsx").as_deref(),
        Some("上海市人民政府办公厅2019年政府信息公开工作年度报告附表")
    );
    // A fragment has no <title>.
    assert_eq!(title_of("web/shanghai-office-2019.html"), None);
}
