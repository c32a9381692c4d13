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
    pub fn accuracy(&self) -> f64 {
        if self.cells == 0 {
            1.0
        } else {
            self.right as f64 / self.cells as f64
        }
    }
    pub fn is_perfect(&self) -> bool {
        self.right == self.cells && self.meta_wrong.is_empty()
    }
}

/// Compares `record` with the expectation file at `path`.
pub fn compare_file(record: &Record, path: &Path) -> Result<Score, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let exp: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(compare(record, &exp))
}

/// Compares `record` with a parsed expectation: every key of `cells` (null means the record
/// must show no value), and `report.year`, `report.template`, `report.agency_contains`.
pub fn compare(record: &Record, expected: &Value) -> Score {
    compare_json(&record.to_json(), expected)
}

/// The same comparison on a record as written to `reports.jsonl`.
pub fn compare_json(record: &Value, expected: &Value) -> Score {
    let mut s = Score::default();
    if let Some(cells) = expected.get("cells").and_then(Value::as_object) {
        for (key, want) in cells {
            s.cells += 1;
            let got = key
                .split('.')
                .try_fold(record, |v, k| v.get(k))
                .and_then(Value::as_f64);
            let ok = match (want.as_f64(), got) {
                (None, None) => want.is_null(),
                (Some(w), Some(g)) => (w - g).abs() < 5e-5,
                _ => false,
            };
            if ok {
                s.right += 1;
            } else {
                s.shown_wrong += usize::from(got.is_some());
                let got = got.map(|g| g.to_string()).unwrap_or_else(|| "null".into());
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
