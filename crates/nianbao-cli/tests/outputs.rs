//! The outputs people open, written by `nianbao convert`: the database holds the records'
//! values exactly, the workbook opens in LibreOffice with its Chinese headers and values, and
//! the audit page shows every document in a real browser.
mod common;
use common::*;
use rusqlite::{types::Value as Sql, Connection};
use serde_json::Value;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The fixtures converted once for every test here.
fn fixtures_out() -> &'static PathBuf {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let out = temp_dir("outputs");
        let o = run(&[
            "convert",
            fixtures().to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
        out
    })
}

fn at<'a>(r: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(r, |v, k| &v[k])
}

/// A JSON value as the database should hold it.
fn sql_of(v: &Value) -> Sql {
    match v {
        Value::Null => Sql::Null,
        Value::Number(n) => match n.as_i64() {
            Some(i) => Sql::Integer(i),
            None => Sql::Real(n.as_f64().unwrap()),
        },
        Value::String(s) => Sql::Text(s.clone()),
        Value::Bool(b) => Sql::Integer(*b as i64),
        other => panic!("not a scalar: {other}"),
    }
}

fn keys(db: &Connection) -> Vec<String> {
    let mut q = db
        .prepare("SELECT key FROM keys ORDER BY position")
        .unwrap();
    q.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn database_holds_every_value_of_every_record() {
    let out = fixtures_out();
    let recs = records(out);
    let db = Connection::open(out.join("reports.sqlite")).unwrap();
    let keys = keys(&db);
    assert_eq!(keys.len(), 226);
    let n: i64 = db
        .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n as usize, recs.len());
    let mut cell = db
        .prepare(
            "SELECT value, raw, page, sheet, table_no, row_no, col_no, line FROM cells WHERE doc = ?1 AND key = ?2",
        )
        .unwrap();
    let mut shown = 0;
    for (i, r) in recs.iter().enumerate() {
        let doc = i as i64 + 1;
        type Meta = (String, String, Option<String>, Option<i64>, i64);
        let (path, status, agency, year, failed): Meta = db
            .query_row(
                "SELECT path, status, agency, year, failed_checks FROM documents WHERE doc = ?1",
                [doc],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                },
            )
            .unwrap();
        let checks = r["checks"].as_array().unwrap();
        let failed_want = checks.iter().filter(|c| c["ok"] == false).count();
        assert_eq!(failed as usize, failed_want, "{path} failed checks");
        assert_eq!(path, r["source"]["path"].as_str().unwrap());
        assert_eq!(status, r["status"].as_str().unwrap());
        assert_eq!(agency.as_deref(), r["report"]["agency"].as_str());
        assert_eq!(year, r["report"]["year"].as_i64());
        for key in &keys {
            let want = sql_of(at(r, key));
            type Row = (Sql, Option<String>, [Sql; 6]);
            let got: Option<Row> = cell
                .query_row([&Sql::Integer(doc), &Sql::Text(key.clone())], |row| {
                    let place = [
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                        row.get(6)?,
                        row.get(7)?,
                    ];
                    Ok((row.get(0)?, row.get(1)?, place))
                })
                .ok();
            match (&want, got) {
                (Sql::Null, None) => {}
                (_, Some((v, raw, place))) => {
                    assert_eq!(v, want, "{path} {key}");
                    let prov = &r["provenance"][key.as_str()];
                    let want_place =
                        ["page", "sheet", "table", "row", "col", "line"].map(|f| sql_of(&prov[f]));
                    assert_eq!(place, want_place, "{path} {key} provenance");
                    if let Some(stem) = key.strip_suffix("_wan") {
                        let raw_want = at(r, &format!("{stem}_raw")).as_str();
                        assert_eq!(raw.as_deref(), raw_want, "{path} {key} raw");
                    }
                    shown += 1;
                }
                (_, None) => panic!("{path} {key}: {want:?} missing from the database"),
            }
        }
        let checks: Vec<(String, bool, String)> = db
            .prepare("SELECT rule, ok, detail FROM checks WHERE doc = ?1 ORDER BY rowid")
            .unwrap()
            .query_map([doc], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let want: Vec<(String, bool, String)> = r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["rule"].as_str().unwrap().to_string(),
                    c["ok"].as_bool().unwrap(),
                    c["detail"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(checks, want, "{path}");
        let warnings: i64 = db
            .query_row("SELECT count(*) FROM warnings WHERE doc = ?1", [doc], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(warnings as usize, r["warnings"].as_array().unwrap().len());
    }
    assert!(shown > 2000, "{shown} values compared");
}

/// A query by key reads the cells of that key through the primary key (one seek per
/// document, as the statistics the writer stores allow), not the whole table.
#[test]
fn a_query_by_key_seeks_instead_of_reading_every_cell() {
    let db = Connection::open(fixtures_out().join("reports.sqlite")).unwrap();
    let plan: Vec<String> = db
        .prepare("EXPLAIN QUERY PLAN SELECT value FROM cells WHERE key = 'applications.new.total'")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        plan.iter()
            .any(|p| p.contains("SEARCH c USING PRIMARY KEY")),
        "{plan:?}"
    );
}

/// Every document that has a hand-checked `<stem>.expected.json` is found by its path in the
/// `wide` view, with the values a person read off it.
#[test]
fn wide_view_shows_the_hand_checked_values() {
    let out = fixtures_out();
    let db = Connection::open(out.join("reports.sqlite")).unwrap();
    let mut checked = 0;
    for dir in ["real", "seeds", "pdf", "docx", "html"] {
        for entry in fs::read_dir(fixtures().join(dir)).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            let Some(stem) = name.strip_suffix(".expected.json") else {
                continue;
            };
            let expected: Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
            // The document beside it with the same stem (its text copies have other stems).
            let doc = fs::read_dir(fixtures().join(dir))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .find(|f| {
                    f.strip_prefix(stem)
                        .is_some_and(|rest| rest.starts_with('.') && rest.matches('.').count() == 1)
                        && !f.ends_with(".json")
                })
                .unwrap();
            let path = format!("fixtures/{dir}/{doc}");
            let full = fixtures().join(dir).join(&doc);
            let cells = expected["cells"].as_object().unwrap();
            let cols: Vec<String> = cells.keys().map(|k| format!("\"{k}\"")).collect();
            let sql = format!(
                "SELECT {} FROM wide WHERE path = ?1 OR path = ?2",
                cols.join(", ")
            );
            let row: Vec<Sql> = db
                .query_row(&sql, [&path, &full.to_string_lossy().into_owned()], |r| {
                    (0..cols.len()).map(|i| r.get(i)).collect()
                })
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            let want: HashMap<&String, Sql> = cells.iter().map(|(k, v)| (k, sql_of(v))).collect();
            for ((k, _), got) in cells.iter().zip(row) {
                let w = &want[k];
                let same = match (w, &got) {
                    (Sql::Integer(a), Sql::Real(b)) | (Sql::Real(b), Sql::Integer(a)) => {
                        *a as f64 == *b
                    }
                    _ => *w == got,
                };
                assert!(same, "{path} {k}: database {got:?}, checked by hand {w:?}");
                checked += 1;
            }
        }
    }
    assert!(checked > 1500, "{checked} cells compared");
}

