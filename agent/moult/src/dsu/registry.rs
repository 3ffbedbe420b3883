//! The runtime's registry of DSU threads, by name and by OS tid.

use std::sync::{Arc, Mutex, MutexGuard};

use moult_protocol::{ThreadInfo, ThreadState};

use super::record::ThreadRecord;
use crate::update::ThreadFilter;
use crate::{Error, Runtime};

/// Every DSU thread of the process (lives in the [`Runtime`], shared by every
/// copy of moult).
#[derive(Default)]
pub(crate) struct ThreadRegistry {
    /// Live and finished threads, in spawn order.
    records: Mutex<Vec<Arc<ThreadRecord>>>,
    /// Records replaced by a respawn under the same name: kept alive because
    /// thread-local caches of exited threads may still point at them.
    retired: Mutex<Vec<Arc<ThreadRecord>>>,
}

impl ThreadRegistry {
    fn lock(&self) -> MutexGuard<'_, Vec<Arc<ThreadRecord>>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `record`; a name is taken unless its thread has finished (then
    /// the old record is retired and the name reused).
    pub(crate) fn insert(&self, record: Arc<ThreadRecord>) -> Result<(), Error> {
        let mut records = self.lock();
        if let Some(i) = records.iter().position(|r| r.name == record.name) {
            if records[i].lock().state != ThreadState::Finished {
                return Err(Error::DuplicateThread(record.name.clone()));
            }
            let old = std::mem::replace(&mut records[i], record);
            self.retired
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(old);
        } else {
            records.push(record);
        }
        Ok(())
    }

    /// The thread named `name`.
    pub(crate) fn get(&self, name: &str) -> Result<Arc<ThreadRecord>, Error> {
        let records = self.lock();
        records
            .iter()
            .find(|r| r.name == name)
            .cloned()
            .ok_or_else(|| Error::UnknownThread {
                name: name.to_string(),
                known: Self::known(&records),
            })
    }

    /// The threads `filter` selects; every name of a `Named` filter must exist.
    pub(crate) fn select(&self, filter: &ThreadFilter) -> Result<Vec<Arc<ThreadRecord>>, Error> {
        let records = self.lock();
        match filter {
            ThreadFilter::All => Ok(records.clone()),
            ThreadFilter::Named(names) => names
                .iter()
                .map(|n| {
                    records
                        .iter()
                        .find(|r| &r.name == n)
                        .cloned()
                        .ok_or_else(|| Error::UnknownThread {
                            name: n.clone(),
                            known: Self::known(&records),
                        })
                })
                .collect(),
        }
    }

    /// Every record (a snapshot for scanning).
    pub(crate) fn all(&self) -> Vec<Arc<ThreadRecord>> {
        self.lock().clone()
    }

    /// The record an OS thread runs now, by OS tid.
    pub(crate) fn by_tid(&self, tid: i32) -> Option<Arc<ThreadRecord>> {
        self.lock()
            .iter()
            .find(|r| r.tid.load(std::sync::atomic::Ordering::Acquire) == tid)
            .cloned()
    }

    fn known(records: &[Arc<ThreadRecord>]) -> String {
        if records.is_empty() {
            return "no DSU threads".into();
        }
        records
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Runtime {
    /// Snapshot of every DSU thread: state, last update point, main version, reboots.
    pub fn threads(&self) -> Vec<ThreadInfo> {
        self.threads.all().iter().map(|r| r.info()).collect()
    }
}
