//! The output record: one per input document, serialised as one JSON line.
use crate::keymap::KeyMap;
use crate::keys::{Key, Unit};
use nianbao_core::{ExtractError, Provenance};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every template table was found.
    Ok,
    /// A record was made but some tables or rows could not be read.
    Partial,
    /// No record could be made; `error` says why.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Partial => "partial",
            Status::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub path: String,
    /// Detected from the bytes (`txt`, `docx`, …); null when no adapter recognised them.
    pub format: Option<String>,
    pub sha256: String,
    pub bytes: u64,
    /// Text encoding, for text-based formats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub agency: Option<String>,
    pub year: Option<i32>,
    pub template: Option<String>,
    pub published: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sections {
    pub overview: Option<String>,
    pub problems: Option<String>,
    pub other: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub rule: String,
    pub ok: bool,
    pub detail: String,
}

/// A numeric value: a count or an amount in 万元.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    Count(i64),
    Wan(f64),
}

impl Num {
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Count(n) => n as f64,
            Num::Wan(w) => w,
        }
    }
    pub fn as_count(self) -> Option<i64> {
        match self {
            Num::Count(n) => Some(n),
            Num::Wan(_) => None,
        }
    }
}

/// One document's record. Numeric fields are kept flat by key and nested on output.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub source: Source,
    pub status: Status,
    pub error: Option<ExtractError>,
    pub report: Report,
    /// Values the document shows, by key of `keys.tsv`. Absent = null.
    pub values: KeyMap<Num>,
    /// Raw text of money cells, by key (`active.fees.amount_wan` → `"96171.6"`).
    pub raw: KeyMap<String>,
    pub sections: Sections,
    pub checks: Vec<Check>,
    pub warnings: Vec<String>,
    pub provenance: KeyMap<Provenance>,
    /// Cells of a scan left empty because their readings were in doubt (with what each
    /// reading saw), by key: [`crate::correct`] may settle them by the form's sums.
    pub doubtful: KeyMap<Provenance>,
    /// Report fields inferred rather than read (`report.agency` from the `path`), written into
    /// the provenance as `{"from": …}`.
    pub report_from: Vec<(&'static str, &'static str)>,
}

impl Record {
    pub fn new(source: Source) -> Self {
        Record {
            source,
            status: Status::Ok,
            error: None,
            report: Report::default(),
            values: KeyMap::new(),
            raw: KeyMap::new(),
            sections: Sections::default(),
            checks: Vec::new(),
            warnings: Vec::new(),
            provenance: KeyMap::new(),
            doubtful: KeyMap::new(),
            report_from: Vec::new(),
        }
    }

    /// A record for a document that could not be converted.
    pub fn failed(source: Source, error: ExtractError) -> Self {
        let mut r = Record::new(source);
        r.status = Status::Failed;
        r.error = Some(error);
        r
    }

    pub fn get(&self, key: Key) -> Option<Num> {
        self.values.get(key).copied()
    }

    /// The record as JSON, numeric fields nested by their dotted keys, every key present
    /// (null where the document shows no value) in the order of `keys.tsv`: the line that
    /// [`Record::to_json_line`] writes, parsed.
    pub fn to_json(&self) -> Value {
        serde_json::from_str(&self.to_json_line()).expect("a record line is valid JSON")
    }

    /// One JSON line (no trailing newline): the same text as `to_json()` serialised, written
    /// straight from the record along the key tree built once, without an intermediate `Value`
    /// (which cost a tenth of a batch's time). Positions in provenance keep their f32 digits
    /// (`191.4`, not the f64 widening `191.39999389648438`).
    pub fn to_json_line(&self) -> String {
        let mut out = Vec::with_capacity(16 << 10);
        self.append_json_line(&mut out);
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }

