//! Section 三: the applications table. Its rows come in a fixed order, so rows are matched by
//! label keywords (anchors), kept only when they agree with that order, and rows whose label
//! was lost (wrapped away, garbled) are placed between anchors only when the gap fits exactly.
use crate::assign::{assign, MoneyDefault};
use crate::keys::{row, Key};
use crate::record::Record;
use crate::rows::LRow;
use crate::text::{indices, label_key, Keywords};

/// One template row: its keys, one per column of [`COLUMNS`], and the label fragments that
/// identify it.
struct TRow {
    keys: [Key; COLUMNS.len()],
    keywords: &'static [&'static str],
}

const ROWS: &[TRow] = &[
    TRow {
        keys: row::APPLICATIONS_NEW,
        keywords: &["本年新收", "新收政府信息"],
    },
    TRow {
        keys: row::APPLICATIONS_CARRIED_OVER,
        keywords: &["上年结转"],
    },
    TRow {
        keys: row::APPLICATIONS_GRANTED,
        keywords: &["予以公开"],
    },
    TRow {
        keys: row::APPLICATIONS_PARTIAL,
        keywords: &["部分公开", "区分处理"],
    },
    TRow {
        keys: row::APPLICATIONS_DENIED_STATE_SECRET,
        keywords: &["国家秘密"],
    },
    TRow {
        keys: row::APPLICATIONS_DENIED_LAW_PROHIBITED,
        keywords: &["其他法律", "法规禁止", "行政法规禁"],
    },
    TRow {
        keys: row::APPLICATIONS_DENIED_THREE_SAFETY,
        keywords: &["三安全", "一稳定"],
    },
    TRow {
        keys: row::APPLICATIONS_DENIED_THIRD_PARTY,
        keywords: &["第三方"],
    },
    TRow {
        keys: row::APPLICATIONS_DENIED_INTERNAL_AFFAIRS,
        keywords: &["内部事务", "三类内部"],
    },
    TRow {
        keys: row::APPLICATIONS_DENIED_PROCESS_INFO,
        keywords: &["过程性", "四类"],
    },
    TRow {
        keys: row::APPLICATIONS_DENIED_ENFORCEMENT_FILE,
        keywords: &["执法案卷"],
    },
    TRow {
        keys: row::APPLICATIONS_DENIED_ADMIN_QUERY,
        keywords: &["行政查询", "查询事项"],
    },
    TRow {
        keys: row::APPLICATIONS_UNABLE_NOT_HELD,
        keywords: &["不掌握"],
    },
    TRow {
        keys: row::APPLICATIONS_UNABLE_NEEDS_CREATION,
        keywords: &["另行制作", "没有现成"],
    },
    TRow {
        keys: row::APPLICATIONS_UNABLE_UNCLEAR,
        keywords: &["仍不明确", "补正后申请"],
    },
    TRow {
        keys: row::APPLICATIONS_REJECTED_PETITION,
        keywords: &["信访", "举报投诉"],
    },
    TRow {
        keys: row::APPLICATIONS_REJECTED_DUPLICATE,
        keywords: &["重复申请"],
    },
    TRow {
        keys: row::APPLICATIONS_REJECTED_PUBLICATION,
        keywords: &["出版物"],
    },
    TRow {
        keys: row::APPLICATIONS_REJECTED_EXCESSIVE,
        keywords: &["大量反复", "反复申请"],
    },
    TRow {
        keys: row::APPLICATIONS_REJECTED_CONFIRMATION,
        keywords: &["重新出具", "确认或", "已获取信息"],
    },
    TRow {
        keys: row::APPLICATIONS_OTHER_COMBINED,
        keywords: &["其他处理"],
    },
    TRow {
        keys: row::APPLICATIONS_OTHER_NO_CORRECTION,
        keywords: &["逾期不补正", "无正当理由逾期", "不补正"],
    },
    TRow {
        keys: row::APPLICATIONS_OTHER_UNPAID_FEE,
        keywords: &["缴纳费用", "收费通知"],
    },
    TRow {
        keys: row::APPLICATIONS_OTHER_MISC,
        keywords: &[],
    },
    TRow {
        keys: row::APPLICATIONS_TOTAL,
        keywords: &["总计"],
    },
    TRow {
        keys: row::APPLICATIONS_CARRY_FORWARD,
        keywords: &["结转下年度", "下年度继续"],
    },
];

