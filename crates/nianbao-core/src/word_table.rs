//! Word-style tables into the document model, shared by the adapters of Word's two formats:
//! `.docx` (read from the XML of `document.xml`) and legacy `.doc` (read from the piece table
//! and paragraph properties).
//!
//! Both formats describe the same structure: a body of paragraphs and tables in order, a table
//! as rows of cells, and each cell with a grid span, vertical and horizontal merge flags and
//! its own paragraphs and nested tables. Each adapter reads its format into the raw types here
//! ([`Item`], [`RawTable`], [`RawRow`], [`RawCell`], [`Merge`]). [`Emitter`] then turns them
//! into [`Block`]s for both: merged cells become spans, tables nested in cells follow their
//! parent as tables of their own, one-column tables that only frame other content (a whole
//! report pasted into a single cell) are unwrapped, and every cell records its table, row and
//! grid column as provenance. With one conversion, a report saved as `.doc` and as `.docx`
//! gives the same blocks.
use crate::{Block, Cell, Paragraph, Provenance, Table};

/// Widest grid accepted; wider spans are clipped (a hostile span must not allocate).
pub const MAX_COLS: usize = 512;

/// Content of a body or of a table cell, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Paragraph(String),
    Table(RawTable),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawTable {
    /// Columns the table declares (`tblGrid` in DOCX); the grid is at least this wide.
    pub grid_cols: usize,
    pub rows: Vec<RawRow>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawRow {
    /// Grid columns skipped before the first cell (`gridBefore`).
    pub grid_before: usize,
    pub cells: Vec<RawCell>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Merge {
    #[default]
    None,
    Restart,
    Continue,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawCell {
    /// Grid columns covered (`gridSpan`); 0 counts as 1 and wider spans are clipped.
    pub grid_span: usize,
    /// Grid column where the cell starts, for a format that places each cell itself (a `.doc`
    /// row's cell edges). `None`: right after the cell before it, or after `grid_before`.
    pub grid_col: Option<usize>,
    /// Vertical merge: a continued cell adds itself to the cell that started the merge in its
    /// grid column in the rows above.
    pub v_merge: Merge,
    /// Legacy horizontal merge: a continued cell widens the cell before it in its row.
    pub h_merge: Merge,
    pub items: Vec<Item>,
}

impl Default for RawCell {
    /// An unmerged cell one column wide, placed after the cell before it, with no content.
    fn default() -> Self {
        RawCell {
            grid_span: 1,
            grid_col: None,
            v_merge: Merge::None,
            h_merge: Merge::None,
            items: Vec::new(),
        }
    }
}

/// Turns items into blocks, numbering the tables it emits from 0.
#[derive(Default)]
pub struct Emitter {
    pub blocks: Vec<Block>,
    next_table: u32,
}

impl Emitter {
    pub fn emit(&mut self, items: Vec<Item>) {
        for item in items {
            match item {
                Item::Paragraph(text) if !text.is_empty() => {
                    self.blocks.push(Block::Paragraph(Paragraph {
                        text,
                        prov: Provenance::default(),
                    }))
                }
                Item::Paragraph(_) => {}
                Item::Table(t) if is_frame(&t) => {
                    for row in t.rows {
                        for cell in row.cells {
                            self.emit(cell.items);
                        }
                    }
                }
                Item::Table(t) => {
                    let index = self.next_table;
                    self.next_table += 1;
                    let (table, nested) = build(t, index);
                    self.blocks.push(Block::Table(table));
                    // Tables found inside cells follow their parent, in order.
                    self.emit(nested.into_iter().map(Item::Table).collect());
                }
            }
        }
    }
}

/// A table of one column whose cells hold other tables: a frame, not data.
fn is_frame(t: &RawTable) -> bool {
    t.rows.iter().all(|r| r.cells.len() <= 1)
        && t.rows
            .iter()
            .flat_map(|r| &r.cells)
            .any(|c| c.items.iter().any(|i| matches!(i, Item::Table(_))))
}

/// A cell's text: its non-empty paragraphs, one per line.
fn cell_text(cell: &RawCell) -> String {
    let lines: Vec<&str> = cell
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Paragraph(p) if !p.is_empty() => Some(p.as_str()),
            _ => None,
        })
        .collect();
    lines.join("\n")
}

/// Builds one table; returns the tables nested in its cells separately.
fn build(raw: RawTable, index: u32) -> (Table, Vec<RawTable>) {
    let mut table = Table {
        prov: table_prov(index, None, None),
        ..Default::default()
    };
    let mut nested = Vec::new();
    // Per grid column: the (row, position in row) of a vertical merge still open there.
    let mut open: Vec<Option<(usize, usize)>> = Vec::new();
    for (r, raw_row) in raw.rows.into_iter().enumerate() {
        let mut row: Vec<Cell> = Vec::new();
        let mut col = raw_row.grid_before.min(MAX_COLS);
        let mut continued = vec![false; open.len()];
        for mut raw_cell in raw_row.cells {
            if let Some(start) = raw_cell.grid_col {
                col = start.min(MAX_COLS);
            }
            let span = raw_cell.grid_span.clamp(1, MAX_COLS);
            let text = cell_text(&raw_cell);
            nested.extend(raw_cell.items.drain(..).filter_map(|i| match i {
                Item::Table(t) => Some(t),
                Item::Paragraph(_) => None,
            }));
            // Legacy horizontal merge: the cell widens the one before it.
            if raw_cell.h_merge == Merge::Continue {
                if let Some(prev) = row.last_mut() {
                    prev.col_span = (prev.col_span + span).min(MAX_COLS);
                    append(&mut prev.text, &text);
                    col = (col + span).min(MAX_COLS);
                    continue;
                }
            }
            if raw_cell.v_merge == Merge::Continue {
                if let Some(Some((orow, opos))) = open.get(col).copied() {
                    let origin = if orow == r {
                        &mut row[opos]
                    } else {
                        &mut table.rows[orow][opos]
                    };
                    origin.row_span += 1;
                    append(&mut origin.text, &text);
                    continued[col] = true;
                    col = (col + span).min(MAX_COLS);
                    continue;
                }
            }
            let mut cell = Cell::new(text, col, table_prov(index, Some(r), Some(col)));
            cell.col_span = span;
            if open.len() < col + span {
                open.resize(col + span, None);
                continued.resize(col + span, false);
            }
            for slot in &mut open[col..col + span] {
                *slot = None;
            }
            if raw_cell.v_merge == Merge::Restart {
                open[col] = Some((r, row.len()));
                continued[col] = true;
            }
            row.push(cell);
            col = (col + span).min(MAX_COLS);
        }
        // A merge not continued in this row is closed.
        for (slot, kept) in open.iter_mut().zip(&continued) {
            if !kept {
                *slot = None;
            }
        }
        table.rows.push(row);
    }
    table.fix_width();
    table.n_cols = table.n_cols.max(raw.grid_cols.min(MAX_COLS));
    (table, nested)
}

fn append(text: &mut String, more: &str) {
    if !more.is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(more);
    }
}

