//! `keys.csv`: the codebook of the numeric fields, one line per key of `keys.tsv` with the
//! form's Chinese labels, for people who read the CSV, workbook or database without the
//! schema at hand. UTF-8 with a BOM, so that Excel shows the Chinese text.
use nianbao_template::keys::{self, KeyDef, Unit};
use std::io::{self, Write};
use std::path::Path;

/// The codebook's columns.
pub const HEADER: [&str; 7] = [
    "key",
    "templates",
    "table",
    "section",
    "row",
    "column",
    "unit",
];

/// The form's table a key belongs to: 表二, 表三 or 表四.
pub fn table_of(def: &KeyDef) -> &'static str {
    match def.key.split('.').next() {
        Some("active") => "表二",
        Some("applications") => "表三",
        _ => "表四",
    }
}

/// The template versions that have the key, as in `keys.tsv`.
pub fn templates(def: &KeyDef) -> &'static str {
    match (def.in_2019, def.in_2021) {
        (true, true) => "2019,2021",
        (true, false) => "2019",
        _ => "2021",
    }
}

pub fn unit(def: &KeyDef) -> &'static str {
    match def.unit {
        Unit::Count => "count",
        Unit::WanYuan => "wan_yuan",
    }
}

/// One field as CSV: quoted when it holds a comma, quote or line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The codebook's text.
pub fn text() -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADER.join(","));
    out.push('\n');
    for d in keys::all() {
        let fields = [
            d.key,
            templates(d),
            table_of(d),
            d.section,
            d.row,
            d.column,
            unit(d),
        ];
        let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

pub fn write(path: &Path) -> io::Result<()> {
    crate::write_aside(path, |tmp| {
        std::fs::File::create(tmp)?.write_all(text().as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codebook_has_every_key_with_its_labels() {
        let t = text();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 1 + 226);
        assert_eq!(
            lines[0],
            "\u{feff}key,templates,table,section,row,column,unit"
        );
        // Read off the national form (2021): 表三, row 三/（三）/1, column 法人或其他组织/商业企业.
        assert!(lines.contains(
            &"applications.denied.state_secret.enterprise,2019,2021,表三,三、收到和处理政府信息公开申请情况,三 / （三）不予公开 / 1.属于国家秘密,法人或其他组织 / 商业企业,count"
                .replace("2019,2021", "\"2019,2021\"")
                .as_str()
        ));
        assert!(lines.contains(
            &"active.fees.amount_wan,2021,表二,二、主动公开政府信息情况 / 第二十条第（八）项,行政事业性收费,本年收费金额（单位：万元，保留4位小数）,wan_yuan"
        ));
    }
}
