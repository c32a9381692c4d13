//! From the main document's characters to the raw items of [`nianbao_core::word_table`]:
//! paragraphs split at their marks, field codes dropped (their results kept), table cells and
//! rows found from the paragraph properties, and each row's cells placed on the table's grid
//! from the cell edges of its TAP, with its merge flags. The items become blocks through the
//! conversion the docx adapter uses too, so both formats give the same blocks for one document.
use crate::word::{Clx, Pap, Papx, Tap, Text};
use nianbao_core::word_table::{Item, Merge, RawCell, RawRow, RawTable, MAX_COLS};

/// Tables nested deeper than this are read as part of the table at this depth.
const MAX_DEPTH: usize = 24;
/// Fields nested deeper than this are not tracked (their marks are still dropped).
const MAX_FIELDS: usize = 64;
/// Cell edges of different rows closer than this (in twips, 1/1440 inch) are one grid line.
const EDGE_TOLERANCE: i32 = 5;

/// One paragraph: its text lines (a manual line break or page break splits it), whether its
/// mark is a cell mark (0x07), and its properties.
#[derive(Debug)]
pub struct Para {
    pub lines: Vec<String>,
    pub cell_mark: bool,
    pub pap: Pap,
}

/// Splits the text into paragraphs and looks up each one's properties (`data` is the `Data`
/// stream, empty if there is none).
pub fn paragraphs(text: &Text, papx: &Papx, clx: &Clx, data: &[u8]) -> Vec<Para> {
    let mut out = Vec::new();
    // Open fields, innermost last: true while in the field's code (before its separator).
    let mut fields: Vec<bool> = Vec::new();
    let mut untracked = 0usize;
    let mut lines: Vec<Vec<u16>> = vec![Vec::new()];
    for (i, &u) in text.units.iter().enumerate() {
        let visible = !fields.iter().any(|&code| code);
        match u {
            0x13 if fields.len() < MAX_FIELDS => fields.push(true),
            0x13 => untracked += 1,
            0x14 if untracked == 0 => {
                if let Some(code) = fields.last_mut() {
                    *code = false;
                }
            }
            0x15 if untracked > 0 => untracked -= 1,
            0x15 => {
                fields.pop();
            }
            0x0D | 0x07 => {
                let mut pap = Pap::default();
                pap.apply(papx.at(text.fcs[i]), data);
                pap.apply(clx.prm_sprms(text.prms[i]), data);
                out.push(Para {
                    lines: std::mem::replace(&mut lines, vec![Vec::new()])
                        .iter()
                        .map(|l| String::from_utf16_lossy(l).trim().to_string())
                        .collect(),
                    cell_mark: u == 0x07,
                    pap,
                });
                if u == 0x07 {
                    // A field never spans a cell.
                    fields.clear();
                    untracked = 0;
                }
            }
            _ if !visible => {}
            // Manual line break, page or section break.
            0x0B | 0x0C => lines.push(Vec::new()),
            0x09 => push(&mut lines, 0x09),
            // Non-breaking hyphen.
            0x1E => push(&mut lines, u16::from(b'-')),
            // Other control characters: pictures (0x01), drawn objects (0x08), footnote and
            // annotation references, optional hyphens (0x1F), stray field marks.
            0x00..=0x1F => {}
            _ => push(&mut lines, u),
        }
    }
    if lines.iter().any(|l| !l.is_empty()) {
        out.push(Para {
            lines: lines
                .iter()
                .map(|l| String::from_utf16_lossy(l).trim().to_string())
                .collect(),
            cell_mark: false,
            pap: Pap::default(),
        });
    }
    out
}

fn push(lines: &mut [Vec<u16>], u: u16) {
    if let Some(last) = lines.last_mut() {
        last.push(u);
    }
}

/// A table row as read: each cell's items, and the TAP (cell edges and merge flags) of the
/// row-end paragraph, if the row has one.
#[derive(Debug, Default)]
struct Row {
    cells: Vec<Vec<Item>>,
    tap: Option<Tap>,
}

