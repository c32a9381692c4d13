//! The outputs people open, written from the finished records of an output folder: an audit
//! page (`audit.html`), an Excel workbook (`reports.xlsx`), an SQLite database
//! (`reports.sqlite`) and a codebook (`keys.csv`).
//!
//! Every one of them is derived from `reports.jsonl` alone, read after the run has finished
//! it, so they follow whatever the log does (a fresh run, `--resume`, a shard, records
//! concatenated from several shards) and never see a half-written record. Each file is
//! written beside its final name and renamed into place, so a reader never opens half of one.

pub mod audit;
pub mod cells;
pub mod codebook;
pub mod database;
mod record;
pub mod workbook;

use nianbao_template::keys::KeyDef;
use serde_json::Number;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub const JSONL: &str = "reports.jsonl";
pub const AUDIT: &str = "audit.html";
pub const WORKBOOK: &str = "reports.xlsx";
pub const DATABASE: &str = "reports.sqlite";
pub const CODEBOOK: &str = "keys.csv";

/// One numeric cell a document shows (a `null` is not a cell: it has no entry).
#[derive(Debug, Clone)]
pub struct Cell {
    /// The key's definition in `keys.tsv`.
    pub def: &'static KeyDef,
    pub value: Number,
    /// The text the value was read from, where the record keeps it (money cells).
    pub raw: Option<String>,
    /// Where the value was read: page / sheet / table, row, column or line.
    pub provenance: Option<Provenance>,
}

/// Where a value was read (the record's `provenance` of its key; SCHEMA.md). Positions on the
/// page (`x`, `y`) are not kept.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Provenance {
    pub page: Option<i64>,
    pub sheet: Option<String>,
    pub table: Option<i64>,
    pub row: Option<i64>,
    pub col: Option<i64>,
    pub line: Option<i64>,
}

/// One entry of a record's `checks`.
#[derive(Debug, Clone)]
pub struct Check {
    pub rule: String,
    pub ok: bool,
    pub detail: String,
}

/// The fields of one record that the outputs show.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub path: String,
    pub format: Option<String>,
    pub sha256: Option<String>,
    pub bytes: Option<u64>,
    pub encoding: Option<String>,
    pub status: String,
    pub error_kind: Option<String>,
    pub error_message: Option<String>,
    pub agency: Option<String>,
    pub year: Option<i64>,
    pub template: Option<String>,
    pub published: Option<String>,
    pub title: Option<String>,
    pub overview: Option<String>,
    pub problems: Option<String>,
    pub other: Option<String>,
    /// The non-null numeric cells, in the order of `keys.tsv`.
    pub cells: Vec<Cell>,
    pub checks: Vec<Check>,
    pub warnings: Vec<String>,
}

impl Doc {
    /// The checks that failed.
    pub fn failed_checks(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.ok)
    }

    /// The cell of `key`, if the document shows it.
    pub fn cell(&self, key: &str) -> Option<&Cell> {
        let id = nianbao_template::keys::get(key)?.id;
        // The cells are in the order of keys.tsv.
        let at = self.cells.binary_search_by_key(&id, |c| c.def.id).ok()?;
        Some(&self.cells[at])
    }
}

/// Reads every record of a `reports.jsonl`. A line that is not a record (it cannot be, unless
/// the file was edited by hand) is an error naming its line: an output silently missing a
/// document would be worse.
/// The lines are parsed on every core: reading is most of the outputs' time.
pub fn read_jsonl(path: &Path) -> io::Result<Vec<Doc>> {
    let text = fs::read_to_string(path)?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = lines.len().div_ceil(threads).max(1);
    let parse = |part: &[(usize, &str)]| -> io::Result<Vec<Doc>> {
        part.iter()
            .map(|&(i, line)| {
                record::parse(line).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{} line {}: {e}", path.display(), i + 1),
                    )
                })
            })
            .collect()
    };
    let parts: Vec<io::Result<Vec<Doc>>> = std::thread::scope(|s| {
        let handles: Vec<_> = lines
            .chunks(chunk)
            .map(|part| s.spawn(move || parse(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a record parser panicked"))
            .collect()
    });
    let mut docs = Vec::with_capacity(lines.len());
    for p in parts {
        docs.extend(p?);
    }
    Ok(docs)
}

/// Removes the outputs written from the records, where there are any: a run that writes only
/// the records must not leave the previous run's audit page, workbook or database beside
/// records they no longer describe.
pub fn remove_all(dir: &Path) -> io::Result<()> {
    for name in [AUDIT, WORKBOOK, DATABASE, CODEBOOK] {
        match std::fs::remove_file(dir.join(name)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// Writes the four outputs into `dir` from `dir/reports.jsonl`.
pub fn write_all(dir: &Path) -> io::Result<()> {
    let docs = read_jsonl(&dir.join(JSONL))?;
    codebook::write(&dir.join(CODEBOOK))?;
    // The database on one thread, the workbook and the page on another.
    let (db, rest) = std::thread::scope(|s| {
        let db = s.spawn(|| database::write(&dir.join(DATABASE), &docs));
        let rest = workbook::write(&dir.join(WORKBOOK), &docs)
            .and_then(|()| audit::write(&dir.join(AUDIT), &docs));
        (db.join().expect("the database writer panicked"), rest)
    });
    db.and(rest)
}

/// Writes `path` through a hidden file beside it, renamed into place once `write` succeeded.
/// Not synced to disk: these files are made again from `reports.jsonl` (which is synced) by
/// `nianbao outputs DIR`, and a sync of each cost more than writing it on small batches.
pub(crate) fn write_aside(
    path: &Path,
    write: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = aside(path);
    let _ = fs::remove_file(&tmp);
    match write(&tmp) {
        Ok(()) => fs::rename(&tmp, path),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn aside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

/// An error of a library the outputs are written with, as an `io::Error` naming the file.
pub(crate) fn failed(path: &Path, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("{}: {e}", path.display()))
}
