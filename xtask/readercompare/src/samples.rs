//! One-page PDFs written byte by byte: a line of Chinese in a non-embedded CID font
//! (STSong-Light), encoded the ways Chinese office software writes it.

pub struct Sample {
    pub name: &'static str,
    /// The text the page shows, and so the marker a reader must give back.
    pub text: &'static str,
    pub bytes: Vec<u8>,
}

const TEXT: &str = "政府信息公开年度报告";

/// The descendant font, object 5, with the FontDescriptor the spec requires but no font
/// program in it: only the CMap says what a code means.
const CID_FONT: &str = "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
    /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /DW 1000 \
    /FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 \
    /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 \
    /CapHeight 880 /StemV 93 >> >>";

pub fn all() -> Vec<Sample> {
    let ucs2: Vec<u8> = TEXT.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(TEXT);
    // The codes written must decode back to the text, or a reader would be judged on a typo.
    let units: Vec<u16> = ucs2
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(String::from_utf16(&units).unwrap(), TEXT);
    assert!(!unmappable);
    assert_eq!(encoding_rs::GBK.decode_without_bom_handling(&gbk).0, TEXT);
    assert_eq!(gbk.len(), 2 * TEXT.chars().count());

    // The common case, as a control: Identity-H codes 1..n with a ToUnicode map.
    let entries: String = TEXT
        .chars()
        .enumerate()
        .map(|(i, c)| format!("<{:04X}> <{:04X}>\n", i + 1, c as u32))
        .collect();
    let to_unicode = stream(&format!(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
         1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
         {} beginbfchar\n{entries}endbfchar\nendcmap end end",
        TEXT.chars().count()
    ));
    let identity: Vec<u8> = (1..=TEXT.chars().count() as u16)
        .flat_map(u16::to_be_bytes)
        .collect();

    vec![
        Sample {
            name: "built UniGB-UCS2-H",
            text: TEXT,
            bytes: pdf(&type0("UniGB-UCS2-H", ""), vec![], &ucs2),
        },
        Sample {
            name: "built GBK-EUC-H",
            text: TEXT,
            bytes: pdf(&type0("GBK-EUC-H", ""), vec![], &gbk),
        },
        Sample {
            name: "built Identity-H+ToUnicode",
            text: TEXT,
            bytes: pdf(
                &type0("Identity-H", "/ToUnicode 6 0 R"),
                vec![to_unicode],
                &identity,
            ),
        },
    ]
}

/// The Type0 font, object 4.
fn type0(encoding: &str, extra: &str) -> String {
    format!(
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /{encoding} \
         /DescendantFonts [5 0 R] {extra} >>"
    )
}

fn stream(body: &str) -> Vec<u8> {
    format!("<< /Length {} >>\nstream\n{body}\nendstream", body.len()).into_bytes()
}

/// Objects 1-5 are catalog, pages, page, font and CID font; `extra` follows from 6, and the
/// content stream (showing `codes` as one hex string) comes last.
fn pdf(font: &str, extra: Vec<Vec<u8>>, codes: &[u8]) -> Vec<u8> {
    let hex: String = codes.iter().map(|b| format!("{b:02X}")).collect();
    let content = stream(&format!("BT /F1 12 Tf 72 700 Td <{hex}> Tj ET"));
    let content_id = 6 + extra.len();
    let page = format!(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 4 0 R >> >> /Contents {content_id} 0 R >>"
    );
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        page.into_bytes(),
        font.as_bytes().to_vec(),
        CID_FONT.as_bytes().to_vec(),
    ];
    objects.extend(extra);
    objects.push(content);

    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let size = objects.len() + 1;
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}
