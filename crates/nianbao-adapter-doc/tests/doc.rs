//! The .doc adapter end to end: LibreOffice's .doc of a DOCX report gives the DOCX's record,
//! sniffing leaves workbooks and encrypted packages to their adapters, and damaged, protected
//! or random input gives the right error kind without panicking.
use nianbao_adapter_doc::{is_doc, DocAdapter};
use nianbao_core::{
    adapters, detect, Adapter, Block, Document, ErrorKind, ExtractError, Input, Limits,
};
use nianbao_template::{Record, Source};
use std::path::PathBuf;

// Linked so that their registrations compete with this adapter in `detect`.
use nianbao_adapter_docx as _;
use nianbao_adapter_xlsx as _;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn extract(bytes: &[u8]) -> Result<Document, ExtractError> {
    let limits = Limits::default();
    DocAdapter.extract(&Input {
        bytes,
        path: "test.doc",
        limits: &limits,
    })
}

/// What `nianbao convert` does with one file: detect the format, extract, map onto the template.
fn convert(rel: &str) -> Record {
    let bytes = read(rel);
    let adapter = detect(&bytes).unwrap_or_else(|| panic!("{rel}: no adapter claims it"));
    let source = Source {
        path: rel.to_string(),
        format: Some(adapter.name().to_string()),
        ..Default::default()
    };
    let limits = Limits::default();
    let input = Input {
        bytes: &bytes,
        path: rel,
        limits: &limits,
    };
    let doc = adapter
        .extract(&input)
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    nianbao_template::convert(&doc, source)
}

#[test]
fn is_registered_before_the_formats_that_also_claim_compound_files() {
    let names: Vec<&str> = adapters().iter().map(|a| a.name()).collect();
    let at = |n: &str| names.iter().position(|&x| x == n);
    let doc = at("doc").unwrap_or_else(|| panic!("registered adapters: {names:?}"));
    // The docx adapter claims any compound file showing `EncryptionInfo`, the spreadsheet
    // adapter any showing `Workbook` or `Book`: a Word document's text may hold either.
    assert!(doc < at("docx").unwrap(), "{names:?}");
    assert!(doc < at("xlsx").unwrap(), "{names:?}");
}

#[test]
fn doc_saved_by_libreoffice_gives_the_same_record_as_its_docx() {
    for stem in ["donghu-2021", "qingshan-2020"] {
        let d = convert(&format!("docx/{stem}.docx"));
        let o = convert(&format!("doc/{stem}.doc"));
        assert_eq!(o.source.format.as_deref(), Some("doc"));
        assert!(o.error.is_none(), "{stem}: {:?}", o.error);
        assert!(d.values.len() > 150, "{stem}: {} values", d.values.len());
        assert_eq!(o.report, d.report, "{stem}: metadata");
        assert_eq!(o.values, d.values, "{stem}: values");
        assert_eq!(o.raw, d.raw, "{stem}: money as printed");
        assert_eq!(o.status, d.status, "{stem}: status");
        let rules = |r: &Record| -> Vec<(String, bool)> {
            r.checks.iter().map(|c| (c.rule.clone(), c.ok)).collect()
        };
        assert_eq!(rules(&o), rules(&d), "{stem}: checks");
        // Cells are found where the DOCX has them (same table, row and grid column).
        assert_eq!(o.provenance, d.provenance, "{stem}: provenance");
    }
}

#[test]
fn tables_keep_their_grid_merges_and_field_results() {
    let doc = extract(&read("doc/qingshan-2020.doc")).unwrap();
    let tables: Vec<_> = doc.tables().collect();
    assert_eq!(tables.len(), 4);
    // 表三's header: a corner cell over three rows and three columns, then 申请人情况.
    let t = tables[1];
    assert_eq!(t.n_cols, 10);
    let corner = &t.rows[0][0];
    assert_eq!(
        (corner.col, corner.row_span, corner.col_span),
        (0, 3, 3),
        "{corner:?}"
    );
    assert_eq!(
        (t.rows[0][1].text.as_str(), t.rows[0][1].col),
        ("申请人情况", 3)
    );
    assert_eq!(t.rows[0][1].col_span, 7);
    // A cell of two paragraphs is one cell of two lines.
    assert_eq!(
        t.rows[6][0].text,
        "（二）部分公开\n（区分处理的，只计这一情形，不计其他情形）"
    );
    // Blank cells stay as empty cells in their column.
    assert_eq!((t.rows[7][4].col, t.rows[7][4].text.as_str()), (5, ""));
    let p = &t.rows[3][1].prov;
    assert_eq!((p.table, p.row, p.col), (Some(1), Some(3), Some(3)));

    // A HYPERLINK field: its code is dropped, its result kept.
    let doc = extract(&read("doc/donghu-2021.doc")).unwrap();
    let text = doc.plain_text();
    assert!(
        text.contains("门户网站（www.donghu.gov.cn）查阅或下载。"),
        "{text}"
    );
    assert!(!text.contains("HYPERLINK") && !text.contains("FORMTEXT"));
    assert!(!text.chars().any(|c| c < ' ' && c != '\n' && c != '\t'));
}

