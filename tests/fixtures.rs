//! Converts every fixture that has a `<stem>.expected.json` beside it with the same pipeline as
//! `nianbao convert`, and compares every expected cell and the metadata. The expected files hold
//! values a person read off the documents (see fixtures/README.md).
use nianbao_cli::convert::convert_item;
use nianbao_cli::inputs::Item;
use nianbao_core::Limits;
use nianbao_template::expected::{compare_file, scan_bar};
use nianbao_template::Key;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Every (document, expectation) pair under fixtures/: a document is any file whose stem has an
/// expected file in the same folder.
fn pairs() -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![fixtures_dir()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                // Flattened text is held to no wrong value, not to completeness: see
                // `flattened_text_never_gives_a_wrong_value`.
                if !p.ends_with("flattened") {
                    stack.push(p);
                }
                continue;
            }
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".expected.json") {
                continue;
            }
            let Some((stem, _)) = name.rsplit_once('.') else {
                continue;
            };
            let exp = dir.join(format!("{stem}.expected.json"));
            if exp.exists() {
                out.push((p, exp));
            }
        }
    }
    out
}

fn convert(path: &Path) -> nianbao_template::Record {
    let item = Item {
        path: path.to_string_lossy().into_owned(),
        data: Ok(std::fs::read(path).unwrap()),
    };
    convert_item(item, &Limits::default())
}

