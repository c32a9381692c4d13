//! The bench's results as JSON (`cargo xtask bench --json`), with the machine, revision and date
//! they were measured on, and the Markdown table of docs/BENCHMARKS.md rendered from it
//! (`cargo xtask bench-table FILE`).
use super::measure::Run;
use super::{goal_ratio, Folder, GROWTH, MIB, PEAK_MIB};
use serde_json::{json, Value};
use std::fs;
use std::process::Command;

/// Where the table goes in docs/BENCHMARKS.md: everything between the two markers is replaced.
const BEGIN: &str = "<!-- bench-table:begin -->";
const END: &str = "<!-- bench-table:end -->";

pub(super) fn of(
    o: &super::Options,
    one: &[(&Folder, Run)],
    (all1, all, derived, database, page): (&Run, &Run, f64, f64, (u64, Option<f64>)),
    tenth: &Run,
    floors: &[(&str, String, Option<f64>)],
) -> Value {
    let formats: Vec<Value> = one
        .iter()
        .map(|(f, r)| {
            let floor = floors.iter().find(|x| x.0 == f.name);
            let (baseline, baseline_secs) = match floor {
                Some((_, what, secs)) => (Some(what.clone()), *secs),
                None => (None, None),
            };
            json!({
                "format": f.name,
                "docs": f.docs,
                "mb": f.bytes as f64 / MIB,
                "secs": r.secs,
                "docs_per_s": f.docs as f64 / r.secs,
                "peak_mib": r.peak_kib() as f64 / 1024.0,
                "baseline": baseline,
                "baseline_secs": baseline_secs,
                "ratio": baseline_secs.map(|b| r.secs / b),
                "goal_ratio": goal_ratio(f.name),
            })
        })
        .collect();
    let peak = all.peak_kib() as f64 / 1024.0;
    let peak_tenth = tenth.peak_kib() as f64 / 1024.0;
    json!({
        "host": host(),
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "revision": git(&["rev-parse", "--short", "HEAD"]),
        "dirty": git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty()),
        "date": today(),
        "docs": o.docs,
        "formats": formats,
        "whole": {"jobs1_secs": all1.secs, "jobs2_secs": all.secs, "scaling": all1.secs / all.secs,
                  "derived_outputs_secs": derived, "database_secs": database,
                  "audit_page_mb": page.0 as f64 / 1e6, "audit_page_draw_secs": page.1.map(|ms| ms / 1000.0)},
        "peak_mib": {"tenth": peak_tenth, "all": peak, "goal": PEAK_MIB,
                     "growth": peak / peak_tenth.max(1.0), "goal_growth": GROWTH},
    })
}

/// `cargo xtask bench-table FILE`: renders FILE (a bench summary.json) into docs/BENCHMARKS.md.
pub fn table(args: &[String]) -> Result<(), String> {
    let path = args
        .first()
        .ok_or("usage: cargo xtask bench-table target/bench/summary.json")?;
    let text = fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    let doc = crate::root().join("docs/BENCHMARKS.md");
    let page = fs::read_to_string(&doc).map_err(|e| format!("{}: {e}", doc.display()))?;
    let (Some(b), Some(e)) = (page.find(BEGIN), page.find(END)) else {
        return Err(format!("{} has no {BEGIN} … {END} markers", doc.display()));
    };
    let page = format!("{}{BEGIN}\n{}{}", &page[..b], render(&v), &page[e..]);
    fs::write(&doc, page).map_err(|e| format!("{}: {e}", doc.display()))?;
    println!("updated {}", doc.display());
    Ok(())
}

