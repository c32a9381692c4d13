//! `audit.html`: one self-contained page (inline CSS, SVG and a little JavaScript; nothing is
//! fetched) to find each document's errors before publication:
//! - the batch at a glance: documents by status, format, error kind and failed rule, as charts;
//! - every document in a sortable, filterable table;
//! - a document's three tables laid out as on the form, drawn when it is opened (`#doc-N`):
//!   null shown apart from 0, the cells of a failed check red with the rule and the numbers
//!   that disagree, where each value was read on hover;
//! - agencies with several years: the carry-over between consecutive years and a small chart
//!   of the applications received each year.
//!
//! The records are embedded once as compact JSON (values as key-number pairs, provenance as
//! short codes) and the per-document detail is drawn only when asked for, so that the page of
//! 10,000 documents stays small and opens quickly.
use crate::cells::{self, Failure};
use crate::{Doc, Provenance, Records};
use nianbao_template::checks::agency_key;
use nianbao_template::keys;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;

const CSS: &str = include_str!("audit/audit.css");
const JS: &str = include_str!("audit/audit.js");

/// Writes `audit.html` from the records as they arrive. The documents' detail, most of the
/// page, goes to a temporary file beside it as each document is read; the page is put
/// together at the end, when the batch's counts and charts that head it are known.
pub fn write(path: &Path, records: Records) -> io::Result<()> {
    crate::write_aside(path, |tmp| {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let mut page = Page::new(tempfile::tempfile_in(dir.unwrap_or(Path::new(".")))?);
        for batch in records {
            for d in batch?.iter() {
                page.add(d)?;
            }
        }
        let mut f = io::BufWriter::new(std::fs::File::create(tmp)?);
        page.finish(&mut f)?;
        f.flush()
    })
}

/// The page of a batch being read: what its head and charts count, each document's row of
/// the table, and the documents' detail written out as they come.
struct Page {
    docs: usize,
    ok: usize,
    partial: usize,
    failed: usize,
    with_failures: usize,
    status: Tally,
    format: Tally,
    errors: Tally,
    rules: Tally,
    formats: BTreeSet<String>,
    /// Each document's row of the table as JSON, without its last element (its agency group,
    /// known at the end) and the closing bracket.
    rows: Vec<String>,
    /// Each document's agency and year, for the agencies with several years.
    agencies: Vec<(Option<String>, Option<i64>)>,
    /// The documents' detail, comma-separated JSON arrays.
    detail: io::BufWriter<std::fs::File>,
}

/// How many times each name was counted (a document may count a name more than once).
#[derive(Default)]
struct Tally(BTreeMap<String, usize>);

impl Tally {
    fn add(&mut self, name: &str) {
        match self.0.get_mut(name) {
            Some(n) => *n += 1,
            None => {
                self.0.insert(name.to_string(), 1);
            }
        }
    }

