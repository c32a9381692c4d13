//! Turns the element tree into the document model: block elements and `<br>` end paragraphs,
//! data tables become [`Table`]s on a browser grid, layout tables (tables holding tables, or a
//! single cell) are read through as paragraphs, and site chrome is left out.
use crate::boilerplate::{is_chrome_class, is_chrome_text, is_hidden_element, is_hidden_style};
use crate::grid::{self, Spans};
use crate::tree::{NodeKind, Tree};
use nianbao_core::{Block, Cell, Paragraph, Provenance, Table};

/// Elements that start and end a paragraph.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "main",
    "blockquote",
    "center",
    "address",
    "figure",
    "figcaption",
    "form",
    "fieldset",
    "legend",
    "hr",
    "tr",
    "td",
    "th",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "body",
    "html",
    "details",
    "summary",
    "dir",
    "menu",
    "pre",
    "table",
];

/// Elements judged as possible chrome blocks by class, id or link density.
const CHROME_CANDIDATES: &[&str] = &[
    "div", "ul", "ol", "dl", "p", "span", "section", "table", "td", "font", "center",
];

/// What a subtree holds, computed once bottom-up.
#[derive(Default, Clone, Copy)]
struct Stats {
    /// Visible characters (not white space).
    chars: usize,
    /// Characters inside `<a href>`.
    link_chars: usize,
    links: usize,
    /// `<table>` elements strictly inside.
    tables: usize,
    /// Whether the text says 报告 (the report's title or body): such blocks are never chrome.
    mentions_report: bool,
}

pub struct Output {
    pub blocks: Vec<Block>,
    pub warnings: Vec<String>,
}

pub fn blocks(tree: &Tree) -> Output {
    let mut w = Walker {
        tree,
        stats: stats(tree),
        blocks: Vec::new(),
        line: Line::default(),
        cell: None,
        pre: false,
        tables: 0,
        images: 0,
        warnings: Vec::new(),
    };
    w.walk(0);
    w.flush();
    let mut warnings = w.warnings;
    warnings.extend(crate::media::warnings(
        w.images,
        &crate::media::attachments(tree),
    ));
    Output {
        blocks: w.blocks,
        warnings,
    }
}

fn stats(tree: &Tree) -> Vec<Stats> {
    let mut s = vec![Stats::default(); tree.nodes.len()];
    // Children follow their parent in the arena: one backwards pass sums every subtree.
    for id in (1..tree.nodes.len()).rev() {
        let node = &tree.nodes[id];
        match &node.kind {
            NodeKind::Text(t) => {
                s[id].chars = t.chars().filter(|c| !c.is_whitespace()).count();
                s[id].mentions_report = t.contains("报告");
            }
            NodeKind::Element { name, .. } if name == "a" && tree.attr(id, "href").is_some() => {
                s[id].links += 1;
                s[id].link_chars = s[id].chars;
            }
            NodeKind::Element { .. } => {}
        }
        let child = s[id];
        let p = &mut s[node.parent];
        p.chars += child.chars;
        p.link_chars += child.link_chars;
        p.links += child.links;
        p.tables += child.tables + usize::from(tree.name(id) == "table");
        p.mentions_report |= child.mentions_report;
    }
    s
}

/// The paragraph being assembled from inline text, with white space collapsed as a browser
/// renders it.
#[derive(Default)]
struct Line {
    text: String,
    space: bool,
    /// The pending space came from a line break in the source: between two Chinese characters
    /// it is dropped (CSS segment-break rule), since 表格内\n文字 is one word.
    newline: bool,
    first_line: Option<u32>,
}

