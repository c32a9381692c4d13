//! The merged regions of an xlsx worksheet, read off its XML without parsing its cells: the
//! `<mergeCells>` element follows `<sheetData>`, so a byte search finds it. The result is what
//! calamine's `merge_cells_by_sheet_name` gives, or `None` when the sheet is not of the plain
//! shape this reader trusts (then the caller asks calamine).
use memchr::{memchr, memmem};
use nianbao_core::grid::Merge;

/// The regions of the first `<mergeCells>` element of a worksheet's XML (none without one).
pub fn merged_regions(xml: &[u8]) -> Option<Vec<Merge>> {
    // A byte search could be fooled by a tag inside a comment or CDATA section, and cannot
    // read UTF-16; such sheets are left to calamine's parser.
    let utf16 = xml.starts_with(&[0xff, 0xfe]) || xml.starts_with(&[0xfe, 0xff]);
    if utf16
        || xml.get(..2).is_some_and(|h| h.contains(&0))
        || memmem::find(xml, b"<!--").is_some()
        || memmem::find(xml, b"<![CDATA[").is_some()
    {
        return None;
    }
    let Some(at) = memmem::find_iter(xml, b"mergeCells").find(|&i| opens_tag(xml, i)) else {
        return Some(Vec::new());
    };
    let mut pos = at + "mergeCells".len();
    let (_, end) = attributes(xml, pos)?;
    if xml[end - 1] == b'/' {
        return Some(Vec::new());
    }
    pos = end + 1;
    let mut out = Vec::new();
    loop {
        pos += memchr(b'<', xml.get(pos..)?)? + 1;
        match *xml.get(pos)? {
            b'?' | b'!' => return None,
            b'/' => {
                let (name, after) = tag_name(xml, pos + 1);
                pos = after + memchr(b'>', xml.get(after..)?)?;
                if local(name) == b"mergeCells" {
                    return Some(out);
                }
            }
            _ => {
                let (name, after) = tag_name(xml, pos);
                let (attrs, end) = attributes(xml, after)?;
                if local(name) == b"mergeCell" {
                    if let Some((_, value)) = attrs.iter().find(|(k, _)| *k == b"ref") {
                        out.push(dimension(value)?);
                    }
                }
                pos = end;
            }
        }
    }
}

/// Whether the name found at `i` is that of a start tag: `<` before it, or `<prefix:`, and
/// the name ends there.
fn opens_tag(xml: &[u8], i: usize) -> bool {
    let ends = matches!(
        xml.get(i + "mergeCells".len()),
        Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/')
    );
    let mut j = i;
    if j > 0 && xml[j - 1] == b':' {
        j -= 1;
        while j > 0 && is_name_byte(xml[j - 1]) {
            j -= 1;
        }
    }
    ends && j > 0 && xml[j - 1] == b'<'
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.') || b >= 0x80
}

