//! Batch behaviour: a killed run resumed gives the same output as an uninterrupted one, shards
//! add up to the whole, paths can come from stdin, copies get the first one's record, a file
//! named in GBK is read, and the cross-document carry_over check lands in the later record.
mod common;
use common::*;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

/// `n` small text reports with distinct contents, made from the seeds.
fn many_reports(dir: &Path, n: usize) {
    let seeds: Vec<Vec<u8>> = (0..5).map(|i| fs::read(seed(i).0).unwrap()).collect();
    for i in 0..n {
        let mut text = seeds[i % 5].clone();
        text.extend_from_slice(format!("\n（附：第{i}份）\n").as_bytes());
        fs::write(dir.join(format!("r{i:04}.txt")), text).unwrap();
    }
}

fn lines(out: &Path) -> usize {
    fs::read(out.join("reports.jsonl"))
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

#[test]
fn killed_run_resumes_to_the_same_output() {
    let dir = temp_dir("resume");
    let input = dir.join("in");
    fs::create_dir_all(&input).unwrap();
    many_reports(&input, 400);
    let (inp, clean, killed) = (
        input.to_str().unwrap(),
        dir.join("clean"),
        dir.join("killed"),
    );

    let o = run(&["convert", inp, "-o", clean.to_str().unwrap(), "-j", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(lines(&clean), 400);

    let mut child = nianbao(&["convert", inp, "-o", killed.to_str().unwrap(), "-j", "2"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while lines(&killed) < 60 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run ended before it could be killed"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let done = lines(&killed);
    assert!((60..400).contains(&done), "{done} records before the kill");
    assert!(!killed.join("reports.csv").exists());

    let resume = [
        "convert",
        inp,
        "-o",
        killed.to_str().unwrap(),
        "-j",
        "2",
        "--resume",
    ];

    let o = run(&resume);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("from the previous run"),
        "{}",
        stderr(&o)
    );
    let read = |d: &Path, f: &str| fs::read(d.join(f)).unwrap();
    assert!(
        read(&clean, "reports.jsonl") == read(&killed, "reports.jsonl"),
        "resumed output differs"
    );
    assert!(read(&clean, "reports.csv") == read(&killed, "reports.csv"));

    // Resuming a finished run converts nothing and changes nothing.
    let o = run(&resume);
    assert_eq!(o.status.code(), Some(0));
    assert!(read(&clean, "reports.jsonl") == read(&killed, "reports.jsonl"));
    let _ = fs::remove_dir_all(&dir);
}

/// The fixtures' text, PDF and DOCX reports plus a copy of one, as one folder.
fn mixed(dir: &Path) {
    for sub in ["seeds", "real", "docx"] {
        for e in fs::read_dir(fixtures().join(sub)).unwrap() {
            let p = e.unwrap().path();
            if !p.to_string_lossy().ends_with(".expected.json") {
                fs::copy(
                    &p,
                    dir.join(format!(
                        "{sub}-{}",
                        p.file_name().unwrap().to_string_lossy()
                    )),
                )
                .unwrap();
            }
        }
    }
    fs::copy(seed(3).0, dir.join("zz-copy-of-seed3.txt")).unwrap();
}

/// A record line without its `carry_over` checks: they pair records of one output folder, so
/// a shard checks only the years it holds (the README says so).
fn without_carry_over(line: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    if let Some(checks) = v["checks"].as_array_mut() {
        checks.retain(|c| c["rule"] != "carry_over");
    }
    v.to_string()
}

#[test]
fn shards_add_up_to_the_whole() {
    let dir = temp_dir("shard");
    let input = dir.join("in");
    fs::create_dir_all(&input).unwrap();
    mixed(&input);
    let whole = dir.join("whole");
    let o = run(&[
        "convert",
        input.to_str().unwrap(),
        "-o",
        whole.to_str().unwrap(),
        "-j",
        "2",
    ]);
    assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
    let mut all: Vec<String> = Vec::new();
    let mut sizes = Vec::new();
    for k in 1..=3 {
        let out = dir.join(format!("shard{k}"));
        let o = run(&[
            "convert",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--shard",
            &format!("{k}/3"),
        ]);
        assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
        let text = fs::read_to_string(out.join("reports.jsonl")).unwrap();
        sizes.push(text.lines().count());
        all.extend(text.lines().map(without_carry_over));
    }
    let mut want: Vec<String> = fs::read_to_string(whole.join("reports.jsonl"))
        .unwrap()
        .lines()
        .map(without_carry_over)
        .collect();
    assert!(want.len() > 15);
    assert!(
        sizes.iter().all(|&n| n > 0),
        "every shard gets documents: {sizes:?}"
    );
    all.sort();
    want.sort();
    assert_eq!(all, want);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn paths_from_stdin_copies_and_carry_over() {
    let dir = temp_dir("stdin");
    let input = dir.join("in");
    fs::create_dir_all(&input).unwrap();
    // Seed 1 is 永安市大湖镇人民政府's 2019 report; the same text relabelled 2020 is the next
    // year's report of the same agency (its 上年结转 equals the 2019 结转下年度, both 0).
    let (s1, exp1) = seed(1);
    let text = fs::read_to_string(&s1).unwrap();
    fs::write(input.join("a-2019.txt"), &text).unwrap();
    fs::write(input.join("b-2020.txt"), text.replace("2019", "2020")).unwrap();
    fs::write(input.join("c-copy-2019.txt"), &text).unwrap();
    let paths: Vec<String> = ["a-2019.txt", "b-2020.txt", "c-copy-2019.txt"]
        .iter()
        .map(|f| input.join(f).to_string_lossy().into_owned())
        .collect();

    let out = dir.join("out");
    let o = run_stdin(
        &["convert", "-", "-o", out.to_str().unwrap()],
        &format!("{}\n", paths.join("\n")),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&out);
    assert_eq!(recs.len(), 3);
    let (a, b, c) = (&recs[0], &recs[1], &recs[2]);
    assert_eq!(a["source"]["path"], paths[0].as_str());
    assert_matches_expected(a, &exp1);
    assert_eq!(b["report"]["year"], 2020);
    let carry: Vec<&serde_json::Value> = b["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["rule"] == "carry_over")
        .collect();
    assert_eq!(carry.len(), 1, "{}", b["checks"]);
    assert_eq!(carry[0]["ok"], true);
    assert!(!a["checks"].to_string().contains("carry_over"));
    // The copy: converted once, recorded under its own path with the first one's values.
    assert_eq!(c["source"]["path"], paths[2].as_str());
    assert_eq!(c["source"]["sha256"], a["source"]["sha256"]);
    assert_eq!(c["applications"], a["applications"]);
    let w = c["warnings"].as_array().unwrap();
    assert_eq!(
        w.last().unwrap().as_str().unwrap(),
        format!("duplicate of {}", paths[0])
    );

    // The same paths given as the folder give the same output.
    let out2 = dir.join("out2");
    let o = run(&[
        "convert",
        input.to_str().unwrap(),
        "-o",
        out2.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        fs::read(out.join("reports.jsonl")).unwrap()
            == fs::read(out2.join("reports.jsonl")).unwrap()
    );
    let csv = fs::read_to_string(out.join("reports.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}source.path,"));
    assert_eq!(csv.matches("\r\n").count(), 4);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_second_run_into_the_same_folder_is_refused() {
    let dir = temp_dir("locked");
    let (s1, _) = seed(1);
    let out = dir.join("out");
    fs::create_dir_all(&out).unwrap();
    // Stands for a run in progress: it holds the lock on the log.
    let held = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(out.join("reports.jsonl"))
        .unwrap();
    fs::write(out.join("reports.jsonl"), "{\"earlier\":1}\n").unwrap();
    held.lock().unwrap();
    let o = run(&[
        "convert",
        s1.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--overwrite",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("another nianbao convert is writing to"));
    // The other run's log is untouched.
    assert_eq!(
        fs::read_to_string(out.join("reports.jsonl")).unwrap(),
        "{\"earlier\":1}\n"
    );
    drop(held);
    let o = run(&[
        "convert",
        s1.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--overwrite",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(records(&out).len(), 1);
    let _ = fs::remove_dir_all(&dir);
}

/// A copy is found whoever hashed it: a document file on disk is read and hashed by its
/// worker, an archive member by the parent, and either way the first in input order keeps
/// the record and each later copy points to it.
#[test]
fn copies_are_found_across_files_and_archive_members() {
    let dir = temp_dir("copies");
    let input = dir.join("in");
    fs::create_dir_all(input.join("0first")).unwrap();
    let a = fs::read(seed(0).0).unwrap();
    let b = fs::read(seed(2).0).unwrap();
    // Input order: 0first/b.txt, 0first/early.zip!/a.txt, a.txt, b.txt, z.zip!/a.txt,
    // z.zip!/b.txt.
    fs::write(input.join("0first/b.txt"), &b).unwrap();
    fs::write(input.join("0first/early.zip"), zip(&[(b"a.txt", &a, true)])).unwrap();
    fs::write(input.join("a.txt"), &a).unwrap();
    fs::write(input.join("b.txt"), &b).unwrap();
    let z = zip(&[(b"a.txt", &a, true), (b"b.txt", &b, false)]);
    fs::write(input.join("z.zip"), z).unwrap();
    let at = |p: &str| input.join(p).to_string_lossy().into_owned();
    let want = [
        (at("0first/b.txt"), None),
        (at("0first/early.zip") + "!/a.txt", None),
        (at("a.txt"), Some(at("0first/early.zip") + "!/a.txt")),
        (at("b.txt"), Some(at("0first/b.txt"))),
        (
            at("z.zip") + "!/a.txt",
            Some(at("0first/early.zip") + "!/a.txt"),
        ),
        (at("z.zip") + "!/b.txt", Some(at("0first/b.txt"))),
    ];
    let out = dir.join("out");
    for how in [&["-j", "1"][..], &["-j", "2"], &["--in-process"]] {
        let mut args = vec![
            "convert",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--overwrite",
        ];
        args.extend_from_slice(how);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{how:?}: {}", stderr(&o));
        let recs = records(&out);
        let got: Vec<(String, Option<String>)> = recs
            .iter()
            .map(|r| {
                let first = r["warnings"].as_array().unwrap().iter().find_map(|w| {
                    let w = w.as_str().unwrap();
                    Some(w.strip_prefix("duplicate of ")?.to_string())
                });
                (r["source"]["path"].as_str().unwrap().to_string(), first)
            })
            .collect();
        assert_eq!(got, want, "{how:?}");
        for (r, copy_of) in recs.iter().zip([0, 1, 1, 0, 1, 0]) {
            assert_eq!(r["source"]["sha256"], recs[copy_of]["source"]["sha256"]);
            assert_eq!(r["applications"], recs[copy_of]["applications"]);
        }
        assert_ne!(recs[0]["source"]["sha256"], recs[1]["source"]["sha256"]);
    }
    let _ = fs::remove_dir_all(&dir);
}

/// A file whose name is not UTF-8 (GBK, as Chinese Windows disks and zips have them) is read by
/// its worker through its own path, not through the display path, which escapes its bytes.
#[cfg(unix)]
#[test]
fn a_file_named_in_gbk_is_read_by_its_worker() {
    use std::os::unix::ffi::OsStrExt;
    let dir = temp_dir("gbk-name");
    let input = dir.join("in");
    fs::create_dir_all(&input).unwrap();
    let (s, expected) = seed(0);
    // 报告.txt in GBK.
    let name = std::ffi::OsStr::from_bytes(b"\xb1\xa8\xb8\xe6.txt");
    fs::copy(&s, input.join(name)).unwrap();
    let out = dir.join("out");
    let o = run(&[
        "convert",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&out);
    assert_eq!(recs.len(), 1);
    assert_matches_expected(&recs[0], &expected);
    // The bytes that are not UTF-8 are escaped, so that the path still names the file.
    let shown = format!("{}/\\xb1\\xa8\\xb8\\xe6.txt", input.display());
    assert_eq!(recs[0]["source"]["path"], shown.as_str());
    let _ = fs::remove_dir_all(&dir);
}
