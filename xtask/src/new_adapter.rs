//! `cargo xtask new-adapter NAME [--root DIR]`: scaffolds `crates/nianbao-adapter-NAME` (a stub
//! adapter that fails clearly, its registration and a test), `fixtures/NAME/`, and adds the one
//! dependency line to the CLI, whose build script then links the adapter in.
//!
//! Everything is checked before anything is written, so a refused run leaves the tree untouched.
use std::fs;
use std::path::{Path, PathBuf};

const CARGO_TOML: &str = include_str!("../templates/adapter/Cargo.toml.tmpl");
const LIB_RS: &str = include_str!("../templates/adapter/lib.rs.tmpl");
const TEST_RS: &str = include_str!("../templates/adapter/test.rs.tmpl");
const FIXTURES_README: &str = include_str!("../templates/adapter/fixtures-README.md.tmpl");

const USAGE: &str = "usage: cargo xtask new-adapter NAME [--root DIR]

NAME: lowercase ascii letters, digits and `-`, starting with a letter (e.g. `html`, `ofd`).
--root DIR: the workspace to write into (default: this workspace).";

/// The CLI manifest whose `nianbao-adapter-*` lines build.rs turns into links.
const CLI_MANIFEST: &str = "crates/nianbao-cli/Cargo.toml";

pub fn run(args: &[String]) -> Result<(), String> {
    let (name, root) = parse_args(args)?;
    let plan = plan(&name, &root)?;
    write(&plan)?;
    println!("created {}", plan.crate_dir.display());
    for (path, _) in &plan.files {
        println!("  {}", path.display());
    }
    println!(
        "added `{}` to {}",
        plan.dep_line,
        plan.cli_manifest.display()
    );
    println!(
        "next: implement sniff and extract in {}/src/lib.rs",
        plan.crate_dir.display()
    );
    Ok(())
}

