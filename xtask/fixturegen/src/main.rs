//! `fixturegen <out dir>`: writes the generated DOCX and XLSX fixtures and their
//! `<stem>.expected.json` into `<out>/docx` and `<out>/xlsx`, all from the hand data in
//! `data.rs`. Run by `cargo xtask fixtures`, which then makes the LibreOffice conversions.
mod data;
mod docx_out;
mod expected;
mod form;
mod repack;
mod xlsx_out;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "fixtures".into()));
    match run(&out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fixturegen: {e}");
            ExitCode::FAILURE
        }
    }
}

type Res = Result<(), Box<dyn std::error::Error>>;

fn run(out: &Path) -> Res {
    let (docx_dir, xlsx_dir) = (out.join("docx"), out.join("xlsx"));
    std::fs::create_dir_all(&docx_dir)?;
    std::fs::create_dir_all(&xlsx_dir)?;
    let reports = data::reports();
    for r in &reports {
        data::validate(r);
    }
    let get = |stem: &str| reports.iter().find(|r| r.stem == stem).expect("report");

    // Word: a district report in Word's usual shape, with the things real files contain.
    let donghu = get("donghu-2021");
    let style = docx_out::Style {
        frame_table4: true,
        hyperlink: Some("www.donghu.gov.cn"),
        content_controls: true,
        split_runs: true,
        ..Default::default()
    };
    let path = docx_dir.join("donghu-2021.docx");
    docx_out::write(donghu, &style, &path)?;
    repack::deflate(&path)?;
    write_expected(donghu, "donghu-2021", &docx_dir)?;
    // The same document re-saved by LibreOffice (made by `cargo xtask fixtures`).
    write_expected(donghu, "donghu-2021-lo", &docx_dir)?;
    // A truncated copy: a damaged package.
    let bytes = std::fs::read(&path)?;
    let cut = find(&bytes, b"word/document.xml")
        .map(|i| i + 400)
        .unwrap_or(bytes.len() / 2)
        .min(bytes.len() - 1);
    std::fs::write(docx_dir.join("bad-truncated.docx"), &bytes[..cut])?;

    // WPS Office shape: 表三 continued on the next page as a second table without header.
    let qingshan = get("qingshan-2020");
    let style = docx_out::Style {
        split_table3_before: Some("denied.enforcement_file"),
        split_runs: true,
        wps: true,
        ..Default::default()
    };
    let path = docx_dir.join("qingshan-2020.docx");
    docx_out::write(qingshan, &style, &path)?;
    repack::as_wps(&path)?;
    write_expected(qingshan, "qingshan-2020", &docx_dir)?;

    // Spreadsheets: one sheet per section; and everything on one sheet with formulas.
    let baihe = get("baihe-2022");
    let style = xlsx_out::Style {
        sheet_per_section: true,
        ..Default::default()
    };
    xlsx_out::write(baihe, &style, &xlsx_dir.join("baihe-2022.xlsx"))?;
    write_expected(baihe, "baihe-2022", &xlsx_dir)?;
    let shuiting = get("shuiting-2019");
    let style = xlsx_out::Style {
        table2_as_text: true,
        formulas: true,
        ..Default::default()
    };
    let path = xlsx_dir.join("shuiting-2019.xlsx");
    let uncached = xlsx_out::write(shuiting, &style, &path)?;
    repack::drop_cached_values(&path, &uncached)?;
    write_expected(shuiting, "shuiting-2019", &xlsx_dir)?;
    repack::workbook_without_sheets(&xlsx_dir.join("bad-no-sheets.xlsx"))?;
    eprintln!(
        "fixturegen: wrote {} and {}",
        docx_dir.display(),
        xlsx_dir.display()
    );
    Ok(())
}

fn write_expected(rep: &data::Report, stem: &str, dir: &Path) -> Res {
    let json = serde_json::to_string_pretty(&expected::expected(rep, stem))?;
    std::fs::write(dir.join(format!("{stem}.expected.json")), json + "\n")?;
    Ok(())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
