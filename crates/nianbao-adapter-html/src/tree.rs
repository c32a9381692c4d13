//! Builds an element tree from tokens with the end tags HTML lets authors omit (`<p>`, `<li>`,
//! `<td>`, `<tr>` are closed by their successors) and the stray end tags it ignores. Nesting is
//! capped so that hostile pages cannot exhaust the stack of the recursive walk.
use crate::tokenizer::Token;

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

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "basefont", "bgsound", "frame", "keygen",
];

/// Start tags that close an open `<p>`.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

/// What may stay inside `<head>`; anything else starts the body.
const HEAD_CONTENT: &[&str] = &[
    "meta", "link", "title", "script", "style", "base", "noscript", "template", "object",
];

/// Elements an omitted or stray end tag never reaches across.
const CELL_SCOPE: &[&str] = &["td", "th", "table", "caption", "template"];
const TABLE_SCOPE: &[&str] = &["table", "template"];

impl Tree {
    pub fn build(tokens: Vec<Token>) -> Tree {
        let mut b = Builder {
            nodes: vec![Node {
                kind: NodeKind::Element {
                    name: "#root".into(),
                    attrs: Vec::new(),
                },
                parent: 0,
                children: Vec::new(),
                line: 1,
            }],
            stack: vec![0],
        };
        for token in tokens {
            match token {
                Token::Start { name, attrs, line } => b.start(name, attrs, line),
                Token::End { name } => b.end(&name),
                Token::Text { text, line } => {
                    b.add(NodeKind::Text(text), line);
                }
            }
        }
        Tree { nodes: b.nodes }
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

struct Builder {
    nodes: Vec<Node>,
    stack: Vec<usize>,
}

impl Builder {
    fn name(&self, id: usize) -> &str {
        match &self.nodes[id].kind {
            NodeKind::Element { name, .. } => name,
            NodeKind::Text(_) => "",
        }
    }

    fn add(&mut self, kind: NodeKind, line: u32) -> usize {
        let parent = *self.stack.last().unwrap_or(&0);
        let id = self.nodes.len();
        self.nodes.push(Node {
            kind,
            parent,
            children: Vec::new(),
            line,
        });
        self.nodes[parent].children.push(id);
        id
    }

    /// Position in the stack of the nearest open element named one of `names`, not looking
    /// past an element named one of `scope`.
    fn open(&self, names: &[&str], scope: &[&str]) -> Option<usize> {
        for (i, &id) in self
            .stack
            .iter()
            .enumerate()
            .rev()
            .take_while(|&(i, _)| i > 0)
        {
            let n = self.name(id);
            if names.contains(&n) {
                return Some(i);
            }
            if scope.contains(&n) {
                return None;
            }
        }
        None
    }

    fn close(&mut self, names: &[&str], scope: &[&str]) -> bool {
        match self.open(names, scope) {
            Some(i) => {
                self.stack.truncate(i);
                true
            }
            None => false,
        }
    }

    fn start(&mut self, name: String, attrs: Vec<(String, String)>, line: u32) {
        if !HEAD_CONTENT.contains(&name.as_str()) && name != "head" {
            self.close(&["head"], &[]);
        }
        if CLOSES_P.contains(&name.as_str()) {
            self.close(&["p"], CELL_SCOPE);
        }
        match name.as_str() {
            "li" => {
                self.close(&["li"], &["ul", "ol", "menu", "td", "th", "table"]);
            }
            "dt" | "dd" => {
                self.close(&["dt", "dd"], &["dl", "td", "th", "table"]);
            }
            "tr" => {
                self.close(&["tr"], &["table", "thead", "tbody", "tfoot"]);
            }
            "td" | "th" => {
                self.close(&["td", "th"], &["tr", "table"]);
            }
            "thead" | "tbody" | "tfoot" | "caption" | "colgroup" => {
                self.close(
                    &["thead", "tbody", "tfoot", "caption", "colgroup"],
                    TABLE_SCOPE,
                );
            }
            "option" => {
                self.close(&["option"], &["select"]);
            }
            _ => {}
        }
        let void = VOID.contains(&name.as_str());
        let id = self.add(NodeKind::Element { name, attrs }, line);
        if !void && self.stack.len() < MAX_DEPTH {
            self.stack.push(id);
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            // The document's own wrappers stay open: content after `</body>` is still body.
            "html" | "body" | "#root" => {}
            "br" => self.start("br".into(), Vec::new(), 0),
            // `</p>` without `<p>` is an empty paragraph: a break.
            "p" if !self.close(&["p"], CELL_SCOPE) => {
                self.start("p".into(), Vec::new(), 0);
                self.stack.pop();
            }
            "p" => {}
            "table" => {
                self.close(&["table"], &["template"]);
            }
            "td" | "th" | "tr" | "thead" | "tbody" | "tfoot" | "caption" | "colgroup" => {
                self.close(&[name], TABLE_SCOPE);
            }
            _ => {
                self.close(&[name], CELL_SCOPE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenizer::tokenize;

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
        let tree = Tree::build(tokenize(src));
        shape(&tree, 0)
    }

    #[test]
    fn omitted_end_tags() {
        assert_eq!(parse("<p>a<p>b<div>c</div>"), "(#root (p a) (p b) (div c))");
        assert_eq!(
            parse("<ul><li>a<li>b</ul>x"),
            "(#root (ul (li a) (li b)) x)"
        );
        assert_eq!(
            parse("<table><tr><td>1<td>2<tr><th>3</table>4"),
            "(#root (table (tr (td 1) (td 2)) (tr (th 3))) 4)"
        );
    }

    #[test]
    fn stray_end_tags_stay_inside_cells() {
        assert_eq!(
            parse("<div><table><tr><td>a</div>b</td></tr></table>c</div>d"),
            "(#root (div (table (tr (td a b))) c) d)"
        );
        assert_eq!(parse("a</p>b"), "(#root a (p) b)");
    }

    #[test]
    fn head_ends_where_the_body_starts() {
        assert_eq!(
            parse("<html><head><title>t</title><meta x><div>body</div>"),
            "(#root (html (head (title t) (meta)) (div body)))"
        );
    }

    #[test]
    fn nesting_is_capped() {
        let deep = "<div>".repeat(20_000) + "x";
        let tree = Tree::build(tokenize(&deep));
        let mut depth = 0;
        let mut id = 0;
        while let Some(&c) = tree.nodes[id].children.first() {
            id = c;
            depth += 1;
        }
        assert!(depth <= MAX_DEPTH, "{depth}");
    }
}
