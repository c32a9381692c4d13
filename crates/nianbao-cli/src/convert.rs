//! `nianbao convert`: every input becomes exactly one record, whatever happens to it.
//!
//! Inputs are walked lazily (nianbao-sources: folders, nested archives, limits), and each
//! document is sent to one of N worker processes (`pool`, `worker`): as its path when it is a
//! file the worker can read itself, else as its bytes. The worker hashes it; only `--shard` and
//! `--resume` hash here first, to keep or skip it. Answers (typed: the record's facts, its
//! JSON line, its CSV row) are put back in input order and appended to the log
//! DIR/reports.jsonl as they complete, a second copy of bytes already written becoming a copy
//! of that record; a bounded window of documents in flight keeps memory flat. The finishing
//! pass (`output::finish`) adds the cross-document checks and writes the CSV.
use crate::inputs::{self, Item, Shard};
use crate::outdir::{Existing, Refusal, Target};
use crate::output::{self, CsvSpool, Log, Tally, Written};
use crate::pool::{Doc, Engine, Job, Pool};
use crate::progress::Progress;
use crate::resume::Seen;
use crate::worker::{self, Spawn};
use nianbao_core::{ErrorKind, ExtractError, Input, Limits};
use nianbao_sources::Found;
use nianbao_template::{Record, Source};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Files, folders and archives to convert; `-` reads paths from stdin, one per line.
    #[arg(required_unless_present = "worker")]
    inputs: Vec<PathBuf>,
    /// Output folder (created if missing): reports.jsonl and reports.csv are written there. A
    /// folder that already holds results is refused unless --overwrite or --resume is given.
    #[arg(long, short, required_unless_present = "worker")]
    out: Option<PathBuf>,
    /// Replace the results already in the output folder. The old ones stay in place until the
    /// new run has finished; a run that fails or is stopped leaves them untouched.
    #[arg(long, conflicts_with = "resume")]
    overwrite: bool,
    /// Write only reports.jsonl and reports.csv, not the audit page, workbook, database and
    /// codebook (`nianbao outputs DIR` writes those later from the records).
    #[arg(long)]
    only_records: bool,
    /// Worker processes converting at once (default: all cores).
    #[arg(long, short, value_parser = clap::value_parser!(u32).range(1..=1024))]
    jobs: Option<u32>,
    /// Seconds one document may take; past it the document is recorded as failed (`timeout`)
    /// and its worker is replaced.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_secs)]
    timeout: f64,
    /// Scanned pages (PDFs of page images; JPEG, PNG, TIFF files): `auto` reads them by OCR
    /// when Tesseract and its Simplified Chinese model are installed; `off` records them as
    /// `no_text_layer`. OCR time counts against --timeout.
    #[arg(long, value_name = "MODE", default_value = "auto", value_parser = ["auto", "off"])]
    ocr: String,
    /// Largest document or archive member read, uncompressed (K, M, G suffixes).
    #[arg(long, value_name = "SIZE", default_value = "256M", value_parser = inputs::parse_size)]
    max_entry_bytes: u64,
    /// Most bytes decompressed from one archive on disk, nested archives included.
    #[arg(long, value_name = "SIZE", default_value = "4G", value_parser = inputs::parse_size)]
    max_total_bytes: u64,
    /// Largest decompressed/compressed ratio of an archive member or document part (zip bombs).
    #[arg(long, value_name = "N", default_value = "200")]
    max_ratio: u64,
    /// Deepest archive nesting expanded (an archive on disk is level 1).
    #[arg(long, value_name = "N", default_value = "8")]
    max_depth: u32,
    /// Address space of each worker process; a document needing more is recorded as
    /// `too_large` (0 = no limit).
    #[arg(long, value_name = "SIZE", default_value = "4G", value_parser = inputs::parse_size)]
    max_memory: u64,
    /// Keep the records already in DIR/reports.jsonl and convert only the documents (by sha256
    /// and path) not there yet: continues a run that was stopped.
    #[arg(long)]
    resume: bool,
    /// Convert only shard K of N (1-based): the documents whose sha256 (first 8 bytes, big
    /// endian) modulo N is K-1. The N outputs concatenated hold every record once.
    #[arg(long, value_name = "K/N", value_parser = inputs::parse_shard)]
    shard: Option<Shard>,
    /// Convert in threads of this process instead of worker processes (for debugging: a crash
    /// in an adapter then ends the run, and timeouts are only noticed afterwards).
    #[arg(long)]
    in_process: bool,
    /// Internal: answer conversion requests on stdin (see `worker`).
    #[arg(long, hide = true)]
    worker: bool,
}

