//! The agent's threads run below the app's: serving a console (a snapshot
//! serialised, events streamed, a library read) is never more urgent than
//! the app's own work, and on a busy machine the kernel should let the
//! app's threads preempt it. Linux keeps a nice value per thread and a new
//! thread inherits its creator's, so lowering the accepting thread lowers
//! every connection thread it starts; the update manager's thread, which
//! holds the app during an update, is started from the app's side at nice
//! 0 beforehand (`agent/mod.rs`), since an unprivileged thread can lower
//! its priority but never raise it again.

/// How far below the app the agent's threads run (nice +10: about a tenth
/// of a nice-0 thread's share of a busy core).
pub(crate) const BELOW_THE_APP: libc::c_int = 10;

/// Lowers the calling thread's priority to [`BELOW_THE_APP`] (no change if
/// it is already that low). A failure leaves it as it was: the agent works
/// the same, only at the app's priority.
pub(crate) fn run_below_the_app() {
    let tid = crate::thread_table::current_tid() as libc::id_t;
    // SAFETY: getpriority/setpriority on this thread's own id; a -1 from
    // getpriority may be a real value, so errno is not needed: any value
    // below the target is raised to it.
    unsafe {
        let now = libc::getpriority(libc::PRIO_PROCESS, tid);
        if now < BELOW_THE_APP {
            libc::setpriority(libc::PRIO_PROCESS, tid, BELOW_THE_APP);
        }
    }
}
