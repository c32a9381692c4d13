//! `cargo xtask ci`: exactly what `.ci/run` runs. One dev build serves every step: clippy and
//! the tests share dependencies, and eval uses the binary the tests built.
use std::process::Command;

pub fn run(_args: &[String]) -> Result<(), String> {
    let root = crate::root();
    let cargo = crate::cargo();
    // fixturegen only regenerates fixtures (docx-rs, rust_xlsxwriter): it is checked to build
    // below, but not linted or tested with the rest.
    let skip = ["--workspace", "--exclude", "fixturegen"];
    step(
        "format",
        Command::new(&cargo).args(["fmt", "--all", "--", "--check"]),
    )?;
    step(
        "clippy",
        Command::new(&cargo).arg("clippy").args(skip).args([
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "check fixturegen",
        Command::new(&cargo).args(["check", "-p", "fixturegen"]),
    )?;
    // The memory check of the end-to-end tests must run here, not be skipped.
    step(
        "tests",
        Command::new(&cargo)
            .arg("test")
            .args(skip)
            .env("NIANBAO_REQUIRE_GNU_TIME", "1"),
    )?;
    let bin = crate::build_nianbao(false)?;
    println!("== eval: fixtures");
    crate::eval::run(&[
        "--bin".into(),
        bin.display().to_string(),
        // Every fixture is read 100 % right, as the README says.
        "--min".into(),
        "1".into(),
    ])?;
    // The shared sample corpus sits beside the repository on CI machines, not in users' clones.
    let shared = root.join("../shared/corpus");
    if shared.join("score").exists() {
        println!("== eval: shared corpus");
        let out = crate::target_dir().join("eval-shared");
        let _ = Command::new(&bin)
            .args(["convert"])
            .args(SHARED.iter().map(|(sub, _)| shared.join(sub)))
            .arg("--out")
            .arg(&out)
            .arg("--overwrite")
            .status();
        // The scorer matches records to the expectations of the folder it is given by stem.
        for (sub, min) in SHARED {
            step(
                &format!("shared corpus score: {sub}"),
                Command::new("python3")
                    .arg(shared.join("score"))
                    .arg(out.join("reports.jsonl"))
                    .arg(shared.join(sub))
                    .args([
                        "--min",
                        min,
                        "--max-wrong",
                        "0",
                        "--min-meta",
                        "1",
                        "--quiet",
                    ]),
            )?;
        }
    }
    println!("== ci: all steps passed");
    Ok(())
}

/// The shared corpus's folders and the value accuracy each must reach, with no wrong value and
/// every document's agency, year and template right. `web/` holds glued digits that admit more
/// than one split: those cells stay null by design.
const SHARED: [(&str, &str); 3] = [("seeds", "1"), ("real", "1"), ("web", "0.95")];

fn step(name: &str, cmd: &mut Command) -> Result<(), String> {
    println!("== {name}");
    let status = cmd
        .current_dir(crate::root())
        .status()
        .map_err(|e| format!("{name}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}
