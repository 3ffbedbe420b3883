//! What an update crate must match of the running app's build, read from
//! its snapshot: which moult (and its features), which of the app's crates,
//! and the profile settings its build fingerprint records.

use moult_protocol::Snapshot;

/// The app's build, as far as an update crate must follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppBuild {
    /// Where the update gets moult: the app's own copy.
    pub moult: MoultSource,
    /// moult's features in the app's build: the update's moult has the same.
    pub features: Vec<String>,
    /// The packages whose libraries hold hot functions: the update depends
    /// on them to name those functions and their types.
    pub crates: Vec<AppCrate>,
    /// Binary targets holding hot functions: nothing can depend on them, so
    /// their functions are found by name.
    pub binaries: Vec<String>,
    /// The profile settings the fingerprint compares.
    pub profile: Profile,
    /// The snapshot said nothing of the source (an agent older than these
    /// fields): the scaffold cannot name paths or written types.
    pub without_sources: bool,
}

/// Where moult comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoultSource {
    /// A checkout (the app's build used moult from this directory).
    Path(String),
    /// crates.io, this exact version (the app's build used a published
    /// moult, or its agent did not say where moult came from).
    Version(String),
}

/// One package of the app that an update depends on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AppCrate {
    /// Its Cargo package name (`my-app`).
    pub package: String,
    /// Its directory at the app's build.
    pub manifest_dir: String,
}

/// The app's profile, as its build fingerprint records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The agent's `cargo_profile` (`debug`, `release`): `apply` builds in it.
    pub app_profile: String,
    /// `opt-level` (`0`, `3`, `s`), if the fingerprint says.
    pub opt_level: Option<String>,
    /// `debug-assertions`, if the fingerprint says.
    pub debug_assertions: Option<bool>,
    /// The panic strategy (`unwind`: a DSU thread is rebooted by unwinding).
    pub panic: String,
}

impl Profile {
    /// Cargo's name for the profile `apply` builds in (`dev` for `debug`).
    pub fn cargo_name(&self) -> &str {
        match self.app_profile.as_str() {
            "debug" | "dev" | "" => "dev",
            other => other,
        }
    }

    /// Read from the agent's profile name and build fingerprint
    /// (`…|profile=opt-level=0 debug-assertions=true|panic=unwind|…`).
    fn of(cargo_profile: &str, fingerprint: &str) -> Profile {
        let field = |key: &str| {
            fingerprint
                .split('|')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        };
        let settings = field("profile").unwrap_or_default();
        let setting = |key: &str| {
            settings
                .split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        };
        Profile {
            app_profile: cargo_profile.to_string(),
            opt_level: setting("opt-level"),
            debug_assertions: setting("debug-assertions").and_then(|v| v.parse().ok()),
            panic: field("panic").unwrap_or_else(|| "unwind".into()),
        }
    }
}

impl AppBuild {
    /// The build facts of the app of `snapshot`.
    pub fn of(snapshot: &Snapshot) -> AppBuild {
        let agent = &snapshot.agent;
        let (moult, features) = match &agent.moult_build {
            Some(b) if !is_registry_copy(&b.manifest_dir) => (
                MoultSource::Path(b.manifest_dir.clone()),
                b.features.clone(),
            ),
            Some(b) => (
                MoultSource::Version(agent.moult_version.clone()),
                b.features.clone(),
            ),
            None => (
                MoultSource::Version(agent.moult_version.clone()),
                Vec::new(),
            ),
        };
        let moult_dir = match &moult {
            MoultSource::Path(p) => Some(p.as_str()),
            MoultSource::Version(_) => None,
        };
        let mut crates = Vec::new();
        let mut binaries = Vec::new();
        for source in snapshot.functions.iter().filter_map(|f| f.source.as_ref()) {
            match &source.binary {
                Some(bin) => binaries.push(bin.clone()),
                // moult's own hot functions (its tests, examples) come with moult.
                None if Some(source.manifest_dir.as_str()) == moult_dir => {}
                None => crates.push(AppCrate {
                    package: source.package.clone(),
                    manifest_dir: source.manifest_dir.clone(),
                }),
            }
        }
        crates.sort();
        crates.dedup();
        binaries.sort();
        binaries.dedup();
        AppBuild {
            moult,
            features,
            crates,
            binaries,
            profile: Profile::of(&agent.cargo_profile, &agent.fingerprint),
            without_sources: agent.moult_build.is_none()
                || snapshot.functions.iter().any(|f| f.source.is_none()),
        }
    }
}

/// A package directory inside cargo's registry cache
/// (`~/.cargo/registry/src/<index>/moult-0.1.0`): a published moult,
/// depended on by version rather than by a path into a cache.
fn is_registry_copy(dir: &str) -> bool {
    dir.contains("/registry/src/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_is_read_from_the_fingerprint() {
        let p = Profile::of(
            "release",
            "moult=0.1.0|rustc=1.95.0 (x)|target=x86_64-unknown-linux-gnu|profile=opt-level=3 debug-assertions=false|panic=unwind|layout=1",
        );
        assert_eq!(p.cargo_name(), "release");
        assert_eq!(p.opt_level.as_deref(), Some("3"));
        assert_eq!(p.debug_assertions, Some(false));
        assert_eq!(p.panic, "unwind");
        let debug = Profile::of("debug", "static build");
        assert_eq!(debug.cargo_name(), "dev");
        assert_eq!((debug.opt_level, debug.debug_assertions), (None, None));
    }

    #[test]
    fn a_published_moult_is_a_version_and_a_checkout_a_path() {
        assert!(is_registry_copy(
            "/home/u/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/moult-0.1.0"
        ));
        assert!(!is_registry_copy("/home/u/src/moult/agent/moult"));
    }
}
