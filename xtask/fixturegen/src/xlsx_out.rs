//! Draws a report as a workbook with rust_xlsxwriter: text one cell per row, the tables with
//! merged regions, optionally totals as formulas (with the cached result Excel would store).
use crate::data::{Report, B};
use crate::form::{table2, table3, table4, Grid, Sum, Val};
use rust_xlsxwriter::{
    ColNum, Format, FormatBorder, Formula, RowNum, Workbook, Worksheet, XlsxError,
};
use std::path::Path;

#[derive(Default)]
pub struct Style {
    /// One sheet per section (else everything on one sheet under the title).
    pub sheet_per_section: bool,
    /// 表二's numbers stored as text cells.
    pub table2_as_text: bool,
    /// Totals written as SUM formulas with their cached result.
    pub formulas: bool,
}

enum Item<'a> {
    Title(String),
    Text(&'a str),
    Grid(Grid),
}

/// A sheet: its name and content, a blank row between text and tables.
fn sheets<'a>(rep: &'a Report, style: &Style) -> Vec<(&'static str, Vec<Item<'a>>)> {
    let intro = "本报告根据《中华人民共和国政府信息公开条例》编制，所列数据统计期限为本年度1月1日至12月31日。";
    let mut one = vec![
        Item::Title(rep.title()),
        Item::Text(intro),
        Item::Text("一、总体情况"),
    ];
    one.extend(rep.overview.iter().map(|p| Item::Text(p)));
    let two = vec![
        Item::Text("二、主动公开政府信息情况"),
        Item::Grid(table2(rep)),
    ];
    let three = vec![
        Item::Text("三、收到和处理政府信息公开申请情况"),
        Item::Grid(table3(rep)),
    ];
    let four = vec![
        Item::Text("四、政府信息公开行政复议、行政诉讼情况"),
        Item::Grid(table4(rep)),
    ];
    let mut rest = vec![Item::Text("五、存在的主要问题及改进情况")];
    rest.extend(rep.problems.iter().map(|p| Item::Text(p)));
    rest.push(Item::Text("六、其他需要报告的事项"));
    rest.extend(rep.other.iter().map(|p| Item::Text(p)));
    rest.push(Item::Text(rep.agency));
    rest.push(Item::Text(rep.date));
    if style.sheet_per_section {
        vec![
            ("总体情况", one),
            ("主动公开", two),
            ("依申请公开", three),
            ("复议诉讼", four),
            ("问题及其他", rest),
        ]
    } else {
        let mut all = one;
        for part in [two, three, four, rest] {
            all.extend(part);
        }
        vec![("年度报告", all)]
    }
}

/// Cells of formulas whose cached value must be removed after saving (A1 refs, by sheet).
pub type Uncached = Vec<(String, String)>;

pub fn write(rep: &Report, style: &Style, path: &Path) -> Result<Uncached, XlsxError> {
    let mut wb = Workbook::new();
    let border = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let mut uncached = Vec::new();
    for (sheet_index, (name, items)) in sheets(rep, style).into_iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        ws.set_column_width(0, 24)?;
        let mut row: RowNum = 0;
        let mut after_grid = false;
        for item in items {
            let is_grid = matches!(item, Item::Grid(_));
            match item {
                Item::Title(t) => {
                    ws.merge_range(row, 0, row, 9, &t, &Format::new().set_bold())?;
                    row += 2;
                }
                Item::Text(t) => {
                    if after_grid {
                        row += 1;
                    }
                    ws.write_string(row, 0, t)?;
                    row += 1;
                }
                Item::Grid(g) => {
                    row += 1;
                    grid(ws, &g, row, style, &border, sheet_index, &mut uncached)?;
                    row += g.n_rows as RowNum;
                }
            }
            after_grid = is_grid;
        }
    }
    wb.save(path)?;
    Ok(uncached)
}

fn grid(
    ws: &mut Worksheet,
    g: &Grid,
    top: RowNum,
    style: &Style,
    border: &Format,
    sheet_index: usize,
    uncached: &mut Uncached,
) -> Result<(), XlsxError> {
    let is_table2 = g
        .cells
        .iter()
        .any(|c| c.key.as_deref().is_some_and(|k| k.starts_with("active.")));
    for c in &g.cells {
        let (r0, c0) = (top + c.r as RowNum, c.c as ColNum);
        let (r1, c1) = (r0 + c.rows as RowNum - 1, c0 + c.cols as ColNum - 1);
        let text = match &c.val {
            Val::Text(t) => t.clone(),
            _ => String::new(),
        };
        if c.rows > 1 || c.cols > 1 {
            ws.merge_range(r0, c0, r1, c1, &text, border)?;
        } else {
            ws.write_string_with_format(r0, c0, &text, border)?;
        }
        match (&c.val, c.sum) {
            (Val::Text(_), _) => {}
            (val, Some(sum)) if style.formulas => {
                let formula = Formula::new(sum_formula(sum, r0, c0));
                let formula = match val {
                    Val::Int(n) => formula.set_result(n.to_string()),
                    _ => {
                        uncached.push((
                            format!("xl/worksheets/sheet{}.xml", sheet_index + 1),
                            a1(r0, c0),
                        ));
                        formula
                    }
                };
                ws.write_formula_with_format(r0, c0, formula, border)?;
            }
            (Val::Int(n), _) if is_table2 && style.table2_as_text => {
                ws.write_string_with_format(r0, c0, n.to_string(), border)?;
            }
            (Val::Int(n), _) => {
                debug_assert!(*n != B);
                ws.write_number_with_format(r0, c0, *n as f64, border)?;
            }
            (Val::Money(m), _) if style.table2_as_text => {
                ws.write_string_with_format(r0, c0, *m, border)?;
            }
            (Val::Money(m), _) => {
                ws.write_number_with_format(r0, c0, m.parse::<f64>().expect("money"), border)?;
            }
            (Val::Blank, _) => {}
        }
    }
    Ok(())
}

fn sum_formula(sum: Sum, r: RowNum, c: ColNum) -> String {
    match sum {
        Sum::Left(n) => format!("=SUM({}:{})", a1(r, c - n as ColNum), a1(r, c - 1)),
        Sum::Above(n) => format!("=SUM({}:{})", a1(r - n as RowNum, c), a1(r - 1, c)),
    }
}

pub fn a1(r: RowNum, c: ColNum) -> String {
    let mut col = String::new();
    let mut n = c as u32 + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        col.insert(0, (b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    format!("{col}{}", r + 1)
}
