//! The form's own consistency rules (SCHEMA.md, `checks`). Each runs where its inputs are
//! present; a failed check is data, not an error.
use crate::applications::{row_keys, row_name, N_ROWS};
use crate::keys::Key;
use crate::record::{Check, Record};
use std::collections::HashMap;

/// The table's columns, the six applicant kinds then 总计 (one list, shared with the mapping).
pub(crate) const ALL_COLUMNS: &[&str] = &crate::applications::COLUMNS;
/// The 总计 column, by its place in [`ALL_COLUMNS`], after the six applicant kinds.
pub(crate) const TOTAL_COLUMN: usize = 6;
/// The six applicant kinds, without 总计.
pub(crate) const COLUMNS: &[&str] = ALL_COLUMNS.split_at(TOTAL_COLUMN).0;

/// Rows of the applications table by their place in the template (see
/// [`crate::applications::row_name`]).
pub(crate) const NEW: usize = 0;
pub(crate) const CARRIED_OVER: usize = 1;
/// 予以公开 … 要求行政机关确认或重新出具: the rows that add up to (七)总计 besides 其他处理.
pub(crate) const OUTCOME_ROWS: std::ops::Range<usize> = 2..20;
pub(crate) const OTHER_COMBINED: usize = 20;
/// The 2021 form's three 其他处理 sub-rows (the 2019 form has the one combined row).
pub(crate) const OTHER_SUBROWS: std::ops::Range<usize> = 21..24;
pub(crate) const TOTAL: usize = 24;
pub(crate) const CARRY_FORWARD: usize = 25;

/// The count in the applications table at `row`, `col` (places in the template's rows and
/// [`ALL_COLUMNS`]).
fn get(r: &Record, row: usize, col: usize) -> Option<i64> {
    count(r, row_keys(row)[col])
}

fn count(r: &Record, key: Key) -> Option<i64> {
    r.values.get(key).and_then(|n| n.as_count())
}

/// Runs every per-document check and stores the results in `r.checks`.
pub fn run(r: &mut Record) {
    let mut checks = Vec::new();
    if let Some(c) = balance(r) {
        checks.push(c);
    }
    if let Some(c) = row_total(r) {
        checks.push(c);
    }
    if let Some(c) = outcome_total(r) {
        checks.push(c);
    }
    if let Some(c) = appeals_total(r) {
        checks.push(c);
    }
    if let Some(c) = narrative_totals(r) {
        checks.push(c);
    }
    r.checks = checks;
}

fn summarise(rule: &str, tested: usize, failures: Vec<String>) -> Option<Check> {
    if tested == 0 {
        return None;
    }
    let ok = failures.is_empty();
    let detail = if ok {
        format!("{tested} checked, all consistent")
    } else {
        failures.join("; ")
    };
    Some(Check {
        rule: rule.to_string(),
        ok,
        detail,
    })
}

fn balance(r: &Record) -> Option<Check> {
    let mut tested = 0;
    let mut fails = Vec::new();
    for (col, c) in ALL_COLUMNS.iter().enumerate() {
        let (Some(a), Some(b), Some(t), Some(f)) = (
            get(r, NEW, col),
            get(r, CARRIED_OVER, col),
            get(r, TOTAL, col),
            get(r, CARRY_FORWARD, col),
        ) else {
            continue;
        };
        tested += 1;
        if a + b != t + f {
            fails.push(format!(
                "{c}: new {a} + carried_over {b} = {} ≠ total {t} + carry_forward {f} = {}",
                a + b,
                t + f
            ));
        }
    }
    summarise("balance", tested, fails)
}

fn row_total(r: &Record) -> Option<Check> {
    let mut tested = 0;
    let mut fails = Vec::new();
    for at in 0..N_ROWS {
        let row = row_name(at);
        let parts: Option<Vec<i64>> = (0..COLUMNS.len()).map(|col| get(r, at, col)).collect();
        let (Some(parts), Some(total)) = (parts, get(r, at, TOTAL_COLUMN)) else {
            continue;
        };
        tested += 1;
        let sum: i64 = parts.iter().sum();
        if sum != total {
            fails.push(format!("{row}: columns sum to {sum}, total says {total}"));
        }
    }
    summarise("row_total", tested, fails)
}

