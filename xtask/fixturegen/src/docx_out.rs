//! Draws a report as a Word document with docx-rs (the writer; the adapter reads with its own
//! code). Tables use real merges: `gridSpan` across, `vMerge` restart/continue down.
use crate::data::Report;
use crate::form::{table2, table3, table4, Grid, Val};
use docx_rs::{
    AlignmentType, BreakType, Docx, Hyperlink, HyperlinkType, Paragraph, Run, StructuredDataTag,
    Table, TableCell, TableLayoutType, TableRow, VMergeType, WidthType,
};
use std::path::Path;

/// How this document differs from a plain one.
#[derive(Default)]
pub struct Style {
    /// Split 表三 into two tables before this row key (a page break between them; the second
    /// table has no header, as when a table is continued on the next page).
    pub split_table3_before: Option<&'static str>,
    /// Put 表四 inside a one-cell frame table (nested table).
    pub frame_table4: bool,
    /// A web address in section 六 as a hyperlink.
    pub hyperlink: Option<&'static str>,
    /// Wrap the signature and one value cell in content controls (w:sdt).
    pub content_controls: bool,
    /// Mark the package as written by WPS Office (custom property KSOProductBuildVer).
    pub wps: bool,
    /// Write labels in two runs, and the long （二） label as two paragraphs.
    pub split_runs: bool,
}

fn runs(text: &str, split: bool) -> Paragraph {
    let chars: Vec<char> = text.chars().collect();
    if split && chars.len() > 3 {
        let mid = chars.len() / 2;
        let (a, b): (String, String) =
            (chars[..mid].iter().collect(), chars[mid..].iter().collect());
        Paragraph::new()
            .add_run(Run::new().add_text(a))
            .add_run(Run::new().add_text(b))
    } else {
        Paragraph::new().add_run(Run::new().add_text(text))
    }
}

fn cell_paragraphs(text: &str, split: bool) -> Vec<Paragraph> {
    if split {
        if let Some(rest) = text.strip_prefix("（二）部分公开") {
            return vec![runs("（二）部分公开", true), runs(rest, true)];
        }
    }
    vec![runs(text, split)]
}

/// Rows `rows` of a grid as a docx table. A merge that began above the first row restarts
/// (empty) in it, as Word does when a table is split.
fn table(
    g: &Grid,
    rows: std::ops::Range<usize>,
    style: &Style,
    sdt_key: Option<&str>,
    width: usize,
) -> Table {
    // Fixed widths inside the text area: with automatic widths LibreOffice lets the 15-column
    // 表四 run past the right page edge and clips it when printing to PDF.
    let col = width / g.n_cols;
    let mut out = Vec::new();
    for r in rows.clone() {
        let mut cells = Vec::new();
        let mut c = 0;
        while c < g.n_cols {
            let Some(o) = g.owner(r, c) else {
                cells.push(
                    TableCell::new()
                        .width(col, WidthType::Dxa)
                        .add_paragraph(Paragraph::new()),
                );
                c += 1;
                continue;
            };
            let mut cell = TableCell::new().width(col * o.cols, WidthType::Dxa);
            if o.cols > 1 {
                cell = cell.grid_span(o.cols);
            }
            let starts_here = o.r == r || r == rows.start;
            let last = (o.r + o.rows).min(rows.end) - 1;
            if !starts_here {
                cell = cell
                    .vertical_merge(VMergeType::Continue)
                    .add_paragraph(Paragraph::new());
            } else {
                if last > r {
                    cell = cell.vertical_merge(VMergeType::Restart);
                }
                let text = match &o.val {
                    _ if o.r != r => String::new(),
                    Val::Text(t) => t.clone(),
                    Val::Int(n) => n.to_string(),
                    Val::Money(m) => m.to_string(),
                    Val::Blank => String::new(),
                };
                let is_label = matches!(o.val, Val::Text(_));
                let paras = cell_paragraphs(&text, style.split_runs && is_label);
                if sdt_key.is_some() && o.key.as_deref() == sdt_key && o.r == r {
                    let mut sdt = StructuredDataTag::new();
                    for p in paras {
                        sdt = sdt.add_paragraph(p);
                    }
                    cell = cell.add_structured_data_tag(sdt);
                } else {
                    for p in paras {
                        cell = cell.add_paragraph(p);
                    }
                }
            }
            cells.push(cell);
            c = o.c + o.cols;
        }
        out.push(TableRow::new(cells));
    }
    Table::new(out)
        .set_grid(vec![col; g.n_cols])
        .width(col * g.n_cols, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

/// Text width of docx-rs's default page (A4, 11906 twips, less its side margins), in twips.
const TEXT_WIDTH: usize = 8500;

fn heading(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text).bold())
}

