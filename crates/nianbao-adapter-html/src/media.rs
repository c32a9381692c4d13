//! What a page holds besides its text: content images (a report whose tables were pasted as
//! pictures) and links to attached documents (a page that only announces the report). Neither
//! can be read here; the record says so, so that a user knows what to OCR or download.
use crate::tree::Tree;

/// File types a report is attached as.
const DOCUMENT_TYPES: &[&str] = &[
    ".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ofd", ".zip", ".rar", ".7z",
];
/// Names listed in a warning, at most.
const MAX_LISTED: usize = 5;

/// The attachment names linked from anywhere in the page (site chrome included: 附件下载 boxes
/// are chrome), in page order, each once.
pub fn attachments(tree: &Tree) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in 0..tree.nodes.len() {
        if tree.name(id) != "a" {
            continue;
        }
        let Some(href) = tree.attr(id, "href") else {
            continue;
        };
        let path = href.split(['?', '#']).next().unwrap_or(href);
        let lower = path.to_ascii_lowercase();
        if !DOCUMENT_TYPES.iter().any(|t| lower.ends_with(t)) {
            continue;
        }
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The warnings for a page with `images` content images and these attachments.
pub fn warnings(images: usize, attachments: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if images > 0 {
        out.push(format!(
            "the page's content holds {images} image(s): values shown only in images cannot be \
             read (OCR needed)"
        ));
    }
    if !attachments.is_empty() {
        let mut list = attachments[..attachments.len().min(MAX_LISTED)].join(", ");
        if attachments.len() > MAX_LISTED {
            list.push_str(&format!(" and {} more", attachments.len() - MAX_LISTED));
        }
        out.push(format!(
            "the page links to attached documents ({list}): the report may be in them; convert \
             those files too"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_are_listed_once_by_file_name() {
        let page = r#"<p><a href="/xxgk/2024/P020240131.pdf?t=1">2023年年度报告</a>
            <a href="javascript:void(0)">打印</a> <a href="a/表格.XLSX">表格</a>
            <a href="/xxgk/2024/P020240131.pdf">again</a> <a href="/index.html">首页</a></p>"#;
        let tree = Tree::parse(page);
        assert_eq!(attachments(&tree), ["P020240131.pdf", "表格.XLSX"]);
        let w = warnings(2, &attachments(&tree));
        assert!(w[0].contains("2 image(s)"));
        assert!(w[1].contains("P020240131.pdf, 表格.XLSX"));
        assert!(warnings(0, &[]).is_empty());
    }
}