fn outcome_total(r: &Record) -> Option<Check> {
    let mut tested = 0;
    let mut fails = Vec::new();
    for (col, c) in ALL_COLUMNS.iter().enumerate() {
        let Some(total) = get(r, TOTAL, col) else {
            continue;
        };
        let main: Option<Vec<i64>> = OUTCOME_ROWS.map(|row| get(r, row, col)).collect();
        let Some(main) = main else { continue };
        let subs: Option<Vec<i64>> = OTHER_SUBROWS.map(|row| get(r, row, col)).collect();
        let other = match (get(r, OTHER_COMBINED, col), subs) {
            (Some(v), _) => v,
            (None, Some(s)) => s.iter().sum(),
            (None, None) => continue,
        };
        tested += 1;
        let sum = main.iter().sum::<i64>() + other;
        if sum != total {
            fails.push(format!("{c}: outcomes sum to {sum}, (七)总计 says {total}"));
        }
    }
    summarise("outcome_total", tested, fails)
}

/// `group_subtotal`: a sub-total printed on a group's heading row (（三）不予公开, （四）无法提供,
/// （五）不予处理) against the sum of its items, per column where every item was read. A row
/// read under the wrong item keeps this sum; one moved into or out of the group does not.
pub fn group_subtotals(r: &mut Record, subtotals: &[(&str, Vec<i64>)]) {
    let mut tested = 0;
    let mut fails = Vec::new();
    for (group, values) in subtotals {
        let rows: Vec<usize> = (0..N_ROWS)
            .filter(|&at| {
                row_name(at)
                    .strip_prefix(group.trim_end_matches('.'))
                    .is_some_and(|rest| rest.starts_with('.'))
            })
            .collect();
        for (col, c) in ALL_COLUMNS.iter().enumerate() {
            let Some(sum) = rows.iter().map(|&at| get(r, at, col)).sum::<Option<i64>>() else {
                continue;
            };
            tested += 1;
            if sum != values[col] {
                fails.push(format!(
                    "{group}{c}: items sum to {sum}, the group's row says {}",
                    values[col]
                ));
            }
        }
    }
    if let Some(c) = summarise("group_subtotal", tested, fails) {
        r.checks.push(c);
    }
}