pub(crate) const COMBINED: usize = 20;
const MAX_VALUE_ROWS: usize = 400;
/// Label lines looked at above and below a row whose own label is missing.
const CONTEXT_ROWS: usize = 4;
pub(crate) const SUBROWS: std::ops::Range<usize> = 21..24;
const MISC: usize = 23;

/// The table's columns: the six applicant kinds, then 总计.
pub(crate) const COLUMNS: [&str; 7] = [
    "natural_person",
    "enterprise",
    "research",
    "public_interest",
    "legal_service",
    "other_org",
    "total",
];

/// Every row's keywords in one index, with the row each belongs to.
fn keywords() -> &'static (Keywords, Vec<usize>) {
    static INDEX: std::sync::LazyLock<(Keywords, Vec<usize>)> = std::sync::LazyLock::new(|| {
        let (words, rows) = ROWS
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.keywords.iter().map(move |&kw| (kw, i)))
            .unzip();
        (Keywords::new(words), rows)
    });
    &INDEX
}

/// The template row a label names, with a strength (longer keyword = more specific; of two
/// rows as strong, the earlier one).
pub(crate) fn match_label(key: &str) -> Option<(usize, usize)> {
    let (words, row_of) = keywords();
    let mut best: Option<(usize, usize)> = None;
    for w in indices(words.found_in(key)) {
        let (i, score) = (row_of[w], words.word(w).chars().count());
        if best.is_none_or(|(bi, s)| score > s || (score == s && i < bi)) {
            best = Some((i, score));
        }
    }
    // `3.其他` (2021 其他处理 / 其他): a short label ending in 其他 that names nothing else.
    if best.is_none() || best.is_some_and(|(i, _)| i == COMBINED) {
        let tail = key.rsplit(')').next().unwrap_or(key);
        if tail.ends_with("其他")
            && tail.chars().count() <= 5
            && tail.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            best = Some((MISC, 3));
        }
    }
    best
}

/// The number of template rows.
pub(crate) const N_ROWS: usize = ROWS.len();

/// The keys of a template row, one per column of [`COLUMNS`].
pub(crate) fn row_keys(t: usize) -> &'static [Key; COLUMNS.len()] {
    &ROWS[t].keys
}

/// A template row's name in warnings (`granted`, `denied.state_secret`).
pub(crate) fn row_name(t: usize) -> &'static str {
    let name = ROWS[t].keys[0].name();
    let row = name.rsplit_once('.').map_or(name, |(row, _)| row);
    row.trim_start_matches("applications.")
}

/// Byte positions of the list markers in a label key (`1.` … `9.`, `(一)` … `(十)`).
fn markers(key: &str) -> Vec<usize> {
    let b = key.as_bytes();
    key.char_indices()
        .filter(|&(i, _)| {
            let rest = &key[i..];
            let numbered = b[i].is_ascii_digit()
                && b.get(i + 1) == Some(&b'.')
                && (i == 0 || !b[i - 1].is_ascii_digit());
            let mut chars = rest.chars();
            let bracketed = chars.next() == Some('(')
                && chars
                    .next()
                    .is_some_and(|c| "一二三四五六七八九十".contains(c))
                && chars.next() == Some(')');
            numbered || bracketed
        })
        .map(|(i, _)| i)
        .collect()
}

/// The text from the last list marker on: when several wrapped labels run together, the one
/// nearest the numbers below them.
fn last_item(key: &str) -> &str {
    &key[markers(key).last().copied().unwrap_or(0)..]
}

/// The text up to the second list marker: a label that starts on the numbers' line and wraps
/// onto the lines below, without the next label.
fn first_item(key: &str) -> &str {
    match markers(key).iter().find(|&&m| m > 0) {
        Some(&m) => &key[..m],
        None => key,
    }
}

