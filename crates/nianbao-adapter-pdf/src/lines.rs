//! Glyphs → visual lines → text. A line is a run of glyphs whose vertical centres fall inside
//! the band of the line's first glyph; within a line glyphs are ordered by x and joined with
//! nothing (Chinese), a space (a word gap) or two spaces (a column gap, which the template
//! splits into cells).

use crate::interp::Glyph;

pub struct Line<'g> {
    pub glyphs: Vec<&'g Glyph>,
    pub top: f32,
    pub bottom: f32,
    pub x0: f32,
    pub x1: f32,
}

/// Groups glyphs into lines, top to bottom.
pub fn build<'g>(glyphs: &[&'g Glyph]) -> Vec<Line<'g>> {
    let mut sorted: Vec<&Glyph> = glyphs.to_vec();
    sorted.sort_by(|a, b| a.cy().total_cmp(&b.cy()).then(a.x0.total_cmp(&b.x0)));
    let mut lines: Vec<Line> = Vec::new();
    for g in sorted {
        // Join the most recent line whose band holds this glyph's centre (lines are few per
        // band, so looking back a little is enough; superscripts stay on their line).
        let hit = lines.iter_mut().rev().take(3).find(|l| {
            let band = (l.bottom - l.top).min(g.bottom - g.top);
            let overlap = l.bottom.min(g.bottom) - l.top.max(g.top);
            overlap > 0.5 * band && g.cy() > l.top && g.cy() < l.bottom
        });
        match hit {
            Some(l) => {
                l.top = l.top.min(g.top);
                l.bottom = l.bottom.max(g.bottom);
                l.x0 = l.x0.min(g.x0);
                l.x1 = l.x1.max(g.x1);
                l.glyphs.push(g);
            }
            None => lines.push(Line {
                glyphs: vec![g],
                top: g.top,
                bottom: g.bottom,
                x0: g.x0,
                x1: g.x1,
            }),
        }
    }
    for l in &mut lines {
        l.glyphs.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        dedupe_overprint(&mut l.glyphs);
    }
    lines.sort_by(|a, b| a.top.total_cmp(&b.top));
    lines
}

/// Fake bold draws a glyph twice at (almost) the same place: keep one.
fn dedupe_overprint(glyphs: &mut Vec<&Glyph>) {
    glyphs.dedup_by(|b, a| {
        a.text == b.text
            && (a.x0 - b.x0).abs() < 0.2 * a.size.max(1.0)
            && (a.top - b.top).abs() < 1.0
    });
}

/// Whether a character belongs to CJK text, where words are not separated by spaces.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Text of one line. `columns`: whether wide gaps become two spaces (paragraph lines that may
/// be rows of an unruled table) or one (inside a table cell).
pub fn text(line: &Line, columns: bool) -> String {
    // A line with several wide gaps is a row of a table drawn without borders: there, a label
    // running up to a number is a column boundary even when the gap is small.
    let wide_gaps = line
        .glyphs
        .windows(2)
        .filter(|w| w[1].x0 - w[0].x1 > 1.5 * w[0].size.max(w[1].size).max(1.0))
        .count();
    let table_row = columns && wide_gaps >= 2;
    let mut out = String::new();
    let mut prev: Option<&Glyph> = None;
    for g in &line.glyphs {
        if let Some(p) = prev {
            let gap = g.x0 - p.x1;
            let em = p.size.max(g.size).max(1.0);
            let last = out.chars().last().unwrap_or(' ');
            let next = g.text.chars().next().unwrap_or(' ');
            // Where a label meets a number with a visible gap (cell padding of a table drawn
            // without borders), that is a column gap too; body text has no gap there.
            let label_to_number =
                (next.is_ascii_digit() && is_cjk(last)) || (last.is_ascii_digit() && is_cjk(next));
            if columns && (gap > 1.5 * em || (table_row && gap > 0.12 * em && label_to_number)) {
                out.push_str("  ");
            } else if gap > 0.2 * em && !(is_cjk(last) || is_cjk(next)) {
                out.push(' ');
            } else if gap > 0.8 * em && (!is_cjk(last) || !is_cjk(next)) {
                // Between a number and a Chinese word, a visible gap is a separator.
                out.push(' ');
            }
        }
        out.push_str(&g.text);
        prev = Some(g);
    }
    out.trim().to_string()
}

/// Joins the lines of a table cell: Chinese lines and wrapped numbers run on.
pub fn join_cell(lines: &[Line]) -> String {
    let mut out = String::new();
    for l in lines {
        let t = text(l, false);
        if t.is_empty() {
            continue;
        }
        let last = out.chars().last();
        let next = t.chars().next();
        // A number wrapped in a narrow cell continues on the next line: no space between
        // digits; words of Latin text do get one.
        if let (Some(a), Some(b)) = (last, next) {
            let digits = a.is_ascii_digit() && (b.is_ascii_digit() || b == '.' || b == ',');
            if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() && !digits {
                out.push(' ');
            }
        }
        out.push_str(&t);
    }
    out
}
