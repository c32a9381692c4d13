//! The two outputs. DIR/reports.jsonl is canonical and is written as an append-only log: one
//! record per line, in input order, each line written and flushed as soon as the records
//! before it are done, so that after a crash it holds a valid prefix of the run (`--resume`
//! continues from it). DIR/reports.csv holds the same records flattened, one column per key of
//! keys.tsv, UTF-8 with a BOM so that Excel reads the Chinese text; its rows are written to a
//! hidden spool as the records are appended. The finishing pass adds the cross-document
//! `carry_over` checks: when there are any, it reads back the records they change, and
//! rewrites those lines and rows through temporary files; then the CSV is renamed into place. Readers never see a
//! half-written CSV or a half-rewritten JSONL.
use crate::csv_row;
use nianbao_template::checks::{carry_over, CarryFacts};
use nianbao_template::{keys, record::raw_key, Check, Key, Record, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub const JSONL: &str = "reports.jsonl";
pub const CSV: &str = "reports.csv";

/// The append-only record log.
pub struct Log {
    file: File,
    path: PathBuf,
    /// Bytes in the file: the offset the next line is written at.
    len: u64,
}

impl Log {
    /// Opens DIR/reports.jsonl: emptied for a fresh run; for a resumed run kept, with any
    /// half-written last line (the run was killed while writing it) cut off.
    pub fn open(dir: &Path, resume: bool) -> io::Result<Log> {
        fs::create_dir_all(dir)?;
        let path = dir.join(JSONL);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        // Two runs writing one log would interleave their lines: the second one stops here.
        if let Err(e) = file.try_lock() {
            return Err(match e {
                fs::TryLockError::WouldBlock => io::Error::new(
                    io::ErrorKind::ResourceBusy,
                    format!("another nianbao convert is writing to {}", dir.display()),
                ),
                fs::TryLockError::Error(e) => e,
            });
        }
        let len = if resume {
            complete_length(&mut file)?
        } else {
            0
        };
        file.set_len(len)?;
        file.seek(SeekFrom::Start(len))?;
        Ok(Log { file, path, len })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record line; returns the offset it starts at. Written with one system call
    /// and not buffered, so that a killed run loses at most the line being written.
    pub fn append(&mut self, line: &str) -> io::Result<u64> {
        let at = self.len;
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        self.file.write_all(&buf)?;
        self.len += buf.len() as u64;
        Ok(at)
    }

    /// The line that starts at `offset` (without its newline).
    pub fn line_at(&self, offset: u64) -> io::Result<String> {
        read_line_at(&File::open(&self.path)?, offset)
    }

    pub fn sync(&self) -> io::Result<()> {
        self.file.sync_all()
    }
}

/// Length of the file up to and including its last newline.
fn complete_length(file: &mut File) -> io::Result<u64> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut end = len;
    let mut buf = [0u8; 8192];
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        file.seek(SeekFrom::Start(start))?;
        let chunk = &mut buf[..(end - start) as usize];
        file.read_exact(chunk)?;
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

/// What the run keeps of a record, taken from the record where it is made (a worker, the
/// parent for a document whose worker failed, a resumed log): enough to count it, to know its
/// copies, and to check it against the neighbouring years of its agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub path: String,
    /// sha256 of the document's bytes; empty when they could not be read.
    pub sha256: String,
    pub status: Status,
    pub agency: Option<String>,
    pub year: Option<i32>,
    pub carried_over: Option<i64>,
    pub carry_forward: Option<i64>,
    /// Whether the record holds a `carry_over` check (a finished log, resumed).
    pub carry_check: bool,
}

impl Facts {
    pub fn of(r: &Record) -> Facts {
        let count = |key: Key| r.get(key).and_then(|n| n.as_count());
        Facts {
            path: r.source.path.clone(),
            sha256: r.source.sha256.clone(),
            status: r.status,
            agency: r.report.agency.clone().filter(|a| !a.is_empty()),
            year: r.report.year,
            carried_over: count(Key::APPLICATIONS_CARRIED_OVER_TOTAL),
            carry_forward: count(Key::APPLICATIONS_CARRY_FORWARD_TOTAL),
            carry_check: r.checks.iter().any(|c| c.rule == CARRY_OVER),
        }
    }
}

/// The rule name of the cross-document check.
const CARRY_OVER: &str = "carry_over";

/// A record as the run writes it: its facts, its JSON line and its CSV row (encoded, as the
/// CSV file holds it). Made where the record is, so that the parent never reads a record's
/// text to learn what its converter knew.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub facts: Facts,
    pub line: String,
    pub row: String,
}

