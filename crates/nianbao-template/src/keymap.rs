//! Values by key of `keys.tsv`: one slot per key, found by the key's number.
//!
//! A record was three `BTreeMap<&str, _>`s; every insert and lookup compared long dotted names
//! with a common prefix (`applications.denied.…`), a tenth of the template's time. Names still
//! work everywhere (`get("applications.new.total")`); the hot paths go by [`KeyDef`].
use crate::keys::{self, KeyDef};
use std::fmt;
use std::sync::LazyLock;

#[derive(Clone)]
pub struct KeyMap<T> {
    /// Empty until the first insert, then one slot per key of `keys.tsv`.
    slots: Vec<Option<T>>,
    len: usize,
}

impl<T> Default for KeyMap<T> {
    fn default() -> Self {
        KeyMap {
            slots: Vec::new(),
            len: 0,
        }
    }
}

impl<T> KeyMap<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the value of `key` (panics on a key not in `keys.tsv`: a programming error).
    pub fn insert(&mut self, key: &str, value: T) -> Option<T> {
        self.set(keys::def(key), value)
    }

    pub fn set(&mut self, def: &KeyDef, value: T) -> Option<T> {
        if self.slots.is_empty() {
            self.slots.resize_with(keys::all().len(), || None);
        }
        let old = self.slots[def.id].replace(value);
        self.len += old.is_none() as usize;
        old
    }

    /// Takes the value of `def` out.
    pub fn remove_def(&mut self, def: &KeyDef) -> Option<T> {
        let old = self.slots.get_mut(def.id)?.take();
        self.len -= old.is_some() as usize;
        old
    }

    pub fn get(&self, key: &str) -> Option<&T> {
        self.get_def(keys::get(key)?)
    }

    pub fn get_def(&self, def: &KeyDef) -> Option<&T> {
        self.slots.get(def.id)?.as_ref()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Keys with a value and their values, in the order of `keys.tsv`.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &T)> {
        keys::all()
            .iter()
            .zip(&self.slots)
            .filter_map(|(d, v)| Some((d.key, v.as_ref()?)))
    }

    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// As [`iter`](Self::iter), in the order of the key names (the order a map of names
    /// would give, which the JSON's provenance object keeps).
    pub fn iter_by_name(&self) -> impl Iterator<Item = (&'static str, &T)> {
        static BY_NAME: LazyLock<Vec<&'static KeyDef>> = LazyLock::new(|| {
            let mut defs: Vec<&KeyDef> = keys::all().iter().collect();
            defs.sort_by_key(|d| d.key);
            defs
        });
        BY_NAME
            .iter()
            .filter_map(|d| Some((d.key, self.get_def(d)?)))
    }
}

/// Equal when the same keys hold equal values (however the slots were allocated).
impl<T: PartialEq> PartialEq for KeyMap<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: fmt::Debug> fmt::Debug for KeyMap<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter_by_name()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_per_key_found_by_name_or_definition() {
        let mut m = KeyMap::new();
        assert!(m.is_empty() && m.get("applications.new.total").is_none());
        assert_eq!(m.insert("applications.new.total", 5), None);
        assert_eq!(m.insert("active.rules.issued", 1), None);
        assert_eq!(m.insert("applications.new.total", 6), Some(5));
        assert_eq!(m.len(), 2);
        assert_eq!(m.get("applications.new.total"), Some(&6));
        assert_eq!(m.get_def(keys::def("active.rules.issued")), Some(&1));
        assert!(m.get("no.such.key").is_none());
        // keys.tsv order, and name order.
        assert_eq!(
            m.keys().collect::<Vec<_>>(),
            ["active.rules.issued", "applications.new.total"]
        );
        let mut other = KeyMap::new();
        other.insert("active.rules.issued", 1);
        assert_ne!(m, other);
        other.insert("applications.new.total", 6);
        assert_eq!(m, other);
        assert_eq!(KeyMap::<i32>::new(), KeyMap::new());
        let names: Vec<&str> = keys::all().iter().map(|d| d.key).collect();
        let mut all = KeyMap::new();
        for (i, n) in names.iter().enumerate() {
            all.insert(n, i);
        }
        let by_name: Vec<&str> = all.iter_by_name().map(|(k, _)| k).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(by_name, sorted);
    }
}
