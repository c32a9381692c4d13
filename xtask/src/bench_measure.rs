//! Timing and memory of one `nianbao convert` run, and the baselines it is compared with:
//! `pdftotext -layout` for PDFs, reading and decompressing the bytes for DOCX/XLSX/TXT.
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const GNU_TIME: &str = "/usr/bin/time";

pub struct Run {
    pub secs: f64,
    /// Largest resident set of any one process (GNU time, exact; else sampled VmHWM), KiB.
    pub peak_proc_kib: u64,
    /// Largest sum of the resident sets of nianbao and its children, sampled, KiB.
    pub peak_tree_kib: u64,
    /// Records per `source.format` (or `-`): ok, partial, failed.
    pub statuses: BTreeMap<String, [usize; 3]>,
    /// CPU seconds of the nianbao parent itself (its threads, not its workers), sampled.
    pub parent_cpu: f64,
    /// CPU seconds of the parent's main thread alone (the walk and the ordered writer: the
    /// part that does not grow with the number of workers), sampled.
    pub main_cpu: f64,
    /// CPU seconds of the parent and all its workers (GNU time), when known.
    pub total_cpu: Option<f64>,
}

impl Run {
    pub fn records(&self) -> usize {
        self.statuses.values().flatten().sum()
    }

    pub fn peak_kib(&self) -> u64 {
        self.peak_proc_kib.max(self.peak_tree_kib)
    }
}

/// Runs `nianbao convert INPUT --out OUT --jobs JOBS`, sampling memory every 10 ms.
pub fn nianbao(bin: &Path, input: &Path, out: &Path, jobs: usize) -> Result<Run, String> {
    fs::create_dir_all(out).map_err(|e| e.to_string())?;
    // The previous run's results go first (nianbao refuses a folder holding results): removed
    // here rather than with --overwrite, which binaries being compared may predate.
    let result = out.join("result");
    if result.exists() {
        fs::remove_dir_all(&result).map_err(|e| format!("{}: {e}", result.display()))?;
    }
    warm(input)?;
    let time_file = out.join("time.txt");
    let gnu_time = Path::new(GNU_TIME).exists();
    let mut cmd = if gnu_time {
        let mut c = Command::new(GNU_TIME);
        c.args(["-f", "%M %U %S", "-o"]).arg(&time_file).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.arg("convert")
        .arg(input)
        .arg("--out")
        .arg(&result)
        .args(["--jobs", &jobs.to_string()])
        // The conversion alone: the derived outputs are timed apart (`outputs`).
        .arg("--only-records")
        .stdout(Stdio::null())
        .stderr(fs::File::create(out.join("stderr.txt")).map_err(|e| e.to_string())?);
    let t0 = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (stop, pid, skip_root) = (stop.clone(), child.id(), gnu_time);
        std::thread::spawn(move || sample_memory(pid, skip_root, &stop))
    };
    let status = child.wait().map_err(|e| e.to_string())?;
    let secs = t0.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let Sampled {
        peak_tree_kib,
        peak_hwm: sampled_hwm,
        parent_cpu,
        main_cpu,
    } = sampler.join().unwrap_or_default();
    // Exit 1 only says some documents failed; they are counted below.
    if !matches!(status.code(), Some(0 | 1)) {
        let err = fs::read_to_string(out.join("stderr.txt")).unwrap_or_default();
        let tail: String = err.lines().rev().take(5).collect::<Vec<_>>().join("\n");
        return Err(format!("nianbao convert failed ({status}): {tail}"));
    }
    // GNU time's last line: peak KiB, user seconds, system seconds.
    let timed: Vec<f64> = fs::read_to_string(&time_file)
        .ok()
        .and_then(|s| s.lines().last().map(str::to_string))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    Ok(Run {
        secs,
        peak_proc_kib: timed.first().map_or(0, |&k| k as u64).max(sampled_hwm),
        peak_tree_kib,
        statuses: statuses(&out.join("result/reports.jsonl"))?,
        parent_cpu,
        main_cpu,
        total_cpu: (timed.len() == 3).then(|| timed[1] + timed[2]),
    })
}

#[derive(Default)]
struct Sampled {
    /// The largest sum of VmRSS over the process tree, KiB.
    peak_tree_kib: u64,
    /// The largest VmHWM of one process, KiB.
    peak_hwm: u64,
    /// The last CPU seconds seen of the nianbao parent, and of its main thread.
    parent_cpu: f64,
    main_cpu: f64,
}

/// Until `stop`: memory and CPU of the process tree of `pid` (without `pid` itself when it is
/// GNU time).
fn sample_memory(pid: u32, skip_root: bool, stop: &AtomicBool) -> Sampled {
    let mut got = Sampled::default();
    while !stop.load(Ordering::Relaxed) {
        let mut tree = Vec::new();
        descendants(pid, &mut tree, 0);
        // nianbao is GNU time's first child, or the root itself.
        let parent = if skip_root {
            tree.first().copied()
        } else {
            Some(pid)
        };
        if let Some(p) = parent {
            if let Some(cpu) = cpu_secs(&format!("/proc/{p}/stat")) {
                got.parent_cpu = got.parent_cpu.max(cpu);
            }
            if let Some(cpu) = cpu_secs(&format!("/proc/{p}/task/{p}/stat")) {
                got.main_cpu = got.main_cpu.max(cpu);
            }
        }
        if !skip_root {
            tree.push(pid);
        }
        let mut sum = 0;
        for p in tree {
            let (rss, hwm) = status_kib(p);
            sum += rss;
            got.peak_hwm = got.peak_hwm.max(hwm);
        }
        got.peak_tree_kib = got.peak_tree_kib.max(sum);
        std::thread::sleep(Duration::from_millis(10));
    }
    got
}

