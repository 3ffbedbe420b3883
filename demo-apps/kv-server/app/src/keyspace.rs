//! The keyspace: keys to values (tracked [`ENTRY`] instances) with an
//! optional expiry, split into shards behind their own locks so that
//! connections on different worker threads rarely wait for each other.
//!
//! Expired keys vanish in two ways, as in Redis: an access finds the key
//! expired and removes it, and a purge task ([`Keyspace::purge_expired`])
//! removes those nobody asks for.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::entry::{ENTRY, Value};

/// How many shards the keyspace has.
const SHARDS: usize = 16;

/// One key's value and expiry.
pub struct Item {
    /// The stored value.
    pub value: Value,
    /// When the key expires, if it does.
    pub expires_at: Option<Instant>,
}

impl Item {
    /// A value built by the current constructor of record, without expiry.
    pub fn new(bytes: Vec<u8>) -> Item {
        Item {
            value: ENTRY.create(bytes),
            expires_at: None,
        }
    }

    /// `true` once its expiry is not after `now`.
    pub fn expired(&self, now: Instant) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }

    /// Time left before expiry: `None` without one (zero once expired).
    pub fn time_left(&self, now: Instant) -> Option<Duration> {
        self.expires_at.map(|at| at.saturating_duration_since(now))
    }
}

type Shard = HashMap<Vec<u8>, Item>;

/// All keys of the server (one database).
pub struct Keyspace {
    shards: Box<[Mutex<Shard>]>,
}

impl Default for Keyspace {
    fn default() -> Self {
        Keyspace::new()
    }
}

/// FNV-1a: which shard holds a key.
fn shard_of(key: &[u8]) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h % SHARDS as u64) as usize
}

impl Keyspace {
    /// An empty keyspace.
    pub fn new() -> Keyspace {
        Keyspace {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }

    fn lock(&self, index: usize) -> MutexGuard<'_, Shard> {
        // A handler that panicked left the map consistent (each change is one call).
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The live value of `key`, if any (an expired key is removed).
    pub fn get(&self, key: &[u8]) -> Option<Value> {
        let mut shard = self.lock(shard_of(key));
        let item = shard.get(key)?;
        if item.expired(Instant::now()) {
            shard.remove(key);
            return None;
        }
        Some(item.value.clone())
    }

    /// Runs `change` on `key`'s live item (`None` if absent or expired),
    /// under its shard's lock: what `change` leaves in the slot is stored
    /// (`None` deletes the key). Keep `change` short and never wait for an
    /// update inside it (no hot call): other keys of the shard wait.
    pub fn update<R>(&self, key: &[u8], change: impl FnOnce(&mut Option<Item>) -> R) -> R {
        let mut shard = self.lock(shard_of(key));
        let now = Instant::now();
        let (owned_key, mut slot) = match shard.remove_entry(key) {
            Some((k, item)) if !item.expired(now) => (k, Some(item)),
            _ => (key.to_vec(), None),
        };
        let result = change(&mut slot);
        if let Some(item) = slot {
            shard.insert(owned_key, item);
        }
        result
    }

    /// Stores `bytes` under `key` without expiry, replacing any value.
    pub fn set(&self, key: &[u8], bytes: Vec<u8>) {
        let item = Item::new(bytes);
        self.lock(shard_of(key)).insert(key.to_vec(), item);
    }

    /// Deletes `key`; `true` if it was live.
    pub fn remove(&self, key: &[u8]) -> bool {
        let removed = self.lock(shard_of(key)).remove(key);
        removed.is_some_and(|item| !item.expired(Instant::now()))
    }

    /// `true` if `key` is live.
    pub fn contains(&self, key: &[u8]) -> bool {
        self.update(key, |slot| slot.is_some())
    }

    /// Number of keys (expired ones not yet purged included, as Redis counts).
    pub fn len(&self) -> usize {
        (0..SHARDS).map(|i| self.lock(i).len()).sum()
    }

    /// `true` without any key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Deletes every key.
    pub fn clear(&self) {
        for i in 0..SHARDS {
            // Dropped after the lock is released: the values are freed outside it.
            let old = std::mem::take(&mut *self.lock(i));
            drop(old);
        }
    }

    /// Removes the keys expired at `now`; how many.
    pub fn purge_expired(&self, now: Instant) -> usize {
        let mut purged = 0;
        for i in 0..SHARDS {
            let mut shard = self.lock(i);
            let before = shard.len();
            shard.retain(|_, item| !item.expired(now));
            purged += before - shard.len();
        }
        purged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_remove() {
        let db = Keyspace::new();
        db.set(b"k", b"v".to_vec());
        assert_eq!(db.get(b"k").unwrap().read().value(), b"v");
        assert!(db.contains(b"k"));
        assert_eq!(db.len(), 1);
        assert!(db.remove(b"k"));
        assert!(!db.remove(b"k"));
        assert!(db.get(b"k").is_none());
    }

    #[test]
    fn expired_keys_are_gone_and_purged() {
        let db = Keyspace::new();
        db.set(b"a", b"1".to_vec());
        db.set(b"b", b"2".to_vec());
        let past = Instant::now();
        for key in [&b"a"[..], b"b"] {
            db.update(key, |slot| slot.as_mut().unwrap().expires_at = Some(past));
        }
        assert!(db.get(b"a").is_none());
        assert_eq!(db.len(), 1, "the access removed a");
        assert_eq!(db.purge_expired(Instant::now()), 1);
        assert!(db.is_empty());
    }
}
