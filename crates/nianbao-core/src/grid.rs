//! A grid of cell texts (a spreadsheet's sheet, a CSV file) into blocks. A grid is cut at empty rows into bands; a band whose rows
//! each hold at most one value is text (a title, a heading, a paragraph of section text, one
//! per row); any other band is a table covering the band's columns, with every grid position
//! present (blank cells stay as empty cells, so values keep their column).
use crate::{Block, Cell, Paragraph, Provenance, Table};
use std::sync::Arc;

/// A merged region in sheet coordinates, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

/// A sheet's used area: `text[r][c]` is the cell at sheet row `origin.0 + r`, column `origin.1 + c`.
pub struct SheetGrid<'a> {
    /// The sheet's name, for provenance (none for a CSV file).
    pub name: Option<&'a str>,
    /// The text line each row starts on (a CSV file), for provenance; empty for a sheet.
    pub lines: Vec<u32>,
    pub origin: (u32, u32),
    pub text: Vec<Vec<String>>,
    pub merges: Vec<Merge>,
    pub first_table_index: u32,
}

pub fn blocks(g: &SheetGrid) -> Vec<Block> {
    let sheet: Option<Arc<str>> = g.name.map(Arc::from);
    let height = g.text.len();
    let width = g.text.iter().map(Vec::len).max().unwrap_or(0);
    // For each grid position: the merge that covers it (if it is not the top-left cell), or
    // the merge it starts.
    let mut covered = vec![vec![false; width]; height];
    let mut starts: Vec<Vec<Option<(usize, usize)>>> = vec![vec![None; width]; height];
    let mut merged_rows = vec![false; height];
    for m in &g.merges {
        let (Some(r0), Some(c0)) = (
            m.first_row.checked_sub(g.origin.0),
            m.first_col.checked_sub(g.origin.1),
        ) else {
            continue;
        };
        let (r0, c0) = (r0 as usize, c0 as usize);
        if r0 >= height || c0 >= width || m.last_row < m.first_row || m.last_col < m.first_col {
            continue;
        }
        let r1 = ((m.last_row - g.origin.0) as usize).min(height - 1);
        let c1 = ((m.last_col - g.origin.1) as usize).min(width - 1);
        starts[r0][c0] = Some((r1 - r0 + 1, c1 - c0 + 1));
        for (r, row) in covered.iter_mut().enumerate().take(r1 + 1).skip(r0) {
            if r1 > r0 {
                merged_rows[r] = true;
            }
            for (c, cov) in row.iter_mut().enumerate().take(c1 + 1).skip(c0) {
                *cov = (r, c) != (r0, c0);
            }
        }
    }
    let at = |r: usize, c: usize| {
        g.text
            .get(r)
            .and_then(|row| row.get(c))
            .map(String::as_str)
            .unwrap_or("")
    };
    let filled = |r: usize| (0..width).filter(|&c| !at(r, c).is_empty()).count();

    let mut out = Vec::new();
    let mut table_index = g.first_table_index;
    let mut r = 0;
    while r < height {
        if filled(r) == 0 && !merged_rows[r] {
            r += 1;
            continue;
        }
        // A band: consecutive rows with content (or inside a vertical merge).
        let start = r;
        while r < height && (filled(r) > 0 || merged_rows[r]) {
            r += 1;
        }
        let band = start..r;
        if band.clone().all(|i| filled(i) <= 1 && !merged_rows[i]) {
            for i in band {
                if let Some(c) = (0..width).find(|&c| !at(i, c).is_empty()) {
                    out.push(Block::Paragraph(Paragraph {
                        text: at(i, c).to_string(),
                        prov: prov(g, &sheet, None, i, c),
                    }));
                }
            }
            continue;
        }
        // The band's columns: from the first to the last holding a value or a merge.
        let used = |c: usize| {
            band.clone()
                .any(|i| !at(i, c).is_empty() || starts[i][c].is_some())
        };
        let Some(c_first) = (0..width).find(|&c| used(c)) else {
            continue;
        };
        let c_last = (0..width).rev().find(|&c| used(c)).unwrap_or(c_first);
        let mut table = Table {
            prov: prov(g, &sheet, Some(table_index), start, c_first),
            ..Default::default()
        };
        for i in band.clone() {
            let mut row = Vec::new();
            for c in c_first..=c_last {
                if covered[i][c] {
                    continue;
                }
                let mut cell = Cell::new(
                    at(i, c),
                    c - c_first,
                    prov(g, &sheet, Some(table_index), i, c),
                );
                if let Some((rows, cols)) = starts[i][c] {
                    cell.row_span = rows.min(r - i);
                    cell.col_span = cols.min(c_last + 1 - c);
                }
                row.push(cell);
            }
            table.rows.push(row);
        }
        table.fix_width();
        out.push(Block::Table(table));
        table_index += 1;
    }
    out
}

fn prov(
    g: &SheetGrid,
    sheet: &Option<Arc<str>>,
    table: Option<u32>,
    r: usize,
    c: usize,
) -> Provenance {
    Provenance {
        sheet: sheet.clone(),
        line: g.lines.get(r).copied(),
        table,
        row: Some(g.origin.0 + r as u32),
        col: Some(g.origin.1 + c as u32),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]], merges: Vec<Merge>) -> SheetGrid<'static> {
        SheetGrid {
            name: Some("表三"),
            lines: Vec::new(),
            origin: (2, 1),
            text: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
            merges,
            first_table_index: 0,
        }
    }

    #[test]
    fn bands_become_paragraphs_and_tables() {
        let g = grid(
            &[
                &["三、收到和处理政府信息公开申请情况", "", ""],
                &["", "", ""],
                &["申请人情况", "", ""],
                &["一、本年新收", "", "5"],
                &["二、上年结转", "1", ""],
            ],
            vec![Merge {
                first_row: 4,
                first_col: 1,
                last_row: 4,
                last_col: 3,
            }],
        );
        let b = blocks(&g);
        assert_eq!(b.len(), 2);
        let Block::Paragraph(p) = &b[0] else { panic!() };
        assert_eq!(
            (p.text.as_str(), p.prov.row, p.prov.col),
            ("三、收到和处理政府信息公开申请情况", Some(2), Some(1))
        );
        let Block::Table(t) = &b[1] else { panic!() };
        assert_eq!(t.n_cols, 3);
        assert_eq!(t.rows[0].len(), 1);
        assert_eq!(t.rows[0][0].col_span, 3);
        // Blank cells stay, so the 5 keeps its column.
        let row: Vec<_> = t.rows[1].iter().map(|c| (c.text.as_str(), c.col)).collect();
        assert_eq!(row, [("一、本年新收", 0), ("", 1), ("5", 2)]);
        assert_eq!(t.rows[2][1].prov.row, Some(6));
        assert_eq!(t.rows[2][1].prov.col, Some(2));
        assert_eq!(t.rows[2][1].prov.sheet.as_deref(), Some("表三"));
    }

    #[test]
    fn a_vertical_merge_keeps_its_rows_in_one_table() {
        let g = grid(
            &[
                &["三、本年度办理结果", "（一）予以公开", "3"],
                &["", "", ""],
                &["", "（二）部分公开", "1"],
            ],
            vec![Merge {
                first_row: 2,
                first_col: 1,
                last_row: 4,
                last_col: 1,
            }],
        );
        let b = blocks(&g);
        assert_eq!(b.len(), 1);
        let Block::Table(t) = &b[0] else { panic!() };
        assert_eq!(t.rows[0][0].row_span, 3);
        assert_eq!(t.rows[1].len(), 2);
        assert_eq!(t.rows[2][0].text, "（二）部分公开");
    }
}
