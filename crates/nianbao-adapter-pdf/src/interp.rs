//! A content-stream interpreter that records what layout needs: every glyph with its text and
//! box (points, origin top-left of the page) and every axis-aligned ruling line. Colours,
//! clipping and images are ignored except for counting images (scans).

use crate::content::{Operand, Operations};
use crate::font::Font;
use crate::obj;
use lopdf::{Dictionary, Document, Object, ObjectId};
use nianbao_core::{ErrorKind, ExtractError};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::time::Instant;

/// A glyph on the page, in points from the page's top-left corner.
#[derive(Debug, Clone)]
pub struct Glyph {
    pub text: String,
    pub x0: f32,
    pub x1: f32,
    pub top: f32,
    pub bottom: f32,
    pub size: f32,
}

impl Glyph {
    pub fn cx(&self) -> f32 {
        (self.x0 + self.x1) / 2.0
    }
    pub fn cy(&self) -> f32 {
        (self.top + self.bottom) / 2.0
    }
}

/// An axis-aligned line segment drawn on the page (a table border), top-left coordinates,
/// with `x0 <= x1`, `y0 <= y1`; horizontal when `y0 == y1`, vertical when `x0 == x1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rule {
    pub fn is_horizontal(&self) -> bool {
        self.y0 == self.y1
    }
}

#[derive(Debug, Default)]
pub struct PageContent {
    pub glyphs: Vec<Glyph>,
    pub rules: Vec<Rule>,
    pub images: usize,
    pub height: f32,
}

/// Work bounds shared by all pages of one document.
pub struct Budget {
    pub ops: u64,
    pub max_ops: u64,
    pub deadline: Instant,
    pub exhausted: bool,
}

impl Budget {
    fn tick(&mut self) -> Result<bool, ExtractError> {
        self.ops += 1;
        if self.ops.is_multiple_of(4096) && Instant::now() > self.deadline {
            return Err(ExtractError::new(
                ErrorKind::Timeout,
                "PDF took longer than the time budget",
            ));
        }
        if self.ops > self.max_ops {
            self.exhausted = true;
        }
        Ok(!self.exhausted)
    }
}

type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f32, y: f32) -> (f32, f32) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f32,
    char_space: f32,
    word_space: f32,
    h_scale: f32,
    leading: f32,
    rise: f32,
}

/// Interprets pages of one document, caching fonts across pages.
pub struct Interpreter<'a> {
    doc: &'a Document,
    fonts: HashMap<usize, Rc<Font>>,
    /// Names of fonts whose codes cannot be turned into text.
    pub unusable_fonts: BTreeSet<String>,
    pub budget: Budget,
}

/// How deep Form XObjects may nest (and a guard against self-reference).
const MAX_FORM_DEPTH: usize = 8;
/// Largest concatenated content of one page.
const MAX_PAGE_CONTENT: usize = 32 << 20;

struct PageState<'p> {
    out: &'p mut PageContent,
    /// Device space → top-left page coordinates.
    box_x0: f32,
    box_top: f32,
    path: Vec<Vec<(f32, f32)>>,
    forms: Vec<ObjectId>,
}

impl<'a> Interpreter<'a> {
    pub fn new(doc: &'a Document, budget: Budget) -> Self {
        Interpreter {
            doc,
            fonts: HashMap::new(),
            unusable_fonts: BTreeSet::new(),
            budget,
        }
    }

