//! A scanned cell whose readings were in doubt, settled by the form's own sums: when a sum
//! (a row against its 总计, a column against (七)总计, the balance, a 表四 group against its
//! total) has every other cell read and only this one unknown, the value that makes it hold
//! is the cell's value, provided one of the cell's readings says it or says it with exactly
//! one digit different, and every other sum through the cell that can be checked holds too.
//! The value is then set, and a warning names the cell, what was read and the value.
//!
//! Two cells in doubt in one sum leave both null (two one-digit changes could explain it),
//! unless another sum settles one of them first.
use crate::applications::{row_keys, N_ROWS};
use crate::checks::{
    ALL_COLUMNS, CARRIED_OVER, CARRY_FORWARD, COLUMNS, NEW, OTHER_COMBINED, OTHER_SUBROWS,
    OUTCOME_ROWS, TOTAL, TOTAL_COLUMN,
};
use crate::keys::Key;
use crate::record::{Num, Record};
use nianbao_core::Provenance;
use std::sync::LazyLock;

/// A rule of the form: the terms, each a key and its sign, add up to zero.
struct Sum {
    rule: &'static str,
    terms: Vec<(Key, i64)>,
}

/// Every sum of the form, as [`crate::checks`] checks them.
static SUMS: LazyLock<Vec<Sum>> = LazyLock::new(|| {
    let app = |row: usize, col: usize| row_keys(row)[col];
    let mut sums = Vec::new();
    let mut push = |rule: &'static str, terms: Vec<(Key, i64)>| sums.push(Sum { rule, terms });
    for row in 0..N_ROWS {
        let mut terms: Vec<_> = (0..COLUMNS.len()).map(|c| (app(row, c), 1)).collect();
        terms.push((app(row, TOTAL_COLUMN), -1));
        push("row_total", terms);
    }
    for col in 0..ALL_COLUMNS.len() {
        push(
            "balance",
            vec![
                (app(NEW, col), 1),
                (app(CARRIED_OVER, col), 1),
                (app(TOTAL, col), -1),
                (app(CARRY_FORWARD, col), -1),
            ],
        );
        let outcomes = || OUTCOME_ROWS.map(|row| (app(row, col), 1));
        // The 2019 form's one 其他处理 row, or the 2021 form's three.
        let mut combined: Vec<_> = outcomes().collect();
        combined.extend([(app(OTHER_COMBINED, col), 1), (app(TOTAL, col), -1)]);
        push("outcome_total", combined);
        let mut split: Vec<_> = outcomes().collect();
        split.extend(OTHER_SUBROWS.map(|row| (app(row, col), 1)));
        split.push((app(TOTAL, col), -1));
        push("outcome_total", split);
    }
    // Groups of five: upheld, corrected, other, pending, total.
    for group in crate::appeals::KEYS.chunks_exact(5) {
        let (parts, total) = group.split_at(4);
        let mut terms: Vec<_> = parts.iter().map(|&k| (k, 1)).collect();
        terms.push((total[0], -1));
        push("appeals_total", terms);
    }
    sums
});

/// What a sum says of a record: every term read, or exactly one in doubt (the value that makes
/// the sum hold), or neither.
enum Solve {
    Holds(bool),
    One(Key, i64),
    Open,
}

fn solve(r: &Record, sum: &Sum) -> Solve {
    let (mut total, mut unknown) = (0i64, None);
    for &(def, sign) in &sum.terms {
        match r.values.get(def).and_then(|n| n.as_count()) {
            Some(v) => total += sign * v,
            None if r.doubtful.get(def).is_some() && unknown.is_none() => {
                unknown = Some((def, sign))
            }
            None => return Solve::Open,
        }
    }
    match unknown {
        None => Solve::Holds(total == 0),
        // sign · x + total = 0, with sign ±1.
        Some((def, sign)) => Solve::One(def, -total * sign),
    }
}

/// Whether `read` says `value` or says it with one digit different (same number of digits).
fn one_digit_from(read: &str, value: i64) -> bool {
    let v = value.to_string();
    v.len() == read.len() && v.bytes().zip(read.bytes()).filter(|(a, b)| a != b).count() <= 1
}

