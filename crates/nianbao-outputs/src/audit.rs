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
use crate::{Doc, Provenance};
use nianbao_template::checks::agency_key;
use nianbao_template::keys;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

const CSS: &str = include_str!("audit/audit.css");
const JS: &str = include_str!("audit/audit.js");

pub fn write(path: &Path, docs: &[Doc]) -> io::Result<()> {
    crate::write_aside(path, |tmp| {
        let mut f = io::BufWriter::new(std::fs::File::create(tmp)?);
        f.write_all(page(docs).as_bytes())?;
        f.flush()
    })
}

/// The page's HTML.
pub fn page(docs: &[Doc]) -> String {
    let data = data(docs).to_string();
    let mut h = String::with_capacity(data.len() + 64 * 1024);
    let (ok, partial, failed) = (
        count(docs, |d| d.status == "ok"),
        count(docs, |d| d.status == "partial"),
        count(docs, |d| d.status == "failed"),
    );
    let with_failures = count(docs, |d| d.failed_checks().next().is_some());
    let _ = write!(
        h,
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
<script type="application/json" id="data">{data}</script>
<script>{JS}</script>
</body></html>
"#,
        n = docs.len(),
        charts = charts(docs),
        formats = options(docs.iter().filter_map(|d| d.format.as_deref())),
        data = data.replace("</", "<\\/"),
    );
    h
}

fn count(docs: &[Doc], f: impl Fn(&Doc) -> bool) -> usize {
    docs.iter().filter(|d| f(d)).count()
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

/// The batch's charts: horizontal bars, one SVG each.
fn charts(docs: &[Doc]) -> String {
    let tally = |f: &dyn Fn(&Doc) -> Vec<String>| {
        let mut m: BTreeMap<String, usize> = BTreeMap::new();
        for d in docs {
            for k in f(d) {
                *m.entry(k).or_default() += 1;
            }
        }
        let mut v: Vec<(String, usize)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    };
    let status = tally(&|d| vec![d.status.clone()]);
    let format = tally(&|d| vec![d.format.clone().unwrap_or_else(|| "?".into())]);
    let errors = tally(&|d| d.error_kind.iter().cloned().collect());
    let mut rules = tally(&|d| {
        let mut r: Vec<String> = d.failed_checks().map(|c| c.rule.clone()).collect();
        r.dedup();
        r
    });
    rules.retain(|(_, n)| *n > 0);
    [
        ("状态 status", status),
        ("格式 format", format),
        ("错误类型 error kind (failed documents)", errors),
        ("未通过的校验 documents by failed rule", rules),
    ]
    .iter()
    .map(|(title, bars)| bar_chart(title, bars))
    .collect()
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
/// `l<line>`; the page's script spells it out.
fn provenance_code(p: Option<&Provenance>) -> String {
    let Some(p) = p else {
        return String::new();
    };
    let mut parts = Vec::new();
    let numbers = [
        ('p', p.page),
        ('t', p.table),
        ('r', p.row),
        ('c', p.col),
        ('l', p.line),
    ];
    for (code, n) in &numbers[..1] {
        parts.extend(n.map(|n| format!("{code}{n}")));
    }
    // The separator in a sheet's name would split it.
    parts.extend(
        p.sheet
            .as_ref()
            .map(|s| format!("s{}", s.replace('|', "¦"))),
    );
    for (code, n) in &numbers[1..] {
        parts.extend(n.map(|n| format!("{code}{n}")));
    }
    parts.join("|")
}

/// The embedded data: the keys once, then per document its row of the table and its detail.
fn data(docs: &[Doc]) -> Value {
    let keys: Vec<Value> = keys::all()
        .iter()
        .map(|d| {
            let tpl = d.in_2019 as u8 | (d.in_2021 as u8) << 1;
            json!([d.key, tpl, d.section, d.row, d.column])
        })
        .collect();
    let groups = agency_groups(docs);
    let mut group_of = vec![-1i64; docs.len()];
    for (g, (_, members)) in groups.iter().enumerate() {
        for &i in members {
            group_of[i] = g as i64;
        }
    }
    let rows: Vec<Value> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut rules: Vec<&str> = d.failed_checks().map(|c| c.rule.as_str()).collect();
            rules.dedup();
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
                d.warnings.len(),
                group_of[i]
            ])
        })
        .collect();
    let detail: Vec<Value> = docs.iter().map(detail).collect();
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(name, members)| json!([name, members]))
        .collect();
    json!({"keys": keys, "docs": rows, "det": detail, "groups": groups})
}

/// A document's values, provenance, raw texts, checks, failed parts and warnings.
fn detail(d: &Doc) -> Value {
    let mut vals = Vec::with_capacity(d.cells.len() * 2);
    let mut prov = Vec::with_capacity(d.cells.len());
    let mut raws = Vec::new();
    for c in &d.cells {
        vals.push(json!(c.def.id));
        vals.push(Value::Number(c.value.clone()));
        prov.push(Value::String(provenance_code(c.provenance.as_ref())));
        if let Some(r) = &c.raw {
            raws.push(json!(c.def.id));
            raws.push(json!(r));
        }
    }
    let checks: Vec<Value> = d
        .checks
        .iter()
        .map(|c| json!([c.rule, c.ok as u8, c.detail]))
        .collect();
    let fails: Vec<Value> = cells::failures(d)
        .into_iter()
        .map(|Failure { rule, detail, keys }| {
            let ids: Vec<usize> = keys.iter().map(|k| k.index()).collect();
            json!([rule, detail, ids])
        })
        .collect();
    json!([vals, prov, raws, checks, fails, d.warnings])
}

/// Agencies with documents for two or more years: (name, their documents by year). An
/// agency is one body named one way or another (`agency_key`, as the `carry_over` check).
fn agency_groups(docs: &[Doc]) -> Vec<(String, Vec<usize>)> {
    let mut by: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut order = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let (Some(a), Some(_)) = (d.agency.as_deref(), d.year) else {
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
    order
        .into_iter()
        .filter_map(|key| {
            let mut members = by.remove(key)?;
            members.sort_by_key(|&i| (docs[i].year, i));
            let mut years: Vec<i64> = members.iter().filter_map(|&i| docs[i].year).collect();
            years.dedup();
            if years.len() < 2 {
                return None;
            }
            // One document per year: the first of copies of a year's report.
            members.dedup_by_key(|i| docs[*i].year);
            let name = docs[*members.last()?].agency.clone()?;
            Some((name, members))
        })
        .collect()
}
