//! Agency and year a document does not state in its body, inferred from where it was found (the
//! file name and the folders of its path, archive members included) and then from its own
//! properties (the title its format stores). The body always wins; what is inferred is said in
//! the record's provenance (`"report.agency": {"from": "path"}`).
use crate::meta::{looks_like_agency, years};
use crate::text::label_key;
use crate::title;

/// Where an inferred value came from, as the record's provenance names it.
pub const FROM_PATH: &str = "path";
pub const FROM_PROPERTIES: &str = "properties";

/// Path components read, innermost first: the file name and its folders up to this many in
/// all. Folders further up belong to the user's machine, not to the report.
const COMPONENTS: usize = 4;

#[derive(Debug, Default, PartialEq)]
pub struct Inferred {
    pub agency: Option<String>,
    pub year: Option<i32>,
}

/// Agency and year from one name: a title (`某局2023年政府信息公开工作年度报告附表`,
/// `2023年度`), or, for the agency, a name that is nothing but an agency (`某某镇人民政府`).
fn from_name(name: &str) -> Inferred {
    let key = label_key(name);
    let key = title::clean(&key);
    let mut out = Inferred::default();
    if let Some(&(p, y)) = years(key).first() {
        out.year = Some(y);
        out.agency = title::agency(key, p);
    } else if looks_like_agency(key) && !key.contains(|c: char| c.is_ascii_digit()) {
        out.agency = Some(key.to_string());
    }
    out
}

/// What a path says: each of agency and year from the innermost component that names it.
pub fn from_path(path: &str) -> Inferred {
    let mut out = Inferred::default();
    let parts = path
        .split(['/', '\\'])
        .map(|p| p.strip_suffix('!').unwrap_or(p))
        .filter(|p| !p.is_empty())
        .rev()
        .take(COMPONENTS);
    for (i, part) in parts.enumerate() {
        // Extensions of the file and of an archive it came from (`年报.docx`, `2023.zip`).
        let stem = match part.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() && ext.len() <= 5 => stem,
            _ if i == 0 && part.starts_with('.') => continue,
            _ => part,
        };
        let found = from_name(stem);
        out.agency = out.agency.or(found.agency);
        out.year = out.year.or(found.year);
    }
    out
}

/// What a document's stored title says.
pub fn from_properties(title: Option<&str>) -> Inferred {
    title.map(from_name).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inferred(agency: Option<&str>, year: Option<i32>) -> Inferred {
        Inferred {
            agency: agency.map(str::to_string),
            year,
        }
    }

    #[test]
    fn paths() {
        assert_eq!(
            from_path("/home/u/下载/某某县财政局2023年政府信息公开工作年度报告附表.xlsx"),
            inferred(Some("某某县财政局"), Some(2023))
        );
        assert_eq!(
            from_path("/data/年报.zip!/2023年度/某某镇人民政府/年报.docx"),
            inferred(Some("某某镇人民政府"), Some(2023))
        );
        assert_eq!(
            from_path(r"D:\reports\2022年某区教育局政府信息公开工作年度报告.pdf"),
            inferred(Some("某区教育局"), Some(2022))
        );
        // Folders above the last few are the user's, not the report's.
        assert_eq!(
            from_path("/srv/某某研究所/a/b/c/年报.docx"),
            inferred(None, None)
        );
        assert_eq!(from_path("report.html"), inferred(None, None));
        assert_eq!(from_path("/tmp/x/2019.txt"), inferred(None, None));
    }

    #[test]
    fn properties() {
        assert_eq!(
            from_properties(Some(
                "2019年上海市人民政府办公厅政府信息公开工作年度报告_上海市人民政府"
            )),
            inferred(Some("上海市人民政府办公厅"), Some(2019))
        );
        assert_eq!(
            from_properties(Some("Microsoft Word - 文档1")),
            inferred(None, None)
        );
        assert_eq!(from_properties(None), inferred(None, None));
    }
}