/// The template row named by the label lines above a row whose numbers stand apart from their
/// label (a label wrapped over several lines, the last one above the numbers, perhaps going on
/// below them): the last item, when no other item above names a row. A group heading
/// (`(三)不予公开`) names none.
fn single_item(block: &str, after: &str) -> Option<(usize, usize)> {
    let mut bounds: Vec<usize> = markers(block).into_iter().filter(|&m| m > 0).collect();
    bounds.insert(0, 0);
    bounds.push(block.len());
    let items: Vec<&str> = bounds.windows(2).map(|w| &block[w[0]..w[1]]).collect();
    let (last, before) = items.split_last()?;
    // The label may wrap on below the numbers, up to the next item.
    let named = match_label(last).or_else(|| {
        let on = format!("{last}{after}");
        match_label(first_item(&on))
    })?;
    // Text before the block's first item ends the label of the row above.
    let before = match before.first() {
        Some(f) if !markers(f).contains(&0) => &before[1..],
        _ => before,
    };
    // Any other row named above (but `(六)其他处理` over its sub-rows): a label whose row
    // shows no numbers, or labels moved away from their rows; which one owns the numbers is
    // not certain.
    let rival = before
        .iter()
        .filter_map(|i| match_label(i))
        .any(|(t, _)| !(t == COMBINED && SUBROWS.contains(&named.0)));
    (!rival).then_some(named)
}

