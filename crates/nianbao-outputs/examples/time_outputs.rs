//! Times each output written from DIR/reports.jsonl: `cargo run --release -p nianbao-outputs
//! --example time_outputs DIR [read|sqlite]` (with `read` or `sqlite`, stops after it, so that
//! `perf stat` or `time` can count the CPU of reading alone or of reading and the database).
use std::path::PathBuf;
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: time_outputs DIR"));
    let t = Instant::now();
    let docs = nianbao_outputs::read_jsonl(&dir.join(nianbao_outputs::JSONL))?;
    let only = std::env::args().nth(2).unwrap_or_default();
    let mut last = report("read reports.jsonl", t, t);
    if only == "read" {
        return Ok(());
    }
    nianbao_outputs::codebook::write(&dir.join(nianbao_outputs::CODEBOOK))?;
    last = report("keys.csv", t, last);
    nianbao_outputs::database::write(&dir.join(nianbao_outputs::DATABASE), &docs)?;
    last = report("reports.sqlite", t, last);
    if only == "sqlite" {
        return Ok(());
    }
    nianbao_outputs::workbook::write(&dir.join(nianbao_outputs::WORKBOOK), &docs)?;
    last = report("reports.xlsx", t, last);
    nianbao_outputs::audit::write(&dir.join(nianbao_outputs::AUDIT), &docs)?;
    report("audit.html", t, last);
    eprintln!("{} documents", docs.len());
    Ok(())
}

fn report(what: &str, start: Instant, last: Instant) -> Instant {
    let now = Instant::now();
    eprintln!(
        "{what:<20} {:>8.3} s (total {:.3} s)",
        (now - last).as_secs_f64(),
        (now - start).as_secs_f64()
    );
    now
}
