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
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};

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
    pub fn cell(&self, key: nianbao_template::Key) -> Option<&Cell> {
        let id = key.index();
        // The cells are in the order of keys.tsv.
        let at = self.cells.binary_search_by_key(&id, |c| c.def.id).ok()?;
        Some(&self.cells[at])
    }
}

/// The records read together and handed to every writer: a few dozen at a time, so that
/// memory stays flat however long the log is.
pub type Batch = Arc<Vec<Doc>>;

/// How many records a [`Batch`] holds, and how many batches a writer may fall behind the
/// reader before the reader waits for it.
const BATCH: usize = 64;
const QUEUE: usize = 4;

/// Reads the records of a `reports.jsonl` one line at a time, `BATCH` at a time, handing each
/// batch to `each`. A line that is not a record (it cannot be, unless the file was edited by
/// hand) is an error naming its line: an output silently missing a document would be worse.
pub fn read_batches(path: &Path, mut each: impl FnMut(Batch)) -> io::Result<()> {
    let mut file = io::BufReader::with_capacity(1 << 20, fs::File::open(path)?);
    let mut line = String::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut n = 0usize;
    loop {
        line.clear();
        if file.read_line(&mut line)? == 0 {
            break;
        }
        n += 1;
        if line.trim().is_empty() {
            continue;
        }
        let doc = record::parse(&line).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} line {n}: {e}", path.display()),
            )
        })?;
        batch.push(doc);
        if batch.len() == BATCH {
            each(Arc::new(std::mem::replace(
                &mut batch,
                Vec::with_capacity(BATCH),
            )));
        }
    }
    if !batch.is_empty() {
        each(Arc::new(batch));
    }
    Ok(())
}

/// The records as one writer receives them: batches in the order of the log, then the end.
/// A stream that stops before the end (the log could not be read) yields an error, so that
/// no writer puts a partial output in place.
pub struct Records {
    rx: mpsc::Receiver<Option<Batch>>,
    ended: bool,
}

impl Iterator for Records {
    type Item = io::Result<Batch>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        match self.rx.recv() {
            Ok(Some(batch)) => Some(Ok(batch)),
            Ok(None) => {
                self.ended = true;
                None
            }
            Err(_) => {
                self.ended = true;
                Some(Err(io::Error::other("the records could not all be read")))
            }
        }
    }
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
    write_only(dir, &[CODEBOOK, DATABASE, WORKBOOK, AUDIT])
}

/// Writes the outputs named (among [`CODEBOOK`], [`DATABASE`], [`WORKBOOK`], [`AUDIT`]) into
/// `dir` from `dir/reports.jsonl`. The log is read once, one line at a time, and each batch
/// of records handed to every writer, each on its own thread: the database, workbook and
/// page are written while the log is being read, on every core, and memory stays flat.
pub fn write_only(dir: &Path, names: &[&str]) -> io::Result<()> {
    type Writer = fn(&Path, Records) -> io::Result<()>;
    let writers: [(&str, Writer); 3] = [
        (DATABASE, database::write),
        (WORKBOOK, workbook::write),
        (AUDIT, audit::write),
    ];
    std::thread::scope(|s| {
        let mut senders = Vec::new();
        let mut running = Vec::new();
        for (name, write) in writers {
            if !names.contains(&name) {
                continue;
            }
            let (tx, rx) = mpsc::sync_channel(QUEUE);
            senders.push(tx);
            let path = dir.join(name);
            running.push(s.spawn(move || write(&path, Records { rx, ended: false })));
        }
        if running.is_empty() {
            return Ok::<(), io::Error>(());
        }
        let read = read_batches(&dir.join(JSONL), |batch| {
            // A writer that failed has stopped listening; the others go on.
            for tx in &senders {
                let _ = tx.send(Some(batch.clone()));
            }
        });
        if read.is_ok() {
            for tx in &senders {
                let _ = tx.send(None);
            }
        }
        drop(senders);
        let written: Vec<io::Result<()>> = running
            .into_iter()
            .map(|h| h.join().expect("an output writer panicked"))
            .collect();
        // The log's error first: the writers' errors then only say they stopped.
        read?;
        written.into_iter().collect()
    })?;
    // Last, like the others only once the whole log was read: the outputs of one log.
    if names.contains(&CODEBOOK) {
        codebook::write(&dir.join(CODEBOOK))?;
    }
    Ok(())
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
