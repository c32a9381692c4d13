//! Prints the document model of PDFs: `cargo run -p nianbao-adapter-pdf --example dump -- FILE…`
use nianbao_core::{Adapter, Block, Input, Limits};

fn main() {
    let limits = Limits::default();
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("read");
        let input = Input {
            bytes: &bytes,
            path: &path,
            limits: &limits,
        };
        match nianbao_adapter_pdf::PdfAdapter.extract(&input) {
            Err(e) => println!("{path}: {e}"),
            Ok(doc) => {
                println!(
                    "== {path}: {} pages, warnings {:?}",
                    doc.pages.unwrap_or(0),
                    doc.warnings
                );
                for b in &doc.blocks {
                    match b {
                        Block::Paragraph(p) => println!("P{} {}", p.prov.page.unwrap_or(0), p.text),
                        Block::Table(t) => {
                            println!("TABLE p{} cols {}", t.prov.page.unwrap_or(0), t.n_cols);
                            for row in &t.rows {
                                let cells: Vec<String> = row
                                    .iter()
                                    .map(|c| {
                                        format!(
                                            "[{}{}] {}",
                                            c.col,
                                            if c.row_span > 1 || c.col_span > 1 {
                                                format!("+{}x{}", c.row_span, c.col_span)
                                            } else {
                                                String::new()
                                            },
                                            c.text
                                        )
                                    })
                                    .collect();
                                println!("  | {}", cells.join(" | "));
                            }
                        }
                    }
                }
            }
        }
    }
}
