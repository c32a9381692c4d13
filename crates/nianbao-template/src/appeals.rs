//! Section 四: fifteen numbers, 行政复议 ×5 then 行政诉讼 (未经复议直接起诉 ×5, 复议后起诉 ×5).
use crate::assign::{assign, MoneyDefault};
use crate::keys::Key;
use crate::record::Record;
use crate::rows::LRow;
use crate::text::CellValue;

pub(crate) const KEYS: [Key; 15] = [
    Key::APPEALS_REVIEW_UPHELD,
    Key::APPEALS_REVIEW_CORRECTED,
    Key::APPEALS_REVIEW_OTHER,
    Key::APPEALS_REVIEW_PENDING,
    Key::APPEALS_REVIEW_TOTAL,
    Key::APPEALS_LITIGATION_DIRECT_UPHELD,
    Key::APPEALS_LITIGATION_DIRECT_CORRECTED,
    Key::APPEALS_LITIGATION_DIRECT_OTHER,
    Key::APPEALS_LITIGATION_DIRECT_PENDING,
    Key::APPEALS_LITIGATION_DIRECT_TOTAL,
    Key::APPEALS_LITIGATION_AFTER_REVIEW_UPHELD,
    Key::APPEALS_LITIGATION_AFTER_REVIEW_CORRECTED,
    Key::APPEALS_LITIGATION_AFTER_REVIEW_OTHER,
    Key::APPEALS_LITIGATION_AFTER_REVIEW_PENDING,
    Key::APPEALS_LITIGATION_AFTER_REVIEW_TOTAL,
];

/// Maps the appeals table; returns whether the fifteen cells were found.
pub fn map(rec: &mut Record, rows: &[LRow]) -> bool {
    // The data row: the last row with fifteen value positions or fifteen numbers.
    if let Some(row) = rows
        .iter()
        .rev()
        .find(|r| r.n_numbers() > 0 && (r.width() == 15 || r.n_numbers() == 15))
    {
        return assign(rec, row, &KEYS, MoneyDefault::Wan, "四、行政复议、行政诉讼");
    }
    // Otherwise the table may be spread over several rows (one cell per line, or one row per
    // group of five): all numbers of the section, if there are exactly fifteen.
    let mut all = LRow::empty();
    let mut sizes = Vec::new();
    for r in rows {
        all.slots.extend(r.numbers().cloned());
        if r.n_numbers() > 0 {
            sizes.push(r.n_numbers());
        }
    }
    if all.slots.is_empty() {
        return false;
    }
    // One number per line, whole groups of five per line, or one row broken once (14 + 1) is
    // the table read in its order. A split into many uneven pieces (4, 4, 1, 5, 1) is text out
    // of reading order: the numbers are taken only if each group of five adds up in the order
    // they came, and are left null otherwise.
    let in_order =
        sizes.len() <= 2 || sizes.iter().all(|&n| n == 1) || sizes.iter().all(|&n| n % 5 == 0);
    if all.slots.len() == KEYS.len() && !in_order && !groups_add_up(&all) {
        rec.warnings.push(format!(
            "四、行政复议、行政诉讼: 15 numbers on {} lines in pieces of {sizes:?} do not add up \
             in that order (text out of reading order); left null rather than guessed",
            sizes.len()
        ));
        return false;
    }
    assign(
        rec,
        &all,
        &KEYS,
        MoneyDefault::Wan,
        "四、行政复议、行政诉讼",
    )
}

/// Each group of five (upheld, corrected, other, pending, total) adds up.
fn groups_add_up(row: &LRow) -> bool {
    let values: Vec<Option<f64>> = row
        .slots
        .iter()
        .map(|c| match c.value {
            CellValue::Number { value, .. } => Some(value),
            _ => None,
        })
        .collect();
    values.chunks(5).all(|g| match g {
        [Some(a), Some(b), Some(c), Some(d), Some(t)] => a + b + c + d == *t,
        _ => false,
    })
}
