//! Run-on text: a report whose line structure was lost (a crawler's innerText), the headings
//! mid-line and every table cell glued to the next (`规范性文件898989`, `予以公开7000007`).
//!
//! [`relayout`] puts the title and the six headings on lines of their own and rewrites each
//! table row as `label v1 v2 …`, recovering a run of glued digits only where the form's
//! arithmetic admits exactly one split: in 表三 each row's six applicant columns sum to 总计,
//! the outcome rows sum to （七）总计 and 一+二 = （七）总计+四 per column; in 表四 each group's
//! four outcomes sum to its 总计. Splits are numbers without leading zeros; a space is always
//! a cut. Where two or more splits fit, the row keeps its label only and a warning names it
//! and the number of splits. A 表二 row has no arithmetic: it is read only when a single split
//! exists and no blank cell could explain the digits otherwise.
use crate::applications::{match_label, COMBINED, SUBROWS};
use crate::text::fold;
use nianbao_core::{Block, Document, Provenance};

/// The six headings, each with the spellings it takes in these texts.
const HEADINGS: [&[&str]; 6] = [
    &["一、总体情况", "一、概述"],
    &["二、主动公开政府信息情况"],
    &["三、收到和处理政府信息公开申请情况"],
    &[
        "四、政府信息公开行政复议",
        "四、因政府信息公开申请提起行政复议",
        "四、因政府信息公开申请行政复议",
    ],
    &["五、存在的主要问题", "五、政府信息公开工作存在的主要问题"],
    &["六、其他需要报告的事项"],
];

/// Labels a crawler puts before the fields it archived.
const CRAWLER_LABELS: [&str; 4] = ["标题:", "标题：", "正文:", "正文："];

/// Most splits looked at for one row, and most combinations of ambiguous rows tried together.
const MAX_SPLITS: usize = 5_000;
const MAX_COMBINATIONS: usize = 1_000_000;
/// Longest number a glued count is taken to hold.
const MAX_DIGITS: usize = 7;

/// Whether the first occurrence of one of the headings of sections 二 to 四 in `p` has text
/// before it. Every such heading is a numeral, `、` and words, so one pass over the `、` of the
/// line finds each heading's first occurrence (a search per heading and line was a tenth of a
/// text report's conversion).
fn heading_mid_line(p: &str) -> bool {
    let mut seen = [false; 8];
    for (at, _) in p.match_indices('、') {
        let Some((start, _)) = p[..at].char_indices().next_back() else {
            continue;
        };
        for (k, h) in HEADINGS[1..4].iter().flat_map(|h| h.iter()).enumerate() {
            if !seen[k] && p[start..].starts_with(h) {
                seen[k] = true;
                if !p[..start].trim().is_empty() {
                    return true;
                }
            }
        }
    }
    false
}

