//! The two outputs. DIR/reports.jsonl is canonical and is written as an append-only log: one
//! record per line, in input order, each line written and flushed as soon as the records
//! before it are done, so that after a crash it holds a valid prefix of the run (`--resume`
//! continues from it). DIR/reports.csv holds the same records flattened, one column per key of
//! keys.tsv, UTF-8 with a BOM so that Excel reads the Chinese text; its rows are written to a
//! hidden spool as the records are appended. The finishing pass adds the cross-document
//! `carry_over` checks: when there are any, it rewrites the log and the rows they change
//! through temporary files; then the CSV is renamed into place. Readers never see a
//! half-written CSV or a half-rewritten JSONL.
use crate::csv_row::{self, CsvRow};
use nianbao_template::checks::{carry_over, CarryFacts};
use nianbao_template::{keys, record::raw_key, Check, Key};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

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
        let mut f = File::open(&self.path)?;
        f.seek(SeekFrom::Start(offset))?;
        let mut line = String::new();
        BufReader::new(f).read_line(&mut line)?;
        Ok(line.trim_end_matches('\n').to_string())
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

/// The few facts of a record that the run keeps, read off its CSV row (each one is a column),
/// so that a record line is parsed once, for its row, and never built as a `Value`.
pub struct LineFacts<'a> {
    pub path: Cow<'a, str>,
    pub sha256: Option<Cow<'a, str>>,
    pub status: Option<Cow<'a, str>>,
    pub agency: Option<Cow<'a, str>>,
    pub year: Option<i64>,
    pub carried_over: Option<i64>,
    pub carry_forward: Option<i64>,
}