fn text(t: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(t))
}

pub fn write(rep: &Report, style: &Style, path: &Path) -> std::io::Result<()> {
    let split = style.split_runs;
    let mut d = Docx::new()
        .add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(Run::new().add_text(rep.title()).bold().size(36)),
        )
        .add_paragraph(text(&format!(
            "本报告根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室有关要求编制。本报告所列数据统计期限为{}年1月1日至{}年12月31日。",
            rep.year, rep.year
        )))
        .add_paragraph(heading("一、总体情况"));
    for p in &rep.overview {
        d = d.add_paragraph(text(p));
    }
    d = d.add_paragraph(heading("二、主动公开政府信息情况"));
    let sdt_key = style
        .content_controls
        .then_some("active.licensing.decisions");
    let t2 = table2(rep);
    d = d.add_table(table(&t2, 0..t2.n_rows, style, sdt_key, TEXT_WIDTH));
    d = d.add_paragraph(heading("三、收到和处理政府信息公开申请情况"));
    let t3 = table3(rep);
    match style.split_table3_before {
        Some(key) => {
            let at = t3
                .cells
                .iter()
                .find(|c| c.key.as_deref() == Some(&format!("applications.{key}.natural_person")))
                .map(|c| c.r)
                .expect("split row");
            d = d.add_table(table(&t3, 0..at, style, None, TEXT_WIDTH));
            d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
            d = d.add_table(table(&t3, at..t3.n_rows, style, None, TEXT_WIDTH));
        }
        None => d = d.add_table(table(&t3, 0..t3.n_rows, style, None, TEXT_WIDTH)),
    }
    d = d.add_paragraph(heading("四、政府信息公开行政复议、行政诉讼情况"));
    let t4 = table4(rep);
    // A framed table sits inside a cell: leave room for the cell's margins.
    let inner_width = if style.frame_table4 {
        TEXT_WIDTH - 400
    } else {
        TEXT_WIDTH
    };
    let inner = table(&t4, 0..t4.n_rows, style, None, inner_width);
    d = if style.frame_table4 {
        let frame = TableCell::new()
            .add_table(inner)
            .add_paragraph(Paragraph::new());
        d.add_table(Table::new(vec![TableRow::new(vec![frame])]).set_grid(vec![TEXT_WIDTH]))
    } else {
        d.add_table(inner)
    };
    d = d.add_paragraph(heading("五、存在的主要问题及改进情况"));
    for p in &rep.problems {
        d = d.add_paragraph(runs(p, split));
    }
    d = d.add_paragraph(heading("六、其他需要报告的事项"));
    for p in &rep.other {
        d = d.add_paragraph(text(p));
    }
    if let Some(url) = style.hyperlink {
        d = d.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(format!("本报告电子版可在“{}”门户网站（", rep.agency)))
                .add_hyperlink(
                    Hyperlink::new(format!("http://{url}/"), HyperlinkType::External)
                        .add_run(Run::new().add_text(url)),
                )
                .add_run(Run::new().add_text("）查阅或下载。")),
        );
    }
    let sign = Paragraph::new()
        .align(AlignmentType::Right)
        .add_run(Run::new().add_text(rep.agency));
    d = if style.content_controls {
        d.add_structured_data_tag(StructuredDataTag::new().add_paragraph(sign))
    } else {
        d.add_paragraph(sign)
    };
    d = d.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Right)
            .add_run(Run::new().add_text(rep.date)),
    );
    if style.wps {
        d = d.custom_property("KSOProductBuildVer", "2052-11.1.0.11115");
    }
    let file = std::fs::File::create(path)?;
    d.build().pack(file).map_err(std::io::Error::other)
}
