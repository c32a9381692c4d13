//! A pull reader for the XML of a Word package, over text already checked to be UTF-8.
//!
//! quick-xml validated the UTF-8 of every event again and built an event per entity
//! reference; the walk of `document.xml` spent most of its time there. This reader hands out
//! slices of the part: element names, the raw attribute text, and raw character data that
//! [`unescape`] decodes where text is kept. It checks what the walk relies on: tags close in
//! order, markup is terminated, the document ends with every element closed or reports where
//! it stopped.

use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event<'a> {
    /// `<name attrs>`.
    Start(Tag<'a>),
    /// `<name attrs/>`.
    Empty(Tag<'a>),
    /// `</name>`.
    End(&'a str),
    /// Character data between markup, entity references not yet decoded.
    Text(&'a str),
    /// The content of `<![CDATA[…]]>`, literal.
    CData(&'a str),
    Eof,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tag<'a> {
    /// The qualified name, `w:p`.
    pub name: &'a str,
    /// Everything after the name up to `>` or `/>`.
    attrs: &'a str,
}

impl<'a> Tag<'a> {
    /// The name without its namespace prefix: `w:p` → `p`.
    pub fn local(&self) -> &'a str {
        local(self.name)
    }

    /// The raw value of the attribute whose local name is `name` (`w:val` for `val`).
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        let mut rest = self.attrs;
        loop {
            rest = rest.trim_start_matches(is_space);
            let eq = rest.find('=')?;
            let key = rest[..eq].trim_end_matches(is_space);
            let after = rest[eq + 1..].trim_start_matches(is_space);
            let quote = after.chars().next().filter(|&q| q == '"' || q == '\'')?;
            let end = after[1..].find(quote)?;
            if local(key) == name {
                return Some(&after[1..1 + end]);
            }
            rest = &after[end + 2..];
        }
    }
}

fn local(name: &str) -> &str {
    match name.as_bytes().iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

fn is_space(c: char) -> bool {
    u8::try_from(c).is_ok_and(is_space_byte)
}

#[derive(Debug, Clone, PartialEq)]
pub struct XmlError {
    /// Byte offset in the part where reading stopped.
    pub at: usize,
    pub what: String,
}

pub struct Reader<'a> {
    xml: &'a str,
    pos: usize,
    /// Names of the elements open, innermost last.
    open: Vec<&'a str>,
}

impl<'a> Reader<'a> {
    pub fn new(xml: &'a str) -> Self {
        Reader {
            xml,
            pos: 0,
            open: Vec::new(),
        }
    }

    fn error(&self, what: impl Into<String>) -> XmlError {
        XmlError {
            at: self.pos,
            what: what.into(),
        }
    }

    /// The next event. Comments, processing instructions and the document type are passed
    /// over.
    ///
    /// Works on bytes: every delimiter it looks for is ASCII, so each cut falls on a character
    /// boundary of the UTF-8 text, and names and attributes need no character decoding.
    pub fn next(&mut self) -> Result<Event<'a>, XmlError> {
        loop {
            let xml = self.xml;
            let at = self.pos;
            let b = &xml.as_bytes()[at..];
            let Some(&first) = b.first() else {
                return Ok(Event::Eof);
            };
            if first != b'<' {
                let end = memchr::memchr(b'<', b).unwrap_or(b.len());
                self.pos += end;
                return Ok(Event::Text(&xml[at..at + end]));
            }
            match b.get(1) {
                Some(b'/') => {
                    // End tags are short: a plain loop (see `tag_end`).
                    let end = b
                        .iter()
                        .position(|&c| c == b'>')
                        .ok_or_else(|| self.error("an end tag is not terminated"))?;
                    let mut name_end = end;
                    while name_end > 2 && is_space_byte(b[name_end - 1]) {
                        name_end -= 1;
                    }
                    let name = &xml[at + 2..at + name_end];
                    match self.open.pop() {
                        Some(open) if open == name => {}
                        Some(open) => return Err(self.error(format!("</{name}> closes <{open}>"))),
                        None => return Err(self.error(format!("</{name}> closes nothing"))),
                    }
                    self.pos += end + 1;
                    return Ok(Event::End(name));
                }
                Some(b'?') => {
                    let end = self.find(&xml[at..], "?>", "a processing instruction")?;
                    self.pos += end + 2;
                }
                Some(b'!') => {
                    let rest = &xml[at..];
                    if rest.starts_with("<!--") {
                        let end = self.find(rest, "-->", "a comment")?;
                        self.pos += end + 3;
                    } else if rest.starts_with("<![CDATA[") {
                        let end = self.find(rest, "]]>", "a CDATA section")?;
                        self.pos += end + 3;
                        return Ok(Event::CData(&rest[9..end]));
                    } else {
                        // <!DOCTYPE …>, with an internal subset in brackets.
                        let end = match rest.find('[') {
                            Some(open) if rest[..open].find('>').is_none() => {
                                let close = self.find(&rest[open..], "]", "a document type")?;
                                open + close
                                    + self.find(&rest[open + close..], ">", "a document type")?
                            }
                            _ => self.find(rest, ">", "a document type")?,
                        };
                        self.pos += end + 1;
                    }
                }
                _ => {
                    let end = self.tag_end(b)?;
                    // `<name attrs/>` is empty; `body_end` is where the attributes stop.
                    let empty = end > 1 && b[end - 1] == b'/';
                    let body_end = if empty { end - 1 } else { end };
                    let name_len = b[1..body_end]
                        .iter()
                        .position(|&c| is_space_byte(c))
                        .unwrap_or(body_end - 1);
                    if name_len == 0 {
                        return Err(self.error("a tag without a name"));
                    }
                    let name = &xml[at + 1..at + 1 + name_len];
                    let tag = Tag {
                        name,
                        attrs: &xml[at + 1 + name_len..at + body_end],
                    };
                    self.pos += end + 1;
                    if empty {
                        return Ok(Event::Empty(tag));
                    }
                    self.open.push(name);
                    return Ok(Event::Start(tag));
                }
            }
        }
    }

    /// Reads past the end of the element whose start tag was just read. The markup inside is
    /// checked only when [`Reader::quick_close`] cannot find the end.
    pub fn skip_element(&mut self) -> Result<(), XmlError> {
        if let Some(end) = self.quick_close() {
            self.pos = end;
            self.open.pop();
            return Ok(());
        }
        let depth = self.open.len();
        loop {
            match self.next()? {
                Event::End(_) if self.open.len() < depth => return Ok(()),
                Event::Eof => return Err(self.error("the part ends inside an element")),
                _ => {}
            }
        }
    }

    /// The offset just past the end tag of the element whose start tag was just read, found
    /// by jumping from `<` to `<`, when that is certain: in well-formed XML no `<` stands in
    /// text or in an attribute value, so the first `</name>` is the end unless an element of
    /// the same name opens before it, or a comment, CDATA section or processing instruction
    /// (which may hold a `</name>` of its own). In those cases, and when no end is found,
    /// `None`: the caller reads event by event.
    fn quick_close(&self) -> Option<usize> {
        let name = self.open.last()?.as_bytes();
        let b = &self.xml.as_bytes()[self.pos..];
        let named = |at: usize| b.get(at..at + name.len()) == Some(name);
        for lt in memchr::memchr_iter(b'<', b) {
            match b.get(lt + 1)? {
                b'!' | b'?' => return None,
                b'/' if named(lt + 2) => {
                    let after = lt + 2 + name.len();
                    match *b.get(after)? {
                        // `</name>`, perhaps with spaces before the `>`.
                        b'>' => return Some(self.pos + after + 1),
                        c if is_space_byte(c) => {
                            let gt = after + b[after..].iter().position(|&c| !is_space_byte(c))?;
                            return (b[gt] == b'>').then_some(self.pos + gt + 1);
                        }
                        // A longer name that starts with this one.
                        c if is_name_byte(c) => {}
                        // Broken markup: the event reader reports it.
                        _ => return None,
                    }
                }
                b'/' => {}
                _ if named(lt + 1)
                    && !b.get(lt + 1 + name.len()).is_some_and(|&c| is_name_byte(c)) =>
                {
                    return None
                }
                _ => {}
            }
        }
        None
    }

    /// Offset in `rest` of `needle`, or an error naming what is unterminated.
    fn find(&self, rest: &str, needle: &str, what: &str) -> Result<usize, XmlError> {
        rest.find(needle)
            .ok_or_else(|| self.error(format!("{what} is not terminated")))
    }

    /// Offset in `b` of the `>` that ends the start tag it begins with (quoted attribute
    /// values may hold `>`).
    fn tag_end(&self, b: &[u8]) -> Result<usize, XmlError> {
        // Bytes that matter are found through a class table: tags are a few dozen bytes,
        // shorter than what a vectorised search pays to start. A `<` outside quotes is an error
        // once a `>` or a quote follows it; with neither, the tag is not terminated.
        let mut i = 1;
        let mut lt = false;
        loop {
            let Some(n) = b[i..].iter().position(|&c| TAG_BYTE[c as usize]) else {
                return Err(self.error("a tag is not terminated"));
            };
            i += n;
            match b[i] {
                b'>' | b'"' | b'\'' if lt => return Err(self.error("`<` inside a tag")),
                b'>' => return Ok(i),
                b'<' => lt = true,
                quote => {
                    let Some(n) = b[i + 1..].iter().position(|&x| x == quote) else {
                        return Err(self.error("an attribute value is not terminated"));
                    };
                    i += n + 1;
                }
            }
            i += 1;
        }
    }
}

/// The bytes [`Reader::tag_end`] stops at: `>`, `<` and the two quotes.
static TAG_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    t[b'>' as usize] = true;
    t[b'<' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\'' as usize] = true;
    t
};

