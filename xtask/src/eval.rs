//! `cargo xtask eval [--bin PATH] [--min ACC] [DIR...]`: converts the fixtures (or the given
//! folders) with the `nianbao` binary and compares every record with the `<stem>.expected.json`
//! found beside its source, printing cell accuracy per file and in total.
use nianbao_template::expected::{compare_json, scan_bar};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn run(args: &[String]) -> Result<(), String> {
    let mut bin: Option<PathBuf> = None;
    let mut min = 0.0f64;
    let mut dirs = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--bin" => bin = it.next().map(PathBuf::from),
            "--min" => {
                min = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--min takes a number")?
            }
            d => dirs.push(PathBuf::from(d)),
        }
    }
    let root = crate::root();
    if dirs.is_empty() {
        dirs.push(root.join("fixtures"));
    }
    let bin = match bin {
        Some(b) => b,
        None => crate::build_nianbao(false)?,
    };
    let out = crate::target_dir().join("eval");
    let status = Command::new(&bin)
        .arg("convert")
        .args(&dirs)
        .arg("--out")
        .arg(&out)
        .arg("--overwrite")
        .status()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    // Exit 1 only says some input failed (fixtures include deliberately bad files).
    if !matches!(status.code(), Some(0 | 1)) {
        return Err("nianbao convert failed".into());
    }
    let expectations = find_expectations(&dirs);
    let text = std::fs::read_to_string(out.join("reports.jsonl")).map_err(|e| e.to_string())?;
    let (mut cells, mut right, mut meta, mut meta_right, mut scored) = (0, 0, 0, 0, 0);
    let (mut flat_cells, mut flat_right) = (0, 0);
    let mut worst = Vec::new();
    for line in text.lines() {
        let rec: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let path = rec["source"]["path"].as_str().unwrap_or("").to_string();
        let Some(exp) = expectations.get(&stem_key(&path)) else {
            continue;
        };
        // A scan is not read where Tesseract is missing: said, not scored.
        if rec["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not read because"))
        {
            println!("{path:<70} skipped: {}", rec["error"]["message"]);
            continue;
        }
        let s = compare_json(&rec, exp);
        scored += 1;
        // Flattened text (labels apart, cells glued) is held to no wrong value, not to the
        // accuracy: what cannot be attributed with certainty is null there by design.
        let flattened = Path::new(&path)
            .parent()
            .is_some_and(|d| d.ends_with("flattened"));
        // Flattened text and scans are counted apart from the fixtures that carry their
        // tables exactly, which must all be right.
        if flattened || scan_bar(Path::new(&path)).is_some() {
            flat_cells += s.cells;
            flat_right += s.right;
        } else {
            cells += s.cells;
            right += s.right;
        }
        meta += s.meta_total;
        meta_right += s.meta_total - s.meta_wrong.len();
        println!(
            "{:<70} {:>4}/{:<4} {:.4} {}",
            path,
            s.right,
            s.cells,
            s.accuracy(),
            rec["status"].as_str().unwrap_or("")
        );
        for m in s.meta_wrong.iter().chain(s.mismatches.iter()).take(8) {
            println!("    {m}");
        }
        // Scans are read by OCR and have their own bars; none may show a wrong number.
        let fails = match scan_bar(Path::new(&path)) {
            Some(bar) => s.accuracy() < bar || s.shown_wrong > 0,
            None => (!flattened && s.accuracy() < min) || s.shown_wrong > 0,
        };
        if fails {
            worst.push(path);
        }
    }
    let acc = if cells == 0 {
        0.0
    } else {
        right as f64 / cells as f64
    };
    println!("documents {scored} · cells {right}/{cells} · cell accuracy {acc:.4} · metadata {meta_right}/{meta}");
    if flat_cells > 0 {
        println!("flattened text and scans (held to no wrong value and their own bars): cells {flat_right}/{flat_cells}");
    }
    if scored == 0 {
        return Err("no record matched an expected file".into());
    }
    if !worst.is_empty() || acc < min || meta_right < meta {
        return Err(format!(
            "below --min {min} or metadata wrong: {}",
            worst.join(", ")
        ));
    }
    Ok(())
}

/// Expected files by (folder, stem): a report's DOCX and its printed PDF share one expectation.
fn find_expectations(dirs: &[PathBuf]) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Some(name) = p.file_name().and_then(|n| n.to_str()) {
                if let Some(stem) = name.strip_suffix(".expected.json") {
                    let text = std::fs::read_to_string(&p).unwrap_or_default();
                    if let Ok(v) = serde_json::from_str::<Value>(&text) {
                        out.insert(format!("{}/{stem}", d.display()), v);
                    }
                }
            }
        }
    }
    out
}

fn stem_key(path: &str) -> String {
    let p = Path::new(path.split("!/").next().unwrap_or(path));
    let dir = p
        .parent()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    format!("{dir}/{stem}")
}
