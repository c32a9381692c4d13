//! `--ocr off` (the NIANBAO_OCR switch the CLI sets): a page image is not read and its record
//! says why. A process of its own, since the switch is process-wide.
use nianbao_core::{ErrorKind, Input, Limits};
// Linked so that both adapters register.
use nianbao_adapter_image as _;
use nianbao_adapter_pdf as _;

#[test]
fn a_page_image_with_ocr_off_is_no_text_layer_saying_so() {
    std::env::set_var("NIANBAO_OCR", "off");
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/scan/donghu-2021-page1.png"
    ))
    .unwrap();
    let adapter = nianbao_core::detect(&bytes).expect("a PNG is recognised");
    assert_eq!(adapter.name(), "image");
    let err = adapter
        .extract(&Input {
            bytes: &bytes,
            path: "page1.png",
            limits: &Limits::default(),
        })
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoTextLayer);
    assert!(err.message.contains("--ocr off"), "{}", err.message);
}