    pub fn page(&mut self, page_id: ObjectId) -> Result<PageContent, ExtractError> {
        let doc = self.doc;
        let page = doc
            .get_dictionary(page_id)
            .map_err(|e| ExtractError::corrupt(format!("page: {e}")))?;
        let media = inherited(doc, page, b"MediaBox")
            .and_then(|o| rect(doc, o))
            .unwrap_or([0.0, 0.0, 595.0, 842.0]);
        let bx = inherited(doc, page, b"CropBox")
            .and_then(|o| rect(doc, o))
            .unwrap_or(media);
        let mut out = PageContent {
            height: bx[3] - bx[1],
            ..Default::default()
        };
        let resources = inherited(doc, page, b"Resources").and_then(|o| o.as_dict().ok());
        let mut content = Vec::new();
        for id in doc.get_page_contents(page_id) {
            let Some(s) = doc.get_object(id).ok().and_then(|o| o.as_stream().ok()) else {
                return Err(ExtractError::corrupt(format!(
                    "content stream {} {} R is missing",
                    id.0, id.1
                )));
            };
            if let Some(bytes) = obj::stream_bytes(s) {
                if content.len() + bytes.len() > MAX_PAGE_CONTENT {
                    break;
                }
                content.extend_from_slice(&bytes);
                content.push(b'\n');
            }
        }
        let mut st = PageState {
            out: &mut out,
            box_x0: bx[0],
            box_top: bx[3],
            path: Vec::new(),
            forms: Vec::new(),
        };
        let gs = GState {
            ctm: IDENTITY,
            font: None,
            size: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            h_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        };
        self.run(&content, resources, gs, &mut st)?;
        Ok(out)
    }

