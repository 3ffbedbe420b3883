//! The panic message of an update library's code names the thread it ran on.
//!
//! An update library links its own copy of `std`, which never saw the app's
//! threads being named: its default hook prints `thread '<unnamed>'` for
//! every panic the library's code raises (an `apply` hook, a transformer, a
//! new function version called on an app thread). The library's copy of
//! moult installs this hook in the library's `std` when the entry runs. It
//! asks the OS for the thread's name (the app's `std` set it when it named
//! the thread) and otherwise prints what the default hook prints. The app's
//! own hook is untouched: it lives in the app's copy of `std`.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::io::Write;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::boundary::panic_message;

/// Installs the hook in this copy of `std`, once.
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(hook)));
}

fn hook(info: &std::panic::PanicHookInfo<'_>) {
    /// The default hook's hint is printed once per process; here once per library copy.
    static HINTED: AtomicBool = AtomicBool::new(false);
    let location = info
        .location()
        .map_or_else(|| "an unknown location".to_string(), |l| l.to_string());
    let message = panic_message(info.payload());
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() };
    let backtrace = Backtrace::capture();
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "\nthread '{}' ({tid}) panicked at {location}:\n{message}",
        os_thread_name()
    );
    if backtrace.status() == BacktraceStatus::Captured {
        let _ = writeln!(err, "stack backtrace:\n{backtrace}");
    } else if !HINTED.swap(true, Ordering::Relaxed) {
        let _ = writeln!(
            err,
            "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
        );
    }
}

/// The calling thread's name as the OS knows it (at most 15 bytes on
/// Linux), or `<unnamed>` as the default hook says.
fn os_thread_name() -> String {
    crate::thread_table::os_thread_name().unwrap_or_else(|| "<unnamed>".into())
}
