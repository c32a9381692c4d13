//! One CSV row from one record line, read in a single pass over the JSON: each value is
//! written straight into its column, and the parts of the record the CSV does not show
//! (provenance, sections) are skipped without being built. Parsing every line into a
//! `serde_json::Value` instead cost a tenth of a batch's time.
use crate::output::META_FIELDS;
use nianbao_template::keys::{self, Fnv};
use nianbao_template::record::Num;
use nianbao_template::Record;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

/// The CSV's value columns by dotted path, and every path that leads to one.
struct Columns {
    /// Columns in order; the last two (`checks.failed`, `warnings`) are derived.
    header: Vec<String>,
    /// FNV-hashed: the paths are short, and SipHash was a sixth of the time of a row.
    paths: HashMap<String, Path, BuildHasherDefault<Fnv>>,
    /// Whether each column holds text (else a number, never neutralised: see [`guard`]).
    text: Vec<bool>,
}

/// What a dotted path of a record line is to the CSV.
#[derive(Clone, Copy)]
enum Path {
    /// The value of this column.
    Column(usize),
    /// An object holding columns.
    Prefix,
}

fn columns() -> &'static Columns {
    static COLUMNS: OnceLock<Columns> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        let header = crate::output::csv_header();
        let mut paths = HashMap::default();
        for (i, path) in header.iter().enumerate().take(header.len() - 2) {
            paths.insert(path.clone(), Path::Column(i));
            let mut end = 0;
            while let Some(dot) = path[end..].find('.') {
                end += dot;
                paths.entry(path[..end].to_string()).or_insert(Path::Prefix);
                end += 1;
            }
        }
        let numeric: std::collections::HashSet<&str> = ["source.bytes", "report.year"]
            .into_iter()
            .chain(keys::all().iter().map(|d| d.key))
            .collect();
        let text = header
            .iter()
            .map(|h| !numeric.contains(h.as_str()))
            .collect();
        Columns {
            header,
            paths,
            text,
        }
    })
}

/// Columns of a row.
pub fn width() -> usize {
    columns().header.len()
}

