//! Flattens a document into rows of classified cells, the one shape every later step reads.
//!
//! Tables give their rows as they are. Text gives one row per line, split into cells on
//! markdown pipes, tabs or runs of two or more spaces (the `pdftotext -layout` style), with
//! trailing single-space-separated numbers split off (`规章 0 0 0`). Then physical rows are
//! grouped into logical rows: a line holding only numbers joins the label line above it (tables
//! flattened one cell per line, labels wrapped over the number line).
use crate::text::{classify, classify_folded, has_words, CellValue};
use nianbao_core::{Block, Document, Provenance};

#[derive(Debug, Clone)]
pub struct RCell {
    pub text: String,
    pub value: CellValue,
    pub prov: Provenance,
}

impl RCell {
    pub fn is_number(&self) -> bool {
        matches!(self.value, CellValue::Number { .. })
    }
    pub fn is_text(&self) -> bool {
        matches!(self.value, CellValue::Text)
    }
}

/// A physical row: one text line or one table row.
#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<RCell>,
    /// Whether the row came from a real table (cell positions are reliable).
    pub from_table: bool,
    /// The whole line, for section headings and metadata.
    pub text: String,
    /// Whether a blank line stands right above this line (the empty cells of a table flattened
    /// one cell per line end the label before them).
    pub gap_before: bool,
}

impl Row {
    pub fn n_numbers(&self) -> usize {
        self.cells.iter().filter(|c| c.is_number()).count()
    }
    pub fn has_text(&self) -> bool {
        self.cells.iter().any(|c| c.is_text())
    }
}

/// The label key ([`crate::text::label_key`]) of every row's text.
pub fn label_keys(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| crate::text::label_key(&r.text))
        .collect()
}

/// Flattens every block into physical rows, in document order.
pub fn physical_rows(doc: &Document) -> Vec<Row> {
    let mut rows = Vec::new();
    // The text line last read: a paragraph starting further down follows blank lines.
    let mut last_line: Option<u32> = None;
    for block in &doc.blocks {
        match block {
            Block::Paragraph(p) => {
                let mut gap = matches!((last_line, p.prov.line), (Some(a), Some(b)) if b > a + 1);
                last_line = p
                    .prov
                    .line
                    .map(|l| l + p.text.lines().count().max(1) as u32 - 1);
                for line in p.text.lines() {
                    match split_line(line, &p.prov) {
                        Some(mut r) => {
                            r.gap_before = gap;
                            gap = false;
                            rows.push(r);
                        }
                        None => gap |= line.trim().is_empty(),
                    }
                }
            }
            Block::Table(t) => {
                for (ri, row) in t.rows.iter().enumerate() {
                    let mut cells = Vec::new();
                    for c in row {
                        let mut prov = c.prov.clone();
                        if prov.row.is_none() {
                            prov.row = Some(ri as u32);
                        }
                        if prov.col.is_none() {
                            prov.col = Some(c.col as u32);
                        }
                        if prov.table.is_none() {
                            prov.table = t.prov.table;
                        }
                        if prov.page.is_none() {
                            prov.page = t.prov.page;
                        }
                        if prov.sheet.is_none() {
                            prov.sheet = t.prov.sheet.clone();
                        }
                        push_cell_text(&mut cells, &c.text, prov);
                    }
                    if cells.iter().all(|c: &RCell| c.value == CellValue::Blank) {
                        continue;
                    }
                    let mut text = String::new();
                    for (i, c) in cells.iter().enumerate() {
                        if i > 0 {
                            text.push(' ');
                        }
                        text.push_str(&c.text);
                    }
                    rows.push(Row {
                        cells,
                        from_table: true,
                        text,
                        gap_before: false,
                    });
                }
            }
        }
    }
    rows
}

