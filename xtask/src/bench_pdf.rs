//! PDF throughput: the PDF adapter (through the release binary, `nianbao convert`) against
//! poppler's `pdftotext -layout` on the same files, in pages per second.
//!
//! Both sides are timed as whole processes over the same file list, repeated until each has
//! run for at least a second, so process start-up is included on both sides.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs the comparison over `files` (PDF paths) and prints pages/s for both tools and the ratio.
pub fn run<P: AsRef<Path>>(files: &[P]) -> Result<(), String> {
    let files: Vec<PathBuf> = files.iter().map(|p| p.as_ref().to_path_buf()).collect();
    if files.is_empty() {
        return Err("bench_pdf: no PDF files given".into());
    }
    let binary = crate::target_dir().join("release/nianbao");
    if !binary.exists() {
        return Err(format!(
            "{} not found: build it first with `cargo build --release -p nianbao-cli`",
            binary.display()
        ));
    }
    let mut pages = 0u64;
    for f in &files {
        pages += page_count(f)?;
    }
    let out = std::env::temp_dir().join(format!("nianbao-bench-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;

    let ours = repeat(|| {
        let status = Command::new(&binary)
            .arg("convert")
            .args(&files)
            .arg("--out")
            .arg(&out)
            .arg("--overwrite")
            .output()
            .map_err(|e| format!("running {}: {e}", binary.display()))?;
        if !status.status.success() {
            return Err(format!(
                "nianbao convert failed: {}",
                String::from_utf8_lossy(&status.stderr)
            ));
        }
        Ok(())
    })?;
    let poppler = repeat(|| {
        for f in &files {
            let txt = out.join("pdftotext.txt");
            let status = Command::new("pdftotext")
                .arg("-layout")
                .arg(f)
                .arg(&txt)
                .output()
                .map_err(|e| format!("running pdftotext (apt-get install poppler-utils): {e}"))?;
            if !status.status.success() {
                return Err(format!("pdftotext failed on {}", f.display()));
            }
        }
        Ok(())
    })?;
    let _ = std::fs::remove_dir_all(&out);

    let rate = |d: Duration| pages as f64 / d.as_secs_f64();
    println!("PDF benchmark: {} files, {pages} pages", files.len());
    println!(
        "  nianbao convert   {:>9.1} pages/s  ({:.1} ms per run)",
        rate(ours),
        ours.as_secs_f64() * 1e3
    );
    println!(
        "  pdftotext -layout {:>9.1} pages/s  ({:.1} ms per run)",
        rate(poppler),
        poppler.as_secs_f64() * 1e3
    );
    println!(
        "  ratio nianbao/pdftotext: {:.2}",
        rate(ours) / rate(poppler)
    );
    Ok(())
}

/// Mean wall time of one run of `f`, over as many runs as fit in about a second (at least 3).
fn repeat(mut f: impl FnMut() -> Result<(), String>) -> Result<Duration, String> {
    let start = Instant::now();
    let mut runs = 0u32;
    while runs < 3 || (start.elapsed() < Duration::from_secs(1) && runs < 1000) {
        f()?;
        runs += 1;
    }
    Ok(start.elapsed() / runs)
}

/// Page count from poppler's `pdfinfo`.
fn page_count(file: &Path) -> Result<u64, String> {
    let out = Command::new("pdfinfo")
        .arg(file)
        .output()
        .map_err(|e| format!("running pdfinfo (apt-get install poppler-utils): {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").and_then(|n| n.trim().parse().ok()))
        .ok_or_else(|| format!("pdfinfo gave no page count for {}", file.display()))
}