    /// [`Record::to_json_line`] appended to `out` (UTF-8, no newline), for a caller that
    /// reuses one buffer for many records.
    pub fn append_json_line(&self, out: &mut Vec<u8>) {
        self.write_json(out)
            .expect("serialising to memory cannot fail");
    }

    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.extend_from_slice(b"{\"source\":");
        serde_json::to_writer(&mut *out, &self.source)?;
        out.extend_from_slice(b",\"status\":");
        serde_json::to_writer(&mut *out, self.status.as_str())?;
        out.extend_from_slice(b",\"error\":");
        serde_json::to_writer(&mut *out, &self.error)?;
        out.extend_from_slice(b",\"report\":");
        serde_json::to_writer(&mut *out, &self.report)?;
        for node in key_tree() {
            out.push(b',');
            self.write_node(node, out)?;
        }
        out.extend_from_slice(b",\"sections\":");
        serde_json::to_writer(&mut *out, &self.sections)?;
        out.extend_from_slice(b",\"checks\":");
        serde_json::to_writer(&mut *out, &self.checks)?;
        out.extend_from_slice(b",\"warnings\":");
        serde_json::to_writer(&mut *out, &self.warnings)?;
        out.extend_from_slice(b",\"provenance\":{");
        for (i, (k, p)) in self.provenance.iter_by_name().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_name(out, k.name());
            write_provenance(out, p)?;
        }
        for (i, (field, from)) in self.report_from.iter().enumerate() {
            if i > 0 || !self.provenance.is_empty() {
                out.push(b',');
            }
            write_name(out, field);
            out.extend_from_slice(b"{\"from\":");
            serde_json::to_writer(&mut *out, from)?;
            out.push(b'}');
        }
        out.extend_from_slice(b"}}");
        Ok(())
    }

    /// `"name":value` of one node of the key tree.
    fn write_node(&self, node: &KeyNode, out: &mut Vec<u8>) -> serde_json::Result<()> {
        write_name(out, node.name);
        match &node.kind {
            NodeKind::Value(key) => match self.values.get(*key) {
                Some(&Num::Count(n)) => serde_json::to_writer(&mut *out, &n)?,
                // What `serde_json::Number::from_f64` allows; JSON has no NaN or infinity.
                Some(&Num::Wan(w)) if w.is_finite() => serde_json::to_writer(&mut *out, &w)?,
                Some(Num::Wan(_)) | None => out.extend_from_slice(b"null"),
            },
            NodeKind::Raw(key) => match self.raw.get(*key) {
                Some(s) => serde_json::to_writer(&mut *out, s)?,
                None => out.extend_from_slice(b"null"),
            },
            NodeKind::Group(children) => {
                out.push(b'{');
                for (i, c) in children.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.write_node(c, out)?;
                }
                out.push(b'}');
            }
        }
        Ok(())
    }
}

/// A record line read back (a resumed log, the first of two copies, the finishing pass): the
/// record that [`Record::to_json_line`] wrote, which writes the same line again. Members a line
/// lacks are left empty, as a record that never had them.
impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Value::Object(mut m) = Value::deserialize(d)? else {
            return Err(serde::de::Error::custom("a record is a JSON object"));
        };
        Record::of_members(&mut m).map_err(serde::de::Error::custom)
    }
}

impl Record {
    /// A record line read back: see the `Deserialize` of [`Record`].
    pub fn from_json_line(line: &str) -> serde_json::Result<Record> {
        serde_json::from_str(line)
    }

    fn of_members(m: &mut serde_json::Map<String, Value>) -> Result<Record, String> {
        let status = match m.get("status") {
            None | Some(Value::Null) => Status::Failed,
            Some(s) => Status::deserialize(s).map_err(|e| format!("status: {e}"))?,
        };
        let mut r = Record {
            source: member(m, "source")?,
            status,
            error: member(m, "error")?,
            report: member(m, "report")?,
            sections: member(m, "sections")?,
            checks: member(m, "checks")?,
            warnings: member(m, "warnings")?,
            ..Record::new(Source::default())
        };
        for node in key_tree() {
            if let Some(v) = m.get(node.name) {
                r.read_node(node, v)?;
            }
        }
        if let Some(Value::Object(prov)) = m.get("provenance") {
            for (name, p) in prov {
                if let Some(from) = p.get("from").and_then(Value::as_str) {
                    r.report_from.push(inferred_field(name, from)?);
                    continue;
                }
                let key = Key::named(name).ok_or_else(|| format!("provenance of `{name}`"))?;
                let p = Provenance::deserialize(p).map_err(|e| format!("{name}: {e}"))?;
                r.provenance.insert(key, p);
            }
        }
        Ok(r)
    }