/// A table cell's text: usually one value or one label; a cell holding `0 0 0` (a flattened
/// row pasted into one cell) is split into its numbers. Takes the cell's provenance: cloning
/// it (with a sheet name) for every cell was a tenth of this pass on a spreadsheet.
fn push_cell_text(cells: &mut Vec<RCell>, text: &str, prov: Provenance) {
    let t = text.trim();
    // Most cells are one word (a number, a label): nothing to split or squeeze.
    if !t.contains(char::is_whitespace) {
        cells.push(RCell {
            value: classify(t),
            text: t.to_string(),
            prov,
        });
        return;
    }
    let parts: Vec<&str> = t.split_whitespace().collect();
    if parts.len() > 1
        && parts
            .iter()
            .all(|p| matches!(classify(p), CellValue::Number { .. }))
    {
        for p in parts {
            cells.push(RCell {
                text: p.to_string(),
                value: classify(p),
                prov: prov.clone(),
            });
        }
    } else {
        let one_line = t.split_whitespace().collect::<Vec<_>>().join(" ");
        cells.push(RCell {
            value: classify(&one_line),
            text: one_line,
            prov,
        });
    }
}

/// Splits one text line into cells. Returns None for a line with nothing in it, a markdown
/// separator line, or a running page number (`-3-`, `— 4 —`, `第 2 页`).
fn split_line(line: &str, prov: &Provenance) -> Option<Row> {
    let folded = crate::text::fold(line);
    let trimmed = folded.trim();
    if trimmed.is_empty() || is_page_number(trimmed) {
        return None;
    }
    let raw_cells: Vec<&str> = if trimmed.starts_with('|') || trimmed.matches('|').count() >= 2 {
        let inner = trimmed.trim_start_matches('|').trim_end_matches('|');
        if inner.chars().all(|c| matches!(c, '-' | ':' | '|' | ' ')) {
            return None;
        }
        inner.split('|').map(str::trim).collect()
    } else if folded.contains('\t') {
        // Keep empty cells between and after tabs: they are positions (a row copied from a
        // page whose last columns, the 总计 among them, are blank).
        let mut v: Vec<&str> = folded.split('\t').map(str::trim).collect();
        if v.first().is_some_and(|s| s.is_empty()) && v.len() > 1 {
            // A leading tab is indentation, not a cell, when the line is a single cell.
            if v.iter().filter(|s| !s.is_empty()).count() == 1 {
                v.retain(|s| !s.is_empty());
            }
        }
        v
    } else {
        split_on_wide_spaces(trimmed)
    };
    let mut cells = Vec::new();
    for (i, rc) in raw_cells.iter().enumerate() {
        let mut p = prov.clone();
        if p.col.is_none() && raw_cells.len() > 1 {
            p.col = Some(i as u32);
        }
        split_trailing_numbers(&mut cells, rc, &p);
    }
    if cells.iter().all(|c| c.value == CellValue::Blank) {
        return None;
    }
    Some(Row {
        cells,
        from_table: false,
        text: trimmed.to_string(),
        gap_before: false,
    })
}

/// Splits on runs of two or more spaces: the column gaps of space-aligned text. `s` is
/// trimmed, so every piece is a slice of it (single spaces stay inside a piece).
fn split_on_wide_spaces(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' && bytes.get(i + 1) == Some(&b' ') {
            out.push(&s[start..i]);
            while bytes.get(i) == Some(&b' ') {
                i += 1;
            }
            start = i;
        } else {
            i += 1;
        }
    }
    if start < bytes.len() {
        out.push(&s[start..]);
    }
    out
}

