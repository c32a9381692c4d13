//! Links every `nianbao-adapter-*` dependency named in Cargo.toml, so that each adapter's
//! `inventory` registration is part of the binary. Adding a format is then one dependency line.
use std::{env, fs, path::Path};

fn main() {
    let dir = env::var("CARGO_MANIFEST_DIR").unwrap();
    let manifest = Path::new(&dir).join("Cargo.toml");
    println!("cargo:rerun-if-changed={}", manifest.display());
    let text = fs::read_to_string(&manifest).unwrap();
    let mut uses = String::new();
    for line in text.lines() {
        let name = line.split(['=', ' ']).next().unwrap_or("").trim();
        if name.starts_with("nianbao-adapter-") {
            uses.push_str(&format!("use {} as _;\n", name.replace('-', "_")));
        }
    }
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("adapters.rs");
    fs::write(out, uses).unwrap();
}
