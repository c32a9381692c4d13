//! Damaged, protected and text-less PDFs give the right error kind and never panic.
mod common;
use common::*;
use nianbao_core::ErrorKind;
use std::time::{Duration, Instant};

fn kind_of(bytes: &[u8]) -> ErrorKind {
    extract_bytes(bytes)
        .map(|_| ())
        .expect_err("must fail")
        .kind
}

#[test]
fn encrypted_with_user_password() {
    // Made with `qpdf --encrypt user123 owner456 256 -- hongze-2024.pdf encrypted.pdf`.
    let bytes = std::fs::read(fixture("pdf/bad/encrypted.pdf")).unwrap();
    assert_eq!(kind_of(&bytes), ErrorKind::Encrypted);
}

#[test]
fn image_only_scan_needs_ocr() {
    let bytes = std::fs::read(fixture("pdf/bad/image-only.pdf")).unwrap();
    let err = extract_bytes(&bytes).map(|_| ()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoTextLayer);
    assert!(err.message.contains("OCR"), "{}", err.message);
}

#[test]
fn first_half_of_a_report_is_corrupt() {
    let bytes = std::fs::read(fixture("real/huaian-2024.pdf")).unwrap();
    assert_eq!(kind_of(&bytes[..bytes.len() / 2]), ErrorKind::Corrupt);
}

#[test]
fn garbage_after_a_pdf_header_is_corrupt() {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut x: u32 = 12345;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        bytes.push((x >> 16) as u8);
    }
    assert_eq!(kind_of(&bytes), ErrorKind::Corrupt);
    assert_eq!(kind_of(b"%PDF-"), ErrorKind::Corrupt);
    assert_eq!(kind_of(b""), ErrorKind::Empty);
}

#[test]
fn a_cut_off_trailer_is_still_read() {
    let bytes = std::fs::read(fixture("real/hongze-2024.pdf")).unwrap();
    let doc = extract_bytes(&bytes[..bytes.len() - 200]).expect("recovered");
    assert!(doc.plain_text().contains("行政许可"));
}

/// 200 deterministic byte mutations of a real report: each returns Ok or Err quickly, and none
/// panics. The adapter turns a panic into an `internal` error (its own `catch_unwind`), so that
/// kind is what shows a panic here.
#[test]
fn byte_mutations_never_panic_or_hang() {
    let original = std::fs::read(fixture("real/hongze-2023.pdf")).unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..200 {
        let mut bytes = original.clone();
        match i % 4 {
            // Flip a few bytes anywhere.
            0 | 1 => {
                for _ in 0..1 + next() % 8 {
                    let at = (next() as usize) % bytes.len();
                    bytes[at] = next() as u8;
                }
            }
            // Cut the file.
            2 => bytes.truncate((next() as usize) % bytes.len()),
            // Overwrite a run with junk.
            _ => {
                let at = (next() as usize) % bytes.len();
                let end = (at + 1 + (next() as usize) % 512).min(bytes.len());
                for b in &mut bytes[at..end] {
                    *b = next() as u8;
                }
            }
        }
        let start = Instant::now();
        let r = extract_bytes(&bytes);
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "mutation {i} took {:?}",
            start.elapsed()
        );
        if let Err(e) = r {
            assert_ne!(e.kind, ErrorKind::Internal, "mutation {i} panicked: {e}");
        }
    }
}
