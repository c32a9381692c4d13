//! Why a document could not be converted: an error kind for the record and a message for people.
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a document could not be converted. Serialised in snake_case into `error.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Zero bytes.
    Empty,
    /// The bytes claim a format but cannot be parsed (truncated, damaged).
    Corrupt,
    /// Password protected or encrypted.
    Encrypted,
    /// A PDF with pages but no text: a scan that needs OCR.
    NoTextLayer,
    /// No adapter recognises the bytes.
    UnsupportedFormat,
    /// Readable, but nothing in it looks like an annual report.
    NotAReport,
    /// Over a size, ratio or depth limit.
    TooLarge,
    /// Ran past the per-document time limit.
    Timeout,
    /// A bug: a panic or a crash inside an adapter.
    Internal,
    /// The file could not be read from disk.
    Io,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Empty => "empty",
            ErrorKind::Corrupt => "corrupt",
            ErrorKind::Encrypted => "encrypted",
            ErrorKind::NoTextLayer => "no_text_layer",
            ErrorKind::UnsupportedFormat => "unsupported_format",
            ErrorKind::NotAReport => "not_a_report",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Internal => "internal",
            ErrorKind::Io => "io",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed extraction: the kind (machine readable) and a message for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ExtractError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ExtractError {
            kind,
            message: message.into(),
        }
    }
    pub fn corrupt(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Corrupt, message)
    }
    pub fn encrypted(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Encrypted, message)
    }
    pub fn not_a_report(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotAReport, message)
    }
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ExtractError {}
