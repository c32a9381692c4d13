//! The element tree of a page, built by html5ever (the WHATWG tree-construction rules: omitted
//! end tags, implied `<tbody>`, foster parenting, every named entity) into a flat arena the
//! block walker reads. Nesting is capped so that hostile pages cannot exhaust the stack of the
//! recursive walk.
use html5ever::interface::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{parse_document, Attribute, QualName};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};

/// Elements deeper than this are flattened into their ancestor at this depth.
pub const MAX_DEPTH: usize = 256;

#[derive(Debug)]
pub enum NodeKind {
    Element {
        name: String,
        attrs: Vec<(String, String)>,
    },
    Text(String),
}

#[derive(Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub parent: usize,
    pub children: Vec<usize>,
    /// Source line of the start tag or text.
    pub line: u32,
}

/// Nodes in document order; node 0 is the root, and a parent always precedes its children.
#[derive(Debug)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

impl Tree {
    /// Parses a decoded page (or a fragment of one: a crawler's content field).
    pub fn parse(text: &str) -> Tree {
        let sink = Sink::default();
        sink.nodes.borrow_mut().push(SNode::new(Kind::Root, 1));
        let sink = parse_document(sink, Default::default()).one(StrTendril::from_slice(text));
        sink.into_tree()
    }

    pub fn name(&self, id: usize) -> &str {
        match &self.nodes[id].kind {
            NodeKind::Element { name, .. } => name,
            NodeKind::Text(_) => "",
        }
    }

    pub fn attr(&self, id: usize, key: &str) -> Option<&str> {
        match &self.nodes[id].kind {
            NodeKind::Element { attrs, .. } => attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str()),
            NodeKind::Text(_) => None,
        }
    }
}

/// A node while the parser builds: children may still move (foster parenting, adoption agency).
enum Kind {
    Root,
    Element(QualName, Vec<Attribute>),
    Text(StrTendril),
    /// Comments, doctypes, processing instructions and template contents: never shown.
    Other,
}

struct SNode {
    kind: Kind,
    parent: Option<usize>,
    children: Vec<usize>,
    line: u32,
}

impl SNode {
    fn new(kind: Kind, line: u32) -> SNode {
        SNode {
            kind,
            parent: None,
            children: Vec::new(),
            line,
        }
    }
}

#[derive(Default)]
struct Sink {
    nodes: RefCell<Vec<SNode>>,
    line: Cell<u32>,
}

impl Sink {
    fn add(&self, kind: Kind) -> usize {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(SNode::new(kind, self.line.get().max(1)));
        nodes.len() - 1
    }

    fn detach(&self, id: usize) {
        let mut nodes = self.nodes.borrow_mut();
        if let Some(p) = nodes[id].parent.take() {
            nodes[p].children.retain(|&c| c != id);
        }
    }

    /// Inserts `child` into `parent` at `at` (the end when None); text next to text merges.
    fn insert(&self, parent: usize, at: Option<usize>, child: NodeOrText<usize>) {
        let id = match child {
            NodeOrText::AppendNode(id) => {
                self.detach(id);
                id
            }
            NodeOrText::AppendText(text) => {
                let mut nodes = self.nodes.borrow_mut();
                let kids = &nodes[parent].children;
                let before = match at {
                    Some(i) => i.checked_sub(1).map(|j| kids[j]),
                    None => kids.last().copied(),
                };
                if let Some(prev) = before {
                    if let Kind::Text(t) = &mut nodes[prev].kind {
                        t.push_tendril(&text);
                        return;
                    }
                }
                drop(nodes);
                self.add(Kind::Text(text))
            }
        };
        let mut nodes = self.nodes.borrow_mut();
        nodes[id].parent = Some(parent);
        let kids = &mut nodes[parent].children;
        match at {
            Some(i) => kids.insert(i.min(kids.len()), id),
            None => kids.push(id),
        }
    }

