//! The form's own consistency rules (SCHEMA.md, `checks`). Each runs where its inputs are
//! present; a failed check is data, not an error.
use crate::record::{Check, Record};

const COLUMNS: [&str; 6] = ["natural_person", "enterprise", "research", "public_interest", "legal_service", "other_org"];
const ALL_COLUMNS: [&str; 7] =
    ["natural_person", "enterprise", "research", "public_interest", "legal_service", "other_org", "total"];

/// Rows of the applications table whose sum is the (七)总计 row (other rows are picked below).
const OUTCOME_ROWS: &[&str] = &[
    "granted",
    "partial",
    "denied.state_secret",
    "denied.law_prohibited",
    "denied.three_safety",
    "denied.third_party",
    "denied.internal_affairs",
    "denied.process_info",
    "denied.enforcement_file",
    "denied.admin_query",
    "unable.not_held",
    "unable.needs_creation",
    "unable.unclear",
    "rejected.petition",
    "rejected.duplicate",
    "rejected.publication",
    "rejected.excessive",
    "rejected.confirmation",
];
const OTHER_SUBROWS: [&str; 3] = ["other.no_correction", "other.unpaid_fee", "other.misc"];
const APP_ROWS: &[&str] = &[
    "new",
    "carried_over",
    "granted",
    "partial",
    "denied.state_secret",
    "denied.law_prohibited",
    "denied.three_safety",
    "denied.third_party",
    "denied.internal_affairs",
    "denied.process_info",
    "denied.enforcement_file",
    "denied.admin_query",
    "unable.not_held",
    "unable.needs_creation",
    "unable.unclear",
    "rejected.petition",
    "rejected.duplicate",
    "rejected.publication",
    "rejected.excessive",
    "rejected.confirmation",
    "other.combined",
    "other.no_correction",
    "other.unpaid_fee",
    "other.misc",
    "total",
    "carry_forward",
];

fn get(r: &Record, row: &str, col: &str) -> Option<i64> {
    r.get(&format!("applications.{row}.{col}")).and_then(|n| n.as_count())
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
    r.checks = checks;
}

fn summarise(rule: &str, tested: usize, failures: Vec<String>) -> Option<Check> {
    if tested == 0 {
        return None;
    }
    let ok = failures.is_empty();
    let detail = if ok { format!("{tested} checked, all consistent") } else { failures.join("; ") };
    Some(Check { rule: rule.to_string(), ok, detail })
}

fn balance(r: &Record) -> Option<Check> {
    let mut tested = 0;
    let mut fails = Vec::new();
    for c in ALL_COLUMNS {
        let (Some(a), Some(b), Some(t), Some(f)) =
            (get(r, "new", c), get(r, "carried_over", c), get(r, "total", c), get(r, "carry_forward", c))
        else {
            continue;
        };
        tested += 1;
        if a + b != t + f {
            fails.push(format!("{c}: new {a} + carried_over {b} = {} ≠ total {t} + carry_forward {f} = {}", a + b, t + f));
        }
    }
    summarise("balance", tested, fails)
}

fn row_total(r: &Record) -> Option<Check> {
    let mut tested = 0;
    let mut fails = Vec::new();
    for row in APP_ROWS {
        let parts: Option<Vec<i64>> = COLUMNS.iter().map(|c| get(r, row, c)).collect();
        let (Some(parts), Some(total)) = (parts, get(r, row, "total")) else { continue };
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
    for c in ALL_COLUMNS {
        let Some(total) = get(r, "total", c) else { continue };
        let main: Option<Vec<i64>> = OUTCOME_ROWS.iter().map(|row| get(r, row, c)).collect();
        let Some(main) = main else { continue };
        let subs: Option<Vec<i64>> = OTHER_SUBROWS.iter().map(|row| get(r, row, c)).collect();
        let other = match (get(r, "other.combined", c), subs) {
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

fn appeals_total(r: &Record) -> Option<Check> {
    let mut tested = 0;
    let mut fails = Vec::new();
    for g in ["review", "litigation_direct", "litigation_after_review"] {
        let parts: Option<Vec<i64>> = ["upheld", "corrected", "other", "pending"]
            .iter()
            .map(|p| r.get(&format!("appeals.{g}.{p}")).and_then(|n| n.as_count()))
            .collect();
        let total = r.get(&format!("appeals.{g}.total")).and_then(|n| n.as_count());
        let (Some(parts), Some(total)) = (parts, total) else { continue };
        tested += 1;
        let sum: i64 = parts.iter().sum();
        if sum != total {
            fails.push(format!("{g}: upheld+corrected+other+pending = {sum}, total says {total}"));
        }
    }
    summarise("appeals_total", tested, fails)
}

/// `carry_over` across documents: the same agency's carry_forward in year N equals its
/// carried_over in year N+1. Takes (agency, year, carried_over.total, carry_forward.total) of
/// every record; returns, per later record index, the check to add.
pub fn carry_over(rows: &[(Option<String>, Option<i32>, Option<i64>, Option<i64>)]) -> Vec<(usize, Check)> {
    let mut out = Vec::new();
    for (i, (agency, year, carried, _)) in rows.iter().enumerate() {
        let (Some(agency), Some(year), Some(carried)) = (agency, year, carried) else { continue };
        let prev = rows.iter().find(|(a, y, _, f)| a.as_ref() == Some(agency) && *y == Some(year - 1) && f.is_some());
        if let Some((_, _, _, Some(forward))) = prev {
            out.push((
                i,
                Check {
                    rule: "carry_over".into(),
                    ok: forward == carried,
                    detail: format!("{} carry_forward {forward} vs {year} carried_over {carried}", year - 1),
                },
            ));
        }
    }
    out
}