    /// The values under one node of the key tree: whole numbers are counts, others amounts
    /// (`to_json_line` writes an amount with its decimal point, `8.0`).
    fn read_node(&mut self, node: &KeyNode, v: &Value) -> Result<(), String> {
        let bad = || format!("`{}` is not a value of its key", node.name);
        match (&node.kind, v) {
            (_, Value::Null) => {}
            (NodeKind::Value(key), Value::Number(n)) => {
                let num = match n.as_i64() {
                    Some(c) => Num::Count(c),
                    None => Num::Wan(n.as_f64().ok_or_else(bad)?),
                };
                self.values.insert(*key, num);
            }
            (NodeKind::Raw(key), Value::String(s)) => {
                self.raw.insert(*key, s.clone());
            }
            (NodeKind::Group(children), Value::Object(m)) => {
                for c in children {
                    if let Some(v) = m.get(c.name) {
                        self.read_node(c, v)?;
                    }
                }
            }
            _ => return Err(bad()),
        }
        Ok(())
    }
}

/// A member of a record line, its default when absent or null.
fn member<T: serde::de::DeserializeOwned + Default>(
    m: &mut serde_json::Map<String, Value>,
    name: &str,
) -> Result<T, String> {
    match m.remove(name) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(v) => serde_json::from_value(v).map_err(|e| format!("{name}: {e}")),
    }
}

/// A `report_from` entry read back: the report field and where it was inferred from.
fn inferred_field(field: &str, from: &str) -> Result<(&'static str, &'static str), String> {
    let field = ["report.agency", "report.year"]
        .into_iter()
        .find(|f| *f == field);
    let from = [crate::inferred::FROM_PATH, crate::inferred::FROM_PROPERTIES]
        .into_iter()
        .find(|f| *f == from);
    match (field, from) {
        (Some(field), Some(from)) => Ok((field, from)),
        _ => Err(format!(
            "provenance of `{field:?}` inferred from `{from:?}`"
        )),
    }
}