impl Line {
    fn push(&mut self, s: &str, line: u32, pre: bool) -> Vec<String> {
        let mut done = Vec::new();
        for c in s.chars() {
            match c {
                '\n' if pre => done.push(self.take().0),
                ' ' | '\t' | '\n' | '\r' | '\x0c' if !pre => {
                    if !self.text.is_empty() {
                        self.space = true;
                        self.newline |= c == '\n';
                    }
                }
                '\r' => {}
                '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' => {}
                c => {
                    if self.space {
                        let last = self.text.chars().next_back().unwrap_or(' ');
                        if !(self.newline && is_wide(last) && is_wide(c)) {
                            self.text.push(' ');
                        }
                        self.space = false;
                        self.newline = false;
                    }
                    self.first_line.get_or_insert(line);
                    self.text.push(if c == '\u{a0}' { ' ' } else { c });
                }
            }
        }
        done
    }

    fn take(&mut self) -> (String, Option<u32>) {
        let line = std::mem::take(self);
        (line.text.trim().to_string(), line.first_line)
    }
}

/// East Asian wide characters: CJK ideographs, kana, hangul, full-width forms and punctuation.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

struct Walker<'t> {
    tree: &'t Tree,
    stats: Vec<Stats>,
    blocks: Vec<Block>,
    line: Line,
    /// While reading a data cell: its lines, instead of paragraphs.
    cell: Option<Vec<String>>,
    pre: bool,
    tables: u32,
    /// `<img>` elements met in the content (chrome is never walked).
    images: usize,
    warnings: Vec<String>,
}

