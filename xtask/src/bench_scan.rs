//! The scan part of the bench (`cargo xtask bench --only scan`, and after the corpus runs): the
//! scan fixtures — PDFs of JPEG and CCITT page images, a multi-page TIFF, a PNG page, and one
//! report's page files in a folder and in a zip — converted by `nianbao convert --jobs 1`,
//! against `tesseract PAGE - -l chi_sim --psm 6` run one page at a time on the same page images
//! (decoded by nianbao's own decoder for image files, extracted by `pdfimages -png` from the
//! PDFs). Kept apart from the 10,000-document corpus, whose figures it would change.
use super::measure::{self, Run};
use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The bound: a scan converts in at most this many times what `tesseract --psm 6` takes.
pub const GOAL_RATIO: f64 = 1.5;
/// Each side is timed this many times, the fastest kept (the machine is shared).
const RUNS: usize = 2;

pub struct Scan {
    pub docs: usize,
    pub pages: usize,
    pub run: Run,
    /// `tesseract --psm 6` over the same pages, one process per page; `None` without it.
    pub tesseract: Option<Timed>,
}

/// Wall-clock and CPU seconds (user + system, children included) of one pass.
#[derive(Clone, Copy)]
pub struct Timed {
    pub secs: f64,
    pub cpu: Option<f64>,
}

impl Scan {
    pub fn ratio(&self) -> Option<f64> {
        self.tesseract.map(|t| self.run.secs / t.secs)
    }

    /// The same ratio in CPU seconds: what a machine shared with other work measures fairly
    /// (both sides run one thread at a time).
    pub fn cpu_ratio(&self) -> Option<f64> {
        Some(self.run.total_cpu? / self.tesseract?.cpu?)
    }

    /// The ratio the bound is held to: CPU seconds where both are known, else wall-clock.
    fn goal_ratio(&self) -> Option<(f64, &'static str)> {
        match (self.cpu_ratio(), self.ratio()) {
            (Some(c), _) => Some((c, "CPU")),
            (None, Some(w)) => Some((w, "wall-clock")),
            _ => None,
        }
    }

    pub fn render(&self) -> String {
        let mib = self.run.peak_kib() as f64 / 1024.0;
        let cpu = |c: Option<f64>| c.map_or(String::new(), |c| format!(" ({c:.2} CPU s)"));
        let mut s = format!(
            "scan: {} documents, {} pages with --jobs 1: {:.2} s{}, {:.2} pages/s, peak RSS {mib:.0} MiB\n",
            self.docs,
            self.pages,
            self.run.secs,
            cpu(self.run.total_cpu),
            self.pages as f64 / self.run.secs
        );
        match (self.tesseract, self.ratio(), self.goal_ratio()) {
            (Some(t), Some(r), Some((g, what))) => {
                s += &format!(
                    "  tesseract --psm 6 (chi_sim) on the same page images: {:.2} s{}, {:.2} pages/s; wall-clock ratio {r:.2}\n",
                    t.secs,
                    cpu(t.cpu),
                    self.pages as f64 / t.secs
                );
                s += &format!(
                    "  scan ratio to tesseract ({what}) {g:.2} ≤ {GOAL_RATIO}  {}\n",
                    super::verdict(g <= GOAL_RATIO)
                );
            }
            _ => s += "  tesseract not found: no baseline\n",
        }
        s
    }

    pub fn json(&self) -> Value {
        json!({
            "docs": self.docs,
            "pages": self.pages,
            "secs": self.run.secs,
            "pages_per_s": self.pages as f64 / self.run.secs,
            "peak_mib": self.run.peak_kib() as f64 / 1024.0,
            "cpu_secs": self.run.total_cpu,
            "tesseract_secs": self.tesseract.map(|t| t.secs),
            "tesseract_cpu_secs": self.tesseract.and_then(|t| t.cpu),
            "ratio": self.ratio(),
            "cpu_ratio": self.cpu_ratio(),
            "goal_ratio": GOAL_RATIO,
        })
    }
}

