//! Which agent a command talks to: discovery of the agents in the per-user
//! runtime directory, removal of files left by dead processes, and
//! resolution of a `<target>` (a pid or an app name) to a socket.
//!
//! Every function takes the directory as a parameter so tests run on their
//! own temporary directory without touching process-global environment.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use moult_protocol::AgentInfo;
use moult_protocol::discovery;

/// The runtime directory of the current user (`$MOULT_RUNTIME_DIR`,
/// `$XDG_RUNTIME_DIR/moult` or `/tmp/moult-<uid>`).
pub fn runtime_dir() -> PathBuf {
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    discovery::runtime_dir(uid)
}

/// What the user named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A process id.
    Pid(u32),
    /// An app name, as the app passed it to `moult::agent::start`.
    App(String),
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Target, String> {
        if s.is_empty() {
            return Err("a target is a pid or an app name, not empty".into());
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            return s
                .parse()
                .map(Target::Pid)
                .map_err(|_| format!("`{s}` is not a valid pid"));
        }
        Ok(Target::App(s.to_string()))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Pid(pid) => write!(f, "pid {pid}"),
            Target::App(app) => write!(f, "app `{app}`"),
        }
    }
}

/// An agent a target resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Its process.
    pub pid: u32,
    /// Its socket, to connect to.
    pub socket: PathBuf,
    /// Its metadata file's content, when the file was readable.
    pub info: Option<AgentInfo>,
}

