//! Maps a [`Document`] (any format) onto the national template of 政府信息公开工作年度报告:
//! finds the six sections, detects the template version, attributes every table cell to a key
//! of `keys.tsv`, reads the metadata and runs the consistency checks.

pub mod expected;
pub mod keys;
pub mod record;

pub use keys::Version;
pub use record::{Check, Num, Record, Report, Sections, Source, Status};

use nianbao_core::Document;

/// Builds the record of one extracted document.
pub fn convert(doc: &Document, source: Source) -> Record {
    let mut r = Record::new(source);
    r.source.encoding = doc.encoding.clone();
    r.warnings.extend(doc.warnings.iter().cloned());
    r
}
