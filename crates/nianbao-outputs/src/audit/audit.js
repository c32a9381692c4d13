"use strict";
// The audit page's few behaviours: the document table (sorted, filtered), a document's three
// tables drawn when it is opened, and the agencies with several years. The data is the JSON
// block above; nothing is fetched.
const T0 = performance.now();
const D = JSON.parse(document.getElementById("data").textContent);
const K = D.keys, docs = D.docs, det = D.det, groups = D.groups;
const $ = (s) => document.querySelector(s);
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const KEY = new Map(K.map((k, i) => [k[0], i]));
const fmt = (v) => (v === undefined ? "" : String(v));

// Document table -----------------------------------------------------------------------------
const COLS = [
  (i) => i, (i) => docs[i][5] || "", (i) => docs[i][6] ?? -1, (i) => docs[i][7] || "",
  (i) => docs[i][2], (i) => docs[i][10].length, (i) => docs[i][11], (i) => docs[i][0],
];
let sortCol = 0, sortDir = 1;
const ORDER = docs.map((_, i) => i);
function docRow(i) {
  const d = docs[i];
  const failed = d[10].length ? `<span class="bad">${d[10].length}</span> <span class="muted">${esc(d[10].join(", "))}</span>` : "0";
  return `<tr data-i="${i}"><td>${i + 1}</td><td>${esc(d[5])}</td><td>${d[6] ?? ""}</td><td>${d[7] ?? ""}</td>` +
    `<td><span class="st st-${esc(d[2])}">${esc(d[2])}</span>${d[3] ? " " + esc(d[3]) : ""}</td>` +
    `<td>${failed}</td><td>${d[11]}</td><td class="path">${esc(d[0])}</td></tr>`;
}
function renderDocs() {
  const q = $("#q").value.trim().toLowerCase(), st = $("#fstatus").value, fo = $("#fformat").value;
  const onlyFailed = $("#ffailed").checked;
  const shown = ORDER.filter((i) => {
    const d = docs[i];
    if (st && d[2] !== st) return false;
    if (fo && d[1] !== fo) return false;
    if (onlyFailed && !d[10].length) return false;
    if (q && !((d[0] + " " + (d[5] || "") + " " + (d[9] || "") + " " + (d[6] ?? "")).toLowerCase().includes(q))) return false;
    return true;
  });
  // A page of rows at a time: laying out ten thousand rows took the browser seconds.
  const size = +$("#size").value || shown.length || 1, pages = Math.max(1, Math.ceil(shown.length / size));
  page = Math.min(page, pages - 1);
  $("#docs tbody").innerHTML = shown.slice(page * size, (page + 1) * size).map(docRow).join("");
  $("#count").textContent = `${shown.length} / ${docs.length}`;
  $("#page").textContent = `${page + 1} / ${pages}`;
  $("#prev").disabled = page === 0;
  $("#next").disabled = page >= pages - 1;
}
let page = 0;
function turn(by) { page = Math.max(0, page + by); renderDocs(); }
function sortBy(c) {
  sortDir = sortCol === c ? -sortDir : 1;
  sortCol = c;
  const f = COLS[c];
  ORDER.sort((a, b) => { const x = f(a), y = f(b); return (x < y ? -1 : x > y ? 1 : a - b) * sortDir; });
  document.querySelectorAll("#docs th").forEach((th, j) => { th.className = j === c ? (sortDir > 0 ? "asc" : "desc") : ""; });
  renderDocs();
}