/// Maps the applications table. Returns how many rows were filled.
pub fn map(rec: &mut Record, rows: &[LRow]) -> usize {
    // Rows that carry values, with the label text around them for rows whose own label is
    // missing (a label wrapped onto the lines above or below the numbers).
    let mut value_rows: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].n_numbers() > 0)
        .collect();
    // The table has 26 rows; a section with hundreds of numeric rows is not this table, and
    // the order-consistency pass below is quadratic, so bound it.
    if value_rows.len() > MAX_VALUE_ROWS {
        rec.warnings.push(format!(
            "三: {} numeric rows where the table has {}; only the first {MAX_VALUE_ROWS} were read",
            value_rows.len(),
            ROWS.len()
        ));
        value_rows.truncate(MAX_VALUE_ROWS);
    }
    let mut cand: Vec<Option<(usize, usize)>> = Vec::with_capacity(value_rows.len());
    // The labels above each row whose numbers stand apart from them, for its warning.
    let mut apart: Vec<Option<String>> = vec![None; value_rows.len()];
    // A row whose label stands apart is paired by the order of labels and rows only while
    // that order holds. Labels standing below their numbers (a label after the table's last
    // row of values) would pair every row with the label of the row before it: then only
    // labels on the numbers' own lines count.
    let trailing = value_rows.last().map_or(0, |&i| i + 1);
    let mut order_holds = !rows[trailing..]
        .iter()
        .any(|r| match_label(&label_key(&r.label)).is_some());
    let labels_may_lead = order_holds;
    for (k, &i) in value_rows.iter().enumerate() {
        let row = &rows[i];
        if row.label_apart || row.label.trim().is_empty() {
            let lo = if k == 0 { 0 } else { value_rows[k - 1] + 1 };
            // A blank line ends the labels above it (a row whose cells are empty).
            let lo = (lo..=i).rev().find(|&j| rows[j].gap_before).unwrap_or(lo);
            let block: String = rows[lo..=i].iter().map(|r| r.label.as_str()).collect();
            let hi = value_rows.get(k + 1).copied().unwrap_or(rows.len());
            let after: String = rows[i + 1..hi].iter().map(|r| r.label.as_str()).collect();
            let c = match_label(&label_key(&row.label)).or_else(|| {
                order_holds
                    .then(|| single_item(&label_key(&block), &label_key(&after)))
                    .flatten()
            });
            // A row with nothing at all above it breaks the label-row alternation.
            if block.trim().is_empty() {
                order_holds = false;
            }
            apart[k] = Some(block);
            cand.push(c);
            continue;
        }
        order_holds = labels_may_lead;
        let own = match_label(&label_key(&row.label));
        let c = own.or_else(|| {
            let lo = if k == 0 { 0 } else { value_rows[k - 1] + 1 };
            let lo = lo.max(i.saturating_sub(CONTEXT_ROWS));
            let hi = value_rows.get(k + 1).copied().unwrap_or(rows.len());
            let hi = hi.min(i + 1 + CONTEXT_ROWS);
            let own = row.label.as_str();
            let before: String = rows[lo..i].iter().map(|r| r.label.as_str()).collect();
            let after: String = rows[i + 1..hi].iter().map(|r| r.label.as_str()).collect();
            let own_key = label_key(own);
            if !markers(&own_key).is_empty() {
                // A new item starts on the numbers' line (8.属于 2 0 0 0 2) and wraps below
                // it (行政查询事项): its label is there, never in the item above.
                let key = label_key(&format!("{}{after}", last_item(&own_key)));
                return match_label(first_item(&key));
            }
            // The label wrapped onto the lines above, its last fragment on the numbers' line
            // (a reading-order dump: 1.属于 / 国家秘 / 密 0 0 0 …): the last item started
            // above, completed by this line's fragment.
            match_label(last_item(&label_key(&format!("{before}{own}"))))
                .or_else(|| match_label(&label_key(&before)))
                .or_else(|| match_label(&label_key(&format!("{own}{after}"))))
                .or_else(|| match_label(&label_key(&after)))
        });
        cand.push(c);
    }
    // Two rows naming one template row as strongly: neither pairing is certain.
    let claims = cand.clone();
    for (k, c) in cand.iter_mut().enumerate() {
        if let Some((t, sc)) = *c {
            let rival = claims
                .iter()
                .enumerate()
                .any(|(j, o)| j != k && *o == Some((t, sc)));
            if rival {
                *c = None;
            }
        }
    }
    let anchors = monotone_anchors(&cand);
    let mut assigned: Vec<Option<usize>> = vec![None; value_rows.len()];
    for &(k, t) in &anchors {
        assigned[k] = Some(t);
    }
    // A lone number (a page number, a stray fragment) is no row of this seven-column table:
    // it takes no place between two certain rows.
    let slots: Vec<usize> = (0..value_rows.len())
        .filter(|&k| assigned[k].is_some() || rows[value_rows[k]].n_numbers() >= 2)
        .collect();
    let mut placed: Vec<Option<usize>> = slots.iter().map(|&k| assigned[k]).collect();
    fill_gaps(&mut placed);
    for (&k, t) in slots.iter().zip(placed) {
        assigned[k] = t;
    }

    let mut filled = 0;
    for (k, t) in assigned.iter().enumerate() {
        let row = &rows[value_rows[k]];
        match t {
            Some(t) => {
                let what = format!("三、{}", row_name(*t));
                if assign(rec, row, &ROWS[*t].keys, MoneyDefault::Wan, &what) {
                    filled += 1;
                }
            }
            None => {
                let n = row.n_numbers();
                let values: Vec<&str> = row.numbers().map(|c| c.text.as_str()).collect();
                let values = values.join(" ");
                rec.warnings.push(match apart[k].as_deref().map(str::trim) {
                    Some("") => format!(
                        "三: a row of {n} values ({values}) has no label and its place is not certain; left null"
                    ),
                    Some(labels) => format!(
                        "三: a row of {n} values ({values}) stands apart from its label (above it: `{labels}`); which row it is is not certain; left null"
                    ),
                    None => format!(
                        "三: a row of {n} values (`{}`) matches no template row; ignored",
                        row.label.trim()
                    ),
                })
            }
        }
    }
    filled
}

/// The groups whose heading row may carry a sub-total of its items: (三), (四), (五).
pub(crate) const GROUPS: [(&str, &str); 3] = [
    ("不予公开", "denied."),
    ("无法提供", "unable."),
    ("不予处理", "rejected."),
];

