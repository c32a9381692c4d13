//! Chinese text through each way a PDF can encode it, on small PDFs written here byte by byte
//! (a font dictionary and one line of text), checked against the text they were written with.
mod common;
use common::*;
use nianbao_core::ErrorKind;

/// A one-page PDF whose font F1 is `font` (with extra objects from 5 on) showing `show`.
fn pdf(font: &str, extra: &[Vec<u8>], show: &[u8]) -> Vec<u8> {
    let mut content = b"BT /F1 12 Tf 72 700 Td ".to_vec();
    content.extend_from_slice(show);
    content.extend_from_slice(b" Tj ET");
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 99 0 R >>".to_vec(),
        font.as_bytes().to_vec(),
    ];
    objects.extend(extra.iter().cloned());
    let n_content = objects.len() + 1;
    objects[2] = String::from_utf8(objects[2].clone())
        .unwrap()
        .replace("99 0 R", &format!("{n_content} 0 R"))
        .into_bytes();
    let mut s = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    s.extend_from_slice(&content);
    s.extend_from_slice(b"\nendstream");
    objects.push(s);
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(body: &str) -> Vec<u8> {
    format!("<< /Length {} >>\nstream\n{body}\nendstream", body.len()).into_bytes()
}

fn hex(bytes: &[u8]) -> Vec<u8> {
    let h: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
    format!("<{h}>").into_bytes()
}

const CID_FONT: &str = "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
    /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /DW 1000 >>";

#[test]
fn unigb_ucs2_h_without_embedded_font() {
    // The predefined CMap Chinese office software writes for non-embedded fonts.
    let font = "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [5 0 R] >>";
    let text = "2024年度报告";
    let bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    let doc = extract_bytes(&pdf(font, &[CID_FONT.as_bytes().to_vec()], &hex(&bytes))).unwrap();
    assert_eq!(doc.plain_text().trim(), text);
}

#[test]
fn gbk_euc_h_without_embedded_font() {
    let font = "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /GBK-EUC-H /DescendantFonts [5 0 R] >>";
    // "行政许可 12" in GBK: two bytes per hanzi, one per ASCII character. The space glyph is
    // not text of its own: between Chinese and digits a half-em gap joins up, as in the body.
    let gbk = [
        0xD0, 0xD0, 0xD5, 0xFE, 0xD0, 0xED, 0xBF, 0xC9, 0x20, 0x31, 0x32,
    ];
    let doc = extract_bytes(&pdf(font, &[CID_FONT.as_bytes().to_vec()], &hex(&gbk))).unwrap();
    assert_eq!(doc.plain_text().trim(), "行政许可12");
}

#[test]
fn identity_h_with_to_unicode_and_kangxi_radicals() {
    // The ToUnicode map points codes at Kangxi radicals ⼀ (U+2F00) and ⻓ (U+2ED3).
    let font = "<< /Type /Font /Subtype /Type0 /BaseFont /ABC+SimSun /Encoding /Identity-H /DescendantFonts [5 0 R] /ToUnicode 6 0 R >>";
    let cmap = stream(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
         3 beginbfchar <0001> <2F00> <0002> <2ED3> <0003> <671F> endbfchar\nendcmap end end",
    );
    let doc = extract_bytes(&pdf(
        font,
        &[CID_FONT.as_bytes().to_vec(), cmap],
        b"<000100020003>",
    ))
    .unwrap();
    assert_eq!(doc.plain_text().trim(), "一长期");
}

#[test]
fn identity_h_without_any_map_is_reported_not_garbled() {
    let font = "<< /Type /Font /Subtype /Type0 /BaseFont /XYZ+Unknown /Encoding /Identity-H /DescendantFonts [5 0 R] >>";
    let err = extract_bytes(&pdf(font, &[CID_FONT.as_bytes().to_vec()], b"<00010002>"))
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoTextLayer);
    assert!(err.message.contains("Unicode map"), "{}", err.message);
}

#[test]
fn simple_font_with_standard_encoding() {
    let font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
    let doc = extract_bytes(&pdf(font, &[], b"(Report 2024)")).unwrap();
    assert_eq!(doc.plain_text().trim(), "Report 2024");
}
