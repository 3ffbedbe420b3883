//! Which agents the runtime directory lists: the live processes whose
//! metadata file reads as an [`AgentInfo`].

use std::io;
use std::path::Path;
use std::time::SystemTime;

use moult_protocol::{AgentInfo, discovery};

use crate::contents::{FileKind, scan};
use crate::liveness::process_alive;
use crate::sweep::sweep_with;

/// Live agents in `dir`, sorted by pid, after a [`crate::sweep()`] of the
/// files dead processes left. Metadata that does not parse (a file being
/// replaced, another version's) is skipped. A missing directory lists none.
pub fn list_agents(dir: &Path) -> io::Result<Vec<AgentInfo>> {
    list_agents_with(dir, process_alive)
}

/// [`list_agents`] with the liveness test given (tests decide who is alive).
pub fn list_agents_with(dir: &Path, alive: impl Fn(u32) -> bool) -> io::Result<Vec<AgentInfo>> {
    // Read first, so an unreadable directory is an error, not an empty list.
    scan(dir)?;
    sweep_with(dir, None, &alive, SystemTime::now());
    let mut agents: Vec<AgentInfo> = scan(dir)?
        .into_iter()
        .filter(|f| f.kind == FileKind::Info && alive(f.pid))
        .filter_map(|f| read_info(dir, f.pid))
        .collect();
    agents.sort_by_key(|a| a.pid);
    Ok(agents)
}

/// The metadata of `pid`, if its file exists and parses.
pub fn read_info(dir: &Path, pid: u32) -> Option<AgentInfo> {
    let text = std::fs::read_to_string(discovery::info_path(dir, pid)).ok()?;
    serde_json::from_str(&text).ok()
}