    fn run(
        &mut self,
        content: &[u8],
        resources: Option<&'a Dictionary>,
        mut gs: GState,
        st: &mut PageState<'_>,
    ) -> Result<(), ExtractError> {
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        let mut ops = Operations::new(content);
        let mut operands = Vec::new();
        while let Some(op) = ops.next_op(&mut operands) {
            if !self.budget.tick()? {
                break;
            }
            let a = &operands;
            let n = |i: usize| a.get(i).and_then(Operand::num).unwrap_or(0.0);
            match op {
                b"q" if stack.len() < 256 => stack.push(gs.clone()),
                b"Q" => {
                    if let Some(g) = stack.pop() {
                        gs = g;
                    }
                }
                b"cm" => gs.ctm = mul(&[n(0), n(1), n(2), n(3), n(4), n(5)], &gs.ctm),
                b"BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                b"Tf" => {
                    gs.size = n(1);
                    gs.font = a
                        .first()
                        .and_then(Operand::name)
                        .and_then(|name| self.font(resources, name));
                }
                b"Tc" => gs.char_space = n(0),
                b"Tw" => gs.word_space = n(0),
                b"Tz" => gs.h_scale = n(0) / 100.0,
                b"TL" => gs.leading = n(0),
                b"Ts" => gs.rise = n(0),
                b"Td" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(0), n(1)], &tlm);
                    tm = tlm;
                }
                b"TD" => {
                    gs.leading = -n(1);
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(0), n(1)], &tlm);
                    tm = tlm;
                }
                b"Tm" => {
                    tlm = [n(0), n(1), n(2), n(3), n(4), n(5)];
                    tm = tlm;
                }
                b"T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                }
                b"Tj" | b"'" | b"\"" => {
                    if op == b"\"" {
                        gs.word_space = n(0);
                        gs.char_space = n(1);
                    }
                    if op != b"Tj" {
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                        tm = tlm;
                    }
                    if let Some(s) = a.last().and_then(Operand::string) {
                        self.show(s, &gs, &mut tm, st);
                    }
                }
                b"TJ" => {
                    if let Some(Operand::Array(items)) = a.first() {
                        for item in items {
                            match item {
                                Operand::Str(s) => self.show(s, &gs, &mut tm, st),
                                other => {
                                    let adj = other.num().unwrap_or(0.0);
                                    let vertical = gs.font.as_ref().is_some_and(|f| f.vertical);
                                    let d = -adj / 1000.0 * gs.size;
                                    let shift = if vertical {
                                        [1.0, 0.0, 0.0, 1.0, 0.0, d]
                                    } else {
                                        [1.0, 0.0, 0.0, 1.0, d * gs.h_scale, 0.0]
                                    };
                                    tm = mul(&shift, &tm);
                                }
                            }
                        }
                    }
                }
                b"m" => {
                    let p = apply(&gs.ctm, n(0), n(1));
                    if st.path.len() < 100_000 {
                        st.path.push(vec![p]);
                    }
                }
                b"l" => {
                    let p = apply(&gs.ctm, n(0), n(1));
                    if let Some(sp) = st.path.last_mut() {
                        if sp.len() < 100_000 {
                            sp.push(p);
                        }
                    }
                }
                b"h" => {
                    if let Some(first) = st.path.last().and_then(|sp| sp.first().copied()) {
                        if let Some(sp) = st.path.last_mut() {
                            sp.push(first);
                        }
                    }
                }
                b"re" => {
                    let (x, y, w, h) = (n(0), n(1), n(2), n(3));
                    let pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)];
                    if st.path.len() < 100_000 {
                        st.path
                            .push(pts.iter().map(|&(px, py)| apply(&gs.ctm, px, py)).collect());
                    }
                }
                b"S" | b"s" | b"B" | b"B*" | b"b" | b"b*" => {
                    let path = std::mem::take(&mut st.path);
                    for sp in &path {
                        for w in sp.windows(2) {
                            st.rule(w[0], w[1]);
                        }
                    }
                }
                b"f" | b"F" | b"f*" => {
                    let path = std::mem::take(&mut st.path);
                    for sp in &path {
                        st.thin_fill(sp);
                    }
                }
                b"n" => st.path.clear(),
                b"Do" => {
                    if let Some(name) = a.first().and_then(Operand::name) {
                        self.xobject(resources, name, &gs, st)?;
                    }
                }
                b"BI" => st.out.images += 1,
                _ => {}
            }
        }
        Ok(())
    }

    fn show(&mut self, bytes: &[u8], gs: &GState, tm: &mut Matrix, st: &mut PageState<'_>) {
        let Some(font) = gs.font.clone() else { return };
        if !font.usable {
            self.unusable_fonts.insert(font.name.clone());
        }
        for code in font.decode(bytes) {
            let trm = mul(
                &mul(&[gs.size * gs.h_scale, 0.0, 0.0, gs.size, 0.0, gs.rise], tm),
                &gs.ctm,
            );
            let (ox, oy) = (trm[4], trm[5]);
            // Height of an em in device space.
            let size = (trm[2] * trm[2] + trm[3] * trm[3]).sqrt();
            let spacing = gs.char_space + if code.is_space { gs.word_space } else { 0.0 };
            if font.vertical {
                let ty = -(gs.size) - spacing;
                let (x, y) = st.to_page(ox, oy);
                st.push(code.text, x - size / 2.0, x + size / 2.0, y, y + size, size);
                *tm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, ty], tm);
            } else {
                let tx = (code.width / 1000.0 * gs.size + spacing) * gs.h_scale;
                let end = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
                let end = mul(&mul(&[1.0, 0.0, 0.0, 1.0, 0.0, gs.rise], &end), &gs.ctm);
                let (x0, base) = st.to_page(ox, oy);
                let (x1, _) = st.to_page(end[4], end[5]);
                let (x0, x1) = if x1 >= x0 { (x0, x1) } else { (x1, x0) };
                let x1 = x1.max(x0 + 0.1);
                st.push(
                    code.text,
                    x0,
                    x1,
                    base - 0.85 * size,
                    base + 0.15 * size,
                    size,
                );
                *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
            }
        }
    }

    fn font(&mut self, resources: Option<&'a Dictionary>, name: &[u8]) -> Option<Rc<Font>> {
        let doc = self.doc;
        let fonts = obj::dict(doc, resources?, b"Font")?;
        let raw = fonts.get(name).ok()?;
        let dict = obj::deref(doc, raw)?.as_dict().ok()?;
        let key = dict as *const Dictionary as usize;
        if let Some(f) = self.fonts.get(&key) {
            return Some(f.clone());
        }
        let f = Rc::new(Font::load(doc, dict));
        self.fonts.insert(key, f.clone());
        Some(f)
    }

    fn xobject(
        &mut self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
        gs: &GState,
        st: &mut PageState<'_>,
    ) -> Result<(), ExtractError> {
        let doc = self.doc;
        let Some(xobjects) = resources.and_then(|r| obj::dict(doc, r, b"XObject")) else {
            return Ok(());
        };
        let Ok(Object::Reference(id)) = xobjects.get(name) else {
            return Ok(());
        };
        let Some(stream) = doc.get_object(*id).ok().and_then(|o| o.as_stream().ok()) else {
            return Ok(());
        };
        match obj::name(doc, &stream.dict, b"Subtype") {
            Some(b"Image") => st.out.images += 1,
            Some(b"Form") if st.forms.len() < MAX_FORM_DEPTH && !st.forms.contains(id) => {
                let Some(bytes) = obj::stream_bytes(stream) else {
                    return Ok(());
                };
                let matrix = obj::numbers(doc, &stream.dict, b"Matrix", 6)
                    .map(|m| [m[0], m[1], m[2], m[3], m[4], m[5]])
                    .unwrap_or(IDENTITY);
                let mut inner = gs.clone();
                inner.ctm = mul(&matrix, &gs.ctm);
                let res = obj::dict(doc, &stream.dict, b"Resources").or(resources);
                st.forms.push(*id);
                let r = self.run(&bytes, res, inner, st);
                st.forms.pop();
                r?;
            }
            _ => {}
        }
        Ok(())
    }
}