#[test]
fn sniffing_claims_doc_only() {
    for rel in ["doc/donghu-2021.doc", "doc/qingshan-2020.doc"] {
        let bytes = read(rel);
        assert!(DocAdapter.sniff(&bytes), "{rel}");
        assert_eq!(detect(&bytes).map(|a| a.name()), Some("doc"), "{rel}");
    }
    // A legacy workbook (a `Workbook` stream) and a password-protected DOCX (`EncryptionInfo`)
    // are compound files too, and go to their own adapters.
    for (rel, owner) in [
        ("xlsx/baihe-2022.xls", "xlsx"),
        ("docx/bad-encrypted.docx", "docx"),
        ("docx/donghu-2021.docx", "docx"),
        ("xlsx/baihe-2022.xlsx", "xlsx"),
        ("pdf/donghu-2021.pdf", "pdf"),
    ] {
        let bytes = read(rel);
        assert!(!DocAdapter.sniff(&bytes), "{rel} claimed as .doc");
        let got = detect(&bytes).map(|a| a.name());
        assert!(got != Some("doc"), "{rel}: {got:?}");
        if owner != "pdf" {
            assert_eq!(got, Some(owner), "{rel}");
        }
    }
    assert!(!is_doc(b""));
    assert!(!is_doc(b"PK\x03\x04"));
}

#[test]
fn first_half_of_a_doc_is_corrupt() {
    // fixtures/doc/bad-truncated.doc: the first half of donghu-2021.doc. Its directory is
    // lost, but the Word header at a sector start still identifies it.
    let bytes = read("doc/bad-truncated.doc");
    assert!(DocAdapter.sniff(&bytes));
    let err = extract(&bytes).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Corrupt, "{err}");
    assert!(err.message.contains("truncated"), "{}", err.message);
    // Cut anywhere: never a panic, and an error unless the cut only lost unused sectors.
    let full = read("doc/donghu-2021.doc");
    for cut in (0..full.len()).step_by(97) {
        if let Err(e) = extract(&full[..cut]) {
            assert!(
                matches!(e.kind, ErrorKind::Corrupt | ErrorKind::Empty),
                "cut at {cut}: {e}"
            );
        }
    }
    assert_eq!(extract(b"").unwrap_err().kind, ErrorKind::Empty);
}

/// Deterministic pseudo-random bytes.
fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn random_bytes_after_a_compound_file_header_do_not_panic() {
    const SIG: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let real = read("doc/donghu-2021.doc");
    for seed in 0..200u64 {
        let len = [8, 100, 511, 512, 4096, 20_000][seed as usize % 6];
        let mut b = SIG.to_vec();
        b.extend(noise(seed, len));
        let _ = is_doc(&b);
        assert!(extract(&b).is_err(), "seed {seed}");
        // The real header and directory over random content, and random content over the
        // real header: errors or documents, never a panic.
        let mut h = real[..512].to_vec();
        h.extend(noise(seed, len));
        let _ = is_doc(&h);
        let _ = extract(&h);
        let mut m = real.clone();
        for (i, r) in noise(seed + 1000, 16).chunks(2).enumerate() {
            let at = (usize::from(r[0]) << 8 | usize::from(r[1])) * 7 % m.len();
            m[at] = noise(seed, i + 1)[i];
        }
        let _ = is_doc(&m);
        let _ = extract(&m);
    }
}

// ---------------------------------------------------------------------------------------------
// A .doc built byte by byte: a compound file holding a WordDocument stream with a compressed
// (cp1252) piece and a UTF-16 piece, a field, a two-row table and its paragraph properties.

