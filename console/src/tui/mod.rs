//! `moult-console attach`: the interactive console, modelled on
//! tokio-console.
//!
//! - [`state`]: the model, built only from what the agent sends;
//! - [`view`]: one file per pane, pure functions of the model and the UI state;
//! - [`input`]: the one key table, driving both the key handler and the help;
//! - [`connection`]: the agent connection on its own thread (subscribe,
//!   reconnect, reattach by app name);
//! - [`app`]: the loop tying them together, and the terminal's restoration.

pub mod state;

#[cfg(test)]
mod fixtures;
