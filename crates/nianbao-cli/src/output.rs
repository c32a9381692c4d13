//! The two outputs. JSON Lines is canonical; the CSV is the same records flattened, one column
//! per key of keys.tsv, UTF-8 with a BOM so that Excel reads the Chinese text.
//! Both are written to temporary files and renamed into place when complete.
use nianbao_template::{keys, record::raw_key, Record};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

pub struct Writers {
    jsonl: BufWriter<File>,
    csv: BufWriter<File>,
    paths: Vec<(PathBuf, PathBuf)>,
}

impl Writers {
    pub fn create(dir: &Path) -> io::Result<Writers> {
        fs::create_dir_all(dir)?;
        let jsonl_tmp = dir.join(".reports.jsonl.partial");
        let csv_tmp = dir.join(".reports.csv.partial");
        let jsonl = BufWriter::new(File::create(&jsonl_tmp)?);
        let mut csv = BufWriter::new(File::create(&csv_tmp)?);
        csv.write_all("\u{feff}".as_bytes())?;
        write_row(&mut csv, csv_header().iter().map(String::as_str))?;
        Ok(Writers {
            jsonl,
            csv,
            paths: vec![(jsonl_tmp, dir.join("reports.jsonl")), (csv_tmp, dir.join("reports.csv"))],
        })
    }

    pub fn write(&mut self, r: &Record) -> io::Result<()> {
        self.jsonl.write_all(r.to_json_line().as_bytes())?;
        self.jsonl.write_all(b"\n")?;
        let row = csv_row(r);
        write_row(&mut self.csv, row.iter().map(String::as_str))
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.jsonl.flush()?;
        self.csv.flush()?;
        self.jsonl.get_ref().sync_all()?;
        self.csv.get_ref().sync_all()?;
        for (tmp, dst) in &self.paths {
            fs::rename(tmp, dst)?;
        }
        Ok(())
    }
}

const META_COLUMNS: &[&str] = &[
    "source.path",
    "source.format",
    "source.sha256",
    "source.bytes",
    "source.encoding",
    "status",
    "error.kind",
    "error.message",
    "report.agency",
    "report.year",
    "report.template",
    "report.published",
    "report.title",
];

pub fn csv_header() -> Vec<String> {
    let mut h: Vec<String> = META_COLUMNS.iter().map(|s| s.to_string()).collect();
    for d in keys::all() {
        h.push(d.key.to_string());
        if d.unit == keys::Unit::WanYuan {
            h.push(raw_key(d.key));
        }
    }
    h.extend(["checks.failed".to_string(), "warnings".to_string()]);
    h
}

fn csv_row(r: &Record) -> Vec<String> {
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let mut row = vec![
        r.source.path.clone(),
        opt(&r.source.format),
        r.source.sha256.clone(),
        r.source.bytes.to_string(),
        opt(&r.source.encoding),
        r.status.as_str().to_string(),
        r.error.as_ref().map(|e| e.kind.to_string()).unwrap_or_default(),
        r.error.as_ref().map(|e| e.message.clone()).unwrap_or_default(),
        opt(&r.report.agency),
        r.report.year.map(|y| y.to_string()).unwrap_or_default(),
        opt(&r.report.template),
        opt(&r.report.published),
        opt(&r.report.title),
    ];
    for d in keys::all() {
        row.push(r.get(d.key).map(|n| format_num(n.as_f64())).unwrap_or_default());
        if d.unit == keys::Unit::WanYuan {
            row.push(r.raw.get(d.key).cloned().unwrap_or_default());
        }
    }
    let failed: Vec<&str> = r.checks.iter().filter(|c| !c.ok).map(|c| c.rule.as_str()).collect();
    row.push(failed.join(";"));
    row.push(r.warnings.join(" | "));
    row
}

fn format_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// RFC 4180: quote a field holding a comma, quote, or line break; double inner quotes.
fn write_row<'a>(w: &mut impl Write, fields: impl Iterator<Item = &'a str>) -> io::Result<()> {
    let mut first = true;
    for f in fields {
        if !first {
            w.write_all(b",")?;
        }
        first = false;
        if f.contains([',', '"', '\n', '\r']) {
            w.write_all(b"\"")?;
            w.write_all(f.replace('"', "\"\"").as_bytes())?;
            w.write_all(b"\"")?;
        } else {
            w.write_all(f.as_bytes())?;
        }
    }
    w.write_all(b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        let mut out = Vec::new();
        write_row(&mut out, ["a", "b,c", "say \"hi\"", "x\ny"].into_iter()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"\r\n");
    }

    #[test]
    fn header_has_every_key_once() {
        let h = csv_header();
        let set: std::collections::HashSet<&String> = h.iter().collect();
        assert_eq!(set.len(), h.len());
        assert!(h.contains(&"applications.total.total".to_string()));
        assert!(h.contains(&"active.fees.amount_raw".to_string()));
    }
}
