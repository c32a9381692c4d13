//! Makes distinct but plausible copies of a report: a fixed-seed PRNG and a rewrite of the
//! counts written in prose ("主动公开政府信息 1136 条"). Table cells and labels are left alone,
//! so every copy still maps onto the template the way its original does.

/// SplitMix64: tiny, fixed-seed, good enough to vary numbers reproducibly.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// Units that follow a count in prose. A number followed by one of these is a statistic of the
/// report, never a label (`1.`), a year (`2023 年`) or a date.
const COUNT_UNITS: &[char] = &['条', '件', '个', '次', '篇', '场', '人', '家', '期', '项'];

/// Rewrites, with probability 1/2 each, the counts in `text` to within ±20 % (at least ±1).
/// Zeros stay zero. Returns the text unchanged when it holds no count.
pub fn vary_counts(text: &str, rng: &mut Rng) -> String {
    vary_counts_before(text, "", rng)
}

/// [`vary_counts`] for a piece of text that `next` continues (the next text run of an XML
/// part, where a count and its unit are often split across runs).
fn vary_counts_before(text: &str, next: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let digits_len = rest[start..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - start);
        let digits = &rest[start..start + digits_len];
        let after = &rest[start + digits_len..];
        let before = out.chars().last();
        let unit_follows = if after.is_empty() { next } else { after }
            .trim_start_matches(' ')
            .starts_with(|c: char| COUNT_UNITS.contains(&c));
        let glued = matches!(before, Some('.' | ',' | '-' | '/' | ':'));
        match digits.parse::<u64>() {
            Ok(v) if unit_follows && !glued && v > 0 && digits_len <= 6 && rng.below(2) == 0 => {
                let spread = (v / 5).max(1);
                let delta = rng.below(2 * spread + 1) as i64 - spread as i64;
                let nv = (v as i64 + if delta == 0 { 1 } else { delta }).max(1);
                out.push_str(&nv.to_string());
            }
            _ => out.push_str(digits),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// [`vary_counts`] applied to the text between the tags of an XML part only, so element names,
/// attributes and indices are never touched.
pub fn vary_xml_counts(xml: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(xml.len() + 16);
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        let gt = rest[lt..]
            .find('>')
            .map(|i| lt + i + 1)
            .unwrap_or(rest.len());
        out.push_str(&vary_counts_before(
            &rest[..lt],
            next_text(&rest[gt..]),
            rng,
        ));
        out.push_str(&rest[lt..gt]);
        rest = &rest[gt..];
    }
    out.push_str(&vary_counts(rest, rng));
    out
}

/// The first non-empty text between tags in `xml`, up to the next tag.
fn next_text(xml: &str) -> &str {
    let mut rest = xml;
    loop {
        let lt = rest.find('<').unwrap_or(rest.len());
        if lt > 0 || lt == rest.len() {
            return &rest[..lt];
        }
        match rest.find('>') {
            Some(gt) => rest = &rest[gt + 1..],
            None => return "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_change_but_labels_years_and_zeros_do_not() {
        let text = "2023 年，主动公开政府信息 1136 条，受理申请 21 件。1.属于国家秘密 0 件\n";
        let mut changed = 0;
        for seed in 0..20 {
            let v = vary_counts(text, &mut Rng::new(seed));
            assert!(v.starts_with("2023 年，主动公开政府信息 "), "{v}");
            assert!(v.contains("1.属于国家秘密 0 件"), "{v}");
            changed += usize::from(v != text);
        }
        // Two counts, each varied with probability 1/2: about 15 of 20 copies differ.
        assert!(changed >= 10, "only {changed} of 20 copies differ");
    }

    #[test]
    fn xml_markup_is_kept() {
        let xml = r#"<w:t xml:space="preserve">申请 21 件</w:t><w:sz w:val="24"/>"#;
        for seed in 0..10 {
            let v = vary_xml_counts(xml, &mut Rng::new(seed));
            assert!(v.starts_with(r#"<w:t xml:space="preserve">申请 "#), "{v}");
            assert!(v.ends_with(r#" 件</w:t><w:sz w:val="24"/>"#), "{v}");
        }
    }

    #[test]
    fn a_unit_in_the_next_run_counts() {
        let xml = "<w:t>申请</w:t><w:t>21</w:t></w:r><w:r><w:t>件</w:t><w:t>第1</w:t><w:t>页</w:t>";
        let copies: Vec<String> = (0..10)
            .map(|seed| vary_xml_counts(xml, &mut Rng::new(seed)))
            .collect();
        assert!(
            copies.iter().any(|v| !v.contains("<w:t>21</w:t>")),
            "{copies:?}"
        );
        assert!(
            copies
                .iter()
                .all(|v| v.ends_with("<w:t>第1</w:t><w:t>页</w:t>")),
            "{copies:?}"
        );
    }
}
