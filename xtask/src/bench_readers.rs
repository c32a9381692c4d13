//! `cargo xtask bench-readers`: runs `xtask/readercompare`, which compares pdf-extract with the
//! nianbao PDF adapter (text on Chinese CMaps, speed, panics on mutated files). A separate crate
//! so pdf-extract and its lopdf 0.42 are built only here, never by CI or the adapters.
use std::process::Command;

pub fn run(_args: &[String]) -> Result<(), String> {
    // Release: the speed section times both readers optimised, as users run them.
    let status = Command::new(crate::cargo())
        .current_dir(crate::root())
        .args(["run", "--quiet", "--release", "-p", "readercompare"])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("readercompare failed ({status})"))
    }
}
