//! `reports.sqlite`: the records as tables, for SQL, pandas, R and DuckDB.
//!
//! - `documents`: one row per record, `doc` being its line in `reports.jsonl` (1-based);
//! - `cells`: one row per document and key the document shows (a `null` has no row), with the
//!   value, its raw text where the record keeps one, and where it was read (a view of the table
//!   `cell`, which names its key by its `keys.position`: half the size, and faster to write);
//! - `checks` and `warnings`: one row per entry of the record's lists;
//! - `keys`: the codebook (`keys.tsv` with the form's Chinese labels);
//! - `wide`: a view with one row per document and one column per key, named as in the CSV.
//!
//! The table of values is called `cells` because `VALUES` is an SQL keyword. Its `value` column
//! has no declared type, so that each value keeps the type it has in the JSON (a money amount
//! of 7545.0 stays REAL, a count INTEGER).
use crate::codebook;
use crate::{Doc, Provenance};
use nianbao_template::keys;
use rusqlite::{params, types::Value as Sql, Connection};
use serde_json::Number;
use std::io;
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE documents (
  doc INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  format TEXT,
  sha256 TEXT,
  bytes INTEGER,
  encoding TEXT,
  status TEXT NOT NULL,
  error_kind TEXT,
  error_message TEXT,
  agency TEXT,
  year INTEGER,
  template TEXT,
  published TEXT,
  title TEXT,
  overview TEXT,
  problems TEXT,
  other TEXT,
  failed_checks INTEGER NOT NULL,
  warnings INTEGER NOT NULL
);
CREATE TABLE keys (
  key TEXT NOT NULL UNIQUE,
  position INTEGER PRIMARY KEY,
  templates TEXT NOT NULL,
  form_table TEXT NOT NULL,
  section TEXT NOT NULL,
  row_label TEXT NOT NULL,
  column_label TEXT NOT NULL,
  unit TEXT NOT NULL
);
CREATE TABLE cell (
  doc INTEGER NOT NULL REFERENCES documents(doc),
  key_id INTEGER NOT NULL,
  value NOT NULL,
  raw TEXT,
  page INTEGER,
  sheet TEXT,
  table_no INTEGER,
  row_no INTEGER,
  col_no INTEGER,
  line INTEGER,
  PRIMARY KEY (doc, key_id)
) WITHOUT ROWID;
CREATE VIEW cells AS
  SELECT c.doc, k.key, c.value, c.raw, c.page, c.sheet, c.table_no, c.row_no, c.col_no, c.line
  FROM cell c JOIN keys k ON k.position = c.key_id;
CREATE TABLE checks (
  doc INTEGER NOT NULL REFERENCES documents(doc),
  rule TEXT NOT NULL,
  ok INTEGER NOT NULL,
  detail TEXT NOT NULL
);
CREATE TABLE warnings (
  doc INTEGER NOT NULL REFERENCES documents(doc),
  message TEXT NOT NULL
);
";

/// Made once the rows are in: one sort instead of a B-tree kept in order row by row.
const INDEXES: &str = "
CREATE INDEX cell_key ON cell(key_id, value);
CREATE INDEX checks_doc ON checks(doc);
CREATE INDEX warnings_doc ON warnings(doc);
";

/// The `wide` view: the documents' columns, then one column per key (a correlated lookup by
/// the primary key, so that reading one document's row costs 226 index probes, not a scan).
fn wide_view() -> String {
    let mut sql = String::from("CREATE VIEW wide AS SELECT d.*");
    for def in keys::all() {
        sql.push_str(&format!(
            ",\n  (SELECT value FROM cell c WHERE c.doc = d.doc AND c.key_id = {}) AS \"{}\"",
            def.id + 1,
            def.key
        ));
    }
    sql.push_str("\nFROM documents d;");
    sql
}

/// A JSON number as SQLite stores it: integers as INTEGER, the rest as REAL.
pub fn number(n: &Number) -> Sql {
    match n.as_i64() {
        Some(i) => Sql::Integer(i),
        None => Sql::Real(n.as_f64().unwrap_or(f64::NAN)),
    }
}

pub fn write(path: &Path, docs: &[Doc]) -> io::Result<()> {
    crate::write_aside(path, |tmp| {
        fill(tmp, docs).map_err(|e| crate::failed(path, e))
    })
}

fn fill(path: &Path, docs: &[Doc]) -> rusqlite::Result<()> {
    let mut db = Connection::open(path)?;
    // A new file renamed into place when complete: no journal is needed to keep it whole.
    db.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;",
    )?;
    let tx = db.transaction()?;
    tx.execute_batch(SCHEMA)?;
    tx.execute_batch(&wide_view())?;
    {
        let mut key = tx.prepare("INSERT INTO keys VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?;
        for (i, d) in keys::all().iter().enumerate() {
            key.execute(params![
                d.key,
                i as i64 + 1,
                codebook::templates(d),
                codebook::table_of(d),
                d.section,
                d.row,
                d.column,
                codebook::unit(d)
            ])?;
        }
        let mut document = tx.prepare(
            "INSERT INTO documents VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        )?;
        let mut cell =
            tx.prepare("INSERT INTO cell VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")?;
        let mut check = tx.prepare("INSERT INTO checks VALUES (?1, ?2, ?3, ?4)")?;
        let mut warning = tx.prepare("INSERT INTO warnings VALUES (?1, ?2)")?;
        let unknown = Provenance::default();
        for (i, d) in docs.iter().enumerate() {
            let id = i as i64 + 1;
            document.execute(params![
                id,
                d.path,
                d.format,
                d.sha256,
                d.bytes.map(|b| b as i64),
                d.encoding,
                d.status,
                d.error_kind,
                d.error_message,
                d.agency,
                d.year,
                d.template,
                d.published,
                d.title,
                d.overview,
                d.problems,
                d.other,
                d.failed_checks().count() as i64,
                d.warnings.len() as i64
            ])?;
            for c in &d.cells {
                let p = c.provenance.as_ref().unwrap_or(&unknown);
                cell.execute(params![
                    id,
                    c.def.id as i64 + 1,
                    number(&c.value),
                    c.raw,
                    p.page,
                    p.sheet.as_deref(),
                    p.table,
                    p.row,
                    p.col,
                    p.line
                ])?;
            }
            for c in &d.checks {
                check.execute(params![id, c.rule, c.ok, c.detail])?;
            }
            for w in &d.warnings {
                warning.execute(params![id, w])?;
            }
        }
    }
    tx.execute_batch(INDEXES)?;
    tx.commit()?;
    db.close().map_err(|(_, e)| e)
}