/// A table being read: its finished rows, the cells of the current row, the current cell.
#[derive(Default)]
struct Open {
    rows: Vec<Row>,
    cells: Vec<Vec<Item>>,
    items: Vec<Item>,
}

impl Open {
    fn close(mut self) -> RawTable {
        if !self.items.is_empty() {
            self.cells.push(std::mem::take(&mut self.items));
        }
        if !self.cells.is_empty() {
            self.rows.push(Row {
                cells: self.cells,
                tap: None,
            });
        }
        place(self.rows)
    }
}

/// Groups paragraphs into body items and (nested) tables.
pub fn assemble(paras: Vec<Para>) -> Vec<Item> {
    let mut body = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    for p in paras {
        let depth = p.pap.depth().min(MAX_DEPTH);
        while stack.len() > depth {
            close_top(&mut stack, &mut body);
        }
        while stack.len() < depth {
            stack.push(Open::default());
        }
        let lines = p.lines.into_iter().map(Item::Paragraph);
        let Some(top) = stack.last_mut() else {
            body.extend(lines);
            continue;
        };
        let (row_end, cell_end) = if depth == 1 {
            (p.cell_mark && p.pap.ttp, p.cell_mark && !p.pap.ttp)
        } else {
            (
                p.pap.inner_ttp,
                !p.pap.inner_ttp && (p.pap.inner_cell || p.cell_mark),
            )
        };
        if row_end {
            if !top.items.is_empty() {
                top.cells.push(std::mem::take(&mut top.items));
            }
            top.rows.push(Row {
                cells: std::mem::take(&mut top.cells),
                tap: p.pap.tap,
            });
        } else {
            top.items.extend(lines);
            if cell_end {
                top.cells.push(std::mem::take(&mut top.items));
            }
        }
    }
    while !stack.is_empty() {
        close_top(&mut stack, &mut body);
    }
    body
}

fn close_top(stack: &mut Vec<Open>, body: &mut Vec<Item>) {
    if let Some(open) = stack.pop() {
        let t = Item::Table(open.close());
        match stack.last_mut() {
            Some(parent) => parent.items.push(t),
            None => body.push(t),
        }
    }
}

/// The row's cell edges, when its TAP describes exactly its cells, left to right.
fn edges(row: &Row) -> Option<&[i16]> {
    let tap = row.tap.as_ref()?;
    (tap.centers.len() == row.cells.len() + 1 && tap.centers.windows(2).all(|w| w[0] <= w[1]))
        .then_some(tap.centers.as_slice())
}

/// The table's grid lines: every row's cell edges, those within the tolerance taken as one.
fn grid_lines(rows: &[Row]) -> Vec<i32> {
    let mut all: Vec<i32> = rows
        .iter()
        .filter_map(edges)
        .flatten()
        .map(|&e| i32::from(e))
        .collect();
    all.sort_unstable();
    let mut lines: Vec<i32> = Vec::new();
    for e in all {
        if lines.last().is_none_or(|&l| e - l > EDGE_TOLERANCE) {
            lines.push(e);
        }
    }
    lines
}

fn grid_index(lines: &[i32], edge: i16) -> usize {
    lines
        .partition_point(|&l| l <= i32::from(edge))
        .saturating_sub(1)
}

