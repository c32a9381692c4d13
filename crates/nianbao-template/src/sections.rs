//! Finds the six sections of the report by their headings, tolerating lost numbering,
//! `4、` for `四、`, and typos such as 行政法复议.
use crate::rows::Row;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Active,
    Applications,
    Appeals,
    Problems,
    Other,
}

pub const ORDER: [Section; 6] = [
    Section::Overview,
    Section::Active,
    Section::Applications,
    Section::Appeals,
    Section::Problems,
    Section::Other,
];

/// Physical row where each section's heading stands (None where not found).
#[derive(Debug, Clone, Default)]
pub struct Sections {
    pub start: [Option<usize>; 6],
    pub n_rows: usize,
}

impl Sections {
    /// Rows of a section, heading excluded: up to the next section found, or the end.
    pub fn range(&self, s: Section) -> Option<Range<usize>> {
        let i = ORDER.iter().position(|x| *x == s).unwrap();
        let start = self.start[i]? + 1;
        let end = self.start[i + 1..]
            .iter()
            .flatten()
            .next()
            .copied()
            .unwrap_or(self.n_rows);
        Some(start..end.max(start))
    }
    pub fn found(&self) -> usize {
        self.start.iter().flatten().count()
    }
}

/// Whether a row is the heading of section `s`.
fn is_heading(key: &str, s: Section) -> bool {
    // Headings are short lines; long paragraphs merely mention the words.
    if key.chars().count() > 34 {
        return false;
    }
    match s {
        Section::Overview => key.contains("总体情况") || key.contains("概述"),
        Section::Active => key.contains("主动公开政府信息") && !key.contains("条"),
        Section::Applications => {
            key.contains("收到和处理政府信息公开申请") || key.contains("依申请公开政府信息情况")
        }
        Section::Appeals => {
            (key.contains("复议") && key.contains("诉讼") && key.contains("情况"))
                || key.contains("政府信息公开行政复议")
        }
        Section::Problems => key.contains("存在的主要问题") || key.contains("主要问题及改进"),
        Section::Other => key.contains("其他需要报告"),
    }
}

/// Locates headings in order: each section is looked for after the previous one found.
pub fn find(rows: &[Row], keys: &[String]) -> Sections {
    let mut out = Sections {
        n_rows: rows.len(),
        ..Default::default()
    };
    let mut from = 0;
    for (i, s) in ORDER.iter().enumerate() {
        if let Some(k) =
            (from..rows.len()).find(|&k| rows[k].n_numbers() == 0 && is_heading(&keys[k], *s))
        {
            out.start[i] = Some(k);
            from = k + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::label_key;

    #[test]
    fn heading_variants() {
        assert!(is_heading(
            &label_key("四、政府信息公开行政法复议、行政诉讼情况"),
            Section::Appeals
        ));
        assert!(is_heading(
            &label_key("4、 政府信息公开行政复议、行政诉讼情况"),
            Section::Appeals
        ));
        assert!(is_heading(
            &label_key("三、收到和处理政府信息公开申请情况"),
            Section::Applications
        ));
        assert!(!is_heading(
            &label_key("第二十条第（一）项 主动公开政府信息情况"),
            Section::Active
        ));
        assert!(!is_heading(
            &label_key("四、结转下年度继续办理"),
            Section::Appeals
        ));
    }
}
