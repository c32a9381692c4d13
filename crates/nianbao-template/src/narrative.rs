//! The `narrative_totals` check: the report's own sentences often state the table's totals
//! (`全年收到政府信息公开申请 34 件`, `无法提供的 10 件，其他处理 14 件`). Where a sentence states
//! one and the table holds every cell it sums, they must agree: a row of the table read under
//! another row's label keeps the form's sums but not the narrative's. The sentences only
//! check; they never place a value.
use crate::text::fold;

/// What a phrase states: the `total` column of one applications row, or the sum over a group
/// of rows (`denied.`: every row whose key starts so).
struct Statement {
    words: &'static [&'static str],
    rows: &'static str,
    name: &'static str,
}

const STATEMENTS: &[Statement] = &[
    Statement {
        words: &["收到政府信息公开申请", "新收政府信息公开申请", "共收到"],
        rows: "new",
        name: "新收",
    },
    Statement {
        words: &["上年结转"],
        rows: "carried_over",
        name: "上年结转",
    },
    Statement {
        words: &["予以公开", "同意公开"],
        rows: "granted",
        name: "予以公开",
    },
    Statement {
        words: &["部分公开"],
        rows: "partial",
        name: "部分公开",
    },
    Statement {
        words: &["不予公开"],
        rows: "denied.",
        name: "不予公开",
    },
    Statement {
        words: &["无法提供"],
        rows: "unable.",
        name: "无法提供",
    },
    Statement {
        words: &["不予处理"],
        rows: "rejected.",
        name: "不予处理",
    },
    Statement {
        words: &["结转下年度", "转下一年度", "转入下一年度"],
        rows: "carry_forward",
        name: "结转下年度",
    },
];

/// Characters allowed between a phrase and its number: a few words, no clause break.
const MAX_GAP: usize = 10;

/// The text as the phrases are searched: folded, and without the line breaks inside a
/// sentence (a PDF's wrapped lines are not clause breaks).
struct Flat {
    folded: String,
    flat: String,
}

impl Flat {
    fn of(text: &str) -> Self {
        let folded = fold(text).into_owned();
        let mut flat = String::with_capacity(folded.len());
        let mut run = 0;
        for at in memchr::memchr2_iter(b'\n', b'\r', folded.as_bytes()) {
            flat.push_str(&folded[run..at]);
            run = at + 1;
        }
        flat.push_str(&folded[run..]);
        Flat { folded, flat }
    }
}

/// The byte offsets of `w` in `s`, left to right, not overlapping (a vectorised search).
fn find_all<'a>(s: &'a str, w: &'a str) -> impl Iterator<Item = usize> + 'a {
    memchr::memmem::find_iter(s.as_bytes(), w.as_bytes())
}

