//! `<stem>.expected.json` from the same hand data the documents are drawn from: every key of
//! keys.tsv, the report's own values (blank → null) and null for the other version's keys.
use crate::data::Report;
use crate::form::{table2, table3, table4, Val};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const KEYS_TSV: &str = include_str!("../../../crates/nianbao-template/keys.tsv");

pub fn expected(rep: &Report, stem: &str) -> Value {
    let mut values: HashMap<String, Value> = HashMap::new();
    for grid in [table2(rep), table3(rep), table4(rep)] {
        for c in grid.cells {
            if let Some(k) = c.key {
                let v = match c.val {
                    Val::Int(n) => json!(n),
                    Val::Money(m) => json!(m.parse::<f64>().expect("money text")),
                    Val::Blank | Val::Text(_) => Value::Null,
                };
                values.insert(k, v);
            }
        }
    }
    let mut cells = Map::new();
    for line in KEYS_TSV.lines().skip(1) {
        let mut f = line.split('\t');
        let (Some(key), Some(versions)) = (f.next(), f.next()) else {
            continue;
        };
        let own = versions.split(',').any(|v| v == rep.version.name());
        let v = if own {
            values
                .remove(key)
                .unwrap_or_else(|| panic!("{}: no cell for {key}", rep.stem))
        } else {
            Value::Null
        };
        cells.insert(key.to_string(), v);
    }
    assert!(
        values.is_empty(),
        "{}: cells without a key in keys.tsv: {:?}",
        rep.stem,
        values.keys()
    );
    json!({
        "document": stem,
        "report": {"year": rep.year, "template": rep.version.name(), "agency_contains": rep.agency_short},
        "cells": cells,
    })
}