/// The sub-totals some reports print on a group's heading row (`（三）不予公开 5 0 0 0 0 0 5`),
/// by group (`denied.`), in the table's seven columns. They are no template row: they only
/// check the items below them ([`crate::checks`], `group_subtotal`).
pub(crate) fn subtotals(rows: &[LRow]) -> Vec<(&'static str, Vec<i64>)> {
    let mut out = Vec::new();
    for row in rows {
        let key = label_key(&row.label);
        if row.n_numbers() != COLUMNS.len() || match_label(&key).is_some() {
            continue;
        }
        // The heading alone: no item of the group (`1.属于…`) on the same row.
        if markers(&key)
            .iter()
            .any(|&m| key.as_bytes()[m].is_ascii_digit())
        {
            continue;
        }
        let Some(&(_, group)) = GROUPS.iter().find(|(name, _)| key.contains(name)) else {
            continue;
        };
        let values: Option<Vec<i64>> = row
            .numbers()
            .map(|c| match c.value {
                crate::text::CellValue::Number {
                    value,
                    integral: true,
                    ..
                } => Some(value as i64),
                _ => None,
            })
            .collect();
        if let Some(v) = values {
            out.push((group, v));
        }
    }
    out
}

/// The largest-scoring set of label matches that respects the template's row order.
fn monotone_anchors(cand: &[Option<(usize, usize)>]) -> Vec<(usize, usize)> {
    let items: Vec<(usize, usize, usize)> = cand
        .iter()
        .enumerate()
        .filter_map(|(k, c)| c.map(|(t, s)| (k, t, s)))
        .collect();
    let n = items.len();
    let mut best = vec![0usize; n];
    let mut prev = vec![usize::MAX; n];
    for i in 0..n {
        best[i] = items[i].2;
        for j in 0..i {
            if items[j].1 < items[i].1 && best[j] + items[i].2 > best[i] {
                best[i] = best[j] + items[i].2;
                prev[i] = j;
            }
        }
    }
    let Some(mut i) = (0..n).max_by_key(|&i| best[i]) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    loop {
        out.push((items[i].0, items[i].1));
        if prev[i] == usize::MAX {
            break;
        }
        i = prev[i];
    }
    out.reverse();
    out
}

