//! Reads one line of `reports.jsonl` into a [`Doc`] in one pass, without building the record
//! as a `serde_json::Value`: the 226 numeric fields, mostly `null`, are walked and only the
//! numbers kept, each looked up in `keys.tsv` as it is met, and the provenance map (most of a
//! record's bytes) is read straight into a slot per key. Building the whole `Value`, then
//! maps keyed by owned strings, took most of the outputs' time.
use crate::{Cell, Check, Doc, Provenance};
use nianbao_template::keys::{self, KeyDef};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Number;
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

/// The keys of `keys.tsv` by name, hashed a word at a time: a record's 400 or so key names
/// (its numbers and their provenance) were a tenth of the time spent reading it with the
/// byte-at-a-time index the mapping uses.
static KEYS: LazyLock<HashMap<&'static str, &'static KeyDef, foldhash::fast::FixedState>> =
    LazyLock::new(|| keys::all().iter().map(|d| (d.key, d)).collect());

fn key(name: &str) -> Option<&'static KeyDef> {
    KEYS.get(name).copied()
}

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
    active: Tree<Active>,
    applications: Tree<Applications>,
    appeals: Tree<Appeals>,
    sections: Sections,
    checks: Vec<CheckIn>,
    warnings: Vec<String>,
    provenance: Provenances,
}

/// The name of a numeric section, the start of its keys' dotted paths.
trait Section {
    const NAME: &'static str;
}
struct Active;
struct Applications;
struct Appeals;
impl Section for Active {
    const NAME: &'static str = "active";
}
impl Section for Applications {
    const NAME: &'static str = "applications";
}
impl Section for Appeals {
    const NAME: &'static str = "appeals";
}

/// The numbers of one of the record's numeric sections with the key of each (a number at a
/// path `keys.tsv` does not know is not a cell), and its texts (the raw texts of money
/// amounts) by their dotted path; nulls are skipped.
struct Tree<S> {
    numbers: Vec<(&'static KeyDef, Number)>,
    texts: Vec<(String, String)>,
    section: std::marker::PhantomData<S>,
}

impl<S> Default for Tree<S> {
    fn default() -> Self {
        Tree {
            numbers: Vec::new(),
            texts: Vec::new(),
            section: std::marker::PhantomData,
        }
    }
}

impl<'de, S: Section> Deserialize<'de> for Tree<S> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut tree = Tree::default();
        let mut path = String::with_capacity(64);
        path.push_str(S::NAME);
        d.deserialize_any(Walk {
            path: &mut path,
            numbers: &mut tree.numbers,
            texts: &mut tree.texts,
        })?;
        Ok(tree)
    }
}

/// Visits one value at `path`.
struct Walk<'a> {
    path: &'a mut String,
    numbers: &'a mut Vec<(&'static KeyDef, Number)>,
    texts: &'a mut Vec<(String, String)>,
}

impl Walk<'_> {
    fn number(self, n: Number) {
        if let Some(def) = key(self.path) {
            self.numbers.push((def, n));
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// Appends a map's key to a path, after a dot, without allocating it.
struct Append<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for Append<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Append<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if !self.0.is_empty() {
            self.0.push('.');
        }
        self.0.push_str(v);
        Ok(())
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a section of numeric fields")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Walk {
            path,
            numbers,
            texts,
        } = self;
        let len = path.len();
        while map.next_key_seed(Append(&mut *path))?.is_some() {
            map.next_value_seed(Walk {
                path: &mut *path,
                numbers: &mut *numbers,
                texts: &mut *texts,
            })?;
            path.truncate(len);
        }
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.number(v.into());
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.number(v.into());
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        if let Some(n) = Number::from_f64(v) {
            self.number(n);
        }
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.texts.push((self.path.clone(), v.to_string()));
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

/// The record's `provenance`, one slot per key of `keys.tsv` (an entry for a key it does not
/// know is skipped).
#[derive(Default)]
struct Provenances(Vec<Option<Provenance>>);

impl<'de> Deserialize<'de> for Provenances {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ProvenanceMap)
    }
}

struct ProvenanceMap;

impl<'de> Visitor<'de> for ProvenanceMap {
    type Value = Provenances;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of provenance by key")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Provenances, E> {
        Ok(Provenances::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Provenances, A::Error> {
        let mut slots = vec![None; keys::all().len()];
        let mut name = String::with_capacity(64);
        while map.next_key_seed(Append(&mut name))?.is_some() {
            match key(&name) {
                Some(def) => slots[def.id] = Some(map.next_value()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            name.clear();
        }
        Ok(Provenances(slots))
    }
}

/// Reads one record line.
pub fn parse(line: &str) -> serde_json::Result<Doc> {
    let r: Record = serde_json::from_str(line)?;
    let mut provenance = r.provenance.0;
    let mut texts: Vec<(String, String)> = Vec::new();
    texts.extend(r.active.texts);
    texts.extend(r.applications.texts);
    texts.extend(r.appeals.texts);
    let mut cells = Vec::with_capacity(
        r.active.numbers.len() + r.applications.numbers.len() + r.appeals.numbers.len(),
    );
    for (def, value) in r
        .active
        .numbers
        .into_iter()
        .chain(r.applications.numbers)
        .chain(r.appeals.numbers)
    {
        let raw = if texts.is_empty() {
            None
        } else {
            let raw_key = nianbao_template::record::raw_key(def.key);
            texts
                .iter()
                .position(|(k, _)| *k == raw_key)
                .map(|at| texts.swap_remove(at).1)
        };
        cells.push(Cell {
            def,
            value,
            raw,
            provenance: provenance.get_mut(def.id).and_then(Option::take),
        });
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