impl Walker<'_> {
    fn flush(&mut self) {
        let (text, line) = self.line.take();
        self.emit(text, line);
    }

    fn emit(&mut self, text: String, line: Option<u32>) {
        if text.is_empty() {
            return;
        }
        if let Some(cell) = &mut self.cell {
            cell.push(text);
        } else if !is_chrome_text(&text) {
            let prov = Provenance {
                line,
                ..Default::default()
            };
            self.blocks.push(Block::Paragraph(Paragraph { text, prov }));
        }
    }

    fn walk_children(&mut self, id: usize) {
        for i in 0..self.tree.nodes[id].children.len() {
            self.walk(self.tree.nodes[id].children[i]);
        }
    }

    fn walk(&mut self, id: usize) {
        let tree = self.tree;
        let node = &tree.nodes[id];
        let name = match &node.kind {
            NodeKind::Text(t) => {
                for done in self.line.push(t, node.line, self.pre) {
                    self.emit(done, Some(node.line));
                }
                return;
            }
            NodeKind::Element { name, .. } => name.as_str(),
        };
        if id != 0 && self.skipped(id, name) {
            return;
        }
        match name {
            "br" => self.flush(),
            "img" => self.images += 1,
            "table" if self.cell.is_none() => {
                self.flush();
                self.table(id);
            }
            "pre" => {
                self.flush();
                let was = std::mem::replace(&mut self.pre, true);
                self.walk_children(id);
                self.flush();
                self.pre = was;
            }
            _ if BLOCK.contains(&name) => {
                self.flush();
                self.walk_children(id);
                self.flush();
            }
            _ => self.walk_children(id),
        }
    }

    /// Whether an element is not shown or is site chrome.
    fn skipped(&self, id: usize, name: &str) -> bool {
        let t = self.tree;
        if is_hidden_style(t.attr(id, "style"), t.attr(id, "hidden").is_some()) {
            return true;
        }
        if matches!(name, "header" | "footer") && self.inside(id, &["article", "main"]) {
            // An article's own header and footer hold its title, date and signature.
            return false;
        }
        if is_hidden_element(name) {
            return true;
        }
        if self.cell.is_some() || !CHROME_CANDIDATES.contains(&name) {
            return false;
        }
        let s = self.stats[id];
        if s.tables > 0 {
            return false;
        }
        let by_name = is_chrome_class(t.attr(id, "class")) || is_chrome_class(t.attr(id, "id"));
        let link_list = s.links >= 3 && s.link_chars * 10 >= s.chars * 8;
        (by_name && !s.mentions_report) || link_list
    }

    fn inside(&self, mut id: usize, names: &[&str]) -> bool {
        while id != 0 {
            id = self.tree.nodes[id].parent;
            if names.contains(&self.tree.name(id)) {
                return true;
            }
        }
        false
    }

    /// The rows of a table, each a list of cell ids. Row groups and stray wrapper elements are
    /// looked through; cells outside any `<tr>` form a row, as browsers make them.
    fn rows(&mut self, table: usize) -> Vec<Vec<usize>> {
        let mut rows = Vec::new();
        let mut loose = Vec::new();
        let mut stack: Vec<usize> = self.tree.nodes[table]
            .children
            .iter()
            .rev()
            .copied()
            .collect();
        while let Some(id) = stack.pop() {
            match self.tree.name(id) {
                "tr" => {
                    rows.extend((!loose.is_empty()).then(|| std::mem::take(&mut loose)));
                    let cells = self.tree.nodes[id].children.iter().copied();
                    rows.push(
                        cells
                            .filter(|&c| matches!(self.tree.name(c), "td" | "th"))
                            .collect(),
                    );
                }
                "td" | "th" => loose.push(id),
                "caption" => {
                    self.walk(id);
                    self.flush();
                }
                "" => {
                    // Text misplaced in a table is shown before it.
                    self.walk(id);
                    self.flush();
                }
                "table" | "script" | "style" | "colgroup" | "col" => {}
                _ => stack.extend(self.tree.nodes[id].children.iter().rev().copied()),
            }
        }
        rows.extend((!loose.is_empty()).then_some(loose));
        rows
    }

    fn table(&mut self, id: usize) {
        let rows = self.rows(id);
        let n_cells: usize = rows.iter().map(Vec::len).sum();
        let layout = n_cells == 1 || rows.iter().flatten().any(|&c| self.stats[c].tables > 0);
        if layout {
            for &cell in rows.iter().flatten() {
                self.walk(cell);
            }
            return;
        }
        let spans: Vec<Vec<Spans>> = rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|&c| Spans {
                        col_span: grid::parse_span(self.tree.attr(c, "colspan"), 1),
                        row_span: grid::parse_span(self.tree.attr(c, "rowspan"), 1),
                    })
                    .collect()
            })
            .collect();
        let placed = grid::place(&spans);
        let index = self.tables;
        let mut table = Table {
            prov: Provenance {
                table: Some(index),
                line: Some(self.tree.nodes[id].line),
                ..Default::default()
            },
            ..Default::default()
        };
        let mut dropped = 0;
        let mut any_text = false;
        for (r, (row, places)) in rows.iter().zip(&placed).enumerate() {
            let mut cells = Vec::with_capacity(row.len());
            for (&cell, place) in row.iter().zip(places) {
                let Some(p) = place else {
                    dropped += 1;
                    continue;
                };
                let text = self.cell_text(cell);
                any_text |= !text.is_empty();
                let prov = Provenance {
                    table: Some(index),
                    row: Some(r as u32),
                    col: Some(p.col as u32),
                    ..Default::default()
                };
                cells.push(Cell {
                    text,
                    col: p.col,
                    col_span: p.col_span,
                    row_span: p.row_span,
                    prov,
                });
            }
            table.rows.push(cells);
        }
        if dropped > 0 {
            self.warnings.push(format!(
                "table {index}: {dropped} cells beyond column {} were dropped",
                grid::MAX_COLS
            ));
        }
        if any_text {
            table.fix_width();
            self.blocks.push(Block::Table(table));
            self.tables += 1;
        }
    }

    /// A data cell's text: its paragraphs and `<br>` lines joined by newlines.
    fn cell_text(&mut self, cell: usize) -> String {
        let outer_line = std::mem::take(&mut self.line);
        let outer_cell = self.cell.replace(Vec::new());
        let outer_pre = std::mem::replace(&mut self.pre, false);
        self.walk_children(cell);
        self.flush();
        let lines = std::mem::replace(&mut self.cell, outer_cell).unwrap_or_default();
        self.line = outer_line;
        self.pre = outer_pre;
        lines.join("\n")
    }
}