// One document's tables ------------------------------------------------------------------------
const PROV = { p: "page", s: "sheet", t: "table", r: "row", c: "column", l: "line" };
function provParts(code) {
  const m = {};
  for (const p of code.split("|")) m[p[0]] = p.slice(1);
  return m;
}
// Codes are written relative to the one before: "+" the next column, "=" the same place,
// "+r6|c3" the parts that changed; others are whole.
function provSpelled(codes) {
  let last = null;
  return codes.map((code) => {
    if (!code) { last = null; return ""; }
    if (code === "=") return provText(last);
    if (code === "+") last = { ...last, c: String(Number(last.c) + 1) };
    else if (code[0] === "+") last = { ...last, ...provParts(code.slice(1)) };
    else last = provParts(code);
    return provText(last);
  });
}
function provText(m) {
  return "read at " + Object.keys(PROV).filter((k) => k in m).map((k) => PROV[k] + " " + m[k]).join(", ");
}
function values(i) {
  const x = det[i], vals = new Map(), prov = new Map(), raw = new Map(), fail = new Map();
  const where = provSpelled(x[1]);
  for (let j = 0; j < x[0].length; j += 2) { vals.set(x[0][j], x[0][j + 1]); prov.set(x[0][j], where[j / 2]); }
  for (let j = 0; j < x[2].length; j += 2) raw.set(x[2][j], x[2][j + 1]);
  for (const [rule, detail, ids] of x[4]) for (const id of ids) {
    if (!fail.has(id)) fail.set(id, []);
    fail.get(id).push(rule + ": " + detail);
  }
  return { vals, prov, raw, fail };
}
function cell(v, id) {
  const has = v.vals.has(id), f = v.fail.get(id);
  const title = [K[id][0], has ? v.prov.get(id) : "null: the document does not show this value"];
  if (v.raw.has(id)) title.push("raw text: " + v.raw.get(id));
  if (f) title.push("failed " + f.join("; "));
  const cls = (has ? "" : "null") + (f ? " fail" : "");
  return `<td class="${cls.trim()}" data-key="${K[id][0]}" title="${esc(title.join("\n"))}">${has ? esc(fmt(v.vals.get(id))) : "—"}</td>`;
}
/// The keys of a table the document's template has, and any other it shows a value for.
function keysOf(prefix, tpl, v) {
  const bit = tpl === "2019" ? 1 : tpl === "2021" ? 2 : 0;
  const out = [];
  K.forEach((k, id) => { if (k[0].startsWith(prefix) && ((k[1] & bit) || v.vals.has(id))) out.push(id); });
  return out;
}
const uniq = (a) => [...new Set(a)];
function grid(ids, v) {
  const rows = uniq(ids.map((id) => K[id][3])), cols = uniq(ids.map((id) => K[id][4]));
  const at = new Map(ids.map((id) => [K[id][3] + "\u0000" + K[id][4], id]));
  let h = `<table class="form"><tr><th></th>${cols.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>`;
  for (const r of rows) {
    h += `<tr><th class="rowh">${esc(r)}</th>`;
    for (const c of cols) { const id = at.get(r + "\u0000" + c); h += id === undefined ? "<td></td>" : cell(v, id); }
    h += "</tr>";
  }
  return h + "</table>";
}
/// 表四 as on the form: one row of fifteen numbers under its two header rows.
function flat(ids, v) {
  const groupsOf = uniq(ids.map((id) => K[id][3]));
  let h = `<table class="form"><tr>${groupsOf.map((g) => `<th colspan="${ids.filter((id) => K[id][3] === g).length}">${esc(g)}</th>`).join("")}</tr><tr>`;
  h += ids.map((id) => `<th>${esc(K[id][4])}</th>`).join("") + "</tr><tr>" + ids.map((id) => cell(v, id)).join("") + "</tr>";
  return h + "</table>";
}
function tablesOf(i, v) {
  const tpl = docs[i][7];
  if (!tpl && !v.vals.size) return "";
  let h = "<h3>表二 主动公开政府信息情况</h3>";
  const active = keysOf("active.", tpl, v);
  for (const s of uniq(active.map((id) => K[id][2]))) {
    h += `<div class="muted">${esc(s)}</div>` + grid(active.filter((id) => K[id][2] === s), v);
  }
  h += "<h3>表三 收到和处理政府信息公开申请情况</h3>" + grid(keysOf("applications.", tpl, v), v);
  h += "<h3>表四 政府信息公开行政复议、行政诉讼情况</h3>" + flat(keysOf("appeals.", tpl, v), v);
  return h;
}
function showDoc(i, scroll) {
  const d = docs[i], x = det[i], v = values(i);
  document.querySelectorAll("#docs tr.sel").forEach((tr) => tr.classList.remove("sel"));
  const tr = document.querySelector(`#docs tr[data-i="${i}"]`);
  if (tr) tr.classList.add("sel");
  const meta = [["来源 source", d[0]], ["格式 format", d[1]], ["状态 status", d[2] + (d[3] ? ` (${d[3]}: ${d[4]})` : "")],
    ["标题 title", d[9]], ["机关 agency", d[5]], ["年度 year", d[6]], ["模板 template", d[7]], ["发布 published", d[8]]];
  let h = `<h2>#${i + 1} ${esc(d[5] || d[0])} ${d[6] ?? ""}</h2><dl class="meta">` +
    meta.map(([k, val]) => `<dt>${k}</dt><dd>${esc(val ?? "—")}</dd>`).join("") + "</dl>";
  const fails = x[4];
  h += fails.length ? `<h3>未通过的校验 failed checks</h3><ul class="fails">${fails.map(([r, t]) => `<li><b>${esc(r)}</b>: ${esc(t)}</li>`).join("")}</ul>`
    : x[3].length ? `<p class="ok">${x[3].length} checks, all consistent.</p>` : "";
  if (x[5].length) h += `<h3>警告 warnings (${x[5].length})</h3><ul>${x[5].map((w) => `<li>${esc(w)}</li>`).join("")}</ul>`;
  h += `<p class="legend"><span><span class="box"></span>value</span><span><span class="box null-box" style="background:repeating-linear-gradient(135deg,#f4f5f7 0 4px,#fff 4px 8px)"></span>— null: not shown by the document (not 0)</span><span><span class="box" style="background:#ffc7ce"></span>in a failed check</span><span class="muted">hover a cell: where it was read</span></p>`;
  h += tablesOf(i, v);
  if (d[12] >= 0) h += "<h3>同一机关的各年度 the agency's years</h3>" + agencyYears(d[12]);
  const el = $("#detail");
  el.innerHTML = h;
  el.classList.add("show");
  if (scroll) el.scrollIntoView();
}