fn parse_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v < 1e9 => Ok(v),
        _ => Err(format!("`{s}` is not a positive number of seconds")),
    }
}

/// Documents in flight (sent, or done but waiting for an earlier one) per job: enough to keep
/// every worker busy behind one slow document, few enough that memory stays flat.
const WINDOW_PER_JOB: u64 = 16;
/// Bytes of documents in flight, beyond which the walk waits (at least one document is always
/// let through, whatever its size).
const WINDOW_BYTES: u64 = 256 << 20;

impl Args {
    fn core_limits(&self) -> Limits {
        Limits {
            max_part_bytes: self.max_entry_bytes,
            max_ratio: self.max_ratio,
            time_budget: Duration::from_secs_f64(self.timeout),
        }
    }

    fn source_limits(&self) -> nianbao_sources::Limits {
        nianbao_sources::Limits {
            max_entry_bytes: self.max_entry_bytes,
            max_total_bytes: self.max_total_bytes,
            max_ratio: self.max_ratio,
            max_depth: self.max_depth,
        }
    }

    fn worker_args(&self) -> Vec<OsString> {
        let pairs = [
            ("--timeout", self.timeout.to_string()),
            ("--max-entry-bytes", self.max_entry_bytes.to_string()),
            ("--max-ratio", self.max_ratio.to_string()),
            ("--max-memory", self.max_memory.to_string()),
        ];
        pairs
            .into_iter()
            .flat_map(|(k, v)| [OsString::from(k), OsString::from(v)])
            .collect()
    }
}