/// Runs a program if it is installed; None (with a message) where it is absent.
fn installed(program: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        eprintln!("skipped: {program} is not installed");
    }
    found
}

/// The sheets of `xlsx` as LibreOffice reads them: each converted to CSV (UTF-8) by `soffice
/// --headless`, by sheet name. None where LibreOffice is not installed.
fn sheets_by_libreoffice(xlsx: &Path) -> Option<HashMap<String, Vec<Vec<String>>>> {
    let soffice = installed("soffice")?;
    let dir = temp_dir("soffice");
    // Its own profile, so that another LibreOffice running does not take the conversion.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    let o = Command::new(soffice)
        .args([
            &profile,
            "--headless",
            "--convert-to",
            // Comma, double quote, UTF-8, from line 1, …, the last token -1: every sheet.
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            dir.to_str().unwrap(),
            xlsx.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let stem = xlsx.file_stem().unwrap().to_str().unwrap();
    let mut sheets = HashMap::new();
    for e in fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if let Some(sheet) = name
            .strip_prefix(&format!("{stem}-"))
            .and_then(|n| n.strip_suffix(".csv"))
        {
            let text = fs::read_to_string(dir.join(&name)).unwrap();
            sheets.insert(sheet.to_string(), parse_csv(&text));
        }
    }
    Some(sheets)
}

/// RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// A cell's text as LibreOffice shows a JSON value (blank for null).
fn shown(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => {
                let f = n.as_f64().unwrap();
                if f.fract() == 0.0 {
                    format!("{f:.0}")
                } else {
                    f.to_string()
                }
            }
        },
        other => other.as_str().unwrap().to_string(),
    }
}

