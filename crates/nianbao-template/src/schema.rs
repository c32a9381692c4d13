//! The JSON Schema of a record (`nianbao schema`), generated from keys.tsv so it cannot drift.
use crate::keys::{self, Unit};
use crate::record::raw_key;
use serde_json::{json, Map, Value};

pub fn json_schema() -> Value {
    let mut numeric = Map::new();
    for d in keys::all() {
        let leaf = match d.unit {
            Unit::Count => {
                json!({"type": ["integer", "null"], "description": format!("{} / {} / {} (templates {})", d.section, d.row, d.column, templates(d))})
            }
            Unit::WanYuan => {
                json!({"type": ["number", "null"], "description": format!("{} / {} / {}, in 万元 (templates {})", d.section, d.row, d.column, templates(d))})
            }
        };
        insert(&mut numeric, d.key, leaf);
        if d.unit == Unit::WanYuan {
            insert(
                &mut numeric,
                &raw_key(d.key),
                json!({"type": ["string", "null"], "description": "the money cell's text as written"}),
            );
        }
    }
    let nullable_str = json!({"type": ["string", "null"]});
    let mut props = Map::new();
    props.insert(
        "source".into(),
        json!({"type": "object", "required": ["path", "format", "sha256", "bytes"], "properties": {
            "path": {"type": "string", "description": "where the document came from; inside an archive outer.zip!/inner/path.pdf"},
            "format": {"type": ["string", "null"], "description": "detected from the bytes"},
            "sha256": {"type": "string"}, "bytes": {"type": "integer"},
            "encoding": {"type": ["string", "null"]}}}),
    );
    props.insert(
        "status".into(),
        json!({"enum": ["ok", "partial", "failed"]}),
    );
    props.insert(
        "error".into(),
        json!({"type": ["object", "null"], "properties": {"kind": {"enum": ["empty", "corrupt", "encrypted", "no_text_layer", "unsupported_format", "not_a_report", "too_large", "timeout", "internal", "io"]}, "message": {"type": "string"}}}),
    );
    props.insert(
        "report".into(),
        json!({"type": "object", "properties": {
            "agency": nullable_str, "year": {"type": ["integer", "null"], "description": "the year reported on"},
            "template": {"enum": ["2019", "2021", null]}, "published": {"type": ["string", "null"], "format": "date"},
            "title": nullable_str}}),
    );
    for (k, v) in numeric {
        props.insert(k, v);
    }
    props.insert(
        "sections".into(),
        json!({"type": "object", "properties": {"overview": nullable_str, "problems": nullable_str, "other": nullable_str}}),
    );
    props.insert(
        "checks".into(),
        json!({"type": "array", "items": {"type": "object", "properties": {"rule": {"enum": ["balance", "row_total", "outcome_total", "appeals_total", "carry_over"]}, "ok": {"type": "boolean"}, "detail": {"type": "string"}}}}),
    );
    props.insert(
        "warnings".into(),
        json!({"type": "array", "items": {"type": "string"}}),
    );
    props.insert(
        "provenance".into(),
        json!({"type": "object", "description": "for each numeric key: where its value was read; for report.agency and report.year when the body does not state them: where they were inferred from", "additionalProperties": {"type": "object", "properties": {
            "page": {"type": "integer"}, "sheet": {"type": "string"}, "table": {"type": "integer"}, "row": {"type": "integer"},
            "col": {"type": "integer"}, "line": {"type": "integer"}, "x": {"type": "number"}, "y": {"type": "number"},
            "from": {"enum": ["path", "properties"]}}}}),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "nianbao record: one 政府信息公开工作年度报告",
        "type": "object",
        "required": ["source", "status", "error", "report", "active", "applications", "appeals", "sections", "checks", "warnings", "provenance"],
        "properties": props,
    })
}

fn templates(d: &keys::KeyDef) -> &'static str {
    match (d.in_2019, d.in_2021) {
        (true, true) => "2019, 2021",
        (true, false) => "2019",
        _ => "2021",
    }
}

fn insert(obj: &mut Map<String, Value>, dotted: &str, leaf: Value) {
    let mut parts: Vec<&str> = dotted.split('.').collect();
    let last = parts.pop().unwrap();
    let mut cur = obj;
    for p in parts {
        let node = cur
            .entry(p.to_string())
            .or_insert_with(|| json!({"type": "object", "properties": {}}));
        cur = node
            .get_mut("properties")
            .and_then(Value::as_object_mut)
            .unwrap();
    }
    cur.insert(last.to_string(), leaf);
}
