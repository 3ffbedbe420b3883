//! The agent's local socket: how `moult-console` reaches a running app.
//!
//! One line in `main` starts it:
//!
//! ```no_run
//! moult::agent::start("my-app").expect("start the moult agent");
//! ```
//!
//! It opens `<pid>.sock` (mode `0600`) in the per-user directory (`0700`,
//! see [`moult_protocol::discovery`]), writes `<pid>.json` (who this app is)
//! and appends every update event to `<pid>.journal`. Connections are served
//! on the agent's own threads; app threads never wait on a client. A process
//! that never calls [`start`] opens nothing and runs no agent thread.
//!
//! An app that accepts only signed update libraries says so before it
//! starts the agent, with [`require_signed`] or by running with
//! `MOULT_TRUSTED_KEYS=/etc/my-app/updates.pub` (see
//! [`crate::library::signature`]):
//!
//! ```no_run
//! let keys = moult::library::TrustedKeys::from_files(["/etc/my-app/updates.pub"])
//!     .expect("read the update signing key");
//! moult::agent::require_signed(keys);
//! moult::agent::start("my-app").expect("start the moult agent");
//! ```

mod connection;
mod counters;
mod directory;
mod dispatch;
mod inert;
mod journal;
mod listener;
mod outbox;
mod snapshot;
mod start_error;
mod subscription;

pub use crate::library::require_signed;
pub use start_error::{DirectoryError, ListenError, StartError};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use moult_protocol::{AgentInfo, PROTOCOL_VERSION, discovery};

use crate::Error;

/// Who this agent is; set before the socket opens so every reply can use it.
static INFO: OnceLock<AgentInfo> = OnceLock::new();

/// Set once [`start`] succeeded (a failed start may be retried).
static RUNNING: AtomicBool = AtomicBool::new(false);

/// Serialises [`start`] so two threads cannot both bind.
static STARTING: Mutex<()> = Mutex::new(());

/// The running agent's info; only called once [`start`] set it.
pub(crate) fn info() -> &'static AgentInfo {
    INFO.get().expect("the agent is started before it serves")
}

/// Starts the agent for this process under the name `app`; returns who it
/// is. Removes the files of agents whose process died. Fails if the
/// directory is not the user's own, the socket cannot be opened, or
/// `MOULT_TRUSTED_KEYS` is set and names a key that cannot be read; calling
/// it again returns the running agent's info.
///
/// With moult's `static` feature no agent starts: it returns the process's
/// name and pid with no socket (`agent/inert.rs`).
pub fn start(app: &str) -> Result<&'static AgentInfo, Error> {
    if cfg!(feature = "static") {
        return Ok(inert::info(app));
    }
    let _one = STARTING.lock().unwrap_or_else(|e| e.into_inner());
    if RUNNING.load(Ordering::Acquire) {
        return Ok(info());
    }
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    let pid = std::process::id();
    let dir = directory::prepare(euid).map_err(StartError::from)?;
    moult_rundir::sweep(&dir, Some(pid));
    let socket = discovery::socket_path(&dir, pid);
    let journal_path = discovery::journal_path(&dir, pid);
    let rt = crate::runtime();
    // Signatures asked for by the environment: a bad key stops the start,
    // not the first update hours later.
    rt.libraries
        .trust
        .required_keys()
        .map_err(Error::TrustedKeys)?;
    let info = AgentInfo {
        app: app.to_string(),
        pid,
        moult_version: env!("CARGO_PKG_VERSION").to_string(),
        protocol: PROTOCOL_VERSION,
        fingerprint: crate::library::fingerprint::Fingerprint::current().to_string(),
        cargo_profile: env!("MOULT_CARGO_PROFILE").to_string(),
        started_unix_ms: journal::now_unix_ms().saturating_sub(rt.uptime_ms()),
        socket: socket.display().to_string(),
        journal: journal_path.display().to_string(),
        exe: std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        moult_build: Some(moult_build()),
    };
    let info = INFO.get_or_init(|| info);
    journal::install(&journal_path).map_err(|source| StartError::Journal {
        path: journal_path.clone(),
        source,
    })?;
    listener::start(&socket).map_err(StartError::from)?;
    let meta = serde_json::to_vec_pretty(info).expect("agent info serialises");
    let info_path = discovery::info_path(&dir, pid);
    directory::write_private(&info_path, &meta).map_err(|source| StartError::Metadata {
        path: info_path.clone(),
        source,
    })?;
    // SAFETY: registering a plain extern "C" fn; it only removes files.
    unsafe { libc::atexit(remove_files_at_exit) };
    crate::observe::start_publisher();
    RUNNING.store(true, Ordering::Release);
    Ok(info)
}

/// The copy of moult this app links, as its build saw it: where an update
/// crate finds the same moult (`moult-console new` writes it down).
fn moult_build() -> moult_protocol::MoultBuild {
    moult_protocol::MoultBuild {
        manifest_dir: env!("CARGO_MANIFEST_DIR").to_string(),
        features: env!("MOULT_FEATURES")
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

/// Feeds `input` to the agent's request loop as if a client had sent it on
/// one connection (line framing, decoding, dispatch to the live runtime)
/// and returns the lines the agent would have written back, in order.
///
/// Not part of the API: the entry of the fuzz targets in `tests/fuzz` and
/// of their CI replay (`tests/tests/fuzz_smoke.rs`). Call [`start`] first.
/// Only the socket is left out: peer credentials, timeouts and the writer
/// thread are the listener's, exercised by the socket tests.
#[doc(hidden)]
pub fn __serve_bytes(input: &[u8]) -> Result<Vec<String>, Error> {
    if !RUNNING.load(Ordering::Acquire) {
        return Err(StartError::NotStarted.into());
    }
    Ok(connection::serve_bytes(input))
}

/// Removes the socket and metadata when the process exits normally (a
/// killed process's files are swept by the next agent or console).
extern "C" fn remove_files_at_exit() {
    if let Some(info) = INFO.get() {
        let _ = std::fs::remove_file(&info.socket);
        let dir = std::path::Path::new(&info.socket)
            .parent()
            .map(|d| discovery::info_path(d, info.pid));
        if let Some(meta) = dir {
            let _ = std::fs::remove_file(meta);
        }
    }
}