/// Writes a version-3 compound file with the given root streams (each padded to 4096 bytes so
/// that none goes to the mini stream).
fn compound_file(streams: &[(&str, Vec<u8>)]) -> Vec<u8> {
    const END: u32 = 0xFFFF_FFFE;
    const FREE: u32 = 0xFFFF_FFFF;
    let mut fat = vec![0xFFFF_FFFD, END]; // sector 0: the FAT, sector 1: the directory
    let mut body = Vec::new();
    let mut starts = Vec::new();
    for (_, data) in streams {
        let mut data = data.clone();
        data.resize(data.len().max(4096).div_ceil(512) * 512, 0);
        let first = fat.len() as u32;
        starts.push((first, data.len()));
        let n = data.len() / 512;
        for k in 0..n as u32 {
            fat.push(if k + 1 == n as u32 {
                END
            } else {
                first + k + 1
            });
        }
        body.extend(data);
    }
    assert!(fat.len() <= 128);
    fat.resize(128, FREE);
    let mut out = vec![0u8; 512];
    out[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let put =
        |out: &mut Vec<u8>, at: usize, v: u32| out[at..at + 4].copy_from_slice(&v.to_le_bytes());
    out[0x18] = 0x3E;
    out[0x1A] = 3;
    out[0x1C..0x1E].copy_from_slice(&[0xFE, 0xFF]);
    out[0x1E] = 9;
    out[0x20] = 6;
    put(&mut out, 0x2C, 1); // FAT sectors
    put(&mut out, 0x30, 1); // first directory sector
    put(&mut out, 0x38, 4096); // mini stream cutoff
    put(&mut out, 0x3C, END); // no mini FAT
    put(&mut out, 0x44, END); // no DIFAT sectors
    for i in 0..109 {
        put(&mut out, 0x4C + 4 * i, if i == 0 { 0 } else { FREE });
    }
    out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    // Directory: the root, then each stream as the right sibling of the one before.
    let entry = |name: &str, kind: u8, right: u32, child: u32, start: u32, size: usize| {
        let mut e = vec![0u8; 128];
        let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
        for (i, u) in units.iter().enumerate() {
            e[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
        e[0x40..0x42].copy_from_slice(&((units.len() * 2) as u16).to_le_bytes());
        e[0x42] = kind;
        e[0x43] = 1;
        e[0x44..0x48].copy_from_slice(&FREE.to_le_bytes());
        e[0x48..0x4C].copy_from_slice(&right.to_le_bytes());
        e[0x4C..0x50].copy_from_slice(&child.to_le_bytes());
        e[0x74..0x78].copy_from_slice(&start.to_le_bytes());
        e[0x78..0x7C].copy_from_slice(&(size as u32).to_le_bytes());
        e
    };
    out.extend(entry("Root Entry", 5, FREE, 1, END, 0));
    for (i, ((name, _), (start, size))) in streams.iter().zip(&starts).enumerate() {
        let right = if i + 1 < streams.len() {
            i as u32 + 2
        } else {
            FREE
        };
        out.extend(entry(name, 2, right, FREE, *start, *size));
    }
    out.resize(3 * 512, 0);
    out.extend(body);
    out
}

/// A small .doc: `flags` and `n_fib` go into the FIB as given.
fn synthetic_doc(flags: u16, n_fib: u16) -> Vec<u8> {
    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }
    // Piece 1, compressed: cp1252 quotes and é, and a picture placeholder (0x01).
    let piece1: &[u8] = b"Caf\xe9 \x93quoted\x94\x01\r";
    // Piece 2, UTF-16: a heading, a field, a table of two rows (the second with an empty last
    // cell, which only the row-end paragraph's properties tell apart), a paragraph after.
    let paras2 = [
        "一、总体情况\r",
        "网址：\u{13} HYPERLINK \"http://x.gov.cn\" \u{14}x.gov.cn\u{15}。\r",
        "行政许可\u{7}",
        "12\u{7}",
        "\u{7}",
        "3\u{7}",
        "\u{7}",
        "\u{7}",
        "二、其他\u{b}下一行\r",
    ];
    let cell = [0x16u8, 0x24, 1]; // sprmPFInTable
    let mut ttp = vec![0x16, 0x24, 1, 0x17, 0x24, 1]; // + sprmPFTtp
    ttp.extend(0xD608u16.to_le_bytes()); // sprmTDefTable: 2 cells, edges 0 / 1000 / 3000
    let mut tdef = vec![2u8];
    for e in [0i16, 1000, 3000] {
        tdef.extend(e.to_le_bytes());
    }
    tdef.extend([0u8; 40]);
    ttp.extend(((tdef.len() + 1) as u16).to_le_bytes());
    ttp.extend(tdef);
    let props: [Option<&[u8]>; 9] = [
        None,
        None,
        Some(&cell),
        Some(&cell),
        Some(&ttp),
        Some(&cell),
        Some(&cell),
        Some(&ttp),
        None,
    ];

    let text_at = 0x600usize;
    let mut w = vec![0u8; text_at];
    w[0..2].copy_from_slice(&0xA5ECu16.to_le_bytes());
    w[2..4].copy_from_slice(&n_fib.to_le_bytes());
    w[0x0A..0x0C].copy_from_slice(&flags.to_le_bytes());
    w[0x20] = 14; // csw
    w[0x3E] = 22; // cslw
    w[0x98] = 93; // cbRgFcLcb
    w.extend(piece1);
    let piece2_at = w.len();
    let mut ends = Vec::new(); // stream offset just past each paragraph of piece 2
    let mut n2 = 0u32;
    for p in paras2 {
        w.extend(utf16(p));
        ends.push(w.len() as u32);
        n2 += p.encode_utf16().count() as u32;
    }
    let n1 = piece1.len() as u32;
    w[0x4C..0x50].copy_from_slice(&(n1 + n2).to_le_bytes()); // ccpText

    // One PAPX FKP page (page 7 of the stream) covering piece 2, one run per paragraph.
    let pn = 7usize;
    w.resize(pn * 512, 0);
    let mut page = vec![0u8; 512];
    let crun = paras2.len();
    let mut fcs = vec![piece2_at as u32];
    fcs.extend(&ends);
    for (i, fc) in fcs.iter().enumerate() {
        page[4 * i..4 * i + 4].copy_from_slice(&fc.to_le_bytes());
    }
    let mut free = 510usize;
    for (i, grpprl) in props.iter().enumerate() {
        let Some(grpprl) = grpprl else { continue };
        // cb, istd (2 bytes), grpprl: 2 * cb - 1 bytes after cb; placed at an even offset.
        let mut papx = vec![0u8, 0, 0];
        papx.extend(*grpprl);
        if papx.len() % 2 == 1 {
            papx.push(0);
        }
        papx[0] = (papx.len() / 2) as u8;
        free = (free - papx.len()) & !1;
        page[free..free + papx.len()].copy_from_slice(&papx);
        page[4 * (crun + 1) + 13 * i] = (free / 2) as u8;
    }
    page[511] = crun as u8;
    w.extend(page);

    // Table stream: the CLX (two pieces), then the PlcBtePapx.
    let mut t = vec![2u8];
    let mut plc = Vec::new();
    for cp in [0, n1, n1 + n2] {
        plc.extend(cp.to_le_bytes());
    }
    plc.extend([0, 0]);
    plc.extend(((text_at as u32 * 2) | 0x4000_0000).to_le_bytes());
    plc.extend([0, 0, 0, 0]);
    plc.extend((piece2_at as u32).to_le_bytes());
    plc.extend([0, 0]);
    t.extend((plc.len() as u32).to_le_bytes());
    t.extend(plc);
    let clx_len = t.len() as u32;
    let bte_at = t.len() as u32;
    t.extend((piece2_at as u32).to_le_bytes());
    t.extend(ends.last().unwrap().to_le_bytes());
    t.extend((pn as u32).to_le_bytes());
    let fc_lcb = |w: &mut Vec<u8>, i: usize, fc: u32, lcb: u32| {
        let at = 0x9A + 8 * i;
        w[at..at + 4].copy_from_slice(&fc.to_le_bytes());
        w[at + 4..at + 8].copy_from_slice(&lcb.to_le_bytes());
    };
    fc_lcb(&mut w, 33, 0, clx_len);
    fc_lcb(&mut w, 13, bte_at, 12);
    compound_file(&[("WordDocument", w), ("0Table", t)])
}

#[test]
fn compressed_and_unicode_pieces_fields_and_a_table_from_a_hand_built_doc() {
    let bytes = synthetic_doc(0, 0xC1);
    assert!(is_doc(&bytes));
    let doc = extract(&bytes).unwrap();
    let paras: Vec<&str> = doc.paragraphs().collect();
    assert_eq!(
        paras,
        vec![
            "Café “quoted”",
            "一、总体情况",
            "网址：x.gov.cn。",
            "二、其他",
            "下一行"
        ]
    );
    let t = doc.tables().next().expect("a table");
    let rows: Vec<Vec<(usize, &str)>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| (c.col, c.text.as_str())).collect())
        .collect();
    assert_eq!(
        rows,
        vec![vec![(0, "行政许可"), (1, "12")], vec![(0, "3"), (1, "")]]
    );
    assert_eq!(t.n_cols, 2);
    assert!(matches!(doc.blocks[3], Block::Table(_)));
}

#[test]
fn password_protected_and_old_word_files_say_so() {
    let err = extract(&synthetic_doc(0x0100, 0xC1)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Encrypted);
    assert!(err.message.contains("password"), "{}", err.message);
    let err = extract(&synthetic_doc(0x8100, 0xC1)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Encrypted);
    assert!(err.message.contains("XOR"), "{}", err.message);
    let err = extract(&synthetic_doc(0, 0x68)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnsupportedFormat);
    assert!(err.message.contains("Word 6.0/95"), "{}", err.message);
}