// Agencies with several years ----------------------------------------------------------------
const NEW = KEY.get("applications.new.total"), CO = KEY.get("applications.carried_over.total"), CF = KEY.get("applications.carry_forward.total");
function num(i, id) { const a = det[i][0]; for (let j = 0; j < a.length; j += 2) if (a[j] === id) return a[j + 1]; return null; }
function carry(prev, cur) {
  if (docs[cur][6] !== docs[prev][6] + 1) return "";
  const f = num(prev, CF), c = num(cur, CO);
  if (f === null || c === null) return `<span class="muted">?</span>`;
  return f === c ? `<span class="ok">✓ ${f}</span>` : `<span class="bad">✗ ${f} → ${c}</span>`;
}
function spark(members) {
  const ys = members.map((i) => num(i, NEW)), max = Math.max(1, ...ys.filter((y) => y !== null));
  const w = 18, hgt = 40;
  let s = `<svg width="${members.length * w + 4}" height="${hgt + 14}" role="img"><title>本年新收申请 per year</title>`;
  members.forEach((i, j) => {
    const y = ys[j], bh = y === null ? 0 : Math.max(1, (y / max) * hgt);
    s += y === null ? `<text x="${j * w + 6}" y="${hgt}" font-size="10" fill="#999">—</text>`
      : `<rect x="${j * w + 2}" y="${hgt - bh}" width="${w - 4}" height="${bh}" fill="#457b9d"><title>${docs[i][6]}: ${y}</title></rect>`;
    s += `<text x="${j * w + 2}" y="${hgt + 12}" font-size="9" fill="#555">${String(docs[i][6]).slice(2)}</text>`;
  });
  return s + "</svg>";
}
function agencyYears(g) {
  const m = groups[g][1];
  let h = `<table class="form"><tr><th>年度</th><th>本年新收</th><th>上年结转</th><th>结转下年度</th><th>上年结转 = 前一年结转下年度?</th><th>文件</th></tr>`;
  m.forEach((i, j) => {
    const c = (id) => { const n = num(i, id); return n === null ? `<td class="null">—</td>` : `<td>${n}</td>`; };
    h += `<tr><td>${docs[i][6]}</td>${c(NEW)}${c(CO)}${c(CF)}<td>${j ? carry(m[j - 1], i) : ""}</td><td class="path"><a href="#doc-${i + 1}">#${i + 1}</a> ${esc(docs[i][0])}</td></tr>`;
  });
  return h + "</table>" + spark(m);
}
function renderGroups() {
  $("#agencies tbody").innerHTML = groups.map(([name, m], g) => {
    let bad = 0, good = 0;
    for (let j = 1; j < m.length; j++) { const c = carry(m[j - 1], m[j]); if (c.includes("✗")) bad++; else if (c.includes("✓")) good++; }
    return `<tr><td>${esc(name)}</td><td>${m.map((i) => `<a href="#doc-${i + 1}">${docs[i][6]}</a>`).join(" ")}</td>` +
      `<td>${bad ? `<span class="bad">${bad} ✗</span> ` : ""}${good ? `<span class="ok">${good} ✓</span>` : ""}</td><td>${spark(m)}</td></tr>`;
  }).join("");
}

// Wiring ---------------------------------------------------------------------------------------
function fromHash(scroll) {
  const m = /^#doc-(\d+)$/.exec(location.hash);
  if (m && docs[m[1] - 1]) showDoc(m[1] - 1, scroll);
}
document.querySelectorAll("#docs th").forEach((th, c) => th.addEventListener("click", () => sortBy(c)));
["#q", "#fstatus", "#fformat", "#ffailed", "#size"].forEach((s) => $(s).addEventListener("input", () => { page = 0; renderDocs(); }));
$("#prev").addEventListener("click", () => turn(-1));
$("#next").addEventListener("click", () => turn(1));
$("#docs tbody").addEventListener("click", (e) => {
  const tr = e.target.closest("tr");
  if (tr) location.hash = "doc-" + (+tr.dataset.i + 1);
});
window.addEventListener("hashchange", () => fromHash(true));
renderDocs();
renderGroups();
fromHash(false);
document.body.dataset.renderMs = Math.round(performance.now());
document.body.dataset.scriptMs = Math.round(performance.now() - T0);
