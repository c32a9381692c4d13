//! A report's title line as pages and documents give it, and the agency and year it names:
//! `<agency><year>年…`, `<year>年<agency>…` (`2022年度螅镇政府信息公开工作年度报告`),
//! `<agency>关于<year>年…`, behind a crawler's `标题:` and before page furniture
//! (`发布时间:`, `来源:`, `【字体:大中小】`). Works on label keys (folded, no white space).

/// Field names a crawler or CMS puts before the title.
const PREFIXES: &[&str] = &["文章标题:", "标题:", "题目:", "名称:", "【标题】"];

/// Page furniture that follows a title on the same line: the title ends where one starts.
const FURNITURE: &[&str] = &[
    "发布时间:",
    "发布日期:",
    "发文日期:",
    "成文日期:",
    "来源:",
    "信息来源:",
    "【字体",
    "字体:",
    "字号:",
    "浏览次数",
    "阅读次数",
    "点击数",
    "作者:",
    "索引号:",
    "【打印",
    "【关闭",
    "分享到",
];

/// The title in `key` without a field name before it and furniture after it.
pub fn clean(key: &str) -> &str {
    let mut t = key;
    for p in PREFIXES {
        if let Some(rest) = t.strip_prefix(p) {
            t = rest;
        }
    }
    let end = FURNITURE
        .iter()
        .filter_map(|f| t.find(f))
        .filter(|&at| at > 0)
        .min()
        .unwrap_or(t.len());
    t[..end].trim_matches(|c: char| c.is_whitespace() || matches!(c, '【' | '】' | '|'))
}

/// Whether a line of furniture, not content: a title is never one.
pub fn is_furniture(key: &str) -> bool {
    FURNITURE.iter().any(|f| key.starts_with(f))
}

/// Where the template's own words start after the agency: what precedes them names it.
const REPORT_WORDS: &[&str] = &["政府信息公开", "信息公开", "政务公开"];

/// The agency a title names, given the byte position of its year (`p`, the year's four digits
/// then 年). None when the title does not say, or says something that is not a name.
pub fn agency(title: &str, p: usize) -> Option<String> {
    let before = title[..p].trim_end_matches("关于");
    let before = before.trim_matches(|c: char| !c.is_alphanumeric());
    let name = if !before.is_empty() {
        before.to_string()
    } else {
        // Year first: the agency runs from after 年(度) to the report's own words.
        let rest = &title[p + 4..];
        let rest = rest.strip_prefix("年").unwrap_or(rest);
        let rest = rest.strip_prefix("度").unwrap_or(rest);
        let end = REPORT_WORDS.iter().filter_map(|w| rest.find(w)).min()?;
        let mut name = &rest[..end];
        // `某县人民政府信息公开…`: 人民 belongs to 人民政府, the agency.
        if name.ends_with("人民") && rest[end..].starts_with("政府") {
            name = &rest[..end + "政府".len()];
        }
        name.trim_matches(|c: char| !c.is_alphanumeric())
            .to_string()
    };
    let n = name.chars().count();
    let plausible = (2..=30).contains(&n)
        && !["报告", "工作", "公开", "年"]
            .iter()
            .any(|w| name.contains(w));
    plausible.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::label_key;

    /// (title as found, agency) pairs; the year is always the first `\d{4}年`.
    fn agency_of(line: &str) -> Option<String> {
        let key = label_key(line);
        let t = clean(&key);
        let p = t.find(|c: char| c.is_ascii_digit())?;
        agency(t, p)
    }

    #[test]
    fn title_forms() {
        let cases = [
            (
                "2019年上海市人民政府办公厅政府信息公开工作年度报告",
                Some("上海市人民政府办公厅"),
            ),
            ("2022年度螅镇政府信息公开工作年度报告", Some("螅镇")),
            ("2022年上海市政府信息公开工作年度报告", Some("上海市")),
            (
                "2020年某县人民政府信息公开工作年度报告",
                Some("某县人民政府"),
            ),
            (
                "某某区发展和改革委员会关于2021年政府信息公开工作年度报告",
                Some("某某区发展和改革委员会"),
            ),
            (
                "标题：某某新区管委会2023年政府信息公开工作年度报告",
                Some("某某新区管委会"),
            ),
            (
                "2023年某某街道办事处政府信息公开工作年度报告 发布时间：2024-01-20 来源：某某街道",
                Some("某某街道办事处"),
            ),
            ("2021年度政府信息公开工作年度报告", None),
            ("关于2021年政府信息公开工作的报告", None),
        ];
        for (line, want) in cases {
            assert_eq!(agency_of(line).as_deref(), want, "{line}");
        }
    }

    #[test]
    fn furniture_is_cut_off() {
        let key = label_key("【字体：大 中 小】");
        assert!(is_furniture(&key));
        assert_eq!(
            clean(&label_key(
                "标题:2019年某镇政府信息公开工作年度报告【字体：大 中 小】"
            )),
            "2019年某镇政府信息公开工作年度报告"
        );
    }
}
