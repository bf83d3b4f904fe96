//! A bounded memory of recent answers, so that a duplicate arriving after its
//! first occurrence was answered is not sent again.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Arc;

/// The `capacity` most recently used answers. Least recently used ones are
/// forgotten first, so an address that keeps coming back (the busy client in a
/// web log) stays while one-off addresses pass through.
pub(crate) struct Recent<K, V> {
    capacity: usize,
    /// Each key with its answer and the stamp of its latest use.
    entries: HashMap<K, (Arc<V>, u64)>,
    /// Uses in order, oldest first. A use that a later one superseded stays
    /// until it reaches the front, where its stale stamp gives it away.
    uses: VecDeque<(K, u64)>,
    stamp: u64,
}

impl<K: Clone + Eq + Hash, V> Recent<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Recent {
            capacity,
            entries: HashMap::new(),
            uses: VecDeque::new(),
            stamp: 0,
        }
    }

    pub(crate) fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity;
        self.evict();
    }

    pub(crate) fn get(&mut self, key: &K) -> Option<Arc<V>> {
        let stamp = self.next_stamp();
        let (value, used) = self.entries.get_mut(key)?;
        *used = stamp;
        let value = value.clone();
        self.uses.push_back((key.clone(), stamp));
        self.compact();
        Some(value)
    }

    pub(crate) fn insert(&mut self, key: K, value: Arc<V>) {
        if self.capacity == 0 {
            return;
        }
        let stamp = self.next_stamp();
        self.entries.insert(key.clone(), (value, stamp));
        self.uses.push_back((key, stamp));
        self.evict();
        self.compact();
    }

    fn next_stamp(&mut self) -> u64 {
        self.stamp += 1;
        self.stamp
    }

    fn evict(&mut self) {
        while self.entries.len() > self.capacity {
            let Some((key, stamp)) = self.uses.pop_front() else {
                break;
            };
            if self
                .entries
                .get(&key)
                .is_some_and(|(_, used)| *used == stamp)
            {
                self.entries.remove(&key);
            }
        }
    }

    /// Drops superseded uses once they outnumber the live entries, so the
    /// queue stays within twice the capacity however often keys are reused.
    fn compact(&mut self) {
        if self.uses.len() > 2 * self.capacity.max(16) {
            let entries = &self.entries;
            self.uses
                .retain(|(key, stamp)| entries.get(key).is_some_and(|(_, used)| used == stamp));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Recent;
    use std::sync::Arc;

    #[test]
    fn least_recently_used_is_forgotten_first() {
        let mut recent = Recent::new(2);
        recent.insert("a", Arc::new(1));
        recent.insert("b", Arc::new(2));
        assert_eq!(recent.get(&"a").as_deref(), Some(&1));
        recent.insert("c", Arc::new(3));
        assert_eq!(recent.get(&"b"), None, "b was the least recently used");
        assert_eq!(recent.get(&"a").as_deref(), Some(&1));
        assert_eq!(recent.get(&"c").as_deref(), Some(&3));
    }

    #[test]
    fn stays_bounded_under_repeated_use() {
        let mut recent = Recent::new(3);
        for i in 0..10_000u32 {
            recent.insert(i % 5, Arc::new(i));
            recent.get(&(i % 3));
            assert!(recent.entries.len() <= 3);
            assert!(recent.uses.len() <= 2 * 16 + 1);
        }
    }

    #[test]
    fn zero_capacity_remembers_nothing() {
        let mut recent = Recent::new(0);
        recent.insert("a", Arc::new(1));
        assert_eq!(recent.get(&"a"), None);
    }
}
