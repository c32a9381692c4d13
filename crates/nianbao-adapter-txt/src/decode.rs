//! Text encoding detection: BOM, UTF-16 without BOM, strict UTF-8, then a statistical guess
//! with the `cn` hint (GB18030/GBK in practice, but Big5 and others are recognised too).
use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

/// Decoded text and the name of the encoding it was read as.
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    /// Whether the decoder met malformed sequences (replaced by U+FFFD).
    pub had_errors: bool,
}

/// Decodes bytes of unknown encoding.
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return run(enc, &bytes[bom_len..], bom_name(enc));
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        return run(enc, bytes, enc.name());
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Decoded {
            text: s.to_string(),
            encoding: "UTF-8",
            had_errors: false,
        };
    }
    if mostly_utf8(bytes) {
        return run(UTF_8, bytes, "UTF-8");
    }
    let mut det = EncodingDetector::new(Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let guess = det.guess(Some(b"cn"), Utf8Detection::Allow);
    // GBK is a subset of GB18030: decode with the superset, name what we decoded with.
    let enc = if guess == encoding_rs::GBK {
        GB18030
    } else {
        guess
    };
    run(enc, bytes, enc.name())
}

/// Whether bytes that are not valid UTF-8 are UTF-8 but for a few damaged bytes: at least ten
/// well-formed non-ASCII characters for every malformed byte (one damaged byte inside a
/// character leaves up to three). A GB18030 text is far from it: its two-byte characters form
/// well-formed UTF-8 only by chance (the seed reports and real reports encoded in GB18030
/// give 0.15 to 0.2 well-formed characters per malformed byte). Read as UTF-8, one bad byte costs one character (a warning says so); read
/// as GB18030 it would garble the whole document.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut good, mut bad) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        good += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        bad += chunk.invalid().len();
    }
    bad > 0 && good >= bad.saturating_mul(10)
}

fn bom_name(enc: &'static Encoding) -> &'static str {
    if enc == UTF_8 {
        "UTF-8 (BOM)"
    } else if enc == UTF_16LE {
        "UTF-16LE (BOM)"
    } else {
        "UTF-16BE (BOM)"
    }
}

fn run(enc: &'static Encoding, bytes: &[u8], name: &'static str) -> Decoded {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: name,
        had_errors,
    }
}

/// UTF-16 without a BOM gives itself away by NUL bytes, which no 8-bit Chinese encoding has:
/// ASCII code units (digits, spaces, line breaks — every report has them) put their zero byte
/// on odd positions in little-endian and even positions in big-endian. Mostly-CJK text has few
/// of them, and CJK code points such as U+4E00 put zeros on the other side, so the test is a
/// clear majority on one parity, not density.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(8192) & !1];
    // Without a NUL byte neither count below can reach its minimum (nearly every file: the
    // search costs a fraction of the counting, which ran twice per text file).
    if head.len() < 8 || memchr::memchr(0, head).is_none() {
        return None;
    }
    let (mut even, mut odd) = (0, 0);
    for pair in head.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let enough = (head.len() / 2 / 100).max(3);
    let enc = if odd >= enough && even * 4 <= odd {
        UTF_16LE
    } else if even >= enough && odd * 4 <= even {
        UTF_16BE
    } else {
        return None;
    };
    // Binary data can have lopsided NULs too: real UTF-16 decodes without errors.
    let (_, had_errors) = enc.decode_without_bom_handling(head);
    (!had_errors).then_some(enc)
}

/// Whether the bytes look like text in some encoding, not binary data.
pub fn looks_like_text(bytes: &[u8]) -> bool {
    if Encoding::for_bom(bytes).is_some() || utf16_without_bom(bytes).is_some() {
        return true;
    }
    let head = &bytes[..bytes.len().min(8192)];
    let control: usize = head
        .iter()
        .map(|&b| usize::from(b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)))
        .sum();
    control * 100 <= head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "固镇县王庄镇人民政府2020年政府信息公开工作年度报告\n一、总体情况\n";

    #[test]
    fn utf8_plain_and_bom() {
        assert_eq!(decode(SAMPLE.as_bytes()).encoding, "UTF-8");
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice(SAMPLE.as_bytes());
        let d = decode(&b);
        assert_eq!(d.encoding, "UTF-8 (BOM)");
        assert_eq!(d.text, SAMPLE);
    }

    #[test]
    fn gbk_is_detected() {
        let (bytes, _, _) = GB18030.encode(SAMPLE);
        let d = decode(&bytes);
        assert_eq!(d.encoding, "gb18030");
        assert_eq!(d.text, SAMPLE);
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let le: Vec<u8> = SAMPLE
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let be: Vec<u8> = SAMPLE
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        // CJK text has few NUL bytes; a report always has ASCII digits and newlines too.
        let ascii = "2020 年 1 月 1 日至 2020 年 12 月 31 日\n".repeat(4);
        let le2: Vec<u8> = (SAMPLE.to_string() + &ascii)
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(decode(&le2).encoding, "UTF-16LE");
        assert!(decode(&le2).text.starts_with("固镇县"));
        let mut bom = vec![0xFF, 0xFE];
        bom.extend_from_slice(&le);
        assert_eq!(decode(&bom).text, SAMPLE);
        let mut bom = vec![0xFE, 0xFF];
        bom.extend_from_slice(&be);
        assert_eq!(decode(&bom).encoding, "UTF-16BE (BOM)");
    }

    /// A few damaged bytes in a UTF-8 text cost their characters only, and are reported;
    /// a GB18030 text with the same damage is still read as GB18030.
    #[test]
    fn utf8_with_a_bad_byte_stays_utf8() {
        let text = SAMPLE.repeat(3);
        let mut bytes = text.as_bytes().to_vec();
        // The second byte of 总 (E6 80 BB) in the second line.
        let at = text.find("总体").unwrap() + 1;
        bytes[at] = 0xFF;
        let d = decode(&bytes);
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.had_errors);
        // The cut lead byte, the bad byte and the orphaned trail byte.
        assert_eq!(d.text.matches('\u{FFFD}').count(), 3, "{}", d.text);
        assert_eq!(d.text.replace("\u{FFFD}\u{FFFD}\u{FFFD}", "总"), text);
        let (gbk, _, _) = GB18030.encode(&text);
        let mut gbk = gbk.into_owned();
        gbk[10] = 0xFF;
        assert_eq!(decode(&gbk).encoding, "gb18030");
    }

    #[test]
    fn binary_is_not_text() {
        let bin: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
        assert!(!looks_like_text(&bin));
        assert!(looks_like_text(SAMPLE.as_bytes()));
    }
}