impl Written {
    pub fn of(r: &Record) -> Written {
        Written {
            facts: Facts::of(r),
            line: r.to_json_line(),
            row: csv_row::encode_record(r),
        }
    }
}

/// What the run keeps of every record written: counts, and the small facts the `carry_over`
/// check needs (not the records).
#[derive(Default)]
pub struct Tally {
    /// ok, partial, failed.
    pub counts: [u64; 3],
    /// Records in the log.
    pub records: u64,
    /// The facts of the records that name an agency, a year and a carry total …
    facts: Vec<CarryFacts>,
    /// … and their lines: (index, offset in the log).
    fact_lines: Vec<(u64, u64)>,
    /// The lines that already hold a `carry_over` check (a finished log, resumed).
    checked_lines: Vec<(u64, u64)>,
}

impl Tally {
    /// Counts the next record of the log, which starts at `offset`.
    pub fn add(&mut self, f: &Facts, offset: u64) {
        let i = match f.status {
            Status::Ok => 0,
            Status::Partial => 1,
            Status::Failed => 2,
        };
        self.counts[i] += 1;
        let facts = CarryFacts {
            agency: f.agency.clone(),
            year: f.year,
            carried_over: f.carried_over,
            carry_forward: f.carry_forward,
        };
        if facts.agency.is_some()
            && facts.year.is_some()
            && (facts.carried_over.is_some() || facts.carry_forward.is_some())
        {
            self.facts.push(facts);
            self.fact_lines.push((self.records, offset));
        }
        if f.carry_check {
            self.checked_lines.push((self.records, offset));
        }
        self.records += 1;
    }

    /// The lines whose `carry_over` check the finishing pass sets, by line index: the
    /// records that have one now, and those that held one and may lose it (`None`).
    fn carry_checks(&self) -> BTreeMap<u64, Change> {
        let mut out = BTreeMap::new();
        for &(line, offset) in &self.checked_lines {
            out.insert(
                line,
                Change {
                    offset,
                    check: None,
                },
            );
        }
        for (j, check) in carry_over(&self.facts) {
            let (line, offset) = self.fact_lines[j];
            out.insert(
                line,
                Change {
                    offset,
                    check: Some(check),
                },
            );
        }
        out
    }
}

/// The `carry_over` check of the record on one line of the log.
#[derive(Debug, PartialEq)]
struct Change {
    /// Where the line starts in the log.
    offset: u64,
    check: Option<Check>,
}

/// DIR/.reports.csv.spool: the CSV rows of the records in the log, in log order, written as
/// the records are appended (off the critical path of a run, instead of in a last pass).
pub struct CsvSpool {
    w: BufWriter<File>,
    path: PathBuf,
    /// Bytes of the BOM and header.
    header_len: u64,
    /// Bytes of each row, to copy rows the finishing pass leaves as they are.
    row_lens: Vec<u32>,
}

impl CsvSpool {
    pub fn create(dir: &Path) -> io::Result<CsvSpool> {
        let path = dir.join(".reports.csv.spool");
        let mut w = BufWriter::new(File::create(&path)?);
        let mut head = "\u{feff}".as_bytes().to_vec();
        head.extend_from_slice(csv_row::encode(&csv_header()).as_bytes());
        w.write_all(&head)?;
        Ok(CsvSpool {
            w,
            path,
            header_len: head.len() as u64,
            row_lens: Vec::new(),
        })
    }

    /// Writes the row of the next record of the log.
    pub fn push(&mut self, row: &str) -> io::Result<()> {
        self.w.write_all(row.as_bytes())?;
        self.row_lens.push(row.len() as u32);
        Ok(())
    }
}