    /// Renumbers the reachable nodes in document order, flattening those nested deeper than
    /// [`MAX_DEPTH`] into their ancestor at that depth. Iterative: depth is unbounded here.
    fn into_tree(self) -> Tree {
        let mut src = self.nodes.into_inner();
        let mut nodes: Vec<Node> = Vec::with_capacity(src.len());
        // (source id, new parent, depth)
        let mut stack = vec![(0usize, 0usize, 0usize)];
        while let Some((id, parent, depth)) = stack.pop() {
            let kind = match std::mem::replace(&mut src[id].kind, Kind::Other) {
                Kind::Root => NodeKind::Element {
                    name: "#root".into(),
                    attrs: Vec::new(),
                },
                Kind::Element(name, attrs) if depth <= MAX_DEPTH => NodeKind::Element {
                    name: name.local.to_string(),
                    attrs: attrs
                        .into_iter()
                        .map(|a| (a.name.local.to_string(), a.value.to_string()))
                        .collect(),
                },
                Kind::Element(..) => {
                    // Too deep: its children join the parent.
                    for &c in src[id].children.iter().rev() {
                        stack.push((c, parent, depth));
                    }
                    continue;
                }
                Kind::Text(t) => NodeKind::Text(t.to_string()),
                Kind::Other => continue,
            };
            let new = nodes.len();
            nodes.push(Node {
                kind,
                parent,
                children: Vec::new(),
                line: src[id].line,
            });
            if new != 0 {
                nodes[parent].children.push(new);
            }
            for &c in src[id].children.iter().rev() {
                stack.push((c, new, depth + 1));
            }
        }
        Tree { nodes }
    }
}

impl TreeSink for Sink {
    type Handle = usize;
    type Output = Sink;
    type ElemName<'a> = ElemName<'a>;