/// The totals the report's sentences state against the table ([`crate::narrative`]).
fn narrative_totals(r: &Record) -> Option<Check> {
    let text = [
        &r.sections.overview,
        &r.sections.problems,
        &r.sections.other,
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect::<Vec<_>>()
    .join("\n");
    let subs: Option<Vec<i64>> = OTHER_SUBROWS.map(|row| get(r, row, TOTAL_COLUMN)).collect();
    let other = get(r, OTHER_COMBINED, TOTAL_COLUMN).or(subs.map(|s| s.iter().sum()));
    // One row by name, or the sum over every row of a group (`denied.`).
    let total = |rows: &str| -> Option<i64> {
        (0..N_ROWS)
            .map(|at| (at, row_name(at)))
            .filter(|(_, name)| match rows.strip_suffix('.') {
                Some(group) => name.strip_prefix(group).is_some_and(|r| r.starts_with('.')),
                None => *name == rows,
            })
            .map(|(at, _)| get(r, at, TOTAL_COLUMN))
            .sum()
    };
    let (tested, fails) = crate::narrative::check(&text, total, other);
    summarise("narrative_totals", tested, fails)
}

fn appeals_total(r: &Record) -> Option<Check> {
    let mut tested = 0;
    let mut fails = Vec::new();
    // Groups of five: upheld, corrected, other, pending, total.
    for group in crate::appeals::KEYS.chunks_exact(5) {
        let (parts, total) = group.split_at(4);
        let g = total[0].name().split('.').nth(1).unwrap_or_default();
        let parts: Option<Vec<i64>> = parts.iter().map(|&k| count(r, k)).collect();
        let (Some(parts), Some(total)) = (parts, count(r, total[0])) else {
            continue;
        };
        tested += 1;
        let sum: i64 = parts.iter().sum();
        if sum != total {
            fails.push(format!(
                "{g}: upheld+corrected+other+pending = {sum}, total says {total}"
            ));
        }
    }
    summarise("appeals_total", tested, fails)
}

/// What the cross-document `carry_over` check needs of one record: small enough to keep for
/// every record of a large batch.
#[derive(Debug, Clone, PartialEq)]
pub struct CarryFacts {
    pub agency: Option<String>,
    pub year: Option<i32>,
    /// `applications.carried_over.total` (上年结转).
    pub carried_over: Option<i64>,
    /// `applications.carry_forward.total` (结转下年度继续办理).
    pub carry_forward: Option<i64>,
}

impl CarryFacts {
    pub fn of(r: &Record) -> Self {
        CarryFacts {
            agency: r.report.agency.clone(),
            year: r.report.year,
            carried_over: get(r, CARRIED_OVER, TOTAL_COLUMN),
            carry_forward: get(r, CARRY_FORWARD, TOTAL_COLUMN),
        }
    }
}

/// The agency's name without the higher-level places in front of it, so that one body named
/// two ways in two years (淮安市洪泽区人民政府 / 洪泽区人民政府) is one agency for `carry_over`.
/// A prefix ending in 省/自治区/市/州/盟/地区 is dropped only when what follows begins with a
/// place of its own (a name of two or more characters and 区/县/市/旗), so 淮安市人民政府 and
/// 淮安市市场监督管理局 keep their city.
pub fn agency_key(agency: &str) -> &str {
    const LEVELS: [&str; 6] = ["自治区", "地区", "省", "市", "州", "盟"];
    const PLACES: [char; 4] = ['区', '县', '市', '旗'];
    let mut rest = agency.trim();
    loop {
        // The first level marker after a name of two or more characters.
        let first = rest.char_indices().skip(2).find_map(|(at, _)| {
            LEVELS
                .iter()
                .find(|l| rest[at..].starts_with(*l))
                .map(|l| &rest[at + l.len()..])
        });
        let Some(after) = first else { break };
        let has_place = after
            .chars()
            .take(6)
            .enumerate()
            .any(|(j, c)| j >= 2 && PLACES.contains(&c));
        if !has_place {
            break;
        }
        rest = after;
    }
    rest
}

/// `carry_over` across documents: the same agency's carry_forward in year N equals its
/// carried_over in year N+1. Returns, per later record index, the check to add to it.
pub fn carry_over(facts: &[CarryFacts]) -> Vec<(usize, Check)> {
    // (agency key, year) → the first record of that agency and year with a carry_forward:
    // one pass to index, one to pair, so a batch of one agency's many years stays linear.
    let keys: Vec<Option<&str>> = facts
        .iter()
        .map(|f| f.agency.as_deref().map(agency_key))
        .collect();
    let mut forward: HashMap<(&str, i32), i64> = HashMap::new();
    for (f, key) in facts.iter().zip(&keys) {
        if let (Some(key), Some(year), Some(cf)) = (key, f.year, f.carry_forward) {
            forward.entry((key, year)).or_insert(cf);
        }
    }
    let mut out = Vec::new();
    for (i, (f, key)) in facts.iter().zip(&keys).enumerate() {
        let (Some(key), Some(year), Some(carried)) = (key, f.year, f.carried_over) else {
            continue;
        };
        let Some(before) = year.checked_sub(1) else {
            continue;
        };
        if let Some(&forward) = forward.get(&(*key, before)) {
            out.push((
                i,
                Check {
                    rule: "carry_over".into(),
                    ok: forward == carried,
                    detail: format!(
                        "{before} carry_forward {forward} vs {year} carried_over {carried}"
                    ),
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_and_column_lists_are_the_forms() {
        assert_eq!(COLUMNS.len(), 6);
        assert_eq!(COLUMNS.last(), Some(&"other_org"));
        assert_eq!(ALL_COLUMNS[TOTAL_COLUMN], "total");
        let rows = |r: std::ops::Range<usize>| r.map(row_name).collect::<Vec<_>>();
        assert_eq!(N_ROWS, 26);
        assert_eq!(OUTCOME_ROWS.len(), 18);
        assert_eq!(row_name(OUTCOME_ROWS.start), "granted");
        assert_eq!(row_name(OUTCOME_ROWS.end - 1), "rejected.confirmation");
        assert_eq!(
            rows(OTHER_SUBROWS),
            ["other.no_correction", "other.unpaid_fee", "other.misc"]
        );
        let named = [
            (NEW, "new"),
            (CARRIED_OVER, "carried_over"),
            (OTHER_COMBINED, "other.combined"),
            (TOTAL, "total"),
            (CARRY_FORWARD, "carry_forward"),
        ];
        for (at, name) in named {
            assert_eq!(row_name(at), name);
        }
        assert_eq!(row_keys(TOTAL)[TOTAL_COLUMN], Key::APPLICATIONS_TOTAL_TOTAL);
        // Every cell of the grid is the key of its row and column.
        for row in 0..N_ROWS {
            for (col, key) in row_keys(row).iter().enumerate() {
                let want = format!("applications.{}.{}", row_name(row), ALL_COLUMNS[col]);
                assert_eq!(key.name(), want);
            }
        }
        let groups: Vec<&str> = crate::appeals::KEYS
            .chunks_exact(5)
            .map(|g| g[4].name())
            .collect();
        assert_eq!(
            groups,
            [
                "appeals.review.total",
                "appeals.litigation_direct.total",
                "appeals.litigation_after_review.total"
            ]
        );
    }

    fn facts(year: i32, carried: i64, forward: i64) -> CarryFacts {
        CarryFacts {
            agency: Some("洪泽区人民政府".into()),
            year: Some(year),
            carried_over: Some(carried),
            carry_forward: Some(forward),
        }
    }

    #[test]
    fn agency_key_drops_higher_places_only() {
        assert_eq!(agency_key("淮安市洪泽区人民政府"), "洪泽区人民政府");
        assert_eq!(agency_key("江苏省淮安市洪泽区人民政府"), "洪泽区人民政府");
        assert_eq!(agency_key("江苏省淮安市人民政府"), "淮安市人民政府");
        assert_eq!(agency_key("淮安市人民政府"), "淮安市人民政府");
        assert_eq!(agency_key("淮安市市场监督管理局"), "淮安市市场监督管理局");
        assert_eq!(agency_key("洪泽区人民政府"), "洪泽区人民政府");
        assert_eq!(agency_key("国家税务总局"), "国家税务总局");
    }

    #[test]
    fn carry_over_matches_one_agency_named_two_ways() {
        let mut earlier = facts(2023, 0, 3);
        earlier.agency = Some("洪泽区人民政府".into());
        let mut later = facts(2024, 3, 0);
        later.agency = Some("淮安市洪泽区人民政府".into());
        let checks = carry_over(&[earlier, later]);
        assert_eq!(checks.len(), 1);
        assert!(checks[0].1.ok);
    }

    #[test]
    fn carry_over_pairs_consecutive_years_of_one_agency() {
        let checks = carry_over(&[facts(2023, 0, 4), facts(2024, 4, 1), facts(2026, 9, 0)]);
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].0, 1);
        assert!(checks[0].1.ok);
        let checks = carry_over(&[facts(2024, 5, 1), facts(2023, 0, 4)]);
        assert!(!checks[0].1.ok);
    }

    #[test]
    fn carry_over_never_pairs_two_agencies() {
        let mut other = facts(2023, 0, 7);
        other.agency = Some("清河区人民政府".into());
        let checks = carry_over(&[other, facts(2023, 0, 4), facts(2024, 4, 0)]);
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].0, 2);
        assert!(checks[0].1.ok, "{}", checks[0].1.detail);
        assert_eq!(
            checks[0].1.detail,
            "2023 carry_forward 4 vs 2024 carried_over 4"
        );
    }
}