/// Places unlabelled rows between two anchors when their number equals the template rows
/// between them (either the single 其他处理 row or its three 2021 sub-rows).
fn fill_gaps(assigned: &mut [Option<usize>]) {
    let has_sub = assigned.iter().flatten().any(|t| SUBROWS.contains(t));
    let has_combined = assigned.iter().flatten().any(|&t| t == COMBINED);
    let n = assigned.len();
    let mut k = 0;
    while k < n {
        if assigned[k].is_some() {
            k += 1;
            continue;
        }
        let start = k;
        while k < n && assigned[k].is_none() {
            k += 1;
        }
        let run = k - start;
        let lo = if start == 0 {
            None
        } else {
            assigned[start - 1]
        };
        let hi = if k < n { assigned[k] } else { None };
        let first = lo.map(|t| t + 1).unwrap_or(0);
        let last = hi.unwrap_or(ROWS.len());
        if first >= last {
            continue;
        }
        // Unbounded ends are filled only when the gap reaches the template's start or end.
        if (lo.is_none() && start != 0) || (hi.is_none() && k != n) {
            continue;
        }
        let options = [
            (first..last)
                .filter(|t| !SUBROWS.contains(t))
                .collect::<Vec<_>>(),
            (first..last).filter(|t| *t != COMBINED).collect::<Vec<_>>(),
        ];
        // A long gap open at one end is too weak a basis to place rows.
        if (lo.is_none() || hi.is_none()) && run > 3 {
            continue;
        }
        // Both the single 其他处理 row and its sub-rows may fit the same gap: the document's
        // own anchors decide which form it uses, or nothing is placed.
        let fits: Vec<&Vec<usize>> = options
            .iter()
            .filter(|o| o.len() == run)
            .filter(|o| !(has_sub && o.contains(&COMBINED)))
            .filter(|o| !(has_combined && o.iter().any(|t| SUBROWS.contains(t))))
            .collect();
        let placed = match fits[..] {
            [ts] => ts,
            [a, b] if a == b => a,
            _ => continue,
        };
        for (i, t) in placed.iter().enumerate() {
            assigned[start + i] = Some(*t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_item_is_the_label_nearest_the_numbers() {
        assert_eq!(
            last_item("3.危及\"三安全一稳定\"4.保护第三方合法权益"),
            "4.保护第三方合法权益"
        );
        assert_eq!(
            last_item("形,不计其他情形)(三)不予公开1.属于国家秘密"),
            "1.属于国家秘密"
        );
        assert_eq!(last_item("(四)无法提供"), "(四)无法提供");
        assert_eq!(
            last_item("(区分处理的,只计这一情形)"),
            "(区分处理的,只计这一情形)"
        );
        assert_eq!(last_item("12.5万元"), "12.5万元");
        assert_eq!(
            first_item("8.属于行政查询事项(四)1.本机"),
            "8.属于行政查询事项"
        );
        assert_eq!(first_item("(四)无法提供"), "(四)无法提供");
    }

    fn m(s: &str) -> Option<usize> {
        match_label(&label_key(s)).map(|(i, _)| i)
    }

    #[test]
    fn labels_name_their_rows() {
        assert_eq!(m("（三）不予公开 1.属于国家秘密"), Some(4));
        assert_eq!(m("2.其他法律行政止公开"), Some(5));
        assert_eq!(m("(六) 其他处理"), Some(COMBINED));
        assert_eq!(
            m("（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
            Some(21)
        );
        assert_eq!(m("3.其他"), Some(MISC));
        assert_eq!(m("3、其他"), Some(MISC));
        assert_eq!(m("（七）总计"), Some(24));
        assert_eq!(m("6. 属于四类"), Some(9));
        assert_eq!(m("三、本年度办理结果 (一) 予以公开"), Some(2));
        assert_eq!(m("法人或其他组织"), None);
    }

    #[test]
    fn gaps_fill_only_when_they_fit() {
        let mut a = vec![Some(18), None, Some(20)];
        fill_gaps(&mut a);
        assert_eq!(a, vec![Some(18), Some(19), Some(20)]);
        let mut a = vec![Some(10), None, Some(14)];
        fill_gaps(&mut a);
        assert_eq!(a, vec![Some(10), None, Some(14)]);
        let mut a = vec![Some(19), None, None, None, Some(24)];
        fill_gaps(&mut a);
        assert_eq!(a, vec![Some(19), Some(21), Some(22), Some(23), Some(24)]);
        // Three rows between 3.要求提供公开出版物 and the second sub-row of 其他处理 fit 18, 19
        // and 其他处理 or its first sub-row: the sub-row anchor says which form the table uses.
        let mut a = vec![Some(17), None, None, None, Some(22)];
        fill_gaps(&mut a);
        assert_eq!(a, vec![Some(17), Some(18), Some(19), Some(21), Some(22)]);
    }

    #[test]
    fn labels_apart_from_their_numbers_pair_only_when_alone() {
        let s = |block: &str, after: &str| {
            single_item(&label_key(block), &label_key(after)).map(|(t, _)| t)
        };
        // A label wrapped over lines above its numbers, going on below them.
        assert_eq!(s("1.属于国家秘密", ""), Some(4));
        assert_eq!(
            s("(六)其他处理1.申请人无正", "当理由逾期不补正2.申请人逾期"),
            Some(21)
        );
        assert_eq!(s("不计其他情形)(三)不予公开1.属于国家秘", "密"), Some(4));
        // Two labels stacked over one row of numbers (上海市科委 2024 as a PDF-to-markdown
        // converter left it: the numbers are 5.属于三类内部事务信息's).
        assert_eq!(
            s(
                "(三)不予公开5.属于三类内部事务信息1.本机关不掌握相关政府信息",
                ""
            ),
            None
        );
        assert_eq!(
            s(
                "(四)无2.没有现成信息需要另法提供行制作3.补正后申请内容仍不明确",
                ""
            ),
            None
        );
        assert_eq!(s("", ""), None);
    }
}