fn table_prov(index: u32, row: Option<usize>, col: Option<usize>) -> Provenance {
    Provenance {
        table: Some(index),
        row: row.map(|r| r as u32),
        col: col.map(|c| c as u32),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str, span: usize, v: Merge) -> RawCell {
        RawCell {
            grid_span: span,
            grid_col: None,
            v_merge: v,
            h_merge: Merge::None,
            items: vec![Item::Paragraph(text.into())],
        }
    }

    #[test]
    fn vertical_and_horizontal_merges_become_spans() {
        // | A (2 rows) | B C (2 cols) |
        // |            | d   | e      |
        let raw = RawTable {
            grid_cols: 3,
            rows: vec![
                RawRow {
                    grid_before: 0,
                    cells: vec![cell("A", 1, Merge::Restart), cell("BC", 2, Merge::None)],
                },
                RawRow {
                    grid_before: 0,
                    cells: vec![
                        cell("", 1, Merge::Continue),
                        cell("d", 1, Merge::None),
                        cell("e", 1, Merge::None),
                    ],
                },
            ],
        };
        let (t, nested) = build(raw, 3);
        assert!(nested.is_empty());
        assert_eq!(t.n_cols, 3);
        let a = &t.rows[0][0];
        assert_eq!(
            (a.text.as_str(), a.col, a.row_span, a.col_span),
            ("A", 0, 2, 1)
        );
        let bc = &t.rows[0][1];
        assert_eq!((bc.col, bc.col_span, bc.row_span), (1, 2, 1));
        let texts: Vec<_> = t.rows[1].iter().map(|c| (c.text.as_str(), c.col)).collect();
        assert_eq!(texts, [("d", 1), ("e", 2)]);
        assert_eq!(t.rows[1][1].prov, table_prov(3, Some(1), Some(2)));
    }

    #[test]
    fn a_continuation_without_a_start_is_kept_as_a_cell() {
        let raw = RawTable {
            grid_cols: 1,
            rows: vec![RawRow {
                grid_before: 0,
                cells: vec![cell("x", 1, Merge::Continue)],
            }],
        };
        let (t, _) = build(raw, 0);
        assert_eq!(t.rows[0][0].text, "x");
    }
}
