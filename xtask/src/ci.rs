//! `cargo xtask ci`.

pub fn run(_args: &[String]) -> Result<(), String> {
    Err("`ci` is not implemented yet".into())
}
