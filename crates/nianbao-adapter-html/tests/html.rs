//! The adapter is registered and, while it is a stub, fails clearly.
use nianbao_adapter_html::HtmlAdapter;
use nianbao_core::{adapters, Adapter, ErrorKind, Input, Limits};

#[test]
fn is_registered() {
    let names: Vec<&str> = adapters().iter().map(|a| a.name()).collect();
    assert!(
        names.contains(&HtmlAdapter.name()),
        "registered adapters: {names:?}"
    );
}

#[test]
fn stub_recognises_nothing_and_refuses_to_extract() {
    let adapter = HtmlAdapter;
    assert!(!adapter.sniff(b"anything at all"));
    let limits = Limits::default();
    let input = Input {
        bytes: b"some bytes",
        path: "sample",
        limits: &limits,
    };
    let err = adapter.extract(&input).unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnsupportedFormat);
    assert!(err.message.contains("stub"), "{}", err.message);
}