/// Every (statement, number) the text states: `<phrase> … N 件` within a clause, or
/// `N 件<phrase>` (`1件结转下年度继续办理`).
fn stated(flat: &Flat) -> Vec<(usize, i64)> {
    let s = flat.flat.as_str();
    let mut out = Vec::new();
    for (k, st) in STATEMENTS.iter().enumerate() {
        for w in st.words {
            for at in find_all(s, w) {
                let before = &s[..at];
                // `予以公开及部分公开 42 件`: one number for two rows states neither.
                if before.chars().next_back().is_some_and(is_joint) {
                    continue;
                }
                if let Some(n) = number_after(&s[at + w.len()..]) {
                    out.push((k, n));
                } else if let Some(n) = number_before(before) {
                    out.push((k, n));
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn is_break(c: char) -> bool {
    "，,。；;：:、（）()".contains(c)
}

/// A word joining two phrases under one number.
fn is_joint(c: char) -> bool {
    "及和与或".contains(c)
}

/// `… N 件` after a phrase, within the clause: at most `MAX_GAP` characters before the number
/// (the number may start right after them).
fn number_after(rest: &str) -> Option<i64> {
    let (start, _) = rest.char_indices().enumerate().find_map(|(i, (at, c))| {
        if c.is_ascii_digit() {
            Some(Some((at, c)))
        } else if i > MAX_GAP || is_break(c) || is_joint(c) {
            Some(None)
        } else {
            None
        }
    })??;
    let digits = &rest[start..];
    let len = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    let n: i64 = digits[..len].parse().ok()?;
    digits[len..]
        .trim_start_matches(' ')
        .starts_with('件')
        .then_some(n)
}

/// `N 件` right before a phrase.
fn number_before(before: &str) -> Option<i64> {
    let before = before
        .trim_end_matches(' ')
        .strip_suffix('件')?
        .trim_end_matches(' ');
    let digits = before.trim_end_matches(|c: char| c.is_ascii_digit());
    before[digits.len()..].parse().ok()
}

/// Compares every total the text states with the table. `total(rows)` is the table's
/// `applications.<row>.total` (summed over a group for `denied.`, `unable.`, `rejected.`), or
/// None where a cell of it was not read.
pub fn check(
    text: &str,
    total: impl Fn(&str) -> Option<i64>,
    other: Option<i64>,
) -> (usize, Vec<String>) {
    let mut tested = 0;
    let mut fails = Vec::new();
    let flat = Flat::of(text);
    let mut statements = stated(&flat);
    // 其他处理: the single row, or the 2021 form's three sub-rows. Searched in the text with its
    // line breaks, so that a phrase wrapped over two lines does not count; the number after it
    // is read in the text without them.
    let other_k = STATEMENTS.len();
    const OTHER: &str = "其他处理";
    // (byte in the folded text, line-end bytes before it) of the match before.
    let mut last = (0, 0);
    for at in find_all(&flat.folded, OTHER) {
        let ends = last.1
            + flat.folded.as_bytes()[last.0..at]
                .iter()
                .filter(|&&b| b == b'\n' || b == b'\r')
                .count();
        last = (at, ends);
        if let Some(n) = number_after(&flat.flat[at - ends + OTHER.len()..]) {
            statements.push((other_k, n));
        }
    }
    for (k, n) in statements {
        let (table, name) = if k == other_k {
            (other, "其他处理")
        } else {
            let st = &STATEMENTS[k];
            (total(st.rows), st.name)
        };
        let Some(table) = table else { continue };
        tested += 1;
        if table != n {
            fails.push(format!("{name}: the text says {n}, the table {table}"));
        }
    }
    (tested, fails)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str) -> Vec<(&'static str, i64)> {
        stated(&Flat::of(text))
            .into_iter()
            .map(|(k, n)| (STATEMENTS[k].name, n))
            .collect()
    }

    #[test]
    fn totals_stated_in_sentences() {
        // 上海市科委 2024 (fixtures/flattened), lines as the converter wrapped them.
        let text = "全年收到政府信息公开申请 34 件，上年结转政府信息公开\n申请 2 件，所有申请均已按要求办理完成。所有办结的信息公开\n申请中同意公开答复 9 件，部分公开答复 0 件，不予公开答复 2\n件，无法提供的 10 件，不予处理 0 件，其他处理 14 件，转下一\n年度办理答复的有 1 件。";
        assert_eq!(
            said(text),
            [
                ("新收", 34),
                ("上年结转", 2),
                ("予以公开", 9),
                ("部分公开", 0),
                ("不予公开", 2),
                ("无法提供", 10),
                ("不予处理", 0),
                ("结转下年度", 1),
            ]
        );
        // 平潭综合实验区 2021.
        assert_eq!(
            said("本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理"),
            [("新收", 70), ("结转下年度", 1)]
        );
        // 平潭综合实验区 2023: one number for two rows.
        assert_eq!(
            said("办结依申请公开81件，其中：予以公开及部分公开42件，占51.85%；不予公开5件"),
            [("不予公开", 5)]
        );
        // A phrase naming no count, or a number that is not a count of applications.
        assert!(said("主动公开政府信息2645条，予以公开的渠道").is_empty());
    }

    #[test]
    fn phrases_are_found_at_their_characters_after_wide_text_and_line_breaks() {
        // Full-width digits fold to ASCII; the line break inside 不予\n公开 is not a clause
        // break, but 其他处理 wrapped over two lines is not read.
        let text = "２０２４年，予以公开１２件；不予\n公开 3 件，其他\n处理 9 件。\n其他处理 5 件，其他处理 6 件";
        assert_eq!(said(text), [("予以公开", 12), ("不予公开", 3)]);
        let (tested, fails) = check(text, |_| None, Some(5));
        assert_eq!(tested, 2);
        assert_eq!(fails, ["其他处理: the text says 6, the table 5"]);
        assert_eq!(number_after(" 共计 12 件"), Some(12));
        assert_eq!(number_after("答复的有 1 件"), Some(1));
        assert_eq!(number_after("一二三四五六七八九十甲 7件"), None);
        assert_eq!(number_after("一二三四五六七八九十甲7件"), Some(7));
        assert_eq!(number_after("，7件"), None);
        assert_eq!(number_after("7 条"), None);
        assert_eq!(number_before("本年度 70 件 "), Some(70));
        assert_eq!(number_before("70 条"), None);
        assert_eq!(number_before("件"), None);
    }

    #[test]
    fn a_row_read_under_another_label_fails_the_text() {
        let text = "无法提供的 10 件，其他处理 14 件";
        let table = |rows: &str| (rows == "unable.").then_some(10);
        let (tested, fails) = check(text, table, Some(14));
        assert_eq!(tested, 2);
        assert!(fails.is_empty());
        let (_, fails) = check(text, |_| Some(3), Some(10));
        assert_eq!(
            fails,
            [
                "无法提供: the text says 10, the table 3",
                "其他处理: the text says 14, the table 10"
            ]
        );
    }
}
