//! Places table cells on a grid the way a browser does: a cell starts at the first column of
//! its row not covered by a `rowspan` from an earlier row, so covered columns push later cells
//! to the right.

/// Browsers clamp `colspan` to 1000; beyond that the page is hostile, not a report.
const MAX_COLSPAN: usize = 1000;
/// Widest grid kept; cells starting further right are dropped.
pub const MAX_COLS: usize = 2000;

/// A cell's spans as written: `row_span` 0 means "to the end of the table".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spans {
    pub col_span: usize,
    pub row_span: usize,
}

/// Where a cell lands: grid column and the spans clamped to the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub col: usize,
    pub col_span: usize,
    pub row_span: usize,
}

/// Places every row's cells; `None` for a cell past [`MAX_COLS`].
pub fn place(rows: &[Vec<Spans>]) -> Vec<Vec<Option<Placed>>> {
    let n_rows = rows.len();
    // For each column, the first row no longer covered by a rowspan from above.
    let mut covered_until: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(n_rows);
    for (r, row) in rows.iter().enumerate() {
        let mut col = 0;
        let mut placed = Vec::with_capacity(row.len());
        for spans in row {
            while col < covered_until.len() && covered_until[col] > r {
                col += 1;
            }
            if col >= MAX_COLS {
                placed.push(None);
                continue;
            }
            let col_span = spans.col_span.clamp(1, MAX_COLSPAN).min(MAX_COLS - col);
            let left = n_rows - r;
            let row_span = if spans.row_span == 0 {
                left
            } else {
                spans.row_span.min(left)
            };
            if covered_until.len() < col + col_span {
                covered_until.resize(col + col_span, 0);
            }
            for c in &mut covered_until[col..col + col_span] {
                *c = (*c).max(r + row_span);
            }
            placed.push(Some(Placed {
                col,
                col_span,
                row_span,
            }));
            col += col_span;
        }
        out.push(placed);
    }
    out
}

/// A span attribute as browsers read it: leading digits (`"2"`, `" 3px"`), else 1.
pub fn parse_span(value: Option<&str>, default: usize) -> usize {
    let Some(v) = value else { return default };
    let digits: String = v
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .take(6)
        .collect();
    digits.parse().unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(col_span: usize, row_span: usize) -> Spans {
        Spans { col_span, row_span }
    }

    fn cols(rows: &[Vec<Spans>]) -> Vec<Vec<usize>> {
        place(rows)
            .iter()
            .map(|r| r.iter().map(|p| p.unwrap().col).collect())
            .collect()
    }

    /// The head of 表三 as the 2021 template lays it out.
    #[test]
    fn applications_table_header() {
        let one = s(1, 1);
        let rows = vec![
            vec![s(3, 3), s(7, 1)],                           // corner note, 申请人情况
            vec![s(1, 2), s(5, 1), s(1, 2)],                  // 自然人, 法人或其他组织, 总计
            vec![one, one, one, one, one],                    // 商业企业 … 其他
            vec![s(3, 1), one, one, one, one, one, one, one], // 一、本年新收…
            vec![s(1, 3), s(2, 1), one, one, one, one, one, one, one], // 三、本年度办理结果
            vec![s(1, 2), one, one, one, one, one, one, one, one], // （三）不予公开, 1.国家秘密
            vec![one, one, one, one, one, one, one, one],     // 2.其他法律…
        ];
        assert_eq!(
            cols(&rows),
            vec![
                vec![0, 3],
                vec![3, 4, 9],
                vec![4, 5, 6, 7, 8],
                vec![0, 3, 4, 5, 6, 7, 8, 9],
                vec![0, 1, 3, 4, 5, 6, 7, 8, 9],
                vec![1, 2, 3, 4, 5, 6, 7, 8, 9],
                vec![2, 3, 4, 5, 6, 7, 8, 9],
            ]
        );
    }

    /// 表四: five rowspan-2 headings before the litigation group.
    #[test]
    fn appeals_table_header() {
        let rows = vec![
            vec![s(5, 1), s(10, 1)],
            vec![
                s(1, 2),
                s(1, 2),
                s(1, 2),
                s(1, 2),
                s(1, 2),
                s(5, 1),
                s(5, 1),
            ],
            vec![s(1, 1); 10],
        ];
        let placed = cols(&rows);
        assert_eq!(placed[1], [0, 1, 2, 3, 4, 5, 10]);
        assert_eq!(placed[2], (5..15).collect::<Vec<_>>());
    }

    #[test]
    fn spans_are_clamped() {
        let rows = vec![vec![s(5000, 0), s(1, 99)], vec![s(1, 1)]];
        let placed = place(&rows);
        assert_eq!(
            placed[0][0],
            Some(Placed {
                col: 0,
                col_span: 1000,
                row_span: 2
            })
        );
        assert_eq!(
            placed[0][1],
            Some(Placed {
                col: 1000,
                col_span: 1,
                row_span: 2
            })
        );
        // Both columns groups are covered in row 1: the cell goes after them.
        assert_eq!(placed[1][0].unwrap().col, 1001);
        let wide = vec![vec![s(1000, 1); 5]];
        assert_eq!(place(&wide)[0].iter().filter(|p| p.is_none()).count(), 3);
    }

    #[test]
    fn span_attributes() {
        assert_eq!(parse_span(Some("2"), 1), 2);
        assert_eq!(parse_span(Some(" 3px"), 1), 3);
        assert_eq!(parse_span(Some("x"), 1), 1);
        assert_eq!(parse_span(Some("99999999999"), 1), 999_999);
        assert_eq!(parse_span(None, 1), 1);
    }
}
