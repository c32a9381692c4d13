//! Times the reading of the HTML fixtures: `cargo run --release --example time_pages -- FILES`.
use std::time::Instant;

fn main() {
    let files: Vec<Vec<u8>> = std::env::args()
        .skip(1)
        .map(|p| std::fs::read(p).expect("readable fixture"))
        .collect();
    let rounds = 200;
    let start = Instant::now();
    let mut blocks = 0;
    for _ in 0..rounds {
        for f in &files {
            blocks += nianbao_adapter_html::extract(f)
                .map(|d| d.blocks.len())
                .unwrap_or(0);
        }
    }
    let per = start.elapsed().as_secs_f64() * 1e3 / rounds as f64;
    let bytes: usize = files.iter().map(Vec::len).sum();
    println!(
        "{} pages, {bytes} bytes: {per:.3} ms per pass ({blocks} blocks)",
        files.len()
    );
}
