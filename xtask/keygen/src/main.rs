//! `cargo run -p keygen`: what `cargo xtask codegen` runs, for when the template does not build.
fn main() -> std::process::ExitCode {
    match keygen::write() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("keygen: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
