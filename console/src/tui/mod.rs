//! The interactive console, modelled on tokio-console. Layers, each
//! importing only those above it in this list:
//!
//! - [`view_id`], [`theme`], [`table_nav`], [`text_scroll`]: what every
//!   layer names (the views, colours, a table's or a text's position);
//! - [`state`]: the model, built only from what the agent sends; [`rows`]:
//!   which rows each table shows, sorted and filtered, and the selected one;
//! - [`input`]: the one key table, driving the key handler, the help and
//!   the footer;
//! - [`ui`], [`picker`], [`work_log`]: the operator's side (view, selection,
//!   prompts, the log of long work);
//! - [`view`]: one file per pane, pure functions of the model and the UI state;
//! - [`controller`]: what keys and feeds do, as plain data returning
//!   [`effect`]s;
//! - [`connection`], [`builder`]: the agent connection (subscribe,
//!   reconnect, reattach by app name) and crate builds, on threads feeding
//!   the UI through a channel ([`feed`]); [`session`]: one attached app's
//!   connection thread and its channels;
//! - [`shell`]: the one loop every screen runs in, and [`terminal`]: the
//!   terminal, always restored; [`attach`]: `moult-console attach`, the
//!   console's screen in the shell.
//!
//! The tutorial's screens plug into the same shell from
//! [`crate::tutorial::screens`].

pub mod attach;
pub mod builder;
pub mod connection;
pub mod controller;
pub mod effect;
pub mod feed;
pub mod input;
pub mod picker;
pub mod rows;
pub mod session;
pub mod shell;
pub mod state;
pub mod table_nav;
pub mod terminal;
pub mod text_scroll;
pub mod theme;
pub mod ui;
pub mod view;
pub mod view_id;
pub mod work_log;

#[cfg(test)]
pub(crate) mod fixtures;