/// Why a target does not name a reachable agent.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// No socket for that pid.
    #[error(
        "no moult agent for pid {pid} (no {}); is the app running and did it call moult::agent::start?",
        socket.display()
    )]
    NoAgent {
        /// The pid asked for.
        pid: u32,
        /// The socket path that does not exist.
        socket: PathBuf,
    },
    /// The socket exists but its process is gone; its files were removed.
    #[error(
        "process {pid} is not running any more (removed its stale socket in {}); `moult-console log {pid}` still shows its journal",
        dir.display()
    )]
    Dead {
        /// The pid asked for.
        pid: u32,
        /// The runtime directory.
        dir: PathBuf,
    },
    /// No live agent carries that app name.
    #[error("no running moult agent named `{app}` (in {}){}", dir.display(), running_list(running))]
    NoSuchApp {
        /// The name asked for.
        app: String,
        /// The runtime directory.
        dir: PathBuf,
        /// The agents that are running (app, pid), to suggest one.
        running: Vec<(String, u32)>,
    },
    /// Several live agents carry that app name.
    #[error(
        "{} running agents are named `{app}`: pids {}; name one by its pid",
        pids.len(),
        pids.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
    )]
    Ambiguous {
        /// The name asked for.
        app: String,
        /// The pids carrying it.
        pids: Vec<u32>,
    },
    /// The runtime directory could not be read.
    #[error("cannot read the moult runtime directory {}: {source}", dir.display())]
    Dir {
        /// The runtime directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

fn running_list(running: &[(String, u32)]) -> String {
    if running.is_empty() {
        "; no agent is running for this user".to_string()
    } else {
        let names: Vec<String> = running
            .iter()
            .map(|(app, pid)| format!("{app} (pid {pid})"))
            .collect();
        format!("; running: {}", names.join(", "))
    }
}

pub use moult_rundir::{process_alive, read_info};

/// Live agents in `dir`, sorted by pid, after the runtime directory's sweep
/// ([`moult_rundir::sweep()`]): the socket and metadata of every dead
/// process are removed, and its journal once past the retention (younger
/// journals stay: `log` reads them after the app exits).
pub fn list_agents(dir: &Path) -> Result<Vec<AgentInfo>, TargetError> {
    list_agents_with(dir, process_alive)
}

/// [`list_agents`] with the liveness test given (tests decide who is alive).
pub fn list_agents_with(
    dir: &Path,
    alive: impl Fn(u32) -> bool,
) -> Result<Vec<AgentInfo>, TargetError> {
    moult_rundir::list_agents_with(dir, alive).map_err(|source| TargetError::Dir {
        dir: dir.to_path_buf(),
        source,
    })
}

/// Removes the socket and metadata file of dead process `pid`.
pub fn remove_stale(dir: &Path, pid: u32) {
    moult_rundir::remove_agent_files(dir, pid);
}

/// The agent `target` names in `dir`.
pub fn resolve(dir: &Path, target: &Target) -> Result<Resolved, TargetError> {
    resolve_with(dir, target, process_alive)
}

/// [`resolve`] with the liveness test given.
pub fn resolve_with(
    dir: &Path,
    target: &Target,
    alive: impl Fn(u32) -> bool,
) -> Result<Resolved, TargetError> {
    match target {
        Target::Pid(pid) => {
            let pid = *pid;
            let socket = discovery::socket_path(dir, pid);
            if !socket.exists() {
                return Err(TargetError::NoAgent { pid, socket });
            }
            if !alive(pid) {
                remove_stale(dir, pid);
                return Err(TargetError::Dead {
                    pid,
                    dir: dir.to_path_buf(),
                });
            }
            Ok(Resolved {
                pid,
                socket,
                info: read_info(dir, pid),
            })
        }
        Target::App(app) => {
            let agents = list_agents_with(dir, alive)?;
            let matching: Vec<&AgentInfo> = agents.iter().filter(|a| &a.app == app).collect();
            match matching.as_slice() {
                [one] => Ok(Resolved {
                    pid: one.pid,
                    socket: discovery::socket_path(dir, one.pid),
                    info: Some((*one).clone()),
                }),
                [] => Err(TargetError::NoSuchApp {
                    app: app.clone(),
                    dir: dir.to_path_buf(),
                    running: agents.iter().map(|a| (a.app.clone(), a.pid)).collect(),
                }),
                many => Err(TargetError::Ambiguous {
                    app: app.clone(),
                    pids: many.iter().map(|a| a.pid).collect(),
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(app: &str, pid: u32) -> AgentInfo {
        AgentInfo {
            app: app.into(),
            pid,
            moult_version: "0.1.0".into(),
            protocol: 1,
            fingerprint: "fp".into(),
            cargo_profile: "debug".into(),
            started_unix_ms: 0,
            socket: String::new(),
            journal: String::new(),
            exe: String::new(),
            moult_build: None,
        }
    }

    /// Writes the metadata and an (empty, not bound) socket file of an agent.
    fn agent(dir: &Path, app: &str, pid: u32) {
        std::fs::write(
            discovery::info_path(dir, pid),
            serde_json::to_string(&info(app, pid)).unwrap(),
        )
        .unwrap();
        std::fs::write(discovery::socket_path(dir, pid), "").unwrap();
    }

    const DEAD: u32 = 30;

    fn alive(pid: u32) -> bool {
        pid != DEAD
    }

    #[test]
    fn targets_parse_as_pid_or_app_name() {
        assert_eq!("123".parse::<Target>(), Ok(Target::Pid(123)));
        assert_eq!(
            "step1-hello".parse::<Target>(),
            Ok(Target::App("step1-hello".into()))
        );
        assert_eq!("12a".parse::<Target>(), Ok(Target::App("12a".into())));
        assert!("".parse::<Target>().is_err());
        assert!("99999999999".parse::<Target>().is_err());
    }

    #[test]
    fn listing_skips_dead_agents_and_removes_their_files_but_keeps_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        agent(d, "b", 20);
        agent(d, "a", 10);
        agent(d, "gone", DEAD);
        std::fs::write(discovery::journal_path(d, DEAD), "").unwrap();
        std::fs::write(d.join("notes.txt"), "not an agent").unwrap();
        std::fs::write(discovery::info_path(d, 40), "{ not json").unwrap();

        let agents = list_agents_with(d, alive).unwrap();
        let found: Vec<(&str, u32)> = agents.iter().map(|a| (a.app.as_str(), a.pid)).collect();
        assert_eq!(found, vec![("a", 10), ("b", 20)]);
        assert!(!discovery::socket_path(d, DEAD).exists());
        assert!(!discovery::info_path(d, DEAD).exists());
        assert!(discovery::journal_path(d, DEAD).exists());
    }

    #[test]
    fn listing_prunes_the_journal_of_a_dead_agent_past_the_retention() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        agent(d, "gone", DEAD);
        let journal = discovery::journal_path(d, DEAD);
        std::fs::write(&journal, "").unwrap();
        let old = std::time::SystemTime::now()
            - moult_rundir::JOURNAL_RETENTION
            - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&journal)
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert!(list_agents_with(d, alive).unwrap().is_empty());
        assert!(!journal.exists());
    }

    #[test]
    fn a_missing_directory_means_no_agents() {
        let dir = tempfile::tempdir().unwrap();
        let agents = list_agents_with(&dir.path().join("never-created"), alive).unwrap();
        assert!(agents.is_empty());
    }

    #[test]
    fn a_pid_resolves_to_its_socket_or_says_why_not() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        agent(d, "a", 10);
        agent(d, "gone", DEAD);

        let r = resolve_with(d, &Target::Pid(10), alive).unwrap();
        assert_eq!(r.socket, d.join("10.sock"));
        assert_eq!(r.info.unwrap().app, "a");

        let none = resolve_with(d, &Target::Pid(11), alive).unwrap_err();
        assert_eq!(
            none.to_string(),
            format!(
                "no moult agent for pid 11 (no {}); is the app running and did it call moult::agent::start?",
                d.join("11.sock").display()
            )
        );

        let dead = resolve_with(d, &Target::Pid(DEAD), alive).unwrap_err();
        assert!(
            matches!(dead, TargetError::Dead { pid: DEAD, .. }),
            "{dead}"
        );
        assert!(!discovery::socket_path(d, DEAD).exists());
    }

    #[test]
    fn an_app_name_resolves_when_exactly_one_live_agent_carries_it() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        agent(d, "hello", 10);
        agent(d, "twice", 20);
        agent(d, "twice", 21);
        agent(d, "hello", DEAD);

        let r = resolve_with(d, &Target::App("hello".into()), alive).unwrap();
        assert_eq!((r.pid, r.socket), (10, d.join("10.sock")));

        let ambiguous = resolve_with(d, &Target::App("twice".into()), alive).unwrap_err();
        assert_eq!(
            ambiguous.to_string(),
            "2 running agents are named `twice`: pids 20, 21; name one by its pid"
        );

        let missing = resolve_with(d, &Target::App("nope".into()), alive).unwrap_err();
        assert_eq!(
            missing.to_string(),
            format!(
                "no running moult agent named `nope` (in {}); running: hello (pid 10), twice (pid 20), twice (pid 21)",
                d.display()
            )
        );
    }
}
