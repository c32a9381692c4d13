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
use crate::{Cell, Provenance, Records};
use nianbao_template::keys;
use rusqlite::{params, types::Value as Sql, Connection, Statement};
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

/// Made once the rows are in: one sort instead of a B-tree kept in order row by row. `cell`
/// has none: its primary key serves a query by document, and a query by key skip-scans it
/// (one seek per document) once the statistics say how many cells a document has
/// ([`cell_statistics`]); an index on `key_id` cost a quarter of the database's time.
const INDEXES: &str = "
CREATE INDEX checks_doc ON checks(doc);
CREATE INDEX warnings_doc ON warnings(doc);
";

/// The statistics `ANALYZE` would store for `cell`'s primary key, from the counts the writer
/// knows: `cells` rows, about `cells / documents` of them per document, one per (document, key).
/// With them SQLite answers `WHERE key_id = ?` by a skip-scan of the primary key instead of
/// reading the whole table (about 30 ms instead of 100 ms for a key over 10,000 documents).
fn cell_statistics(tx: &rusqlite::Transaction, cells: i64, documents: i64) -> rusqlite::Result<()> {
    if cells == 0 {
        return Ok(());
    }
    // Creates the statistics table without analysing anything.
    tx.execute_batch("ANALYZE sqlite_schema")?;
    let per_document = (cells + documents - 1) / documents.max(1);
    tx.execute(
        "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('cell', 'cell', ?1)",
        [format!("{cells} {per_document} 1")],
    )?;
    Ok(())
}

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

/// Writes `reports.sqlite` from the records as they arrive.
pub fn write(path: &Path, records: Records) -> io::Result<()> {
    crate::write_aside(path, |tmp| {
        fill(tmp, records).map_err(|e| match e {
            Stop::Read(e) => e,
            Stop::Sql(e) => crate::failed(path, e),
        })
    })
}

/// Why the database was not finished: the records stopped, or SQLite failed.
enum Stop {
    Read(io::Error),
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for Stop {
    fn from(e: rusqlite::Error) -> Self {
        Stop::Sql(e)
    }
}

/// The columns of `cell`.
const CELL_COLUMNS: usize = 10;

/// Cells inserted by one statement: a step of a many-row `INSERT` costs much less than as
/// many steps of a one-row one.
const ROWS: usize = 32;

/// `INSERT INTO cell` of `rows` rows.
fn cell_insert(rows: usize) -> String {
    let row = format!("({})", ["?"; CELL_COLUMNS].join(", "));
    format!("INSERT INTO cell VALUES {}", vec![row; rows].join(", "))
}

/// Binds a cell of document `id` to the parameters after `at` (integers as INTEGER).
fn bind_cell(stmt: &mut Statement, at: usize, id: i64, c: &Cell) -> rusqlite::Result<()> {
    let p = c.provenance.as_ref();
    let number = |f: fn(&Provenance) -> Option<i64>| p.and_then(f);
    stmt.raw_bind_parameter(at + 1, id)?;
    stmt.raw_bind_parameter(at + 2, c.def.id as i64 + 1)?;
    match c.value.as_i64() {
        Some(i) => stmt.raw_bind_parameter(at + 3, i)?,
        None => stmt.raw_bind_parameter(at + 3, c.value.as_f64().unwrap_or(f64::NAN))?,
    }
    stmt.raw_bind_parameter(at + 4, c.raw.as_deref())?;
    stmt.raw_bind_parameter(at + 5, number(|p| p.page))?;
    stmt.raw_bind_parameter(at + 6, p.and_then(|p| p.sheet.as_deref()))?;
    stmt.raw_bind_parameter(at + 7, number(|p| p.table))?;
    stmt.raw_bind_parameter(at + 8, number(|p| p.row))?;
    stmt.raw_bind_parameter(at + 9, number(|p| p.col))?;
    stmt.raw_bind_parameter(at + 10, number(|p| p.line))
}

fn fill(path: &Path, records: Records) -> Result<(), Stop> {
    let mut db = Connection::open(path)?;
    // A new file renamed into place when complete: no journal is needed to keep it whole.
    db.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;",
    )?;
    let tx = db.transaction()?;
    tx.execute_batch(SCHEMA)?;
    tx.execute_batch(&wide_view())?;
    // Documents and cells written, for the statistics.
    let (mut id, mut cells_written) = (0i64, 0i64);
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
        let mut cell = tx.prepare(&cell_insert(1))?;
        let mut cells = tx.prepare(&cell_insert(ROWS))?;
        let mut check = tx.prepare("INSERT INTO checks VALUES (?1, ?2, ?3, ?4)")?;
        let mut warning = tx.prepare("INSERT INTO warnings VALUES (?1, ?2)")?;
        for batch in records {
            let batch = batch.map_err(Stop::Read)?;
            let mut pending: Vec<(i64, &Cell)> = Vec::with_capacity(ROWS);
            for d in batch.iter() {
                id += 1;
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
                cells_written += d.cells.len() as i64;
                for c in &d.cells {
                    pending.push((id, c));
                    if pending.len() == ROWS {
                        for (at, (id, c)) in pending.drain(..).enumerate() {
                            bind_cell(&mut cells, at * CELL_COLUMNS, id, c)?;
                        }
                        cells.raw_execute()?;
                    }
                }
                for c in &d.checks {
                    check.execute(params![id, c.rule, c.ok, c.detail])?;
                }
                for w in &d.warnings {
                    warning.execute(params![id, w])?;
                }
            }
            // The batch is dropped at the end of the loop: its last cells first.
            for (id, c) in pending.drain(..) {
                bind_cell(&mut cell, 0, id, c)?;
                cell.raw_execute()?;
            }
        }
    }
    tx.execute_batch(INDEXES)?;
    cell_statistics(&tx, cells_written, id)?;
    tx.commit()?;
    db.close().map_err(|(_, e)| e)?;
    Ok(())
}
