//! Pages of glyphs and rules → document blocks: ruled tables become `Table`s with spanned
//! cells, the remaining text becomes one `Paragraph` per visual line; running page numbers and
//! headers/footers are dropped, and a table continuing on the next page is joined.

use crate::grid::{self, Grid};
use crate::interp::{Glyph, PageContent};
use crate::lines::{self, Line};
use nianbao_core::{Block, Cell, Document, Paragraph, Provenance, Table};
use std::collections::HashMap;

/// A table while pages are assembled; keeps its column edges for joining across pages.
struct PendingTable {
    xs: Vec<f32>,
    table: Table,
}

enum Item {
    Line {
        text: String,
        x: f32,
        top: f32,
        page: u32,
        furniture_zone: bool,
    },
    Table(PendingTable),
}

/// Share of the page height at the top and bottom where running headers and footers live.
const MARGIN_TOP: f32 = 0.09;
const MARGIN_BOTTOM: f32 = 0.12;

pub fn assemble(pages: &[PageContent]) -> Document {
    let mut per_page: Vec<Vec<(f32, Item)>> = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        per_page.push(page_items(page, i as u32 + 1));
    }
    drop_furniture(&mut per_page);
    let mut doc = Document {
        pages: Some(pages.len() as u32),
        ..Default::default()
    };
    let mut pending: Option<PendingTable> = None;
    let mut n_tables = 0u32;
    for items in per_page {
        for (_, item) in items {
            match item {
                Item::Line {
                    text, x, top, page, ..
                } => {
                    if let Some(t) = pending.take() {
                        push_table(&mut doc, t, &mut n_tables);
                    }
                    let prov = Provenance {
                        page: Some(page),
                        x: Some(x),
                        y: Some(top),
                        ..Default::default()
                    };
                    doc.blocks.push(Block::Paragraph(Paragraph { text, prov }));
                }
                Item::Table(t) => match pending.as_mut() {
                    Some(p) if same_columns(&p.xs, &t.xs) => {
                        let mut rows = t.table.rows;
                        if let (Some(last), Some(first)) = (p.table.rows.last_mut(), rows.first()) {
                            if continues(last, first) {
                                join_row(last, first);
                                rows.remove(0);
                            }
                        }
                        p.table.rows.extend(rows)
                    }
                    _ => {
                        if let Some(p) = pending.replace(t) {
                            push_table(&mut doc, p, &mut n_tables);
                        }
                    }
                },
            }
        }
    }
    if let Some(t) = pending.take() {
        push_table(&mut doc, t, &mut n_tables);
    }
    doc
}

/// Whether `first`, the first row of a table's part on a new page, holds only the second
/// lines of `last`'s cells: a row that Word let break across the page. Every cell of it with
/// text is a digit fragment under a cell of `last` ending in a digit (or a thousands comma);
/// its label cells are empty.
fn continues(last: &[Cell], first: &[Cell]) -> bool {
    let page = |r: &[Cell]| r.iter().find_map(|c| c.prov.page);
    if page(first) <= page(last) {
        return false;
    }
    let is_fragment = |t: &str| {
        t.chars()
            .all(|c| c.is_ascii_digit() || c == ',' || ('０'..='９').contains(&c))
    };
    let mut any = false;
    for c in first {
        let t = c.text.trim();
        if t.is_empty() {
            continue;
        }
        let above = last.iter().find(|a| a.col == c.col).map(|a| a.text.trim());
        let open = above.is_some_and(|a| {
            a.ends_with(|ch: char| ch.is_ascii_digit() || ch == ',' || ('０'..='９').contains(&ch))
        });
        if !is_fragment(t) || !open {
            return false;
        }
        any = true;
    }
    any
}

/// Appends each fragment of a row continued on the next page to the cell above it.
fn join_row(last: &mut [Cell], first: &[Cell]) {
    for c in first {
        let t = c.text.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(a) = last.iter_mut().find(|a| a.col == c.col) {
            a.text = format!("{}{t}", a.text.trim_end());
        }
    }
}

/// Blank cells in columns that hold labels (mostly non-numeric text) are dropped: they are
/// the unused half of a label area, not value slots, and would shift positional attribution.
/// Blank cells in value columns stay, and so do blanks right of a number in their row: a
/// column whose only text is its header (科研机构 left blank all the way down) is a value
/// column too.
fn drop_blank_label_cells(t: &mut Table) {
    let mut votes: HashMap<usize, (usize, usize)> = HashMap::new();
    for c in t.rows.iter().flatten() {
        let text = c.text.trim();
        if text.is_empty() {
            continue;
        }
        let numeric = is_number_cell(text);
        let v = votes.entry(c.col).or_default();
        if numeric {
            v.0 += 1;
        } else {
            v.1 += 1;
        }
    }
    for row in &mut t.rows {
        let first_number = row
            .iter()
            .filter(|c| is_number_cell(&c.text))
            .map(|c| c.col)
            .min();
        row.retain(|c| {
            !c.text.trim().is_empty()
                || votes.get(&c.col).is_none_or(|(num, text)| num >= text)
                || first_number.is_some_and(|f| c.col > f)
        });
    }
}

fn is_number_cell(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty()
        && text
            .chars()
            .all(|ch| ch.is_ascii_digit() || ".,-%".contains(ch))
}

fn same_columns(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 3.0)
}

/// Numbers the table and its rows and cells, then emits it.
fn push_table(doc: &mut Document, mut p: PendingTable, n: &mut u32) {
    drop_blank_label_cells(&mut p.table);
    for (r, row) in p.table.rows.iter_mut().enumerate() {
        for c in row.iter_mut() {
            c.prov.table = Some(*n);
            c.prov.row = Some(r as u32);
        }
    }
    p.table.prov.table = Some(*n);
    p.table.fix_width();
    *n += 1;
    doc.blocks.push(Block::Table(p.table));
}

