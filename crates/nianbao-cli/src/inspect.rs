//! `nianbao inspect FILE`: what the adapter saw and where each value went, for debugging.
use nianbao_core::{Block, Limits};
use std::path::Path;
use std::process::ExitCode;

pub fn run(file: &Path, json: bool) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("nianbao: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let Some(adapter) = nianbao_core::detect(&bytes) else {
        eprintln!(
            "nianbao: {}: no adapter recognises these bytes",
            file.display()
        );
        return ExitCode::from(1);
    };
    let path = file.to_string_lossy();
    let limits = Limits::default();
    let doc = match adapter.extract(&nianbao_core::Input {
        bytes: &bytes,
        path: &path,
        limits: &limits,
    }) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("nianbao: {path}: {e}");
            return ExitCode::from(1);
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&doc).unwrap());
    } else {
        println!(
            "# {path}: format {}, {} blocks",
            adapter.name(),
            doc.blocks.len()
        );
        for (i, b) in doc.blocks.iter().enumerate() {
            match b {
                Block::Paragraph(p) => println!("[{i}] ¶ {}", p.text),
                Block::Table(t) => {
                    println!("[{i}] table {} rows × {} cols", t.rows.len(), t.n_cols);
                    for (r, row) in t.rows.iter().enumerate() {
                        let cells: Vec<String> = row
                            .iter()
                            .map(|c| {
                                let span = if c.col_span > 1 || c.row_span > 1 {
                                    format!("{{{}x{}}}", c.row_span, c.col_span)
                                } else {
                                    String::new()
                                };
                                format!("{}{}:{}", c.col, span, c.text)
                            })
                            .collect();
                        println!("    r{r}: {}", cells.join(" | "));
                    }
                }
            }
        }
    }
    let source = nianbao_template::Source {
        path: path.to_string(),
        format: Some(adapter.name().into()),
        ..Default::default()
    };
    let rec = nianbao_template::convert(&doc, source);
    println!(
        "\n# mapping: status {}, template {:?}, agency {:?}, year {:?}",
        rec.status.as_str(),
        rec.report.template,
        rec.report.agency,
        rec.report.year
    );
    for k in nianbao_template::Key::all() {
        if let Some(v) = rec.get(k) {
            let prov = rec
                .provenance
                .get(k)
                .map(|p| serde_json::to_string(p).unwrap())
                .unwrap_or_default();
            println!("{:<52} {:>12}  ← {prov}", k.name(), v.as_f64());
        }
    }
    for w in &rec.warnings {
        println!("warning: {w}");
    }
    for c in &rec.checks {
        println!(
            "check {}: {} — {}",
            c.rule,
            if c.ok { "ok" } else { "FAILED" },
            c.detail
        );
    }
    ExitCode::SUCCESS
}