/// `规章 0 0 0` → `规章`, `0`, `0`, `0`; a label never ends in a bare number in this template
/// (numbering comes first: `1.属于国家秘密`). `text` is folded already.
fn split_trailing_numbers(cells: &mut Vec<RCell>, text: &str, prov: &Provenance) {
    let whole = |cells: &mut Vec<RCell>| {
        cells.push(RCell {
            text: text.to_string(),
            value: classify_folded(text),
            prov: prov.clone(),
        })
    };
    // One token, the usual cell: nothing to split.
    if !text.contains(' ') {
        return whole(cells);
    }
    let tokens: Vec<&str> = text.split(' ').filter(|t| !t.is_empty()).collect();
    let mut k = tokens.len();
    while k > 0 && matches!(classify_folded(tokens[k - 1]), CellValue::Number { .. }) {
        k -= 1;
    }
    // Units written apart from their number: `8.0056 万元`.
    if k == tokens.len()
        || tokens.len() == 1
        || (k > 0 && !tokens[..k].iter().any(|t| has_words(t)))
    {
        return whole(cells);
    }
    if k > 0 {
        let label = tokens[..k].join(" ");
        cells.push(RCell {
            value: classify_folded(&label),
            text: label,
            prov: prov.clone(),
        });
    }
    for t in &tokens[k..] {
        cells.push(RCell {
            text: t.to_string(),
            value: classify_folded(t),
            prov: prov.clone(),
        });
    }
}

fn is_page_number(s: &str) -> bool {
    // Running page numbers are short; most lines are not, and are let go at once.
    const LONGEST: usize = 64;
    if s.len() > LONGEST {
        return false;
    }
    // The line without white space, on the stack (this runs on every line).
    let mut buf = [0u8; LONGEST];
    let mut n = 0;
    for c in s.chars().filter(|c| !c.is_whitespace()) {
        n += c.encode_utf8(&mut buf[n..]).len();
    }
    let Ok(core) = std::str::from_utf8(&buf[..n]) else {
        return false;
    };
    let inner = core.trim_matches(|c| matches!(c, '-' | '—' | '–' | '－'));
    if inner.len() < core.len() && !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit()) {
        return core.starts_with(['-', '—', '–', '－']) && core.ends_with(['-', '—', '–', '－']);
    }
    (core.starts_with('第') && core.ends_with('页') && core.len() <= 20)
        || (core.starts_with("Page") && core.len() <= 12)
}

/// A logical row: a label (possibly assembled from several lines) and its value slots.
#[derive(Debug, Clone)]
pub struct LRow {
    /// Index of the first physical row.
    pub start: usize,
    pub label: String,
    /// The value slots after the label: numbers, placeholders and blank cells, in order.
    pub slots: Vec<RCell>,
    pub from_table: bool,
    /// Blank cells the row had after its last slot: positions of a real grid (a table row, a
    /// markdown row), not part of `slots` so that counts stay as the text shows them.
    pub trailing_blanks: usize,
    /// Whether the label stands on lines above the numbers rather than on their own row: a
    /// pairing by order, not by position.
    pub label_apart: bool,
    /// Whether a blank line stands above the row's first line.
    pub gap_before: bool,
    /// Whether every value came from a row holding a single number (one cell per line).
    singles: bool,
}

impl LRow {
    pub fn empty() -> Self {
        LRow {
            start: 0,
            label: String::new(),
            slots: Vec::new(),
            from_table: false,
            trailing_blanks: 0,
            label_apart: false,
            gap_before: false,
            singles: false,
        }
    }
    /// How many value positions the row has: its slots and the blank cells after them.
    pub fn width(&self) -> usize {
        self.slots.len() + self.trailing_blanks
    }
    pub fn numbers(&self) -> impl Iterator<Item = &RCell> {
        self.slots.iter().filter(|c| c.is_number())
    }
    pub fn n_numbers(&self) -> usize {
        self.numbers().count()
    }
}

