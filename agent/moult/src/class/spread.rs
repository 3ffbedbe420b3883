//! Starting an eager conversion's helper threads on CPUs of their own.
//!
//! A helper is spawned by the thread it is to work beside (the updater's,
//! for the pass; the walking one, for the snapshot), and Linux often starts
//! it on that thread's CPU, the other CPUs idle, and leaves it there for
//! several milliseconds: the two then take turns on one CPU for much of a
//! pass that lasts tens of milliseconds. Measured on a 2-CPU machine
//! converting 1 000 000 instances twenty times: in the slow rounds both
//! workers started on the same CPU and each got about half of it (10–13 ms
//! of CPU time in 19–27 ms), while in the rounds they started apart each
//! converted its half in 12 ms (BENCHMARKS.md, "conversion").
//!
//! So a helper first moves itself: to the `n`-th CPU after its spawner's
//! among those it may run on (the `n`-th helper), by narrowing its affinity
//! to that CPU, which the kernel obeys before the call returns; then it
//! gives its whole affinity back, so that from there on the scheduler moves
//! it as it likes. And its spawner yields once it has spawned its helpers
//! ([`let_helpers_start`]), so that a helper queued on its CPU runs and
//! moves at once instead of after the spawner's time slice. Nothing is
//! done where the thread may run on one CPU only, or where the calls are
//! not available (other systems, Miri).

/// Spawns `f` in `scope` as the `nth` helper (1, 2, …) of the calling
/// thread, which runs on CPU `spawner` ([`current_cpu`], read once for
/// all its helpers): a `moult-convert` thread that first moves itself
/// apart ([`start_apart`]). Call [`let_helpers_start`] once all are spawned.
pub(crate) fn spawn_helper<'scope, R: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    spawner: Option<usize>,
    nth: usize,
    f: impl FnOnce() -> R + Send + 'scope,
) -> std::io::Result<std::thread::ScopedJoinHandle<'scope, R>> {
    std::thread::Builder::new()
        .name("moult-convert".into())
        .spawn_scoped(scope, move || {
            start_apart(spawner, nth);
            f()
        })
}

/// Lets the helpers just spawned by the calling thread start now: call
/// it once they are all spawned.
///
/// A new thread queued on its spawner's CPU waits for the spawner's time
/// slice to end before it can run and move itself (`start_apart`): in a
/// 2-thread snapshot walk of 1 000 000 instances the helper started 1–1.6 ms
/// after it was spawned, while the walk on each thread takes about 1.3 ms.
/// Yielding the CPU once lets it run at once (it started after 0.2–0.35 ms);
/// where it was placed elsewhere, or nothing else waits for this CPU, the
/// call returns at once.
pub(crate) fn let_helpers_start() {
    std::thread::yield_now();
}

/// The CPU the calling thread runs on (for its helpers to start apart
/// from it); `None` where that is not known.
pub(crate) fn current_cpu() -> Option<usize> {
    imp::current_cpu()
}

/// Moves the calling thread, its spawner's `nth` helper (1, 2, …), to the
/// `nth` CPU after `spawner`'s among those it may run on, then lets it run
/// on all of them again. Returns the CPU it ran on once moved, if it was.
fn start_apart(spawner: Option<usize>, nth: usize) -> Option<usize> {
    imp::start_apart(spawner?, nth)
}

#[cfg(all(target_os = "linux", not(miri)))]
mod imp {
    use std::mem::{size_of, zeroed};

    pub(super) fn current_cpu() -> Option<usize> {
        // SAFETY: no arguments; returns -1 on failure.
        let cpu = unsafe { libc::sched_getcpu() };
        usize::try_from(cpu).ok()
    }

