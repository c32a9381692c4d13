//! The numeric fields of the record: one typed [`Key`] per line of `keys.tsv` (a copy of the
//! spec's file), generated into `keys/generated.rs` by `cargo xtask codegen`. Code names a key
//! by its constant (`Key::ACTIVE_RULES_MADE`), so a misspelt key does not compile; names are
//! looked up only where they come in as text.
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasherDefault;

/// FNV-1a, for the short key names: looked up for every value read back from text.
pub use nianbao_core::Fnv;
use std::sync::LazyLock;

#[rustfmt::skip]
mod generated;

pub use generated::{row, COUNT};

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

/// A key of `keys.tsv`, by its place there (the constants are in `keys/generated.rs`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(u16);

impl Key {
    /// Every key in the order of `keys.tsv`.
    pub fn all() -> impl ExactSizeIterator<Item = Key> + Clone {
        (0..COUNT as u16).map(Key)
    }

    /// Every key in the order of the names.
    pub fn by_name() -> &'static [Key] {
        &generated::BY_NAME
    }

    /// The key of a dotted name read as text (`applications.new.total`).
    pub fn named(name: &str) -> Option<Key> {
        get(name).map(Key::from)
    }

    pub fn def(self) -> &'static KeyDef {
        &generated::DEFS[self.0 as usize]
    }

    /// The dotted name: `applications.denied.state_secret.total`.
    pub fn name(self) -> &'static str {
        self.def().key
    }

    /// The place in `keys.tsv`, from 0.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.name(), f)
    }
}

impl From<&KeyDef> for Key {
    fn from(def: &KeyDef) -> Key {
        Key(def.id as u16)
    }
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

static INDEX: LazyLock<HashMap<&'static str, usize, BuildHasherDefault<Fnv>>> =
    LazyLock::new(|| all().iter().map(|k| (k.key, k.id)).collect());

/// Every numeric key in the order of `keys.tsv`.
pub fn all() -> &'static [KeyDef] {
    &generated::DEFS
}

/// Looks a key up by its dotted name (text read from a file or typed by a person).
pub fn get(key: &str) -> Option<&'static KeyDef> {
    INDEX.get(key).map(|&i| &all()[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_table_is_complete() {
        assert_eq!(all().len(), 226);
        assert!(
            Key::APPLICATIONS_DENIED_STATE_SECRET_NATURAL_PERSON
                .def()
                .in_2019
        );
        let fees = get("active.fees.amount_wan").unwrap();
        assert_eq!(fees.unit, Unit::WanYuan);
        assert!(!fees.in_2019 && fees.in_2021);
        assert_eq!(fees.row, "行政事业性收费");
        assert_eq!(
            Key::named("active.fees.amount_wan"),
            Some(Key::ACTIVE_FEES_AMOUNT_WAN)
        );
        assert_eq!(Key::named("active.fees.amount"), None);
    }

    #[test]
    fn each_constant_is_its_line_of_keys_tsv() {
        // The file the constants were generated from, read here as text: a stale list fails.
        let tsv = include_str!("../keys.tsv");
        let names: Vec<&str> = tsv
            .lines()
            .skip(1)
            .map(|l| l.split('\t').next().unwrap())
            .collect();
        assert_eq!(names, Key::all().map(Key::name).collect::<Vec<_>>());
        for (i, k) in Key::all().enumerate() {
            assert_eq!((k.index(), k.def().id), (i, i));
        }
        assert_eq!(Key::APPEALS_REVIEW_UPHELD.name(), "appeals.review.upheld");
        assert_eq!(Key::ACTIVE_RULES_MADE.def().column, "本年新制作数量");
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            Key::by_name().iter().map(|k| k.name()).collect::<Vec<_>>()
        );
        assert_eq!(row::APPEALS_REVIEW.last(), Some(&Key::APPEALS_REVIEW_TOTAL));
    }
}