impl<'a> LineFacts<'a> {
    /// `row` is a row of [`csv_header`].
    pub fn from_row(row: &'a CsvRow) -> Self {
        static AT: OnceLock<[usize; 7]> = OnceLock::new();
        let at = AT.get_or_init(|| {
            let h = csv_header();
            [
                "source.path",
                "source.sha256",
                "status",
                "report.agency",
                "report.year",
                Key::APPLICATIONS_CARRIED_OVER_TOTAL.name(),
                Key::APPLICATIONS_CARRY_FORWARD_TOTAL.name(),
            ]
            .map(|k| h.iter().position(|c| c == k).expect("a CSV column"))
        });
        // The fields up to the last of these columns are read, not the rest of the row.
        let last = at.iter().copied().max().unwrap_or(0);
        let mut cell: [Cow<'a, str>; 7] = Default::default();
        row.fields_to(last, |i, field| {
            if let Some(k) = at.iter().position(|&c| c == i) {
                cell[k] = field;
            }
        });
        let [path, sha256, status, agency, year, carried_over, carry_forward] = cell;
        let some = |c: Cow<'a, str>| Some(c).filter(|t| !t.is_empty());
        let int = |c: Cow<'a, str>| c.parse::<i64>().ok();
        LineFacts {
            path,
            sha256: some(sha256),
            status: some(status),
            agency: some(agency),
            year: int(year),
            carried_over: int(carried_over),
            carry_forward: int(carry_forward),
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
}

impl Tally {
    /// Counts the next record of the log, which starts at `offset`.
    pub fn add(&mut self, f: &LineFacts<'_>, offset: u64) {
        let i = match f.status.as_deref() {
            Some("ok") => 0,
            Some("partial") => 1,
            _ => 2,
        };
        self.counts[i] += 1;
        let facts = CarryFacts {
            agency: f.agency.as_deref().map(str::to_string),
            year: f.year.and_then(|y| i32::try_from(y).ok()),
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
        self.records += 1;
    }

    /// The `carry_over` check of every record that has one, by line index.
    fn carry_checks(&self) -> Vec<Change> {
        let mut out: Vec<Change> = carry_over(&self.facts)
            .into_iter()
            .map(|(j, check)| Change {
                line: self.fact_lines[j].0,
                offset: self.fact_lines[j].1,
                check,
            })
            .collect();
        out.sort_by_key(|c| c.line);
        out
    }
}

/// A `carry_over` check for the record on one line of the log.
struct Change {
    line: u64,
    /// Where the line starts in the log.
    offset: u64,
    check: Check,
}

fn bad_line(i: usize) -> impl Fn(serde_json::Error) -> io::Error {
    move |e| io::Error::other(format!("{JSONL} line {}: {e}", i + 1))
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
    /// Whether some line already carries a `carry_over` check (a finished log, resumed).
    any_carry: bool,
}

impl CsvSpool {
    pub fn create(dir: &Path) -> io::Result<CsvSpool> {
        let path = dir.join(".reports.csv.spool");
        let mut w = BufWriter::new(File::create(&path)?);
        let mut head = "\u{feff}".as_bytes().to_vec();
        head.extend_from_slice(CsvRow::of_fields(&csv_header()).as_str().as_bytes());
        w.write_all(&head)?;
        Ok(CsvSpool {
            w,
            path,
            header_len: head.len() as u64,
            row_lens: Vec::new(),
            any_carry: false,
        })
    }

    /// The CSV row of a record line (an error names the line by its place in the log).
    pub fn row(&self, line: &str) -> io::Result<CsvRow> {
        CsvRow::of_line(line).map_err(bad_line(self.row_lens.len()))
    }

    /// Writes the row of the next record line of the log, and whether the line holds a
    /// `carry_over` check.
    pub fn push(&mut self, line: &str, row: &CsvRow) -> io::Result<()> {
        let bytes = row.as_str().as_bytes();
        self.w.write_all(bytes)?;
        self.row_lens.push(bytes.len() as u32);
        self.any_carry |= has_carry_check(line);
        Ok(())
    }
}

/// The finishing pass: when any record gets or loses a `carry_over` check, rewrites the log
/// with them (replacing any from an earlier pass over a resumed log) and rebuilds the CSV from
/// the spool with those rows redone; then renames the CSV into place. Both through temporary
/// files, each synced before it replaces the old one (the log itself is synced only when it is
/// kept as it is).
pub fn finish(dir: &Path, tally: &Tally, spool: CsvSpool, log: &Log) -> io::Result<()> {
    let changes = tally.carry_checks();
    let CsvSpool {
        w,
        path: spool_path,
        header_len,
        row_lens,
        any_carry,
    } = spool;
    let spool_file = w.into_inner().map_err(|e| e.into_error())?;
    if changes.is_empty() && !any_carry {
        log.sync()?;
        spool_file.sync_all()?;
        return fs::rename(spool_path, dir.join(CSV));
    }
    // The log is not synced: its rewritten copy is, before it replaces it.
    drop(spool_file);
    let jsonl = dir.join(JSONL);
    let files = Rewrite {
        jsonl: &jsonl,
        jsonl_tmp: &dir.join(".reports.jsonl.partial"),
        spool: &spool_path,
        csv_tmp: &dir.join(".reports.csv.partial"),
        header_len,
        row_lens: &row_lens,
    };
    let (out, csv) = if any_carry {
        files.every_line(&changes.into_iter().map(|c| (c.line, c.check)).collect())?
    } else {
        files.changed_lines(&changes)?
    };
    for (f, tmp, dst) in [
        (out, files.jsonl_tmp, jsonl.as_path()),
        (csv, files.csv_tmp, &dir.join(CSV)),
    ] {
        f.sync_all()?;
        fs::rename(tmp, dst)?;
    }
    fs::remove_file(spool_path)
}

/// The files of the finishing pass: the log and the CSV spool, read; their rewritten copies.
struct Rewrite<'a> {
    jsonl: &'a Path,
    jsonl_tmp: &'a Path,
    spool: &'a Path,
    csv_tmp: &'a Path,
    /// Bytes of the spool's BOM and header.
    header_len: u64,
    /// Bytes of each row of the spool.
    row_lens: &'a [u32],
}

impl Rewrite<'_> {
    /// A log with no `carry_over` check yet: the lines that get one are rewritten, and the
    /// bytes between them copied as they are (by the kernel, `copy_file_range`), log and CSV
    /// alike.
    fn changed_lines(&self, changes: &[Change]) -> io::Result<(File, File)> {
        let (log_in, mut log_out) = (File::open(self.jsonl)?, File::create(self.jsonl_tmp)?);
        let (csv_in, mut csv_out) = (File::open(self.spool)?, File::create(self.csv_tmp)?);
        let (mut log_at, mut csv_at) = (0u64, 0u64);
        // Start of row `row_i` in the spool.
        let (mut row_i, mut row_at) = (0usize, self.header_len);
        for c in changes {
            let i = c.line as usize;
            let old = read_line_at(&log_in, c.offset)?;
            let line = match with_check_added(&old, &c.check)? {
                Some(line) => line,
                None => changed_line(&old, i, Some(&c.check))?,
            };
            copy_range(&log_in, log_at, c.offset, &mut log_out)?;
            log_out.write_all(line.as_bytes())?;
            log_out.write_all(b"\n")?;
            log_at = c.offset + old.len() as u64 + 1;
            let len = *self.row_lens.get(i).ok_or_else(too_few_rows)?;
            row_at += self.row_lens[row_i..i]
                .iter()
                .map(|&n| u64::from(n))
                .sum::<u64>();
            row_i = i;
            copy_range(&csv_in, csv_at, row_at, &mut csv_out)?;
            let mut row = vec![0u8; len as usize];
            (&csv_in).seek(SeekFrom::Start(row_at))?;
            (&csv_in).read_exact(&mut row)?;
            match row_with_check(row, &c.check) {
                Some(row) => csv_out.write_all(row.as_str().as_bytes())?,
                None => csv_out.write_all(&row_bytes(&line, i)?)?,
            }
            csv_at = row_at + u64::from(len);
        }
        copy_range(&log_in, log_at, u64::MAX, &mut log_out)?;
        copy_range(&csv_in, csv_at, u64::MAX, &mut csv_out)?;
        Ok((log_out, csv_out))
    }

    /// A resumed log that may already hold `carry_over` checks: every line is read, and those
    /// with a check, old or new, rewritten.
    fn every_line(&self, checks: &HashMap<u64, Check>) -> io::Result<(File, File)> {
        let mut out = BufWriter::new(File::create(self.jsonl_tmp)?);
        let mut csv = BufWriter::new(File::create(self.csv_tmp)?);
        let mut rows = BufReader::new(File::open(self.spool)?);
        io::copy(&mut (&mut rows).take(self.header_len), &mut csv)?;
        let mut row = Vec::new();
        for (i, line) in BufReader::new(File::open(self.jsonl)?).lines().enumerate() {
            let line = line?;
            let len = self.row_lens.get(i).copied().ok_or_else(too_few_rows)?;
            row.resize(len as usize, 0);
            rows.read_exact(&mut row)?;
            let check = checks.get(&(i as u64));
            // A record whose check changes is rewritten, and its row made again from it.
            let line = if check.is_some() || has_carry_check(&line) {
                let line = changed_line(&line, i, check)?;
                row = row_bytes(&line, i)?;
                line
            } else {
                line
            };
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
            csv.write_all(&row)?;
        }
        let out = out.into_inner().map_err(|e| e.into_error())?;
        let csv = csv.into_inner().map_err(|e| e.into_error())?;
        Ok((out, csv))
    }
}

fn too_few_rows() -> io::Error {
    io::Error::other(format!("{JSONL} has more lines than {CSV} has rows"))
}

/// The line with its `carry_over` check replaced by `check` (or removed), through a parsed
/// `Value`: for any line, including one that already holds a check.
fn changed_line(line: &str, i: usize, check: Option<&Check>) -> io::Result<String> {
    let mut v: Value = serde_json::from_str(line).map_err(bad_line(i))?;
    set_carry_check(&mut v, check);
    Ok(serde_json::to_string(&v)?)
}

/// The CSV row of record line `i`, encoded.
fn row_bytes(line: &str, i: usize) -> io::Result<Vec<u8>> {
    Ok(CsvRow::of_line(line).map_err(bad_line(i))?.into_bytes())
}

/// The row of a record without a `carry_over` check, once `check` is appended to its checks:
/// only its `checks.failed` cell can change, and only when the check failed. `None` when the
/// row does not read as one (the caller then makes it from the record line).
fn row_with_check(row: Vec<u8>, check: &Check) -> Option<CsvRow> {
    let row = CsvRow::parse(String::from_utf8(row).ok()?)?;
    if check.ok {
        return Some(row);
    }
    let mut fields = Vec::with_capacity(csv_row::width());
    row.fields_to(usize::MAX, |_, f| fields.push(f));
    // The last two columns are `checks.failed` and `warnings`.
    let failed = fields.len().checked_sub(2)?;
    let rules = fields[failed].split(';').filter(|r| !r.is_empty());
    let cell = csv_row::failed_cell(
        rules
            .map(|r| (r, false))
            .chain([(check.rule.as_str(), false)]),
    );
    fields[failed] = Cow::Owned(cell);
    Some(CsvRow::of_fields(&fields))
}

/// A line as our writer wrote it (`…,"checks":[…],"warnings":…`) with `check` appended to its
/// checks, by splicing the text: the line is not parsed and written again. `None` for a line
/// of another shape. A `"` inside a JSON string is escaped, so `],"warnings":` can only be the
/// end of the checks array.
fn with_check_added(line: &str, check: &Check) -> io::Result<Option<String>> {
    const OPEN: &str = ",\"checks\":[";
    const CLOSE: &str = "],\"warnings\":";
    let Some(open) = line.find(OPEN).map(|i| i + OPEN.len()) else {
        return Ok(None);
    };
    let Some(close) = line[open..].find(CLOSE).map(|i| i + open) else {
        return Ok(None);
    };
    let mut out = String::with_capacity(line.len() + 128);
    out.push_str(&line[..close]);
    if close > open {
        out.push(',');
    }
    out.push_str(&serde_json::to_string(check)?);
    out.push_str(&line[close..]);
    Ok(Some(out))
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

/// Whether a record line holds a `carry_over` check (from an earlier finishing pass).
fn has_carry_check(line: &str) -> bool {
    static FINDER: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    let finder = FINDER.get_or_init(|| memchr::memmem::Finder::new("\"carry_over\""));
    finder.find(line.as_bytes()).is_some()
}

fn set_carry_check(v: &mut Value, check: Option<&Check>) {
    if !v["checks"].is_array() {
        v["checks"] = Value::Array(Vec::new());
    }
    let Some(list) = v["checks"].as_array_mut() else {
        return;
    };
    list.retain(|c| c["rule"] != "carry_over");
    if let Some(c) = check {
        list.push(serde_json::to_value(c).unwrap_or(Value::Null));
    }
}

/// A record's copy for a second path holding the same bytes: the first record's fields,
/// its own path, and a warning naming the first.
pub fn duplicate_line(first: &str, path: &str) -> Result<String, serde_json::Error> {
    let mut v: Value = serde_json::from_str(first)?;
    let first_path = v["source"]["path"].as_str().unwrap_or("").to_string();
    v["source"]["path"] = Value::from(path);
    if !v["warnings"].is_array() {
        v["warnings"] = Value::Array(Vec::new());
    }
    if let Some(w) = v["warnings"].as_array_mut() {
        w.push(Value::from(format!("duplicate of {first_path}")));
    }
    serde_json::to_string(&v)
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
    use serde_json::json;

    #[test]
    fn csv_quoting() {
        let fields = ["a", "b,c", "say \"hi\"", "x\ny", "", "二\r"];
        let row = CsvRow::of_fields(&fields);
        assert_eq!(
            row.as_str(),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",,\"二\r\"\r\n"
        );
        let mut read = Vec::new();
        row.fields_to(usize::MAX, |i, f| read.push((i, f.into_owned())));
        let fields: Vec<_> = fields.iter().map(|f| f.to_string()).enumerate().collect();
        assert_eq!(read, fields);
    }

    #[test]
    fn header_has_every_key_once() {
        let h = csv_header();
        let set: std::collections::HashSet<&String> = h.iter().collect();
        assert_eq!(set.len(), h.len());
        assert!(h.contains(&"applications.total.total".to_string()));
        assert!(h.contains(&"active.fees.amount_raw".to_string()));
    }

    #[test]
    fn csv_cells_from_json() {
        let v = json!({"source": {"path": "a.txt", "bytes": 12}, "status": "ok",
            "active": {"fees": {"amount_wan": 8.0056, "amount_raw": "80056元"}},
            "applications": {"new": {"total": 5}},
            "checks": [{"rule": "balance", "ok": false, "detail": ""}, {"rule": "row_total", "ok": true, "detail": ""}],
            "warnings": ["w1", "w2"]});
        let h = csv_header();
        let row = csv_row::row_of_line(&v.to_string()).unwrap();
        let col = |k: &str| row[h.iter().position(|x| x == k).unwrap()].as_str();
        assert_eq!(col("source.bytes"), "12");
        assert_eq!(col("applications.new.total"), "5");
        assert_eq!(col("active.fees.amount_wan"), "8.0056");
        assert_eq!(col("active.fees.amount_raw"), "80056元");
        assert_eq!(col("applications.new.natural_person"), "");
        assert_eq!(col("checks.failed"), "balance");
        assert_eq!(col("warnings"), "w1 | w2");
    }

    #[test]
    fn facts_are_read_off_the_csv_row() {
        let line = json!({"source": {"path": "a/b.txt", "sha256": "ab12"}, "status": "partial",
            "report": {"agency": "甲区人民政府", "year": 2024},
            "applications": {"carried_over": {"total": 4}, "carry_forward": {"total": 0}}})
        .to_string();
        let row = CsvRow::of_line(&line).unwrap();
        let f = LineFacts::from_row(&row);
        assert_eq!(f.path, "a/b.txt");
        assert_eq!(f.sha256.as_deref(), Some("ab12"));
        assert_eq!(f.status.as_deref(), Some("partial"));
        assert_eq!(f.agency.as_deref(), Some("甲区人民政府"));
        assert_eq!(f.year, Some(2024));
        assert_eq!(f.carried_over, Some(4));
        assert_eq!(f.carry_forward, Some(0));
        let empty = CsvRow::of_line(r#"{"status":"failed"}"#).unwrap();
        let f = LineFacts::from_row(&empty);
        assert!(f.agency.is_none() && f.year.is_none() && f.sha256.is_none());
        assert!(f.carried_over.is_none() && f.path.is_empty());
    }

    #[test]
    fn carry_checks_pair_years_of_one_agency() {
        let rec = |agency: &str, year: i64, carried: i64, forward: i64| {
            json!({"status": "ok", "report": {"agency": agency, "year": year},
                "applications": {"carried_over": {"total": carried}, "carry_forward": {"total": forward}}})
        };
        let mut t = Tally::default();
        for v in [
            rec("甲", 2024, 4, 1),
            json!({"status": "failed"}),
            rec("乙", 2023, 0, 9),
            rec("甲", 2023, 0, 4),
        ] {
            t.add(
                &LineFacts::from_row(&CsvRow::of_line(&v.to_string()).unwrap()),
                0,
            );
        }
        let checks = t.carry_checks();
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].line, 0);
        assert!(checks[0].check.ok);
        assert_eq!(t.counts, [3, 0, 1]);
    }

    /// After the finishing pass every CSV row is the row of its final record line, for lines
    /// that gained a passed check, a failed one (next to an earlier failed check, or alone),
    /// or none.
    #[test]
    fn rows_after_the_finishing_pass_are_rows_of_the_final_lines() {
        let dir = std::env::temp_dir().join(format!("nianbao-finish-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let rec = |agency: &str, year: i64, carried: i64, forward: i64, checks: Value| {
            json!({"source": {"path": format!("{agency},\"{year}\".pdf")}, "status": "ok",
                "report": {"agency": agency, "year": year},
                "applications": {"carried_over": {"total": carried}, "carry_forward": {"total": forward}},
                "checks": checks, "warnings": ["a, \"b\"\nc"]})
            .to_string()
        };
        let balance = json!([{"rule": "balance", "ok": false, "detail": ""}]);
        let lines = [
            rec("甲", 2023, 0, 4, json!([])),
            rec("甲", 2024, 5, 0, balance.clone()),
            rec("乙", 2023, 0, 2, json!([])),
            rec("乙", 2024, 2, 1, json!([])),
            rec("丙", 2023, 0, 3, json!([])),
            rec("丙", 2024, 1, 0, json!([])),
            rec("丁", 2024, 1, 0, balance),
        ];
        let mut log = Log::open(&dir, false).unwrap();
        let mut csv = CsvSpool::create(&dir).unwrap();
        let mut tally = Tally::default();
        for line in &lines {
            let row = csv.row(line).unwrap();
            let at = log.append(line).unwrap();
            tally.add(&LineFacts::from_row(&row), at);
            csv.push(line, &row).unwrap();
        }
        finish(&dir, &tally, csv, &log).unwrap();
        drop(log);
        let jsonl = fs::read_to_string(dir.join(JSONL)).unwrap();
        let csv = fs::read_to_string(dir.join(CSV)).unwrap();
        let mut want = CsvRow::of_fields(&csv_header()).as_str().to_string();
        for line in jsonl.lines() {
            want.push_str(CsvRow::of_line(line).unwrap().as_str());
        }
        assert_eq!(csv.strip_prefix('\u{feff}'), Some(want.as_str()));
        assert_eq!(jsonl.matches("\"carry_over\"").count(), 3);
        assert_eq!(csv.matches("balance;carry_over").count(), 1);
        assert_eq!(csv.matches(",carry_over,").count(), 1);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn duplicate_keeps_fields_and_names_the_first() {
        let first = r#"{"source":{"path":"a.txt","sha256":"ab"},"status":"ok","warnings":[]}"#;
        let d: Value = serde_json::from_str(&duplicate_line(first, "b.txt").unwrap()).unwrap();
        assert_eq!(d["source"]["path"], "b.txt");
        assert_eq!(d["source"]["sha256"], "ab");
        assert_eq!(d["warnings"][0], "duplicate of a.txt");
    }

    /// The text splice gives the line that parsing, adding and writing again gives, with and
    /// without checks already there, whatever the detail holds.
    #[test]
    fn a_check_spliced_in_is_the_check_added_to_the_parsed_line() {
        use nianbao_template::{Record, Source};
        let mut r = Record::new(Source {
            path: "甲/\"checks\":[x].txt".into(),
            ..Default::default()
        });
        r.sections.overview = Some("],\"warnings\": [] \n 说明".into());
        let check = Check {
            rule: "carry_over".into(),
            ok: false,
            detail: "2023 carry_forward 4 vs 2024 carried_over \"5\"".into(),
        };
        for existing in [0, 2] {
            r.checks = (0..existing)
                .map(|i| Check {
                    rule: format!("rule{i}"),
                    ok: true,
                    detail: "],\"warnings\":".into(),
                })
                .collect();
            let line = r.to_json_line();
            let spliced = with_check_added(&line, &check).unwrap().unwrap();
            let parsed = changed_line(&line, 0, Some(&check)).unwrap();
            assert_eq!(spliced, parsed);
        }
        assert_eq!(with_check_added("{}", &check).unwrap(), None);
    }
}