pub fn run(args: Args) -> ExitCode {
    quiet_panics();
    if args.ocr == "off" {
        // Read by nianbao_ocr::tesseract::available, here and in every worker (inherited).
        std::env::set_var("NIANBAO_OCR", "off");
    }
    if args.worker {
        return match worker::serve(&args.core_limits(), args.max_memory) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fatal(&format!("worker: {e}")),
        };
    }
    let Some(out) = args.out.clone() else {
        return fatal("--out DIR is required");
    };
    let jobs = args.jobs.map(|j| j as usize).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let engine = if args.in_process {
        Engine::InProcess {
            limits: args.core_limits(),
            timeout: Duration::from_secs_f64(args.timeout),
        }
    } else {
        let exe = match std::env::current_exe() {
            Ok(e) => e,
            Err(e) => {
                return io_failure(&format!(
                    "cannot find the nianbao executable to start workers: {e}"
                ))
            }
        };
        Engine::Workers(Spawn {
            exe,
            args: args.worker_args(),
            timeout: Duration::from_secs_f64(args.timeout),
            max_memory: args.max_memory,
        })
    };
    let existing = match (args.overwrite, args.resume) {
        (true, _) => Existing::Overwrite,
        (_, true) => Existing::Resume,
        _ => Existing::Refuse,
    };
    let target = match Target::prepare(&out, existing) {
        Ok(t) => t,
        Err(Refusal::Usage(msg)) => return fatal(&msg),
        Err(Refusal::Io(msg)) => return io_failure(&msg),
    };
    let inputs = inputs::expand_stdin(args.inputs.clone(), io::stdin().lock());
    let mut progress = Progress::new();
    let mut batch = match Batch::open(target.dir(), args.resume) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::ResourceBusy => {
            target.abandon();
            return fatal(&e.to_string());
        }
        Err(e) => {
            target.abandon();
            return io_failure(&format!("cannot write to {}: {e}", out.display()));
        }
    };
    let resumed = batch.tally.records;
    let pool = Pool::start(engine, jobs);
    let walk = nianbao_sources::walk(&inputs, &args.source_limits());
    // The workers read the document files themselves, unless this run must know each
    // document's sha256 before converting it (to pick its shard, or to skip it as already
    // done).
    let result = if args.shard.is_none() && !args.resume {
        batch.run(&pool, walk.defer_files(), None, jobs as u64, &mut progress)
    } else {
        let found = walk.map(Found::Item);
        batch.run(&pool, found, args.shard, jobs as u64, &mut progress)
    };
    pool.join();
    let tally = std::mem::take(&mut batch.tally);
    let dir = target.dir().to_path_buf();
    // The derived outputs are written from the finished log, so they follow it whether this
    // run was fresh, resumed or a shard; a replacing run writes them beside its log, and they
    // are put in place with it.
    let finished = result
        .and_then(|()| output::finish(&dir, &tally, batch.csv, &batch.log))
        .and_then(|()| {
            if args.only_records {
                Ok(())
            } else {
                nianbao_outputs::write_all(&dir)
            }
        });
    let written = match finished {
        Ok(()) if args.only_records => target
            .commit()
            .and_then(|()| nianbao_outputs::remove_all(&out)),
        Ok(()) => target.commit(),
        Err(e) => {
            target.abandon();
            Err(e)
        }
    };
    if let Err(e) = written {
        let kept = if args.overwrite {
            "the results already there are kept"
        } else {
            "the records written so far are kept in reports.jsonl; --resume continues from them"
        };
        return io_failure(&format!("cannot write to {}: {e} ({kept})", out.display()));
    }
    progress.finish();
    let [ok, partial, failed] = tally.counts;
    let again = if resumed > 0 {
        format!(" ({resumed} from the previous run)")
    } else {
        String::new()
    };
    eprintln!(
        "nianbao: {} documents{again}: {ok} ok, {partial} partial, {failed} failed in {:.2} s → {}",
        tally.records,
        progress.seconds(),
        out.join(output::JSONL).display()
    );
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Exit code of a usage error: bad arguments, or an output folder the command line does not
/// allow to be written (clap uses the same code for its own errors).
pub const EXIT_USAGE: u8 = 2;
/// Exit code of a run that could not read or write what it needs outside the documents (a
/// full or read-only disk, a missing permission, no executable to start workers from).
pub const EXIT_IO: u8 = 3;

fn fatal(msg: &str) -> ExitCode {
    eprintln!("nianbao: {msg}");
    ExitCode::from(EXIT_USAGE)
}

fn io_failure(msg: &str) -> ExitCode {
    eprintln!("nianbao: {msg}");
    ExitCode::from(EXIT_IO)
}

/// A document's place in the output order while it is in flight.
enum Slot {
    /// Sent to a converter; `bytes` count against the window.
    Converting { bytes: u64 },
    /// Its record, waiting for the documents before it.
    Done(Written),
}

/// The ordered writer: documents get sequence numbers in input order and their records are
/// appended to the log in that order.
struct Batch {
    log: Log,
    /// The CSV rows of the records in the log, written along with them.
    csv: CsvSpool,
    tally: Tally,
    seen: Seen,
    /// A resumed run: each document's hash is needed before it is sent.
    resumed: bool,
    slots: BTreeMap<u64, Slot>,
    next_seq: u64,
    next_write: u64,
    bytes_in_flight: u64,
}