/// Groups physical rows `rows[range]` into logical rows.
pub fn logical_rows(rows: &[Row], range: std::ops::Range<usize>) -> Vec<LRow> {
    let mut out: Vec<LRow> = Vec::new();
    for i in range {
        let row = &rows[i];
        let (label, slots, trailing_blanks) = label_and_slots(row);
        let n = slots.iter().filter(|c| c.is_number()).count();
        if label.is_empty() && n > 0 {
            if let Some(prev) = out.last_mut() {
                let prev_n = prev.n_numbers();
                let joins = prev_n == 0 && !prev.label.is_empty()
                    || (n == 1 && slots.len() == 1 && prev.singles && !row.from_table);
                if joins {
                    prev.singles &= n == 1 && slots.len() == 1;
                    if prev_n == 0 {
                        // The label's own line had no values: these slots are its slots,
                        // blank positions included.
                        prev.slots = slots;
                        prev.trailing_blanks = trailing_blanks;
                        prev.label_apart = true;
                    } else {
                        prev.slots
                            .extend(slots.into_iter().filter(|c| c.is_number()));
                    }
                    continue;
                }
            }
        }
        out.push(LRow {
            start: i,
            singles: n <= 1 && slots.len() <= 1,
            label,
            slots,
            from_table: row.from_table,
            trailing_blanks,
            label_apart: false,
            gap_before: row.gap_before,
        });
    }
    out
}

/// The label of a row is its text cells joined; its slots are the cells after the last text
/// cell (trailing blanks dropped, and counted). Short text fragments after the numbers (a
/// vertical label broken one character per line) do not hide the numbers.
fn label_and_slots(row: &Row) -> (String, Vec<RCell>, usize) {
    let last_text = row.cells.iter().rposition(|c| c.is_text());
    let label: String = row
        .cells
        .iter()
        .filter(|c| c.is_text())
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let mut slots: Vec<RCell> = match last_text {
        Some(k) => row.cells[k + 1..].to_vec(),
        None => row.cells.clone(),
    };
    if !slots.iter().any(|c| c.is_number()) && row.n_numbers() > 0 {
        slots = row
            .cells
            .iter()
            .filter(|c| c.is_number())
            .cloned()
            .collect();
    }
    let mut trailing = 0;
    while slots.last().is_some_and(|c| c.value == CellValue::Blank) {
        slots.pop();
        trailing += 1;
    }
    (label, slots, trailing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(text: &str) -> Vec<Row> {
        let mut d = Document::default();
        for (i, l) in text.lines().enumerate() {
            d.push_paragraph(l, Provenance::line(i as u32 + 1));
        }
        physical_rows(&d)
    }

    fn texts(r: &Row) -> Vec<&str> {
        r.cells.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn splits_the_text_table_shapes() {
        let r = rows_of("| 规章 | 0 | 0 | 0 |\n|---|---|\n规章\t1\t\t3\n规章            1          0        11\n规章 0 0 0\n-3-");
        assert_eq!(r.len(), 4);
        assert_eq!(texts(&r[0]), ["规章", "0", "0", "0"]);
        assert_eq!(texts(&r[1]), ["规章", "1", "", "3"]);
        assert_eq!(texts(&r[2]), ["规章", "1", "0", "11"]);
        assert_eq!(texts(&r[3]), ["规章", "0", "0", "0"]);
    }

    #[test]
    fn one_cell_per_line_joins_its_label() {
        let r = rows_of("行政处罚\n 0\n0\n 5\n行政强制\n1\n2\n3");
        let l = logical_rows(&r, 0..r.len());
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].label, "行政处罚");
        assert_eq!(
            l[0].numbers().map(|c| c.text.as_str()).collect::<Vec<_>>(),
            ["0", "0", "5"]
        );
        assert_eq!(l[1].n_numbers(), 3);
    }

    #[test]
    fn wrapped_label_above_its_numbers() {
        let r = rows_of("（二）部分公开（区分处理的，只计这一情\n      447   7   0   0   0   0   454\n形，不计其他情形）\n1.属于国家秘密  2  0  0  0  0  0  2");
        let l = logical_rows(&r, 0..r.len());
        assert_eq!(l[0].n_numbers(), 7);
        assert!(l[0].label.contains("部分公开"));
        assert_eq!(l[1].n_numbers(), 0);
        assert_eq!(l[2].n_numbers(), 7);
    }

    #[test]
    fn markdown_blank_cells_are_slots() {
        let r = rows_of("| | | | | | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |");
        let l = logical_rows(&r, 0..r.len());
        assert_eq!(l[0].slots.len(), 15);
        assert_eq!(l[0].n_numbers(), 10);
    }
}
