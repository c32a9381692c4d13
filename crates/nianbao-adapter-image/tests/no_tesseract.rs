//! Where Tesseract is missing, a scan stays `no_text_layer` and the message says what to
//! install. A process of its own: the engine is probed once per process.
use nianbao_core::{ErrorKind, Input, Limits};
// Linked so that both adapters register.
use nianbao_adapter_image as _;
use nianbao_adapter_pdf as _;

fn extract(path: &str) -> nianbao_core::ExtractError {
    let bytes = std::fs::read(format!(
        "{}/../../fixtures/scan/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let adapter = nianbao_core::detect(&bytes).expect("recognised");
    adapter
        .extract(&Input {
            bytes: &bytes,
            path,
            limits: &Limits::default(),
        })
        .unwrap_err()
}

#[test]
fn a_scan_without_tesseract_says_what_to_install() {
    std::env::set_var("NIANBAO_TESSERACT", "/nonexistent/tesseract");
    for path in ["donghu-2021-page1.png", "donghu-2021-scan150-g4.pdf"] {
        let err = extract(path);
        assert_eq!(err.kind, ErrorKind::NoTextLayer, "{path}");
        assert!(
            err.message
                .contains("apt-get install tesseract-ocr tesseract-ocr-chi-sim"),
            "{path}: {}",
            err.message
        );
    }
}
