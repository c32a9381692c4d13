//! Helpers shared by the end-to-end tests: temporary folders, running the real binary, reading
//! its records, and a small zip writer for crafted archives.
#![allow(dead_code)]

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

pub const BIN: &str = env!("CARGO_BIN_EXE_nianbao");

#[path = "../../../nianbao-sources/tests/support/raw_zip.rs"]
mod raw_zip;
use raw_zip::{Entry, RawZip};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// A fresh, empty folder under the system temp dir, unique to this process and call.
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let d = std::env::temp_dir().join(format!(
        "nianbao-cli-{name}-{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn nianbao(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args).stdin(Stdio::null());
    c
}

pub fn run(args: &[&str]) -> Output {
    nianbao(args).output().unwrap()
}

pub fn run_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn records(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("reports.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The one record whose path ends with `suffix`.
pub fn record<'a>(recs: &'a [Value], suffix: &str) -> &'a Value {
    let hits: Vec<&Value> = recs
        .iter()
        .filter(|r| r["source"]["path"].as_str().unwrap().ends_with(suffix))
        .collect();
    assert_eq!(hits.len(), 1, "records ending with {suffix}: {hits:?}");
    hits[0]
}

pub fn kind(r: &Value) -> &str {
    r["error"]["kind"].as_str().unwrap_or("")
}

/// Checks every cell of a seed's hand-checked expected file against a record.
pub fn assert_matches_expected(r: &Value, expected: &Path) {
    let exp: Value = serde_json::from_str(&std::fs::read_to_string(expected).unwrap()).unwrap();
    let cells = exp["cells"].as_object().unwrap();
    assert!(cells.len() > 50);
    for (key, want) in cells {
        let got = key.split('.').fold(r, |v, k| &v[k]);
        let same = match (got.as_f64(), want.as_f64()) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            _ => got == want,
        };
        assert!(
            same,
            "{key}: got {got}, expected {want} ({})",
            expected.display()
        );
    }
    assert_eq!(r["report"]["year"], exp["report"]["year"]);
}

/// A zip archive: entries of (raw name bytes, data, deflated?). Names without the UTF-8 flag,
/// as Chinese Windows writes them.
pub fn zip(entries: &[(&[u8], &[u8], bool)]) -> Vec<u8> {
    let mut z = RawZip::new();
    for (name, data, deflate) in entries {
        let mut e = Entry::stored(name, data);
        let packed;
        if *deflate {
            let mut enc =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            enc.write_all(data).unwrap();
            packed = enc.finish().unwrap();
            e.method = 8;
            e.data = &packed;
        }
        z.add(e);
    }
    z.finish()
}

/// A seed report, by number (fixtures/seeds/00N_*.txt), and its expected file.
pub fn seed(n: usize) -> (PathBuf, PathBuf) {
    let dir = fixtures().join("seeds");
    let mut txt: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    txt.sort();
    let t = txt[n].clone();
    let stem = t.file_stem().unwrap().to_string_lossy().to_string();
    (t, dir.join(format!("{stem}.expected.json")))
}

/// Peak resident set size of a command run under `/usr/bin/time -v` (kilobytes), the largest
/// of the process and the workers it waited for. None, said on stderr, when GNU time is not
/// installed; under `cargo xtask ci` (which sets `NIANBAO_REQUIRE_GNU_TIME`) a missing GNU time
/// fails the test instead, so that CI never skips the memory check.
pub fn peak_rss_kb(args: &[&str]) -> Option<(Output, u64)> {
    if !Path::new("/usr/bin/time").exists() {
        let why = "the memory check needs GNU time at /usr/bin/time (apt-get install time)";
        assert!(
            std::env::var_os("NIANBAO_REQUIRE_GNU_TIME").is_none(),
            "{why}"
        );
        eprintln!("memory check skipped: {why}");
        return None;
    }
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = stderr(&out);
    let kb = err
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .map(|v| v.trim().parse().unwrap())?;
    Some((out, kb))
}
