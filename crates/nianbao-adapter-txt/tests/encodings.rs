//! A seed report re-encoded as a Chinese Windows machine or another editor would save it
//! converts to the same values, checked against the hand-made expectation.
use encoding_rs::GB18030;
use nianbao_core::{Adapter, Input, Limits};
use nianbao_template::{convert, expected::compare_file, Source};
use std::path::Path;

fn seed() -> (String, std::path::PathBuf) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/seeds");
    let text = std::fs::read_to_string(dir.join("001_ff554e661f6eb7ef.txt")).unwrap();
    (text, dir.join("001_ff554e661f6eb7ef.expected.json"))
}

fn convert_bytes(bytes: &[u8]) -> nianbao_template::Record {
    let limits = Limits::default();
    let adapter = nianbao_adapter_txt::TxtAdapter;
    assert!(adapter.sniff(bytes));
    let doc = adapter
        .extract(&Input {
            bytes,
            path: "seed.txt",
            limits: &limits,
        })
        .unwrap();
    convert(
        &doc,
        Source {
            path: "seed.txt".into(),
            ..Default::default()
        },
    )
}

#[test]
fn gbk_utf16_and_bom_give_the_same_record() {
    let (text, expected) = seed();
    let gbk = GB18030.encode(&text).0.into_owned();
    let utf16le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let mut utf16be_bom = vec![0xFE, 0xFF];
    utf16be_bom.extend(text.encode_utf16().flat_map(|u| u.to_be_bytes()));
    let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
    utf8_bom.extend_from_slice(text.as_bytes());
    for (name, bytes, enc) in [
        ("gbk", gbk, "gb18030"),
        ("utf16le", utf16le, "UTF-16LE"),
        ("utf16be+bom", utf16be_bom, "UTF-16BE (BOM)"),
        ("utf8+bom", utf8_bom, "UTF-8 (BOM)"),
    ] {
        let r = convert_bytes(&bytes);
        assert_eq!(r.source.encoding.as_deref(), Some(enc), "{name}");
        let s = compare_file(&r, &expected).unwrap();
        assert!(
            s.is_perfect(),
            "{name}: {:?} {:?}",
            s.meta_wrong,
            s.mismatches
        );
    }
}

#[test]
fn binary_bytes_are_not_claimed() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0";
    assert!(!nianbao_adapter_txt::TxtAdapter.sniff(png));
}
