//! Times the outputs written from DIR/reports.jsonl: `cargo run --release -p nianbao-outputs
//! --example time_outputs DIR [read|keys.csv|reports.sqlite|reports.xlsx|audit.html|all]`.
//! Without a name, times reading the log alone, then each output alone (each reading the log
//! again), then the four together as `nianbao outputs` writes them; with one, times only that
//! (so that `perf stat` or `time` can count its CPU).
use nianbao_outputs::{AUDIT, CODEBOOK, DATABASE, JSONL, WORKBOOK};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: time_outputs DIR [NAME]"),
    );
    let only = std::env::args().nth(2);
    let all = [CODEBOOK, DATABASE, WORKBOOK, AUDIT];
    let mut runs: Vec<(&str, Vec<&str>)> = vec![("read", vec![])];
    runs.extend(all.iter().map(|n| (*n, vec![*n])));
    runs.push(("all", all.to_vec()));
    for (what, names) in runs {
        if only.as_deref().is_some_and(|o| o != what) {
            continue;
        }
        let t = Instant::now();
        if what == "read" {
            let mut n = 0;
            nianbao_outputs::read_batches(&dir.join(JSONL), |b| n += b.len())?;
        } else {
            nianbao_outputs::write_only(&dir, &names)?;
        }
        report(what, t);
    }
    Ok(())
}

fn report(what: &str, start: Instant) {
    eprintln!("{what:<16} {:>8.3} s", start.elapsed().as_secs_f64());
}
