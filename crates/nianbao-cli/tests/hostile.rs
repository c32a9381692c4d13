//! Hostile and broken inputs beside good ones: every file gets the right record, the good ones
//! convert, the run ends by itself with flat memory, and dying workers cost one document.
mod common;
use common::*;
use std::fs;
use std::path::Path;

/// GBK bytes of `报告.txt`.
const GBK_REPORT_TXT: &[u8] = b"\xb1\xa8\xb8\xe6.txt";

/// Writes the crafted inputs next to two good reports; returns the folder.
fn crafted(dir: &Path) {
    let (seed0, _) = seed(0);
    let (seed1, _) = seed(1);
    let (seed2, _) = seed(2);
    fs::copy(&seed0, dir.join("good-seed.txt")).unwrap();
    fs::copy(
        fixtures().join("real/hongze-2023.pdf"),
        dir.join("good-hongze-2023.pdf"),
    )
    .unwrap();
    fs::write(dir.join("empty.pdf"), b"").unwrap();
    let pdf = fs::read(fixtures().join("real/hongze-2023.pdf")).unwrap();
    fs::write(dir.join("truncated.pdf"), &pdf[..pdf.len() / 2]).unwrap();
    // Deterministic noise (an LCG): no format signature.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..20_000)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 56) as u8
        })
        .collect();
    fs::write(dir.join("random.pdf"), &noise).unwrap();
    fs::write(dir.join("random.docx"), &noise[1000..]).unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0".to_vec();
    png.extend_from_slice(&noise[..500]);
    fs::write(dir.join("image.pdf"), png).unwrap();
    fs::copy(
        fixtures().join("pdf/bad/encrypted.pdf"),
        dir.join("encrypted.pdf"),
    )
    .unwrap();
    let zeros = vec![0u8; 64 << 20];
    fs::write(dir.join("bomb.zip"), zip(&[(b"zeros.txt", &zeros, true)])).unwrap();
    drop(zeros);
    let mut nested = zip(&[(b"seed.txt", &fs::read(&seed1).unwrap(), true)]);
    for level in (1..20).rev() {
        nested = zip(&[(format!("level{level}.zip").as_bytes(), &nested, false)]);
    }
    fs::write(dir.join("nested.zip"), nested).unwrap();
    let types = br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>"#;
    fs::write(
        dir.join("nobody.docx"),
        zip(&[(b"[Content_Types].xml", types, true)]),
    )
    .unwrap();
    fs::write(
        dir.join("poem.txt"),
        "静夜思\n\n床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n".repeat(3),
    )
    .unwrap();
    fs::write(
        dir.join("gbk-names.zip"),
        zip(&[(GBK_REPORT_TXT, &fs::read(&seed2).unwrap(), true)]),
    )
    .unwrap();
}