/// `"name":` for a key name or a part of one. Key names are plain ASCII (letters, digits, `_`,
/// `.`; a test holds every key to it), so they need no escaping: written directly, the
/// thousand names of a record cost nothing to scan.
fn write_name(out: &mut Vec<u8>, name: &str) {
    debug_assert!(is_plain_name(name), "{name}");
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

fn is_plain_name(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// A provenance as its derived `Serialize` writes it (fields in order, absent ones left out),
/// without going through a serializer per field: a record holds about two hundred.
fn write_provenance(out: &mut Vec<u8>, p: &Provenance) -> serde_json::Result<()> {
    out.push(b'{');
    let start = out.len();
    let field = |out: &mut Vec<u8>, name: &str| {
        if out.len() > start {
            out.push(b',');
        }
        write_name(out, name);
    };
    if let Some(v) = p.page {
        field(out, "page");
        serde_json::to_writer(&mut *out, &v)?;
    }
    if let Some(v) = &p.sheet {
        field(out, "sheet");
        serde_json::to_writer(&mut *out, v)?;
    }
    for (name, v) in [
        ("table", p.table),
        ("row", p.row),
        ("col", p.col),
        ("line", p.line),
    ] {
        if let Some(v) = v {
            field(out, name);
            serde_json::to_writer(&mut *out, &v)?;
        }
    }
    for (name, v) in [("x", p.x), ("y", p.y), ("ocr_conf", p.ocr_conf)] {
        if let Some(v) = v {
            field(out, name);
            serde_json::to_writer(&mut *out, &v)?;
        }
    }
    if let Some(v) = &p.pixels {
        field(out, "pixels");
        serde_json::to_writer(&mut *out, v)?;
    }
    out.push(b'}');
    Ok(())
}

/// The numeric part of a record as a tree of names, in the order of `keys.tsv`: what
/// `to_json` builds by nesting dotted keys, built once.
struct KeyNode {
    name: &'static str,
    kind: NodeKind,
}

enum NodeKind {
    /// A value of `Record::values`.
    Value(Key),
    /// The raw text of a money cell, in `Record::raw` under its value's key.
    Raw(Key),
    Group(Vec<KeyNode>),
}

fn key_tree() -> &'static [KeyNode] {
    static TREE: std::sync::OnceLock<Vec<KeyNode>> = std::sync::OnceLock::new();
    TREE.get_or_init(|| {
        let mut root = Vec::new();
        for key in Key::all() {
            place(&mut root, key.name(), NodeKind::Value(key));
            if key.def().unit == Unit::WanYuan {
                let raw: &'static str = Box::leak(raw_key(key.name()).into_boxed_str());
                place(&mut root, raw, NodeKind::Raw(key));
            }
        }
        root
    })
}

fn place(level: &mut Vec<KeyNode>, dotted: &'static str, leaf: NodeKind) {
    match dotted.split_once('.') {
        None => level.push(KeyNode {
            name: dotted,
            kind: leaf,
        }),
        Some((head, rest)) => {
            let at = match level.iter().position(|n| n.name == head) {
                Some(i) => i,
                None => {
                    level.push(KeyNode {
                        name: head,
                        kind: NodeKind::Group(Vec::new()),
                    });
                    level.len() - 1
                }
            };
            match &mut level[at].kind {
                NodeKind::Group(children) => place(children, rest, leaf),
                _ => panic!("key path {dotted} collides with a value"),
            }
        }
    }
}

/// The key under which a money cell's raw text is kept: `amount_wan` → `amount_raw`.
pub fn raw_key(key: &str) -> String {
    match key.strip_suffix("_wan") {
        Some(stem) => format!("{stem}_raw"),
        None => format!("{key}_raw"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_need_no_escaping() {
        for key in Key::all() {
            assert!(is_plain_name(key.name()), "{key:?}");
            assert!(is_plain_name(&raw_key(key.name())), "{key:?}");
        }
    }

    #[test]
    fn provenance_is_written_as_its_serialize_writes_it() {
        let cases = [
            Provenance::default(),
            Provenance::line(7),
            Provenance {
                page: Some(3),
                table: Some(0),
                row: Some(12),
                col: Some(4),
                x: Some(191.4),
                y: Some(-0.1),
                ..Default::default()
            },
            Provenance {
                sheet: Some("表\"1\"\n".into()),
                row: Some(0),
                col: Some(u32::MAX),
                ..Default::default()
            },
            Provenance {
                y: Some(1e-7),
                ..Default::default()
            },
        ];
        for p in cases {
            let mut out = Vec::new();
            write_provenance(&mut out, &p).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&p).unwrap()
            );
        }
    }

    #[test]
    fn nests_keys_and_keeps_nulls() {
        let mut r = Record::new(Source {
            path: "a.txt".into(),
            ..Default::default()
        });
        r.values.insert(Key::APPLICATIONS_NEW_TOTAL, Num::Count(5));
        r.values
            .insert(Key::ACTIVE_FEES_AMOUNT_WAN, Num::Wan(8.0056));
        r.raw.insert(Key::ACTIVE_FEES_AMOUNT_WAN, "80056元".into());
        let j = r.to_json();
        assert_eq!(j["applications"]["new"]["total"], 5);
        assert!(j["applications"]["new"]["natural_person"].is_null());
        assert_eq!(j["active"]["fees"]["amount_wan"], 8.0056);
        assert_eq!(j["active"]["fees"]["amount_raw"], "80056元");
        assert!(j["appeals"]["review"]["upheld"].is_null());
    }

    #[test]
    fn json_line_is_the_json_value_serialised() {
        let mut r = Record::new(Source {
            path: "归档/a \"b\".txt".into(),
            ..Default::default()
        });
        r.values.insert(Key::APPLICATIONS_NEW_TOTAL, Num::Count(-5));
        r.values
            .insert(Key::ACTIVE_FEES_AMOUNT_WAN, Num::Wan(8.0056));
        r.raw.insert(Key::ACTIVE_FEES_AMOUNT_WAN, "80056元".into());
        r.provenance
            .insert(Key::APPLICATIONS_NEW_TOTAL, Provenance::page(3));
        r.provenance
            .insert(Key::ACTIVE_FEES_AMOUNT_WAN, Provenance::line(7));
        r.checks.push(Check {
            rule: "balance".into(),
            ok: false,
            detail: "a\nb".into(),
        });
        r.warnings.push("行\t1".into());
        r.report.year = Some(2023);
        assert_eq!(
            r.to_json_line(),
            serde_json::to_string(&r.to_json()).unwrap()
        );
        let failed = Record::failed(Source::default(), ExtractError::corrupt("bad"));
        assert_eq!(
            failed.to_json_line(),
            serde_json::to_string(&failed.to_json()).unwrap()
        );
    }
}