fn render(v: &Value) -> String {
    let num = |x: &Value, d: usize| x.as_f64().map_or("–".to_string(), |f| format!("{f:.d$}"));
    let mut s = format!(
        "Measured {} on `{}` ({} cores), revision `{}`{}, {} documents.\n\n",
        v["date"].as_str().unwrap_or("?"),
        v["host"].as_str().unwrap_or("?"),
        v["cores"],
        v["revision"].as_str().unwrap_or("?"),
        if v["dirty"].as_bool() == Some(true) {
            " (with local changes)"
        } else {
            ""
        },
        v["docs"]
    );
    s += "| format (`--jobs 1`) | documents | seconds | documents/s | baseline on the same files | ratio | bound |\n";
    s += "| --- | --- | --- | --- | --- | --- | --- |\n";
    for f in v["formats"].as_array().into_iter().flatten() {
        let baseline = match (f["baseline"].as_str(), f["baseline_secs"].as_f64()) {
            (Some(w), Some(b)) => format!("{w}: {b:.2} s"),
            (Some(w), None) => format!("{w}: not available"),
            _ => "–".into(),
        };
        s += &format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            f["format"].as_str().unwrap_or("?"),
            f["docs"],
            num(&f["secs"], 2),
            num(&f["docs_per_s"], 0),
            baseline,
            f["ratio"]
                .as_f64()
                .map_or("–".into(), |r| format!("{r:.2}×")),
            f["goal_ratio"]
                .as_f64()
                .map_or("–".into(), |r| format!("≤ {r}×")),
        );
    }
    let w = &v["whole"];
    let p = &v["peak_mib"];
    s += &format!(
        "\nWhole corpus: {} s with `--jobs 1`, {} s with `--jobs 2` ({}×); its audit page, \
         workbook, database and codebook then take {} s more (`nianbao outputs`), the database \
         alone {} s ({} % of the run; bound 20 %). The audit page: {} MB, drawn by Chromium in \
         {} s (bounds: 30 MB, 3 s). Peak memory \
         of the process tree: {} MiB for a tenth of the corpus, {} MiB for all of it ({}×; \
         bounds: under {} MiB, growth ≤ {}×).\n",
        num(&w["jobs1_secs"], 2),
        num(&w["jobs2_secs"], 2),
        num(&w["scaling"], 2),
        num(&w["derived_outputs_secs"], 2),
        num(&w["database_secs"], 2),
        w["database_secs"]
            .as_f64()
            .zip(w["jobs2_secs"].as_f64())
            .map_or("–".into(), |(d, a)| format!("{:.0}", 100.0 * d / a)),
        num(&w["audit_page_mb"], 1),
        num(&w["audit_page_draw_secs"], 2),
        num(&p["tenth"], 0),
        num(&p["all"], 0),
        num(&p["growth"], 2),
        num(&p["goal"], 0),
        num(&p["goal_growth"], 2),
    );
    let sc = &v["scan"];
    let times = |x: &Value| x.as_f64().map_or("–".into(), |r| format!("{r:.2}×"));
    if sc.is_object() {
        s += &format!(
            "\nScans (OCR, `--jobs 1`): {} documents, {} pages in {} s ({} pages/s), peak memory \
             {} MiB; `tesseract --psm 6` on the same page images {} s: ratio {}, in CPU seconds \
             {} (bound ≤ {}×).\n",
            sc["docs"],
            sc["pages"],
            num(&sc["secs"], 2),
            num(&sc["pages_per_s"], 2),
            num(&sc["peak_mib"], 0),
            num(&sc["tesseract_secs"], 2),
            times(&sc["ratio"]),
            times(&sc["cpu_ratio"]),
            num(&sc["goal_ratio"], 1),
        );
    }
    s
}

fn host() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    format!("{cpu}, {}", std::env::consts::OS)
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(crate::root())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Today's date (UTC) as YYYY-MM-DD, from the system clock.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_a_summary() {
        let v = serde_json::json!({
            "host": "cpu, linux", "cores": 2, "revision": "abc1234", "dirty": false,
            "date": "2026-12-06", "docs": 1000,
            "formats": [{"format": "pdf", "docs": 361, "secs": 0.6, "docs_per_s": 601.7,
                         "baseline": "pdftotext -layout", "baseline_secs": 4.8, "ratio": 0.125,
                         "goal_ratio": 0.25}],
            "whole": {"jobs1_secs": 0.9, "jobs2_secs": 0.55, "scaling": 1.636,
                      "derived_outputs_secs": 0.4},
            "peak_mib": {"tenth": 41.0, "all": 45.2, "goal": 64.0, "growth": 1.10, "goal_growth": 1.25}
        });
        let t = super::render(&v);
        assert!(t.contains(
            "Measured 2026-12-06 on `cpu, linux` (2 cores), revision `abc1234`, 1000 documents."
        ));
        assert!(
            t.contains("| pdf | 361 | 0.60 | 602 | pdftotext -layout: 4.80 s | 0.12× | ≤ 0.25× |"),
            "{t}"
        );
        assert!(
            t.contains("0.90 s with `--jobs 1`, 0.55 s with `--jobs 2` (1.64×)"),
            "{t}"
        );
        assert!(
            t.contains("41 MiB for a tenth of the corpus, 45 MiB for all of it (1.10×"),
            "{t}"
        );
    }

    #[test]
    fn renders_the_scan_figures() {
        let v = serde_json::json!({
            "formats": [], "whole": {}, "peak_mib": {},
            "scan": {"docs": 8, "pages": 24, "secs": 81.34, "pages_per_s": 0.3,
                     "peak_mib": 231.4, "tesseract_secs": 81.58, "ratio": 0.997,
                     "cpu_ratio": 1.214, "goal_ratio": 1.5}
        });
        let t = super::render(&v);
        assert!(
            t.contains(
                "Scans (OCR, `--jobs 1`): 8 documents, 24 pages in 81.34 s (0.30 pages/s), \
                 peak memory 231 MiB; `tesseract --psm 6` on the same page images 81.58 s: \
                 ratio 1.00×, in CPU seconds 1.21× (bound ≤ 1.5×)."
            ),
            "{t}"
        );
    }

    #[test]
    fn today_is_a_date() {
        let d = super::today();
        assert_eq!(d.len(), 10);
        assert!(d.starts_with("20"), "{d}");
    }
}