/// The finishing pass: when any record gets, changes or loses a `carry_over` check, rewrites
/// those lines of the log and their rows of the CSV, from the records read back and changed,
/// and copies the bytes between them as they are (by the kernel, `copy_file_range`); then
/// renames the CSV into place. Both through temporary files, each synced before it replaces
/// the old one (the log itself is synced only when it is kept as it is).
pub fn finish(dir: &Path, tally: &Tally, spool: CsvSpool, log: &Log) -> io::Result<()> {
    let changes = tally.carry_checks();
    let CsvSpool {
        w,
        path: spool_path,
        header_len,
        row_lens,
    } = spool;
    let spool_file = w.into_inner().map_err(|e| e.into_error())?;
    if changes.is_empty() {
        log.sync()?;
        spool_file.sync_all()?;
        return fs::rename(spool_path, dir.join(CSV));
    }
    // The log is not synced: its rewritten copy is, before it replaces it.
    drop(spool_file);
    let jsonl = dir.join(JSONL);
    let (jsonl_tmp, csv_tmp) = (
        dir.join(".reports.jsonl.partial"),
        dir.join(".reports.csv.partial"),
    );
    let (log_in, mut log_out) = (File::open(&jsonl)?, File::create(&jsonl_tmp)?);
    let (csv_in, mut csv_out) = (File::open(&spool_path)?, File::create(&csv_tmp)?);
    let (mut log_at, mut csv_at) = (0u64, 0u64);
    // Start of row `row_i` in the spool.
    let (mut row_i, mut row_at) = (0usize, header_len);
    for (&i, c) in &changes {
        let i = i as usize;
        let old = read_line_at(&log_in, c.offset)?;
        let record = with_carry_check(&old, c.check.as_ref())
            .map_err(|e| io::Error::other(format!("{JSONL} line {}: {e}", i + 1)))?;
        copy_range(&log_in, log_at, c.offset, &mut log_out)?;
        log_out.write_all(record.line.as_bytes())?;
        log_out.write_all(b"\n")?;
        log_at = c.offset + old.len() as u64 + 1;
        let len = *row_lens.get(i).ok_or_else(too_few_rows)?;
        row_at += row_lens[row_i..i]
            .iter()
            .map(|&n| u64::from(n))
            .sum::<u64>();
        row_i = i;
        copy_range(&csv_in, csv_at, row_at, &mut csv_out)?;
        csv_out.write_all(record.row.as_bytes())?;
        csv_at = row_at + u64::from(len);
    }
    copy_range(&log_in, log_at, u64::MAX, &mut log_out)?;
    copy_range(&csv_in, csv_at, u64::MAX, &mut csv_out)?;
    for (f, tmp, dst) in [
        (log_out, &jsonl_tmp, jsonl.as_path()),
        (csv_out, &csv_tmp, &dir.join(CSV)),
    ] {
        f.sync_all()?;
        fs::rename(tmp, dst)?;
    }
    fs::remove_file(spool_path)
}

/// The record of a log line with its `carry_over` check replaced by `check` (or removed), as
/// the run writes it.
fn with_carry_check(line: &str, check: Option<&Check>) -> serde_json::Result<Written> {
    let mut r = Record::from_json_line(line)?;
    r.checks.retain(|c| c.rule != CARRY_OVER);
    r.checks.extend(check.cloned());
    Ok(Written::of(&r))
}

fn too_few_rows() -> io::Error {
    io::Error::other(format!("{JSONL} has more lines than {CSV} has rows"))
}

/// Bytes `from..to` of `src` (to its end at most) appended to `dst`.
fn copy_range(mut src: &File, from: u64, to: u64, dst: &mut File) -> io::Result<()> {
    src.seek(SeekFrom::Start(from))?;
    io::copy(&mut src.take(to.saturating_sub(from)), dst)?;
    Ok(())
}

/// The line starting at `offset`, without its newline.
fn read_line_at(mut f: &File, offset: u64) -> io::Result<String> {
    f.seek(SeekFrom::Start(offset))?;
    let mut line = String::new();
    BufReader::new(f).read_line(&mut line)?;
    if line.ends_with('\n') {
        line.pop();
    }
    Ok(line)
}

/// A record's copy for a second path holding the same bytes: the first record (a line of the
/// log) with its own path, and a warning naming the first.
pub fn duplicate(first: &str, path: &str) -> serde_json::Result<Written> {
    let mut r = Record::from_json_line(first)?;
    let first_path = std::mem::replace(&mut r.source.path, path.to_string());
    r.warnings.push(format!("duplicate of {first_path}"));
    Ok(Written::of(&r))
}

