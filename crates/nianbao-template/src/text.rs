//! Text normalisation and number parsing shared by every part of the mapping.
use std::borrow::Cow;

/// Folds full-width ASCII (digits, letters, punctuation), the ideographic space and Kangxi
/// radicals to their ordinary forms, so labels and numbers compare alike across formats.
/// Borrows when nothing changes, which is most text (this runs on every line and cell).
pub fn fold(s: &str) -> Cow<'_, str> {
    let Some(first) = s.char_indices().find(|&(_, c)| fold_char(c) != c) else {
        return Cow::Borrowed(s);
    };
    // Folding never lengthens a character's UTF-8. Unchanged text is copied in runs.
    let mut out = String::with_capacity(s.len());
    let mut run = 0;
    for (i, c) in s[first.0..].char_indices() {
        let folded = fold_char(c);
        if folded != c {
            let at = first.0 + i;
            out.push_str(&s[run..at]);
            out.push(folded);
            run = at + c.len_utf8();
        }
    }
    out.push_str(&s[run..]);
    Cow::Owned(out)
}

#[inline]
fn fold_char(c: char) -> char {
    // Printable ASCII, and the CJK ideographs and everything else up to U+FDFF that nothing
    // below maps: most characters stop here.
    if (' '..'\u{7F}').contains(&c) || ('\u{3400}'..'\u{FE00}').contains(&c) {
        return c;
    }
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{2F00}'..='\u{2FD5}' => kangxi(c),
        '\u{00A0}' | '\u{2002}'..='\u{200B}' | '\u{FEFF}' => ' ',
        // Control characters are never content: LibreOffice's HTML export, for one, leaves its
        // field marks (U+0004, U+0005) around the text of a Word content control.
        '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}' => ' ',
        '“' | '”' | '「' | '」' => '"',
        _ => c,
    }
}

/// The common Kangxi radicals that PDF producers emit for ordinary ideographs.
fn kangxi(c: char) -> char {
    const MAP: &[(char, char)] = &[
        ('⼀', '一'),
        ('⼆', '二'),
        ('⼈', '人'),
        ('⼊', '入'),
        ('⼋', '八'),
        ('⼏', '几'),
        ('⼒', '力'),
        ('⼗', '十'),
        ('⼝', '口'),
        ('⼤', '大'),
        ('⼥', '女'),
        ('⼦', '子'),
        ('⼩', '小'),
        ('⼯', '工'),
        ('⼴', '广'),
        ('⼼', '心'),
        ('⽂', '文'),
        ('⽅', '方'),
        ('⽇', '日'),
        ('⽉', '月'),
        ('⽔', '水'),
        ('⽣', '生'),
        ('⽤', '用'),
        ('⽬', '目'),
        ('⾏', '行'),
        ('⾛', '走'),
        ('⾦', '金'),
        ('⾯', '面'),
        ('⾼', '高'),
        ('⻓', '长'),
        ('⾃', '自'),
        ('⽆', '无'),
        ('⽀', '支'),
        ('⽌', '止'),
        ('⽐', '比'),
        ('⽑', '毛'),
        ('⽓', '气'),
        ('⽕', '火'),
        ('⽚', '片'),
        ('⽜', '牛'),
        ('⽥', '田'),
        ('⽩', '白'),
        ('⽪', '皮'),
        ('⽯', '石'),
        ('⽰', '示'),
        ('⽴', '立'),
        ('⽶', '米'),
        ('⾁', '肉'),
        ('⾄', '至'),
        ('⾊', '色'),
        ('⾔', '言'),
        ('⾝', '身'),
        ('⾞', '车'),
        ('⾥', '里'),
        ('⾨', '门'),
        ('⾮', '非'),
        ('⾸', '首'),
        ('⾹', '香'),
        ('⼿', '手'),
        ('⼠', '士'),
        ('⼟', '土'),
        ('⼭', '山'),
        ('⼲', '干'),
        ('⼰', '己'),
        ('⼸', '弓'),
        ('⼾', '户'),
    ];
    MAP.iter()
        .find(|(k, _)| *k == c)
        .map(|(_, v)| *v)
        .unwrap_or(c)
}

/// A label reduced for keyword matching: folded, without any white space, with the
/// punctuation variants of numbering (`1、` `1．` `（一）`) unified to `1.` and `(一)`.
pub fn label_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Unchanged text is copied in runs.
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let key = key_char(c);
        if key != Some(c) {
            out.push_str(&s[run..i]);
            out.extend(key);
            run = i + c.len_utf8();
        }
    }
    out.push_str(&s[run..]);
    out
}

/// What one character becomes in a label key (`None`: dropped).
#[inline]
fn key_char(c: char) -> Option<char> {
    // The ideographs: kept as they are, without the tests below.
    if ('\u{3400}'..'\u{FE00}').contains(&c) {
        return Some(c);
    }
    match fold_char(c) {
        c if c.is_whitespace() => None,
        '、' | '．' => Some('.'),
        '*' | '#' | '|' => None,
        c => Some(c),
    }
}

