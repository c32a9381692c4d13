//! Comparison of a record with a hand-checked `<stem>.expected.json` (the format of the shared
//! corpus): used by `cargo xtask eval` and by every adapter's integration tests.
use crate::record::Record;
use serde_json::Value;
use std::path::Path;

/// The outcome of comparing one record with one expectation.
#[derive(Debug, Clone, Default)]
pub struct Score {
    pub cells: usize,
    pub right: usize,
    /// Cells where the record shows a number the expectation does not: a different value, or
    /// a value where the document leaves the cell blank. (The rest of the misses are nulls.)
    pub shown_wrong: usize,
    /// Human-readable differences, `key: want X, got Y`.
    pub mismatches: Vec<String>,
    /// Metadata checks (year, template, agency) that failed.
    pub meta_wrong: Vec<String>,
    pub meta_total: usize,
}

impl Score {
    /// The share of cells right; an expectation without cells checks nothing and scores 0.
    pub fn accuracy(&self) -> f64 {
        if self.cells == 0 {
            0.0
        } else {
            self.right as f64 / self.cells as f64
        }
    }
    pub fn is_perfect(&self) -> bool {
        self.cells > 0 && self.right == self.cells && self.meta_wrong.is_empty()
    }
}

/// Compares `record` with the expectation file at `path`.
pub fn compare_file(record: &Record, path: &Path) -> Result<Score, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let exp: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(compare(record, &exp))
}

/// Compares `record` with a parsed expectation: every key of `cells` (null means the record
/// must hold the key with no value: a key it lacks is a miss), and `report.year`, `report.template`, `report.agency_contains`.
pub fn compare(record: &Record, expected: &Value) -> Score {
    compare_json(&record.to_json(), expected)
}

/// The same comparison on a record as written to `reports.jsonl`.
pub fn compare_json(record: &Value, expected: &Value) -> Score {
    let mut s = Score::default();
    if let Some(cells) = expected.get("cells").and_then(Value::as_object) {
        for (key, want) in cells {
            s.cells += 1;
            let held = key.split('.').try_fold(record, |v, k| v.get(k));
            let got = held.and_then(Value::as_f64);
            let ok = match (want.as_f64(), got) {
                (None, None) => want.is_null() && held.is_some_and(Value::is_null),
                (Some(w), Some(g)) => (w - g).abs() < 5e-5,
                _ => false,
            };
            if ok {
                s.right += 1;
            } else {
                s.shown_wrong += usize::from(got.is_some());
                let got = match (got, held) {
                    (Some(g), _) => g.to_string(),
                    (None, Some(v)) => v.to_string(),
                    (None, None) => "no such key".into(),
                };
                s.mismatches.push(format!("{key}: want {want}, got {got}"));
            }
        }
    }
    let rep = expected.get("report").cloned().unwrap_or(Value::Null);
    let got = &record["report"];
    if let Some(y) = rep.get("year").and_then(Value::as_i64) {
        s.meta_total += 1;
        if got["year"].as_i64() != Some(y) {
            s.meta_wrong
                .push(format!("year: want {y}, got {}", got["year"]));
        }
    }
    if let Some(t) = rep.get("template") {
        let t = t
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| t.to_string());
        s.meta_total += 1;
        if got["template"].as_str() != Some(t.as_str()) {
            s.meta_wrong
                .push(format!("template: want {t}, got {}", got["template"]));
        }
    }
    if let Some(a) = rep.get("agency_contains").and_then(Value::as_str) {
        s.meta_total += 1;
        if !got["agency"].as_str().unwrap_or("").contains(a) {
            s.meta_wrong
                .push(format!("agency: want …{a}…, got {}", got["agency"]));
        }
    }
    s
}

/// The accuracy a scanned fixture (a file in a `scan/` folder, read by OCR) must reach, with no
/// wrong number: 0.97 at 200 dpi and above, 0.9 at 150 dpi (named `…scan150…`). `None` for
/// any other file, which must be entirely right.
pub fn scan_bar(path: &std::path::Path) -> Option<f64> {
    // In `scan/` or a folder of it (page images joined, an archive of them).
    if !path
        .parent()
        .is_some_and(|d| d.ancestors().any(|d| d.ends_with("scan")))
    {
        return None;
    }
    Some(if path.to_string_lossy().contains("scan150") {
        0.9
    } else {
        0.97
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_null_is_right_only_where_the_record_holds_the_key() {
        let record = json!({"report": {"year": 2023}, "a": {"b": null, "c": 4.0}});
        let expected = json!({"cells": {"a.b": null, "a.c": 4, "a.x": null, "a.c.d": null}});
        let s = compare_json(&record, &expected);
        assert_eq!((s.cells, s.right, s.shown_wrong), (4, 2, 0));
        assert_eq!(
            s.mismatches,
            [
                "a.x: want null, got no such key",
                "a.c.d: want null, got no such key"
            ]
        );
    }

    #[test]
    fn an_expectation_without_cells_is_no_pass() {
        let record = json!({"report": {"year": 2023}});
        for expected in [json!({}), json!({"cells": {}, "report": {"year": 2023}})] {
            let s = compare_json(&record, &expected);
            assert_eq!(s.accuracy(), 0.0);
            assert!(!s.is_perfect());
        }
    }

    #[test]
    fn scans_have_their_own_bars() {
        use std::path::Path;
        assert_eq!(
            super::scan_bar(Path::new("fixtures/scan/a-scan200.pdf")),
            Some(0.97)
        );
        assert_eq!(
            super::scan_bar(Path::new("fixtures/scan/a-scan150.pdf")),
            Some(0.9)
        );
        assert_eq!(super::scan_bar(Path::new("fixtures/pdf/scan150.pdf")), None);
        assert_eq!(
            super::scan_bar(Path::new("fixtures/scan/pages/扫描.zip!/报告-{1..3}.jpg")),
            Some(0.97)
        );
    }
}