fn parse_args(args: &[String]) -> Result<(String, PathBuf), String> {
    let mut name = None;
    let mut root = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" => return Err(USAGE.into()),
            "--root" => {
                let dir = it
                    .next()
                    .ok_or_else(|| format!("--root needs a directory\n\n{USAGE}"))?;
                root = Some(PathBuf::from(dir));
            }
            s if s.starts_with("--root=") => root = Some(PathBuf::from(&s["--root=".len()..])),
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`\n\n{USAGE}")),
            s if name.is_none() => name = Some(s.to_string()),
            s => return Err(format!("unexpected argument `{s}`\n\n{USAGE}")),
        }
    }
    let name = name.ok_or_else(|| format!("missing NAME\n\n{USAGE}"))?;
    // xtask lives one level below the workspace root.
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = root.unwrap_or_else(|| xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf());
    Ok((name, root))
}

/// Why a name cannot be an adapter name, if it cannot. It becomes a crate name, a Rust type
/// (`HtmlAdapter`), a static (`HTML`) and a folder, so it must start with a letter and have no
/// empty `-` parts.
fn check_name(name: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("invalid adapter name `{name}`: {why}\n\n{USAGE}"));
    if name.is_empty() {
        return bad("it is empty");
    }
    if let Some(c) = name
        .chars()
        .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '-'))
    {
        return bad(&format!(
            "`{c}` is not a lowercase ascii letter, digit or `-`"
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return bad("it must start with a letter");
    }
    if name.ends_with('-') || name.contains("--") {
        return bad("`-` must separate two parts");
    }
    // Longer names would make the generated code overflow rustfmt's line width.
    if name.len() > 20 {
        return bad("it is longer than 20 characters");
    }
    Ok(())
}

/// Everything one run writes, decided before writing.
#[derive(Debug)]
struct Plan {
    crate_dir: PathBuf,
    /// New files with their contents (crate files and, if absent, the fixtures README).
    files: Vec<(PathBuf, String)>,
    fixtures_dir: PathBuf,
    cli_manifest: PathBuf,
    cli_manifest_new: String,
    dep_line: String,
}

fn plan(name: &str, root: &Path) -> Result<Plan, String> {
    check_name(name)?;
    let crate_name = format!("nianbao-adapter-{name}");
    let crate_dir = root.join("crates").join(&crate_name);
    if crate_dir.exists() {
        return Err(format!(
            "{} already exists: refusing to overwrite it",
            crate_dir.display()
        ));
    }
    let cli_manifest = root.join(CLI_MANIFEST);
    let manifest = fs::read_to_string(&cli_manifest).map_err(|e| {
        format!(
            "cannot read the CLI manifest {}: {e}",
            cli_manifest.display()
        )
    })?;
    let dep_line = format!("{crate_name} = {{ path = \"../{crate_name}\" }}");
    let cli_manifest_new = add_dependency(&manifest, &crate_name, &dep_line)
        .map_err(|e| format!("{}: {e}", cli_manifest.display()))?;

    let fill = |template: &str| fill(template, name);
    // Sources before the manifest: the workspace globs `crates/*`, and a manifest without its
    // `src/lib.rs` would break every cargo command run meanwhile.
    let test_rs = crate_dir.join(format!("tests/{}.rs", ident(name)));
    let mut files = vec![
        (crate_dir.join("src/lib.rs"), fill(LIB_RS)),
        (test_rs, fill(TEST_RS)),
        (crate_dir.join("Cargo.toml"), fill(CARGO_TOML)),
    ];
    // Fixtures may already exist (made by another tool before the adapter): keep them.
    let fixtures_dir = root.join("fixtures").join(name);
    let readme = fixtures_dir.join("README.md");
    if !readme.exists() {
        files.push((readme, fill(FIXTURES_README)));
    }
    Ok(Plan {
        crate_dir,
        files,
        fixtures_dir,
        cli_manifest,
        cli_manifest_new,
        dep_line,
    })
}

fn write(plan: &Plan) -> Result<(), String> {
    fs::create_dir_all(&plan.fixtures_dir)
        .map_err(|e| format!("cannot create {}: {e}", plan.fixtures_dir.display()))?;
    for (path, text) in &plan.files {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    fs::write(&plan.cli_manifest, &plan.cli_manifest_new)
        .map_err(|e| format!("cannot write {}: {e}", plan.cli_manifest.display()))
}

/// The manifest with `dep_line` inserted just below the last `nianbao-adapter-*` line, or at the
/// end of `[dependencies]` when there is none yet. Every other byte stays as it was.
fn add_dependency(manifest: &str, crate_name: &str, dep_line: &str) -> Result<String, String> {
    let lines: Vec<&str> = manifest.split_inclusive('\n').collect();
    let key = |line: &str| {
        line.split(['=', ' ', '.'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
    };
    if lines.iter().any(|l| key(l) == crate_name) {
        return Err(format!("it already depends on {crate_name}"));
    }
    let after_adapter = lines
        .iter()
        .rposition(|l| key(l).starts_with("nianbao-adapter-"));
    let at = match after_adapter {
        Some(i) => i + 1,
        None => {
            let start = lines
                .iter()
                .position(|l| l.trim() == "[dependencies]")
                .ok_or("it has no [dependencies] table")?;
            let end = lines[start + 1..]
                .iter()
                .position(|l| l.trim_start().starts_with('['))
                .map_or(lines.len(), |i| start + 1 + i);
            // Before the blank lines that end the table.
            (start + 1..end)
                .rev()
                .find(|&i| !lines[i].trim().is_empty())
                .map_or(start + 1, |i| i + 1)
        }
    };
    let mut out = String::with_capacity(manifest.len() + dep_line.len() + 2);
    for line in &lines[..at] {
        out.push_str(line);
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(dep_line);
    out.push('\n');
    for line in &lines[at..] {
        out.push_str(line);
    }
    Ok(out)
}

/// Fills the placeholders of a template: `{{name}}` (as given), `{{ident}}` (snake case),
/// `{{Type}}` (camel case) and `{{STATIC}}` (upper snake case).
fn fill(template: &str, name: &str) -> String {
    template
        .replace("{{name}}", name)
        .replace("{{ident}}", &ident(name))
        .replace("{{Type}}", &type_name(name))
        .replace("{{STATIC}}", &ident(name).to_ascii_uppercase())
}

fn ident(name: &str) -> String {
    name.replace('-', "_")
}

fn type_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut cs = part.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLI: &str = "[package]\nname = \"nianbao-cli\"\n\n[dependencies]\n\
        nianbao-core.workspace = true\n\
        # Format adapters: one line each.\n\
        nianbao-adapter-txt = { path = \"../nianbao-adapter-txt\" }\n\
        nianbao-adapter-pdf = { path = \"../nianbao-adapter-pdf\" }\n\
        \n[build-dependencies]\n";

    /// A throwaway workspace with only the CLI manifest, removed when dropped.
    struct TempRoot(PathBuf);

    impl TempRoot {
        fn new(tag: &str) -> TempRoot {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let dir = std::env::temp_dir().join(format!(
                "xtask-new-adapter-{tag}-{}-{nanos}",
                std::process::id()
            ));
            fs::create_dir_all(dir.join("crates/nianbao-cli")).unwrap();
            fs::write(dir.join(CLI_MANIFEST), CLI).unwrap();
            TempRoot(dir)
        }
        fn read(&self, rel: &str) -> String {
            fs::read_to_string(self.0.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
        }
        fn run(&self, name: &str) -> Result<(), String> {
            let args = [
                name.to_string(),
                "--root".to_string(),
                self.0.display().to_string(),
            ];
            run(&args)
        }
    }

    impl Drop for TempRoot {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn scaffolds_crate_fixtures_and_cli_line() {
        let root = TempRoot::new("ok");
        root.run("ofd-x2").unwrap();

        let manifest = root.read("crates/nianbao-adapter-ofd-x2/Cargo.toml");
        assert!(
            manifest.contains("name = \"nianbao-adapter-ofd-x2\"\n"),
            "{manifest}"
        );
        assert!(manifest.contains("nianbao-core.workspace = true"));

        let lib = root.read("crates/nianbao-adapter-ofd-x2/src/lib.rs");
        assert!(lib.contains("pub struct OfdX2Adapter;"));
        assert!(lib.contains("impl Adapter for OfdX2Adapter {"));
        assert!(lib.contains("\"ofd-x2\"\n"));
        assert!(lib.contains("static OFD_X2: OfdX2Adapter = OfdX2Adapter;"));
        assert!(lib.contains("nianbao_core::register_adapter!(OFD_X2);"));
        assert!(lib.contains("ErrorKind::UnsupportedFormat"));
        assert!(lib.contains("the ofd-x2 adapter is a stub"));
        assert!(lib.contains("fn sniff(&self, _bytes: &[u8]) -> bool {\n        false\n    }"));

        let test = root.read("crates/nianbao-adapter-ofd-x2/tests/ofd_x2.rs");
        assert!(test.contains("use nianbao_adapter_ofd_x2::OfdX2Adapter;"));
        assert!(test.contains("#[test]"));

        let readme = root.read("fixtures/ofd-x2/README.md");
        assert_eq!(readme.lines().count(), 1);
        assert!(readme.contains("nianbao-adapter-ofd-x2"));

        for (rel, text) in [("lib.rs", &lib), ("test", &test), ("manifest", &manifest)] {
            assert!(
                !text.contains("{{"),
                "unfilled placeholder in {rel}:\n{text}"
            );
        }

        // Exactly one line added, right below the last adapter line; nothing else changed.
        let want = CLI.replace(
            "nianbao-adapter-pdf = { path = \"../nianbao-adapter-pdf\" }\n",
            "nianbao-adapter-pdf = { path = \"../nianbao-adapter-pdf\" }\n\
             nianbao-adapter-ofd-x2 = { path = \"../nianbao-adapter-ofd-x2\" }\n",
        );
        assert_eq!(root.read(CLI_MANIFEST), want);
    }

    #[test]
    fn refuses_an_existing_crate_and_leaves_everything_alone() {
        let root = TempRoot::new("exists");
        root.run("html").unwrap();
        let lib = root.0.join("crates/nianbao-adapter-html/src/lib.rs");
        fs::write(&lib, "// the real adapter\n").unwrap();
        let before = root.read(CLI_MANIFEST);

        let err = root.run("html").unwrap_err();
        assert!(err.contains("already exists"), "{err}");
        assert_eq!(
            root.read("crates/nianbao-adapter-html/src/lib.rs"),
            "// the real adapter\n"
        );
        assert_eq!(root.read(CLI_MANIFEST), before);
        assert_eq!(before.matches("nianbao-adapter-html =").count(), 1);
    }

    #[test]
    fn refuses_a_dependency_already_listed() {
        let root = TempRoot::new("listed");
        let err = root.run("txt").unwrap_err();
        assert!(
            err.contains("already depends on nianbao-adapter-txt"),
            "{err}"
        );
        assert!(!root.0.join("crates/nianbao-adapter-txt").exists());
        assert!(!root.0.join("fixtures/txt").exists());
    }

    #[test]
    fn refuses_invalid_names_without_writing() {
        let root = TempRoot::new("invalid");
        for name in [
            "", "Html", "html_5", "html 5", "5html", "html-", "a--b", "xlsx.x", "网页",
        ] {
            let err = root.run(name).unwrap_err();
            assert!(err.contains("invalid adapter name"), "{name:?}: {err}");
        }
        assert!(root
            .run(&"a".repeat(21))
            .unwrap_err()
            .contains("longer than 20"));
        assert!(root.run("-html").unwrap_err().contains("unknown option"));
        assert!(!root.0.join("crates").join("nianbao-adapter-").exists());
        assert!(!root.0.join("fixtures").exists());
        assert_eq!(root.read(CLI_MANIFEST), CLI);
    }

    #[test]
    fn keeps_existing_fixtures() {
        let root = TempRoot::new("fixtures");
        fs::create_dir_all(root.0.join("fixtures/odt")).unwrap();
        fs::write(
            root.0.join("fixtures/odt/README.md"),
            "made by LibreOffice\n",
        )
        .unwrap();
        root.run("odt").unwrap();
        assert_eq!(root.read("fixtures/odt/README.md"), "made by LibreOffice\n");
    }

    #[test]
    fn first_adapter_goes_at_the_end_of_dependencies() {
        let m = "[dependencies]\nserde = \"1\"\n\n[dev-dependencies]\nx = \"1\"\n";
        let line = "nianbao-adapter-a = { path = \"../nianbao-adapter-a\" }";
        let out = add_dependency(m, "nianbao-adapter-a", line).unwrap();
        assert_eq!(
            out,
            format!("[dependencies]\nserde = \"1\"\n{line}\n\n[dev-dependencies]\nx = \"1\"\n")
        );
        assert!(add_dependency("[package]\n", "nianbao-adapter-a", line).is_err());
    }

    #[test]
    fn arguments() {
        let err = run(&[]).unwrap_err();
        assert!(err.contains("missing NAME"), "{err}");
        let err = run(&["a".into(), "b".into()]).unwrap_err();
        assert!(err.contains("unexpected argument"), "{err}");
        let err = run(&["a".into(), "--root".into()]).unwrap_err();
        assert!(err.contains("--root needs a directory"), "{err}");
    }
}
