//! A document's own title as its format stores it: `<dc:title>` of an Office package's
//! `docProps/core.xml` or an OpenDocument's `meta.xml`. Only a fallback for the report's
//! metadata (the body always wins), so a missing or odd property is simply no title.

/// Parts larger than this are not properties: a title is short.
pub const MAX_PROPS_BYTES: u64 = 1 << 20;

/// The text of the first `<dc:title>` element, references decoded, white space collapsed.
pub fn dc_title(xml: &[u8]) -> Option<String> {
    let xml = std::str::from_utf8(xml).ok()?;
    let open = xml.find("<dc:title")?;
    let after = &xml[open + "<dc:title".len()..];
    // `<dc:title/>` or `<dc:titles…>` is not a title.
    if !after.starts_with(['>', ' ']) {
        return None;
    }
    let start = after.find('>')?;
    if after[..start].ends_with('/') {
        return None;
    }
    let body = &after[start + 1..];
    let text = &body[..body.find("</dc:title>")?];
    // A stray `&` (software that did not escape it) leaves the text as written.
    let text = quick_xml::escape::unescape(text).unwrap_or(std::borrow::Cow::Borrowed(text));
    let title = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_properties_title() {
        let core = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>某局2023年政府信息公开工作年度报告 &amp; 附表&#x3001;</dc:title><dc:creator>x</dc:creator></cp:coreProperties>"#;
        assert_eq!(
            dc_title(core.as_bytes()).as_deref(),
            Some("某局2023年政府信息公开工作年度报告 & 附表、")
        );
        assert_eq!(dc_title(b"<dc:title/>"), None);
        assert_eq!(dc_title(b"<dc:title>  </dc:title>"), None);
        assert_eq!(dc_title(b"<dc:creator>x</dc:creator>"), None);
        assert_eq!(
            dc_title(b"<dc:title>a &bogus b</dc:title>").as_deref(),
            Some("a &bogus b")
        );
        assert_eq!(dc_title(b"\xff<dc:title>x</dc:title>"), None);
    }
}
