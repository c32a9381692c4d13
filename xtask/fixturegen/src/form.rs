//! The official layout of the report's tables (表二, 表三, 表四) in both template versions, as
//! grids of cells with spans, each value cell tagged with its key of keys.tsv. Both the DOCX and
//! the XLSX writer draw these grids; the expected files use the same keys.
use crate::data::{Report, Version, B, V};

/// What a grid cell shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Text(String),
    Int(i64),
    /// Money as written (万元).
    Money(&'static str),
    Blank,
}

/// A total a spreadsheet writer may store as a formula: the sum of `n` cells to the left of it,
/// or of `n` cells above it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sum {
    Left(usize),
    Above(usize),
}

#[derive(Debug, Clone)]
pub struct GCell {
    pub r: usize,
    pub c: usize,
    pub rows: usize,
    pub cols: usize,
    pub val: Val,
    pub key: Option<String>,
    pub sum: Option<Sum>,
}

#[derive(Debug, Clone, Default)]
pub struct Grid {
    pub n_rows: usize,
    pub n_cols: usize,
    pub cells: Vec<GCell>,
}

impl Grid {
    fn text(&mut self, r: usize, c: usize, rows: usize, cols: usize, t: &str) {
        self.cells.push(GCell {
            r,
            c,
            rows,
            cols,
            val: Val::Text(t.into()),
            key: None,
            sum: None,
        });
        self.n_rows = self.n_rows.max(r + rows);
        self.n_cols = self.n_cols.max(c + cols);
    }
    fn value(&mut self, r: usize, c: usize, cols: usize, key: String, v: V, sum: Option<Sum>) {
        let val = match v {
            V::N(B) | V::B => Val::Blank,
            V::N(n) => Val::Int(n),
            V::M(m) => Val::Money(m),
        };
        self.cells.push(GCell {
            r,
            c,
            rows: 1,
            cols,
            val,
            key: Some(key),
            sum,
        });
        self.n_rows = self.n_rows.max(r + 1);
        self.n_cols = self.n_cols.max(c + cols);
    }
    /// The cell that covers grid position (r, c).
    pub fn owner(&self, r: usize, c: usize) -> Option<&GCell> {
        self.cells
            .iter()
            .find(|g| (g.r..g.r + g.rows).contains(&r) && (g.c..g.c + g.cols).contains(&c))
    }
}

pub const APPLICANTS: [&str; 7] = [
    "natural_person",
    "enterprise",
    "research",
    "public_interest",
    "legal_service",
    "other_org",
    "total",
];
pub const OUTCOMES: [&str; 5] = ["upheld", "corrected", "other", "pending", "total"];
pub const APPEAL_GROUPS: [&str; 3] = ["review", "litigation_direct", "litigation_after_review"];

