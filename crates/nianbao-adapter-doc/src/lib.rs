//! Legacy Word 97-2003 documents (.doc, as saved by Word, WPS Office and LibreOffice): the
//! main document's paragraphs and tables, in order, with merged cells as spans.
//!
//! A `.doc` is an OLE2 compound file (read by the small reader in `cfb.rs`) whose `WordDocument`
//! stream holds the text and whose `0Table`/`1Table` stream holds the piece table and the
//! paragraph property index. Table cells end with a cell mark (0x07); each row ends with an
//! extra row-end paragraph whose properties carry the row's cell edges and merge flags, from
//! which the cells are placed on the table's grid (see `layout.rs`). Field codes are dropped and
//! their results kept. No dependency beyond `nianbao-core`.
//!
//! This adapter is asked before the spreadsheet adapter (priority 15 against 30), because that
//! one claims any compound file whose bytes show the UTF-16 name `Book`, which a Word
//! document's own text can contain. It claims only a compound file with a `WordDocument`
//! stream at its root, so `.xls` workbooks (`Workbook`/`Book`) and password-protected OOXML
//! packages (`EncryptionInfo`, reported by the docx adapter) are left to their adapters.
mod layout;
mod word;

use nianbao_core::word_table::Emitter;
use nianbao_core::{sniff, Adapter, Document, ErrorKind, ExtractError, Input};

pub struct DocAdapter;

impl Adapter for DocAdapter {
    fn name(&self) -> &'static str {
        "doc"
    }
    fn describe(&self) -> &'static str {
        "Word 97-2003 .doc (Word, WPS Office, LibreOffice): paragraphs and tables with merged \
         cells, field results"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn priority(&self) -> u32 {
        // After PDF (10), before DOCX (20, which also claims encrypted compound files) and the
        // spreadsheets (30, which also claim legacy .xls compound files).
        15
    }
    fn sniff(&self, bytes: &[u8]) -> bool {
        is_doc(bytes)
    }
    fn extract(&self, input: &Input<'_>) -> Result<Document, ExtractError> {
        if input.bytes.is_empty() {
            return Err(ExtractError::new(ErrorKind::Empty, "the file is empty"));
        }
        extract_doc(input.bytes)
    }
}

/// Root entries that make a compound file something other than a Word document.
const OTHER_FORMATS: [&str; 4] = ["Workbook", "Book", "EncryptionInfo", "EncryptedPackage"];

/// A compound file with a `WordDocument` stream at its root and no workbook or encrypted
/// package beside it. When the directory cannot be read (a truncated file), a Word header at
/// a sector boundary or the stream's name in the raw bytes decides, so that a damaged .doc
/// still comes here and fails as `corrupt`.
pub fn is_doc(bytes: &[u8]) -> bool {
    if !sniff::is_cfb(bytes) {
        return false;
    }
    match nianbao_core::cfb::Cfb::open(bytes) {
        Ok(c) => {
            c.root_stream("WordDocument").is_some() && !OTHER_FORMATS.iter().any(|n| c.root_has(n))
        }
        Err(_) => damaged_doc(bytes),
    }
}

/// A compound file whose directory is unreadable, but which shows a Word 97-2003 header at
/// the start of a sector or the name `WordDocument`, and neither a workbook's nor an encrypted
/// package's stream name.
fn damaged_doc(bytes: &[u8]) -> bool {
    if sniff::has_utf16le(bytes, "Workbook") || sniff::has_utf16le(bytes, "EncryptionInfo") {
        return false;
    }
    if sniff::has_utf16le(bytes, "WordDocument") {
        return true;
    }
    let shift = match bytes.get(0x1E) {
        Some(12) => 12,
        _ => 9,
    };
    let size = 1usize << shift;
    // Sector n starts at byte (n + 1) * size.
    (1..=bytes.len() / size).any(|k| {
        let s = &bytes[k * size..];
        // wIdent, then an nFib of Word 97 to 2007 (0xC1, 0xD9, 0x101, 0x10C, 0x112).
        s.len() >= 4
            && s[..2] == [0xEC, 0xA5]
            && matches!(u16::from_le_bytes([s[2], s[3]]), 0xC0..=0x112)
    })
}

fn extract_doc(bytes: &[u8]) -> Result<Document, ExtractError> {
    let c = nianbao_core::cfb::Cfb::open(bytes)?;
    let Some(wd) = c.root_stream("WordDocument") else {
        if c.root_has("EncryptionInfo") {
            return Err(ExtractError::encrypted(
                "password-protected Office document (encrypted package in a compound file): \
                 remove the password and convert again",
            ));
        }
        return Err(ExtractError::new(
            ErrorKind::UnsupportedFormat,
            "a compound file without a WordDocument stream: not a Word 97-2003 document",
        ));
    };
    let w = c.read(wd)?;
    let fib = word::parse_fib(&w)?;
    let table_name = fib.table_stream_name();
    let table_entry = c.root_stream(table_name).ok_or_else(|| {
        ExtractError::corrupt(format!(
            "damaged Word document: its {table_name} stream (piece table, properties) is missing"
        ))
    })?;
    let table = c.read(table_entry)?;
    let clx = word::parse_clx(&fib, &table)?;
    let text = clx.text(&fib, &w)?;
    let mut doc = Document::default();
    let papx = word::parse_papx(&fib, &table, &w, &mut doc.warnings)?;
    // Properties too large for their page live in the Data stream (optional).
    let data = match c.root_stream("Data") {
        Some(e) => c.read(e)?,
        None => Vec::new(),
    };
    let paras = layout::paragraphs(&text, &papx, &clx, &data);
    let mut out = Emitter::default();
    out.emit(layout::assemble(paras));
    doc.blocks = out.blocks;
    if doc.blocks.is_empty() {
        return Err(ExtractError::new(
            ErrorKind::Empty,
            "the document has no text",
        ));
    }
    if fib.n_fib > 0x112 {
        doc.warnings
            .push(format!("unknown Word file version (nFib {:#x})", fib.n_fib));
    }
    Ok(doc)
}

static DOC: DocAdapter = DocAdapter;
nianbao_core::register_adapter!(DOC);
