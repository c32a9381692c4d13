//! `cargo xtask bench [--docs N | --quick] [--out DIR] [--skip-floor] [--bin PATH]
//! [--only FORMATS]`: generates a reproducible mixed corpus, converts it with the release
//! `nianbao`, and prints documents/s and MB/s per format, peak memory, the `--jobs 1` →
//! `--jobs 2` scaling, and the ratio to baselines run on the same files (`pdftotext -layout`;
//! bare read + inflate).
//!
//! Runs: each format folder alone with `--jobs 1` (per-format rates), the whole corpus with
//! `--jobs 1` and with `--jobs 2` (the scaling compares the same run at both), and its first
//! tenth with `--jobs 2` (memory must not grow with corpus size). Then the scan fixtures
//! against `tesseract --psm 6` on the same pages (`bench_scan.rs`). `--only` times the named
//! format folders and their baselines alone (or the scans alone), without the whole-corpus runs.
#[path = "bench_corpus.rs"]
mod corpus;
#[path = "bench_measure.rs"]
mod measure;
/// The PDF pages/s comparison with pdftotext (whole processes, repeated).
#[path = "bench_pdf.rs"]
mod pdf;
/// Scans (OCR) against `tesseract --psm 6` on the same page images.
#[path = "bench_scan.rs"]
mod scan;
#[path = "bench_summary.rs"]
pub mod summary;
#[path = "bench_vary.rs"]
mod vary;

use measure::Run;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

const FOLDERS: [&str; 5] = ["docx", "xlsx", "pdf", "txt", "zips"];
const MIB: f64 = 1024.0 * 1024.0;
/// PDFs handed to [`pdf::run`], which repeats each tool at least three times.
const PDF_SAMPLE: usize = 300;

struct Options {
    docs: usize,
    json: bool,
    out: PathBuf,
    skip_floor: bool,
    bin: Option<PathBuf>,
    /// The format folders timed; empty: all of them, and the whole-corpus runs.
    only: Vec<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        docs: 10_000,
        json: false,
        out: crate::target_dir().join("bench"),
        skip_floor: false,
        bin: None,
        only: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--docs" => {
                o.docs = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--docs takes a number")?
            }
            "--quick" => o.docs = 1_000,
            "--out" => o.out = it.next().map(PathBuf::from).ok_or("--out takes a folder")?,
            "--skip-floor" => o.skip_floor = true,
            "--json" => o.json = true,
            "--bin" => o.bin = Some(it.next().map(PathBuf::from).ok_or("--bin takes a path")?),
            "--only" => {
                let list = it
                    .next()
                    .ok_or("--only takes formats, such as xlsx or docx,xlsx")?;
                for name in list.split(',') {
                    if !FOLDERS.contains(&name) && name != "scan" {
                        return Err(format!(
                            "--only: unknown format `{name}` (one of {}, scan)",
                            FOLDERS.join(", ")
                        ));
                    }
                    o.only.push(name.to_string());
                }
            }
            other => return Err(format!("bench: unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    if o.docs < 10 {
        return Err("--docs must be at least 10".into());
    }
    if o.json && !o.only.is_empty() && !scan_only(&o) {
        return Err("--json needs the whole-corpus runs, which --only leaves out".into());
    }
    Ok(o)
}

const USAGE: &str =
    "usage: cargo xtask bench [--docs N (10000) | --quick (1000)] [--out DIR (target/bench)]
                         [--skip-floor] [--bin PATH (default: builds the release nianbao)]
                         [--json (also writes OUT/summary.json, the input of docs/BENCHMARKS.md)]
                         [--only FORMAT[,FORMAT…] (docx, xlsx, pdf, txt, zips: those folders and
                          their baselines alone, without the whole-corpus runs; scan: the scan
                          fixtures against tesseract --psm 6)]";

/// One folder of the corpus: its files, their bytes, and the documents they hold.
struct Folder {
    name: &'static str,
    files: Vec<PathBuf>,
    bytes: u64,
    docs: usize,
}