/// A byte that can continue an XML name (any byte of a non-ASCII character can).
fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':') || c >= 0x80
}

fn is_space_byte(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Character data with its references decoded (`&amp;`, `&#x4E00;`; an unknown named one is
/// dropped) and line ends normalised to `\n`, as an XML processor reports them.
pub fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['&', '\r']) {
        return Cow::Borrowed(raw);
    }
    unescape_owned(raw)
}

/// Line ends normalised to `\n` (CDATA: no references).
pub fn normalize_eol(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\r') {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
}

fn unescape_owned(raw: &str) -> Cow<'_, str> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '\r']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(after) = rest.strip_prefix('\r') {
            out.push('\n');
            rest = after.strip_prefix('\n').unwrap_or(after);
            continue;
        }
        // A reference is a name or number up to `;`; a bare `&` stays as it is.
        let semi = rest[1..]
            .find(|c: char| !(c.is_alphanumeric() || c == '#'))
            .map(|n| n + 1)
            .filter(|&n| rest[n..].starts_with(';'));
        let Some(semi) = semi else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let text = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => match name.strip_prefix('#') {
                Some(num) => match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse().ok(),
                }
                .and_then(char::from_u32)
                .filter(|&c| c != '\0'),
                None => None,
            },
        };
        if let Some(c) = text {
            out.push(c);
        }
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(xml: &str) -> Result<Vec<Event<'_>>, XmlError> {
        let mut r = Reader::new(xml);
        let mut out = Vec::new();
        loop {
            match r.next()? {
                Event::Eof => return Ok(out),
                e => out.push(e),
            }
        }
    }

    #[test]
    fn elements_text_and_markup_that_is_passed_over() {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY x \"y\">]><!-- c --><w:d a='1'><w:p w:val=\"a>b\"/>t&amp;u<![CDATA[<x>]]></w:d>";
        let e = events(xml).unwrap();
        assert_eq!(e[0], Event::Text("\n"));
        let Event::Start(d) = e[1] else {
            panic!("{e:?}")
        };
        assert_eq!((d.name, d.local(), d.attr("a")), ("w:d", "d", Some("1")));
        let Event::Empty(p) = e[2] else {
            panic!("{e:?}")
        };
        assert_eq!(
            (p.local(), p.attr("val"), p.attr("x")),
            ("p", Some("a>b"), None)
        );
        assert_eq!(e[3], Event::Text("t&amp;u"));
        assert_eq!(e[4], Event::CData("<x>"));
        assert_eq!(e[5], Event::End("w:d"));
        assert_eq!(e.len(), 6);
    }

    #[test]
    fn attributes_with_spaces_and_either_quote() {
        let mut r = Reader::new("<w:tc w:a = 'x\"y' w:val=\"restart\" />");
        let Ok(Event::Empty(t)) = r.next() else {
            panic!()
        };
        assert_eq!(t.attr("a"), Some("x\"y"));
        assert_eq!(t.attr("val"), Some("restart"));
        assert_eq!(t.name, "w:tc");
    }

    #[test]
    fn broken_markup_is_an_error_with_a_place() {
        assert!(events("<a><b></a>").is_err());
        assert!(events("</a>").is_err());
        assert!(events("<a").is_err());
        assert!(events("<a b=\"c>").is_err());
        assert!(events("<a><!-- x").is_err());
        assert!(events("<a><![CDATA[ x").is_err());
        assert!(events("<a <b>").is_err());
        assert!(events("<>").is_err());
        let e = events("<a>\n<b></c>").unwrap_err();
        assert_eq!(e.at, 7);
        // Unclosed elements at the end are for the caller to notice.
        assert!(events("<a><b>").is_ok());
    }

    #[test]
    fn skip_element_reads_past_the_element_just_opened() {
        let mut r = Reader::new("<a><b><b/><c>x</c></b><d/></a>");
        assert!(matches!(r.next(), Ok(Event::Start(t)) if t.name == "a"));
        assert!(matches!(r.next(), Ok(Event::Start(t)) if t.name == "b"));
        r.skip_element().unwrap();
        assert!(matches!(r.next(), Ok(Event::Empty(t)) if t.name == "d"));
        assert_eq!(r.next(), Ok(Event::End("a")));
        let mut r = Reader::new("<a><b>");
        r.next().unwrap();
        assert!(r.skip_element().is_err());
    }

    /// After skipping `<b>` in `xml` (which opens `<a><b>`), the next event.
    fn after_skip(xml: &str) -> Result<Event<'_>, XmlError> {
        let mut r = Reader::new(xml);
        assert!(matches!(r.next(), Ok(Event::Start(t)) if t.name == "a"));
        assert!(matches!(r.next(), Ok(Event::Start(t)) if t.name == "b"));
        r.skip_element()?;
        r.next()
    }

    #[test]
    fn skip_element_jumps_to_the_end_tag_only_when_that_is_certain() {
        let d = |r: Result<Event<'_>, XmlError>| matches!(r, Ok(Event::Empty(t)) if t.name == "d");
        // The end tag found directly: `>` in a value, spaces before `>`, a longer name.
        assert!(d(after_skip("<a><b><x y=\"1>2\"/>t</b><d/></a>")));
        assert!(d(after_skip("<a><b><x/></b \n><d/></a>")));
        assert!(d(after_skip("<a><b><bb>x</bb></b><d/></a>")));
        assert!(d(after_skip("<a><b><bb/></bb></b><d/></a>")));
        // Markup inside is not checked on that path: the walk only needs the end.
        assert!(d(after_skip("<a><b><c></b><d/></a>")));
        // Read event by event: a nested element of the same name, a comment or a CDATA
        // section that could hold a false end tag, and a broken end tag.
        assert!(d(after_skip("<a><b><b>x</b></b><d/></a>")));
        assert!(d(after_skip("<a><b><!-- </b> --></b><d/></a>")));
        assert!(d(after_skip("<a><b><![CDATA[</b>]]></b><d/></a>")));
        assert!(after_skip("<a><b><c></c></b x><d/></a>").is_err());
        assert!(after_skip("<a><b><c/></b").is_err());
        assert!(after_skip("<a><b><b></b>").is_err());
    }

    #[test]
    fn references_and_line_ends_are_decoded() {
        assert_eq!(unescape("plain"), "plain");
        assert_eq!(
            unescape("&amp;&lt;&gt;&quot;&apos;&#x4E00;&#20108;&bogus;&#xFFFFFFFF;"),
            "&<>\"'一二"
        );
        assert_eq!(unescape("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert_eq!(unescape("a & b; c &x"), "a & b; c &x");
        assert_eq!(normalize_eol("a\r\nb\r"), "a\nb\n");
    }
}
