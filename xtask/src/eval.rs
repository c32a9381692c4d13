//! `cargo xtask eval`.

pub fn run(_args: &[String]) -> Result<(), String> {
    Err("`eval` is not implemented yet".into())
}
