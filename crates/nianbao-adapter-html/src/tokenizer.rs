//! A small HTML tokenizer: start and end tags with attributes, text with character references
//! decoded. Comments, doctypes and processing instructions are dropped; the content of
//! `script`, `style` and the other raw-text elements is never read as markup.
use crate::entities;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        line: u32,
    },
    End {
        name: String,
    },
    Text {
        text: String,
        line: u32,
    },
}

/// Elements whose content is text up to their own end tag, not markup.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// Elements whose raw content is kept as text (the others are never shown).
const RAW_KEPT: &[&str] = &["textarea", "title", "xmp"];

pub fn tokenize(src: &str) -> Vec<Token> {
    let mut t = Tokenizer {
        src,
        b: src.as_bytes(),
        pos: 0,
        line: 1,
        line_pos: 0,
        out: Vec::new(),
    };
    t.run();
    t.out
}

struct Tokenizer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Line number at `line_pos`, advanced lazily (positions only grow).
    line: u32,
    line_pos: usize,
    out: Vec<Token>,
}

impl Tokenizer<'_> {
    fn run(&mut self) {
        let mut text_start = 0;
        while let Some(lt) = self.find_byte(b'<', self.pos) {
            let next = self.b.get(lt + 1).copied().unwrap_or(0);
            let end = if next.is_ascii_alphabetic() {
                self.text(text_start, lt);
                self.start_tag(lt)
            } else if next == b'/' && self.b.get(lt + 2).is_some_and(u8::is_ascii_alphabetic) {
                self.text(text_start, lt);
                self.end_tag(lt)
            } else if next == b'!' || next == b'?' || (next == b'/' && lt + 2 < self.b.len()) {
                self.text(text_start, lt);
                self.skip_markup(lt)
            } else {
                // A lone `<` is text.
                self.pos = lt + 1;
                continue;
            };
            self.pos = end;
            text_start = end;
        }
        self.text(text_start, self.b.len());
    }

    fn find_byte(&self, byte: u8, from: usize) -> Option<usize> {
        self.b
            .get(from..)?
            .iter()
            .position(|&c| c == byte)
            .map(|p| from + p)
    }

    fn find(&self, needle: &[u8], from: usize) -> Option<usize> {
        let hay = self.b.get(from..)?;
        hay.windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle))
            .map(|p| from + p)
    }

    fn line_at(&mut self, pos: usize) -> u32 {
        let pos = pos.min(self.b.len());
        if pos > self.line_pos {
            let n = self.b[self.line_pos..pos]
                .iter()
                .filter(|&&c| c == b'\n')
                .count();
            self.line = self.line.saturating_add(n as u32);
            self.line_pos = pos;
        }
        self.line
    }

    fn text(&mut self, from: usize, to: usize) {
        if from < to {
            let line = self.line_at(from);
            let text = entities::decode(&self.src[from..to]).into_owned();
            self.out.push(Token::Text { text, line });
        }
    }

    /// Comments, `<!doctype>`, `<![CDATA[…]]>`, `<?xml?>`, `</ >`: skipped. Returns the end.
    fn skip_markup(&self, lt: usize) -> usize {
        if self.b[lt..].starts_with(b"<!--") {
            // `<!-->` and `<!--->` are empty comments; an unclosed comment runs to the end.
            let body = lt + 4;
            for empty in [&b">"[..], b"->"] {
                if self.b[body..].starts_with(empty) {
                    return body + empty.len();
                }
            }
            return self.find(b"-->", body).map_or(self.b.len(), |e| e + 3);
        }
        self.find_byte(b'>', lt).map_or(self.b.len(), |e| e + 1)
    }

    fn name_at(&self, from: usize) -> (String, usize) {
        let len = self.b[from..]
            .iter()
            .take_while(|c| !c.is_ascii_whitespace() && !matches!(c, b'/' | b'>'))
            .count();
        (self.src[from..from + len].to_ascii_lowercase(), from + len)
    }

    fn end_tag(&mut self, lt: usize) -> usize {
        let (name, after) = self.name_at(lt + 2);
        let end = self.find_byte(b'>', after).map_or(self.b.len(), |e| e + 1);
        self.out.push(Token::End { name });
        end
    }

    fn start_tag(&mut self, lt: usize) -> usize {
        let line = self.line_at(lt);
        let (name, mut i) = self.name_at(lt + 1);
        let mut attrs = Vec::new();
        loop {
            while i < self.b.len() && (self.b[i].is_ascii_whitespace() || self.b[i] == b'/') {
                i += 1;
            }
            if i >= self.b.len() {
                // A tag cut off by the end of the file is dropped, as browsers do.
                return self.b.len();
            }
            if self.b[i] == b'>' {
                i += 1;
                break;
            }
            let (attr, value, next) = self.attribute(i);
            if !attrs.iter().any(|(a, _): &(String, String)| *a == attr) {
                attrs.push((attr, value));
            }
            i = next;
        }
        let raw = RAW_TEXT.contains(&name.as_str());
        self.out.push(Token::Start {
            name: name.clone(),
            attrs,
            line,
        });
        if !raw {
            return i;
        }
        let close = format!("</{name}");
        let end = self.find(close.as_bytes(), i).unwrap_or(self.b.len());
        if RAW_KEPT.contains(&name.as_str()) {
            self.text(i, end);
        }
        if end < self.b.len() {
            self.out.push(Token::End { name });
        }
        self.find_byte(b'>', end).map_or(self.b.len(), |e| e + 1)
    }

    /// One attribute starting at `i` (not whitespace, not `>`): name, value, and where it ends.
    fn attribute(&self, mut i: usize) -> (String, String, usize) {
        let start = i;
        i += 1; // the first character may be `=` (read as part of the name)
        while i < self.b.len()
            && !self.b[i].is_ascii_whitespace()
            && !matches!(self.b[i], b'/' | b'>' | b'=')
        {
            i += 1;
        }
        let name = self.src[start..i].to_ascii_lowercase();
        let mut j = i;
        while j < self.b.len() && self.b[j].is_ascii_whitespace() {
            j += 1;
        }
        if self.b.get(j) != Some(&b'=') {
            return (name, String::new(), i);
        }
        j += 1;
        while j < self.b.len() && self.b[j].is_ascii_whitespace() {
            j += 1;
        }
        let (from, to, next) = match self.b.get(j) {
            Some(&q @ (b'"' | b'\'')) => match self.find_byte(q, j + 1) {
                Some(e) => (j + 1, e, e + 1),
                // Unclosed quote: end the value at the tag's end rather than eat the page.
                None => {
                    let e = self.find_byte(b'>', j + 1).unwrap_or(self.b.len());
                    (j + 1, e, e)
                }
            },
            _ => {
                let len = self.b[j..]
                    .iter()
                    .take_while(|c| !c.is_ascii_whitespace() && **c != b'>')
                    .count();
                (j, j + len, j + len)
            }
        };
        (
            name,
            entities::decode(&self.src[from..to]).into_owned(),
            next,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(tokens: &[Token]) -> Vec<String> {
        tokens
            .iter()
            .map(|t| match t {
                Token::Start { name, .. } => format!("<{name}>"),
                Token::End { name } => format!("</{name}>"),
                Token::Text { text, .. } => text.clone(),
            })
            .collect()
    }

    #[test]
    fn tags_attributes_and_text() {
        let t = tokenize("<TD ROWSPAN=\"2\" colspan=3 nowrap class='a b'>x&amp;y</td>");
        assert_eq!(
            t[0],
            Token::Start {
                name: "td".into(),
                attrs: vec![
                    ("rowspan".into(), "2".into()),
                    ("colspan".into(), "3".into()),
                    ("nowrap".into(), String::new()),
                    ("class".into(), "a b".into()),
                ],
                line: 1,
            }
        );
        assert_eq!(names(&t[1..]), ["x&y", "</td>"]);
    }

    #[test]
    fn scripts_comments_and_stray_brackets() {
        let src = "<p>a < b</p><!-- <p>hidden</p> --><script>if (a<b) document.write('</p>')\
                   </script><!DOCTYPE html><?xml x?><style>p{}</style>c";
        assert_eq!(
            names(&tokenize(src)),
            [
                "<p>",
                "a < b",
                "</p>",
                "<script>",
                "</script>",
                "<style>",
                "</style>",
                "c"
            ]
        );
    }

    #[test]
    fn line_numbers() {
        let t = tokenize("<p>\none</p>\n\n<p>two</p>");
        let lines: Vec<u32> = t
            .iter()
            .filter_map(|t| match t {
                Token::Text { line, .. } | Token::Start { line, .. } => Some(*line),
                _ => None,
            })
            .collect();
        assert_eq!(lines, [1, 1, 2, 4, 4]);
    }

    #[test]
    fn truncated_input_does_not_panic() {
        for src in [
            "<",
            "<p",
            "<p class=\"x",
            "<!--",
            "</",
            "</p",
            "<p a=",
            "<script>x",
            "<a b='>c",
        ] {
            let _ = tokenize(src);
        }
        assert_eq!(names(&tokenize("<p>x<!-- never closed")), ["<p>", "x"]);
    }
}