/// Rows of 表二: a sub-table heading, a header row, or a data row (label, value keys).
enum T2 {
    Heading(&'static str),
    Header(&'static [&'static str]),
    Data(&'static str, &'static [&'static str]),
}

fn table2_rows(v: Version) -> Vec<T2> {
    use T2::*;
    match v {
        Version::V2019 => vec![
            Heading("第二十条第（一）项"),
            Header(&[
                "信息内容",
                "本年新制作数量",
                "本年新公开数量",
                "对外公开总数量",
            ]),
            Data("规章", &["rules.made", "rules.published", "rules.total"]),
            Data(
                "规范性文件",
                &["normative.made", "normative.published", "normative.total"],
            ),
            Heading("第二十条第（五）项"),
            Header(&["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]),
            Data(
                "行政许可",
                &[
                    "licensing.prev_items",
                    "licensing.change",
                    "licensing.decisions",
                ],
            ),
            Data(
                "其他对外管理服务事项",
                &[
                    "other_services.prev_items",
                    "other_services.change",
                    "other_services.decisions",
                ],
            ),
            Heading("第二十条第（六）项"),
            Header(&["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]),
            Data(
                "行政处罚",
                &["penalty.prev_items", "penalty.change", "penalty.decisions"],
            ),
            Data(
                "行政强制",
                &[
                    "coercion.prev_items",
                    "coercion.change",
                    "coercion.decisions",
                ],
            ),
            Heading("第二十条第（八）项"),
            Header(&["信息内容", "上一年项目数量", "本年增/减"]),
            Data("行政事业性收费", &["fees.prev_items", "fees.change"]),
            Heading("第二十条第（九）项"),
            Header(&["信息内容", "采购项目数量", "采购总金额"]),
            Data(
                "政府集中采购",
                &["procurement.items", "procurement.amount_wan"],
            ),
        ],
        Version::V2021 => vec![
            Heading("第二十条第（一）项"),
            Header(&["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]),
            Data(
                "规章",
                &["rules.issued", "rules.repealed", "rules.in_force"],
            ),
            Data(
                "行政规范性文件",
                &[
                    "normative.issued",
                    "normative.repealed",
                    "normative.in_force",
                ],
            ),
            Heading("第二十条第（五）项"),
            Header(&["信息内容", "本年处理决定数量"]),
            Data("行政许可", &["licensing.decisions"]),
            Heading("第二十条第（六）项"),
            Header(&["信息内容", "本年处理决定数量"]),
            Data("行政处罚", &["penalty.decisions"]),
            Data("行政强制", &["coercion.decisions"]),
            Heading("第二十条第（八）项"),
            Header(&["信息内容", "本年收费金额（单位：万元）"]),
            Data("行政事业性收费", &["fees.amount_wan"]),
        ],
    }
}

/// 表二 on a 4-column grid; a row with fewer values lets the last one span the rest.
pub fn table2(rep: &Report) -> Grid {
    let mut g = Grid::default();
    for (r, row) in table2_rows(rep.version).into_iter().enumerate() {
        let cells: Vec<(&str, Option<&str>)> = match row {
            T2::Heading(t) => {
                g.text(r, 0, 1, 4, t);
                continue;
            }
            T2::Header(h) => h.iter().map(|t| (*t, None)).collect(),
            T2::Data(label, keys) => std::iter::once((label, None))
                .chain(keys.iter().map(|k| ("", Some(*k))))
                .collect(),
        };
        let n = cells.len();
        for (c, (text, key)) in cells.into_iter().enumerate() {
            let cols = if c + 1 == n { 4 - c } else { 1 };
            match key {
                Some(k) => g.value(r, c, cols, format!("active.{k}"), rep.active(k), None),
                None => g.text(r, c, 1, cols, text),
            }
        }
    }
    g
}

/// A group of 表三 rows: key prefix, level-2 label, (key suffix, level-3 label) per row.
type Group = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The row label paths of 表三, top level first; equal consecutive levels are merged.
pub fn table3_rows(v: Version) -> Vec<(&'static str, Vec<&'static str>)> {
    const R3: &str = "三、本年度办理结果";
    let mut rows = vec![
        ("new", vec!["一、本年新收政府信息公开申请数量"]),
        ("carried_over", vec!["二、上年结转政府信息公开申请数量"]),
        ("granted", vec![R3, "（一）予以公开"]),
        (
            "partial",
            vec![
                R3,
                "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            ],
        ),
    ];
    let groups: [Group; 3] = [
        (
            "denied",
            "（三）不予公开",
            &[
                ("state_secret", "1.属于国家秘密"),
                ("law_prohibited", "2.其他法律行政法规禁止公开"),
                ("three_safety", "3.危及“三安全一稳定”"),
                ("third_party", "4.保护第三方合法权益"),
                ("internal_affairs", "5.属于三类内部事务信息"),
                ("process_info", "6.属于四类过程性信息"),
                ("enforcement_file", "7.属于行政执法案卷"),
                ("admin_query", "8.属于行政查询事项"),
            ],
        ),
        (
            "unable",
            "（四）无法提供",
            &[
                ("not_held", "1.本机关不掌握相关政府信息"),
                ("needs_creation", "2.没有现成信息需要另行制作"),
                ("unclear", "3.补正后申请内容仍不明确"),
            ],
        ),
        (
            "rejected",
            "（五）不予处理",
            &[
                ("petition", "1.信访举报投诉类申请"),
                ("duplicate", "2.重复申请"),
                ("publication", "3.要求提供公开出版物"),
                ("excessive", "4.无正当理由大量反复申请"),
                ("confirmation", "5.要求行政机关确认或重新出具已获取信息"),
            ],
        ),
    ];
    for (prefix, l2, subs) in groups {
        for (k, l3) in subs {
            rows.push((leak(format!("{prefix}.{k}")), vec![R3, l2, l3]));
        }
    }
    match v {
        Version::V2019 => rows.push(("other.combined", vec![R3, "（六）其他处理"])),
        Version::V2021 => {
            rows.push((
                "other.no_correction",
                vec![
                    R3,
                    "（六）其他处理",
                    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                ],
            ));
            rows.push((
                "other.unpaid_fee",
                vec![
                    R3,
                    "（六）其他处理",
                    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                ],
            ));
            rows.push(("other.misc", vec![R3, "（六）其他处理", "3.其他"]));
        }
    }
    rows.push(("total", vec![R3, "（七）总计"]));
    rows.push(("carry_forward", vec!["四、结转下年度继续办理"]));
    rows
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// 表三: 3 label columns and 7 applicant columns under a 3-row header.
pub fn table3(rep: &Report) -> Grid {
    let mut g = Grid::default();
    g.text(
        0,
        0,
        3,
        3,
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    );
    g.text(0, 3, 1, 7, "申请人情况");
    g.text(1, 3, 2, 1, "自然人");
    g.text(1, 4, 1, 5, "法人或其他组织");
    g.text(1, 9, 2, 1, "总计");
    for (i, t) in [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    .iter()
    .enumerate()
    {
        g.text(2, 4 + i, 1, 1, t);
    }
    let rows = table3_rows(rep.version);
    let first = 3;
    let outcomes = rows
        .iter()
        .filter(|(k, _)| !matches!(*k, "new" | "carried_over" | "total" | "carry_forward"))
        .count();
    for (i, (key, path)) in rows.iter().enumerate() {
        let r = first + i;
        // Each label level starts a merge unless the row above has the same path up to it.
        for level in 0..path.len() {
            let same_above =
                i > 0 && rows[i - 1].1.len() > level && rows[i - 1].1[..=level] == path[..=level];
            if same_above {
                continue;
            }
            let run = rows[i..]
                .iter()
                .take_while(|(_, p)| p.len() > level && p[..=level] == path[..=level])
                .count();
            let cols = if level + 1 == path.len() {
                3 - level
            } else {
                1
            };
            g.text(r, level, run, cols, path[level]);
        }
        let values = rep.apps(key);
        for (c, col) in APPLICANTS.iter().enumerate() {
            let sum = if *key == "total" {
                Some(Sum::Above(outcomes))
            } else if c == 6 {
                Some(Sum::Left(6))
            } else {
                None
            };
            g.value(
                r,
                3 + c,
                1,
                format!("applications.{key}.{col}"),
                V::N(values[c]),
                sum,
            );
        }
    }
    g
}

/// 表四: 行政复议 ×5 and 行政诉讼 (未经复议直接起诉 ×5, 复议后起诉 ×5), one row of 15 values.
pub fn table4(rep: &Report) -> Grid {
    let mut g = Grid::default();
    g.text(0, 0, 1, 5, "行政复议");
    g.text(0, 5, 1, 10, "行政诉讼");
    let names = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
    for (i, n) in names.iter().enumerate() {
        g.text(1, i, 2, 1, n);
        g.text(2, 5 + i, 1, 1, n);
        g.text(2, 10 + i, 1, 1, n);
    }
    g.text(1, 5, 1, 5, "未经复议直接起诉");
    g.text(1, 10, 1, 5, "复议后起诉");
    for (gi, group) in APPEAL_GROUPS.iter().enumerate() {
        for (oi, o) in OUTCOMES.iter().enumerate() {
            let c = gi * 5 + oi;
            let sum = (oi == 4).then_some(Sum::Left(4));
            g.value(
                3,
                c,
                1,
                format!("appeals.{group}.{o}"),
                V::N(rep.appeals[c]),
                sum,
            );
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table3_has_the_official_row_counts() {
        for (v, rows) in [(Version::V2019, 26), (Version::V2021, 28)] {
            let rep = crate::data::reports()
                .into_iter()
                .find(|r| r.version == v)
                .unwrap();
            let g = table3(&rep);
            assert_eq!((g.n_rows, g.n_cols), (rows, 10));
        }
    }
}