#[test]
fn workbook_opens_in_libreoffice_with_every_value_and_the_chinese_headers() {
    let out = fixtures_out();
    let Some(sheets) = sheets_by_libreoffice(&out.join("reports.xlsx")) else {
        return;
    };
    let recs = records(out);
    let summary = &sheets["汇总"];
    assert_eq!(summary.len(), recs.len() + 1);
    assert_eq!(summary[0][..4], ["序号", "来源路径", "机关", "年度"]);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(summary[i + 1][1], r["source"]["path"].as_str().unwrap());
        assert_eq!(summary[i + 1][6], r["status"].as_str().unwrap());
    }
    // The form's labels, as printed on the national form (typed here from the form).
    let table3 = &sheets["表三"];
    let col = table3[3]
        .iter()
        .position(|k| k == "applications.denied.state_secret.enterprise")
        .unwrap();
    assert_eq!(table3[0][col], "三、收到和处理政府信息公开申请情况");
    assert_eq!(table3[1][col], "三 / （三）不予公开 / 1.属于国家秘密");
    assert_eq!(table3[2][col], "法人或其他组织 / 商业企业");
    let table2 = &sheets["表二"];
    let col = table2[3]
        .iter()
        .position(|k| k == "active.fees.amount_wan")
        .unwrap();
    assert_eq!(table2[1][col], "行政事业性收费");
    assert_eq!(table2[2][col], "本年收费金额（单位：万元，保留4位小数）");
    assert_eq!(sheets["表四"][1][5], "行政复议");
    assert_eq!(sheets["表四"][2][5], "结果维持");
    // Every value of every document, cell by cell.
    let mut compared = 0;
    for name in ["表二", "表三", "表四"] {
        let sheet = &sheets[name];
        assert_eq!(sheet.len(), recs.len() + 4, "{name}");
        for (i, r) in recs.iter().enumerate() {
            let row = &sheet[i + 4];
            assert_eq!(row[1], r["source"]["path"].as_str().unwrap());
            for (c, key) in sheet[3].iter().enumerate().skip(5) {
                let want = shown(at(r, key));
                let got = row.get(c).map(String::as_str).unwrap_or("");
                assert_eq!(got, want, "{name} {} {key}", row[1]);
                compared += 1;
            }
        }
    }
    assert_eq!(compared, recs.len() * 226);
}