fn local(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The tag name starting at `pos`, and where it ends.
fn tag_name(xml: &[u8], pos: usize) -> (&[u8], usize) {
    let len = xml[pos..]
        .iter()
        .position(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/'))
        .unwrap_or(xml.len() - pos);
    (&xml[pos..pos + len], pos + len)
}

type Attribute<'x> = (&'x [u8], &'x [u8]);

/// The attributes of a tag from `pos` (just after its name) to its `>`, and where that `>`
/// is. `None` if the tag is not well formed.
fn attributes(xml: &[u8], mut pos: usize) -> Option<(Vec<Attribute<'_>>, usize)> {
    let mut out = Vec::new();
    loop {
        while xml.get(pos)?.is_ascii_whitespace() {
            pos += 1;
        }
        match xml[pos] {
            b'>' => return Some((out, pos)),
            b'/' if xml.get(pos + 1) == Some(&b'>') => return Some((out, pos + 1)),
            _ => {}
        }
        let key_len = xml[pos..]
            .iter()
            .position(|b| *b == b'=' || b.is_ascii_whitespace())?;
        let key = &xml[pos..pos + key_len];
        pos += key_len;
        while xml.get(pos)?.is_ascii_whitespace() {
            pos += 1;
        }
        if xml[pos] != b'=' || key.is_empty() {
            return None;
        }
        pos += 1;
        while xml.get(pos)?.is_ascii_whitespace() {
            pos += 1;
        }
        let quote = *xml.get(pos)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let len = memchr(quote, xml.get(pos + 1..)?)?;
        out.push((key, &xml[pos + 1..pos + 1 + len]));
        pos += len + 2;
    }
}

/// `A1:C3` (or a single cell, `B2`) as a region, as calamine's `get_dimension` reads it.
fn dimension(text: &[u8]) -> Option<Merge> {
    let mut parts = text.split(|&b| b == b':');
    let start = cell(parts.next()?)?;
    let end = match parts.next() {
        Some(p) => cell(p)?,
        None => start,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(Merge {
        first_row: start.0,
        first_col: start.1,
        last_row: end.0,
        last_col: end.1,
    })
}

/// A cell reference (`AB12`, letters of either case, no `$`) as 0-based (row, column).
fn cell(text: &[u8]) -> Option<(u32, u32)> {
    let letters = text.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (col_text, row_text) = text.split_at(letters);
    if row_text.is_empty() || !row_text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut col = 0u32;
    for &c in col_text {
        col = col
            .checked_mul(26)?
            .checked_add(u32::from(c.to_ascii_uppercase() - b'A') + 1)?;
    }
    let mut row = 0u32;
    for &d in row_text {
        row = row.checked_mul(10)?.checked_add(u32::from(d - b'0'))?;
    }
    Some((row.checked_sub(1)?, col.checked_sub(1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(a: (u32, u32), b: (u32, u32)) -> Merge {
        Merge {
            first_row: a.0,
            first_col: a.1,
            last_row: b.0,
            last_col: b.1,
        }
    }

    #[test]
    fn regions_after_the_cells() {
        let xml = br#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData><mergeCells count="3"><mergeCell ref="A1:C1"/><mergeCell ref='b2:b4' /><mergeCell ref="D5"></mergeCell></mergeCells><pageMargins left="0.7"/></worksheet>"#;
        assert_eq!(
            merged_regions(xml),
            Some(vec![
                region((0, 0), (0, 2)),
                region((1, 1), (3, 1)),
                region((4, 3), (4, 3))
            ])
        );
    }

    #[test]
    fn prefixed_empty_and_missing() {
        let xml = br#"<x:worksheet><x:sheetData/><x:mergeCells><x:mergeCell ref="AA10:AB11"/></x:mergeCells></x:worksheet>"#;
        assert_eq!(merged_regions(xml), Some(vec![region((9, 26), (10, 27))]));
        assert_eq!(
            merged_regions(b"<worksheet><mergeCells/></worksheet>"),
            Some(vec![])
        );
        assert_eq!(
            merged_regions(b"<worksheet><sheetData/></worksheet>"),
            Some(vec![])
        );
        // The name inside text, or as the end of a longer name, is not the element.
        let xml = br#"<worksheet><c><is><t>mergeCells</t></is></c><xmergeCells><mergeCell ref="A1:B1"/></xmergeCells></worksheet>"#;
        assert_eq!(merged_regions(xml), Some(vec![]));
    }

    #[test]
    fn unusual_sheets_are_left_to_calamine() {
        for xml in [
            &br#"<worksheet><!-- c --><mergeCells><mergeCell ref="A1:B1"/></mergeCells></worksheet>"#[..],
            br#"<worksheet><mergeCells><mergeCell ref="$A$1:B1"/></mergeCells></worksheet>"#,
            br#"<worksheet><mergeCells><mergeCell ref="A1:B1:C1"/></mergeCells></worksheet>"#,
            br#"<worksheet><mergeCells><mergeCell ref="A0:B1"/></mergeCells></worksheet>"#,
            br#"<worksheet><mergeCells><mergeCell ref=A1:B1/></mergeCells></worksheet>"#,
            br#"<worksheet><mergeCells><mergeCell ref="A1:B1"/>"#,
            b"\xff\xfe<\x00w\x00",
        ] {
            assert_eq!(merged_regions(xml), None, "{}", String::from_utf8_lossy(xml));
        }
    }
}
