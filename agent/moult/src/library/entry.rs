//! The entry ABI between the loader (app) and an update library.
//!
//! `#[moult::update_library]` exports
//! `extern "C" fn moult_update_entry(host: *const Runtime, out: *mut EntryOut) -> EntryStatus`,
//! which calls [`run_entry`] — the *library's* copy of it, so the panic it
//! catches is one its own `std` raised, and the updates it wraps get the
//! library's panic boundary.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::Runtime;
use crate::boundary::{Boundary, panic_message};
use crate::update::{Update, UpdateError};

/// Name of the exported entry symbol.
pub const ENTRY_SYMBOL: &[u8] = b"moult_update_entry";

/// What the entry returns in `out`: the updates, or why there are none.
pub type EntryOut = Option<Result<Vec<Box<dyn Update>>, String>>;

/// The user's function marked `#[moult::update_library]`.
pub type GuestEntry = fn() -> Result<Vec<Box<dyn Update>>, UpdateError>;

/// Status code returned across the `extern "C"` boundary.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryStatus {
    /// `out` holds the updates.
    Ok = 0,
    /// `out` holds the error the user's function returned.
    Error = 1,
    /// `out` holds the message of a panic caught inside the library.
    Panicked = 2,
}

/// Signature of the exported entry.
pub type EntryFn = unsafe extern "C" fn(*const Runtime, *mut EntryOut) -> EntryStatus;

/// Body of the exported entry (runs in the library's copy of moult).
///
/// # Safety
/// `host` must point to the app's runtime and `out` to a writable `EntryOut`,
/// both from an app whose fingerprint matches this library's.
pub unsafe fn run_entry(host: *const Runtime, out: *mut EntryOut, user: GuestEntry) -> EntryStatus {
    // SAFETY: per the contract above.
    let host = unsafe { &*host };
    // First of all: from here on this library allocates with the app's allocator.
    super::host_alloc::connect(host.alloc);
    let result = catch_unwind(AssertUnwindSafe(|| {
        if crate::runtime::attach_guest(host) {
            // The library's own `std`: name the thread in its panic messages.
            super::panic_hook::install();
        }
        user()
    }));
    let (status, value) = match result {
        Ok(Ok(updates)) => (
            EntryStatus::Ok,
            Ok(updates.into_iter().map(Boundary::wrap).collect()),
        ),
        Ok(Err(e)) => (EntryStatus::Error, Err(e.to_string())),
        Err(payload) => (EntryStatus::Panicked, Err(panic_message(payload.as_ref()))),
    };
    // SAFETY: per the contract above.
    unsafe { *out = Some(value) };
    status
}
