//! One CSV row from one record, written by the `csv` crate: one column per key of keys.tsv
//! after the record's own columns, text that a spreadsheet would run as a formula guarded.
use crate::output::META_FIELDS;
use nianbao_template::record::Num;
use nianbao_template::Record;
use nianbao_template::{keys, Key};
use serde_json::Value;
use std::sync::OnceLock;

/// Whether each column of [`crate::output::csv_header`] holds text (else a number, never
/// guarded: see [`GUARD`]).
fn text_columns() -> &'static [bool] {
    static TEXT: OnceLock<Vec<bool>> = OnceLock::new();
    TEXT.get_or_init(|| {
        let numeric: std::collections::HashSet<&str> = ["source.bytes", "report.year"]
            .into_iter()
            .chain(keys::all().iter().map(|d| d.key))
            .collect();
        crate::output::csv_header()
            .iter()
            .map(|h| !numeric.contains(h.as_str()))
            .collect()
    })
}

/// Columns of a row.
pub fn width() -> usize {
    text_columns().len()
}

/// The CSV row of a record: one field per column of [`crate::output::csv_header`], each the
/// text the record's JSON line shows (null empty, whole numbers without a decimal point).
pub fn row_of_record(r: &Record) -> Vec<String> {
    let n = width();
    let mut row = Vec::with_capacity(n);
    // The small structs go through serde, so their cells are the ones their JSON shows.
    let object = |v: serde_json::Result<Value>| v.unwrap_or_default();
    let source = object(serde_json::to_value(&r.source));
    let error = object(serde_json::to_value(&r.error));
    let report = object(serde_json::to_value(&r.report));
    for name in META_FIELDS {
        let v = match name.split_once('.') {
            Some(("source", f)) => &source[f],
            Some(("error", f)) => &error[f],
            Some(("report", f)) => &report[f],
            _ => &Value::Null,
        };
        row.push(match (name, v) {
            (&"status", _) => r.status.as_str().to_string(),
            (_, v) => cell(v),
        });
    }
    for key in Key::all() {
        row.push(match r.values.get(key) {
            Some(Num::Count(n)) => n.to_string(),
            Some(Num::Wan(w)) if w.is_finite() => format_num(*w),
            _ => String::new(),
        });
        if key.def().unit == keys::Unit::WanYuan {
            row.push(r.raw.get(key).cloned().unwrap_or_default());
        }
    }
    row.push(failed_cell(
        r.checks.iter().map(|c| (c.rule.as_str(), c.ok)),
    ));
    row.push(warnings_cell(&r.warnings));
    debug_assert_eq!(row.len(), n);
    row
}

/// One field as the CSV shows a JSON value.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => format_num(f),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// One row as the CSV file holds it: fields quoted where they need it (RFC 4180: a field
/// holding `,`, `"`, `\r` or `\n`), `\r\n` at the end. A converter sends its rows encoded, so
/// that the parent writes them as they come.
pub fn encode<S: AsRef<str>>(fields: &[S]) -> String {
    let text = text_columns();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::with_capacity(4096));
    // Writing to memory cannot fail.
    let written = "a CSV row written to memory";
    for (i, f) in fields.iter().enumerate() {
        let f = f.as_ref();
        if text.get(i).copied().unwrap_or(true) && needs_guard(f) {
            w.write_field(format!("{GUARD}{f}")).expect(written);
        } else {
            w.write_field(f).expect(written);
        }
    }
    w.write_record(None::<&[u8]>).expect(written);
    let bytes = w.into_inner().expect(written);
    String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8")
}

/// The row of a record ([`row_of_record`], encoded).
pub fn encode_record(r: &Record) -> String {
    encode(&row_of_record(r))
}

/// The guard: spreadsheets (Excel, LibreOffice, Google Sheets) run a cell that starts with
/// `=`, `+`, `-` or `@` as a formula, and some strip a leading tab or carriage return first.
/// A text field that starts with one of them is written with a leading `'`, as OWASP
/// recommends against CSV injection, so that it shows as text; so is a field that starts
/// with `'` itself, so that the guard can always be taken off again. Numeric columns are never
/// guarded (a change of -3 stays a number); the JSONL keeps the exact text.
const GUARD: char = '\'';

fn needs_guard(field: &str) -> bool {
    field.starts_with(['=', '+', '-', '@', '\t', '\r', GUARD])
}

/// The `checks.failed` column: the rules of the failed checks, from (rule, ok) pairs.
pub fn failed_cell<'c>(checks: impl Iterator<Item = (&'c str, bool)>) -> String {
    let failed: Vec<&str> = checks.filter(|c| !c.1).map(|c| c.0).collect();
    failed.join(";")
}

/// The `warnings` column.
fn warnings_cell(warnings: &[String]) -> String {
    warnings.join(" | ")
}

