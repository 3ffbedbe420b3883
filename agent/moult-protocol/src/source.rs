//! Where the app's code comes from, as its build saw it: a hot function's
//! signature as written and the package defining it, and the copy of moult
//! the app links. An update crate scaffolded from the live app
//! (`moult-console new`) is written from these, so its author never guesses
//! a signature or a path.

use serde::{Deserialize, Serialize};

/// A hot function as its source declares it, captured when the app was
/// compiled (`#[moult::hot]` expands in the app's crate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FnSource {
    /// The slot's fn-pointer type, written with the source's own paths
    /// (`fn(&str) -> String`; a method's receiver first, `Self` replaced;
    /// an `async fn`'s boxed-future type): the type a new version is cast
    /// to. `FunctionInfo::signature` is the same type with every path
    /// resolved, which no one can paste.
    pub fn_type: String,
    /// The declaration as written (`async fn lookup(store: &Store, key: &str)
    /// -> String`, `fn display(&self) -> String`): the shape of a new version.
    pub declared: String,
    /// The Cargo package defining it (`CARGO_PKG_NAME` at the app's build):
    /// the dependency an update crate names it through.
    pub package: String,
    /// That package's directory at the app's build (`CARGO_MANIFEST_DIR`):
    /// the path an update crate depends on it by.
    pub manifest_dir: String,
    /// The binary target it was compiled into, if it is in one (its
    /// `main.rs` tree) rather than in the package's library: no crate can
    /// depend on a binary, so an update finds it by name (`Func::by_name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary: Option<String>,
}

/// The copy of moult the app was built with: an update library must be
/// built from the same one, with the same features (its fingerprint and the
/// types it shares with the app depend on it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MoultBuild {
    /// moult's package directory at the app's build (`CARGO_MANIFEST_DIR`):
    /// a path in a checkout, or in cargo's registry cache for a published one.
    pub manifest_dir: String,
    /// moult's features enabled in the app's build (`tokio`, ...), as cargo
    /// named them to moult's build script (lower case, `_` for `-`).
    pub features: Vec<String>,
}