/// A fixed list of keywords, indexed by first character, to find which of them a label
/// contains: one pass over the label instead of a substring search per keyword (`str`'s
/// search prepares its needle on every call, and labels are a few dozen bytes).
pub struct Keywords {
    words: Vec<&'static str>,
    /// (first character, index in `words`), sorted by character.
    by_first: Vec<(char, usize)>,
    /// Bit `c % 1024` set for every first character `c`: most characters of a label start no
    /// keyword, and this says so without a search.
    may_start: [u64; 16],
}

impl Keywords {
    /// At most 128 words (the set of those found is one `u128`); none empty.
    pub fn new(words: Vec<&'static str>) -> Keywords {
        assert!(words.len() <= 128, "at most 128 keywords");
        let mut by_first: Vec<(char, usize)> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (w.chars().next().expect("no empty keyword"), i))
            .collect();
        by_first.sort_unstable();
        let mut may_start = [0u64; 16];
        for &(c, _) in &by_first {
            let b = c as usize % 1024;
            may_start[b / 64] |= 1 << (b % 64);
        }
        Keywords {
            words,
            by_first,
            may_start,
        }
    }

    pub fn word(&self, i: usize) -> &'static str {
        self.words[i]
    }

    /// The words `text` contains, as a set of indices (bit `i` for word `i`).
    pub fn found_in(&self, text: &str) -> u128 {
        let mut found = 0u128;
        for (at, c) in text.char_indices() {
            let b = c as usize % 1024;
            if self.may_start[b / 64] & (1 << (b % 64)) == 0 {
                continue;
            }
            let from = self.by_first.partition_point(|&(f, _)| f < c);
            for &(f, i) in &self.by_first[from..] {
                if f != c {
                    break;
                }
                if text[at..].starts_with(self.words[i]) {
                    found |= 1 << i;
                }
            }
        }
        found
    }
}

/// The indices set in a [`Keywords::found_in`] result, lowest first.
pub fn indices(mut set: u128) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (set != 0).then(|| {
            let i = set.trailing_zeros() as usize;
            set &= set - 1;
            i
        })
    })
}

/// What a table cell holds, as far as the mapping is concerned.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    /// A number, with its unit when the cell states one.
    Number {
        value: f64,
        unit: Option<MoneyUnit>,
        integral: bool,
    },
    /// An explicit "no value" mark: `/`, `—`, `-`, `无`, `空`.
    Placeholder,
    /// Nothing at all.
    Blank,
    /// Any other text (a label, a header).
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyUnit {
    Yuan,
    Wan,
}

/// Classifies one cell's text. Numbers may use full-width digits, thousands separators
/// (`1,351` `1，351`), a sign, a decimal point, and a trailing unit (元, 万元, 件, 条, 个, 项).
pub fn classify(raw: &str) -> CellValue {
    classify_folded(&fold(raw))
}

/// [`classify`] for text already folded (a cell cut from a folded line).
pub fn classify_folded(s: &str) -> CellValue {
    let s = s.trim().trim_matches(|c: char| c == '*' || c == '_');
    if s.is_empty() {
        return CellValue::Blank;
    }
    if matches!(
        s,
        "/" | "／" | "-" | "—" | "——" | "–" | "无" | "空" | "\\" | "×"
    ) {
        return CellValue::Placeholder;
    }
    let (body, unit) = if let Some(b) = s.strip_suffix("万元") {
        (b, Some(MoneyUnit::Wan))
    } else if let Some(b) = s.strip_suffix('元') {
        (b, Some(MoneyUnit::Yuan))
    } else if let Some(b) = s.strip_suffix(['件', '条', '个', '项']) {
        (b, None)
    } else {
        (s, None)
    };
    match parse_number(body.trim()) {
        Some((value, integral)) => CellValue::Number {
            value,
            unit,
            integral,
        },
        None => CellValue::Text,
    }
}

/// Parses `-1,234.5` style numbers strictly: the whole string must be the number.
fn parse_number(s: &str) -> Option<(f64, bool)> {
    let (neg, digits) = match s.strip_prefix(['-', '−', '+']) {
        Some(rest) => (s.starts_with(['-', '−']), rest),
        None => (false, s),
    };
    if digits.is_empty() || !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut seen_dot = false;
    let mut seen_sep = false;
    let mut since_sep: Option<usize> = None;
    for c in digits.chars() {
        match c {
            '0'..='9' => {
                if let Some(n) = since_sep.as_mut() {
                    *n += 1;
                }
            }
            ',' | '，' if !seen_dot => {
                // A thousands separator must be followed by exactly three digits.
                if matches!(since_sep, Some(n) if n != 3) {
                    return None;
                }
                since_sep = Some(0);
                seen_sep = true;
            }
            '.' if !seen_dot => {
                if matches!(since_sep, Some(n) if n != 3) {
                    return None;
                }
                since_sep = None;
                seen_dot = true;
            }
            _ => return None,
        }
    }
    if matches!(since_sep, Some(n) if n != 3) || digits.ends_with('.') {
        return None;
    }
    let v: f64 = if seen_sep {
        let clean: String = digits.chars().filter(|&c| c != ',' && c != '，').collect();
        clean.parse().ok()?
    } else {
        digits.parse().ok()?
    };
    Some((if neg { -v } else { v }, !seen_dot))
}

