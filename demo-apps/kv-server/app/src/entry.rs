//! The keyspace's values: instances of the tracked class [`ENTRY`], so an
//! update can give every stored value a new format — converting them all at
//! once or each on its next access — while clients keep reading and writing.

use std::any::Any;

use moult::class::Tracked;

/// What every version of a stored entry offers the server: its bytes.
/// `Any` lets update code tell versions apart (`downcast_ref`).
pub trait EntryApi: Any + Send + Sync {
    /// The value a client stored with SET.
    fn value(&self) -> &[u8];
}

/// Version 0 of an entry: the bytes, nothing else.
pub struct Entry {
    /// The stored value.
    pub value: Vec<u8>,
}

impl EntryApi for Entry {
    fn value(&self) -> &[u8] {
        &self.value
    }
}

moult::class!(
    /// The tracked class of stored values; its constructor of record takes
    /// the bytes to store (SET builds every value with it).
    pub static ENTRY: dyn EntryApi, Vec<u8> = "Entry" as Entry, |value| Box::new(Entry { value })
);

/// A stored value: a tracked entry, of whatever version.
pub type Value = Tracked<dyn EntryApi>;
