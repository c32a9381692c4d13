//! Mutation test: a few hundred damaged copies of each fixture format (text, PDF, DOCX, XLSX,
//! DOC, HTML, zip), made with a seeded PRNG so that every run converts the same files, go
//! through `nianbao convert` as one batch. Whatever the damage: every input gets its record
//! (exactly one for a document, one per member for an archive), no record is `internal`, and
//! every error kind is one the schema documents for damaged input. `NIANBAO_MUTANTS=N` makes N
//! copies per format instead of 300.
mod common;
use common::*;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;

/// SplitMix64: a small, well-known generator; the seed fixes every mutant.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// How a copy is damaged.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Damage {
    /// Cut short, as an interrupted download.
    Truncate,
    /// A few bytes overwritten.
    Flip,
    /// A run of bytes zeroed, as a bad disk sector.
    Zero,
    /// Random bytes inserted.
    Insert,
    /// A span removed.
    Delete,
    /// A span repeated.
    Repeat,
}

const DAMAGES: [Damage; 6] = [
    Damage::Truncate,
    Damage::Flip,
    Damage::Zero,
    Damage::Insert,
    Damage::Delete,
    Damage::Repeat,
];

fn mutate(base: &[u8], damage: Damage, rng: &mut Rng) -> Vec<u8> {
    let mut b = base.to_vec();
    let n = b.len();
    let at = rng.below(n);
    let span = 1 + rng.below(n / 8 + 1);
    match damage {
        Damage::Truncate => b.truncate(1 + rng.below(n - 1)),
        Damage::Flip => {
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(n);
                b[i] = rng.next() as u8;
            }
        }
        Damage::Zero => b[at..(at + span).min(n)].fill(0),
        Damage::Insert => {
            let junk: Vec<u8> = (0..1 + rng.below(64)).map(|_| rng.next() as u8).collect();
            b.splice(at..at, junk);
        }
        Damage::Delete => {
            b.drain(at..(at + span).min(n));
        }
        Damage::Repeat => {
            let copy = b[at..(at + span).min(n)].to_vec();
            b.splice(at..at, copy);
        }
    }
    b
}

/// A zip of some fixtures, written by the zip crate, as an archive users send.
fn zip_of_fixtures() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, path) in [
        ("报告/一.txt", seed(0).0),
        ("报告/二.txt", seed(3).0),
        ("东湖.docx", fixtures().join("docx/donghu-2021.docx")),
        ("水亭.xlsx", fixtures().join("xlsx/shuiting-2019.xlsx")),
    ] {
        w.start_file(name, opts).unwrap();
        w.write_all(&fs::read(path).unwrap()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Kinds a damaged input may fail with (the schema's list, without `internal`, `timeout`
/// and `io`, which would be defects or the machine's failures here).
const KINDS: [&str; 7] = [
    "empty",
    "corrupt",
    "encrypted",
    "no_text_layer",
    "unsupported_format",
    "not_a_report",
    "too_large",
];

#[test]
fn damaged_copies_of_every_format_each_get_their_records() {
    // NIANBAO_MUTANTS=N runs N per format (a longer search than CI's).
    let per_format: usize = std::env::var("NIANBAO_MUTANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let dir = temp_dir("mutants");
    let input = dir.join("in");
    fs::create_dir_all(&input).unwrap();
    let fx = fixtures();
    let bases: Vec<(&str, Vec<u8>)> = vec![
        ("txt", fs::read(seed(1).0).unwrap()),
        ("pdf", fs::read(fx.join("pdf/qingshan-2020.pdf")).unwrap()),
        (
            "docx",
            fs::read(fx.join("docx/qingshan-2020.docx")).unwrap(),
        ),
        ("xlsx", fs::read(fx.join("xlsx/baihe-2022.xlsx")).unwrap()),
        ("doc", fs::read(fx.join("doc/donghu-2021.doc")).unwrap()),
        (
            "html",
            fs::read(fx.join("html/baisha-2020-utf8.html")).unwrap(),
        ),
        ("zip", zip_of_fixtures()),
    ];
    let mut rng = Rng(0x6E69_616E_6261_6F21);
    let mut made: BTreeMap<String, (&str, Damage)> = BTreeMap::new();
    for (ext, base) in &bases {
        for i in 0..per_format {
            let damage = DAMAGES[i % DAMAGES.len()];
            let name = format!("{ext}-{i:03}.{ext}");
            fs::write(input.join(&name), mutate(base, damage, &mut rng)).unwrap();
            made.insert(name, (ext, damage));
        }
    }
    let out = dir.join("out");
    let o = run(&[
        "convert",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--timeout",
        "30",
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let prefix = format!("{}/", input.display());
    let mut per_file: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut seen_paths = std::collections::HashSet::new();
    for r in records(&out) {
        let path = r["source"]["path"].as_str().unwrap().to_string();
        if !seen_paths.insert(path.clone()) {
            problems.push(format!("{path}: two records"));
        }
        let rel = path.strip_prefix(&prefix).unwrap();
        let file = rel.split("!/").next().unwrap().to_string();
        per_file.entry(file).or_default().push(r);
    }
    for (name, (ext, damage)) in &made {
        let recs = per_file.remove(name).unwrap_or_default();
        // A document, Office packages included, is one record; an archive one per member
        // and at most one for itself.
        let most = if *ext == "zip" { 5 } else { 1 };
        if recs.is_empty() || recs.len() > most {
            problems.push(format!("{name} ({damage:?}): {} records", recs.len()));
        }
        for r in &recs {
            let kind = kind(r);
            let status = r["status"].as_str().unwrap();
            if status == "failed" && !KINDS.contains(&kind) {
                problems.push(format!(
                    "{name} ({damage:?}): {kind}: {}",
                    r["error"]["message"]
                ));
            }
            // A cut-off Office file is damaged, not of a format nianbao does not read.
            let office = matches!(*ext, "docx" | "xlsx" | "doc");
            if office && *damage == Damage::Truncate && kind == "unsupported_format" {
                problems.push(format!("{name}: truncated, {}", r["error"]["message"]));
            }
        }
    }
    assert!(
        per_file.is_empty(),
        "records of no input: {:?}",
        per_file.keys()
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let _ = fs::remove_dir_all(&dir);
}
