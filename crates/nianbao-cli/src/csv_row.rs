//! One CSV row from one record line, read in a single pass over the JSON: each value is
//! written straight into its column, and the parts of the record the CSV does not show
//! (provenance, sections) are skipped without being built. Parsing every line into a
//! `serde_json::Value` instead cost a tenth of a batch's time.
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

/// The CSV's value columns by dotted path, and every path that leads to one.
struct Columns {
    /// Columns in order; the last two (`checks.failed`, `warnings`) are derived.
    header: Vec<String>,
    by_path: HashMap<String, usize>,
    prefixes: HashSet<String>,
}

fn columns() -> &'static Columns {
    static COLUMNS: OnceLock<Columns> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        let header = crate::output::csv_header();
        let mut by_path = HashMap::new();
        let mut prefixes = HashSet::new();
        for (i, path) in header.iter().enumerate().take(header.len() - 2) {
            by_path.insert(path.clone(), i);
            let mut end = 0;
            while let Some(dot) = path[end..].find('.') {
                end += dot;
                prefixes.insert(path[..end].to_string());
                end += 1;
            }
        }
        Columns {
            header,
            by_path,
            prefixes,
        }
    })
}

/// The CSV row of one record line: one field per column of [`crate::output::csv_header`].
pub fn row_of_line(line: &str) -> serde_json::Result<Vec<String>> {
    let cols = columns();
    let mut row = vec![String::new(); cols.header.len()];
    let mut de = serde_json::Deserializer::from_str(line);
    Object {
        path: "",
        row: &mut row,
        cols,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(row)
}

/// An object at `path` whose members fill columns.
struct Object<'r> {
    path: &'r str,
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
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                key
            } else {
                format!("{}.{key}", self.path)
            };
            if let Some(&i) = self.cols.by_path.get(&path) {
                self.row[i] = map.next_value::<Cell>()?.0;
            } else if self.cols.prefixes.contains(&path) {
                map.next_value_seed(Object {
                    path: &path,
                    row: &mut *self.row,
                    cols: self.cols,
                })?;
            } else if path == "checks" {
                let checks: Vec<CheckLite> = map.next_value()?;
                let failed: Vec<&str> = checks
                    .iter()
                    .filter(|c| !c.ok)
                    .map(|c| c.rule.as_str())
                    .collect();
                self.row[n - 2] = failed.join(";");
            } else if path == "warnings" {
                let warnings: Vec<String> = map.next_value()?;
                self.row[n - 1] = warnings.join(" | ");
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
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
