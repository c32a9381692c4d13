//! `cargo xtask new-adapter`.

pub fn run(_args: &[String]) -> Result<(), String> {
    Err("`new-adapter` is not implemented yet".into())
}