#[test]
fn crafted_files_each_get_the_right_record() {
    let dir = temp_dir("crafted");
    let input = dir.join("in");
    fs::create_dir_all(&input).unwrap();
    crafted(&input);
    let out = dir.join("out");
    let args = [
        "convert",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-j",
        "2",
    ];
    let start = std::time::Instant::now();
    let (o, peak_kb) = match peak_rss_kb(&args) {
        Some((o, kb)) => (o, Some(kb)),
        None => (run(&args), None),
    };
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "crafted run: {secs:.2} s, peak RSS {peak_kb:?} kB\n{}",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(1), "some documents failed: exit 1");
    if let Some(kb) = peak_kb {
        assert!(kb < 1 << 20, "peak RSS {kb} kB ≥ 1 GiB");
    }
    let recs = records(&out);
    let failed = |suffix: &str, want: &str| {
        let r = record(&recs, suffix);
        assert_eq!(r["status"], "failed", "{suffix}: {r}");
        assert_eq!(kind(r), want, "{suffix}: {}", r["error"]);
    };
    failed("empty.pdf", "empty");
    failed("truncated.pdf", "corrupt");
    failed("random.pdf", "unsupported_format");
    failed("random.docx", "unsupported_format");
    // A PNG signature followed by noise: the image adapter claims it and finds it damaged.
    failed("image.pdf", "corrupt");
    failed("encrypted.pdf", "encrypted");
    failed("bomb.zip!/zeros.txt", "too_large");
    failed("level7.zip!/level8.zip", "too_large");
    // No adapter claims an OOXML package without word/, xl/ or ppt/ parts.
    failed("nobody.docx", "corrupt");
    failed("poem.txt", "not_a_report");
    assert!(record(&recs, "level8.zip")["error"]["message"]
        .as_str()
        .unwrap()
        .contains("max_depth"));

    let (_, exp0) = seed(0);
    let (_, exp2) = seed(2);
    assert_matches_expected(record(&recs, "good-seed.txt"), &exp0);
    let gbk = record(&recs, "gbk-names.zip!/报告.txt");
    assert_ne!(gbk["status"], "failed");
    assert_matches_expected(gbk, &exp2);
    let hongze = record(&recs, "good-hongze-2023.pdf");
    assert_eq!(hongze["status"], "ok");
    assert_matches_expected(hongze, &fixtures().join("real/hongze-2023.expected.json"));
    // Every record is in order and the CSV has one row per record.
    let paths: Vec<&str> = recs
        .iter()
        .map(|r| r["source"]["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    let csv = fs::read_to_string(out.join("reports.csv")).unwrap();
    assert_eq!(csv.matches("\r\n").count(), recs.len() + 1);
    let summary = stderr(&o);
    assert!(
        summary.contains(&format!("{} documents", recs.len())),
        "{summary}"
    );

    // The same batch with one worker, and in-process, writes the same bytes.
    let out1 = dir.join("out1");
    let o1 = run(&[
        "convert",
        input.to_str().unwrap(),
        "-o",
        out1.to_str().unwrap(),
        "-j",
        "1",
    ]);
    assert_eq!(o1.status.code(), Some(1));
    let jsonl = |d: &Path| fs::read(d.join("reports.jsonl")).unwrap();
    assert!(jsonl(&out) == jsonl(&out1), "--jobs 1 and --jobs 2 differ");
    let out3 = dir.join("out3");
    let o3 = run(&[
        "convert",
        input.to_str().unwrap(),
        "-o",
        out3.to_str().unwrap(),
        "-j",
        "2",
        "--in-process",
    ]);
    assert_eq!(o3.status.code(), Some(1));
    assert!(
        jsonl(&out) == jsonl(&out3),
        "--in-process differs from workers"
    );
    let _ = fs::remove_dir_all(&dir);
}

/// Debug builds honour NIANBAO_TEST_CRASH in workers (see src/worker.rs): a real abort, a real
/// stack overflow and an endless loop, each on one document; and output to stdout, which
/// costs nothing.
#[cfg(debug_assertions)]
#[test]
fn dying_and_hanging_workers_cost_one_document_each() {
    let dir = temp_dir("crash");
    let input = dir.join("in");
    fs::create_dir_all(&input).unwrap();
    let mut crash = Vec::new();
    for (i, what) in ["abort", "good", "overflow", "good", "hang", "good", "print"]
        .iter()
        .enumerate()
    {
        let (s, _) = seed(i % 5);
        let mut text = fs::read(&s).unwrap();
        text.extend_from_slice(format!("\n（第{i}份）\n").as_bytes());
        fs::write(input.join(format!("{i}-{what}.txt")), &text).unwrap();
        if *what != "good" {
            crash.push(format!("{}:{what}", nianbao_sources::sha256_hex(&text)));
        }
    }
    let out = dir.join("out");
    for jobs in ["1", "2"] {
        let start = std::time::Instant::now();
        let o = nianbao(&[
            "convert",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--overwrite",
            "-j",
            jobs,
            "--timeout",
            "2",
        ])
        .env("NIANBAO_TEST_CRASH", crash.join(","))
        .output()
        .unwrap();
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(secs < 30.0, "took {secs} s");
        let recs = records(&out);
        assert_eq!(recs.len(), 7);
        let abort = record(&recs, "0-abort.txt");
        assert_eq!(kind(abort), "internal");
        assert!(
            abort["error"]["message"]
                .as_str()
                .unwrap()
                .contains("signal 6"),
            "{}",
            abort["error"]
        );
        let overflow = record(&recs, "2-overflow.txt");
        assert_eq!(kind(overflow), "internal");
        assert!(
            overflow["error"]["message"]
                .as_str()
                .unwrap()
                .contains("overflowed its stack"),
            "{}",
            overflow["error"]
        );
        let hang = record(&recs, "4-hang.txt");
        assert_eq!(kind(hang), "timeout");
        assert_eq!(hang["source"]["format"], "txt");
        for good in ["1-good.txt", "3-good.txt", "5-good.txt", "6-print.txt"] {
            assert_ne!(record(&recs, good)["status"], "failed", "{good}");
        }
        // Failed documents keep their hash, so --resume and --shard treat them like others.
        assert_eq!(hang["source"]["sha256"].as_str().unwrap().len(), 64);
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn usage_errors_exit_2() {
    let dir = temp_dir("usage");
    let d = dir.to_str().unwrap();
    assert_eq!(run(&["convert", d]).status.code(), Some(2), "missing --out");
    assert_eq!(
        run(&["convert", d, "-o", d, "--shard", "4/3"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["convert", d, "-o", d, "--jobs", "0"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(&["convert", d, "-o", d, "--timeout", "soon"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["convert", "--no-such-flag"]).status.code(), Some(2));
    let _ = fs::remove_dir_all(&dir);
}
