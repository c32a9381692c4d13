//! Repository hygiene: the code and docs speak of the product only, every Rust module says what
//! it is for, and the list of numeric fields stays in step with the schema that documents it.
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Folders checked (the repository minus build output), and the files at the root.
const FOLDERS: [&str; 7] = [
    "crates", "xtask", "tests", "docs", "fixtures", ".ci", ".cargo",
];
const ROOT_FILES: [&str; 4] = ["Cargo.toml", ".gitignore", "README.md", "CHANGELOG.md"];

/// Every file under the checked folders, `target/` folders left out.
fn files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if e.file_name() != "target" {
                    walk(&p, out);
                }
            } else {
                out.push(p);
            }
        }
    }
    let root = root();
    let mut out: Vec<PathBuf> = ROOT_FILES.iter().map(|f| root.join(f)).collect();
    for f in FOLDERS {
        walk(&root.join(f), &mut out);
    }
    out.sort();
    out
}

/// Text written by people: code, build files, scripts and docs (not the documents converted).
fn is_prose_or_code(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
    matches!(
        ext,
        "rs" | "md" | "toml" | "py" | "sh" | "tmpl" | "yml" | "yaml"
    ) || p
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == ".ci")
        || name == ".gitignore"
}

/// Words about how the work is organised rather than about the product, matched as whole words
/// (any case). `issue` is allowed (a document may have issues), `issue 7` and `issue #7` not.
const PROCESS_WORDS: [&str; 13] = [
    "sess\u{69}on",
    "sess\u{69}ons",
    "ticket",
    "tickets",
    "engineer",
    "engineers",
    "the lead",
    "the brief",
    "the user asked",
    "the user preferred",
    "the user wanted",
    "issue #",
    "sprint",
];

/// Whether `text` holds `word` (lower case) as a whole word.
fn has_word(text: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_word) && (word.ends_with('#') || !after.is_some_and(is_word))
    })
}

/// `issue` followed by a number (`issue 4`).
fn has_numbered_issue(text: &str) -> bool {
    text.match_indices("issue ").any(|(i, _)| {
        let before = text[..i].chars().next_back();
        !before.is_some_and(char::is_alphanumeric)
            && text[i + 6..].starts_with(|c: char| c.is_ascii_digit())
    })
}

/// The process words found in `text`, with their line numbers.
fn process_words(text: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.to_lowercase();
        for w in PROCESS_WORDS {
            if has_word(&line, w) {
                found.push((n + 1, w));
            }
        }
        if has_numbered_issue(&line) {
            found.push((n + 1, "issue <number>"));
        }
    }
    found
}

#[test]
fn the_finder_matches_whole_words_only() {
    assert_eq!(process_words("Next Sess\u{69}on: x"), [(1, "sess\u{69}on")]);
    assert_eq!(process_words("a\nthe PDF engineer's"), [(2, "engineer")]);
    assert_eq!(process_words("see issue #12"), [(1, "issue #")]);
    assert_eq!(process_words("(issue 4: the PDF)"), [(1, "issue <number>")]);
    assert!(process_words("sessionless tickets_x engineering the leader issues 4").is_empty());
}

#[test]
fn code_and_docs_speak_of_the_product_only() {
    let this = Path::new(file!()).file_name().unwrap().to_owned();
    let mut found = Vec::new();
    for p in files().into_iter().filter(|p| is_prose_or_code(p)) {
        if p.file_name() == Some(&this) && p.parent().is_some_and(|d| d.ends_with("tests")) {
            continue;
        }
        let Ok(text) = fs::read_to_string(&p) else {
            continue;
        };
        for (line, word) in process_words(&text) {
            found.push(format!("{}:{line}: {word}", p.display()));
        }
    }
    assert!(found.is_empty(), "process words:\n{}", found.join("\n"));
}

#[test]
fn every_rust_module_says_what_it_is_for() {
    let missing: Vec<String> = files()
        .into_iter()
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".rs") || name.ends_with(".rs.tmpl")
        })
        .filter(|p| {
            let text = fs::read_to_string(p).unwrap_or_default();
            !text.lines().any(|l| l.starts_with("//!"))
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a //! line:\n{}",
        missing.join("\n")
    );
}

/// keys.tsv and SCHEMA.md are one contract: the list of numeric fields and the text that says
/// what they mean. SCHEMA.md documents the fields by their shape, not one by one, so the check
/// holds each key to that shape: the file's columns, a top-level group the record table names
/// (`active.*`), a template version the schema describes, a unit it explains (`*_wan` for money),
/// and a section heading and 第二十条 item it lists. A key that fits none of that needs the
/// schema changed with it; a change within them (a new row of a documented table) does not.
#[test]
fn every_numeric_field_is_of_a_shape_the_schema_documents() {
    let dir = root().join("crates/nianbao-template");
    let keys = fs::read_to_string(dir.join("keys.tsv")).unwrap();
    let schema = fs::read_to_string(dir.join("SCHEMA.md")).unwrap();
    let mut lines = keys.lines();
    assert_eq!(
        lines.next(),
        Some("key\ttemplates\tsection\trow\tcolumn\tunit")
    );
    let mut seen = std::collections::HashSet::new();
    let mut wrong = Vec::new();
    let mut count = 0;
    for line in lines {
        count += 1;
        let f: Vec<&str> = line.split('\t').collect();
        let [key, templates, section, row, column, unit] = f[..] else {
            wrong.push(format!("{line}: not 6 columns"));
            continue;
        };
        if !seen.insert(key) {
            wrong.push(format!("{key}: listed twice"));
        }
        let group = key.split('.').next().unwrap_or("");
        if !schema.contains(&format!("`{group}.*`")) {
            wrong.push(format!("{key}: group `{group}.*` not in SCHEMA.md"));
        }
        if !matches!(templates, "2019" | "2021" | "2019,2021") {
            wrong.push(format!("{key}: templates {templates}"));
        }
        match unit {
            "count" if !key.ends_with("_wan") => {}
            "wan_yuan" if key.ends_with("_wan") && schema.contains("`*_wan`") => {}
            _ => wrong.push(format!("{key}: unit {unit}")),
        }
        let (heading, item) = section.split_once(" / ").unwrap_or((section, ""));
        if !schema.contains(heading) {
            wrong.push(format!("{key}: section {heading} not in SCHEMA.md"));
        }
        // 第二十条第（一）项 is listed as （一）.
        let item = item.trim_start_matches("第二十条第").trim_end_matches('项');
        if !schema.contains(item) {
            wrong.push(format!("{key}: item {item} not in SCHEMA.md"));
        }
        if row.is_empty() || column.is_empty() {
            wrong.push(format!("{key}: no row or column label"));
        }
    }
    assert!(wrong.is_empty(), "keys.tsv:\n{}", wrong.join("\n"));
    assert!(count > 200, "keys.tsv lists only {count} keys");
}