#[test]
fn every_fixture_matches_its_expected_values() {
    let pairs = pairs();
    assert!(
        pairs.len() >= 8,
        "fixtures not found under {}",
        fixtures_dir().display()
    );
    let mut failures = Vec::new();
    let mut total = (0, 0);
    for (doc, exp) in &pairs {
        let rec = convert(doc);
        if let Some(e) = rec
            .error
            .as_ref()
            .filter(|e| e.message.contains("not read because"))
        {
            println!("{}: skipped, {}", doc.display(), e.message);
            continue;
        }
        let score = compare_file(&rec, exp).unwrap();
        total.0 += score.right;
        total.1 += score.cells;
        let acc = score.accuracy();
        println!(
            "{}: {}/{} cells ({:.4}) status {}",
            doc.display(),
            score.right,
            score.cells,
            acc,
            rec.status.as_str()
        );
        let held = match scan_bar(doc) {
            Some(bar) => acc >= bar && score.shown_wrong == 0 && score.meta_wrong.is_empty(),
            None => score.is_perfect(),
        };
        if !held || rec.error.is_some() {
            let mut lines = vec![format!(
                "{}: {}/{} cells, error {:?}",
                doc.display(),
                score.right,
                score.cells,
                rec.error
            )];
            lines.extend(score.meta_wrong.iter().map(|m| format!("    {m}")));
            lines.extend(score.mismatches.iter().take(15).map(|m| format!("    {m}")));
            failures.push(lines.join("\n"));
        }
    }
    println!(
        "total: {}/{} cells over {} documents",
        total.0,
        total.1,
        pairs.len()
    );
    assert!(
        failures.is_empty(),
        "{} fixtures mis-converted:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn page_images_of_one_report_are_one_record_in_a_folder_and_in_a_zip() {
    // scan/pages: the three pages of the 2021 report as 报告-1.jpg … 报告-3.jpg, and the same
    // files in 扫描.zip. Each set is one document, its pages in order, scored as a scan.
    let dir = fixtures_dir().join("scan/pages");
    let items: Vec<Item> = nianbao_sources::walk(
        std::slice::from_ref(&dir),
        &nianbao_sources::Limits::default(),
    )
    .filter(|i| !i.path.ends_with(".expected.json"))
    .collect();
    let paths: Vec<&str> = items.iter().map(|i| i.path.as_str()).collect();
    let base = dir.to_string_lossy();
    assert_eq!(
        paths,
        [
            format!("{base}/扫描.zip!/报告-{{1..3}}.jpg"),
            format!("{base}/报告-{{1..3}}.jpg")
        ]
    );
    let exp = dir.join("报告-{1..3}.expected.json");
    for item in items {
        let path = item.path.clone();
        let rec = convert_item(item, &Limits::default());
        if rec
            .error
            .as_ref()
            .is_some_and(|e| e.message.contains("not read because"))
        {
            println!("{path}: skipped, {:?}", rec.error);
            continue;
        }
        assert_eq!(rec.source.format.as_deref(), Some("image"), "{path}");
        let score = compare_file(&rec, &exp).unwrap();
        let bar = scan_bar(Path::new(&path)).expect("a scan");
        assert!(
            score.accuracy() >= bar && score.shown_wrong == 0 && score.meta_wrong.is_empty(),
            "{path}: {}/{} {:?} {:?}",
            score.right,
            score.cells,
            score.meta_wrong,
            score.mismatches
        );
        // 表四 is on the last page, the title on the first: all three pages were read.
        assert!(rec.get(Key::APPEALS_REVIEW_TOTAL).is_some(), "{path}");
    }
}

#[test]
fn a_damaged_digit_is_corrected_only_where_the_sums_agree_on_it() {
    // scan/donghu-2021-scan200-blot.pdf: the 8 of “186” (表三, 本年新收, 自然人) half whited
    // out on page 1 reads as a clean “136”. The row and the balance of its column both fail by
    // 50; that cell is the only one a one-digit change fixes for both, so it is set to 186
    // and the warning says so.
    let rec = convert(&fixtures_dir().join("scan/donghu-2021-scan200-blot.pdf"));
    if rec
        .error
        .as_ref()
        .is_some_and(|e| e.message.contains("not read because"))
    {
        println!("skipped: {:?}", rec.error);
        return;
    }
    let get = |k: Key| rec.get(k).and_then(|n| n.as_count());
    assert_eq!(get(Key::APPLICATIONS_NEW_NATURAL_PERSON), Some(186));
    assert_eq!(get(Key::APPLICATIONS_NEW_TOTAL), Some(221));
    let corrected: Vec<&String> = rec
        .warnings
        .iter()
        .filter(|w| w.contains("corrected"))
        .collect();
    assert_eq!(corrected.len(), 1, "{:?}", rec.warnings);
    assert!(
        corrected[0].starts_with("applications.new.natural_person: scanned cell (page 1")
            && corrected[0].contains("read as “136”; corrected to 186"),
        "{}",
        corrected[0]
    );
    assert!(rec.checks.iter().all(|c| c.ok), "{:?}", rec.checks);
    // The written line carries where on the page the value was read, and how sure the reading was.
    let line: serde_json::Value = serde_json::from_str(&rec.to_json_line()).unwrap();
    let prov = &line["provenance"]["applications.new.natural_person"];
    assert_eq!(prov["page"], 1, "{prov}");
    let pixels = prov["pixels"].as_array().expect("pixels");
    let px: Vec<u64> = pixels.iter().filter_map(|v| v.as_u64()).collect();
    assert!(px.len() == 4 && px[0] < px[2] && px[1] < px[3], "{prov}");
    let conf = prov["ocr_conf"].as_f64().expect("ocr_conf");
    assert!((0.0..=100.0).contains(&conf), "{prov}");
}

#[test]
fn seeds_are_fully_right_including_nulls() {
    // The seeds hold blank cells and rows with too few numbers: nothing may be invented there.
    let limits = Limits::default();
    let dir = fixtures_dir().join("seeds");
    let p = dir.join("000_4dfc3c347848be09.txt");
    let rec = convert_item(
        Item {
            path: p.to_string_lossy().into_owned(),
            data: Ok(std::fs::read(&p).unwrap()),
        },
        &limits,
    );
    // The review group of 表四 is blank in this report: null, not 0.
    assert!(rec.get(Key::APPEALS_REVIEW_UPHELD).is_none());
    assert_eq!(
        rec.get(Key::APPEALS_LITIGATION_DIRECT_TOTAL)
            .and_then(|n| n.as_count()),
        Some(0)
    );
    assert_eq!(
        rec.get(Key::ACTIVE_OTHER_SERVICES_DECISIONS)
            .and_then(|n| n.as_count()),
        Some(499)
    );
    assert_eq!(rec.report.agency.as_deref(), Some("固镇县王庄镇人民政府"));
    assert_eq!(rec.status.as_str(), "partial");
}

/// The record of `other` equals the record of the DOCX it was made from: metadata, every value,
/// money as printed, status and the outcome of every check.
fn assert_same_record(docx: &str, other: &str) {
    let d = convert(&fixtures_dir().join(docx));
    let o = convert(&fixtures_dir().join(other));
    assert!(d.values.len() > 150, "{docx}: {} values", d.values.len());
    assert_eq!(o.report, d.report, "{other}: metadata");
    assert_eq!(o.values, d.values, "{other}: values");
    assert_eq!(o.raw, d.raw, "{other}: money as printed");
    assert_eq!(o.status, d.status, "{other}: status");
    let rules = |r: &nianbao_template::Record| -> Vec<(String, bool)> {
        r.checks.iter().map(|c| (c.rule.clone(), c.ok)).collect()
    };
    assert_eq!(rules(&o), rules(&d), "{other}: checks");
}

#[test]
fn printed_pdf_gives_the_same_record_as_its_docx() {
    // LibreOffice printed these DOCX fixtures to PDF: the PDF adapter rebuilds the tables from
    // glyphs and ruling lines, and must arrive at exactly what the DOCX adapter read.
    for stem in ["donghu-2021", "qingshan-2020"] {
        assert_same_record(&format!("docx/{stem}.docx"), &format!("pdf/{stem}.pdf"));
    }
}

#[test]
fn saved_web_page_gives_the_same_record_as_its_docx() {
    // LibreOffice's HTML export of the DOCX: tables with colspan/rowspan, and its field marks
    // (U+0004/U+0005) left around the text of the DOCX's content control.
    assert_same_record("docx/donghu-2021.docx", "html/donghu-2021.html");
}

#[test]
fn text_out_of_reading_order_never_gives_a_wrong_value() {
    // `pdftotext -raw` (content order: wrapped labels one fragment per line, numbers after
    // them) and plain `pdftotext` (table cells column by column, rows scrambled) of the PDF
    // fixtures. Whatever cannot be attributed stays null; no cell may show a wrong number.
    // The raw text of a report whose table has no blank cells must come out complete.
    let cases = [
        ("real", "hongze-2023", true),
        ("real", "hongze-2024", true),
        ("real", "huaian-2024", true),
        // Blank cells vanish from the text, so rows with blanks cannot be attributed; a blank
        // row's label stands stacked over the next row's, and which of the two owns the
        // numbers below is not certain (a PDF-to-markdown converter moves labels the same way).
        ("pdf", "donghu-2021", false),
        ("pdf", "qingshan-2020", false),
    ];
    let mut failures = Vec::new();
    for (dir, stem, raw_complete) in cases {
        let exp = fixtures_dir().join(format!("{dir}/{stem}.expected.json"));
        for mode in ["raw", "plain"] {
            let path = fixtures_dir().join(format!("{dir}/{stem}.{mode}.txt"));
            let rec = convert(&path);
            let score = compare_file(&rec, &exp).unwrap();
            println!(
                "{}: {}/{} cells, {} shown wrong",
                path.display(),
                score.right,
                score.cells,
                score.shown_wrong
            );
            let complete = mode == "raw" && raw_complete;
            if score.shown_wrong > 0 || (complete && !score.is_perfect()) {
                let wrong: Vec<&String> = score
                    .mismatches
                    .iter()
                    .filter(|m| !m.ends_with("got null"))
                    .collect();
                failures.push(format!("{}: {wrong:?}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_web_report_reads_the_same_in_every_form() {
    // The 上海市人民政府办公厅 2019 report as its CMS stores it (an HTML fragment), and the same
    // tables as a whole page, a crawler's .txt record, an undeclared GBK .shtml, a DOCX and a PDF
    // (LibreOffice) and a workbook of its tables (openpyxl): one record's values in every form.
    let fragment = convert(&fixtures_dir().join("web/shanghai-office-2019.html"));
    assert!(fragment.values.len() >= 60, "{}", fragment.values.len());
    // Spot checks read off the page: a row with blank cells, its blank 总计 null, 表四.
    let count = |k: Key| fragment.get(k).and_then(|n| n.as_count());
    assert_eq!(count(Key::APPLICATIONS_GRANTED_NATURAL_PERSON), Some(258));
    assert_eq!(count(Key::APPLICATIONS_GRANTED_OTHER_ORG), Some(1));
    assert_eq!(count(Key::APPLICATIONS_GRANTED_TOTAL), None);
    assert_eq!(count(Key::APPEALS_LITIGATION_DIRECT_TOTAL), Some(9));
    for other in [
        "web/shanghai-office-2019-page.html",
        "web/shanghai-office-2019-crawl.txt",
        "web/shanghai-office-2019-gbk.shtml",
        "docx/shanghai-office-2019.docx",
        "pdf/shanghai-office-2019.pdf",
        "xlsx/上海市人民政府办公厅2019年政府信息公开工作年度报告附表.xlsx",
    ] {
        let o = convert(&fixtures_dir().join(other));
        assert_eq!(o.values, fragment.values, "{other}: values");
        assert_eq!(o.raw, fragment.raw, "{other}: money as printed");
        assert_eq!(o.report.agency, fragment.report.agency, "{other}: agency");
        assert_eq!(o.report.year, fragment.report.year, "{other}: year");
    }
}

#[test]
fn flattened_text_never_gives_a_wrong_value() {
    // Real reports as other programs flattened them (fixtures/README.md, `flattened/`): labels
    // apart from their numbers, cells glued together. A cell that cannot be attributed with
    // certainty stays null; none may show a wrong number, and the rows whose pairing is
    // certain must be read (the least number of right cells, nulls included, each must reach).
    let cases = [
        ("shanghai-kewei-2024.md", 193),
        // 表二's glued rows have no arithmetic of their own: those with more than one split
        // stay null (2019: seven of eight rows; 2021, 2023: 行政规范性文件).
        ("pingtan-2019.txt", 179),
        ("pingtan-2021.txt", 197),
        ("pingtan-2023.txt", 197),
    ];
    let mut failures = Vec::new();
    for (name, least_right) in cases {
        let path = fixtures_dir().join("flattened").join(name);
        let stem = name.rsplit_once('.').unwrap().0;
        let exp = fixtures_dir().join(format!("flattened/{stem}.expected.json"));
        let rec = convert(&path);
        let score = compare_file(&rec, &exp).unwrap();
        println!(
            "{name}: {}/{} cells, {} shown wrong",
            score.right, score.cells, score.shown_wrong
        );
        if score.shown_wrong > 0 || score.right < least_right {
            let wrong: Vec<&String> = score
                .mismatches
                .iter()
                .filter(|m| !m.ends_with("got null"))
                .collect();
            failures.push(format!(
                "{name}: {}/{} right (want {least_right}), wrong {wrong:?}",
                score.right, score.cells
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn counts_wrapped_in_layout_text_complete_their_rows() {
    // `pdftotext -layout` of fixtures/pdf/wrapped-2021.pdf: counts wrapped inside narrow cells
    // (`1,1` over `85`, full-width `６` over `１` over `２`) and （七）总计 broken across a page,
    // its second line at the top of the next page in that page's columns.
    let path = fixtures_dir().join("pdf/wrapped-2021.layout.txt");
    let exp = fixtures_dir().join("pdf/wrapped-2021.expected.json");
    let score = compare_file(&convert(&path), &exp).unwrap();
    assert!(
        score.is_perfect(),
        "{}/{} cells: {:?}",
        score.right,
        score.cells,
        score.mismatches
    );
}
