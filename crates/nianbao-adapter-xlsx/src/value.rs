//! Cell values as the text a reader sees.
use calamine::Data;

/// The text of one cell. Whole numbers are written without a fraction: xlsx stores every
/// number as a float, and `12.0` for a count of 12 would read as a decimal.
pub fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            if (hh, mm, ss) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
            }
        }
        Data::DateTime(dt) => number(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

pub fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        whole(f as i64)
    } else {
        // Shortest text that reads back as the same float: 12.3456, not 12.345600000000001.
        format!("{f}")
    }
}

/// A whole number's decimal digits, written directly: most cells of a report are counts, and
/// the formatting machinery cost several times the digits.
fn whole(n: i64) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut out = String::with_capacity(digits.len() - at + 1);
    if n < 0 {
        out.push('-');
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_written() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(999_999_999_999_999.0), "999999999999999");
        assert_eq!(number(-4105.0), "-4105");
        assert_eq!(number(1e15), "1000000000000000");
        assert_eq!(number(12.3456), "12.3456");
        assert_eq!(number(2316.85), "2316.85");
        assert_eq!(cell_text(&Data::String(" 7 ".into())), "7");
        assert_eq!(cell_text(&Data::Empty), "");
    }
}
