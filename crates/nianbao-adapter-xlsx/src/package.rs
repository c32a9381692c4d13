//! The parts of the xlsx package the guard kept inflated (`guard::Seen::parts`), and the
//! worksheet part behind each sheet name, found as calamine finds them. The plain reader
//! (`cells`) reads whole workbooks from them; otherwise the adapter reads each sheet's merged
//! regions from its part (`merges`) instead of asking calamine, whose merge reader parses every
//! cell of the sheet again to reach the `<mergeCells>` after them, and uses them only when the
//! sheet names come out exactly as calamine's.
use crate::guard::Part;
use crate::local_name;
use quick_xml::escape::unescape;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;

/// The parts of a package the guard kept inflated, by name.
pub struct Parts<'a> {
    /// Part name as calamine normalises it for lookups (`\\` → `/`, ASCII lower case).
    by_name: HashMap<String, &'a [u8]>,
}

/// One sheet of the workbook: its name, its part, and whether the workbook's relationships
/// call it a worksheet (the others are chart and dialog sheets).
pub struct Sheet<'a> {
    pub name: String,
    pub xml: &'a [u8],
    pub worksheet: bool,
}

/// The workbook part's folder (with its trailing `/`: where calamine looks for the shared
/// strings and styles) and its sheets in workbook order.
pub struct Workbook<'a> {
    pub folder: String,
    pub sheets: Vec<Sheet<'a>>,
}

impl<'a> Parts<'a> {
    pub fn of(parts: &'a [Part]) -> Parts<'a> {
        let mut by_name = HashMap::with_capacity(parts.len());
        for part in parts {
            // A later part of the same normalised name wins, as in calamine's lookup cache.
            let name = part.name.replace('\\', "/").to_ascii_lowercase();
            by_name.insert(name, &part.bytes[..]);
        }
        Parts { by_name }
    }

    /// The part at `path`, looked up as calamine does (ASCII case ignored).
    pub fn get(&self, path: &str) -> Option<&'a [u8]> {
        self.by_name.get(&path.to_ascii_lowercase()).copied()
    }

    fn text(&self, path: &str) -> Option<&'a str> {
        std::str::from_utf8(self.get(path)?).ok()
    }

    /// Every sheet's name and part, in workbook order: the office document named in
    /// `_rels/.rels`, its relationships, and its `<sheet>` elements. `None` when any step
    /// finds something unexpected, or a sheet's part is missing.
    pub fn workbook(&self) -> Option<Workbook<'a>> {
        let (folder, workbook) = office_document(self.text("_rels/.rels")?)?;
        let targets = relationships(self.text(&format!("{folder}_rels/{workbook}.rels"))?)?;
        let mut sheets = Vec::new();
        for (name, id) in sheet_elements(self.text(&format!("{folder}{workbook}"))?)? {
            let (target, kind) = targets.get(&id)?;
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None => format!("{folder}{target}"),
            };
            sheets.push(Sheet {
                name,
                xml: self.get(&path)?,
                worksheet: kind.rsplit('/').next() == Some("worksheet"),
            });
        }
        Some(Workbook { folder, sheets })
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

/// Relationship id → target (as written) and type of the workbook's relationships.
fn relationships(rels: &str) -> Option<HashMap<String, (String, String)>> {
    let mut out = HashMap::new();
    for_each_start(rels, |e| {
        if local_name(e) == "Relationship" {
            let attrs = raw_attrs(e)?;
            let value = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            if let Some(id) = value("Id") {
                let target = value("Target").unwrap_or_default();
                out.insert(id, (target, value("Type").unwrap_or_default()));
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
                } else if key == "state"
                    && !matches!(&value[..], "visible" | "hidden" | "veryHidden")
                {
                    // calamine refuses to open such a workbook.
                    return None;
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