/// Places each row's cells on the table's grid: a cell starts at the grid line of its left edge
/// and spans to that of its right edge, and takes its merges from the TAP's cell flags. A row
/// whose TAP does not describe its cells has them one column each, left to right.
fn place(rows: Vec<Row>) -> RawTable {
    let lines = grid_lines(&rows);
    let rows = rows
        .into_iter()
        .map(|row| {
            let placed: Option<Vec<(usize, usize)>> = edges(&row).map(|e| {
                e.windows(2)
                    .map(|w| {
                        let start = grid_index(&lines, w[0]).min(MAX_COLS);
                        let end = grid_index(&lines, w[1]).min(MAX_COLS);
                        (start, end.saturating_sub(start).max(1))
                    })
                    .collect()
            });
            let flags = row.tap.map(|t| t.flags).unwrap_or_default();
            let cells = row
                .cells
                .into_iter()
                .enumerate()
                .map(|(i, items)| {
                    let (grid_col, grid_span) = match &placed {
                        Some(p) => (Some(p[i].0), p[i].1),
                        None => (None, 1),
                    };
                    let f = flags.get(i).copied().unwrap_or(0);
                    RawCell {
                        grid_span,
                        grid_col,
                        v_merge: match (f & 0x20 != 0, f & 0x40 != 0) {
                            (_, true) => Merge::Restart,
                            (true, false) => Merge::Continue,
                            _ => Merge::None,
                        },
                        h_merge: if f & 0x02 != 0 {
                            Merge::Continue
                        } else {
                            Merge::None
                        },
                        items,
                    }
                })
                .collect();
            RawRow {
                grid_before: 0,
                cells,
            }
        })
        .collect();
    RawTable {
        grid_cols: lines.len().saturating_sub(1),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_core::word_table::Emitter;
    use nianbao_core::Block;

    fn para(text: &str, cell_mark: bool, pap: Pap) -> Para {
        Para {
            lines: vec![text.to_string()],
            cell_mark,
            pap,
        }
    }

    fn in_table() -> Pap {
        Pap {
            in_table: true,
            ..Default::default()
        }
    }

    fn row_end(centers: &[i16], flags: &[u16]) -> Pap {
        Pap {
            in_table: true,
            ttp: true,
            tap: Some(Tap {
                centers: centers.to_vec(),
                flags: flags.to_vec(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn rows_are_placed_on_the_grid_with_merges_as_spans() {
        // | A (2 rows) | B C (2 cols) |
        // |            | d   | e      |
        let paras = vec![
            para("before", false, Pap::default()),
            para("A", true, in_table()),
            para("BC", true, in_table()),
            para("", true, row_end(&[0, 100, 300], &[0x60, 0])),
            para("", true, in_table()),
            para("d", true, in_table()),
            para("", true, in_table()),
            para("", true, row_end(&[0, 100, 200, 300], &[0x20, 0, 0])),
            para("after", false, Pap::default()),
        ];
        let items = assemble(paras);
        assert_eq!(items.len(), 3);
        let mut e = Emitter::default();
        e.emit(items);
        let Block::Table(t) = &e.blocks[1] else {
            panic!("no table: {:?}", e.blocks)
        };
        assert_eq!(t.n_cols, 3);
        let a = &t.rows[0][0];
        assert_eq!(
            (a.text.as_str(), a.col, a.row_span, a.col_span),
            ("A", 0, 2, 1)
        );
        let bc = &t.rows[0][1];
        assert_eq!((bc.col, bc.col_span), (1, 2));
        let cols: Vec<(usize, &str)> = t.rows[1].iter().map(|c| (c.col, c.text.as_str())).collect();
        assert_eq!(cols, vec![(1, "d"), (2, "")]);
        assert_eq!(t.rows[1][0].prov.row, Some(1));
    }

    #[test]
    fn nested_tables_follow_their_parent() {
        let inner = |text: &str, ttp: bool| {
            let pap = Pap {
                in_table: true,
                itap: 2,
                inner_cell: !ttp,
                inner_ttp: ttp,
                ..Default::default()
            };
            para(text, false, pap)
        };
        let paras = vec![
            para("a", true, in_table()),
            inner("x", false),
            inner("y", false),
            inner("", true),
            para("", true, in_table()),
            para("", true, row_end(&[0, 10, 20], &[])),
        ];
        let mut e = Emitter::default();
        e.emit(assemble(paras));
        assert_eq!(e.blocks.len(), 2);
        let Block::Table(outer) = &e.blocks[0] else {
            panic!()
        };
        assert_eq!(outer.rows[0].len(), 2);
        let Block::Table(inner) = &e.blocks[1] else {
            panic!()
        };
        assert_eq!(inner.prov.table, Some(1));
        assert_eq!(inner.rows[0][1].text, "y");
    }
}