/// 万元 amounts as printed: `8.0056`; whole numbers without `.0`.
pub fn format_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::convert::convert_document;
    use crate::output::csv_header;
    use nianbao_core::{ErrorKind, ExtractError, Limits};
    use nianbao_template::{Check, Source};
    use std::path::{Path, PathBuf};

    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(&p, out);
            } else {
                out.push(p);
            }
        }
    }

    /// The fields of one encoded row, read back by the `csv` crate's reader.
    pub(crate) fn read_row(row: &str) -> Vec<String> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(row.as_bytes());
        let rec = r.records().next().unwrap().unwrap();
        rec.iter().map(str::to_string).collect()
    }

    /// What a column shows of a record line, read off the line's JSON by its dotted path.
    fn cell_of_line(v: &Value, column: &str) -> String {
        let list = |name: &str| v[name].as_array().cloned().unwrap_or_default();
        match column {
            "checks.failed" => list("checks")
                .iter()
                .filter(|c| c["ok"] == false)
                .map(|c| c["rule"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
                .join(";"),
            "warnings" => list("warnings")
                .iter()
                .map(|w| w.as_str().unwrap().to_string())
                .collect::<Vec<_>>()
                .join(" | "),
            _ => {
                let pointer = format!("/{}", column.replace('.', "/"));
                match v.pointer(&pointer) {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) if n.is_f64() => format_num(n.as_f64().unwrap()),
                    Some(other) => other.to_string(),
                }
            }
        }
    }

    /// For every file in fixtures/ (reports in every format, broken files, sidecars that are
    /// no report) and records with failed checks, warnings and odd text: each column of the
    /// record's row, read back by the csv reader, shows what its JSON line holds at that path;
    /// and the record read back from its line writes the same line and the same row.
    #[test]
    fn rows_show_the_lines_and_records_read_back_write_them_again() {
        let mut paths = Vec::new();
        files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"),
            &mut paths,
        );
        let mut records: Vec<Record> = paths
            .iter()
            .map(|p| {
                let bytes = std::fs::read(p).unwrap();
                let sha = nianbao_sources::sha256_hex(&bytes);
                convert_document(p.display().to_string(), &bytes, sha, &Limits::default())
            })
            .collect();
        assert!(records.len() > 50);
        let with_values = records.iter().filter(|r| r.values.len() > 100).count();
        assert!(with_values > 10, "{with_values} records with values");
        let with_inferred = records.iter().filter(|r| !r.report_from.is_empty()).count();
        assert!(with_inferred > 0);
        let mut odd = records
            .iter()
            .find(|r| r.values.len() > 100)
            .unwrap()
            .clone();
        odd.checks.push(Check {
            rule: "balance".into(),
            ok: false,
            detail: "x".into(),
        });
        odd.warnings = vec!["a, \"quoted\"\nwarning".into(), "二".into()];
        odd.report.title = Some("标题, with \"quotes\"".into());
        odd.source.encoding = Some("gbk".into());
        records.push(odd);
        records.push(Record::failed(
            Source {
                path: "x.pdf".into(),
                ..Default::default()
            },
            ExtractError::new(ErrorKind::Timeout, "too slow"),
        ));
        let header = csv_header();
        let text = text_columns();
        for r in &records {
            let line = r.to_json_line();
            let v: Value = serde_json::from_str(&line).unwrap();
            let row = read_row(&encode_record(r));
            assert_eq!(row.len(), header.len());
            for (i, column) in header.iter().enumerate() {
                let mut want = cell_of_line(&v, column);
                if text[i] && needs_guard(&want) {
                    want.insert(0, GUARD);
                }
                assert_eq!(row[i], want, "{} {column}", r.source.path);
            }
            let back = Record::from_json_line(&line).unwrap();
            assert_eq!(back.to_json_line(), line, "{}", r.source.path);
            assert_eq!(row_of_record(&back), row_of_record(r));
        }
    }

    #[test]
    fn csv_quoting() {
        let fields = ["a", "b,c", "say \"hi\"", "x\ny", "", "二\r"];
        assert_eq!(
            encode(&fields),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",,\"二\r\"\r\n"
        );
    }
}

#[cfg(test)]
mod guard_tests {
    use super::tests::read_row;
    use super::*;
    use crate::output::csv_header;
    use nianbao_template::{Key, Source};

    /// Text cells that a spreadsheet would run get a leading `'`; numbers never do.
    #[test]
    fn formula_text_is_neutralised_and_numbers_are_not() {
        let mut r = Record::new(Source {
            path: "in/=cmd|' -C calc'!A0.txt".into(),
            sha256: "ab".into(),
            bytes: 12,
            ..Default::default()
        });
        r.report.agency = Some("@SUM(1+1)".into());
        r.report.title = Some("=1+1 年报".into());
        r.report.year = Some(2024);
        r.values
            .insert(Key::ACTIVE_LICENSING_CHANGE, Num::Count(-3));
        r.raw.insert(Key::ACTIVE_FEES_AMOUNT_WAN, "-80056元".into());
        r.warnings = vec!["+warn".into(), "\tx".into()];
        let h = csv_header();
        let col = |k: &str| h.iter().position(|x| x == k).unwrap();
        let raw = read_row(&encode_record(&r));
        assert_eq!(raw[col("source.path")], "in/=cmd|' -C calc'!A0.txt");
        assert_eq!(raw[col("report.agency")], "'@SUM(1+1)");
        assert_eq!(raw[col("report.title")], "'=1+1 年报");
        assert_eq!(raw[col("active.licensing.change")], "-3");
        assert_eq!(raw[col("active.fees.amount_raw")], "'-80056元");
        assert_eq!(raw[col("report.year")], "2024");
        assert_eq!(raw[col("warnings")], "'+warn | \tx");
        let path = "=cmd|' -C calc'!A0.txt";
        for (name, want) in [
            (path, format!("'{path}")),
            ("\tx", "'\tx".into()),
            ("\rx", "\"'\rx\"".into()),
            ("-1", "'-1".into()),
            ("'quoted", "''quoted".into()),
            ("a=b", "a=b".into()),
        ] {
            let r = Record::new(Source {
                path: name.into(),
                ..Default::default()
            });
            let row = encode_record(&r);
            assert!(row.starts_with(&format!("{want},")), "{row:?}");
        }
    }
}
