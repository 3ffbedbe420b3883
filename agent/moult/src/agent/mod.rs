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

use moult_protocol::AgentInfo;

use crate::Error;

/// Starts the agent for this process under the name `app`; returns who it
/// is. Removes the files of agents whose process died. Fails if the
/// directory is not the user's own, or the socket cannot be opened; calling
/// it again returns the running agent's info.
pub fn start(app: &str) -> Result<&'static AgentInfo, Error> {
    let _ = app;
    Err(Error::Agent("not implemented yet".into()))
}
