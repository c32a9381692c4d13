//! Writes a logical row's values into the record, by position or by count, never by guess.
use crate::keys::{Key, KeyDef, Unit};
use crate::record::{Num, Record};
use crate::rows::{LRow, RCell};
use crate::text::{CellValue, MoneyUnit};

/// How a money column is denominated when the cell itself does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyDefault {
    Wan,
    Yuan,
}

/// Assigns `row`'s slots to `cols` (keys in column order). Returns whether values were written.
///
/// Exactly `cols.len()` slots, or slots and the blank cells after them (a row whose last
/// columns, the 总计 among them, were left blank): by position (a blank or `/` slot is null).
/// Otherwise exactly `cols.len()` numbers: in order. Otherwise nothing, and a warning.
pub fn assign(rec: &mut Record, row: &LRow, cols: &[Key], money: MoneyDefault, what: &str) -> bool {
    let n = cols.len();
    let picked: Vec<Option<&RCell>> = if row.slots.len() == n || row.width() == n {
        note_doubtful(rec, row, cols);
        let mut picked: Vec<Option<&RCell>> = row
            .slots
            .iter()
            .map(|c| if c.is_number() { Some(c) } else { None })
            .collect();
        picked.resize(n, None);
        picked
    } else if row.n_numbers() == n {
        row.numbers().map(Some).collect()
    } else {
        rec.warnings.push(format!(
            "{what}: {} values where the template has {n} columns; left null rather than guessed",
            row.n_numbers()
        ));
        return false;
    };
    for (&key, cell) in cols.iter().zip(picked) {
        let Some(cell) = cell else { continue };
        if let Some(num) = to_num(rec, key, cell, money) {
            rec.values.insert(key, num);
            rec.provenance.insert(key, cell.prov.clone());
        }
    }
    true
}

/// Remembers the blank slots a scan left empty for want of a sure reading (counts only).
fn note_doubtful(rec: &mut Record, row: &LRow, cols: &[Key]) {
    for (&key, cell) in cols.iter().zip(&row.slots) {
        if cell.prov.ocr_read.is_empty() || cell.is_number() {
            continue;
        }
        if key.def().unit == Unit::Count {
            rec.doubtful.insert(key, cell.prov.clone());
        }
    }
}

fn to_num(rec: &mut Record, key: Key, cell: &RCell, money: MoneyDefault) -> Option<Num> {
    let def: &KeyDef = key.def();
    let CellValue::Number {
        value,
        unit,
        integral,
    } = cell.value
    else {
        return None;
    };
    match def.unit {
        Unit::Count => {
            if !integral {
                rec.warnings.push(format!(
                    "{}: count `{}` is not a whole number; left null",
                    def.key, cell.text
                ));
                return None;
            }
            Some(Num::Count(value as i64))
        }
        Unit::WanYuan => {
            rec.raw.insert(key, cell.text.clone());
            let yuan = match unit {
                Some(MoneyUnit::Yuan) => true,
                Some(MoneyUnit::Wan) => false,
                None => money == MoneyDefault::Yuan,
            };
            let wan = if yuan { value / 10_000.0 } else { value };
            // Four decimals is the template's precision; rounding removes float noise.
            Some(Num::Wan((wan * 1e6).round() / 1e6))
        }
    }
}
