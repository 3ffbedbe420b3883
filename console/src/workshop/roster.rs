//! Who is in the room: each `--target` and the groups of a workshop file
//! (the fleet file's format: `[groups]`, a list of targets per name, so a
//! group of a fleet.toml works too).
//!
//! A learner is a machine (or an account) rather than an app: the form is
//! `ssh://[user@]host[:port]`, and the app Enter attaches to is the one
//! their report says they run. An address with an app (`…/step1-hello`)
//! is taken too; its app is not used.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::live_targets::Member;
use crate::remote::{Endpoint, RemoteOptions, Route};

/// The app part given to a learner's address that has none; never
/// attached to (the report names the app).
const NO_APP: &str = "tutorial";

/// A workshop file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterFile {
    /// Lists of learners by group name.
    groups: BTreeMap<String, Vec<String>>,
}

/// The learners of `targets`, then of `groups` of `file` (every group in
/// name order when none is named), each once, in order; none is an error.
pub fn members(
    targets: &[String],
    file: Option<&Path>,
    groups: &[String],
    runtime_dir: &Path,
    options: &RemoteOptions,
) -> Result<Vec<Member>, String> {
    let mut names: Vec<String> = targets.to_vec();
    if let Some(file) = file {
        names.extend(from_file(file, groups)?);
    }
    let mut seen = Vec::new();
    names.retain(|n| {
        let first = !seen.contains(n);
        seen.push(n.clone());
        first
    });
    if names.is_empty() {
        return Err(
            "no learners: give --target ssh://user@host (repeated) or --workshop FILE".into(),
        );
    }
    names
        .into_iter()
        .map(|name| {
            let endpoint = learner_endpoint(&name)?;
            let route = Route::new(runtime_dir.to_path_buf(), &endpoint, options)?;
            if route.link().is_none() {
                return Err(format!(
                    "{name}: a learner is reached over ssh (ssh://user@host) or --via"
                ));
            }
            Ok(Member { name, route })
        })
        .collect()
}

/// `ssh://alice@pc1` (or with an app) as an endpoint.
pub fn learner_endpoint(name: &str) -> Result<Endpoint, String> {
    match name.strip_prefix("ssh://") {
        Some(rest) if !rest.contains('/') => format!("{name}/{NO_APP}").parse(),
        _ => name.parse(),
    }
}

/// The learners of `groups` in `file`.
fn from_file(file: &Path, groups: &[String]) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read the workshop file {}: {e}", file.display()))?;
    let parsed: RosterFile = toml::from_str(&text).map_err(|e| {
        format!(
            "{} is not a workshop file ([groups] with lists of ssh://user@host): {e}",
            file.display()
        )
    })?;
    let chosen: Vec<&String> = if groups.is_empty() {
        parsed.groups.keys().collect()
    } else {
        groups.iter().collect()
    };
    let mut names = Vec::new();
    for group in chosen {
        let learners = parsed
            .groups
            .get(group)
            .ok_or_else(|| format!("no group {group:?} in {}", file.display()))?;
        names.extend(learners.iter().cloned());
    }
    Ok(names)
}