/// Settles the cells of a scan that the form's sums determine, and leaves null what a failing
/// sum puts in doubt; see the module's description.
pub fn run(r: &mut Record) {
    settle_doubtful(r);
    let scanned = r.provenance.iter().any(|(_, p)| p.ocr_conf.is_some());
    if scanned {
        repair_failing(r);
    }
}

/// Settles the cells in doubt that a sum determines.
fn settle_doubtful(r: &mut Record) {
    while !r.doubtful.is_empty() {
        let mut settled = false;
        for sum in SUMS.iter() {
            let Solve::One(def, value) = solve(r, sum) else {
                continue;
            };
            if value < 0 {
                continue;
            }
            let prov = r.doubtful.get(def).cloned().unwrap_or_default();
            // A reading that says the value itself, else one a digit away.
            let Some(read) = prov
                .ocr_read
                .iter()
                .find(|t| *t == &value.to_string())
                .or_else(|| prov.ocr_read.iter().find(|t| one_digit_from(t, value)))
                .cloned()
            else {
                continue;
            };
            r.values.insert(def, Num::Count(value));
            let others_hold = through(def).all(|s| !matches!(solve(r, s), Solve::Holds(false)));
            if !others_hold {
                r.values.remove(def);
                continue;
            }
            r.doubtful.remove(def);
            let place = place(&prov);
            let readings = prov
                .ocr_read
                .iter()
                .map(|t| format!("“{t}”"))
                .collect::<Vec<_>>()
                .join(", ");
            let how = if read == value.to_string() {
                format!("confirmed {value}")
            } else {
                format!("corrected to {value} (one digit of “{read}” changed)")
            };
            r.warnings.push(format!(
                "{}: scanned cell{place} read in doubt as {readings}; {how}, the only value that makes {} hold",
                def.name(), sum.rule
            ));
            r.provenance.insert(def, prov);
            settled = true;
        }
        if !settled {
            break;
        }
    }
}

/// Where a scanned cell is, for a warning: ` (page 1, pixels (…)–(…))`.
fn place(prov: &Provenance) -> String {
    match (prov.page, prov.pixels) {
        (Some(p), Some([x0, y0, x1, y1])) => {
            format!(" (page {p}, pixels ({x0}, {y0})–({x1}, {y1}))")
        }
        _ => String::new(),
    }
}

/// How far a sum whose terms are all read is from holding (Σ sign · value).
fn residual(r: &Record, sum: &Sum) -> Option<i64> {
    sum.terms
        .iter()
        .map(|&(def, sign)| count_of(r, def).map(|v| sign * v))
        .sum()
}

fn count_of(r: &Record, def: Key) -> Option<i64> {
    r.values.get(def).and_then(|n| n.as_count())
}

fn through(def: Key) -> impl Iterator<Item = &'static Sum> {
    SUMS.iter()
        .filter(move |s| s.terms.iter().any(|(d, _)| *d == def))
}

