//! What to say when a conversion cannot take an instance's lock in time.
//!
//! A value's lock is one word: it counts readers but does not know which
//! threads they are (recording them would cost every access). What moult does
//! know is which threads an update holds still: DSU threads parked at an
//! update point. A thread that holds a guard while parked is the classic way
//! to block a conversion (the update waits for the lock, the thread waits for
//! the update), so those threads are named as the probable holders; a thread
//! blocked elsewhere (at a closed entry gate, say) cannot be named.

use std::time::Duration;

use moult_protocol::{Blocker, ThreadState};

use super::inst::Inst;
use super::lock::Holders;

/// Why an instance's lock was not taken: for the alterability event and the
/// conversion's error.
pub(crate) struct LockBlocked {
    /// Names the instance, the lock's state and the probable holder.
    pub(crate) message: String,
    /// The same, in the shape alterability events report.
    pub(crate) blocker: Blocker,
}

/// Describes instance `k` (0-based) of `total` of class `class`, whose lock
/// stayed held for `wait`.
pub(crate) fn lock_blocked<T: ?Sized>(
    class: &str,
    inst: &Inst<T>,
    k: usize,
    total: usize,
    wait: Duration,
) -> LockBlocked {
    let version = inst.version.load(std::sync::atomic::Ordering::Acquire);
    let (held, readers) = match inst.value.holders() {
        Holders::Writer => ("write-locked".to_string(), 0),
        Holders::Readers(0) => ("locked by others in turn".to_string(), 0),
        Holders::Readers(1) => ("read-locked by 1 reader".to_string(), 1),
        Holders::Readers(n) => (format!("read-locked by {n} readers"), n),
    };
    let parked: Vec<(String, String)> = crate::runtime()
        .threads()
        .into_iter()
        .filter_map(|t| match t.state {
            ThreadState::Parked(point) => Some((t.name, point)),
            _ => None,
        })
        .collect();
    let holder = if parked.is_empty() {
        "by a thread moult cannot name (no thread is parked; a thread waiting at a closed \
         entry gate, or busy, while it holds a guard on the instance)"
            .to_string()
    } else {
        let who: Vec<String> = parked
            .iter()
            .map(|(name, point)| format!("DSU thread `{name}` (parked at update point `{point}`)"))
            .collect();
        format!(
            "probably by {} (a thread held still while it holds a guard on the instance)",
            who.join(" or ")
        )
    };
    let message = format!(
        "instance {} of {total} of class `{class}` (version {version}) stayed {held} for {wait:?}, \
         {holder}",
        k + 1
    );
    LockBlocked {
        blocker: Blocker {
            thread: if parked.is_empty() {
                "unknown".into()
            } else {
                let names: Vec<&str> = parked.iter().map(|(name, _)| name.as_str()).collect();
                names.join(", ")
            },
            function: None,
            depth: readers,
            detail: message.clone(),
        },
        message,
    }
}
