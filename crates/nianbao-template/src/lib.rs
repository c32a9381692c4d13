//! Maps a [`Document`] (any format) onto the national template of 政府信息公开工作年度报告:
//! finds the six sections, detects the template version, attributes every table cell to a key
//! of `keys.tsv`, reads the metadata and runs the consistency checks.
//!
//! The steps, each its own module: [`rows`] flattens blocks into rows of classified cells;
//! [`sections`] finds the headings; `active`, `applications` and `appeals` map the three
//! tables; `meta` reads title, agency, year and date (`title` takes a title line apart);
//! `checks` runs the form's rules.

mod active;
mod appeals;
mod applications;
mod assign;
pub mod checks;
mod correct;
pub mod expected;
mod glued;
mod inferred;
mod keymap;
pub mod keys;
mod meta;
mod narrative;
pub mod record;
pub mod rows;
pub mod schema;
pub mod sections;
pub mod text;
mod title;
mod wrapped;

pub use keymap::KeyMap;
pub use keys::{Key, Version};
pub use record::{Check, Num, Record, Report, Sections, Source, Status};

use nianbao_core::{Document, ErrorKind, ExtractError};
use sections::Section;

/// Builds the record of one extracted document.
pub fn convert(doc: &Document, source: Source) -> Record {
    // Text whose lines ran together: headings and table rows are first set on lines again.
    // Space-aligned text whose counts wrapped inside their cells: the pieces are joined.
    let relaid = glued::relayout(doc).or_else(|| wrapped::join(doc));
    let doc = relaid.as_ref().unwrap_or(doc);
    let mut r = Record::new(source);
    r.source.encoding = doc.encoding.clone();
    r.warnings.extend(doc.warnings.iter().cloned());

    let rows = rows::physical_rows(doc);
    // Each row's label key, computed once: headings, metadata and version all match on it.
    let keys = rows::label_keys(&rows);
    let secs = sections::find(&rows, &keys);
    let m = meta::read(&keys);
    let version = meta::detect_version(&keys, m.year);

    let range = |s: Section| fallback_range(&secs, s);
    let active = rows::logical_rows(&rows, range(Section::Active));
    let apps = rows::logical_rows(&rows, range(Section::Applications));
    let appeals = rows::logical_rows(&rows, range(Section::Appeals));
    let n_active = active::map(&mut r, &active, version);
    let n_apps = applications::map(&mut r, &apps);
    let subtotals = applications::subtotals(&apps);
    let appeals_found = appeals::map(&mut r, &appeals);

    if secs.found() == 0 && r.values.is_empty() {
        let err = ExtractError::not_a_report(
            "no section heading of an annual report (一、总体情况 … 六、其他需要报告的事项) and no template table found",
        );
        let mut failed = Record::failed(r.source, err);
        failed.warnings = r.warnings;
        return failed;
    }

    r.report = Report {
        agency: m.agency,
        year: m.year,
        template: Some(version.as_str().to_string()),
        published: m.published,
        title: m.title,
    };
    infer_metadata(&mut r, doc);
    let text_of = |s: Section| {
        secs.range(s).map(|rg| {
            rows[rg]
                .iter()
                .map(|r| r.text.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
    };
    r.sections = Sections {
        overview: text_of(Section::Overview),
        problems: text_of(Section::Problems),
        other: text_of(Section::Other),
    };
    for (s, name) in [
        (Section::Active, "二"),
        (Section::Applications, "三"),
        (Section::Appeals, "四"),
    ] {
        if secs.range(s).is_none() {
            r.warnings.push(format!(
                "section {name} heading not found; its table was looked for nearby"
            ));
        }
    }
    if n_active == 0 {
        r.warnings.push("二: no 第二十条 table rows found".into());
    }
    if n_apps == 0 {
        r.warnings
            .push("三: no application table rows found".into());
    }
    if !appeals_found {
        r.warnings
            .push("四: the 15 行政复议/行政诉讼 cells were not found".into());
    }
    correct::run(&mut r);
    checks::run(&mut r);
    checks::group_subtotals(&mut r, &subtotals);
    r.status = if missing_keys(&r, version) == 0 {
        Status::Ok
    } else {
        Status::Partial
    };
    r
}

/// Fills the agency and year the body does not state from the path, then from the document's
/// own properties, and says where each came from.
fn infer_metadata(r: &mut Record, doc: &Document) {
    if r.report.agency.is_some() && r.report.year.is_some() {
        return;
    }
    let sources = [
        (inferred::FROM_PATH, inferred::from_path(&r.source.path)),
        (
            inferred::FROM_PROPERTIES,
            inferred::from_properties(doc.title.as_deref()),
        ),
    ];
    for (from, found) in sources {
        if r.report.agency.is_none() {
            if let Some(a) = found.agency {
                r.report.agency = Some(a);
                r.report_from.push(("report.agency", from));
            }
        }
        if r.report.year.is_none() {
            if let Some(y) = found.year {
                r.report.year = Some(y);
                r.report_from.push(("report.year", from));
            }
        }
    }
}

/// Where to look for a section's table: its own range, or, when its heading is missing, the
/// span between the neighbouring headings that were found.
fn fallback_range(secs: &sections::Sections, s: Section) -> std::ops::Range<usize> {
    if let Some(r) = secs.range(s) {
        return r;
    }
    let i = sections::ORDER.iter().position(|x| *x == s).unwrap();
    let start = secs.start[..i]
        .iter()
        .flatten()
        .last()
        .map(|&k| k + 1)
        .unwrap_or(0);
    let end = secs.start[i + 1..]
        .iter()
        .flatten()
        .next()
        .copied()
        .unwrap_or(secs.n_rows);
    start..end.max(start)
}

/// How many keys of the detected version have no value (the 其他处理 row counts once, whether
/// the document splits it into the 2021 sub-rows or not).
fn missing_keys(r: &Record, v: Version) -> usize {
    let combined = applications::row_keys(applications::COMBINED);
    let subrows: Vec<Key> = applications::SUBROWS
        .flat_map(|t| *applications::row_keys(t))
        .collect();
    let has = |keys: &[Key]| keys.iter().any(|&k| r.values.contains_key(k));
    let (has_combined, has_subrows) = (has(combined), has(&subrows));
    Key::all()
        .filter(|k| {
            let d = k.def();
            if v == Version::V2019 {
                d.in_2019
            } else {
                d.in_2021
            }
        })
        .filter(|k| {
            if combined.contains(k) {
                return !has_subrows;
            }
            if subrows.contains(k) {
                return !has_combined;
            }
            true
        })
        .filter(|&k| !r.values.contains_key(k))
        .count()
}

/// The kind used when an input is recognised but holds nothing report-like.
pub const NOT_A_REPORT: ErrorKind = ErrorKind::NotAReport;

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_core::Provenance;

    fn record(lines: &[&str]) -> Record {
        let mut d = Document::default();
        for (i, l) in lines.iter().enumerate() {
            d.push_paragraph(*l, Provenance::line(i as u32 + 1));
        }
        convert(&d, Source::default())
    }

    fn check<'a>(r: &'a Record, rule: &str) -> Option<&'a Check> {
        r.checks.iter().find(|c| c.rule == rule)
    }

    #[test]
    fn a_groups_subtotal_row_checks_its_items() {
        let denied = [
            "1.属于国家秘密 0 0 0 0 0 0 0",
            "2.其他法律行政法规禁止公开 1 0 0 0 0 0 1",
            "3.危及“三安全一稳定” 0 0 0 0 0 0 0",
            "4.保护第三方合法权益 2 0 0 0 0 0 2",
            "5.属于三类内部事务信息 0 0 0 0 0 0 0",
            "6.属于四类过程性信息 0 0 0 0 0 0 0",
            "7.属于行政执法案卷 0 0 0 0 0 0 0",
            "8.属于行政查询事项 0 0 0 0 0 0 0",
        ];
        let with = |subtotal: &str| {
            let mut l = vec!["三、收到和处理政府信息公开申请情况", subtotal];
            l.extend(denied);
            record(&l)
        };
        let r = with("（三）不予公开 3 0 0 0 0 0 3");
        let c = check(&r, "group_subtotal").expect("checked");
        assert!(c.ok, "{}", c.detail);
        // The group's row says 4: a row of the group was read elsewhere, or another's here.
        let r = with("（三）不予公开 4 0 0 0 0 0 4");
        let c = check(&r, "group_subtotal").expect("checked");
        assert!(!c.ok);
        assert!(c
            .detail
            .contains("denied.natural_person: items sum to 3, the group's row says 4"));
        // The sub-total is no template row: nothing is written from it.
        assert_eq!(
            r.values.get(Key::APPLICATIONS_DENIED_STATE_SECRET_TOTAL),
            Some(&Num::Count(0))
        );
    }
}
