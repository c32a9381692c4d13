//! `cargo xtask <task>`: maintenance tasks, in the style of rust-analyzer's xtask.
mod bench;
mod ci;
mod eval;
mod fixtures;
mod new_adapter;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("help");
    let rest = &args[args.len().min(1)..];
    let result = match task {
        "help" | "--help" | "-h" => {
            println!("{HELP}");
            Ok(())
        }
        "ci" => ci::run(rest),
        "codegen" => keygen::write(),
        "eval" => eval::run(rest),
        "fixtures" => fixtures::run(rest),
        "bench" => bench::run(rest),
        "bench-table" => bench::summary::table(rest),
        "new-adapter" => new_adapter::run(rest),
        other => Err(format!("unknown task `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

const HELP: &str = "usage: cargo xtask <task>

tasks:
  ci            build once, run every check CI runs (fmt, clippy, tests, eval)
  codegen       regenerate the template's typed key list from keys.tsv
  eval          convert fixtures/ and compare with the expected files, cell by cell
  fixtures      regenerate the generated fixtures (DOCX, XLSX, PDF, ...)
  bench         benchmark conversion speed and memory (--json: also a summary.json)
  bench-table   render a bench summary.json into docs/BENCHMARKS.md
  new-adapter   scaffold a new format adapter crate";

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Cargo's target folder: `CARGO_TARGET_DIR` when set (a relative one is taken from the
/// workspace root, where every cargo command of these tasks runs), else `target/` there.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// The cargo that runs us, so a pinned toolchain is respected.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Builds the `nianbao` binary and returns its path.
pub fn build_nianbao(release: bool) -> Result<PathBuf, String> {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root())
        .args(["build", "-q", "-p", "nianbao-cli"]);
    if release {
        cmd.arg("--release");
    }
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building nianbao failed".into());
    }
    Ok(target_dir().join(if release {
        "release/nianbao"
    } else {
        "debug/nianbao"
    }))
}