/// A scan whose sums fail read some number wrong with confidence. The one cell that is in every
/// failing sum and that a one-digit change makes all of its sums hold is corrected; when no
/// cell or more than one could be, every number of the failing sums is left null, with a
/// warning naming them.
fn repair_failing(r: &mut Record) {
    let failing: Vec<&Sum> = SUMS
        .iter()
        .filter(|s| matches!(solve(r, s), Solve::Holds(false)))
        .collect();
    let Some(first) = failing.first() else {
        return;
    };
    let mut fixes = Vec::new();
    for &(def, sign) in &first.terms {
        if !failing
            .iter()
            .all(|s| s.terms.iter().any(|(d, _)| *d == def))
        {
            continue;
        }
        let (Some(old), Some(off)) = (count_of(r, def), residual(r, first)) else {
            continue;
        };
        // sign · (value − old) + off = 0, with sign ±1.
        let value = old - sign * off;
        if value < 0 || value == old || !one_digit_from(&old.to_string(), value) {
            continue;
        }
        r.values.insert(def, Num::Count(value));
        if through(def).all(|s| !matches!(solve(r, s), Solve::Holds(false))) {
            fixes.push((def, old, value));
        }
        r.values.insert(def, Num::Count(old));
    }
    if let [(def, old, value)] = fixes[..] {
        r.values.insert(def, Num::Count(value));
        let prov = r.provenance.get(def).cloned().unwrap_or_default();
        let rules: Vec<&str> = through(def).map(|s| s.rule).collect();
        r.warnings.push(format!(
            "{}: scanned cell{} read as “{old}”; corrected to {value} (one digit changed), the only one-digit change that makes {} hold",
            def.name(),
            place(&prov),
            rules.join(" and ")
        ));
        return;
    }
    for sum in failing {
        let mut left = Vec::new();
        for &(def, _) in &sum.terms {
            if let Some(v) = count_of(r, def) {
                r.values.remove(def);
                r.provenance.remove(def);
                left.push(format!("{} (read {v})", def.name()));
            }
        }
        if !left.is_empty() {
            r.warnings.push(format!(
                "scanned numbers fail {}, and no single one-digit change explains it: left null rather than guessed: {}",
                sum.rule,
                left.join(", ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Source;

    fn doubt(r: &mut Record, key: &str, read: &[&str]) {
        let prov = Provenance {
            page: Some(1),
            pixels: Some([10, 20, 30, 40]),
            ocr_read: read.iter().map(|s| s.to_string()).collect(),
            ..Provenance::default()
        };
        r.doubtful.insert(Key::named(key).unwrap(), prov);
    }

    fn set(r: &mut Record, key: &str, v: i64) {
        r.values.insert(Key::named(key).unwrap(), Num::Count(v));
    }

    fn count(r: &Record, key: &str) -> Option<i64> {
        r.get(Key::named(key).unwrap()).and_then(Num::as_count)
    }

    /// The 予以公开 row: 13 + 2 + 0 + 1 + 0 + 0 = 16 with the cell in doubt at 13.
    fn granted_row(r: &mut Record, natural: Option<i64>) {
        let vals = [
            natural,
            Some(2),
            Some(0),
            Some(1),
            Some(0),
            Some(0),
            Some(16),
        ];
        for (&key, v) in crate::keys::row::APPLICATIONS_GRANTED.iter().zip(vals) {
            if let Some(v) = v {
                r.values.insert(key, Num::Count(v));
            }
        }
    }

    #[test]
    fn one_digit_confirmed_by_the_row_total_is_corrected_and_said() {
        let mut r = Record::new(Source::default());
        granted_row(&mut r, None);
        doubt(&mut r, "applications.granted.natural_person", &["18", "1"]);
        run(&mut r);
        assert_eq!(count(&r, "applications.granted.natural_person"), Some(13));
        let w = r.warnings.join("\n");
        assert!(
            w.contains("applications.granted.natural_person")
                && w.contains("“18”")
                && w.contains("corrected to 13")
                && w.contains("page 1, pixels (10, 20)–(30, 40)")
                && w.contains("row_total"),
            "{w}"
        );
        assert_eq!(
            r.provenance
                .get(Key::APPLICATIONS_GRANTED_NATURAL_PERSON)
                .and_then(|p| p.page),
            Some(1)
        );
    }

    #[test]
    fn two_cells_in_doubt_in_one_row_stay_null() {
        // 13 → 18 or 23 → 28 would both make the row hold: neither is taken.
        let mut r = Record::new(Source::default());
        granted_row(&mut r, None);
        set(&mut r, "applications.granted.total", 42);
        r.values.remove(Key::APPLICATIONS_GRANTED_ENTERPRISE);
        doubt(&mut r, "applications.granted.natural_person", &["13"]);
        doubt(&mut r, "applications.granted.enterprise", &["23"]);
        run(&mut r);
        assert_eq!(count(&r, "applications.granted.natural_person"), None);
        assert_eq!(count(&r, "applications.granted.enterprise"), None);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn a_value_two_digits_from_every_reading_stays_null() {
        let mut r = Record::new(Source::default());
        granted_row(&mut r, None);
        doubt(&mut r, "applications.granted.natural_person", &["31", "7"]);
        run(&mut r);
        assert_eq!(count(&r, "applications.granted.natural_person"), None);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn a_second_sum_that_disagrees_keeps_the_cell_null() {
        // Each of two sums through the cell determines it, and they disagree.
        let mut r = Record::new(Source::default());
        set(&mut r, "applications.new.natural_person", 20);
        set(&mut r, "applications.carried_over.natural_person", 0);
        set(&mut r, "applications.carry_forward.natural_person", 1);
        doubt(&mut r, "applications.total.natural_person", &["18"]);
        // The row's total says 18, the balance 20 + 0 − 1 = 19 (one digit from “18” too).
        // Every column after 自然人: 0, then 18 in 总计.
        let parts = [0, 0, 0, 0, 0, 18];
        for (&key, v) in crate::keys::row::APPLICATIONS_TOTAL[1..].iter().zip(parts) {
            r.values.insert(key, Num::Count(v));
        }
        run(&mut r);
        assert_eq!(count(&r, "applications.total.natural_person"), None);
    }

    /// A scanned record: 予以公开 read 93 for 98 in the 自然人 column, confidently.
    fn misread(with_column: bool) -> Record {
        let mut r = Record::new(Source::default());
        granted_row(&mut r, Some(93));
        set(&mut r, "applications.granted.total", 101);
        if with_column {
            // The column: 98 予以公开 + 2 部分公开 + 0 elsewhere = 100 总计.
            for row in OUTCOME_ROWS {
                let key = row_keys(row)[0];
                if key != Key::APPLICATIONS_GRANTED_NATURAL_PERSON {
                    r.values.insert(key, Num::Count(0));
                }
            }
            set(&mut r, "applications.partial.natural_person", 2);
            set(&mut r, "applications.other.combined.natural_person", 0);
            set(&mut r, "applications.total.natural_person", 100);
        }
        let prov = Provenance {
            page: Some(1),
            pixels: Some([600, 1510, 650, 1540]),
            ocr_conf: Some(91.0),
            ..Provenance::default()
        };
        r.provenance
            .insert(Key::APPLICATIONS_GRANTED_NATURAL_PERSON, prov);
        r
    }

    #[test]
    fn a_misread_digit_in_a_failing_row_and_column_is_corrected() {
        let mut r = misread(true);
        run(&mut r);
        assert_eq!(
            count(&r, "applications.granted.natural_person"),
            Some(98),
            "{:?}",
            r.warnings
        );
        assert_eq!(count(&r, "applications.granted.enterprise"), Some(2));
        let w = r.warnings.join("\n");
        assert!(
            w.contains("applications.granted.natural_person")
                && w.contains("read as “93”; corrected to 98")
                && w.contains("page 1, pixels (600, 1510)–(650, 1540)"),
            "{w}"
        );
    }

    #[test]
    fn a_failing_row_that_several_digits_could_explain_is_left_null() {
        // Only the row is known: 93 → 98, 2 → 7, 1 → 6 … each would make it hold.
        let mut r = misread(false);
        run(&mut r);
        for col in ["natural_person", "enterprise", "research", "total"] {
            assert_eq!(
                count(&r, &format!("applications.granted.{col}")),
                None,
                "{col}"
            );
        }
        assert!(r
            .provenance
            .get(Key::APPLICATIONS_GRANTED_NATURAL_PERSON)
            .is_none());
        let w = r.warnings.join("\n");
        assert!(
            w.contains("fail row_total")
                && w.contains("applications.granted.natural_person (read 93)")
                && w.contains("applications.granted.total (read 101)"),
            "{w}"
        );
    }

    #[test]
    fn sums_of_a_document_that_was_not_scanned_are_left_to_the_checks() {
        let mut r = misread(true);
        r.provenance = crate::KeyMap::new();
        run(&mut r);
        assert_eq!(count(&r, "applications.granted.natural_person"), Some(93));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn digits_apart() {
        assert!(one_digit_from("18", 13));
        assert!(one_digit_from("13", 13));
        assert!(!one_digit_from("31", 13));
        assert!(!one_digit_from("3", 13));
        assert!(!one_digit_from("113", 13));
    }
}
