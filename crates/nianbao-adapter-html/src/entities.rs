//! Character references: `&nbsp;`, `&amp;`, `&#19968;`, `&#x4E00;`. Named references are the
//! ones report pages use (Word's HTML export, CMS editors), not the full HTML table.
use std::borrow::Cow;

/// Text with its character references replaced. Unknown names are kept as written, like a
/// browser does.
pub fn decode(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match reference(rest) {
            Some((decoded, len)) => {
                out.push_str(&decoded);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The text a reference at the start of `s` (which starts with `&`) stands for, and its length.
fn reference(s: &str) -> Option<(String, usize)> {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let (hex, start) = match b.get(2) {
            Some(b'x' | b'X') => (true, 3),
            _ => (false, 2),
        };
        let digits = b[start..]
            .iter()
            .take_while(|c| {
                if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            return None;
        }
        let text = &s[start..start + digits];
        // Overlong numbers are out of range anyway; saturate instead of overflowing.
        let value = u32::from_str_radix(text, if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
        let mut len = start + digits;
        if b.get(len) == Some(&b';') {
            len += 1;
        }
        return Some((numeric(value).to_string(), len));
    }
    let name_len = b[1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if name_len == 0 {
        return None;
    }
    let name = &s[1..1 + name_len];
    if b.get(1 + name_len) == Some(&b';') {
        return named(name).map(|t| (t.to_string(), name_len + 2));
    }
    // Without `;` browsers still read the legacy names, even glued to what follows
    // (`&nbsp&nbsp`, `&nbsp1` in old pages).
    ["nbsp", "amp", "quot", "copy", "reg", "lt", "gt"]
        .iter()
        .find(|legacy| name.starts_with(*legacy))
        .and_then(|legacy| named(legacy).map(|t| (t.to_string(), legacy.len() + 1)))
}

/// What a numeric reference stands for, with the browser's repairs: NUL, surrogates and values
/// past U+10FFFF become U+FFFD; 0x80–0x9F are read as windows-1252.
fn numeric(value: u32) -> char {
    const CP1252: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match value {
        0x80..=0x9f => CP1252[(value - 0x80) as usize],
        0 => '\u{fffd}',
        v => char::from_u32(v).unwrap_or('\u{fffd}'),
    }
}

fn named(name: &str) -> Option<&'static str> {
    Some(match name {
        "nbsp" => "\u{a0}",
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "ensp" => "\u{2002}",
        "emsp" => "\u{2003}",
        "thinsp" => "\u{2009}",
        "zwnj" => "\u{200c}",
        "zwj" => "\u{200d}",
        "shy" => "\u{ad}",
        "ldquo" => "“",
        "rdquo" => "”",
        "lsquo" => "‘",
        "rsquo" => "’",
        "sbquo" => "‚",
        "bdquo" => "„",
        "laquo" => "«",
        "raquo" => "»",
        "lsaquo" => "‹",
        "rsaquo" => "›",
        "mdash" => "—",
        "ndash" => "–",
        "minus" => "−",
        "hellip" => "…",
        "middot" => "·",
        "bull" => "•",
        "times" => "×",
        "divide" => "÷",
        "plusmn" => "±",
        "deg" => "°",
        "permil" => "‰",
        "percnt" => "%",
        "prime" => "′",
        "Prime" => "″",
        "le" => "≤",
        "ge" => "≥",
        "ne" => "≠",
        "larr" => "←",
        "rarr" => "→",
        "uarr" => "↑",
        "darr" => "↓",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        "yen" => "¥",
        "cent" => "¢",
        "pound" => "£",
        "euro" => "€",
        "sect" => "§",
        "para" => "¶",
        "sup1" => "¹",
        "sup2" => "²",
        "sup3" => "³",
        "frac12" => "½",
        "frac14" => "¼",
        "frac34" => "¾",
        "lpar" => "(",
        "rpar" => ")",
        "lsqb" | "lbrack" => "[",
        "rsqb" | "rbrack" => "]",
        "verbar" | "vert" => "|",
        "sol" => "/",
        "colon" => ":",
        "semi" => ";",
        "comma" => ",",
        "period" => ".",
        "num" => "#",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn named_and_numeric() {
        assert_eq!(decode("a&nbsp;b"), "a\u{a0}b");
        assert_eq!(decode("R&amp;D &lt;1&gt;"), "R&D <1>");
        assert_eq!(decode("&#x4E00;&#19968;&#X4e00"), "一一一");
        assert_eq!(decode("&ldquo;三安全一稳定&rdquo;"), "“三安全一稳定”");
        assert_eq!(decode("&#150;"), "–");
    }

    #[test]
    fn broken_references_survive() {
        assert_eq!(decode("AT&T &unknown; & &#; &"), "AT&T &unknown; & &#; &");
        assert_eq!(decode("&nbsp&nbsp1"), "\u{a0}\u{a0}1");
        assert_eq!(
            decode("&#0;&#xD800;&#x110000;&#99999999999999999999;"),
            "\u{fffd}".repeat(4)
        );
    }
}
