//! `nianbao convert`: every input becomes exactly one record, whatever happens to it.
use crate::inputs::{self, Item};
use crate::output::Writers;
use crate::progress::Progress;
use nianbao_core::{ErrorKind, ExtractError, Input, Limits};
use nianbao_template::{Record, Source, Status};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Files, folders and archives to convert.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output folder (created if missing): reports.jsonl and reports.csv are written there.
    #[arg(long, short)]
    out: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long, short)]
    jobs: Option<usize>,
}

/// Documents converted at once: enough to keep every worker busy, few enough that memory
/// stays flat however large the archive is.
const CHUNK_PER_JOB: usize = 16;

pub fn run(args: Args) -> ExitCode {
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)).max(1);
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(p) => p,
        Err(e) => return fatal(&format!("cannot start {jobs} worker threads: {e}")),
    };
    let mut writers = match Writers::create(&args.out) {
        Ok(w) => w,
        Err(e) => return fatal(&format!("cannot write to {}: {e}", args.out.display())),
    };
    quiet_panics();
    let limits = Limits::default();
    let mut progress = Progress::new();
    let mut counts = [0usize; 3];
    let mut items = inputs::walk(args.inputs);
    loop {
        let chunk: Vec<Item> = items.by_ref().take(jobs * CHUNK_PER_JOB).collect();
        if chunk.is_empty() {
            break;
        }
        let records: Vec<Record> = pool.install(|| chunk.into_par_iter().map(|it| convert_item(it, &limits)).collect());
        for r in &records {
            counts[r.status as usize] += 1;
            if let Err(e) = writers.write(r) {
                return fatal(&format!("cannot write to {}: {e}", args.out.display()));
            }
        }
        progress.update(counts.iter().sum(), counts[Status::Failed as usize]);
    }
    if let Err(e) = writers.finish() {
        return fatal(&format!("cannot finish outputs in {}: {e}", args.out.display()));
    }
    progress.finish();
    let [ok, partial, failed] = counts;
    eprintln!(
        "nianbao: {} documents: {ok} ok, {partial} partial, {failed} failed in {:.2} s → {}",
        ok + partial + failed,
        progress.seconds(),
        args.out.join("reports.jsonl").display()
    );
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn fatal(msg: &str) -> ExitCode {
    eprintln!("nianbao: {msg}");
    ExitCode::from(2)
}

/// Converts one input into its record. Never panics: a panic inside an adapter or the
/// template becomes a `failed` record of kind `internal`.
pub fn convert_item(item: Item, limits: &Limits) -> Record {
    let bytes = match item.data {
        Ok(b) => b,
        Err(e) => return Record::failed(Source { path: item.path, ..Default::default() }, e),
    };
    let source = Source {
        path: item.path,
        format: None,
        sha256: hex(&Sha256::digest(&bytes)),
        bytes: bytes.len() as u64,
        encoding: None,
    };
    let fallback = source.clone();
    match panic::catch_unwind(AssertUnwindSafe(|| convert_bytes(&bytes, source, limits))) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let mut r = Record::failed(fallback, ExtractError::new(ErrorKind::Internal, format!("panic: {msg}")));
            r.source.format = nianbao_core::detect(&bytes).map(|a| a.name().to_string());
            r
        }
    }
}

fn convert_bytes(bytes: &[u8], mut source: Source, limits: &Limits) -> Record {
    if bytes.is_empty() {
        return Record::failed(source, ExtractError::new(ErrorKind::Empty, "the file is empty (0 bytes)"));
    }
    let Some(adapter) = nianbao_core::detect(bytes) else {
        let head: String = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let msg = format!("not a format nianbao reads (first bytes {head}); formats: `nianbao formats`");
        return Record::failed(source, ExtractError::new(ErrorKind::UnsupportedFormat, msg));
    };
    source.format = Some(adapter.name().to_string());
    let input = Input { bytes, path: &source.path, limits };
    match adapter.extract(&input) {
        Ok(doc) => nianbao_template::convert(&doc, source),
        Err(e) => Record::failed(source, e),
    }
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
