//! `cargo xtask fixtures [OUT]`: regenerates the generated fixtures into OUT (default
//! `fixtures/`): the DOCX and XLSX files and their expectations by `fixturegen`, then the
//! copies other tools make from them when those tools are installed:
//! - LibreOffice (`soffice`): the DOCX printed to text, the DOCX re-saved by LibreOffice,
//!   the multi-sheet workbook as .xls and .ods, the DOCX reports printed to PDF, a DOCX saved as HTML, a workbook as CSV;
//! - msoffcrypto-tool (PyPI): a password-protected DOCX.
//!
//! Without a tool its outputs are left as committed (a message says so).
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn run(args: &[String]) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?
        .to_path_buf();
    let out = args
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("fixtures"));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&root)
        .args(["run", "--quiet", "-p", "fixturegen", "--release", "--"])
        .arg(&out)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("fixturegen failed".into());
    }
    let (docx, xlsx) = (out.join("docx"), out.join("xlsx"));
    if has("soffice") {
        libreoffice(&docx, &xlsx)?;
    } else {
        eprintln!("xtask fixtures: soffice not found; the .txt, -lo.docx, .xls and .ods copies were not remade");
    }
    if has("msoffcrypto-tool") {
        let ok = Command::new("msoffcrypto-tool")
            .args(["-e", "-p", "nianbao"])
            .arg(docx.join("qingshan-2020.docx"))
            .arg(docx.join("bad-encrypted.docx"))
            .status()
            .map_err(|e| e.to_string())?
            .success();
        if !ok {
            return Err("msoffcrypto-tool failed".into());
        }
    } else {
        eprintln!("xtask fixtures: msoffcrypto-tool not found (pip install msoffcrypto-tool); bad-encrypted.docx was not remade");
    }
    Ok(())
}

fn has(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

/// `soffice --convert-to` with a private profile (a user's running LibreOffice is not disturbed).
fn soffice(filter: &str, input: &Path, outdir: &Path) -> Result<(), String> {
    let profile = std::env::temp_dir().join("nianbao-xtask-lo-profile");
    let ok = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", filter, "--outdir"])
        .arg(outdir)
        .arg(input)
        .output()
        .map_err(|e| format!("soffice: {e}"))?
        .status
        .success();
    if ok {
        Ok(())
    } else {
        Err(format!(
            "soffice --convert-to {filter} {} failed",
            input.display()
        ))
    }
}

fn libreoffice(docx: &Path, xlsx: &Path) -> Result<(), String> {
    let donghu = docx.join("donghu-2021.docx");
    soffice("txt:Text (encoded):UTF8", &donghu, docx)?;
    // Re-saved by LibreOffice: written to a scratch folder, then renamed beside the original.
    let scratch = std::env::temp_dir().join("nianbao-xtask-lo-out");
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    soffice("docx:MS Word 2007 XML", &donghu, &scratch)?;
    std::fs::rename(
        scratch.join("donghu-2021.docx"),
        docx.join("donghu-2021-lo.docx"),
    )
    .map_err(|e| e.to_string())?;
    // The DOCX reports printed to PDF (the PDF must give the DOCX's record), with the
    // DOCX's expectations: the printed page shows every cell.
    let pdf = docx.parent().unwrap_or(docx).join("pdf");
    for stem in ["donghu-2021", "qingshan-2020"] {
        soffice("pdf", &docx.join(format!("{stem}.docx")), &pdf)?;
        let name = format!("{stem}.expected.json");
        std::fs::copy(docx.join(&name), pdf.join(&name)).map_err(|e| e.to_string())?;
    }
    // The DOCX saved as a web page (LibreOffice's HTML export: real tables with colspan and
    // rowspan), which must also give the DOCX's record.
    let html = docx.parent().unwrap_or(docx).join("html");
    soffice("html:HTML (StarWriter)", &donghu, &html)?;
    std::fs::copy(
        docx.join("donghu-2021.expected.json"),
        html.join("donghu-2021.expected.json"),
    )
    .map_err(|e| e.to_string())?;
    // The one-sheet workbook exported as CSV (UTF-8; LibreOffice recalculates the formula the
    // xlsx left without a cached value), and that CSV in GB18030 by iconv.
    let csv = docx.parent().unwrap_or(docx).join("csv");
    soffice(
        "csv:Text - txt - csv (StarCalc):44,34,76",
        &xlsx.join("shuiting-2019.xlsx"),
        &csv,
    )?;
    let gbk = Command::new("iconv")
        .args(["-f", "UTF-8", "-t", "GB18030"])
        .arg(csv.join("shuiting-2019.csv"))
        .output()
        .map_err(|e| format!("iconv: {e}"))?;
    std::fs::write(csv.join("shuiting-2019-gbk.csv"), gbk.stdout).map_err(|e| e.to_string())?;
    let baihe = xlsx.join("baihe-2022.xlsx");
    soffice("xls:MS Excel 97", &baihe, xlsx)?;
    soffice("ods", &baihe, xlsx)?;
    Ok(())
}
