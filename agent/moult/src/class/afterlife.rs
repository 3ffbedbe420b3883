//! Old values outlive the held window: what a committed eager conversion
//! kept for rollback is dropped on a helper thread, not while the app is held.
//!
//! An update commits before it releases its holds (parked threads, closed
//! gates), and dropping a million old values (and the handles that kept their
//! instances) takes longer than converting them. Nothing needs them once the
//! update commits, so they are handed to a `moult-drop` thread and the update
//! goes on to resume the app at once. Their drops are user code (possibly an
//! update library's): they are dropped under this copy's panic catch (the
//! copy that recorded them, as the update's own commit would), and a panic
//! is reported as an error event instead of unwinding anywhere.
//!
//! The handles the conversion kept on its instances are let go at commit,
//! not here: an instance the app dropped meanwhile stops being counted when
//! the update is over, as the console and the tests expect.

use moult_protocol::EventKind;

use crate::boundary::guard;

/// Drops `what` on a helper thread (inline if none can be started), naming
/// `class` in the report of a panicking drop.
pub(crate) fn drop_later<X: Send + 'static>(class: &'static str, what: X) {
    let spawned = std::thread::Builder::new()
        .name("moult-drop".into())
        .spawn(move || drop_reporting(class, what));
    if let Err(e) = spawned {
        // A failed spawn drops the closure, hence `what`, on this thread.
        crate::runtime().events.emit(EventKind::Log {
            level: "warn".into(),
            message: format!(
                "class `{class}`: no thread to drop the old values of a committed conversion \
                 ({e}); they were dropped while the app was held"
            ),
        });
    }
}

/// Drops `what` under this copy's panic catch; a panic becomes an error event.
fn drop_reporting<X>(class: &'static str, what: X) {
    if let Err(message) = guard(move || drop(what)) {
        crate::runtime().events.emit(EventKind::Log {
            level: "error".into(),
            message: format!(
                "class `{class}`: dropping the old values of a committed conversion panicked \
                 ({message})"
            ),
        });
    }
}