impl Batch {
    fn open(out: &std::path::Path, resume: bool) -> io::Result<Batch> {
        let log = Log::open(out, resume)?;
        let mut tally = Tally::default();
        let mut csv = CsvSpool::create(out)?;
        let seen = if resume {
            Seen::load(&log, &mut tally, &mut csv)?
        } else {
            Seen::default()
        };
        Ok(Batch {
            log,
            csv,
            tally,
            seen,
            resumed: resume,
            slots: BTreeMap::new(),
            next_seq: 0,
            next_write: 0,
            bytes_in_flight: 0,
        })
    }

    fn run(
        &mut self,
        pool: &Pool,
        items: impl Iterator<Item = Found>,
        shard: Option<Shard>,
        jobs: u64,
        progress: &mut Progress,
    ) -> io::Result<()> {
        let window = jobs.max(1) * WINDOW_PER_JOB;
        // Hashed here only when the hash decides whether to convert at all; otherwise the
        // worker hashes what it converts. Either way a copy is found when its record is
        // written (`write_ready`).
        let hash_first = shard.is_some() || self.resumed;
        for found in items {
            let size = match &found {
                Found::Item(item) => item.data.as_ref().map(|b| b.len() as u64).unwrap_or(0),
                Found::File { file, .. } => file.len(),
            };
            while self.next_seq - self.next_write >= window
                || (self.next_seq > self.next_write && self.bytes_in_flight + size > WINDOW_BYTES)
            {
                self.wait_one(pool, progress)?;
            }
            let (path, data) = match found {
                Found::Item(item) => (item.path, item.data.map(Doc::bytes)),
                Found::File { path, file } => (path, Ok(Doc::File(file))),
            };
            let mut sha = None;
            if hash_first {
                // A file left on disk never comes here: `run` walks with `defer_files` only
                // when nothing needs the hash first.
                sha = match &data {
                    Ok(Doc::Bytes { bytes, .. }) => Some(nianbao_sources::sha256_hex(bytes)),
                    _ => None,
                };
                let place = match &sha {
                    Some(sha) => sha.clone(),
                    None => nianbao_sources::sha256_hex(path.as_bytes()),
                };
                let done = self.seen.is_done(sha.as_deref().unwrap_or(""), &path);
                if shard.is_some_and(|s| !s.holds(&place)) || done {
                    continue;
                }
            }
            let seq = self.next_seq;
            self.next_seq += 1;
            let slot = match data {
                Err(e) => Slot::Done(Written::of(&unreadable(path, e))),
                Ok(mut doc) => {
                    self.bytes_in_flight += size;
                    if let Doc::Bytes { sha: known, .. } = &mut doc {
                        *known = sha;
                    }
                    pool.submit(Job { seq, path, doc });
                    Slot::Converting { bytes: size }
                }
            };
            self.slots.insert(seq, slot);
            self.write_ready(progress)?;
        }
        while self.next_write < self.next_seq {
            self.wait_one(pool, progress)?;
        }
        Ok(())
    }

    fn wait_one(&mut self, pool: &Pool, progress: &mut Progress) -> io::Result<()> {
        let answer = pool
            .answers
            .recv()
            .map_err(|_| io::Error::other("the conversion threads stopped"))?;
        if let Some(Slot::Converting { bytes }) = self.slots.remove(&answer.seq) {
            self.bytes_in_flight -= bytes;
            self.slots.insert(answer.seq, Slot::Done(answer.written));
        }
        self.write_ready(progress)
    }

    /// Appends the records that are next in input order. A record whose bytes (sha256) an
    /// earlier record of the log already has becomes a copy of that one: the one place where
    /// copies are found, for documents hashed here and by workers alike.
    fn write_ready(&mut self, progress: &mut Progress) -> io::Result<()> {
        loop {
            match self.slots.remove(&self.next_write) {
                Some(Slot::Done(written)) => {
                    let written = match self.seen.first_offset(&written.facts.sha256) {
                        Some(first) => {
                            let first = self.log.line_at(first)?;
                            output::duplicate(&first, &written.facts.path)
                                .map_err(io::Error::other)?
                        }
                        None => written,
                    };
                    let at = self.log.append(&written.line)?;
                    self.seen.written(&written.facts.sha256, at);
                    self.tally.add(&written.facts, at);
                    self.csv.push(&written.row)?;
                }
                Some(converting) => {
                    self.slots.insert(self.next_write, converting);
                    return Ok(());
                }
                None => return Ok(()),
            }
            self.next_write += 1;
            progress.update(self.tally.records as usize, self.tally.counts[2] as usize);
        }
    }
}

