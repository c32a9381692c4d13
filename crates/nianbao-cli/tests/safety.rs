//! Data safety: results already in the output folder are never lost by accident, CSV cells
//! never start a formula, I/O failures have their own exit code.
mod common;
use common::*;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

/// What a finished run leaves in its folder, sorted: no work file, no hidden folder.
const RESULTS: [&str; 6] = [
    "audit.html",
    "keys.csv",
    "reports.csv",
    "reports.jsonl",
    "reports.sqlite",
    "reports.xlsx",
];

fn read(dir: &Path, name: &str) -> Vec<u8> {
    fs::read(dir.join(name)).unwrap()
}

fn lines(path: &Path) -> usize {
    fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// The files of `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `--only-records` writes the log and the CSV alone, and a replacing or resumed run with it
/// takes away the previous run's audit page, workbook, database and codebook, which would no
/// longer describe the records beside them.
#[test]
fn a_run_of_records_only_leaves_no_outputs_of_older_records() {
    let dir = temp_dir("only-records");
    let out = dir.join("out");
    let o_ = out.to_str().unwrap();
    let (s1, _) = seed(1);
    let (s2, _) = seed(2);
    let o = run(&["convert", s1.to_str().unwrap(), "-o", o_, "--only-records"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(listing(&out), ["reports.csv", "reports.jsonl"]);
    let o = run(&["convert", s1.to_str().unwrap(), "-o", o_, "--overwrite"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(listing(&out), RESULTS);
    let o = run(&[
        "convert",
        s2.to_str().unwrap(),
        "-o",
        o_,
        "--overwrite",
        "--only-records",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(listing(&out), ["reports.csv", "reports.jsonl"]);
    assert_eq!(records(&out)[0]["source"]["path"], s2.to_str().unwrap());
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn results_already_there_are_refused_or_replaced_once_the_new_run_has_finished() {
    let dir = temp_dir("existing");
    let out = dir.join("out");
    let o_ = out.to_str().unwrap();
    let (s1, _) = seed(1);
    let (s2, _) = seed(2);
    let o = run(&["convert", s1.to_str().unwrap(), "-o", o_]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (jsonl1, csv1) = (read(&out, "reports.jsonl"), read(&out, "reports.csv"));

    // A plain second run is refused and changes nothing.
    let o = run(&["convert", s2.to_str().unwrap(), "-o", o_]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--overwrite"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("already holds results"),
        "{}",
        stderr(&o)
    );
    assert_eq!(read(&out, "reports.jsonl"), jsonl1);
    assert_eq!(read(&out, "reports.csv"), csv1);

    // A replacing run killed half-way leaves the old results whole.
    let input = dir.join("many");
    fs::create_dir_all(&input).unwrap();
    let text = fs::read(&s2).unwrap();
    for i in 0..400 {
        let mut t = text.clone();
        t.extend_from_slice(format!("\n（附：第{i}份）\n").as_bytes());
        fs::write(input.join(format!("r{i:04}.txt")), t).unwrap();
    }
    let mut child = nianbao(&[
        "convert",
        input.to_str().unwrap(),
        "-o",
        o_,
        "-j",
        "2",
        "--overwrite",
    ])
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let staged = out.join(".nianbao-replacing/reports.jsonl");
    let start = Instant::now();
    while lines(&staged) < 40 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(child.try_wait().unwrap().is_none(), "ended before the kill");
    assert_eq!(
        read(&out, "reports.jsonl"),
        jsonl1,
        "replaced before the end"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(read(&out, "reports.jsonl"), jsonl1);
    assert_eq!(read(&out, "reports.csv"), csv1);

    // --overwrite replaces both files.
    let o = run(&["convert", s2.to_str().unwrap(), "-o", o_, "--overwrite"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&out);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["source"]["path"], s2.to_str().unwrap());
    let csv = String::from_utf8(read(&out, "reports.csv")).unwrap();
    assert_eq!(csv.matches("\r\n").count(), 2);
    assert!(csv.contains(s2.to_str().unwrap()));
    assert_eq!(listing(&out), RESULTS, "nothing but the results is left");

    // --resume keeps them and adds what they lack.
    let o = run(&[
        "convert",
        s1.to_str().unwrap(),
        s2.to_str().unwrap(),
        "-o",
        o_,
        "--resume",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(records(&out).len(), 2);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn out_naming_a_file_is_not_a_directory() {
    let dir = temp_dir("outfile");
    let file = dir.join("out.txt");
    fs::write(&file, "mine").unwrap();
    let (s1, _) = seed(1);
    let o = run(&[
        "convert",
        s1.to_str().unwrap(),
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a directory"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
    let _ = fs::remove_dir_all(&dir);
}

/// A file whose name is a formula: the CSV cell shows it as text, the JSONL keeps it exact.
#[test]
fn a_formula_file_name_is_text_in_the_csv() {
    let dir = temp_dir("formula");
    let name = "=cmd|' -C calc'!A0.txt";
    fs::copy(seed(1).0, dir.join(name)).unwrap();
    let o = nianbao(&["convert", name, "-o", "out"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = dir.join("out");
    assert_eq!(records(&out)[0]["source"]["path"], name);
    let csv = String::from_utf8(read(&out, "reports.csv")).unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert!(row.starts_with("'=cmd|' -C calc'!A0.txt,"), "{row}");
    let _ = fs::remove_dir_all(&dir);
}

/// (path, error kind) of every record.
fn kinds(out: &Path) -> Vec<(String, String)> {
    records(out)
        .iter()
        .map(|r| {
            (
                r["source"]["path"].as_str().unwrap().to_string(),
                kind(r).to_string(),
            )
        })
        .collect()
}

/// A truncated or damaged Office file is one document: one record, `corrupt`, whether it is
/// on disk or inside an archive, whatever part of it was cut off.
#[test]
fn damaged_office_files_are_one_corrupt_record_each() {
    let dir = temp_dir("office");
    let input = dir.join("in");
    fs::create_dir_all(&input).unwrap();
    let fx = fixtures();
    let openpyxl = fs::read(fx.join("xlsx/bad-truncated-openpyxl.xlsx")).unwrap();
    fs::write(input.join("openpyxl.xlsx"), &openpyxl).unwrap();
    let mut want = vec!["openpyxl.xlsx".to_string()];
    for (src, ext) in [
        ("docx/qingshan-2020.docx", "docx"),
        ("xlsx/shuiting-2019.xlsx", "xlsx"),
        ("doc/donghu-2021.doc", "doc"),
    ] {
        let bytes = fs::read(fx.join(src)).unwrap();
        for cut in [700, bytes.len() / 10, bytes.len() / 2, bytes.len() - 30] {
            let name = format!("cut-{cut}.{ext}");
            fs::write(input.join(&name), &bytes[..cut]).unwrap();
            want.push(name);
        }
    }
    // The same truncated workbook inside an archive.
    fs::write(input.join("z.zip"), zip(&[(b"book.xlsx", &openpyxl, true)])).unwrap();
    want.push("z.zip!/book.xlsx".into());
    want.sort();
    let o = run(&[
        "convert",
        input.to_str().unwrap(),
        "-o",
        dir.join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let prefix = format!("{}/", input.display());
    let mut got: Vec<(String, String)> = kinds(&dir.join("out"))
        .into_iter()
        .map(|(p, k)| (p.strip_prefix(&prefix).unwrap().to_string(), k))
        .collect();
    got.sort();
    let want: Vec<(String, String)> = want.into_iter().map(|p| (p, "corrupt".into())).collect();
    assert_eq!(got, want);
    let _ = fs::remove_dir_all(&dir);
}

/// A DOCX whose `[Content_Types].xml` name is damaged (its directory still reads) is one
/// document, not an archive of its parts.
#[test]
fn a_docx_with_a_damaged_marker_is_one_record() {
    let dir = temp_dir("marker");
    let mut bytes = fs::read(fixtures().join("docx/donghu-2021.docx")).unwrap();
    let name = b"[Content_Types].xml";
    let mut hits = 0;
    for i in 0..bytes.len() - name.len() {
        if &bytes[i..i + name.len()] == name {
            bytes[i + 14] = b'z';
            hits += 1;
        }
    }
    assert_eq!(hits, 2, "local and central name");
    let file = dir.join("mutated.docx");
    fs::write(&file, &bytes).unwrap();
    let out = dir.join("out");
    let o = run(&[
        "convert",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let got = kinds(&out);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, file.to_str().unwrap());
    let _ = fs::remove_dir_all(&dir);
}

/// One bad byte in a UTF-8 report: the record is the one the intact report gives, cell by
/// cell against the hand-checked expectation, read as UTF-8 with a warning.
#[test]
fn one_bad_byte_does_not_garble_a_utf8_report() {
    let dir = temp_dir("badbyte");
    let (txt, expected) = seed(1);
    let text = fs::read_to_string(&txt).unwrap();
    let mut bytes = text.into_bytes();
    // The last byte of the first 。 (E3 80 82), in prose.
    let at = bytes.windows(3).position(|w| w == "。".as_bytes()).unwrap() + 2;
    bytes[at] = 0xFF;
    let file = dir.join("damaged.txt");
    fs::write(&file, &bytes).unwrap();
    let out = dir.join("out");
    let o = run(&[
        "convert",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let r = &records(&out)[0];
    assert_eq!(r["source"]["encoding"], "UTF-8");
    assert_matches_expected(r, &expected);
    let warned = r["warnings"].as_array().unwrap().iter();
    assert!(
        warned
            .map(|w| w.as_str().unwrap())
            .any(|w| w.contains("not valid UTF-8")),
        "{}",
        r["warnings"]
    );
    let _ = fs::remove_dir_all(&dir);
}

/// The errors of `value` against `schema`, for the keywords `nianbao schema` uses (type, enum,
/// required, properties, additionalProperties, items, minimum).
fn schema_errors(schema: &serde_json::Value, value: &serde_json::Value, at: &str) -> Vec<String> {
    use serde_json::Value;
    let mut errs = Vec::new();
    let type_ok = |t: &str| match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        other => panic!("type {other}"),
    };
    match &schema["type"] {
        Value::String(t) if !type_ok(t) => errs.push(format!("{at}: not {t}")),
        Value::Array(ts) if !ts.iter().any(|t| type_ok(t.as_str().unwrap())) => {
            errs.push(format!("{at}: not {ts:?}"))
        }
        _ => {}
    }
    if let Some(options) = schema["enum"].as_array() {
        if !options.contains(value) {
            errs.push(format!("{at}: {value} not in {options:?}"));
        }
    }
    if let (Some(min), Some(v)) = (schema["minimum"].as_f64(), value.as_f64()) {
        if v < min {
            errs.push(format!("{at}: {v} below {min}"));
        }
    }
    if let Some(obj) = value.as_object() {
        for r in schema["required"].as_array().into_iter().flatten() {
            if !obj.contains_key(r.as_str().unwrap()) {
                errs.push(format!("{at}: {r} missing"));
            }
        }
        for (k, v) in obj {
            let sub = &schema["properties"][k];
            let here = format!("{at}.{k}");
            if !sub.is_null() {
                errs.extend(schema_errors(sub, v, &here));
            } else if schema["additionalProperties"] == Value::Bool(false) {
                errs.push(format!("{here}: not in the schema"));
            } else if schema["additionalProperties"].is_object() {
                errs.extend(schema_errors(&schema["additionalProperties"], v, &here));
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, v) in list.iter().enumerate() {
            errs.extend(schema_errors(items, v, &format!("{at}[{i}]")));
        }
    }
    errs
}

/// Every record of the fixtures (all formats, failures included) is valid against `nianbao
/// schema`; a negative count outside `*.change`, a negative amount and an unknown field are not.
#[test]
fn the_schema_is_closed_and_counts_are_not_negative() {
    let dir = temp_dir("schema");
    let o = run(&["schema"]);
    assert_eq!(o.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let out = dir.join("out");
    let fx = fixtures();
    let o = run(&["convert", fx.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let recs = records(&out);
    assert!(recs.len() > 50);
    for r in &recs {
        let errs = schema_errors(&schema, r, "");
        assert!(errs.is_empty(), "{}: {errs:?}", r["source"]["path"]);
    }
    let full = recs
        .iter()
        .find(|r| r["active"]["licensing"]["decisions"].is_number())
        .expect("a record of the 2019 template with 行政许可");
    let with = |path: &[&str], v: serde_json::Value| {
        let mut r = full.clone();
        let (last, init) = path.split_last().unwrap();
        let obj = init.iter().fold(&mut r, |r, k| &mut r[*k]);
        obj[*last] = v;
        schema_errors(&schema, &r, "")
    };
    assert!(with(&["active", "licensing", "change"], (-3).into()).is_empty());
    assert_eq!(
        with(&["active", "licensing", "decisions"], (-3).into()).len(),
        1
    );
    assert_eq!(
        with(&["applications", "new", "total"], (-1).into()).len(),
        1
    );
    assert_eq!(
        with(&["active", "fees", "amount_wan"], (-0.5).into()).len(),
        1
    );
    assert_eq!(with(&["unknown"], 1.into()).len(), 1);
    assert_eq!(with(&["source", "unknown"], 1.into()).len(), 1);
    assert_eq!(with(&["applications", "new", "unknown"], 1.into()).len(), 1);
    let _ = fs::remove_dir_all(&dir);
}

/// `nianbao schema | head -c10`: the reader goes away and the command ends quietly, as `cat`
/// does, without a panic or a backtrace.
#[test]
fn printing_into_a_closed_pipe_is_quiet() {
    for args in [&["schema"][..], &["formats"]] {
        let mut child = nianbao(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .env("RUST_BACKTRACE", "1")
            .spawn()
            .unwrap();
        // Closed before the child writes anything.
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = stderr(&o);
        assert!(err.is_empty(), "{args:?}: {err}");
        assert_ne!(o.status.code(), Some(101), "{args:?} panicked");
    }
}

/// A disk that fills up mid-run (a file-size limit stands for it): exit code 3, not the 2 of
/// a usage error; no work file left behind; results already there kept whole by --overwrite.
#[cfg(unix)]
#[test]
fn a_full_disk_exits_3_and_leaves_no_work_files() {
    let dir = temp_dir("full");
    let seeds = fixtures().join("seeds");
    let full = |out: &Path, extra: &str| {
        // Writing past 64 KiB fails with EFBIG instead of killing the process.
        let script =
            format!("trap '' XFSZ; ulimit -f 64; exec \"$0\" convert \"$1\" -o \"$2\" {extra}");
        std::process::Command::new("sh")
            .args([
                "-c",
                &script,
                BIN,
                seeds.to_str().unwrap(),
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    let out = dir.join("fresh");
    let o = full(&out, "");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("File too large"), "{}", stderr(&o));
    let left: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left,
        ["reports.jsonl"],
        "only the log, which --resume continues"
    );
    assert!(
        lines(&out.join("reports.jsonl")) >= 1,
        "records were written before"
    );

    let kept = dir.join("kept");
    let (s1, _) = seed(1);
    let o = run(&[
        "convert",
        s1.to_str().unwrap(),
        "-o",
        kept.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let before = (read(&kept, "reports.jsonl"), read(&kept, "reports.csv"));
    let o = full(&kept, "--overwrite");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(
        (read(&kept, "reports.jsonl"), read(&kept, "reports.csv")),
        before
    );
    assert_eq!(listing(&kept), RESULTS);
    let _ = fs::remove_dir_all(&dir);
}

/// A zip with two entries of one name (written by Python's zipfile): two records, the second
/// with an ordinal, each the record of its own report.
#[test]
fn two_members_with_one_name_are_two_records() {
    let dir = temp_dir("same-name");
    let zip = fixtures().join("archives/same-name.zip");
    let out = dir.join("out");
    let o = run(&[
        "convert",
        zip.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let recs = records(&out);
    let paths: Vec<&str> = recs
        .iter()
        .map(|r| r["source"]["path"].as_str().unwrap())
        .collect();
    let at = zip.to_str().unwrap();
    assert_eq!(
        paths,
        [
            format!("{at}!/年报/报告.txt"),
            format!("{at}!/年报/报告.txt#2")
        ]
    );
    assert_matches_expected(&recs[0], &seed(0).1);
    assert_matches_expected(&recs[1], &seed(2).1);
    let _ = fs::remove_dir_all(&dir);
}
