//! The numeric fields of the record, read once from `keys.tsv` (a copy of the spec's file).
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// FNV-1a, for the short key names: looked up for every value written and read.
pub use nianbao_core::Fnv;
use std::sync::LazyLock;

/// The template versions of the national format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    V2019,
    V2021,
}

impl Version {
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2019 => "2019",
            Version::V2021 => "2021",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    WanYuan,
}

#[derive(Debug, Clone)]
pub struct KeyDef {
    /// Position in `keys.tsv`: the slot of the key in a [`crate::KeyMap`].
    pub id: usize,
    /// Dotted path into the record, e.g. `applications.denied.state_secret.total`.
    pub key: &'static str,
    pub in_2019: bool,
    pub in_2021: bool,
    pub section: &'static str,
    pub row: &'static str,
    pub column: &'static str,
    pub unit: Unit,
}

const TSV: &str = include_str!("../keys.tsv");

static KEYS: LazyLock<Vec<KeyDef>> = LazyLock::new(|| {
    TSV.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(id, l)| {
            let f: Vec<&'static str> = l.split('\t').collect();
            assert!(f.len() >= 6, "keys.tsv: bad line {l}");
            KeyDef {
                id,
                key: f[0],
                in_2019: f[1].contains("2019"),
                in_2021: f[1].contains("2021"),
                section: f[2],
                row: f[3],
                column: f[4],
                unit: if f[5].trim() == "wan_yuan" {
                    Unit::WanYuan
                } else {
                    Unit::Count
                },
            }
        })
        .collect()
});

static INDEX: LazyLock<HashMap<&'static str, usize, BuildHasherDefault<Fnv>>> =
    LazyLock::new(|| KEYS.iter().enumerate().map(|(i, k)| (k.key, i)).collect());

/// Every numeric key in the order of `keys.tsv`.
pub fn all() -> &'static [KeyDef] {
    &KEYS
}

/// Looks a key up by its dotted name.
pub fn get(key: &str) -> Option<&'static KeyDef> {
    INDEX.get(key).map(|&i| &KEYS[i])
}

/// The definition of a key the mapping names (panics on an unknown key: a programming error).
pub fn def(key: &str) -> &'static KeyDef {
    get(key).unwrap_or_else(|| panic!("unknown key {key}"))
}

/// The interned `'static` form of a key name (panics on an unknown key, as [`def`]).
pub fn intern(key: &str) -> &'static str {
    def(key).key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_table_is_complete() {
        assert_eq!(all().len(), 226);
        assert!(
            get("applications.denied.state_secret.natural_person")
                .unwrap()
                .in_2019
        );
        assert_eq!(get("active.fees.amount_wan").unwrap().unit, Unit::WanYuan);
        assert!(!get("active.fees.amount_wan").unwrap().in_2019);
    }
}
