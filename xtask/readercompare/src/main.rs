//! `cargo xtask bench-readers`: pdf-extract against the nianbao PDF adapter, on the same bytes.
//!
//! 1. text: does the expected Chinese come out of the fixtures and of PDFs built here with the
//!    predefined CMaps UniGB-UCS2-H and GBK-EUC-H (non-embedded font)?
//! 2. speed: pages per second over the fixture PDFs both readers can read;
//! 3. safety: 200 byte-mutated copies of a real report; panics, errors and hangs.
//!
//! Every call runs under `catch_unwind` with the panic hook silenced. A panic is a finding, not
//! a failure of this tool: it exits 0.

mod samples;

use nianbao_core::{Adapter, Input, Limits};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

type Reader = fn(&[u8]) -> Result<String, String>;

const READERS: [(&str, Reader); 2] = [("pdf-extract", pdf_extract), ("nianbao", nianbao)];
const FIXTURES: [&str; 5] = [
    "real/hongze-2023.pdf",
    "real/hongze-2024.pdf",
    "real/huaian-2024.pdf",
    "pdf/donghu-2021.pdf",
    "pdf/qingshan-2020.pdf",
];
const MARKER: &str = "政府信息公开";
const MUTATED: &str = "real/hongze-2023.pdf";
const MUTATIONS: usize = 200;
const SEED: u64 = 0x6e69_616e_6261_6f21;
const HANG: Duration = Duration::from_secs(10);

fn pdf_extract(bytes: &[u8]) -> Result<String, String> {
    pdf_extract::extract_text_from_mem(bytes).map_err(|e| e.to_string())
}

fn nianbao(bytes: &[u8]) -> Result<String, String> {
    read(bytes)
        .map(|d| d.plain_text())
        .map_err(|e| e.to_string())
}

fn read(bytes: &[u8]) -> Result<nianbao_core::Document, nianbao_core::ExtractError> {
    let limits = Limits::default();
    let input = Input {
        bytes,
        path: "compare.pdf",
        limits: &limits,
    };
    nianbao_adapter_pdf::PdfAdapter.extract(&input)
}

/// Pages of a file, as the nianbao adapter counts them (0 when it cannot read the file).
fn pages(bytes: &[u8]) -> u32 {
    read(bytes).ok().and_then(|d| d.pages).unwrap_or(0)
}

enum Outcome {
    Ok(String),
    Err(String),
    Panic(String),
    Hang,
}

struct Call {
    outcome: Outcome,
    /// Panics raised and caught inside the reader itself (the nianbao adapter does this).
    caught_inside: u32,
}

thread_local! {
    /// Panics raised on this thread during a reader call; `None` outside one.
    static PANICS: Cell<Option<u32>> = const { Cell::new(None) };
}

/// Counts panics inside reader calls silently; any other panic is printed as usual.
fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let counted = PANICS.with(|c| c.get().map(|n| c.set(Some(n + 1))));
        if counted.is_none() {
            default(info);
        }
    }));
}

fn call(reader: Reader, bytes: &[u8]) -> Call {
    PANICS.with(|c| c.set(Some(0)));
    let result = catch_unwind(AssertUnwindSafe(|| reader(bytes)));
    let raised = PANICS.with(|c| c.replace(None)).unwrap_or(0);
    let outcome = match result {
        Ok(Ok(text)) => Outcome::Ok(text),
        Ok(Err(e)) => Outcome::Err(e),
        Err(p) => Outcome::Panic(
            p.downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic".into()),
        ),
    };
    let escaped = matches!(outcome, Outcome::Panic(_)) as u32;
    Call {
        outcome,
        caught_inside: raised.saturating_sub(escaped),
    }
}

/// `call` on a thread of its own, given up on after `HANG`. A hung thread is left running
/// (nothing can stop it), which is why the mutations run after the speed test.
fn call_bounded(reader: Reader, bytes: Arc<Vec<u8>>) -> Call {
    let (tx, rx) = mpsc::channel();
    // A big stack: deep recursion on a damaged file should be measured, not abort the run.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let _ = tx.send(call(reader, &bytes));
        })
        .expect("spawn reader thread");
    let outcome = match rx.recv_timeout(HANG) {
        Ok(c) => return c,
        Err(mpsc::RecvTimeoutError::Timeout) => Outcome::Hang,
        Err(mpsc::RecvTimeoutError::Disconnected) => Outcome::Panic("reader thread died".into()),
    };
    Call {
        outcome,
        caught_inside: 0,
    }
}

/// CJK text comes out with spaces or line breaks between characters from some readers.
fn has_marker(text: &str, marker: &str) -> bool {
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    squeezed.contains(marker)
}

