//! # moult — dynamic software updating for Rust
//!
//! The in-process agent a running program links to be changed without being
//! stopped (Pymoult's concepts, in Rust):
//!
//! - **hot functions** ([`hot`](mod@hot), [`HotFn`]): calls go through a slot holding
//!   the current version; an update swaps the slot once the function is
//!   quiescent (no activation running on the threads the update names);
//! - **DSU threads and update points** ([`dsu`], [`update_point!`]): threads
//!   that park at a named point while an update applies, that can be rebooted
//!   onto a new main, or run a closure on the update's behalf;
//! - **tracked classes** ([`class`](mod@class)): instances of a trait-object type whose
//!   live values can be converted, eagerly or lazily, to a new version;
//! - **updates** ([`update`]): Pymoult's whole lifecycle as a trait, run by a
//!   manager thread or polled from the app, with every step on an event stream;
//! - **update libraries** ([`library`]): `cdylib` update crates, fingerprinted,
//!   loaded with `dlopen`, never unloaded.
//! - **the app's telemetry** ([`observe`], features `tracing` and `metrics`):
//!   update events as `tracing` events, moult's figures through `metrics`.
//!
//! Update code compiled into a `cdylib` carries its own copy of this crate
//! (statics are duplicated, docs/ARCHITECTURE.md, fact 1). Every copy reaches the one
//! [`Runtime`] of the app: the app's copy owns it, a library's copy is handed
//! a pointer to it by its entry ([`library`]). Panics are always caught by the
//! copy of `std` that raised them (see [`boundary`]).

pub mod agent;
pub mod boundary;
pub mod class;
mod crossing;
pub mod dsu;
mod error;
mod events;
mod fence;
mod handover;
pub mod hot;
pub mod library;
pub mod observe;
mod progress;
mod runtime;
pub mod task;
mod thread_table;
pub mod update;

pub use error::Error;
pub use events::EventBus;
pub use handover::Handover;
pub use hot::{Func, HotFn};
pub use library::load_update;
pub use moult_macros::{async_version, hot, hot_fn, hot_impl, update_library};
pub use moult_protocol as protocol;
pub use runtime::{Runtime, init, runtime};
pub use update::{
    Alterability, Requirements, ThreadFilter, Update, UpdateContext, UpdateError, UpdateId,
};

/// Re-exports the generated code needs; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::hot::{HotFnEntry, HotFnSource, erase};
    pub use crate::library::entry::{EntryOut, EntryStatus, run_entry};
    pub use crate::library::fingerprint::{
        FINGERPRINT_BYTES, FINGERPRINT_LEN, LIBRARY_FINGERPRINT_BYTES, fingerprint_record,
    };
    pub use crate::library::host_alloc::HostAlloc;
    pub use inventory;
}