    fn finish(self) -> Sink {
        self
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> usize {
        0
    }

    fn set_current_line(&self, line: u64) {
        self.line.set(u32::try_from(line).unwrap_or(u32::MAX));
    }

    fn elem_name<'a>(&'a self, target: &'a usize) -> ElemName<'a> {
        let nodes = self.nodes.borrow();
        let name = match &nodes[*target].kind {
            Kind::Element(name, _) => name.clone(),
            _ => QualName::new(None, html5ever::ns!(), html5ever::local_name!("")),
        };
        ElemName(name, std::marker::PhantomData)
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> usize {
        let _ = flags;
        self.add(Kind::Element(name, attrs))
    }

    fn create_comment(&self, _text: StrTendril) -> usize {
        self.add(Kind::Other)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> usize {
        self.add(Kind::Other)
    }

    fn append(&self, parent: &usize, child: NodeOrText<usize>) {
        self.insert(*parent, None, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &usize,
        prev_element: &usize,
        child: NodeOrText<usize>,
    ) {
        if self.nodes.borrow()[*element].parent.is_some() {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &usize) -> usize {
        // A template's contents are never shown: the element itself stands in for them, and
        // the walker skips `<template>`.
        *target
    }

    fn same_node(&self, x: &usize, y: &usize) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &usize, child: NodeOrText<usize>) {
        let parent = self.nodes.borrow()[*sibling].parent;
        let Some(parent) = parent else { return };
        if let NodeOrText::AppendNode(id) = &child {
            self.detach(*id);
        }
        let at = self.nodes.borrow()[parent]
            .children
            .iter()
            .position(|c| c == sibling);
        self.insert(parent, at, child);
    }

    fn add_attrs_if_missing(&self, target: &usize, attrs: Vec<Attribute>) {
        let mut nodes = self.nodes.borrow_mut();
        if let Kind::Element(_, existing) = &mut nodes[*target].kind {
            for a in attrs {
                if !existing.iter().any(|e| e.name == a.name) {
                    existing.push(a);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &usize) {
        self.detach(*target);
    }

    fn reparent_children(&self, node: &usize, new_parent: &usize) {
        let kids = std::mem::take(&mut self.nodes.borrow_mut()[*node].children);
        let mut nodes = self.nodes.borrow_mut();
        for &c in &kids {
            nodes[c].parent = Some(*new_parent);
        }
        nodes[*new_parent].children.extend(kids);
    }
}

/// An element's name as the parser asks for it (owned: the arena sits behind a `RefCell`).
#[derive(Debug)]
pub struct ElemName<'a>(QualName, std::marker::PhantomData<&'a ()>);

impl html5ever::interface::tree_builder::ElemName for ElemName<'_> {
    fn ns(&self) -> &html5ever::Namespace {
        &self.0.ns
    }
    fn local_name(&self) -> &html5ever::LocalName {
        &self.0.local
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree as nested s-expressions, for comparing shapes.
    fn shape(tree: &Tree, id: usize) -> String {
        match &tree.nodes[id].kind {
            NodeKind::Text(t) => t.trim().to_string(),
            NodeKind::Element { name, .. } => {
                let kids: Vec<String> = tree.nodes[id]
                    .children
                    .iter()
                    .map(|&c| shape(tree, c))
                    .filter(|s| !s.is_empty())
                    .collect();
                format!("({name} {})", kids.join(" ")).replace(" )", ")")
            }
        }
    }

    fn parse(src: &str) -> String {
        let tree = Tree::parse(src);
        let body = (0..tree.nodes.len())
            .find(|&i| tree.name(i) == "body")
            .unwrap();
        shape(&tree, body)
    }

    #[test]
    fn omitted_end_tags() {
        assert_eq!(parse("<p>a<p>b<div>c</div>"), "(body (p a) (p b) (div c))");
        assert_eq!(parse("<ul><li>a<li>b</ul>x"), "(body (ul (li a) (li b)) x)");
        assert_eq!(
            parse("<table><tr><td>1<td>2<tr><th>3</table>4"),
            "(body (table (tbody (tr (td 1) (td 2)) (tr (th 3)))) 4)"
        );
    }

    #[test]
    fn stray_end_tags_and_misplaced_text() {
        assert_eq!(
            parse("<div><table><tr><td>a</div>b</td></tr></table>c</div>d"),
            "(body (div (table (tbody (tr (td ab)))) c) d)"
        );
        assert_eq!(parse("a</p>b"), "(body a (p) b)");
        // Foster parenting: text misplaced between rows is shown before the table.
        assert_eq!(
            parse("<table>注<tr><td>1</td></tr></table>"),
            "(body 注 (table (tbody (tr (td 1)))))"
        );
        assert_eq!(
            parse("<p>R&amp;D &hellip; &frac12;&nbsp;x"),
            "(body (p R&D … ½\u{a0}x))"
        );
    }

    #[test]
    fn head_ends_where_the_body_starts() {
        let tree = Tree::parse("<html><head><title>t</title><meta x><div>body</div>");
        assert_eq!(
            shape(&tree, 0),
            "(#root (html (head (title t) (meta)) (body (div body))))"
        );
    }

    #[test]
    fn lines_are_kept() {
        let tree = Tree::parse("<p>a</p>\n\n<p>b</p>");
        let p: Vec<u32> = (0..tree.nodes.len())
            .filter(|&i| tree.name(i) == "p")
            .map(|i| tree.nodes[i].line)
            .collect();
        assert_eq!(p, [1, 3]);
    }

    #[test]
    fn nesting_is_capped() {
        let deep = "<div>".repeat(2_000) + "x";
        let tree = Tree::parse(&deep);
        let mut depth = 0;
        let mut id = 0;
        while let Some(&c) = tree.nodes[id].children.last() {
            id = c;
            depth += 1;
        }
        assert!(depth <= MAX_DEPTH + 1, "{depth}");
        assert!(matches!(&tree.nodes[id].kind, NodeKind::Text(t) if t == "x"));
    }
}
