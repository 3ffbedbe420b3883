//! An update crate written from a running app's snapshot (`moult-console
//! new`): a `Cargo.toml` that builds a library the app's loader accepts
//! (the app's moult and crates by the paths of its build, its profile's
//! fingerprinted settings) and a `lib.rs` whose entry applies nothing yet
//! but whose comments list what the app has: hot functions with their exact
//! fn types, classes and their versions, DSU threads and their update
//! points, task groups. Pure text from a [`Snapshot`]; the command writes it.

mod app_build;
mod entry;
mod manifest;

pub use app_build::{AppBuild, AppCrate, MoultSource, Profile};

use moult_protocol::Snapshot;

/// The files of a scaffolded update crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scaffold {
    /// `Cargo.toml`.
    pub manifest: String,
    /// `src/lib.rs`.
    pub lib_rs: String,
    /// What the files were written from (where the lock file is looked for).
    pub build: AppBuild,
}

/// Where the update crate is built: beside the app's crates in their
/// workspace, or on its own.
///
/// Cargo gives a path dependency a different hash (so different types)
/// depending on where it lies from the workspace root building it: only a
/// member of the app's workspace builds the app's crates as the app's build
/// did. A crate on its own can replace functions whose types are all from
/// `std` or from published crates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Membership {
    /// A member of the workspace rooted at this directory (the app's).
    Member(String),
    /// Its own workspace, with the app's profile settings.
    Standalone,
}

/// The update crate named `package` for the app of `snapshot`; `target` is
/// how the user named the app (shown in the `apply` command the comments
/// suggest).
pub fn scaffold(
    snapshot: &Snapshot,
    package: &str,
    target: &str,
    membership: &Membership,
) -> Scaffold {
    let build = AppBuild::of(snapshot);
    Scaffold {
        manifest: manifest::render(&build, snapshot, package, membership),
        lib_rs: entry::render(&build, snapshot, target),
        build,
    }
}

/// A Cargo package name made from a directory's name: letters, digits, `-`
/// and `_` kept, anything else made `-`, and never starting with a digit
/// (cargo refuses such names).
pub fn package_name(dir_name: &str) -> String {
    let name: String = dir_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches('-').to_string();
    match name.chars().next() {
        None => "update".into(),
        Some(c) if c.is_ascii_digit() => format!("update-{name}"),
        Some(_) => name,
    }
}

#[cfg(test)]
mod tests;