/// The record's own columns, before the numeric ones.
pub const META_FIELDS: &[&str] = &[
    "source.path",
    "source.format",
    "source.sha256",
    "source.bytes",
    "source.encoding",
    "status",
    "error.kind",
    "error.message",
    "report.agency",
    "report.year",
    "report.template",
    "report.published",
    "report.title",
];

pub fn csv_header() -> Vec<String> {
    let mut h: Vec<String> = META_FIELDS.iter().map(|s| s.to_string()).collect();
    for d in keys::all() {
        h.push(d.key.to_string());
        if d.unit == keys::Unit::WanYuan {
            h.push(raw_key(d.key));
        }
    }
    h.extend(["checks.failed".to_string(), "warnings".to_string()]);
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv_row::tests::read_row;
    use nianbao_template::record::Num;
    use nianbao_template::Source;

    #[test]
    fn header_has_every_key_once() {
        let h = csv_header();
        let set: std::collections::HashSet<&String> = h.iter().collect();
        assert_eq!(set.len(), h.len());
        assert!(h.contains(&"applications.total.total".to_string()));
        assert!(h.contains(&"active.fees.amount_raw".to_string()));
    }

    /// A report of `agency` for `year` with its carry totals (`None`: the table lacks them).
    fn report(agency: &str, year: i32, carried: Option<i64>, forward: Option<i64>) -> Record {
        let mut r = Record::new(Source {
            path: format!("{agency},\"{year}\".pdf"),
            sha256: format!("{year}"),
            ..Default::default()
        });
        r.report.agency = Some(agency.into());
        r.report.year = Some(year);
        for (key, v) in [
            (Key::APPLICATIONS_CARRIED_OVER_TOTAL, carried),
            (Key::APPLICATIONS_CARRY_FORWARD_TOTAL, forward),
        ] {
            if let Some(v) = v {
                r.values.insert(key, Num::Count(v));
            }
        }
        r.warnings = vec!["a, \"b\"\nc".into()];
        r
    }

    fn check(rule: &str, ok: bool, detail: &str) -> Check {
        Check {
            rule: rule.into(),
            ok,
            detail: detail.into(),
        }
    }

    #[test]
    fn facts_are_the_records_own() {
        let mut r = report("甲区人民政府", 2024, Some(4), Some(0));
        r.status = Status::Partial;
        let f = Facts::of(&r);
        assert_eq!(f.path, "甲区人民政府,\"2024\".pdf");
        assert_eq!(f.sha256, "2024");
        assert_eq!(f.status, Status::Partial);
        assert_eq!(f.agency.as_deref(), Some("甲区人民政府"));
        assert_eq!(f.year, Some(2024));
        assert_eq!((f.carried_over, f.carry_forward), (Some(4), Some(0)));
        assert!(!f.carry_check);
        r.checks.push(check("carry_over", true, ""));
        r.report.agency = Some(String::new());
        let f = Facts::of(&r);
        assert!(f.carry_check);
        assert_eq!(f.agency, None);
    }

    #[test]
    fn carry_checks_pair_years_of_one_agency() {
        let mut t = Tally::default();
        let failed = Record::failed(Source::default(), nianbao_core::ExtractError::corrupt("x"));
        for (i, r) in [
            report("甲", 2024, Some(4), Some(1)),
            failed,
            report("乙", 2023, Some(0), Some(9)),
            report("甲", 2023, Some(0), Some(4)),
        ]
        .iter()
        .enumerate()
        {
            t.add(&Facts::of(r), 100 * i as u64);
        }
        let checks = t.carry_checks();
        let want = Change {
            offset: 0,
            check: Some(check(
                "carry_over",
                true,
                "2023 carry_forward 4 vs 2024 carried_over 4",
            )),
        };
        assert_eq!(checks.into_iter().collect::<Vec<_>>(), [(0, want)]);
        assert_eq!(t.counts, [3, 0, 1]);
    }

    /// The finishing pass on a log as a run writes it, and on the same log resumed: each
    /// line, read back, holds the checks worked out by hand, and each CSV row is that record's
    /// row; the lines without a `carry_over` check are the bytes first written.
    #[test]
    fn the_finishing_pass_sets_the_checks_of_the_records() {
        let dir = std::env::temp_dir().join(format!("nianbao-finish-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let balance = check("balance", false, "");
        let mut records = vec![
            report("甲", 2023, Some(0), Some(4)),
            report("甲", 2024, Some(5), Some(0)),
            report("乙", 2023, Some(0), Some(2)),
            report("乙", 2024, Some(2), Some(1)),
            report("丙", 2023, Some(0), Some(3)),
            report("丙", 2024, Some(1), None),
            report("丁", 2024, Some(1), Some(0)),
        ];
        records[1].checks.push(balance.clone());
        records[6].checks.push(balance.clone());
        let want_checks = |stale: bool| {
            let mut want = vec![
                vec![],
                vec![
                    balance.clone(),
                    check(
                        "carry_over",
                        false,
                        "2023 carry_forward 4 vs 2024 carried_over 5",
                    ),
                ],
                vec![],
                vec![check(
                    "carry_over",
                    true,
                    "2023 carry_forward 2 vs 2024 carried_over 2",
                )],
                vec![],
                vec![check(
                    "carry_over",
                    false,
                    "2023 carry_forward 3 vs 2024 carried_over 1",
                )],
                vec![balance.clone()],
            ];
            if stale {
                // Left from a pass over a batch that had 丁's 2023 report.
                want[6].push(check("carry_over", true, "old"));
            }
            want
        };
        let want_failed = [
            "",
            "balance;carry_over",
            "",
            "",
            "",
            "carry_over",
            "balance",
        ];
        for resumed in [false, true] {
            if resumed {
                // The log of a finished run, plus a stale check that the pass must remove.
                records[6].checks.push(check("carry_over", true, "old"));
                assert_eq!(records[6].checks, want_checks(true)[6]);
            }
            let mut log = Log::open(&dir, false).unwrap();
            let mut csv = CsvSpool::create(&dir).unwrap();
            let mut tally = Tally::default();
            for r in &records {
                let w = Written::of(r);
                let at = log.append(&w.line).unwrap();
                tally.add(&w.facts, at);
                csv.push(&w.row).unwrap();
            }
            finish(&dir, &tally, csv, &log).unwrap();
            drop(log);
            let jsonl = fs::read_to_string(dir.join(JSONL)).unwrap();
            let lines: Vec<&str> = jsonl.lines().collect();
            let csv = fs::read_to_string(dir.join(CSV)).unwrap();
            let mut rows = csv
                .strip_prefix('\u{feff}')
                .unwrap()
                .split_inclusive("\r\n");
            assert_eq!(rows.next(), Some(csv_row::encode(&csv_header()).as_str()));
            let failed_col = csv_header().len() - 2;
            for (i, line) in lines.iter().enumerate() {
                let back = Record::from_json_line(line).unwrap();
                assert_eq!(back.checks, want_checks(false)[i], "line {i}");
                let mut first = records[i].clone();
                first.checks = back.checks.clone();
                assert_eq!(*line, first.to_json_line(), "line {i}");
                let row = rows.next().unwrap();
                assert_eq!(row, csv_row::encode_record(&back), "row {i}");
                assert_eq!(read_row(row)[failed_col], want_failed[i], "row {i}");
            }
            assert_eq!((lines.len(), rows.next()), (7, None));
            for i in [0, 2, 4] {
                assert_eq!(lines[i], Written::of(&records[i]).line);
            }
        }
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn duplicate_keeps_fields_and_names_the_first() {
        let mut first = report("甲", 2024, Some(1), None);
        first.source.path = "a.txt".into();
        first.source.sha256 = "ab".into();
        first.checks.push(check("balance", false, "x"));
        let copy = duplicate(&first.to_json_line(), "b.txt").unwrap();
        let mut want = first.clone();
        want.source.path = "b.txt".into();
        want.warnings.push("duplicate of a.txt".into());
        assert_eq!(copy, Written::of(&want));
        assert_eq!(copy.facts.path, "b.txt");
        assert_eq!(copy.facts.sha256, "ab");
    }
}