    /// The names by count, most first, then by name.
    fn bars(&self) -> Vec<(String, usize)> {
        let mut v: Vec<(String, usize)> = self.0.iter().map(|(k, n)| (k.clone(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

/// JSON embedded in a `<script>` element: `</` would end the element.
fn embeddable(json: String) -> String {
    if json.contains("</") {
        json.replace("</", "<\\/")
    } else {
        json
    }
}

impl Page {
    fn new(detail: std::fs::File) -> Self {
        Page {
            docs: 0,
            ok: 0,
            partial: 0,
            failed: 0,
            with_failures: 0,
            status: Tally::default(),
            format: Tally::default(),
            errors: Tally::default(),
            rules: Tally::default(),
            formats: BTreeSet::new(),
            rows: Vec::new(),
            agencies: Vec::new(),
            detail: io::BufWriter::with_capacity(1 << 16, detail),
        }
    }

    fn add(&mut self, d: &Doc) -> io::Result<()> {
        match d.status.as_str() {
            "ok" => self.ok += 1,
            "partial" => self.partial += 1,
            "failed" => self.failed += 1,
            _ => {}
        }
        let mut rules: Vec<&str> = d.failed_checks().map(|c| c.rule.as_str()).collect();
        rules.dedup();
        if !rules.is_empty() {
            self.with_failures += 1;
        }
        self.status.add(&d.status);
        self.format.add(d.format.as_deref().unwrap_or("?"));
        if let Some(e) = &d.error_kind {
            self.errors.add(e);
        }
        for r in &rules {
            self.rules.add(r);
        }
        if let Some(f) = &d.format {
            if !self.formats.contains(f) {
                self.formats.insert(f.clone());
            }
        }
        let mut row = embeddable(
            json!([
                d.path,
                d.format,
                d.status,
                d.error_kind,
                d.error_message,
                d.agency,
                d.year,
                d.template,
                d.published,
                d.title,
                rules,
                d.warnings.len()
            ])
            .to_string(),
        );
        row.pop();
        self.rows.push(row);
        self.agencies.push((d.agency.clone(), d.year));
        if self.docs > 0 {
            self.detail.write_all(b",")?;
        }
        let detail = detail(d);
        if detail.windows(2).any(|w| w == b"</") {
            let text = String::from_utf8(detail).expect("JSON is UTF-8");
            self.detail.write_all(embeddable(text).as_bytes())?;
        } else {
            self.detail.write_all(&detail)?;
        }
        self.docs += 1;
        Ok(())
    }

    /// Writes the page: its head, the embedded records (the detail copied from its file) and
    /// its script.
    fn finish(self, out: &mut impl Write) -> io::Result<()> {
        let (n, ok, partial, failed, with_failures) = (
            self.docs,
            self.ok,
            self.partial,
            self.failed,
            self.with_failures,
        );
        let mut rules = self.rules.bars();
        rules.retain(|(_, n)| *n > 0);
        let charts: String = [
            ("状态 status", self.status.bars()),
            ("格式 format", self.format.bars()),
            ("错误类型 error kind (failed documents)", self.errors.bars()),
            ("未通过的校验 documents by failed rule", rules),
        ]
        .iter()
        .map(|(title, bars)| bar_chart(title, bars))
        .collect();
        let formats = options(self.formats.iter().map(String::as_str));
        write!(
            out,
            r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>年报审核 audit: {n} documents</title>
<style>{CSS}</style></head>
<body>
<header><h1>政府信息公开工作年度报告 审核 · audit</h1>
<p>{n} documents: {ok} ok, {partial} partial, {failed} failed; {with_failures} with failed checks. Written by nianbao from reports.jsonl.</p></header>
<main>
<section id="glance"><h2>概览 the batch at a glance</h2><div class="charts">{charts}</div></section>
<section id="detail"></section>
<section><h2>文件 documents <span class="muted" id="count"></span></h2>
<div class="filters"><input type="search" id="q" placeholder="搜索 search agency, path, title, year">
<label>状态 <select id="fstatus"><option value="">all</option><option>ok</option><option>partial</option><option>failed</option></select></label>
<label>格式 <select id="fformat"><option value="">all</option>{formats}</select></label>
<label><input type="checkbox" id="ffailed"> 仅显示未通过校验 only failed checks</label>
<span><button id="prev">‹</button> <span id="page"></span> <button id="next">›</button>
<select id="size"><option>200</option><option>1000</option><option value="0">all</option></select> per page</span></div>
<div class="tablewrap"><table id="docs"><thead><tr><th>#</th><th>机关 agency</th><th>年度 year</th><th>模板 template</th><th>状态 status</th><th>未通过校验 failed checks</th><th>警告 warnings</th><th>来源 source</th></tr></thead><tbody></tbody></table></div>
<p class="muted">Click a document to see its tables.</p></section>
<section><h2>多年度机关 agencies with several years</h2>
<p class="muted">上年结转 of year N against 结转下年度 of year N−1 (✓ equal, ✗ not), and 本年新收申请 per year.</p>
<div class="tablewrap"><table id="agencies" class="form"><thead><tr><th>机关 agency</th><th>年度 years</th><th>结转 carry-over</th><th>本年新收 applications</th></tr></thead><tbody></tbody></table></div></section>
</main>
<script type="application/json" id="data">"#
        )?;
        // The embedded data: the keys once, then per document its row of the table and its
        // detail, then the agencies with several years.
        let keys: Vec<Value> = keys::all()
            .iter()
            .map(|d| {
                let tpl = d.in_2019 as u8 | (d.in_2021 as u8) << 1;
                json!([d.key, tpl, d.section, d.row, d.column])
            })
            .collect();
        write!(
            out,
            "{{\"keys\":{},\"docs\":[",
            embeddable(json!(keys).to_string())
        )?;
        let groups = agency_groups(&self.agencies);
        let mut group_of = vec![-1i64; n];
        for (g, (_, members)) in groups.iter().enumerate() {
            for &i in members {
                group_of[i] = g as i64;
            }
        }
        for (i, row) in self.rows.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            write!(out, "{row},{}]", group_of[i])?;
        }
        out.write_all(b"],\"det\":[")?;
        let mut detail = self.detail.into_inner().map_err(|e| e.into_error())?;
        detail.seek(SeekFrom::Start(0))?;
        io::copy(&mut detail, out)?;
        let groups: Vec<Value> = groups
            .into_iter()
            .map(|(name, members)| json!([name, members]))
            .collect();
        write!(
            out,
            "],\"groups\":{}}}</script>\n<script>{JS}</script>\n</body></html>\n",
            embeddable(json!(groups).to_string())
        )
    }
}

/// `<option>`s for the distinct values, sorted.
fn options<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let mut v: Vec<&str> = values.collect();
    v.sort_unstable();
    v.dedup();
    v.iter()
        .map(|s| format!("<option>{}</option>", esc(s)))
        .collect()
}

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn bar_chart(title: &str, bars: &[(String, usize)]) -> String {
    const LABEL: usize = 110;
    const WIDTH: usize = 220;
    const ROW: usize = 20;
    let max = bars.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    let height = (bars.len().max(1)) * ROW + 4;
    let mut s = format!(
        r#"<div class="chart"><h3>{}</h3><svg width="{}" height="{height}" role="img">"#,
        esc(title),
        LABEL + WIDTH + 60
    );
    if bars.is_empty() {
        s.push_str(r##"<text x="0" y="14" fill="#6b7580">none</text>"##);
    }
    for (i, (name, n)) in bars.iter().enumerate() {
        let y = i * ROW;
        let w = (n * WIDTH).div_ceil(max);
        let colour = match name.as_str() {
            "ok" => "#2d6a4f",
            "partial" => "#e9a23b",
            "failed" => "#c1121f",
            _ => "#457b9d",
        };
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text><rect x="{LABEL}" y="{}" width="{w}" height="{}" fill="{colour}"><title>{}: {n}</title></rect><text x="{}" y="{}">{n}</text>"#,
            LABEL - 6,
            y + 14,
            esc(name),
            y + 3,
            ROW - 6,
            esc(name),
            LABEL + w + 4,
            y + 14,
        );
    }
    s.push_str("</svg></div>");
    s
}

/// A cell's provenance as a short code: `p3|t1|r5|c1` (page, table, row, column), `s<sheet>`,
/// `l<line>`, or relative to the code before it in the same document, since a table's cells
/// are read in order and spelling each out was most of the page's size: `+` is the cell to its
/// right (column + 1), `=` the same place, `+r6|c3` the parts that changed. A code is relative
/// only when the same parts are present as before. The page's script spells every code out.
#[derive(Default)]
struct ProvenanceCodes<'a> {
    last: Option<&'a Provenance>,
}

/// One part of a provenance: a number, or a sheet's name.
#[derive(Clone, Copy, PartialEq)]
enum Part<'a> {
    Number(i64),
    Sheet(&'a str),
}

/// A provenance's parts in the order of its code, each with its letter (absent: `None`).
fn parts(p: &Provenance) -> [(char, Option<Part<'_>>); 6] {
    let n = |v: Option<i64>| v.map(Part::Number);
    [
        ('p', n(p.page)),
        ('s', p.sheet.as_deref().map(Part::Sheet)),
        ('t', n(p.table)),
        ('r', n(p.row)),
        ('c', n(p.col)),
        ('l', n(p.line)),
    ]
}

/// Where the column is among [`parts`].
const COLUMN: usize = 4;

impl<'a> ProvenanceCodes<'a> {
    fn next(&mut self, out: &mut String, p: Option<&'a Provenance>) {
        let last = std::mem::replace(&mut self.last, p);
        let Some(p) = p else {
            return;
        };
        let now = parts(p);
        let same_parts = |before: &[(char, Option<Part>); 6]| {
            before
                .iter()
                .zip(&now)
                .all(|(a, b)| a.1.is_some() == b.1.is_some())
        };
        let Some(before) = last.map(parts).filter(same_parts) else {
            return write_parts(out, now.iter().copied());
        };
        let changed: Vec<usize> = (0..now.len()).filter(|&i| now[i] != before[i]).collect();
        let next_column = match (before[COLUMN].1, now[COLUMN].1) {
            (Some(Part::Number(b)), Some(Part::Number(n))) => n == b + 1,
            _ => false,
        };
        if changed.is_empty() {
            out.push('=');
        } else if changed == [COLUMN] && next_column {
            out.push('+');
        } else {
            out.push('+');
            write_parts(out, changed.into_iter().map(|i| now[i]));
        }
    }
}

/// The parts present, `|` between them.
fn write_parts<'p>(out: &mut String, parts: impl Iterator<Item = (char, Option<Part<'p>>)>) {
    let start = out.len();
    for (letter, part) in parts {
        let Some(part) = part else { continue };
        if out.len() > start {
            out.push('|');
        }
        out.push(letter);
        match part {
            Part::Number(n) => {
                let _ = write!(out, "{n}");
            }
            // The separator in a sheet's name would split it.
            Part::Sheet(sheet) => out.push_str(&sheet.replace('|', "¦")),
        }
    }
}

/// A document's values, provenance, raw texts, checks, failed parts and warnings, as the
/// compact JSON array the page reads (written directly: building it as a `Value` first took
/// most of the page's time).
fn detail(d: &Doc) -> Vec<u8> {
    /// A JSON array of `items`, each written by `one`.
    fn array<T>(
        out: &mut Vec<u8>,
        items: impl IntoIterator<Item = T>,
        mut one: impl FnMut(&mut Vec<u8>, T),
    ) {
        out.push(b'[');
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            one(out, item);
        }
        out.push(b']');
    }
    fn json(out: &mut Vec<u8>, v: &impl serde::Serialize) {
        serde_json::to_writer(out, v).expect("a value in memory serializes");
    }
    let mut out = Vec::with_capacity(64 + d.cells.len() * 24);
    out.push(b'[');
    array(&mut out, &d.cells, |out, c| {
        json(out, &c.def.id);
        out.push(b',');
        json(out, &c.value);
    });
    out.push(b',');
    let mut code = String::new();
    let mut codes = ProvenanceCodes::default();
    array(&mut out, &d.cells, |out, c| {
        code.clear();
        codes.next(&mut code, c.provenance.as_ref());
        json(out, &code);
    });
    out.push(b',');
    array(
        &mut out,
        d.cells
            .iter()
            .filter_map(|c| Some((c.def.id, c.raw.as_ref()?))),
        |out, (id, raw)| {
            json(out, &id);
            out.push(b',');
            json(out, raw);
        },
    );
    out.push(b',');
    array(&mut out, &d.checks, |out, c| {
        json(out, &(&c.rule, c.ok as u8, &c.detail));
    });
    out.push(b',');
    array(
        &mut out,
        cells::failures(d),
        |out, Failure { rule, detail, keys }| {
            let ids: Vec<usize> = keys.iter().map(|k| k.index()).collect();
            json(out, &(rule, detail, ids));
        },
    );
    out.push(b',');
    json(&mut out, &d.warnings);
    out.push(b']');
    out
}

/// Agencies with documents for two or more years: (name, their documents by year), from
/// each document's agency and year. An agency is one body named one way or another
/// (`agency_key`, as the `carry_over` check).
fn agency_groups(docs: &[(Option<String>, Option<i64>)]) -> Vec<(String, Vec<usize>)> {
    let mut by: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut order = Vec::new();
    for (i, (agency, year)) in docs.iter().enumerate() {
        let (Some(a), Some(_)) = (agency.as_deref(), year) else {
            continue;
        };
        let key = agency_key(a);
        by.entry(key)
            .or_insert_with(|| {
                order.push(key);
                Vec::new()
            })
            .push(i);
    }
    let year = |i: usize| docs[i].1;
    order
        .into_iter()
        .filter_map(|key| {
            let mut members = by.remove(key)?;
            members.sort_by_key(|&i| (year(i), i));
            let mut years: Vec<i64> = members.iter().filter_map(|&i| year(i)).collect();
            years.dedup();
            if years.len() < 2 {
                return None;
            }
            // One document per year: the first of copies of a year's report.
            members.dedup_by_key(|i| year(*i));
            let name = docs[*members.last()?].0.clone()?;
            Some((name, members))
        })
        .collect()
}