/// The CSV row of one record line: one field per column of [`crate::output::csv_header`].
pub fn row_of_line(line: &str) -> serde_json::Result<Vec<String>> {
    let cols = columns();
    let mut row = vec![String::new(); cols.header.len()];
    let mut path = String::with_capacity(64);
    let mut de = serde_json::Deserializer::from_str(line);
    Object {
        path: &mut path,
        row: &mut row,
        cols,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(row)
}

/// The CSV row of a record still in memory: the row [`row_of_line`] reads off its JSON line,
/// built without writing and parsing the JSON (a worker sends it with the line, so that the
/// parent, the one serial part of a run, does not parse every record).
pub fn row_of_record(r: &Record) -> Vec<String> {
    let n = width();
    let mut row = Vec::with_capacity(n);
    // The small structs go through serde, so their cells are the ones their JSON shows.
    let object = |v: serde_json::Result<serde_json::Value>| v.unwrap_or_default();
    let source = object(serde_json::to_value(&r.source));
    let error = object(serde_json::to_value(&r.error));
    let report = object(serde_json::to_value(&r.report));
    for name in META_FIELDS {
        let v = match name.split_once('.') {
            Some(("source", f)) => &source[f],
            Some(("error", f)) => &error[f],
            Some(("report", f)) => &report[f],
            _ => &serde_json::Value::Null,
        };
        row.push(match (name, v) {
            (&"status", _) => r.status.as_str().to_string(),
            (_, v) => Cell::deserialize(v).map(|c| c.0).unwrap_or_default(),
        });
    }
    for d in keys::all() {
        row.push(match r.values.get_def(d) {
            Some(Num::Count(n)) => n.to_string(),
            Some(Num::Wan(w)) if w.is_finite() => format_num(*w),
            _ => String::new(),
        });
        if d.unit == keys::Unit::WanYuan {
            row.push(r.raw.get_def(d).cloned().unwrap_or_default());
        }
    }
    row.push(failed_cell(
        r.checks.iter().map(|c| (c.rule.as_str(), c.ok)),
    ));
    row.push(warnings_cell(&r.warnings));
    debug_assert_eq!(row.len(), n);
    row
}

/// One row as the CSV file holds it: fields quoted where they need it (RFC 4180), `\r\n` at
/// the end. A worker sends its rows encoded, so that the parent writes them as they come and
/// reads only the few fields it keeps (`output::LineFacts`).
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRow(String);

impl CsvRow {
    /// Text fields that a spreadsheet would take for a formula get a leading `'` ([`guard`]).
    pub fn of_fields<S: AsRef<str>>(fields: &[S]) -> CsvRow {
        let text = &columns().text;
        let mut out = String::with_capacity(1024);
        let mut guarded = String::new();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let mut f = f.as_ref();
            if text.get(i).copied().unwrap_or(true) && needs_guard(f) {
                guarded.clear();
                guarded.push(GUARD);
                guarded.push_str(f);
                f = &guarded;
            }
            if f.contains([',', '"', '\n', '\r']) {
                out.push('"');
                out.push_str(&f.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(f);
            }
        }
        out.push_str("\r\n");
        CsvRow(out)
    }

    /// The row of a record line ([`row_of_line`], encoded).
    pub fn of_line(line: &str) -> serde_json::Result<CsvRow> {
        Ok(CsvRow::of_fields(&row_of_line(line)?))
    }

    /// The row of a record in memory ([`row_of_record`], encoded).
    pub fn of_record(r: &Record) -> CsvRow {
        CsvRow::of_fields(&row_of_record(r))
    }

    /// A row received as text: `None` unless it is one whole row of [`width`] fields.
    pub fn parse(text: String) -> Option<CsvRow> {
        let body = text.strip_suffix("\r\n")?;
        let n = scan(body, usize::MAX, |_, _| {})?;
        (n == width()).then_some(CsvRow(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0.into_bytes()
    }

    /// Calls `f(i, field)` with each field, unquoted and with its [`guard`] taken off, up to
    /// field `last`: the text the record holds.
    pub fn fields_to<'a>(&'a self, last: usize, mut f: impl FnMut(usize, Cow<'a, str>)) {
        let body = self.0.strip_suffix("\r\n").unwrap_or(&self.0);
        let text = &columns().text;
        scan(body, last, |i, field| {
            if !text.get(i).copied().unwrap_or(true) || !field.starts_with(GUARD) {
                return f(i, field);
            }
            f(
                i,
                match field {
                    Cow::Borrowed(s) => Cow::Borrowed(&s[1..]),
                    Cow::Owned(s) => Cow::Owned(s[1..].to_string()),
                },
            )
        });
    }
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

/// Reads the fields of a row's text (without its `\r\n`) up to field `last`, giving each to `f`
/// (only those are unquoted), and returns how many it read; `None` for text that is not a
/// row (a quote left open, text after a closing quote, a quote or line break in an unquoted
/// field). Bytes, not chars: every byte looked for is ASCII, so each cut is a char boundary.
fn scan<'a>(body: &'a str, last: usize, mut f: impl FnMut(usize, Cow<'a, str>)) -> Option<usize> {
    let b = body.as_bytes();
    let (mut i, mut n) = (0, 0);
    loop {
        if b.get(i) == Some(&b'"') {
            let start = i + 1;
            let mut end = start;
            let mut escaped = false;
            loop {
                end += memchr::memchr(b'"', &b[end..])?;
                if b.get(end + 1) != Some(&b'"') {
                    break;
                }
                escaped = true;
                end += 2;
            }
            if n <= last {
                let text = &body[start..end];
                f(
                    n,
                    match escaped {
                        true => Cow::Owned(text.replace("\"\"", "\"")),
                        false => Cow::Borrowed(text),
                    },
                );
            }
            i = end + 1;
        } else {
            let start = i;
            while i < b.len() && !matches!(b[i], b',' | b'"' | b'\r' | b'\n') {
                i += 1;
            }
            if n <= last {
                f(n, Cow::Borrowed(&body[start..i]));
            }
        }
        n += 1;
        match b.get(i) {
            None => return Some(n),
            Some(b',') if n <= last => i += 1,
            Some(b',') => return Some(n),
            Some(_) => return None,
        }
    }
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

/// An object at `path` whose members fill columns. The path is one buffer, extended by each
/// member's key and cut back after it: no string is built per member.
struct Object<'r> {
    path: &'r mut String,
    row: &'r mut [String],
    cols: &'static Columns,
}

impl<'de> DeserializeSeed<'de> for Object<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Object<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a record object")
    }

    /// `null` where an object could be (a failed record's `error` is null): no columns.
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let n = self.row.len();
        let base = self.path.len();
        while let Some(Key(key)) = map.next_key()? {
            self.path.truncate(base);
            if base > 0 {
                self.path.push('.');
            }
            self.path.push_str(&key);
            match self.cols.paths.get(self.path.as_str()) {
                Some(Path::Column(i)) => {
                    self.row[*i] = map.next_value::<Cell>()?.0;
                    continue;
                }
                Some(Path::Prefix) => {
                    map.next_value_seed(Object {
                        path: &mut *self.path,
                        row: &mut *self.row,
                        cols: self.cols,
                    })?;
                    continue;
                }
                None => {}
            }
            if self.path == "checks" {
                let checks: Vec<CheckLite> = map.next_value()?;
                self.row[n - 2] = failed_cell(checks.iter().map(|c| (c.rule.as_str(), c.ok)));
            } else if self.path == "warnings" {
                let warnings: Vec<String> = map.next_value()?;
                self.row[n - 1] = warnings_cell(&warnings);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        self.path.truncate(base);
        Ok(())
    }
}

/// A member name, borrowed from the line unless it holds an escape.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a member name")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_string())))
    }
}

#[derive(Deserialize)]
struct CheckLite {
    #[serde(default)]
    rule: String,
    #[serde(default = "yes")]
    ok: bool,
}

fn yes() -> bool {
    true
}

/// One field as the CSV shows it: null empty, whole numbers without a decimal point.
struct Cell(String);

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Cell, D::Error> {
        d.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a value")
    }
    fn visit_unit<E>(self) -> Result<Cell, E> {
        Ok(Cell(String::new()))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Cell, E> {
        Ok(Cell(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Cell, E> {
        Ok(Cell(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Cell, E> {
        Ok(Cell(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Cell, E> {
        Ok(Cell(format_num(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cell, E> {
        Ok(Cell(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Cell, E> {
        Ok(Cell(v))
    }
    /// An object or list where a value column is: shown as its JSON.
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Cell, A::Error> {
        let v = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Cell(v.to_string()))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Cell, A::Error> {
        let v = serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Cell(v.to_string()))
    }
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
mod tests {
    use super::*;
    use crate::convert::convert_document;
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

    /// The row built from a record is the row read off its JSON line, for every file in
    /// fixtures/ (reports in every format, broken files, sidecars that are no report) and for
    /// records with failed checks, warnings and odd text.
    #[test]
    fn rows_of_records_are_rows_of_their_lines() {
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
        for r in &records {
            let line = r.to_json_line();
            assert_eq!(
                row_of_record(r),
                row_of_line(&line).unwrap(),
                "{}",
                r.source.path
            );
        }
    }
}

#[cfg(test)]
mod guard_tests {
    use super::*;
    use crate::output::{csv_header, LineFacts};
    use serde_json::json;

    /// Text cells that a spreadsheet would run get a leading `'`; numbers never do; the facts
    /// read back off the row are the record's own text.
    #[test]
    fn formula_text_is_neutralised_and_numbers_are_not() {
        let path = "in/=cmd|' -C calc'!A0.txt";
        let line = json!({"source": {"path": path, "bytes": 12, "sha256": "ab"}, "status": "ok",
            "report": {"agency": "@SUM(1+1)", "title": "=1+1 年报", "year": 2024},
            "active": {"licensing": {"change": -3}, "fees": {"amount_raw": "-80056元"}},
            "warnings": ["+warn", "\tx"]})
        .to_string();
        let h = csv_header();
        let col = |k: &str| h.iter().position(|x| x == k).unwrap();
        let row = CsvRow::of_line(&line).unwrap();
        let mut raw = Vec::new();
        scan(
            row.as_str().strip_suffix("\r\n").unwrap(),
            usize::MAX,
            |_, f| raw.push(f.into_owned()),
        );
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
            let line = json!({"source": {"path": name}}).to_string();
            let row = CsvRow::of_line(&line).unwrap();
            assert!(row.as_str().starts_with(&format!("{want},")), "{row:?}");
            // Read back, the guard is gone.
            assert_eq!(LineFacts::from_row(&row).path, name);
        }
    }
}
