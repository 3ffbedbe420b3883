//! What a screen asks the loop to do: everything that touches a thread, a
//! process or the agent, so screens stay plain data that tests drive with
//! keys. One type for every screen: the console's effects, plus the ones a
//! screen brings of its own (the tutorial starts apps and checks updates).

use std::convert::Infallible;
use std::path::PathBuf;

use super::feed::AgentCommand;

/// Something the loop must do for a screen; `Own` is what the screen asks
/// beyond the console's effects (nothing, for `attach`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect<Own = Infallible> {
    /// Send a command to the agent.
    Send(AgentCommand),
    /// Build the update crate `dir` in cargo profile `profile`.
    Build {
        /// The crate directory.
        dir: PathBuf,
        /// The app's profile (the library's fingerprint must match).
        profile: String,
    },
    /// Leave.
    Quit,
    /// What the screen asks of its own host.
    Own(Own),
}

impl Effect {
    /// The console's effect as the effect of a screen that has its own.
    pub fn widen<Own>(self) -> Effect<Own> {
        match self {
            Effect::Send(command) => Effect::Send(command),
            Effect::Build { dir, profile } => Effect::Build { dir, profile },
            Effect::Quit => Effect::Quit,
            Effect::Own(never) => match never {},
        }
    }
}