fn folder(dir: &Path, name: &'static str) -> Result<Folder, String> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir.join(name))
        .map_err(|e| format!("{}: {e}", dir.join(name).display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let bytes = files
        .iter()
        .map(|f| fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    let docs = if name == "zips" {
        files
            .iter()
            .filter_map(|f| zip::ZipArchive::new(fs::File::open(f).ok()?).ok())
            .map(|z| z.len())
            .sum()
    } else {
        files.len()
    };
    Ok(Folder {
        name,
        files,
        bytes,
        docs,
    })
}

/// `--only scan`: the scan fixtures alone, without the corpus.
fn scan_only(o: &Options) -> bool {
    !o.only.is_empty() && o.only.iter().all(|n| n == "scan")
}

pub fn run(args: &[String]) -> Result<(), String> {
    let o = parse(args)?;
    if scan_only(&o) {
        return only_scan(&o);
    }
    let load_before = loadavg();
    let corpus = corpus::generate(&crate::root(), &o.out, o.docs)?;
    let bin = match &o.bin {
        Some(b) => b.clone(),
        None => crate::build_nianbao(true)?,
    };
    let folders: Vec<Folder> = FOLDERS
        .iter()
        .map(|n| folder(&corpus.dir, n))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|f| !f.files.is_empty())
        .filter(|f| o.only.is_empty() || o.only.iter().any(|n| n == f.name))
        .collect();
    let runs = o.out.join("runs");

    let mut one: Vec<(&Folder, Run)> = Vec::new();
    for f in &folders {
        // The formats whose floor is the fastest of three runs are timed the same way: a
        // single run of a fraction of a second moves by a tenth with the machine.
        let times = if matches!(f.name, "docx" | "xlsx" | "txt") && !o.skip_floor {
            FLOOR_RUNS
        } else {
            1
        };
        println!(
            "bench: {} ({} documents) with --jobs 1 (×{times}) …",
            f.name, f.docs
        );
        let mut best: Option<Run> = None;
        for _ in 0..times {
            let r = measure::nianbao(
                &bin,
                &corpus.dir.join(f.name),
                &runs.join(format!("jobs1-{}", f.name)),
                1,
            )?;
            // The fastest run, with the highest memory peak of all of them.
            best = Some(match best {
                None => r,
                Some(b) => {
                    let peaks = (
                        b.peak_proc_kib.max(r.peak_proc_kib),
                        b.peak_tree_kib.max(r.peak_tree_kib),
                    );
                    let mut fastest = if b.secs <= r.secs { b } else { r };
                    (fastest.peak_proc_kib, fastest.peak_tree_kib) = peaks;
                    fastest
                }
            });
        }
        one.push((f, best.ok_or("no run")?));
    }
    let whole = if o.only.is_empty() {
        println!("bench: whole corpus with --jobs 1 …");
        let all1 = measure::nianbao(&bin, &corpus.dir, &runs.join("jobs1-all"), 1)?;
        println!("bench: whole corpus with --jobs 2 …");
        let all = measure::nianbao(&bin, &corpus.dir, &runs.join("jobs2-all"), 2)?;
        println!("bench: its database alone, then all the derived outputs …");
        let database = measure::outputs(&bin, &runs.join("jobs2-all"), Some("reports.sqlite"))?;
        let derived = measure::outputs(&bin, &runs.join("jobs2-all"), None)?;
        println!("bench: the audit page in a browser …");
        let page = measure::page(&runs.join("jobs2-all"))?;
        println!("bench: first tenth with --jobs 2 …");
        let tenth = measure::nianbao(&bin, &corpus.tenth, &runs.join("jobs2-tenth"), 2)?;
        Some(Whole {
            all1,
            all,
            derived,
            database,
            page,
            tenth,
        })
    } else {
        None
    };

    let mut floors: Vec<(&str, String, Option<f64>)> = Vec::new();
    if !o.skip_floor {
        println!("bench: baselines …");
        for f in &folders {
            let (what, secs) = match f.name {
                "pdf" => ("pdftotext -layout", pdf_baseline(&f.files)?),
                "docx" | "xlsx" => (
                    "read + inflate",
                    Some(best_of(FLOOR_RUNS, || measure::read_and_inflate(&f.files))?),
                ),
                "txt" => (
                    "read + UTF-8 check",
                    Some(best_of(FLOOR_RUNS, || measure::read_and_decode(&f.files))?),
                ),
                _ => continue,
            };
            floors.push((f.name, what.to_string(), secs));
        }
        if let Some(f) = folders.iter().find(|f| f.name == "pdf") {
            let step = f.files.len().div_ceil(PDF_SAMPLE);
            let sample: Vec<&PathBuf> = f.files.iter().step_by(step).collect();
            println!(
                "bench: PDF pages/s on {} of the {} PDFs (bench_pdf) …",
                sample.len(),
                f.files.len()
            );
            pdf::run(&sample)?;
        }
    }

    let scanned = if o.only.is_empty() || o.only.iter().any(|n| n == "scan") {
        println!("bench: scans against tesseract …");
        Some(scan::run(&crate::root(), &o.out, &bin)?)
    } else {
        None
    };
    let mut report = render(
        &o,
        &one,
        whole.as_ref(),
        &floors,
        &corpus,
        (load_before, loadavg()),
    );
    if let Some(s) = &scanned {
        report += &s.render();
    }
    println!("\n{report}");
    fs::write(o.out.join("summary.txt"), &report).map_err(|e| e.to_string())?;
    println!("(saved to {})", o.out.join("summary.txt").display());
    if let Some(w) = whole.as_ref().filter(|_| o.json) {
        let mut summary = summary::of(
            &o,
            &one,
            (&w.all1, &w.all, w.derived, w.database, w.page),
            &w.tenth,
            &floors,
        );
        if let Some(s) = &scanned {
            summary["scan"] = s.json();
        }
        let path = o.out.join("summary.json");
        let text = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
        fs::write(&path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
        println!(
            "(and to {}: `cargo xtask bench-table {}` renders it into docs/BENCHMARKS.md)",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

/// `--only scan`: the scan fixtures against `tesseract --psm 6`, printed and saved to
/// OUT/scan.txt (and OUT/scan.json with `--json`).
fn only_scan(o: &Options) -> Result<(), String> {
    let bin = match &o.bin {
        Some(b) => b.clone(),
        None => crate::build_nianbao(true)?,
    };
    let load_before = loadavg();
    let scanned = scan::run(&crate::root(), &o.out, &bin)?;
    let report = format!(
        "nianbao bench --only scan, load average {load_before} → {}\n{}",
        loadavg(),
        scanned.render()
    );
    println!("\n{report}");
    fs::write(o.out.join("scan.txt"), &report).map_err(|e| e.to_string())?;
    if o.json {
        let text = serde_json::to_string_pretty(&scanned.json()).map_err(|e| e.to_string())?;
        fs::write(o.out.join("scan.json"), text + "\n").map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The floor is the least a reader pays, so it is the fastest of a few runs: one slow pass
/// (disk writeback from the runs before it) once made the text floor ten times too high.
const FLOOR_RUNS: usize = 3;

fn best_of(n: usize, f: impl Fn() -> Result<f64, String>) -> Result<f64, String> {
    let mut best = f64::INFINITY;
    for _ in 0..n {
        best = best.min(f()?);
    }
    Ok(best)
}

fn pdf_baseline(files: &[PathBuf]) -> Result<Option<f64>, String> {
    let secs = measure::pdftotext(files)?;
    if secs.is_none() {
        println!(
            "bench: pdftotext not found (apt-get install poppler-utils): PDF baseline skipped"
        );
    }
    Ok(secs)
}

/// The runs of the whole corpus (left out with `--only`).
struct Whole {
    all1: Run,
    all: Run,
    /// Seconds the derived outputs of `all` take (`nianbao outputs`), and its database alone.
    derived: f64,
    database: f64,
    /// The audit page's bytes and Chromium's drawing time in milliseconds.
    page: (u64, Option<f64>),
    tenth: Run,
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn render(
    o: &Options,
    one: &[(&Folder, Run)],
    whole: Option<&Whole>,
    floors: &[(&str, String, Option<f64>)],
    corpus: &corpus::Corpus,
    load: (String, String),
) -> String {
    let mut s = String::new();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let _ = writeln!(
        s,
        "nianbao bench: {} documents, {cores} cores, load average {} → {}",
        o.docs, load.0, load.1
    );
    let _ = writeln!(s, "corpus: {}", corpus.dir.display());
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<6} {:>6} {:>8} {:>8} {:>8} {:>8} {:>7} {:>18} {:>7}  baseline",
        "--jobs 1", "docs", "MB", "s", "docs/s", "MB/s", "peakMiB", "ok/partial/failed", "ratio"
    );
    for (f, r) in one {
        let [ok, partial, failed] = r
            .statuses
            .values()
            .fold([0; 3], |a, c| [a[0] + c[0], a[1] + c[1], a[2] + c[2]]);
        let floor = floors.iter().find(|x| x.0 == f.name);
        let (ratio, base) = match floor {
            Some((_, what, Some(secs))) => (
                format!("{:.2}", r.secs / secs),
                format!("{what} {secs:.2} s"),
            ),
            Some((_, what, None)) => ("-".into(), format!("{what}: not available")),
            None => ("-".into(), String::new()),
        };
        let mb = f.bytes as f64 / MIB;
        let _ = writeln!(
            s,
            "{:<8} {:>6} {:>8.1} {:>8.2} {:>8.1} {:>8.2} {:>7.0} {:>18} {:>7}  {}",
            f.name,
            f.docs,
            mb,
            r.secs,
            f.docs as f64 / r.secs,
            mb / r.secs,
            mib(r.peak_kib()),
            format!("{ok}/{partial}/{failed}"),
            ratio,
            base
        );
        if r.records() != f.docs {
            let _ = writeln!(
                s,
                "         ! {} records for {} documents",
                r.records(),
                f.docs
            );
        }
    }
    if let Some(w) = whole {
        whole_lines(&mut s, one, w);
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "goals (measured, not asserted):");
    for (f, r) in one {
        let Some((_, _, Some(base))) = floors.iter().find(|x| x.0 == f.name) else {
            continue;
        };
        let Some(limit) = goal_ratio(f.name) else {
            continue;
        };
        let ratio = r.secs / base;
        let _ = writeln!(
            s,
            "  {:<4} ratio to baseline {ratio:>6.2} ≤ {limit}  {}",
            f.name,
            verdict(ratio <= limit)
        );
    }
    if let Some(w) = whole {
        whole_goals(&mut s, w);
    }
    s
}

/// The lines about the whole-corpus runs: time, scaling, CPU of the parent, memory.
fn whole_lines(s: &mut String, one: &[(&Folder, Run)], w: &Whole) {
    let Whole {
        all1,
        all,
        derived,
        database,
        page,
        tenth,
    } = w;
    let parts: f64 = one.iter().map(|(_, r)| r.secs).sum();
    let j1 = all1.secs;
    let docs: usize = one.iter().map(|(f, _)| f.docs).sum();
    let bytes: u64 = one.iter().map(|(f, _)| f.bytes).sum();
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "whole corpus: --jobs 1 {j1:.2} s (the runs above sum to {parts:.2} s), --jobs 2 {:.2} s → {:.1} docs/s, {:.2} MB/s; scaling {:.2}×",
        all.secs,
        docs as f64 / all.secs,
        bytes as f64 / MIB / all.secs,
        j1 / all.secs
    );
    let _ = writeln!(
        s,
        "derived outputs (audit page, workbook, database, codebook) of its {} records: {derived:.2} s, {:.0} % of the --jobs 2 conversion; the database alone {database:.2} s, {:.0} %",
        all.records(),
        100.0 * derived / all.secs,
        100.0 * database / all.secs
    );
    let drawn = page.1.map_or("Chromium not installed".into(), |ms| {
        format!("drawn by Chromium in {:.2} s", ms / 1000.0)
    });
    let _ = writeln!(s, "audit page: {:.1} MB, {drawn}", page.0 as f64 / 1e6);
    if let Some(total) = all.total_cpu.filter(|&t| t > 0.0) {
        // With --jobs 1 the parent runs beside the one worker on the other core; with --jobs 2
        // it competes with two workers for two cores: the scaling is at most 2 / (1 + P / W).
        let (p, w) = (
            all.parent_cpu,
            (total - all.parent_cpu).max(f64::MIN_POSITIVE),
        );
        let _ = writeln!(
            s,
            "CPU (--jobs 2): parent {p:.2} s of {total:.2} s ({:.0} %): on two cores the scaling can reach at most {:.2}×",
            100.0 * p / total,
            2.0 / (1.0 + p / w)
        );
        // The main thread walks the inputs and writes every record in order: one thread,
        // however many workers, so it caps the speed-up on a machine with many cores.
        let m = all.main_cpu.max(f64::MIN_POSITIVE);
        let _ = writeln!(
            s,
            "  its main thread {:.2} s: it keeps up with about {:.0} workers as busy as these",
            all.main_cpu,
            (total - p) / m
        );
    }
    let _ = writeln!(
        s,
        "peak RSS (--jobs 2): {} docs {:.0} MiB, {} docs {:.0} MiB  (largest process {:.0} / {:.0} MiB, process tree sum {:.0} / {:.0} MiB)",
        tenth.records(),
        mib(tenth.peak_kib()),
        all.records(),
        mib(all.peak_kib()),
        mib(tenth.peak_proc_kib),
        mib(all.peak_proc_kib),
        mib(tenth.peak_tree_kib),
        mib(all.peak_tree_kib)
    );
    if all.records() != docs {
        let _ = writeln!(
            s,
            "! the whole-corpus run wrote {} records for {docs} documents",
            all.records()
        );
    }
}

/// The memory goals, measured on the whole-corpus runs.
fn whole_goals(s: &mut String, w: &Whole) {
    let (all, tenth) = (&w.all, &w.tenth);
    let share = w.database / all.secs;
    let _ = writeln!(
        s,
        "  database adds {:.0} % ≤ {:.0} %  {}",
        100.0 * share,
        100.0 * DATABASE_SHARE,
        verdict(share <= DATABASE_SHARE)
    );
    let mb = w.page.0 as f64 / 1e6;
    let _ = writeln!(
        s,
        "  audit page {mb:.1} MB < {PAGE_MB:.0} MB  {}",
        verdict(mb < PAGE_MB)
    );
    if let Some(ms) = w.page.1 {
        let _ = writeln!(
            s,
            "  audit page drawn in {:.2} s < {PAGE_SECS:.0} s  {}",
            ms / 1000.0,
            verdict(ms / 1000.0 < PAGE_SECS)
        );
    }
    let peak = mib(all.peak_kib());
    let _ = writeln!(
        s,
        "  peak RSS {peak:.0} MiB < {PEAK_MIB:.0} MiB  {}",
        verdict(peak < PEAK_MIB)
    );
    let growth = peak / mib(tenth.peak_kib()).max(1.0);
    let _ = writeln!(
        s,
        "  RSS growth ×10 documents: {growth:.2}× ≤ {GROWTH:.2}  {}",
        verdict(growth <= GROWTH)
    );
}

/// The bound on a format's time against its baseline on the same files, where there is one:
/// PDF against `pdftotext -layout`, DOCX and XLSX against reading and inflating their parts.
fn goal_ratio(format: &str) -> Option<f64> {
    match format {
        "pdf" => Some(0.25),
        "docx" | "xlsx" => Some(5.0),
        _ => None,
    }
}
/// Peak resident memory of the whole process tree.
const PEAK_MIB: f64 = 64.0;
/// Writing the database may add at most this share to a run.
const DATABASE_SHARE: f64 = 0.20;
/// The audit page of the whole corpus: its size, and the time a browser takes to draw it.
const PAGE_MB: f64 = 30.0;
const PAGE_SECS: f64 = 3.0;
/// Memory must not grow with the length of a run: the peak over ten times the documents.
const GROWTH: f64 = 1.25;

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT MET"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_names_format_folders() {
        let o = parse(&args(&["--only", "xlsx,docx", "--quick"])).unwrap();
        assert_eq!(o.only, ["xlsx", "docx"]);
        assert_eq!(o.docs, 1_000);
        assert!(parse(&args(&[])).unwrap().only.is_empty());
        let err = parse(&args(&["--only", "xlsx,odt"])).err().unwrap();
        assert!(err.starts_with("--only: unknown format `odt`"), "{err}");
        assert!(parse(&args(&["--only"])).is_err());
        // The summary holds the whole-corpus runs, which --only leaves out.
        assert!(parse(&args(&["--only", "pdf", "--json"])).is_err());
    }
}