/// One page's tables and lines, ordered top to bottom (the f32 is the top edge).
fn page_items(page: &PageContent, page_no: u32) -> Vec<(f32, Item)> {
    let grids = grid::find(&page.rules);
    let mut in_grid: Vec<Vec<&Glyph>> = vec![Vec::new(); grids.len()];
    let mut free: Vec<&Glyph> = Vec::new();
    for g in &page.glyphs {
        match grids.iter().position(|gr| gr.contains(g.cx(), g.cy())) {
            Some(i) => in_grid[i].push(g),
            None => free.push(g),
        }
    }
    let mut items: Vec<(f32, Item)> = Vec::new();
    for (grid, glyphs) in grids.iter().zip(in_grid) {
        if glyphs.is_empty() {
            continue;
        }
        items.push((grid.top(), Item::Table(table_of(grid, &glyphs, page_no))));
    }
    let h = page.height.max(1.0);
    for line in lines::build(&free) {
        let text = lines::text(&line, true);
        if text.is_empty() {
            continue;
        }
        let zone = line.bottom < h * MARGIN_TOP || line.top > h * (1.0 - MARGIN_BOTTOM);
        items.push((
            line.top,
            Item::Line {
                text,
                x: line.x0,
                top: line.top,
                page: page_no,
                furniture_zone: zone,
            },
        ));
    }
    items.sort_by(|a, b| a.0.total_cmp(&b.0));
    items
}

fn table_of(grid: &Grid, glyphs: &[&Glyph], page_no: u32) -> PendingTable {
    let mut per_cell: Vec<Vec<&Glyph>> = vec![Vec::new(); grid.cells.len()];
    for g in glyphs {
        per_cell[grid.cell_at(g.cx(), g.cy())].push(g);
    }
    let n_rows = grid.ys.len() - 1;
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); n_rows];
    for (span, gs) in grid.cells.iter().zip(&per_cell) {
        let cell_lines: Vec<Line> = lines::build(gs);
        let prov = Provenance {
            page: Some(page_no),
            col: Some(span.c0 as u32),
            x: Some(grid.xs[span.c0]),
            y: Some(grid.ys[span.r0]),
            ..Default::default()
        };
        rows[span.r0].push(Cell {
            text: lines::join_cell(&cell_lines),
            col: span.c0,
            col_span: span.c1 - span.c0 + 1,
            row_span: span.r1 - span.r0 + 1,
            prov,
        });
    }
    for row in &mut rows {
        row.sort_by_key(|c| c.col);
    }
    rows.retain(|r| !r.is_empty());
    let prov = Provenance {
        page: Some(page_no),
        x: Some(grid.xs[0]),
        y: Some(grid.top()),
        ..Default::default()
    };
    PendingTable {
        xs: grid.xs.clone(),
        table: Table {
            rows,
            n_cols: 0,
            prov,
        },
    }
}

/// A running page number: `-3-`, `— 3 —`, `3`, `第3页`, `第 3 页 共 6 页`, `3/6`.
pub fn is_page_number(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let core = t.trim_matches(|c: char| "-—–－‐·•()（）".contains(c));
    if core.is_empty() {
        return false;
    }
    if core.chars().all(|c| c.is_ascii_digit()) && core.len() <= 3 {
        return true;
    }
    let digits_only = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if let Some(rest) = core.strip_prefix('第') {
        let first = rest.split('页').next().unwrap_or("");
        return digits_only(first) && (rest.ends_with('页'));
    }
    if let Some((a, b)) = core.split_once('/') {
        return digits_only(a) && digits_only(b);
    }
    false
}

/// Drops page numbers in the margins, and header/footer lines that repeat (digits ignored)
/// in the same margin on at least half of the pages.
fn drop_furniture(pages: &mut [Vec<(f32, Item)>]) {
    let key = |t: &str| {
        t.chars()
            .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
            .collect::<String>()
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for items in pages.iter() {
        let mut seen = std::collections::HashSet::new();
        for (_, it) in items {
            if let Item::Line {
                text,
                furniture_zone: true,
                ..
            } = it
            {
                let k = key(text);
                if !k.is_empty() && seen.insert(k.clone()) {
                    *counts.entry(k).or_default() += 1;
                }
            }
        }
    }
    let repeated =
        |t: &str| pages.len() >= 3 && counts.get(&key(t)).is_some_and(|n| *n * 2 >= pages.len());
    let drop: Vec<Vec<bool>> = pages
        .iter()
        .map(|items| {
            items
                .iter()
                .map(|(_, it)| match it {
                    Item::Line {
                        text,
                        furniture_zone: true,
                        ..
                    } => is_page_number(text) || repeated(text),
                    _ => false,
                })
                .collect()
        })
        .collect();
    for (items, flags) in pages.iter_mut().zip(drop) {
        let mut k = 0;
        items.retain(|_| {
            k += 1;
            !flags[k - 1]
        });
    }
}

#[cfg(test)]
mod tests {
    use super::is_page_number;

    #[test]
    fn page_numbers() {
        for t in [
            "-3-",
            "- 3 -",
            "— 12 —",
            "3",
            "第3页",
            "第 3 页 共 6 页",
            "3/6",
            "－2－",
        ] {
            assert!(is_page_number(t), "{t}");
        }
        for t in ["2024", "一、总体情况", "3 件", "第三页", "-"] {
            assert!(!is_page_number(t), "{t}");
        }
    }
}