/// Texts that a spreadsheet would take for formulas stay texts.
#[test]
fn workbook_text_that_looks_like_a_formula_stays_text() {
    let dir = temp_dir("formula");
    let record = serde_json::json!({
        "source": {"path": "=1+1", "format": "txt"},
        "status": "partial",
        "report": {"agency": "+2+3", "year": 2021, "title": "@SUM(A1)", "template": "2021"},
        "error": {"kind": "-4+5", "message": "=HYPERLINK(\"http://example.invalid\")"},
        "applications": {"new": {"total": 7}},
        "checks": [], "warnings": [], "provenance": {}
    });
    fs::write(dir.join("reports.jsonl"), format!("{record}\n")).unwrap();
    let o = run(&["outputs", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let Some(sheets) = sheets_by_libreoffice(&dir.join("reports.xlsx")) else {
        return;
    };
    let row = &sheets["汇总"][1];
    assert_eq!(row[1], "=1+1");
    assert_eq!(row[2], "+2+3");
    assert_eq!(row[7], "-4+5");
    assert_eq!(row[8], "=HYPERLINK(\"http://example.invalid\")");
    assert_eq!(row[10], "@SUM(A1)");
    assert_eq!(row[11], "7");
}

/// The page as Chromium has drawn it (`--dump-dom`, after its script ran). None where Chromium
/// is not installed.
fn dom_by_chromium(page: &Path, hash: &str) -> Option<String> {
    let chromium = installed("chromium")?;
    let profile = temp_dir("chromium");
    let o = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &format!("file://{}{hash}", page.display()),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    Some(String::from_utf8(o.stdout).unwrap())
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A cell of the document drawn in the page.
struct Drawn {
    class: String,
    title: String,
    text: String,
}

/// The cells of the document drawn in the page, by key.
fn drawn_cells(dom: &str) -> HashMap<String, Drawn> {
    let mut out = HashMap::new();
    for piece in dom.split("<td class=\"").skip(1) {
        let Some((class, rest)) = piece.split_once('"') else {
            continue;
        };
        let Some(rest) = rest.strip_prefix(" data-key=\"") else {
            continue;
        };
        let (key, rest) = rest.split_once('"').unwrap();
        let rest = rest.strip_prefix(" title=\"").unwrap();
        let (title, rest) = rest.split_once('"').unwrap();
        let text = rest
            .split_once('>')
            .unwrap()
            .1
            .split_once("</td>")
            .unwrap()
            .0;
        let drawn = Drawn {
            class: class.to_string(),
            title: title.to_string(),
            text: text.to_string(),
        };
        out.insert(key.to_string(), drawn);
    }
    out
}

/// A value's provenance in the record, spelled out as the page shows it on hover.
fn provenance_text(prov: &Value) -> String {
    let parts: Vec<String> = [
        ("page", "page"),
        ("sheet", "sheet"),
        ("table", "table"),
        ("row", "row"),
        ("col", "column"),
        ("line", "line"),
    ]
    .iter()
    .filter_map(|(field, name)| match &prov[*field] {
        Value::Null => None,
        Value::String(s) => Some(format!("{name} {}", html_escape(s))),
        v => Some(format!("{name} {v}")),
    })
    .collect();
    format!("read at {}", parts.join(", "))
}

/// Every value drawn says on hover where the record says it was read (the page writes these
/// places relative to each other, and its script spells them out again).
fn assert_drawn_provenance(cells: &HashMap<String, Drawn>, record: &Value) -> usize {
    let mut compared = 0;
    for (key, prov) in record["provenance"].as_object().unwrap() {
        if at(record, key).is_null() {
            continue;
        }
        let title = &cells[key.as_str()].title;
        let want = format!("{key}\n{}", provenance_text(prov));
        assert!(
            title == &want || title.starts_with(&format!("{want}\n")),
            "{key}: {title:?}, want {want:?}"
        );
        compared += 1;
    }
    compared
}

/// The record whose source path ends so, and its number in the page.
fn record_ending<'a>(recs: &'a [Value], end: &str) -> (usize, &'a Value) {
    let i = recs
        .iter()
        .position(|r| r["source"]["path"].as_str().unwrap().ends_with(end))
        .unwrap();
    (i + 1, &recs[i])
}

#[test]
fn audit_page_shows_every_document_in_a_browser() {
    let out = fixtures_out();
    let Some(dom) = dom_by_chromium(&out.join("audit.html"), "") else {
        return;
    };
    let recs = records(out);
    // Rows drawn (the script's own text has the pattern too, followed by `${`).
    let rows = dom
        .split("<tr data-i=\"")
        .skip(1)
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        .count();
    assert_eq!(rows, recs.len());
    for r in &recs {
        let path = html_escape(r["source"]["path"].as_str().unwrap());
        assert!(
            dom.contains(&format!("<td class=\"path\">{path}</td>")),
            "{path} not in the page"
        );
    }
    assert!(dom.contains(&format!("{} / {}", recs.len(), recs.len())));
    // The charts count the documents by status.
    let failed = recs.iter().filter(|r| r["status"] == "failed").count();
    assert!(dom.contains(&format!("<title>failed: {failed}</title>")));
}

/// A real report opened in the page: every value a person read off it, null apart from 0,
/// and the cells of its failed 行政复议 total (the report prints 总计 0 beside 10+1 cases) red.
#[test]
fn audit_page_draws_a_documents_tables_with_its_failed_cells() {
    let out = fixtures_out();
    let recs = records(out);
    let (n, record) = record_ending(&recs, "real/hongze-2023.pdf");
    let Some(dom) = dom_by_chromium(&out.join("audit.html"), &format!("#doc-{n}")) else {
        return;
    };
    let cells = drawn_cells(&dom);
    let expected: Value = serde_json::from_str(
        &fs::read_to_string(fixtures().join("real/hongze-2023.expected.json")).unwrap(),
    )
    .unwrap();
    let mut compared = 0;
    for (key, want) in expected["cells"].as_object().unwrap() {
        let Some(Drawn { class, text, .. }) = cells.get(key) else {
            // A key of the other template is not drawn unless the document shows it.
            assert!(want.is_null(), "{key} not drawn");
            continue;
        };
        if want.is_null() {
            assert_eq!(text, "—", "{key}");
            assert!(class.contains("null"), "{key}: {class}");
        } else {
            assert_eq!(*text, shown(want), "{key}");
            assert!(!class.contains("null"), "{key}: {class}");
        }
        compared += 1;
    }
    assert!(compared > 150, "{compared}");
    // 行政复议: 结果维持 10, 结果纠正 1, 总计 0 as printed: the group's five cells are red.
    for k in ["upheld", "corrected", "other", "pending", "total"] {
        let class = &cells[&format!("appeals.review.{k}")].class;
        assert!(class.contains("fail"), "appeals.review.{k}: {class}");
    }
    assert_eq!(cells["appeals.review.upheld"].text, "10");
    assert_eq!(cells["appeals.review.total"].text, "0");
    let class = &cells["appeals.litigation_direct.total"].class;
    assert!(!class.contains("fail"), "{class}");
    assert!(dom.contains("review: upheld+corrected+other+pending = 11, total says 0"));
    // Where each value was read, on hover.
    assert!(dom.contains("data-key=\"applications.new.natural_person\" title=\"applications.new.natural_person\nread at page "));
    assert!(assert_drawn_provenance(&cells, record) > 150);
    // Its next year's report is in the batch: the agency's years, carry-over compared.
    assert!(dom.contains("同一机关的各年度"));
}

/// A workbook's values are placed by sheet, row and column: the page shows each as read.
#[test]
fn audit_page_shows_where_a_workbooks_values_were_read() {
    let out = fixtures_out();
    let recs = records(out);
    let (n, record) = record_ending(&recs, "xlsx/baihe-2022.xlsx");
    let Some(dom) = dom_by_chromium(&out.join("audit.html"), &format!("#doc-{n}")) else {
        return;
    };
    let cells = drawn_cells(&dom);
    assert!(assert_drawn_provenance(&cells, record) > 150);
    assert!(dom.contains("read at sheet "));
}

fn paths_in_database(dir: &Path) -> Vec<String> {
    let db = Connection::open(dir.join("reports.sqlite")).unwrap();
    let mut q = db
        .prepare("SELECT path FROM documents ORDER BY doc")
        .unwrap();
    let mut paths: Vec<String> = q
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    paths.sort();
    paths
}

/// Each shard's outputs hold its own documents; concatenating the shards' logs and running
/// `nianbao outputs` gives the outputs of the whole; a resumed run's outputs hold every record.
#[test]
fn outputs_follow_shards_merges_and_resumed_runs() {
    let dir = temp_dir("outputs-shards");
    let input = fixtures().join("seeds");
    let input = input.to_str().unwrap();
    let whole = dir.join("whole");
    let o = run(&["convert", input, "-o", whole.to_str().unwrap()]);
    assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
    let want = paths_in_database(&whole);
    assert_eq!(want.len(), records(&whole).len());
    let merged = dir.join("merged");
    fs::create_dir_all(&merged).unwrap();
    let mut log = String::new();
    for k in 1..=2 {
        let out = dir.join(format!("shard{k}"));
        let o = run(&[
            "convert",
            input,
            "-o",
            out.to_str().unwrap(),
            "--shard",
            &format!("{k}/2"),
        ]);
        assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
        assert_eq!(paths_in_database(&out).len(), records(&out).len());
        log.push_str(&fs::read_to_string(out.join("reports.jsonl")).unwrap());
    }
    fs::write(merged.join("reports.jsonl"), log).unwrap();
    let o = run(&["outputs", merged.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(paths_in_database(&merged), want);
    for f in ["audit.html", "reports.xlsx", "keys.csv"] {
        assert!(merged.join(f).is_file(), "{f}");
    }
    // Resumed over a finished run: nothing is converted again, the outputs hold every record.
    fs::remove_file(whole.join("reports.sqlite")).unwrap();
    let o = run(&["convert", input, "-o", whole.to_str().unwrap(), "--resume"]);
    assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
    assert_eq!(paths_in_database(&whole), want);
}

fn documents_in_database(dir: &Path) -> i64 {
    let db = Connection::open(dir.join("reports.sqlite")).unwrap();
    db.query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap()
}

/// The outputs are written as the log is read: memory does not grow with the number of
/// records (the whole log and every record held at once took 1.2 GB for 10,000 records).
#[test]
fn outputs_of_many_records_keep_memory_flat() {
    let dir = temp_dir("outputs-many");
    let log = fs::read_to_string(fixtures_out().join("reports.jsonl")).unwrap();
    let copies = 1500 / log.lines().count() + 1;
    fs::write(dir.join("reports.jsonl"), log.repeat(copies)).unwrap();
    let n = (log.lines().count() * copies) as i64;
    let Some((o, kb)) = peak_rss_kb(&["outputs", dir.to_str().unwrap()]) else {
        return;
    };
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(documents_in_database(&dir), n);
    let log_kb = fs::metadata(dir.join("reports.jsonl")).unwrap().len() / 1024;
    eprintln!("{n} records ({log_kb} kB of log): peak RSS {kb} kB");
    assert!(kb < 64 * 1024, "peak RSS {kb} kB for {n} records");
}

/// A line of the log that is not a record stops `nianbao outputs` with an error naming the
/// line, and leaves the outputs as they were: no writer puts in place the part of an output
/// it had written from the records before that line.
#[test]
fn a_line_that_is_not_a_record_leaves_the_outputs_as_they_were() {
    let dir = temp_dir("outputs-bad-line");
    let log = fs::read_to_string(fixtures_out().join("reports.jsonl")).unwrap();
    let n = log.lines().count();
    fs::write(dir.join("reports.jsonl"), &log).unwrap();
    let o = run(&["outputs", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before: Vec<Vec<u8>> = ["audit.html", "reports.xlsx", "keys.csv"]
        .iter()
        .map(|f| fs::read(dir.join(f)).unwrap())
        .collect();
    // Past the first batch of records, so that every writer has begun.
    let mut bad = log.repeat(3);
    bad.push_str("{\"source\": \n");
    bad.push_str(&log);
    fs::write(dir.join("reports.jsonl"), bad).unwrap();
    let o = run(&["outputs", dir.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains(&format!("line {}", 3 * n + 1)),
        "{}",
        stderr(&o)
    );
    assert_eq!(documents_in_database(&dir), n as i64);
    for (f, was) in ["audit.html", "reports.xlsx", "keys.csv"]
        .iter()
        .zip(&before)
    {
        assert!(fs::read(dir.join(f)).unwrap() == *was, "{f} was rewritten");
    }
    let left: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
