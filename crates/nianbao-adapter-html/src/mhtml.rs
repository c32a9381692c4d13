//! MHTML (`.mht`, `.mhtml`): a saved page as a MIME `multipart/related` message. Only the
//! `text/html` part matters; its transfer encoding (quoted-printable or base64) is undone here
//! and its charset is passed on to the decoder.

/// Whether the bytes start like a MIME message holding a saved page.
pub fn is_mhtml(bytes: &[u8]) -> bool {
    let head = lower(&bytes[..bytes.len().min(4096)]);
    contains(&head, b"mime-version:") && contains(&head, b"multipart/related")
}

pub struct HtmlPart {
    pub bytes: Vec<u8>,
    pub charset: Option<String>,
}

/// The first `text/html` part of the message.
pub fn html_part(bytes: &[u8]) -> Result<HtmlPart, String> {
    let (headers, body) = split_headers(bytes);
    let boundary = param(&unfold(headers), "boundary")
        .ok_or("the MHTML header names no multipart boundary")?;
    let delimiter = [b"--", boundary.as_bytes()].concat();
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(at) = find(rest, &delimiter) {
        rest = &rest[at + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let end = find(rest, &delimiter).unwrap_or(rest.len());
        parts.push(&rest[..end]);
    }
    for part in parts {
        let part = part
            .strip_prefix(b"\r\n")
            .or_else(|| part.strip_prefix(b"\n"))
            .unwrap_or(part);
        let (headers, body) = split_headers(part);
        let headers = unfold(headers);
        let Some(content_type) = header(&headers, "content-type") else {
            continue;
        };
        if !content_type.to_ascii_lowercase().starts_with("text/html") {
            continue;
        }
        let encoding = header(&headers, "content-transfer-encoding").unwrap_or_default();
        let bytes = match encoding.trim().to_ascii_lowercase().as_str() {
            "quoted-printable" => quoted_printable(body),
            "base64" => base64(body)?,
            _ => body.to_vec(),
        };
        return Ok(HtmlPart {
            bytes,
            charset: param(&content_type, "charset"),
        });
    }
    Err("the MHTML archive holds no text/html part".into())
}

/// Headers and body, split at the first empty line.
fn split_headers(b: &[u8]) -> (&[u8], &[u8]) {
    for (sep, len) in [(&b"\r\n\r\n"[..], 4), (b"\n\n", 2)] {
        if let Some(at) = find(b, sep) {
            return (&b[..at], &b[at + len..]);
        }
    }
    (b, &[])
}

/// Header lines with continuation lines joined.
fn unfold(headers: &[u8]) -> String {
    let text = String::from_utf8_lossy(headers);
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            out.push(' ');
            out.push_str(line.trim());
        } else {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
    }
    out
}

fn header(headers: &str, name: &str) -> Option<String> {
    headers.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// A `key=value` or `key="value"` parameter anywhere in a header text.
fn param(text: &str, key: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(key) {
        let start = from + at;
        let after = text[start + key.len()..].trim_start();
        let before_ok = start == 0 || !lower.as_bytes()[start - 1].is_ascii_alphanumeric();
        if let (true, Some(v)) = (before_ok, after.strip_prefix('=')) {
            let v = v.trim_start();
            let value = match v.strip_prefix('"') {
                Some(q) => q.split('"').next().unwrap_or(""),
                None => v.split([';', ' ', '\t', '\n', '\r']).next().unwrap_or(""),
            };
            if !value.is_empty() {
                return Some(value.to_string());
            }
        }
        from = start + key.len();
    }
    None
}

fn quoted_printable(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'=' {
            out.push(body[i]);
            i += 1;
            continue;
        }
        let rest = &body[i + 1..];
        if rest.starts_with(b"\r\n") {
            i += 3; // soft line break
        } else if rest.starts_with(b"\n") {
            i += 2;
        } else if let (Some(h), Some(l)) = (rest.first().and_then(hex), rest.get(1).and_then(hex)) {
            out.push(h << 4 | l);
            i += 3;
        } else {
            out.push(b'=');
            i += 1;
        }
    }
    out
}

fn hex(b: &u8) -> Option<u8> {
    (*b as char).to_digit(16).map(|d| d as u8)
}

fn base64(body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in body {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b if b.is_ascii_whitespace() => continue,
            _ => return Err("the MHTML page part is not valid base64".into()),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

fn lower(b: &[u8]) -> Vec<u8> {
    b.iter().map(u8::to_ascii_lowercase).collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    nianbao_core::sniff::find(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &str = "From: <Saved by Blink>\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n\
        \tboundary=\"----MultipartBoundary--abc----\"\r\n\r\n\
        ------MultipartBoundary--abc----\r\nContent-Type: text/html\r\n\
        Content-Transfer-Encoding: quoted-printable\r\n\r\n\
        <html><body><p class=3D\"x\">=E5=B9=B4=E5=BA=A6=E6=8A=A5=E5=91=8A=\r\n</p></body></html>\r\n\
        ------MultipartBoundary--abc----\r\nContent-Type: image/png\r\n\
        Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n\
        ------MultipartBoundary--abc------\r\n";

    #[test]
    fn quoted_printable_page() {
        assert!(is_mhtml(MESSAGE.as_bytes()));
        let part = html_part(MESSAGE.as_bytes()).unwrap();
        let html = String::from_utf8(part.bytes).unwrap();
        assert_eq!(
            html,
            "<html><body><p class=\"x\">年度报告</p></body></html>\r\n"
        );
        assert_eq!(part.charset, None);
    }

    #[test]
    fn base64_page_with_charset() {
        let msg = "MIME-Version: 1.0\nContent-Type: multipart/related; boundary=b1\n\n--b1\n\
                   Content-Type: text/html; charset=\"gb2312\"\nContent-Transfer-Encoding: base64\n\n\
                   PHA+MTwv\ncD4=\n--b1--\n";
        let part = html_part(msg.as_bytes()).unwrap();
        assert_eq!(part.bytes, b"<p>1</p>");
        assert_eq!(part.charset.as_deref(), Some("gb2312"));
    }

    #[test]
    fn broken_messages_are_errors() {
        assert!(
            html_part(b"MIME-Version: 1.0\r\nContent-Type: multipart/related\r\n\r\n").is_err()
        );
        let no_html = "MIME-Version: 1.0\nContent-Type: multipart/related; boundary=b\n\n--b\n\
                       Content-Type: image/png\n\nxx\n--b--";
        assert!(html_part(no_html.as_bytes()).is_err());
        assert_eq!(quoted_printable(b"a=\nb=zz="), b"ab=zz=");
    }
}
