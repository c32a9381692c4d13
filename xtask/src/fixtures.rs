//! `cargo xtask fixtures`.

pub fn run(_args: &[String]) -> Result<(), String> {
    Err("`fixtures` is not implemented yet".into())
}