/// Copies the scan fixtures into `out/scan`, extracts their page images, and times both sides.
pub fn run(root: &Path, out: &Path, bin: &Path) -> Result<Scan, String> {
    let fixtures = root.join("fixtures/scan");
    let dir = out.join("scan");
    let docs_dir = dir.join("docs");
    let pages_dir = dir.join("pages");
    for d in [&docs_dir, &pages_dir] {
        if d.exists() {
            fs::remove_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
        }
        fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let mut docs = 0;
    let mut page_files: Vec<PathBuf> = Vec::new();
    for f in files(&fixtures)? {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let ext = name.rsplit_once('.').map_or("", |x| x.1);
        if !matches!(ext, "pdf" | "tif" | "png" | "jpg") || name.starts_with("bad-") {
            continue;
        }
        copy(&f, &docs_dir.join(name))?;
        docs += 1;
        page_files.extend(pages_of(&f, &pages_dir, &format!("{docs:02}"))?);
    }
    // One report's page files, as a folder and as a zip: one document each.
    let joined = fixtures.join("pages");
    if joined.is_dir() {
        let to = docs_dir.join("pages");
        fs::create_dir_all(&to).map_err(|e| e.to_string())?;
        for f in files(&joined)? {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if name.ends_with(".jpg") || name.ends_with(".zip") {
                copy(&f, &to.join(name))?;
            }
            if name.ends_with(".jpg") {
                page_files.extend(pages_of(&f, &pages_dir, &format!("p-{name}"))?);
            } else if name.ends_with(".zip") {
                docs += 1;
                page_files.extend(zip_pages(&f, &pages_dir)?);
            }
        }
        docs += 1;
    }
    if docs == 0 {
        return Err(format!("no scan fixtures in {}", fixtures.display()));
    }
    println!(
        "bench: scan ({docs} documents, {} pages) with --jobs 1, and tesseract --psm 6 on the same pages, alternately (×{RUNS}) …",
        page_files.len()
    );
    // Alternately, so that both sides see the same load on a shared machine.
    let has_tesseract = tesseract_ready();
    let mut runs = Vec::new();
    let mut tess: Option<Timed> = None;
    for _ in 0..RUNS {
        runs.push(measure::nianbao(bin, &docs_dir, &dir.join("run"), 1)?);
        if has_tesseract {
            let t = tesseract(&page_files, &dir)?;
            tess = Some(match tess {
                Some(b) if b.secs <= t.secs => b,
                _ => t,
            });
        }
    }
    // The fastest run, with the highest memory peaks of all of them.
    let peaks = (
        runs.iter().map(|r| r.peak_proc_kib).max().unwrap_or(0),
        runs.iter().map(|r| r.peak_tree_kib).max().unwrap_or(0),
    );
    let mut run = runs
        .into_iter()
        .min_by(|a, b| a.secs.total_cmp(&b.secs))
        .ok_or("no run")?;
    (run.peak_proc_kib, run.peak_tree_kib) = peaks;
    Ok(Scan {
        docs,
        pages: page_files.len(),
        run,
        tesseract: tess,
    })
}

fn files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    Ok(v)
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("{} → {}: {e}", from.display(), to.display()))
}

/// The page images of one scan as PNG files in `dir`, named from `tag`.
fn pages_of(file: &Path, dir: &Path, tag: &str) -> Result<Vec<PathBuf>, String> {
    let bytes = fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if bytes.starts_with(b"%PDF") {
        let status = Command::new("pdfimages")
            .arg("-png")
            .arg(file)
            .arg(dir.join(tag))
            .status()
            .map_err(|e| format!("pdfimages (apt-get install poppler-utils): {e}"))?;
        if !status.success() {
            return Err(format!("pdfimages failed on {}", file.display()));
        }
        let prefix = format!("{tag}-");
        return Ok(files(dir)?
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&prefix))
            })
            .collect());
    }
    decoded_pages(&bytes, dir, tag)
}

/// Every page of an image file, as nianbao decodes it, saved as PNG.
fn decoded_pages(bytes: &[u8], dir: &Path, tag: &str) -> Result<Vec<PathBuf>, String> {
    let pages = nianbao_ocr::decode::pages(bytes, 100)?;
    let mut out = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let path = dir.join(format!("{tag}-{:03}.png", i + 1));
        page.save(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        out.push(path);
    }
    Ok(out)
}

/// The page images inside a zip of page files.
fn zip_pages(file: &Path, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let f = fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut z = zip::ZipArchive::new(f).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut entry = z.by_index(i).map_err(|e| e.to_string())?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).map_err(|e| e.to_string())?;
        out.extend(decoded_pages(&bytes, dir, &format!("z{i:02}"))?);
    }
    Ok(out)
}

/// Whether `tesseract` with its Simplified Chinese model is installed.
fn tesseract_ready() -> bool {
    Command::new("tesseract")
        .arg("--list-langs")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .is_some_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == "chi_sim")
        })
}

/// One pass of `tesseract PAGE - -l chi_sim --psm 6` over every page, one process per page, one
/// thread each (as nianbao runs it), under GNU time when it is there (for the CPU seconds).
fn tesseract(pages: &[PathBuf], dir: &Path) -> Result<Timed, String> {
    let time_file = dir.join("tesseract-time.txt");
    let script = "for p; do tesseract \"$p\" - -l chi_sim --psm 6 >/dev/null 2>&1 || exit 1; done";
    let gnu_time = Path::new("/usr/bin/time").exists();
    let mut cmd = if gnu_time {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "%U %S", "-o"]).arg(&time_file).arg("sh");
        c
    } else {
        Command::new("sh")
    };
    cmd.args(["-c", script, "sh"])
        .args(pages)
        .env("OMP_THREAD_LIMIT", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let t0 = Instant::now();
    let status = cmd.status().map_err(|e| format!("tesseract: {e}"))?;
    let secs = t0.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("tesseract failed on a page in {}", dir.display()));
    }
    let cpu = fs::read_to_string(&time_file)
        .ok()
        .and_then(|s| {
            let v: Vec<f64> = s
                .lines()
                .last()?
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            (v.len() == 2).then(|| v[0] + v[1])
        })
        .filter(|_| gnu_time);
    Ok(Timed { secs, cpu })
}
