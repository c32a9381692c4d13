//! Section 四: fifteen numbers, 行政复议 ×5 then 行政诉讼 (未经复议直接起诉 ×5, 复议后起诉 ×5).
use crate::assign::{assign, MoneyDefault};
use crate::record::Record;
use crate::rows::LRow;

const KEYS: [&str; 15] = [
    "appeals.review.upheld",
    "appeals.review.corrected",
    "appeals.review.other",
    "appeals.review.pending",
    "appeals.review.total",
    "appeals.litigation_direct.upheld",
    "appeals.litigation_direct.corrected",
    "appeals.litigation_direct.other",
    "appeals.litigation_direct.pending",
    "appeals.litigation_direct.total",
    "appeals.litigation_after_review.upheld",
    "appeals.litigation_after_review.corrected",
    "appeals.litigation_after_review.other",
    "appeals.litigation_after_review.pending",
    "appeals.litigation_after_review.total",
];

/// Maps the appeals table; returns whether the fifteen cells were found.
pub fn map(rec: &mut Record, rows: &[LRow]) -> bool {
    // The data row: the last row with fifteen value slots or fifteen numbers.
    if let Some(row) = rows
        .iter()
        .rev()
        .find(|r| r.n_numbers() > 0 && (r.slots.len() == 15 || r.n_numbers() == 15))
    {
        return assign(rec, row, &KEYS, MoneyDefault::Wan, "四、行政复议、行政诉讼");
    }
    // Otherwise the table may be spread over several rows (one cell per line, or one row per
    // group of five): all numbers of the section, if there are exactly fifteen.
    let mut all = LRow::empty();
    for r in rows {
        all.slots.extend(r.numbers().cloned());
    }
    if all.slots.is_empty() {
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
