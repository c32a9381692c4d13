//! The parts of the xlsx package the guard wrote again uncompressed (`guard::Seen::stored`),
//! and the worksheet part behind each sheet name, found as calamine finds them. The adapter
//! reads each sheet's merged regions from that part (`merges`) instead of asking calamine,
//! whose merge reader parses every cell of the sheet again to reach the `<mergeCells>` after
//! them. calamine keeps its sheet paths private, so they are resolved here a second time; the
//! caller uses them only when the sheet names come out exactly as calamine's.
use crate::local_name;
use quick_xml::escape::unescape;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::Cursor;
use zip::{CompressionMethod, ZipArchive};

/// A package whose parts are all stored: each part's bytes are a slice of the package.
pub struct Parts<'a> {
    /// Part name as calamine normalises it for lookups (`\` → `/`, ASCII lower case).
    by_name: HashMap<String, &'a [u8]>,
}

impl<'a> Parts<'a> {
    /// `None` unless every part is stored (not compressed) and lies within `package`.
    pub fn of_stored(package: &'a [u8]) -> Option<Parts<'a>> {
        let mut zip = ZipArchive::new(Cursor::new(package)).ok()?;
        let mut by_name = HashMap::with_capacity(zip.len());
        for i in 0..zip.len() {
            let part = zip.by_index_raw(i).ok()?;
            if part.compression() != CompressionMethod::Stored {
                return None;
            }
            let start = usize::try_from(part.data_start()?).ok()?;
            let len = usize::try_from(part.compressed_size()).ok()?;
            let bytes = package.get(start..start.checked_add(len)?)?;
            let name = part.name().ok()?.replace('\\', "/").to_ascii_lowercase();
            // A later part of the same normalised name wins, as in calamine's lookup cache.
            by_name.insert(name, bytes);
        }
        Some(Parts { by_name })
    }

    fn get(&self, path: &str) -> Option<&'a [u8]> {
        self.by_name.get(&path.to_ascii_lowercase()).copied()
    }

    fn text(&self, path: &str) -> Option<&'a str> {
        std::str::from_utf8(self.get(path)?).ok()
    }

    /// Every sheet's name and part, in workbook order: the office document named in
    /// `_rels/.rels`, its relationships, and its `<sheet>` elements. `None` when any step
    /// finds something unexpected, or a sheet's part is missing.
    pub fn sheets(&self) -> Option<Vec<(String, &'a [u8])>> {
        let (folder, workbook) = office_document(self.text("_rels/.rels")?)?;
        let targets = relationships(self.text(&format!("{folder}_rels/{workbook}.rels"))?)?;
        let mut out = Vec::new();
        for (name, id) in sheet_elements(self.text(&format!("{folder}{workbook}"))?)? {
            let target = targets.get(&id)?;
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None => format!("{folder}{target}"),
            };
            out.push((name, self.get(&path)?));
        }
        Some(out)
    }
}

/// Calls `f` on each start or empty element of an XML text. `None` on an XML error, or as soon
/// as `f` gives `None`.
fn for_each_start(xml: &str, mut f: impl FnMut(&BytesStart) -> Option<()>) -> Option<()> {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => f(&e)?,
            Event::Eof => return Some(()),
            _ => {}
        }
    }
}

/// The attributes of an element as written (key with its prefix, value not unescaped).
fn raw_attrs(e: &BytesStart) -> Option<Vec<(String, String)>> {
    e.attributes()
        .map(|a| {
            let a = a.ok()?;
            Some((a.key.0.to_string(), a.value.to_string()))
        })
        .collect()
}

/// The folder (with its trailing `/`, without a leading one) and file name of the workbook
/// part, from the package relationships: the last `officeDocument` relationship's target.
fn office_document(rels: &str) -> Option<(String, String)> {
    let mut target = None;
    for_each_start(rels, |e| {
        if local_name(e) == "Relationship" {
            let attrs = raw_attrs(e)?;
            let value = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v);
            if value("Type").is_some_and(|t| t.ends_with("/relationships/officeDocument")) {
                if let Some(t) = value("Target") {
                    target = Some(unescape(t).ok()?.into_owned());
                }
            }
        }
        Some(())
    })?;
    let target = target?;
    let (folder, name) = match target.rfind('/') {
        Some(i) => target.split_at(i + 1),
        None => ("", target.as_str()),
    };
    let folder = folder.strip_prefix('/').unwrap_or(folder).to_string();
    let name = if name.is_empty() {
        "workbook.xml"
    } else {
        name
    };
    Some((folder, name.to_string()))
}

/// Relationship id → target (as written) of the workbook's relationships.
fn relationships(rels: &str) -> Option<HashMap<String, String>> {
    let mut out = HashMap::new();
    for_each_start(rels, |e| {
        if local_name(e) == "Relationship" {
            let attrs = raw_attrs(e)?;
            let value = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            if let Some(id) = value("Id") {
                out.insert(id, value("Target").unwrap_or_default());
            }
        }
        Some(())
    })?;
    Some(out)
}

/// (name, relationship id) of each `<sheet>` of the workbook, in order.
fn sheet_elements(workbook: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for_each_start(workbook, |e| {
        if local_name(e) == "sheet" {
            let (mut name, mut id) = (String::new(), String::new());
            for (key, value) in raw_attrs(e)? {
                if key == "name" {
                    name = unescape(&value).ok()?.into_owned();
                } else if key == "id" || key.ends_with(":id") {
                    id = value;
                }
            }
            out.push((name, id));
        }
        Some(())
    })?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_document_folder_and_name() {
        let rels = |target: &str| {
            format!("<Relationships><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"{target}\"/></Relationships>")
        };
        assert_eq!(
            office_document(&rels("xl/workbook.xml")),
            Some(("xl/".into(), "workbook.xml".into()))
        );
        assert_eq!(
            office_document(&rels("/xl/wb2.xml")),
            Some(("xl/".into(), "wb2.xml".into()))
        );
        assert_eq!(
            office_document(&rels("book.xml")),
            Some(("".into(), "book.xml".into()))
        );
        assert_eq!(office_document("<Relationships/>"), None);
    }

    #[test]
    fn sheet_names_are_unescaped_and_ids_read_under_any_prefix() {
        let wb = "<workbook><sheets><sheet name=\"表一 &amp; 二\" sheetId=\"1\" r:id=\"rId3\"/><x:sheet name=\"B\" id=\"rId1\"/></sheets></workbook>";
        assert_eq!(
            sheet_elements(wb),
            Some(vec![
                ("表一 & 二".into(), "rId3".into()),
                ("B".into(), "rId1".into())
            ])
        );
    }
}