    pub(super) fn start_apart(spawner: usize, nth: usize) -> Option<usize> {
        // SAFETY: `cpu_set_t` is plain bits (all zero: the empty set); the
        // calls write at most `size_of::<cpu_set_t>()` bytes into it, and
        // pid 0 is the calling thread.
        unsafe {
            let mut allowed: libc::cpu_set_t = zeroed();
            if libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut allowed) != 0 {
                return None; // e.g. more CPUs than a `cpu_set_t` holds
            }
            let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| libc::CPU_ISSET(c, &allowed))
                .collect();
            if cpus.len() < 2 {
                return None;
            }
            // The spawner's place among the allowed CPUs (the first if it
            // runs on one the helper may not).
            let from = cpus.iter().position(|&c| c == spawner).unwrap_or(0);
            let target = cpus[(from + nth) % cpus.len()];
            let mut one: libc::cpu_set_t = zeroed();
            libc::CPU_SET(target, &mut one);
            if libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &one) != 0 {
                return None;
            }
            let moved = current_cpu();
            // Give the whole set back: the thread stays where it is until
            // the scheduler has a reason to move it.
            libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &allowed);
            moved
        }
    }
}

#[cfg(not(all(target_os = "linux", not(miri))))]
mod imp {
    pub(super) fn current_cpu() -> Option<usize> {
        None
    }

    pub(super) fn start_apart(_spawner: usize, _nth: usize) -> Option<usize> {
        None
    }
}

#[cfg(all(test, target_os = "linux", not(miri)))]
mod tests {
    use std::mem::{size_of, zeroed};

    /// The calling thread's affinity, as a list of CPUs.
    fn affinity() -> Vec<usize> {
        // SAFETY: as in `start_apart`.
        unsafe {
            let mut set: libc::cpu_set_t = zeroed();
            assert_eq!(
                libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set),
                0
            );
            (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| libc::CPU_ISSET(c, &set))
                .collect()
        }
    }

    /// A helper lands on a CPU other than its spawner's (the next allowed
    /// one), and keeps the whole affinity it had; where only one CPU is
    /// allowed, nothing moves.
    #[test]
    fn a_helper_starts_on_another_cpu_and_keeps_its_affinity() {
        let spawner = super::current_cpu().expect("sched_getcpu works on Linux");
        let before = affinity();
        let (moved, after) = std::thread::spawn(move || {
            let moved = super::start_apart(Some(spawner), 1);
            (moved, affinity())
        })
        .join()
        .expect("no panic");
        assert_eq!(after, before, "the whole affinity given back");
        if before.len() < 2 {
            assert_eq!(moved, None, "one CPU: nowhere to go");
            return;
        }
        let at = before.iter().position(|&c| c == spawner).unwrap_or(0);
        assert_eq!(moved, Some(before[(at + 1) % before.len()]));
        assert_ne!(moved, Some(spawner));
    }

    /// A helper runs its work on a thread of its own, named as the
    /// conversion's threads are (what a debugger or `top -H` shows).
    #[test]
    fn a_helper_runs_its_work_on_a_named_thread() {
        let spawner = super::current_cpu();
        let here = std::thread::current().id();
        let (name, id) = std::thread::scope(|scope| {
            super::spawn_helper(scope, spawner, 1, || {
                let me = std::thread::current();
                (me.name().map(String::from), me.id())
            })
            .expect("spawn")
            .join()
            .expect("no panic")
        });
        assert_eq!(name.as_deref(), Some("moult-convert"));
        assert_ne!(id, here);
    }

    /// The `n`-th helper goes `n` CPUs on, wrapping around the allowed set.
    #[test]
    fn helpers_take_the_cpus_after_the_spawners_in_turn() {
        let cpus = affinity();
        if cpus.len() < 2 {
            return;
        }
        let spawner = cpus[0];
        for nth in 1..=cpus.len() + 1 {
            let moved = std::thread::spawn(move || super::start_apart(Some(spawner), nth))
                .join()
                .expect("no panic");
            assert_eq!(moved, Some(cpus[nth % cpus.len()]), "helper {nth}");
        }
    }
}