fn short(s: &str, n: usize) -> String {
    let one_line = s.replace('\n', " ");
    match one_line.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

fn main() {
    install_panic_hook();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut files: Vec<(String, &str, Vec<u8>)> = FIXTURES
        .iter()
        .map(|rel| {
            let bytes = std::fs::read(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
            (rel.to_string(), MARKER, bytes)
        })
        .collect();
    for s in samples::all() {
        files.push((s.name.to_string(), s.text, s.bytes));
    }
    let readable = text(&files);
    speed(&readable);
    safety(&root);
}

/// Section 1; returns the fixtures (bytes, pages) every reader read without error.
fn text(files: &[(String, &str, Vec<u8>)]) -> Vec<(Vec<u8>, u32)> {
    println!("1. Text: does the expected Chinese come out? (fixtures: {MARKER}; built: the text written)");
    println!("{:<28} {:<12} {:<12}", "file", READERS[0].0, READERS[1].0);
    let mut notes = Vec::new();
    let mut found = [0; 2];
    let mut panics = [0; 2];
    let mut readable = Vec::new();
    for (name, marker, bytes) in files {
        let mut cells = Vec::new();
        let mut all_ok = true;
        for (r, (reader_name, reader)) in READERS.iter().enumerate() {
            let c = call_bounded(*reader, Arc::new(bytes.clone()));
            let cell = match &c.outcome {
                Outcome::Ok(t) if has_marker(t, marker) => {
                    found[r] += 1;
                    "marker"
                }
                Outcome::Ok(t) => {
                    notes.push(format!(
                        "{reader_name} on {name}: no marker in {:?}",
                        short(t.trim(), 40)
                    ));
                    "no marker"
                }
                Outcome::Err(e) => {
                    notes.push(format!("{reader_name} on {name}: error: {}", short(e, 90)));
                    "error"
                }
                Outcome::Panic(p) => {
                    panics[r] += 1;
                    notes.push(format!("{reader_name} on {name}: panic: {}", short(p, 90)));
                    "PANIC"
                }
                Outcome::Hang => "hang",
            };
            all_ok &= matches!(c.outcome, Outcome::Ok(_));
            cells.push(cell);
        }
        println!("{name:<28} {:<12} {:<12}", cells[0], cells[1]);
        if all_ok && !name.starts_with("built") {
            readable.push((bytes.clone(), pages(bytes)));
        }
    }
    for n in notes {
        println!("  - {n}");
    }
    let n = files.len();
    println!(
        "verdict: pdf-extract gives the expected text for {}/{n} files ({} panics); nianbao for {}/{n} ({} panics).\n",
        found[0], panics[0], found[1], panics[1]
    );
    readable
}

/// Section 2: pages per second, each reader looping over the files for at least a second.
fn speed(files: &[(Vec<u8>, u32)]) {
    let total: u32 = files.iter().map(|f| f.1).sum();
    println!(
        "2. Speed: {} fixture PDFs that both readers read, {total} pages per round",
        files.len()
    );
    let mut rates = Vec::new();
    for (name, reader) in READERS {
        let start = Instant::now();
        let (mut rounds, mut pages) = (0u32, 0u64);
        while start.elapsed() < Duration::from_secs(1) {
            for (bytes, p) in files {
                std::hint::black_box(reader(bytes).map(|t| t.len()).ok());
                pages += u64::from(*p);
            }
            rounds += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        let rate = pages as f64 / secs;
        println!(
            "{name:<12} {rate:>8.1} pages/s  ({:.1} ms per round, {rounds} rounds)",
            secs * 1e3 / f64::from(rounds)
        );
        rates.push(rate);
    }
    println!(
        "verdict: nianbao reads {:.2}× the pages per second of pdf-extract.\n",
        rates[1] / rates[0]
    );
}

/// xorshift64: the same mutations on every machine and every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Default)]
struct Tally {
    ok: u32,
    marker: u32,
    error: u32,
    panic: u32,
    hang: u32,
    caught_inside: u32,
    messages: BTreeMap<String, u32>,
}

/// Section 3: `MUTATIONS` copies of one real report with 1-4 bytes flipped or overwritten.
fn safety(root: &std::path::Path) {
    let original = std::fs::read(root.join(MUTATED)).expect(MUTATED);
    let mut rng = Rng(SEED);
    let mut tallies: Vec<Tally> = READERS.iter().map(|_| Tally::default()).collect();
    for _ in 0..MUTATIONS {
        let mut bytes = original.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(bytes.len());
            bytes[at] = if rng.next() & 1 == 0 {
                bytes[at] ^ (1 << rng.below(8))
            } else {
                rng.next() as u8
            };
        }
        let bytes = Arc::new(bytes);
        for ((_, reader), t) in READERS.iter().zip(&mut tallies) {
            let c = call_bounded(*reader, bytes.clone());
            t.caught_inside += c.caught_inside;
            match c.outcome {
                Outcome::Ok(text) => {
                    t.ok += 1;
                    t.marker += has_marker(&text, MARKER) as u32;
                }
                Outcome::Err(_) => t.error += 1,
                Outcome::Panic(p) => {
                    t.panic += 1;
                    *t.messages.entry(short(&p, 70)).or_default() += 1;
                }
                Outcome::Hang => t.hang += 1,
            }
        }
    }
    println!(
        "3. Safety: {MUTATIONS} byte-mutated copies of {MUTATED} (seed {SEED:#x}, {}s limit per call)",
        HANG.as_secs()
    );
    println!(
        "{:<12} {:>5} {:>7} {:>6} {:>6} {:>5}  panics caught inside the reader",
        "reader", "ok", "marker", "error", "PANIC", "hang"
    );
    for ((name, _), t) in READERS.iter().zip(&tallies) {
        println!(
            "{name:<12} {:>5} {:>7} {:>6} {:>6} {:>5}  {}",
            t.ok, t.marker, t.error, t.panic, t.hang, t.caught_inside
        );
    }
    for ((name, _), t) in READERS.iter().zip(&tallies) {
        if !t.messages.is_empty() {
            println!("  - {name}: {} distinct panic messages", t.messages.len());
        }
        let mut by_count: Vec<_> = t.messages.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1));
        for (m, n) in by_count.iter().take(4) {
            println!("  - {name} panic ×{n}: {m}");
        }
    }
    let (pe, nb) = (&tallies[0], &tallies[1]);
    println!(
        "verdict: pdf-extract panicked on {}/{MUTATIONS} and hung on {}; nianbao panicked on {}/{MUTATIONS} and hung on {}.",
        pe.panic, pe.hang, nb.panic, nb.hang
    );
}