/// Converts one input into its record. Never panics: a panic inside an adapter or the
/// template becomes a `failed` record of kind `internal`.
pub fn convert_item(item: Item, limits: &Limits) -> Record {
    match item.data {
        Ok(bytes) => Doc::bytes(bytes).convert(item.path, limits),
        Err(e) => unreadable(item.path, e),
    }
}

/// The record of an input whose bytes could not be had: only its path is known.
pub fn unreadable(path: String, error: ExtractError) -> Record {
    let source = Source {
        path,
        ..Default::default()
    };
    Record::failed(source, error)
}

/// [`convert_item`] for bytes whose sha256 (lower-case hex) the caller already computed.
pub fn convert_document(path: String, bytes: &[u8], sha256: String, limits: &Limits) -> Record {
    let source = Source {
        path,
        format: None,
        sha256,
        bytes: bytes.len() as u64,
        encoding: None,
    };
    let fallback = source.clone();
    match panic::catch_unwind(AssertUnwindSafe(|| convert_bytes(bytes, source, limits))) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let mut r = Record::failed(
                fallback,
                ExtractError::new(ErrorKind::Internal, format!("panic: {msg}")),
            );
            r.source.format = nianbao_core::detect(bytes).map(|a| a.name().to_string());
            r
        }
    }
}

fn convert_bytes(bytes: &[u8], mut source: Source, limits: &Limits) -> Record {
    if bytes.is_empty() {
        return Record::failed(
            source,
            ExtractError::new(ErrorKind::Empty, "the file is empty (0 bytes)"),
        );
    }
    let Some(adapter) = nianbao_core::detect(bytes) else {
        if let Some((kind, msg)) = nianbao_core::sniff::known_unread(bytes) {
            return Record::failed(source, ExtractError::new(kind, msg));
        }
        if let Some(e) = damaged_office_file(bytes) {
            return Record::failed(source, e);
        }
        let head: String = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let msg =
            format!("not a format nianbao reads (first bytes {head}); formats: `nianbao formats`");
        return Record::failed(source, ExtractError::new(ErrorKind::UnsupportedFormat, msg));
    };
    source.format = Some(adapter.name().to_string());
    let input = Input {
        bytes,
        path: &source.path,
        limits,
    };
    match adapter.extract(&input) {
        Ok(doc) => nianbao_template::convert(&doc, source),
        Err(e) => Record::failed(source, e),
    }
}

/// A zip or compound file that no adapter recognises because its directory cannot be read:
/// a truncated or damaged Office document (DOCX, XLSX, DOC, XLS), which is `corrupt`, where
/// bytes of a format nianbao does not read are `unsupported_format`.
fn damaged_office_file(bytes: &[u8]) -> Option<ExtractError> {
    let what = if nianbao_sources::is_damaged_zip(bytes) {
        "a damaged zip-based document (DOCX, XLSX…): its central directory cannot be read (truncated or damaged file)"
    } else if nianbao_core::sniff::is_cfb(bytes) && nianbao_core::cfb::Cfb::open(bytes).is_err() {
        "a damaged Office 97-2003 file (DOC, XLS): its compound-file directory cannot be read (truncated or damaged file)"
    } else {
        return None;
    };
    Some(ExtractError::corrupt(what))
}

/// Panics are caught and recorded; the default hook would also print them on stderr, once per
/// bad document, in the middle of the progress line.
fn quiet_panics() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if std::env::var_os("NIANBAO_PANIC_TRACE").is_some() {
            default(info);
        }
    }));
}
