//! The document model: paragraphs and tables in reading order, each with where it was read.
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where a piece of text was read. Every field is optional: each format fills what it knows
/// (a PDF page and position, a spreadsheet sheet and cell, a text line).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Shared by every cell of the sheet (a string per cell was a tenth of a spreadsheet's
    /// template pass).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<Arc<str>>,
    /// Index of the table in the document (0-based), for formats with real tables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<u32>,
    /// Row within the table or sheet (0-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// Grid column within the table or sheet (0-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub col: Option<u32>,
    /// Line in a text file (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Position on a PDF page in points from the top-left corner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<f32>,
    /// OCR of a scan: the lowest word confidence (0–100) of the cell's reading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocr_conf: Option<f32>,
    /// OCR of a scan: the cell's box in the straightened page image, in pixels
    /// (left, top, right, bottom).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pixels: Option<[u32; 4]>,
    /// OCR of a scan: a cell left empty because its readings were in doubt, with the numbers
    /// they saw, so that the form's sums may confirm one of them or a one-digit change of it.
    #[serde(skip)]
    pub ocr_read: Vec<String>,
}

impl Provenance {
    pub fn line(line: u32) -> Self {
        Provenance {
            line: Some(line),
            ..Default::default()
        }
    }
    pub fn page(page: u32) -> Self {
        Provenance {
            page: Some(page),
            ..Default::default()
        }
    }
}

/// A run of text outside tables: a heading, a paragraph, one line of a text file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paragraph {
    pub text: String,
    pub prov: Provenance,
}

/// One table cell. Cells covered by a merge are not repeated: only the top-left cell of a
/// merged region appears, with its spans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub text: String,
    /// Grid column where the cell starts (0-based).
    pub col: usize,
    /// Columns covered (1 for an unmerged cell).
    pub col_span: usize,
    /// Rows covered (1 for an unmerged cell).
    pub row_span: usize,
    pub prov: Provenance,
}

impl Cell {
    pub fn new(text: impl Into<String>, col: usize, prov: Provenance) -> Self {
        Cell {
            text: text.into(),
            col,
            col_span: 1,
            row_span: 1,
            prov,
        }
    }
}

/// A table as a grid: `rows[r]` holds the cells that start in row `r`, ordered by column.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Table {
    pub rows: Vec<Vec<Cell>>,
    /// Number of grid columns (the widest row, spans included).
    pub n_cols: usize,
    pub prov: Provenance,
}

impl Table {
    /// Recomputes `n_cols` from the cells.
    pub fn fix_width(&mut self) {
        self.n_cols = self
            .rows
            .iter()
            .flat_map(|r| r.iter().map(|c| c.col + c.col_span.max(1)))
            .max()
            .unwrap_or(0);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Paragraph(Paragraph),
    Table(Table),
}

/// What an adapter hands the template crate: blocks in reading order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Document {
    pub blocks: Vec<Block>,
    /// Text encoding detected for text-based formats (`UTF-8`, `GB18030`, `UTF-16LE`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Page count for paged formats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// What the adapter found odd (a page with no text, a formula without a cached value).
    pub warnings: Vec<String>,
    /// The title the file's own properties give (DOCX/XLSX `docProps/core.xml`, PDF `/Title`,
    /// HTML `<title>`): not shown in the body, so only a fallback for the report's metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Document {
    pub fn push_paragraph(&mut self, text: impl Into<String>, prov: Provenance) {
        self.blocks.push(Block::Paragraph(Paragraph {
            text: text.into(),
            prov,
        }));
    }

    /// The tables, in reading order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Table(t) => Some(t),
            Block::Paragraph(_) => None,
        })
    }

    /// The paragraphs' text, in reading order.
    pub fn paragraphs(&self) -> impl Iterator<Item = &str> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Paragraph(p) => Some(p.text.as_str()),
            Block::Table(_) => None,
        })
    }

    /// All text of the document, paragraphs and cells, one block or row per line.
    /// Used for metadata and for deciding whether anything report-like is present.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            match b {
                Block::Paragraph(p) => {
                    out.push_str(&p.text);
                    out.push('\n');
                }
                Block::Table(t) => {
                    for row in &t.rows {
                        let cells: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
                        out.push_str(&cells.join("\t"));
                        out.push('\n');
                    }
                }
            }
        }
        out
    }
}
