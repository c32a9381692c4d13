//! The JSON Schema of a record (`nianbao schema`), generated from keys.tsv so it cannot drift.
//! It is closed (no field outside it is accepted) and counts and amounts are at least 0, except
//! the `*.change` counts, which the form allows to be negative.
use crate::keys::{self, Unit};
use crate::record::raw_key;
use serde_json::{json, Map, Value};

pub fn json_schema() -> Value {
    let mut numeric = Map::new();
    for d in keys::all() {
        let mut leaf = match d.unit {
            Unit::Count => {
                json!({"type": ["integer", "null"], "description": format!("{} / {} / {} (templates {})", d.section, d.row, d.column, templates(d))})
            }
            Unit::WanYuan => {
                json!({"type": ["number", "null"], "description": format!("{} / {} / {}, in 万元 (templates {})", d.section, d.row, d.column, templates(d))})
            }
        };
        if !may_be_negative(d.key) {
            leaf["minimum"] = json!(0);
        }
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
        json!({"type": "object", "additionalProperties": false, "required": ["path", "format", "sha256", "bytes"], "properties": {
            "path": {"type": "string", "description": "where the document came from; inside an archive outer.zip!/inner/path.pdf"},
            "format": {"type": ["string", "null"], "description": "detected from the bytes"},
            "sha256": {"type": "string"}, "bytes": {"type": "integer", "minimum": 0},
            "encoding": {"type": ["string", "null"]}}}),
    );
    props.insert(
        "status".into(),
        json!({"enum": ["ok", "partial", "failed"]}),
    );
    props.insert(
        "error".into(),
        json!({"type": ["object", "null"], "additionalProperties": false, "properties": {"kind": {"enum": ["empty", "corrupt", "encrypted", "no_text_layer", "unsupported_format", "not_a_report", "too_large", "timeout", "internal", "io"]}, "message": {"type": "string"}}}),
    );
    props.insert(
        "report".into(),
        json!({"type": "object", "additionalProperties": false, "properties": {
            "agency": nullable_str, "year": {"type": ["integer", "null"], "description": "the year reported on"},
            "template": {"enum": ["2019", "2021", null]}, "published": {"type": ["string", "null"], "format": "date"},
            "title": nullable_str}}),
    );
    for (k, v) in numeric {
        props.insert(k, v);
    }
    props.insert(
        "sections".into(),
        json!({"type": "object", "additionalProperties": false, "properties": {"overview": nullable_str, "problems": nullable_str, "other": nullable_str}}),
    );
    props.insert(
        "checks".into(),
        json!({"type": "array", "items": {"type": "object", "additionalProperties": false, "properties": {"rule": {"enum": ["balance", "row_total", "outcome_total", "appeals_total", "group_subtotal", "narrative_totals", "carry_over"]}, "ok": {"type": "boolean"}, "detail": {"type": "string"}}}}),
    );
    props.insert(
        "warnings".into(),
        json!({"type": "array", "items": {"type": "string"}}),
    );
    props.insert(
        "provenance".into(),
        json!({"type": "object", "description": "for each numeric key: where its value was read; for report.agency and report.year when the body does not state them: where they were inferred from", "additionalProperties": {"type": "object", "additionalProperties": false, "properties": {
            "page": {"type": "integer"}, "sheet": {"type": "string"}, "table": {"type": "integer"}, "row": {"type": "integer"},
            "col": {"type": "integer"}, "line": {"type": "integer"}, "x": {"type": "number"}, "y": {"type": "number"},
            "ocr_conf": {"type": "number", "minimum": 0, "maximum": 100},
            "pixels": {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 4, "maxItems": 4},
            "from": {"enum": ["path", "properties"]}}}}),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "nianbao record: one 政府信息公开工作年度报告",
        "type": "object",
        "additionalProperties": false,
        "required": ["source", "status", "error", "report", "active", "applications", "appeals", "sections", "checks", "warnings", "provenance"],
        "properties": props,
    })
}

/// Only the form's 本年增/减 columns can be below zero.
fn may_be_negative(key: &str) -> bool {
    key.ends_with(".change")
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
        let node = cur.entry(p.to_string()).or_insert_with(
            || json!({"type": "object", "additionalProperties": false, "properties": {}}),
        );
        cur = node
            .get_mut("properties")
            .and_then(Value::as_object_mut)
            .unwrap();
    }
    cur.insert(last.to_string(), leaf);
}