impl PageState<'_> {
    fn to_page(&self, x: f32, y: f32) -> (f32, f32) {
        (x - self.box_x0, self.box_top - y)
    }

    fn push(&mut self, text: String, x0: f32, x1: f32, top: f32, bottom: f32, size: f32) {
        let ok = [x0, x1, top, bottom, size].iter().all(|v| v.is_finite());
        if !ok || text.trim().is_empty() || self.out.glyphs.len() >= 2_000_000 {
            return;
        }
        self.out.glyphs.push(Glyph {
            text,
            x0,
            x1,
            top,
            bottom,
            size,
        });
    }

    /// A stroked segment: kept when axis-aligned and longer than a dot.
    fn rule(&mut self, a: (f32, f32), b: (f32, f32)) {
        let (ax, ay) = self.to_page(a.0, a.1);
        let (bx, by) = self.to_page(b.0, b.1);
        if ![ax, ay, bx, by].iter().all(|v| v.is_finite()) || self.out.rules.len() >= 200_000 {
            return;
        }
        if (ay - by).abs() < 0.5 && (ax - bx).abs() > 1.0 {
            let y = (ay + by) / 2.0;
            self.out.rules.push(Rule {
                x0: ax.min(bx),
                y0: y,
                x1: ax.max(bx),
                y1: y,
            });
        } else if (ax - bx).abs() < 0.5 && (ay - by).abs() > 1.0 {
            let x = (ax + bx) / 2.0;
            self.out.rules.push(Rule {
                x0: x,
                y0: ay.min(by),
                x1: x,
                y1: ay.max(by),
            });
        }
    }

    /// A filled thin rectangle is a border drawn as a fill (common in office exports).
    fn thin_fill(&mut self, sp: &[(f32, f32)]) {
        if sp.len() < 4 || sp.len() > 5 {
            return;
        }
        let xs = sp.iter().map(|p| p.0);
        let ys = sp.iter().map(|p| p.1);
        let (x0, x1) = (
            xs.clone().fold(f32::MAX, f32::min),
            xs.fold(f32::MIN, f32::max),
        );
        let (y0, y1) = (
            ys.clone().fold(f32::MAX, f32::min),
            ys.fold(f32::MIN, f32::max),
        );
        let (w, h) = (x1 - x0, y1 - y0);
        if h <= 2.5 && w > 2.0 {
            let y = (y0 + y1) / 2.0;
            self.rule((x0, y), (x1, y));
        } else if w <= 2.5 && h > 2.0 {
            let x = (x0 + x1) / 2.0;
            self.rule((x, y0), (x, y1));
        }
    }
}

/// A page attribute, looked up on the page and then its ancestors (bounded).
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..32 {
        if let Some(v) = obj::get(doc, node, key) {
            return Some(v);
        }
        node = obj::dict(doc, node, b"Parent")?;
    }
    None
}

fn rect(doc: &Document, o: &Object) -> Option<[f32; 4]> {
    let a = o.as_array().ok()?;
    let v: Vec<f32> = a.iter().filter_map(|x| obj::num(doc, x)).collect();
    if v.len() != 4 {
        return None;
    }
    let r = [
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ];
    (r[2] - r[0] > 1.0 && r[3] - r[1] > 1.0).then_some(r)
}
