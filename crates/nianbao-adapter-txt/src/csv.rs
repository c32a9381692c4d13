//! A report kept as comma-separated values (a spreadsheet exported to CSV): recognised by its
//! shape, not its name. Spreadsheet programs pad every record to the sheet's width, so nearly
//! every record has the same number of fields; prose with commas is quoted. Such a text is read
//! as a grid, like a sheet, so blank cells keep their column.
use nianbao_core::grid::{self, SheetGrid};
use nianbao_core::Block;

/// Records needed before a text counts as CSV.
const MIN_RECORDS: usize = 5;
/// Fewest fields per record (a label and two values).
const MIN_FIELDS: usize = 3;

/// The text as blocks when it is CSV, `None` otherwise.
pub fn blocks(text: &str) -> Option<Vec<Block>> {
    if !commas_on_most_lines(text) {
        return None;
    }
    let records = parse(text)?;
    let mut widths: std::collections::HashMap<usize, usize> = Default::default();
    for (_, r) in &records {
        *widths.entry(r.len()).or_default() += 1;
    }
    let (&width, &count) = widths.iter().max_by_key(|&(w, n)| (*n, *w))?;
    if records.len() < MIN_RECORDS || width < MIN_FIELDS || count * 10 < records.len() * 9 {
        return None;
    }
    let g = SheetGrid {
        name: None,
        lines: records.iter().map(|(line, _)| *line).collect(),
        origin: (0, 0),
        text: records
            .into_iter()
            .map(|(_, r)| r.into_iter().map(|f| f.trim().to_string()).collect())
            .collect(),
        merges: Vec::new(),
        first_table_index: 0,
    };
    Some(grid::blocks(&g))
}

/// A cheap look before parsing: most of the first lines hold two or more commas (a padded
/// grid has them even on its title line). Ordinary text is turned away without a full parse.
fn commas_on_most_lines(text: &str) -> bool {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let with_commas = lines
        .iter()
        .filter(|l| l.bytes().filter(|&b| b == b',').count() >= MIN_FIELDS - 1)
        .count();
    lines.len() >= MIN_RECORDS && with_commas * 2 >= lines.len()
}

/// RFC 4180 records with the line each starts on; `None` at an unterminated quote (not CSV).
fn parse(text: &str) -> Option<Vec<(u32, Vec<String>)>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut line = 1u32;
    let mut start = 1u32;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push((start, std::mem::take(&mut record)));
                line += 1;
                start = line;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push((start, record));
    }
    Some(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks() {
        let r = parse("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"x\ny\",2,3\n").unwrap();
        assert_eq!(
            r[0],
            (1, vec!["a".into(), "b,c".into(), "say \"hi\"".into()])
        );
        assert_eq!(r[1], (2, vec!["x\ny".into(), "2".into(), "3".into()]));
    }

    #[test]
    fn a_padded_grid_is_csv_and_prose_is_not() {
        let csv = "标题,,,\n,,,\n信息内容,本年制发件数,本年废止件数,现行有效件数\n规章,0,,11\n规范性文件,2,1,30\n,,,\n二、收到申请,,,\n";
        let b = blocks(csv).expect("csv");
        assert_eq!(b.len(), 3);
        let Block::Table(t) = &b[1] else {
            panic!("{b:?}")
        };
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[1][2].text, "");
        assert_eq!(t.rows[1][3].text, "11");
        assert_eq!(t.rows[1][3].prov.line, Some(4));
        let prose = "一、总体情况\n本年度，我局坚持公开为常态、不公开为例外，全年主动公开信息1,234条。\n二、主动公开\n规章 0 0 11\n三、收到申请\n四、行政复议\n";
        assert!(blocks(prose).is_none());
    }
}
