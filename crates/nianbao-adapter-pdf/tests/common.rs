//! Shared helpers for the PDF adapter's tests.
#![allow(dead_code)]
use nianbao_core::{Adapter, Document, ExtractError, Input, Limits, Table};
use std::path::PathBuf;

pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

pub fn extract_bytes(bytes: &[u8]) -> Result<Document, ExtractError> {
    let limits = Limits::default();
    let input = Input {
        bytes,
        path: "test.pdf",
        limits: &limits,
    };
    nianbao_adapter_pdf::PdfAdapter.extract(&input)
}

pub fn extract(rel: &str) -> Document {
    let bytes = std::fs::read(fixture(rel)).unwrap();
    extract_bytes(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn tables(doc: &Document) -> Vec<&Table> {
    doc.tables().collect()
}