/// User + system CPU seconds in a `stat` file of /proc (fields 14 and 15, in clock ticks of
/// 1/100 s, Linux's USER_HZ): of one process's own threads, or of one thread, without
/// children.
fn cpu_secs(stat: &str) -> Option<f64> {
    let stat = fs::read_to_string(stat).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

fn descendants(pid: u32, out: &mut Vec<u32>, depth: usize) {
    if depth > 8 {
        return;
    }
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return;
    };
    for t in tasks.flatten() {
        let kids = fs::read_to_string(t.path().join("children")).unwrap_or_default();
        for k in kids
            .split_whitespace()
            .filter_map(|k| k.parse::<u32>().ok())
        {
            out.push(k);
            descendants(k, out, depth + 1);
        }
    }
}

/// VmRSS and VmHWM of a process, KiB (0 when it is gone).
fn status_kib(pid: u32) -> (u64, u64) {
    let s = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        s.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn statuses(jsonl: &Path) -> Result<BTreeMap<String, [usize; 3]>, String> {
    let text = fs::read_to_string(jsonl).map_err(|e| format!("{}: {e}", jsonl.display()))?;
    let mut m: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for line in text.lines() {
        let rec: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let format = rec["source"]["format"].as_str().unwrap_or("-").to_string();
        let i = match rec["status"].as_str() {
            Some("ok") => 0,
            Some("partial") => 1,
            _ => 2,
        };
        m.entry(format).or_default()[i] += 1;
    }
    Ok(m)
}

/// Reads every file under `dir` once, untimed, so that the timed run finds the corpus in the
/// page cache: on a machine short of cache (or reclaiming it) a run otherwise measured the
/// disk as much as the conversion, and one PDF run took three times as long as the next.
fn warm(dir: &Path) -> Result<(), String> {
    let mut buf = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(mut f) = fs::File::open(&path) {
                buf.clear();
                let _ = f.read_to_end(&mut buf);
            }
        }
    }
    Ok(())
}

/// Seconds to read every file and inflate every entry of the zip containers: the least any
/// DOCX/XLSX reader pays.
pub fn read_and_inflate(files: &[PathBuf]) -> Result<f64, String> {
    let t0 = Instant::now();
    let mut buf = Vec::new();
    for f in files {
        let bytes = fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let mut ar = zip::ZipArchive::new(Cursor::new(&bytes))
            .map_err(|e| format!("{}: {e}", f.display()))?;
        for i in 0..ar.len() {
            buf.clear();
            let mut entry = ar
                .by_index(i)
                .map_err(|e| format!("{}: {e}", f.display()))?;
            entry
                .read_to_end(&mut buf)
                .map_err(|e| format!("{}: {e}", f.display()))?;
        }
    }
    Ok(t0.elapsed().as_secs_f64())
}

/// Seconds to read every file and check it is UTF-8: the least any TXT reader pays.
pub fn read_and_decode(files: &[PathBuf]) -> Result<f64, String> {
    let t0 = Instant::now();
    let mut valid = 0;
    for f in files {
        let bytes = fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
        valid += usize::from(std::str::from_utf8(&bytes).is_ok());
    }
    std::hint::black_box(valid);
    Ok(t0.elapsed().as_secs_f64())
}

/// Seconds for `pdftotext -layout FILE -` over every file, one after another (None when
/// poppler's pdftotext is not installed).
pub fn pdftotext(files: &[PathBuf]) -> Result<Option<f64>, String> {
    let present = Command::new("pdftotext")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !present {
        return Ok(None);
    }
    let t0 = Instant::now();
    for f in files {
        let st = Command::new("pdftotext")
            .arg("-layout")
            .arg(f)
            .arg("-")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| e.to_string())?;
        if !st.success() {
            return Err(format!("pdftotext failed on {}", f.display()));
        }
    }
    Ok(Some(t0.elapsed().as_secs_f64()))
}

/// Seconds `nianbao outputs` takes to write the audit page, workbook, database and codebook of
/// a finished run's records, or only the one named.
pub fn outputs(bin: &Path, run: &Path, only: Option<&str>) -> Result<f64, String> {
    let t0 = Instant::now();
    let status = Command::new(bin)
        .arg("outputs")
        .arg(run.join("result"))
        .args(only.map(|o| format!("--only={o}")))
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if !status.success() {
        return Err(format!("nianbao outputs failed ({status})"));
    }
    Ok(t0.elapsed().as_secs_f64())
}

/// The audit page of a finished run: its size, and the milliseconds Chromium took from
/// navigation start to the end of the page's first drawing (the page records it in
/// `data-render-ms`), where Chromium is installed.
pub fn page(run: &Path) -> Result<(u64, Option<f64>), String> {
    let page = run.join("result/audit.html");
    let bytes = fs::metadata(&page)
        .map_err(|e| format!("{}: {e}", page.display()))?
        .len();
    let Some(chromium) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.exists())
    else {
        return Ok((bytes, None));
    };
    let profile = run.join("chromium-profile");
    let o = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", page.display()))
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", chromium.display()))?;
    let dom = String::from_utf8_lossy(&o.stdout);
    let ms = dom
        .split_once("data-render-ms=\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .and_then(|v| v.parse().ok());
    Ok((bytes, ms))
}