/// Whether the text contains a CJK ideograph or a Latin letter (i.e. is label-like).
pub fn has_words(s: &str) -> bool {
    s.chars().any(|c| c.is_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Option<f64> {
        match classify(s) {
            CellValue::Number { value, .. } => Some(value),
            _ => None,
        }
    }

    #[test]
    fn numbers_in_their_many_spellings() {
        assert_eq!(num("0"), Some(0.0));
        assert_eq!(num(" 1,351 "), Some(1351.0));
        assert_eq!(num("１２３"), Some(123.0));
        assert_eq!(num("1，234，567"), Some(1234567.0));
        assert_eq!(num("-3"), Some(-3.0));
        assert_eq!(num("－3"), Some(-3.0));
        assert_eq!(num("8.0056 万元"), Some(8.0056));
        assert_eq!(num("96171.6"), Some(96171.6));
        assert_eq!(num("80056元"), Some(80056.0));
        assert_eq!(num("12件"), Some(12.0));
        assert_eq!(num("-4-"), None);
        assert_eq!(num("1,23"), None);
        assert_eq!(num("1."), None);
        assert_eq!(num("2020 年"), None);
        assert_eq!(classify("/"), CellValue::Placeholder);
        assert_eq!(classify("  "), CellValue::Blank);
        assert_eq!(classify("规章"), CellValue::Text);
        assert!(matches!(
            classify("8.0056万元"),
            CellValue::Number {
                unit: Some(MoneyUnit::Wan),
                ..
            }
        ));
    }

    #[test]
    fn labels_fold_to_one_spelling() {
        assert_eq!(label_key("1、 属于国家秘密"), "1.属于国家秘密");
        assert_eq!(label_key("（三）不予公开"), "(三)不予公开");
        assert_eq!(label_key("结 果 维 持"), "结果维持");
        assert_eq!(fold("⼀般"), "一般");
    }

    #[test]
    fn keywords_found_are_those_contained() {
        let k = Keywords::new(vec!["国家秘密", "国家", "第三方", "其他", "密"]);
        let found = |t: &str| {
            indices(k.found_in(t))
                .map(|i| k.word(i))
                .collect::<Vec<_>>()
        };
        assert_eq!(found("1.属于国家秘密"), ["国家秘密", "国家", "密"]);
        assert_eq!(found("(四)第三方不同意公开,其他,其他"), ["第三方", "其他"]);
        assert_eq!(found("国"), Vec::<&str>::new());
        assert_eq!(found(""), Vec::<&str>::new());
        // Against str::contains, on every prefix and suffix of a label.
        let label = "5.第三方国家秘密其他密";
        for (i, _) in label.char_indices() {
            for part in [&label[..i], &label[i..]] {
                let want: Vec<&str> = (0..5)
                    .map(|w| k.word(w))
                    .filter(|w| part.contains(w))
                    .collect();
                assert_eq!(found(part), want, "{part}");
            }
        }
    }

    #[test]
    fn label_keys_copy_runs_and_change_every_character_that_changes() {
        for c in (0u32..0x1_0000)
            .chain([0x1_F600, 0x10_FFFF])
            .filter_map(char::from_u32)
        {
            let s = format!("中{c}文{c}");
            let want: String = s.chars().filter_map(key_char).collect();
            assert_eq!(label_key(&s), want, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn the_byte_scan_finds_every_character_that_folds() {
        // Every scalar value of the BMP and a few beyond, between ideographs: `fold` (which
        // scans bytes for candidates) must agree with folding character by character.
        let chars = (0u32..0x1_0000)
            .chain([0x1_F600, 0x2_0000, 0x10_FFFF])
            .filter_map(char::from_u32);
        for c in chars {
            let s = format!("中{c}文");
            let want: String = s.chars().map(fold_char).collect();
            assert_eq!(fold(&s), want, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn control_characters_around_a_value_are_ignored() {
        assert!(matches!(
            classify("\u{4}12436\r\u{5}"),
            CellValue::Number { .. }
        ));
        assert_eq!(label_key("\u{feff}行政\u{1}许可"), "行政许可");
    }
}
