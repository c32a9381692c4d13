//! Every DOCX fixture converts to exactly its hand-made expectation; the same report printed
//! to text (by LibreOffice) gives the same record; damaged and encrypted files fail clearly.
use nianbao_adapter_docx::DocxAdapter;
use nianbao_core::{Adapter, Document, ErrorKind, ExtractError, Input, Limits};
use nianbao_template::{convert, expected::compare_file, Record, Source};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/docx")
}

fn extract(adapter: &dyn Adapter, name: &str) -> Result<Document, ExtractError> {
    let bytes = std::fs::read(dir().join(name)).unwrap();
    adapter.extract(&Input {
        bytes: &bytes,
        path: name,
        limits: &Limits::default(),
    })
}

fn record(adapter: &dyn Adapter, name: &str) -> Record {
    let doc = extract(adapter, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let source = Source {
        path: name.into(),
        format: Some(adapter.name().into()),
        ..Default::default()
    };
    convert(&doc, source)
}

#[test]
fn every_docx_fixture_matches_its_expectation() {
    let mut failures = Vec::new();
    let mut n = 0;
    for entry in std::fs::read_dir(dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(stem) = name.strip_suffix(".docx") else {
            continue;
        };
        let expected = dir().join(format!("{stem}.expected.json"));
        if !expected.exists() {
            continue; // the failure cases below
        }
        n += 1;
        let score = compare_file(&record(&DocxAdapter, &name), &expected).unwrap();
        if !score.is_perfect() {
            failures.push(format!(
                "{name}: {}/{} {:?} {:?}",
                score.right, score.cells, score.meta_wrong, score.mismatches
            ));
        }
    }
    assert!(n >= 3, "fixtures missing: {n}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn printed_text_gives_the_same_record_as_the_docx() {
    let docx = record(&DocxAdapter, "donghu-2021.docx");
    let txt = record(&nianbao_adapter_txt::TxtAdapter, "donghu-2021.txt");
    assert_eq!(docx.values, txt.values);
    assert_eq!(docx.report, txt.report);
    assert_eq!(docx.status, txt.status);
    assert!(!docx.values.is_empty());
}

#[test]
fn damaged_and_encrypted_files_fail_clearly() {
    let e = extract(&DocxAdapter, "bad-truncated.docx").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Corrupt, "{e}");
    assert!(e.message.contains("not a valid DOCX package"), "{e}");
    let bytes = std::fs::read(dir().join("bad-encrypted.docx")).unwrap();
    assert!(DocxAdapter.sniff(&bytes));
    let e = extract(&DocxAdapter, "bad-encrypted.docx").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Encrypted, "{e}");
    assert!(e.message.contains("password"), "{e}");
}
