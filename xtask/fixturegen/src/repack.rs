//! Edits of written packages that the writer crates cannot express: WPS Office's markers, a
//! formula whose writer stored no result, a workbook without sheets.
use std::io::{Read, Write};
use std::path::Path;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

type Res = Result<(), Box<dyn std::error::Error>>;

/// Rewrites the package at `path`, passing every part through `edit`.
fn rewrite(path: &Path, edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Res {
    let bytes = std::fs::read(path)?;
    let mut zip = ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i)?;
        let mut data = Vec::new();
        f.read_to_end(&mut data)?;
        parts.push((f.name().to_string(), data));
    }
    let mut w = ZipWriter::new(std::fs::File::create(path)?);
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, data) in parts {
        let data = edit(&name, data);
        w.start_file(name, opts)?;
        w.write_all(&data)?;
    }
    w.finish()?;
    Ok(())
}

/// Recompresses a package (docx-rs stores its parts uncompressed).
pub fn deflate(path: &Path) -> Res {
    rewrite(path, |_, data| data)
}

/// The markers WPS Office writes: its name as the application and its build in a custom
/// property (`KSOProductBuildVer`), and `w:vMerge w:val="continue"` spelled out.
pub fn as_wps(path: &Path) -> Res {
    rewrite(path, |name, data| {
        match name {
        "docProps/app.xml" => br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Template>Normal</Template><Pages>3</Pages><Application>WPS Office_11.1.0.11115_F1E327BC-269C-435d-A152-05C5408002CA</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop></Properties>"#
            .to_vec(),
        "word/document.xml" => {
            let xml = String::from_utf8_lossy(&data).replace(
                "<w:document ",
                r#"<w:document xmlns:wpsCustomData="http://www.wps.cn/officeDocument/2013/wpsCustomData" "#,
            );
            xml.into_bytes()
        }
        _ => data,
    }
    })
}

/// Removes the cached result of the formulas at `cells` (sheet part, A1 reference).
pub fn drop_cached_values(path: &Path, cells: &[(String, String)]) -> Res {
    rewrite(path, |name, data| {
        let mine: Vec<&String> = cells
            .iter()
            .filter(|(p, _)| p == name)
            .map(|(_, c)| c)
            .collect();
        if mine.is_empty() {
            return data;
        }
        let mut xml = String::from_utf8_lossy(&data).into_owned();
        for cell in mine {
            let start = format!(r#"<c r="{cell}""#);
            let Some(at) = xml.find(&start) else {
                panic!("{name}: no cell {cell}")
            };
            let end = at + xml[at..].find("</c>").expect("cell end");
            let cell_xml = &xml[at..end];
            let v = cell_xml.find("<v>").expect("cached value");
            let v_end = cell_xml.find("</v>").expect("cached value end") + 4;
            xml.replace_range(at + v..at + v_end, "");
        }
        xml.into_bytes()
    })
}

/// A well-formed workbook package whose workbook lists no sheet at all.
pub fn workbook_without_sheets(path: &Path) -> Res {
    let parts: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets/></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>"#,
        ),
    ];
    let mut w = ZipWriter::new(std::fs::File::create(path)?);
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, xml) in parts {
        w.start_file(name, opts)?;
        w.write_all(xml.as_bytes())?;
    }
    w.finish()?;
    Ok(())
}
