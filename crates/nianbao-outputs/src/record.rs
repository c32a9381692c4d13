//! Reads one line of `reports.jsonl` into a [`Doc`] in one pass, without building the record
//! as a `serde_json::Value`: the 226 numeric fields, mostly `null`, are walked and only the
//! numbers kept. Building the whole `Value` took most of the outputs' time.
use crate::{Cell, Check, Doc, Provenance};
use nianbao_template::keys;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Number;
use std::collections::HashMap;
use std::fmt;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Source {
    path: Option<String>,
    format: Option<String>,
    sha256: Option<String>,
    bytes: Option<u64>,
    encoding: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Error {
    kind: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Report {
    agency: Option<String>,
    year: Option<i64>,
    template: Option<String>,
    published: Option<String>,
    title: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Sections {
    overview: Option<String>,
    problems: Option<String>,
    other: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CheckIn {
    rule: String,
    ok: bool,
    detail: String,
}

/// The fields of a record the outputs read; a field a record lacks stays empty (a record
/// written by an older version, or a failed one, still has its row).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Record {
    source: Source,
    status: Option<String>,
    error: Option<Error>,
    report: Report,
    active: Tree,
    applications: Tree,
    appeals: Tree,
    sections: Sections,
    checks: Vec<CheckIn>,
    warnings: Vec<String>,
    provenance: HashMap<String, Provenance>,
}

/// The numbers and texts of one of the record's numeric sections, by their dotted path inside
/// it (`denied.state_secret.total`); nulls are skipped.
#[derive(Default)]
struct Tree {
    numbers: Vec<(String, Number)>,
    texts: Vec<(String, String)>,
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut tree = Tree::default();
        let mut path = String::new();
        d.deserialize_any(Walk {
            path: &mut path,
            tree: &mut tree,
        })?;
        Ok(tree)
    }
}

/// Visits one value at `path`.
struct Walk<'a> {
    path: &'a mut String,
    tree: &'a mut Tree,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a section of numeric fields")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Walk { path, tree } = self;
        while let Some(key) = map.next_key::<String>()? {
            let len = path.len();
            if len > 0 {
                path.push('.');
            }
            path.push_str(&key);
            map.next_value_seed(Walk {
                path: &mut *path,
                tree: &mut *tree,
            })?;
            path.truncate(len);
        }
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.tree.numbers.push((self.path.clone(), v.into()));
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.tree.numbers.push((self.path.clone(), v.into()));
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        if let Some(n) = Number::from_f64(v) {
            self.tree.numbers.push((self.path.clone(), n));
        }
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.tree.texts.push((self.path.clone(), v.to_string()));
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

/// Reads one record line.
pub fn parse(line: &str) -> serde_json::Result<Doc> {
    let r: Record = serde_json::from_str(line)?;
    let mut provenance = r.provenance;
    let mut cells = Vec::new();
    for (section, tree) in [
        ("active", r.active),
        ("applications", r.applications),
        ("appeals", r.appeals),
    ] {
        let mut texts: HashMap<String, String> = tree
            .texts
            .into_iter()
            .map(|(k, t)| (format!("{section}.{k}"), t))
            .collect();
        for (path, value) in tree.numbers {
            let Some(def) = keys::get(&format!("{section}.{path}")) else {
                continue;
            };
            cells.push(Cell {
                def,
                value,
                raw: texts.remove(&nianbao_template::record::raw_key(def.key)),
                provenance: provenance.remove(def.key),
            });
        }
    }
    cells.sort_by_key(|c| c.def.id);
    let error = r.error.unwrap_or_default();
    Ok(Doc {
        path: r.source.path.unwrap_or_default(),
        format: r.source.format,
        sha256: r.source.sha256,
        bytes: r.source.bytes,
        encoding: r.source.encoding,
        status: r.status.unwrap_or_default(),
        error_kind: error.kind,
        error_message: error.message,
        agency: r.report.agency,
        year: r.report.year,
        template: r.report.template,
        published: r.report.published,
        title: r.report.title,
        overview: r.sections.overview,
        problems: r.sections.problems,
        other: r.sections.other,
        cells,
        checks: r
            .checks
            .into_iter()
            .map(|c| Check {
                rule: c.rule,
                ok: c.ok,
                detail: c.detail,
            })
            .collect(),
        warnings: r.warnings,
    })
}
