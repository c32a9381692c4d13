//! Every spreadsheet fixture (xlsx, xls, ods) converts to exactly its hand-made expectation; a
//! workbook without sheets fails clearly.
use nianbao_adapter_xlsx::XlsxAdapter;
use nianbao_core::{Adapter, ErrorKind, Input, Limits};
use nianbao_template::{convert, expected::compare_file, Source};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/xlsx")
}

#[test]
fn every_spreadsheet_fixture_matches_its_expectation() {
    let mut failures = Vec::new();
    let mut n = 0;
    for entry in std::fs::read_dir(dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some((stem, ext)) = name.rsplit_once('.') else {
            continue;
        };
        let expected = dir().join(format!("{stem}.expected.json"));
        if !matches!(ext, "xlsx" | "xls" | "ods") || !expected.exists() {
            continue;
        }
        n += 1;
        let bytes = std::fs::read(dir().join(&name)).unwrap();
        let doc = XlsxAdapter
            .extract(&Input {
                bytes: &bytes,
                path: &name,
                limits: &Limits::default(),
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let record = convert(
            &doc,
            Source {
                path: name.clone(),
                format: Some("xlsx".into()),
                ..Default::default()
            },
        );
        let score = compare_file(&record, &expected).unwrap();
        if !score.is_perfect() {
            failures.push(format!(
                "{name}: {}/{} {:?} {:?}",
                score.right, score.cells, score.meta_wrong, score.mismatches
            ));
        }
    }
    assert!(n >= 4, "fixtures missing: {n}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_workbook_without_sheets_is_not_a_report() {
    let bytes = std::fs::read(dir().join("bad-no-sheets.xlsx")).unwrap();
    assert!(XlsxAdapter.sniff(&bytes));
    let e = XlsxAdapter
        .extract(&Input {
            bytes: &bytes,
            path: "bad-no-sheets.xlsx",
            limits: &Limits::default(),
        })
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotAReport, "{e}");
    assert!(e.message.contains("no worksheet"), "{e}");
}

#[test]
fn a_part_over_the_size_limit_is_refused() {
    let bytes = std::fs::read(dir().join("baihe-2022.xlsx")).unwrap();
    let limits = Limits {
        max_part_bytes: 2000,
        ..Default::default()
    };
    let e = XlsxAdapter
        .extract(&Input {
            bytes: &bytes,
            path: "baihe-2022.xlsx",
            limits: &limits,
        })
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge, "{e}");
}
