//! Which targets a fleet command acts on: each `--target`, then the groups
//! of the fleet file (`[groups]`, a list of targets per name).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use moult_console::remote::{Endpoint, Route};
use serde::Deserialize;

use crate::cli::FleetTargets;

/// A fleet file: `[groups]` maps a name to its targets.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetFile {
    groups: BTreeMap<String, Vec<String>>,
}

/// One target of a fleet: as the operator wrote it, and the way to it.
pub struct Member {
    /// The target, for people (`app `api` on ops@web1`, `pid 4242`).
    pub name: String,
    /// The way to its agent.
    pub route: Route,
    /// The group of the fleet file that names it first; `None` for a
    /// `--target` (`fleet list` shows the targets by group).
    pub group: Option<String>,
}

/// The targets `args` names, in order (a target named twice counts once);
/// agents on this machine are in `dir`. None is an error.
pub fn members(args: &FleetTargets, dir: &Path) -> anyhow::Result<Vec<Member>> {
    let mut endpoints: Vec<(Option<String>, Endpoint)> =
        args.targets.iter().map(|e| (None, e.clone())).collect();
    if let Some(file) = &args.fleet {
        endpoints.extend(
            from_file(file, &args.group)?
                .into_iter()
                .map(|(group, e)| (Some(group), e)),
        );
    }
    let mut seen = Vec::new();
    endpoints.retain(|(_, e)| {
        let first = !seen.contains(e);
        seen.push(e.clone());
        first
    });
    anyhow::ensure!(
        !endpoints.is_empty(),
        "no targets: give --target (repeated) or --fleet FILE"
    );
    endpoints
        .into_iter()
        .map(|(group, endpoint)| {
            let route = Route::new(dir.to_path_buf(), &endpoint, &args.remote.options())
                .map_err(anyhow::Error::msg)?;
            Ok(Member {
                name: endpoint.to_string(),
                route,
                group,
            })
        })
        .collect()
}

/// The targets of `groups` (all of them, in name order, when empty) in
/// `file`, each with its group's name.
fn from_file(file: &Path, groups: &[String]) -> anyhow::Result<Vec<(String, Endpoint)>> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the fleet file {}", file.display()))?;
    let parsed: FleetFile =
        toml::from_str(&text).with_context(|| format!("{} is not a fleet file", file.display()))?;
    let chosen: Vec<&String> = if groups.is_empty() {
        parsed.groups.keys().collect()
    } else {
        groups.iter().collect()
    };
    let mut endpoints = Vec::new();
    for name in chosen {
        let targets = parsed
            .groups
            .get(name)
            .with_context(|| format!("no group {name:?} in {}", file.display()))?;
        for target in targets {
            endpoints.push((
                name.clone(),
                target
                    .parse()
                    .map_err(|e| anyhow::anyhow!("group {name:?}: {target:?}: {e}"))?,
            ));
        }
    }
    Ok(endpoints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fleet_file_names_groups_of_targets() {
        let parsed: FleetFile = toml::from_str(
            "[groups]\nweb = [\"ssh://ops@web1/api\", \"ssh://web2:2222/api\"]\ndb = [\"4242\"]\n",
        )
        .unwrap();
        assert_eq!(parsed.groups["web"].len(), 2);
        assert_eq!(parsed.groups["db"], ["4242"]);
        assert!(toml::from_str::<FleetFile>("[hosts]\nweb = []\n").is_err());
    }
}
