//! Merged cells of an OpenDocument spreadsheet, read from `content.xml` (calamine gives the
//! values of an .ods but not its spans). A cell's `table:number-columns-spanned` /
//! `number-rows-spanned` make a merge; `number-columns-repeated` / `number-rows-repeated`
//! advance the position without looping, so a sheet padded to a million rows costs nothing.
use crate::local_name;
use nianbao_core::grid::Merge;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;

/// Positions past these are not real report content; stop counting there.
const MAX_ROW: u64 = 1 << 20;
const MAX_COL: u64 = 1 << 14;

/// Merges by sheet name.
pub fn merges(content_xml: &str) -> HashMap<String, Vec<Merge>> {
    let mut out: HashMap<String, Vec<Merge>> = HashMap::new();
    let mut reader = quick_xml::Reader::from_str(content_xml);
    let mut sheet: Option<String> = None;
    let (mut row, mut col) = (0u64, 0u64);
    let mut row_repeat = 1u64;
    // Depth of nested tables inside a cell (subtables are not part of the grid).
    let mut inner = 0usize;
    loop {
        let (e, empty) = match reader.read_event() {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) => {
                let name = e.name().0;
                match name.rsplit(':').next().unwrap_or(name) {
                    "table" if inner > 0 => inner -= 1,
                    "table" => sheet = None,
                    "table-row" if inner == 0 => {
                        row = row.saturating_add(row_repeat).min(MAX_ROW);
                        row_repeat = 1;
                    }
                    _ => {}
                }
                continue;
            }
            Ok(Event::Eof) | Err(_) => return out,
            Ok(_) => continue,
        };
        match local_name(&e) {
            "table" if sheet.is_some() => inner += usize::from(!empty),
            "table" if !empty => {
                sheet = Some(attr(&e, "name").unwrap_or_default());
                row = 0;
            }
            "table-row" if inner == 0 && sheet.is_some() => {
                col = 0;
                row_repeat = num(&e, "number-rows-repeated").max(1);
                if empty {
                    row = row.saturating_add(row_repeat).min(MAX_ROW);
                    row_repeat = 1;
                }
            }
            "table-cell" | "covered-table-cell" if inner == 0 => {
                let Some(name) = &sheet else { continue };
                let cols = num(&e, "number-columns-spanned");
                let rows = num(&e, "number-rows-spanned");
                if local_name(&e) == "table-cell"
                    && (cols > 1 || rows > 1)
                    && row < MAX_ROW
                    && col < MAX_COL
                {
                    out.entry(name.clone()).or_default().push(Merge {
                        first_row: row as u32,
                        first_col: col as u32,
                        last_row: (row + rows.max(1) - 1).min(MAX_ROW) as u32,
                        last_col: (col + cols.max(1) - 1).min(MAX_COL) as u32,
                    });
                }
                col = col
                    .saturating_add(num(&e, "number-columns-repeated").max(1))
                    .min(MAX_COL);
            }
            _ => {}
        }
    }
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.0.rsplit(':').next() == Some(name))
        .map(|a| a.value.to_string())
}

fn num(e: &BytesStart, name: &str) -> u64 {
    attr(e, name)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_repeats() {
        let xml = r#"<office:document-content><office:body><office:spreadsheet>
        <table:table table:name="表四">
          <table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>
          <table:table-row><table:table-cell table:number-columns-repeated="3"/><table:table-cell table:number-columns-spanned="5" table:number-rows-spanned="2"><text:p>行政复议</text:p></table:table-cell><table:covered-table-cell table:number-columns-repeated="4"/><table:table-cell/></table:table-row>
          <table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
        </table:table>
        <table:table table:name="空"/>
        </office:spreadsheet></office:body></office:document-content>"#;
        let m = merges(xml);
        assert_eq!(
            m["表四"],
            [Merge {
                first_row: 2,
                first_col: 3,
                last_row: 3,
                last_col: 7
            }]
        );
        assert!(!m.contains_key("空"));
    }
}
