//! Space-aligned text (`pdftotext -layout`) of tables whose counts wrap inside narrow cells:
//! `1,1` above `85`, `６` above `１` above `２`, and the second line of a row that broke across
//! a page at the top of the next one. A line of digits standing under a row's numbers, column
//! by column, continues them; the completed row is kept only when it satisfies its own total
//! (表三: six applicant columns sum to 总计; 表四: each group's four outcomes to its 总计).
//! Otherwise the row keeps its label only, and a warning names it.
use crate::text::fold;
use nianbao_core::{Block, Document, Paragraph};

/// A run of non-space characters and the columns it spans (characters, not bytes).
#[derive(Debug, Clone)]
struct Token {
    start: usize,
    end: usize,
    text: String,
}

fn tokens(line: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    for (i, c) in line.chars().enumerate() {
        if c == ' ' {
            continue;
        }
        match out.last_mut() {
            Some(t) if t.end == i => {
                t.end = i + 1;
                t.text.push(c);
            }
            _ => out.push(Token {
                start: i,
                end: i + 1,
                text: c.to_string(),
            }),
        }
    }
    out
}

/// A count or a piece of one: digits, with thousands commas.
fn is_digits(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_digit()) && t.chars().all(|c| c.is_ascii_digit() || c == ',')
}

/// A line as its label tokens and its number tokens (those after the last word).
fn split(line: &str) -> (Vec<Token>, Vec<Token>) {
    let toks = tokens(line);
    let k = toks
        .iter()
        .rposition(|t| !is_digits(&t.text))
        .map_or(0, |k| k + 1);
    (toks[..k].to_vec(), toks[k..].to_vec())
}

/// The document with wrapped counts completed, when it has any; None otherwise.
pub fn join(doc: &Document) -> Option<Document> {
    if doc.blocks.iter().any(|b| matches!(b, Block::Table(_))) {
        return None;
    }
    let paras: Vec<&Paragraph> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p),
            Block::Table(_) => None,
        })
        .collect();
    // A form feed starts a page: its columns stand elsewhere than on the page before.
    let new_page: Vec<bool> = paras.iter().map(|p| p.text.contains('\u{c}')).collect();
    let lines: Vec<String> = paras
        .iter()
        .map(|p| fold(&p.text.replace('\u{c}', "")).trim_end().to_string())
        .collect();
    let mut out = Document {
        encoding: doc.encoding.clone(),
        warnings: doc.warnings.clone(),
        pages: doc.pages,
        ..Default::default()
    };
    let mut changed = false;
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let (label, mut nums) = split(line);
        let layout = !line.contains(['\t', '|']);
        if !layout || nums.len() < 2 {
            out.push_paragraph(paras[i].text.clone(), paras[i].prov.clone());
            i += 1;
            continue;
        }
        // The lines below holding digits under this row's numbers, and words only left of them.
        let first_col = nums[0].start;
        let mut j = i + 1;
        let mut rest_labels: Vec<usize> = Vec::new();
        while j < lines.len() {
            let (l2, n2) = split(&lines[j]);
            // A line with a number in every column, or a label of its own, is a row.
            if n2.is_empty()
                || n2.len() >= nums.len()
                || l2.iter().any(|t| t.end > first_col)
                || l2.first().is_some_and(|t| starts_item(&t.text))
            {
                break;
            }
            // After a page break, the columns are those of the next full row on that page.
            let cols: Vec<Token> = if new_page[j] || j > i + 1 && new_page[i + 1..j].contains(&true)
            {
                let next_full = lines[j + 1..]
                    .iter()
                    .map(|l| split(l).1)
                    .find(|n| n.len() == nums.len());
                match next_full {
                    Some(n) => n,
                    None => break,
                }
            } else {
                nums.clone()
            };
            let under: Option<Vec<usize>> = n2
                .iter()
                .map(|t| {
                    let over: Vec<usize> = (0..cols.len())
                        .filter(|&k| t.start < cols[k].end + 1 && cols[k].start < t.end + 1)
                        .collect();
                    match over[..] {
                        [k] => Some(k),
                        _ => None,
                    }
                })
                .collect();
            let Some(under) = under else { break };
            if under.windows(2).any(|w| w[0] == w[1]) {
                break;
            }
            for (t, &k) in n2.iter().zip(&under) {
                nums[k].text.push_str(&t.text);
            }
            if !l2.is_empty() {
                rest_labels.push(j);
            }
            j += 1;
        }
        if j == i + 1 {
            out.push_paragraph(paras[i].text.clone(), paras[i].prov.clone());
            i += 1;
            continue;
        }
        changed = true;
        let alone = values_of(&split(line).1);
        let label_text: Vec<&str> = label.iter().map(|t| t.text.as_str()).collect();
        let label_text = label_text.join(" ");
        let values = values_of(&nums);
        // The completed row must satisfy its total, and the row without the digits below
        // must not (else both readings hold and neither is certain).
        let holds = total_holds(values.as_deref()) && !total_holds(alone.as_deref());
        let text = if holds {
            let v: Vec<String> = values.unwrap().iter().map(u64::to_string).collect();
            format!("{label_text}  {}", v.join("  "))
        } else {
            out.warnings.push(format!(
                "`{}`: digits wrapped onto the lines below do not complete the row to its total; left null",
                label_text.trim()
            ));
            label_text
        };
        out.push_paragraph(text, paras[i].prov.clone());
        for &k in &rest_labels {
            let (l2, _) = split(&lines[k]);
            let words: Vec<&str> = l2.iter().map(|t| t.text.as_str()).collect();
            out.push_paragraph(words.join(" "), paras[k].prov.clone());
        }
        i = j;
    }
    changed.then_some(out)
}

