//! Update libraries: Pymoult's `#parsed` update files, as `cdylib` crates.
//!
//! An update crate (`crate-type = ["cdylib"]`) marks one function with
//! `#[moult::update_library]`; the macro exports
//! - a *fingerprint* in the ELF section [`fingerprint::FINGERPRINT_SECTION`]:
//!   rustc, moult version, target, profile, panic strategy and a layout probe
//!   of the copy of moult the library was built with, and `alloc=host`;
//! - its global allocator, [`host_alloc::HostAlloc`], which forwards to the
//!   app's;
//! - an entry `moult_update_entry`, which hands the library's copy of moult
//!   the app's runtime, runs the function under `catch_unwind`, and returns
//!   the updates (wrapped in the library's own panic boundary) or an error.
//!
//! The loader (`loader.rs`) copies the library to a unique path (the same
//! path could hand back an old image); when the app requires signed updates
//! (`trust_policy.rs`) it checks the copy's bytes against the signature
//! `<library>.minisig` and the trusted keys ([`signature`], `trusted_keys.rs`);
//! it reads the fingerprint from the copy and refuses a mismatch — all before
//! `dlopen` runs any of the library's code. Then it loads the copy, calls the
//! entry, and keeps it loaded for the life of the process.

pub mod entry;
pub mod fingerprint;
pub mod host_alloc;
mod load_error;
mod loaded_library;
mod loader;
mod panic_hook;
pub mod signature;
mod trust_policy;
mod trusted_keys;

pub use load_error::LoadError;
pub use loaded_library::LoadedLibrary;
pub(crate) use loader::prepare_copies_dir;
pub use loader::{Staged, load_update, stage};
pub use trust_policy::require_signed;
pub use trusted_keys::{TRUSTED_KEYS_ENV, TrustError, TrustedKeys};

use std::sync::Mutex;

/// A library loaded into the process (never unloaded: docs/ARCHITECTURE.md, fact 3).
pub(crate) struct Loaded {
    /// What [`crate::Runtime::libraries`] shows of it.
    pub(crate) view: LoadedLibrary,
    /// Keeps the image mapped; never dropped.
    _library: libloading::Library,
}

/// Every library loaded so far.
#[derive(Default)]
pub(crate) struct LibraryRegistry {
    loaded: Mutex<Vec<Loaded>>,
    /// Whether loads need a signature, and by which keys.
    pub(crate) trust: trust_policy::TrustPolicy,
}

impl LibraryRegistry {
    fn keep(&self, loaded: Loaded) -> usize {
        let mut all = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        all.push(loaded);
        all.len()
    }

    /// The libraries loaded so far, in load order.
    pub(crate) fn list(&self) -> Vec<LoadedLibrary> {
        self.loaded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|l| l.view.clone())
            .collect()
    }
}

impl crate::Runtime {
    /// Update libraries loaded so far, in load order: the path given, the
    /// copy loaded, its fingerprint, size and when. A library whose entry
    /// failed is listed too: it stays mapped.
    pub fn libraries(&self) -> Vec<LoadedLibrary> {
        self.libraries.list()
    }
}
