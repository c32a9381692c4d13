//! Values by key of `keys.tsv`: one slot per key, found by the key's number.
//!
//! A record was three `BTreeMap<&str, _>`s; every insert and lookup compared long dotted names
//! with a common prefix (`applications.denied.…`), a tenth of the template's time. A [`Key`]
//! is its slot.
use crate::keys::{Key, COUNT};
use std::fmt;

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

    /// Sets the value of `key`, returning the one it replaces.
    pub fn insert(&mut self, key: Key, value: T) -> Option<T> {
        if self.slots.is_empty() {
            self.slots.resize_with(COUNT, || None);
        }
        let old = self.slots[key.index()].replace(value);
        self.len += old.is_none() as usize;
        old
    }

    /// Takes the value of `key` out.
    pub fn remove(&mut self, key: Key) -> Option<T> {
        let old = self.slots.get_mut(key.index())?.take();
        self.len -= old.is_some() as usize;
        old
    }

    pub fn get(&self, key: Key) -> Option<&T> {
        self.slots.get(key.index())?.as_ref()
    }

    pub fn contains_key(&self, key: Key) -> bool {
        self.get(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Keys with a value and their values, in the order of `keys.tsv`.
    pub fn iter(&self) -> impl Iterator<Item = (Key, &T)> {
        Key::all()
            .zip(&self.slots)
            .filter_map(|(k, v)| Some((k, v.as_ref()?)))
    }

    pub fn keys(&self) -> impl Iterator<Item = Key> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// As [`iter`](Self::iter), in the order of the key names (the order a map of names
    /// would give, which the JSON's provenance object keeps).
    pub fn iter_by_name(&self) -> impl Iterator<Item = (Key, &T)> {
        Key::by_name()
            .iter()
            .filter_map(|&k| Some((k, self.get(k)?)))
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
    fn a_slot_per_key() {
        let mut m = KeyMap::new();
        assert!(m.is_empty() && m.get(Key::APPLICATIONS_NEW_TOTAL).is_none());
        assert_eq!(m.insert(Key::APPLICATIONS_NEW_TOTAL, 5), None);
        assert_eq!(m.insert(Key::ACTIVE_RULES_ISSUED, 1), None);
        assert_eq!(m.insert(Key::APPLICATIONS_NEW_TOTAL, 6), Some(5));
        assert_eq!(m.len(), 2);
        assert_eq!(m.get(Key::APPLICATIONS_NEW_TOTAL), Some(&6));
        assert_eq!(m.get(Key::ACTIVE_RULES_ISSUED), Some(&1));
        assert!(m.get(Key::APPLICATIONS_NEW_ENTERPRISE).is_none());
        // keys.tsv order, and name order.
        assert_eq!(
            m.keys().map(Key::name).collect::<Vec<_>>(),
            ["active.rules.issued", "applications.new.total"]
        );
        let mut other = KeyMap::new();
        other.insert(Key::ACTIVE_RULES_ISSUED, 1);
        assert_ne!(m, other);
        other.insert(Key::APPLICATIONS_NEW_TOTAL, 6);
        assert_eq!(m, other);
        assert_eq!(KeyMap::<i32>::new(), KeyMap::new());
        assert_eq!(
            format!("{m:?}"),
            r#"{"active.rules.issued": 1, "applications.new.total": 6}"#
        );
        let mut all = KeyMap::new();
        for k in Key::all() {
            all.insert(k, k.index());
        }
        let by_name: Vec<&str> = all.iter_by_name().map(|(k, _)| k.name()).collect();
        let mut sorted: Vec<&str> = Key::all().map(Key::name).collect();
        sorted.sort();
        assert_eq!(by_name, sorted);
    }
}
