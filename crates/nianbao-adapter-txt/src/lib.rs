//! Plain-text reports: any encoding a Chinese archive holds, one paragraph per line. Tables in
//! text (markdown pipes, tabs, space-aligned columns, one cell per line) are split into cells by
//! the template crate, which sees the same shapes in other formats' text. A text that is
//! comma-separated values (a spreadsheet exported to CSV) is read as a grid instead.
mod csv;
mod decode;

pub use decode::{decode, looks_like_text, Decoded};

use nianbao_core::{sniff, Adapter, Document, ErrorKind, ExtractError, Input, Provenance};

pub struct TxtAdapter;

impl Adapter for TxtAdapter {
    fn name(&self) -> &'static str {
        "txt"
    }
    fn describe(&self) -> &'static str {
        "plain text and CSV: UTF-8, GB18030/GBK, UTF-16 (with or without BOM), Big5"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn priority(&self) -> u32 {
        200
    }
    fn sniff(&self, bytes: &[u8]) -> bool {
        // The catch-all: anything that is not a known binary container and reads as text.
        !bytes.is_empty()
            && !sniff::is_zip(bytes)
            && !sniff::is_cfb(bytes)
            && !sniff::is_pdf(bytes)
            && looks_like_text(bytes)
    }
    fn extract(&self, input: &Input<'_>) -> Result<Document, ExtractError> {
        if input.bytes.is_empty() {
            return Err(ExtractError::new(ErrorKind::Empty, "the file is empty"));
        }
        let decoded = decode(input.bytes);
        let mut doc = Document {
            encoding: Some(decoded.encoding.to_string()),
            ..Default::default()
        };
        if decoded.had_errors {
            doc.warnings.push(format!(
                "text is not valid {}: malformed bytes were replaced",
                decoded.encoding
            ));
        }
        if let Some(blocks) = csv::blocks(&decoded.text) {
            doc.blocks = blocks;
        } else {
            for (i, line) in decoded.text.lines().enumerate() {
                if !line.trim().is_empty() {
                    doc.push_paragraph(line.trim_end(), Provenance::line(i as u32 + 1));
                }
            }
        }
        if doc.blocks.is_empty() {
            return Err(ExtractError::new(
                ErrorKind::Empty,
                "the text holds only white space",
            ));
        }
        Ok(doc)
    }
}

static TXT: TxtAdapter = TxtAdapter;
nianbao_core::register_adapter!(TXT);