/// The document re-laid-out, when its text runs on with headings mid-line; None otherwise.
pub fn relayout(doc: &Document) -> Option<Document> {
    if doc.blocks.iter().any(|b| matches!(b, Block::Table(_))) {
        return None;
    }
    // Most texts have their headings at the start of lines: let them go without a copy.
    if !doc.paragraphs().any(heading_mid_line) {
        return None;
    }
    let text: String = doc
        .paragraphs()
        .map(|p| fold(p).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    let starts = heading_starts(&text)?;
    let mut out = Document {
        encoding: doc.encoding.clone(),
        warnings: doc.warnings.clone(),
        ..Default::default()
    };
    let mut lines: Vec<String> = Vec::new();
    let first = starts
        .iter()
        .flatten()
        .next()
        .copied()
        .unwrap_or(text.len());
    // Before the first heading: the page's breadcrumb, title, source and date, set apart by
    // spaces; the title is found among them.
    for part in text[..first].split(['\n', ' ']) {
        let mut p = part.trim();
        for l in CRAWLER_LABELS {
            p = p.strip_prefix(l).unwrap_or(p).trim();
        }
        if !p.is_empty() {
            lines.push(p.to_string());
        }
    }
    let bounds: Vec<usize> = starts.iter().flatten().copied().collect();
    for (s, at) in starts.iter().enumerate() {
        let Some(at) = *at else { continue };
        let end = bounds
            .iter()
            .copied()
            .find(|&b| b > at)
            .unwrap_or(text.len());
        let seg = &text[at..end];
        let head = HEADINGS[s]
            .iter()
            .find(|h| seg.starts_with(*h))
            .copied()
            .unwrap_or("");
        lines.push(head.to_string());
        let body = &seg[head.len()..];
        match s {
            1 => active_lines(body, &mut lines, &mut out.warnings),
            2 => applications_lines(body, &mut lines, &mut out.warnings),
            3 => appeals_lines(body, &mut lines, &mut out.warnings),
            _ => lines.extend(body.lines().map(|l| l.trim().to_string())),
        }
    }
    for (i, l) in lines.iter().filter(|l| !l.trim().is_empty()).enumerate() {
        out.push_paragraph(l.clone(), Provenance::line(i as u32 + 1));
    }
    Some(out)
}

/// Where each heading starts, in order, when at least three of them stand mid-line (a text
/// whose lines begin with its headings needs no re-layout).
fn heading_starts(text: &str) -> Option<[Option<usize>; 6]> {
    let mut out = [None; 6];
    let mut from = 0;
    let mut mid_line = 0;
    for (i, spellings) in HEADINGS.iter().enumerate() {
        let found = spellings
            .iter()
            .filter_map(|h| text[from..].find(h).map(|p| (from + p, h.len())))
            .min();
        if let Some((p, len)) = found {
            let line_start = text[..p].rfind('\n').map_or(0, |n| n + 1);
            if !text[line_start..p].trim().is_empty() {
                mid_line += 1;
            }
            out[i] = Some(p);
            from = p + len;
        }
    }
    (mid_line >= 3).then_some(out)
}

/// One label and the run of digits after it.
#[derive(Debug)]
struct Piece {
    label: String,
    run: String,
}

/// Cuts a table's text into labels and the runs of digits (with spaces, commas and decimal
/// points) that follow them. A digit followed by `.` or `、` and a word is the next label's
/// number (`00000002.其他法律…`): it goes with that label.
fn pieces(text: &str) -> Vec<Piece> {
    let chars: Vec<char> = text.chars().filter(|&c| c != '\n').collect();
    let mut out: Vec<Piece> = Vec::new();
    let mut label = String::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            label.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit()
                || chars[i] == ' '
                || (matches!(chars[i], '.' | ',')
                    && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
        {
            i += 1;
        }
        let mut run: String = chars[start..i].iter().collect();
        let mut marker = String::new();
        if chars.get(i).is_some_and(|&c| c == '.' || c == '、')
            && chars.get(i + 1).is_some_and(|c| !c.is_ascii_digit())
        {
            let trimmed = run.trim_end();
            if trimmed.ends_with(|c: char| c.is_ascii_digit()) {
                marker.push(trimmed.chars().last().unwrap());
                run = trimmed[..trimmed.len() - 1].to_string();
                marker.push(chars[i]);
                i += 1;
            }
        }
        if run.trim().is_empty() {
            label.push_str(&run);
        } else {
            out.push(Piece {
                label: std::mem::take(&mut label).trim().to_string(),
                run: run.trim().to_string(),
            });
        }
        label.push_str(&marker);
    }
    if !label.trim().is_empty() {
        out.push(Piece {
            label: label.trim().to_string(),
            run: String::new(),
        });
    }
    out
}

/// Every way to cut `run` into exactly `n` whole numbers without leading zeros, a space always
/// being a cut, stopping at `MAX_SPLITS` (then None: too many to decide anything).
fn splits(run: &str, n: usize) -> Option<Vec<Vec<u64>>> {
    let tokens: Vec<&str> = run.split(' ').filter(|t| !t.is_empty()).collect();
    if tokens.is_empty()
        || tokens
            .iter()
            .any(|t| !t.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    let mut cur = Vec::new();
    fn go(
        tokens: &[&str],
        pos: usize,
        n: usize,
        cur: &mut Vec<u64>,
        out: &mut Vec<Vec<u64>>,
    ) -> bool {
        let Some((tok, rest)) = tokens.split_first() else {
            if cur.len() == n {
                out.push(cur.clone());
            }
            return out.len() <= MAX_SPLITS;
        };
        let left = &tok[pos..];
        if left.is_empty() {
            return go(rest, 0, n, cur, out);
        }
        if cur.len() >= n {
            return true;
        }
        let longest = if left.starts_with('0') {
            1
        } else {
            left.len().min(MAX_DIGITS)
        };
        for len in 1..=longest {
            cur.push(left[..len].parse().unwrap());
            let ok = go(tokens, pos + len, n, cur, out);
            cur.pop();
            if !ok {
                return false;
            }
        }
        true
    }
    go(&tokens, 0, n, &mut cur, &mut out).then_some(out)
}

fn join(values: &[u64]) -> String {
    values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// 表二: the header of each 第二十条 sub-table says how many columns its rows have.
fn active_lines(body: &str, lines: &mut Vec<String>, warnings: &mut Vec<String>) {
    const COLUMNS: [&str; 12] = [
        "制发",
        "废止",
        "现行有效",
        "新制作",
        "新公开",
        "公开总数",
        "上一年",
        "增/减",
        "处理决定",
        "收费金额",
        "采购项目",
        "采购总金额",
    ];
    const ITEMS: [&str; 9] = [
        "行政规范性文件",
        "规范性文件",
        "规章",
        "其他对外管理服务事项",
        "行政许可",
        "行政处罚",
        "行政强制",
        "行政事业性收费",
        "政府集中采购",
    ];
    let mut n_cols = 0;
    for p in pieces(body) {
        let item = ITEMS.iter().find(|i| p.label.ends_with(*i));
        let (head, name) = match item {
            Some(i) => p.label.split_at(p.label.len() - i.len()),
            None => (p.label.as_str(), ""),
        };
        if head.contains("第二十条") {
            n_cols = COLUMNS.iter().filter(|c| head.contains(*c)).count();
        }
        if !head.trim().is_empty() {
            lines.push(head.trim().to_string());
        }
        if name.is_empty() {
            continue;
        }
        let values = if n_cols == 1 && !p.run.contains(' ') {
            Some(p.run.clone())
        } else {
            only_split(&p.run, n_cols).map(|v| join(&v))
        };
        match values {
            Some(v) => lines.push(format!("{name} {v}")),
            None => {
                warnings.push(format!(
                    "二、{name}: the glued digits `{}` admit more than one split into {n_cols} cells; left null",
                    p.run
                ));
                lines.push(name.to_string());
            }
        }
    }
}

/// The one split of `run` into `n` numbers, when no fewer numbers (blank cells) could also
/// make it: a row without arithmetic of its own.
fn only_split(run: &str, n: usize) -> Option<Vec<u64>> {
    if n == 0 {
        return None;
    }
    let all = splits(run, n)?;
    let [one] = &all[..] else { return None };
    for k in 1..n {
        if splits(run, k).is_none_or(|s| !s.is_empty()) {
            return None;
        }
    }
    Some(one.clone())
}

/// 表三: 26 rows (24 in the 2019 template) of seven columns.
fn applications_lines(body: &str, lines: &mut Vec<String>, warnings: &mut Vec<String>) {
    let ps = pieces(body);
    // Each piece with a run: its template row, kept while rows come in the template's order.
    let mut rows: Vec<(usize, &Piece)> = Vec::new();
    let mut tail: Vec<&Piece> = Vec::new();
    for p in &ps {
        if p.run.is_empty() {
            tail.push(p);
            continue;
        }
        let key = crate::text::label_key(&p.label);
        match match_label(&key) {
            Some((t, _)) if rows.last().is_none_or(|&(prev, _)| prev < t) => rows.push((t, p)),
            _ => tail.push(p),
        }
    }
    let cands: Vec<Option<Vec<Vec<u64>>>> = rows
        .iter()
        .map(|(_, p)| {
            splits(&p.run, 7).map(|all| {
                all.into_iter()
                    .filter(|v| v[..6].iter().sum::<u64>() == v[6])
                    .collect()
            })
        })
        .collect();
    let solved = solve(&rows.iter().map(|r| r.0).collect::<Vec<_>>(), &cands);
    for (k, (t, p)) in rows.iter().enumerate() {
        let mut label = p.label.clone();
        if k == 0 {
            // The column header runs into the first row's label.
            if let Some(at) = label.find("一、") {
                lines.push(label[..at].to_string());
                label = label[at..].to_string();
            }
        }
        match &solved[k] {
            Ok(v) => lines.push(format!("{label} {}", join(v))),
            Err(n) => {
                warnings.push(format!(
                    "三、{}: the glued digits `{}` admit {} splits under the table's sums; left null",
                    crate::applications::row_name(*t),
                    p.run,
                    n
                ));
                lines.push(label);
            }
        }
    }
    for p in tail {
        lines.push(p.label.clone());
    }
}

/// The values of each row that every split of the table satisfying its sums agrees on, or
/// the number of splits of that row that fit (0: none, or too many to try).
fn solve(templ: &[usize], cands: &[Option<Vec<Vec<u64>>>]) -> Vec<Result<Vec<u64>, usize>> {
    let n = templ.len();
    let count = |k: usize| cands[k].as_ref().map_or(0, |c| c.len());
    let open: Vec<usize> = (0..n).filter(|&k| count(k) > 1).collect();
    let combos = open
        .iter()
        .try_fold(1usize, |acc, &k| acc.checked_mul(count(k)))
        .filter(|&c| c <= MAX_COMBINATIONS);
    let mut choice: Vec<usize> = vec![0; n];
    // The distinct splits of each row found in some whole solution.
    let mut seen: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut any = false;
    if (0..n).all(|k| count(k) > 0) {
        if let Some(total) = combos {
            for mut c in 0..total {
                for &k in &open {
                    choice[k] = c % count(k);
                    c /= count(k);
                }
                let row = |k: usize| &cands[k].as_ref().unwrap()[choice[k]];
                if sums_hold(templ, &row) {
                    any = true;
                    for k in 0..n {
                        if !seen[k].contains(&choice[k]) {
                            seen[k].push(choice[k]);
                        }
                    }
                }
            }
        }
    }
    (0..n)
        .map(|k| {
            let c = cands[k].as_deref().unwrap_or(&[]);
            if any {
                match seen[k][..] {
                    [one] => Ok(c[one].clone()),
                    _ => Err(seen[k].len()),
                }
            } else {
                // No whole split holds (a cell vanished, or the report's own sums are wrong):
                // only a row whose own sum admits one split is read.
                match c {
                    [one] => Ok(one.clone()),
                    _ => Err(c.len()),
                }
            }
        })
        .collect()
}

/// Whether the table's column sums hold for the chosen rows: the outcome rows add up to
/// （七）总计, and 一+二 = （七）总计+四. A sum whose rows are not all present is not checked.
fn sums_hold<'a>(templ: &[usize], row: &impl Fn(usize) -> &'a Vec<u64>) -> bool {
    let at = |t: usize| templ.iter().position(|&x| x == t);
    let has_sub = templ.iter().any(|t| SUBROWS.contains(t));
    let outcomes: Vec<usize> = (2..24)
        .filter(|&t| {
            if has_sub {
                t != COMBINED
            } else {
                !SUBROWS.contains(&t)
            }
        })
        .collect();
    for c in 0..7 {
        if let Some(total) = at(24) {
            if outcomes.iter().all(|&t| at(t).is_some()) {
                let sum: u64 = outcomes.iter().map(|&t| row(at(t).unwrap())[c]).sum();
                if sum != row(total)[c] {
                    return false;
                }
            }
            if let (Some(a), Some(b), Some(d)) = (at(0), at(1), at(25)) {
                if row(a)[c] + row(b)[c] != row(total)[c] + row(d)[c] {
                    return false;
                }
            }
        }
    }
    true
}

/// 表四: fifteen cells, three groups of 维持/纠正/其他/尚未审结/总计.
fn appeals_lines(body: &str, lines: &mut Vec<String>, warnings: &mut Vec<String>) {
    for p in pieces(body) {
        lines.push(p.label.clone());
        if p.run.is_empty() {
            continue;
        }
        let fits: Option<Vec<Vec<u64>>> = splits(&p.run, 15).map(|all| {
            all.into_iter()
                .filter(|v| v.chunks(5).all(|g| g[..4].iter().sum::<u64>() == g[4]))
                .collect()
        });
        match fits.as_deref() {
            Some([one]) => lines.push(join(one)),
            other => warnings.push(format!(
                "四: the glued digits `{}` admit {} splits into the fifteen cells; left null",
                p.run,
                other.map_or("too many".to_string(), |o| o.len().to_string())
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_mid_line_are_found_by_their_first_occurrence() {
        assert!(heading_mid_line(
            "标题:某镇2023年报告 二、主动公开政府信息情况 规范性文件898989"
        ));
        assert!(heading_mid_line(
            "……7000007三、收到和处理政府信息公开申请情况"
        ));
        assert!(!heading_mid_line("二、主动公开政府信息情况"));
        assert!(!heading_mid_line(
            "  三、收到和处理政府信息公开申请情况（见下表）"
        ));
        // Only a heading's first occurrence counts, as the section finder takes it.
        assert!(!heading_mid_line(
            "二、主动公开政府信息情况，同二、主动公开政府信息情况"
        ));
        assert!(!heading_mid_line("本机关二、三季度公开了一些信息"));
    }

    fn runs(text: &str) -> Vec<(String, String)> {
        pieces(text).into_iter().map(|p| (p.label, p.run)).collect()
    }

    #[test]
    fn list_numbers_go_with_the_label_after_them() {
        assert_eq!(
            runs("1.属于国家秘密00000002.其他法律0000000(六)其他处理1.申请人0 0 0"),
            [
                ("1.属于国家秘密".to_string(), "0000000".to_string()),
                ("2.其他法律".to_string(), "0000000".to_string()),
                ("(六)其他处理1.申请人".to_string(), "0 0 0".to_string()),
            ]
        );
        assert_eq!(
            runs("行政事业性收费24252.311082三、"),
            [
                ("行政事业性收费".to_string(), "24252.311082".to_string()),
                ("三、".to_string(), String::new()),
            ]
        );
    }

    #[test]
    fn splits_respect_spaces_and_leading_zeros() {
        assert_eq!(splits("000", 3), Some(vec![vec![0, 0, 0]]));
        assert_eq!(splits("000", 2), Some(vec![]));
        assert_eq!(splits("0 0 00 00 0", 7), Some(vec![vec![0; 7]]));
        assert_eq!(splits("350", 2), Some(vec![vec![3, 50], vec![35, 0]]));
        assert_eq!(only_split("000", 3), Some(vec![0, 0, 0]));
        assert_eq!(only_split("350", 2), None);
        // 100 could be 10 and 0 with a blank cell: not certain.
        assert_eq!(only_split("100", 3), None);
    }

    /// The 2021 form's 表三 labels, in order, as a crawler glues them.
    const LABELS: [&str; 26] = [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "三、本年度办理结果（一）予以公开",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "（三）不予公开1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
        "3.危及“三安全一稳定”",
        "4.保护第三方合法权益",
        "5.属于三类内部事务信息",
        "6.属于四类过程性信息",
        "7.属于行政执法案卷",
        "8.属于行政查询事项",
        "（四）无法提供1.本机关不掌握相关政府信息",
        "2.没有现成信息需要另行制作",
        "3.补正后申请内容仍不明确",
        "（五）不予处理1.信访举报投诉类申请",
        "2.重复申请",
        "3.要求提供公开出版物",
        "4.无正当理由大量反复申请",
        "5.要求行政机关确认或重新出具已获取信息",
        "（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "3.其他",
        "（七）总计",
        "四、结转下年度继续办理",
        "",
    ];

    #[test]
    fn glued_tables_never_give_a_wrong_value() {
        // Random tables that satisfy every sum of the form, glued without spaces: whatever
        // comes out must be the table's own value. Rows are 0 (new), 1 (carried over), the 22
        // outcome rows (sub-rows of 其他处理, not the combined row), total, carry forward.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut rand = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let (mut read, mut cells) = (0, 0);
        for _ in 0..60 {
            let mut rows: Vec<[u64; 7]> = Vec::new();
            let make = |rand: &mut dyn FnMut(u64) -> u64, big: u64| {
                let mut r = [0u64; 7];
                for c in r.iter_mut().take(6) {
                    *c = match rand(4) {
                        0 | 1 => 0,
                        2 => rand(10),
                        _ => rand(big),
                    };
                }
                r[6] = r[..6].iter().sum();
                r
            };
            let outcomes: Vec<[u64; 7]> = (0..22).map(|_| make(&mut rand, 120)).collect();
            let mut total = [0u64; 7];
            for o in &outcomes {
                for c in 0..7 {
                    total[c] += o[c];
                }
            }
            let forward = make(&mut rand, 30);
            // 一 + 二 = 总计 + 四: 上年结转 at most 结转下年度 in each column keeps 一 whole.
            let mut carried = make(&mut rand, 30);
            for c in 0..6 {
                carried[c] = carried[c].min(forward[c]);
            }
            carried[6] = carried[..6].iter().sum();
            let new: [u64; 7] = std::array::from_fn(|c| total[c] + forward[c] - carried[c]);
            rows.push(new);
            rows.push(carried);
            rows.extend(outcomes);
            rows.push(total);
            rows.push(forward);
            // 2021 labels without the combined 其他处理 row: the sub-rows carry the values.
            let labels: Vec<&str> = LABELS[..25].to_vec();
            let mut text = String::from(
                "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他",
            );
            for (l, r) in labels.iter().zip(&rows) {
                text.push_str(l);
                for v in r {
                    text.push_str(&v.to_string());
                }
            }
            let mut lines = Vec::new();
            let mut warnings = Vec::new();
            applications_lines(&text, &mut lines, &mut warnings);
            for (l, want) in labels.iter().zip(&rows) {
                cells += 7;
                let Some(line) = lines.iter().find(|x| x.starts_with(l) && x.len() > l.len())
                else {
                    continue;
                };
                let got: Vec<u64> = line[l.len()..]
                    .split_whitespace()
                    .map(|v| v.parse().unwrap())
                    .collect();
                assert_eq!(&got[..], &want[..], "{l} in {text}");
                read += 7;
            }
        }
        // Most cells are decided; the rest stay null.
        println!("{read} of {cells} cells read");
        assert!(read * 2 > cells, "{read} of {cells}");
    }

    #[test]
    fn a_row_sum_decides_glued_digits() {
        let fit = |run: &str| -> Vec<Vec<u64>> {
            splits(run, 7)
                .unwrap()
                .into_iter()
                .filter(|v| v[..6].iter().sum::<u64>() == v[6])
                .collect()
        };
        // Values read off 平潭综合实验区's original pages.
        assert_eq!(fit("7000007"), [vec![7, 0, 0, 0, 0, 0, 7]]);
        assert_eq!(fit("230 000023"), [vec![23, 0, 0, 0, 0, 0, 23]]);
        assert_eq!(fit("640020470"), [vec![64, 0, 0, 2, 0, 4, 70]]);
        // Its own sum leaves two splits here; the column sums of the whole table decide.
        assert_eq!(
            fit("220000325"),
            [vec![2, 20, 0, 0, 0, 3, 25], vec![22, 0, 0, 0, 0, 3, 25]]
        );
        assert_eq!(fit("1100002"), [vec![1, 1, 0, 0, 0, 0, 2]]);
    }
}
