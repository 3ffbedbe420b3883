//! Putting converted instances back (rollback of an eager conversion) without
//! waiting forever for their locks.
//!
//! A rollback runs before the update releases its holds (closed gates, parked
//! threads), so a thread that took a guard on a converted instance and then
//! stopped at one of them would block a rollback that waited for that lock,
//! and be blocked by it. The rollback therefore waits a bounded time for the
//! locks; instances still held then are handed to a helper thread that puts
//! them back as soon as their holders let go (after the holds are released).
//! Until then they keep their new value, and are counted in their new
//! version: a valid state, nothing lost. The instances are pinned pointers
//! (`pin.rs`): the conversion's pin goes with them to the helper thread,
//! and is let go when the last of them is back.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use moult_protocol::EventKind;

use super::pin::{PinGuard, Pinned};
use super::record::ClassState;

/// How long the helper thread's write claim lasts before it is withdrawn
/// and made again.
const RETRY: Duration = Duration::from_millis(100);

/// A converted instance: where it is (pinned), its old value, its old version.
pub(crate) type Converted<T> = (Pinned<T>, Box<T>, u32);

/// What a rollback did with the instances it had to put back.
pub(crate) struct Restored {
    /// Put back now.
    pub(crate) now: usize,
    /// Still locked: a helper thread puts them back when they are released.
    pub(crate) later: usize,
}

impl Restored {
    /// "n instances back" plus, if any, what is left to the helper.
    pub(crate) fn describe(&self, what: &str) -> String {
        if self.later == 0 {
            format!("{} {what}", self.now)
        } else {
            format!(
                "{} {what}, {} more as soon as the threads holding them release them",
                self.now, self.later
            )
        }
    }
}

/// Puts old values back into the instances of `entries` still in `target`,
/// newest first, waiting at most `wait` in all for their locks; `pin` is
/// the one `entries` were taken under.
pub(crate) fn restore<T: ?Sized + Send + Sync + 'static>(
    state: &'static ClassState<T>,
    entries: Vec<Converted<T>>,
    target: u32,
    wait: Duration,
    pin: PinGuard<T>,
) -> Restored {
    let deadline = Instant::now() + wait;
    let mut now = 0;
    let mut left = Vec::new();
    for (inst, old, from) in entries.into_iter().rev() {
        let Some(mut value) = inst.write_until(deadline) else {
            left.push((inst, old, from));
            continue;
        };
        if inst.version.load(Ordering::Acquire) == target {
            let newer = std::mem::replace(&mut *value, old);
            state.set_version(&inst, from, &**value);
            drop(value);
            drop(newer);
            now += 1;
        }
    }
    let later = left.len();
    if later > 0 {
        restore_later(state, left, target, pin);
    }
    Restored { now, later }
}

/// Restores `left` (newest first) on a helper thread, waiting as long as it
/// takes for each lock.
fn restore_later<T: ?Sized + Send + Sync + 'static>(
    state: &'static ClassState<T>,
    left: Vec<Converted<T>>,
    target: u32,
    pin: PinGuard<T>,
) {
    let spawned = std::thread::Builder::new()
        .name("moult-restore".into())
        .spawn(move || {
            let _pin = pin; // until the last instance is back (see module docs)
            let total = left.len();
            let mut back = 0;
            for (inst, old, from) in left {
                // Bounded waits, retried: a claim left waiting would hold
                // back a holder re-reading the instance (see `lock.rs`).
                let mut value = loop {
                    if let Some(v) = inst.write_until(Instant::now() + RETRY) {
                        break v;
                    }
                };
                if inst.version.load(Ordering::Acquire) == target {
                    let newer = std::mem::replace(&mut *value, old);
                    state.set_version(&inst, from, &**value);
                    drop(value);
                    drop(newer);
                    back += 1;
                }
            }
            crate::runtime().events.emit(EventKind::Log {
                level: "info".into(),
                message: format!(
                    "class `{}`: the {total} instances a rollback found locked are released; \
                     {back} of them back from version {target}",
                    state.name
                ),
            });
        });
    if let Err(e) = spawned {
        crate::runtime().events.emit(EventKind::Log {
            level: "error".into(),
            message: format!(
                "class `{}`: could not start the thread that restores instances a rollback found \
                 locked ({e}); they stay in version {target}",
                state.name
            ),
        });
    }
}