/// Whether a label starts a new item: `1.`, `（一）`, `一、`.
fn starts_item(t: &str) -> bool {
    let mut c = t.chars();
    match (c.next(), c.next()) {
        (Some('('), _) => true,
        (Some(a), Some('.' | '、')) => a.is_ascii_digit() || "一二三四五六七八九十".contains(a),
        _ => false,
    }
}

/// The numbers of a row's tokens (thousands commas every three digits from the right).
fn values_of(nums: &[Token]) -> Option<Vec<u64>> {
    nums.iter()
        .map(|t| {
            let groups: Vec<&str> = t.text.split(',').collect();
            let ok = (groups.len() == 1 || groups[0].len() <= 3)
                && groups[1..].iter().all(|g| g.len() == 3);
            ok.then(|| t.text.replace(',', "").parse().ok()).flatten()
        })
        .collect()
}

/// Whether a row of 表三 (seven columns) or 表四 (fifteen) satisfies its totals.
fn total_holds(v: Option<&[u64]>) -> bool {
    v.is_some_and(|v| match v.len() {
        7 => v[..6].iter().sum::<u64>() == v[6],
        15 => v.chunks(5).all(|g| g[..4].iter().sum::<u64>() == g[4]),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_core::Provenance;

    fn joined(text: &str) -> (Vec<String>, Vec<String>) {
        let mut d = Document::default();
        for (i, l) in text.lines().enumerate() {
            d.push_paragraph(l, Provenance::line(i as u32 + 1));
        }
        match join(&d) {
            Some(o) => (o.paragraphs().map(str::to_string).collect(), o.warnings),
            None => (d.paragraphs().map(str::to_string).collect(), Vec::new()),
        }
    }

    #[test]
    fn digits_under_a_rows_numbers_complete_them() {
        // From `pdftotext -layout` of fixtures/pdf/wrapped-2021.pdf.
        let (lines, warnings) = joined(
            "       一、本年新收政府信息公开申请数量      1,1   97   0   3   12   8   13\n                             85                          05\n",
        );
        assert_eq!(
            lines,
            ["一、本年新收政府信息公开申请数量  1185  97  0  3  12  8  1305"]
        );
        assert!(warnings.is_empty());
        let (lines, _) = joined(
            "三、本年   （一）予以公开               ６     45   0   2   5    4   66\n度办理结                         １                           8\n果                            ２\n",
        );
        assert_eq!(
            lines,
            [
                "三、本年 (一)予以公开  612  45  0  2  5  4  668",
                "度办理结",
                "果"
            ]
        );
    }

    #[test]
    fn a_completion_that_breaks_the_total_is_left_null() {
        let (lines, warnings) = joined(
            "  （七）总计     11    89   0   3   12   7   1,2\n            88                           98\n",
        );
        assert_eq!(lines, ["(七)总计"]);
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn a_row_broken_across_a_page_takes_the_next_pages_columns() {
        // The second line of （七）总计 at the top of the next page, set out in that page's
        // columns (those of 四、结转下年度继续办理 below it).
        let (lines, _) = joined(
            "       （七）总计               11    89   0   3   12   7   1,2\n\u{c}                              88                                99\n     四、结转下年度继续办理              39       11       0   0   0   2   52\n",
        );
        assert_eq!(lines[0], "(七)总计  1188  89  0  3  12  7  1299");
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn rows_of_their_own_are_not_continuations() {
        let text = "规章   0   0   0\n行政规范性文件   5   1   48\n   1   2\n";
        let (lines, _) = joined(text);
        assert_eq!(lines[0], "规章   0   0   0");
    }
}
