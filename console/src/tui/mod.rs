//! `moult-console attach`: the interactive console, modelled on
//! tokio-console.
//!
//! - [`state`]: the model, built only from what the agent sends;
//! - [`view`]: one file per pane, pure functions of the model and the UI state;
//! - [`input`]: the one key table, driving both the key handler and the help;
//! - [`ui`], [`table_nav`], [`picker`], [`build_log`]: the operator's side
//!   (view, selection, prompts);
//! - [`controller`]: what keys and feeds do, as plain data;
//! - [`connection`], [`builder`]: the agent connection (subscribe,
//!   reconnect, reattach by app name) and crate builds, on threads feeding
//!   the UI through a channel ([`feed`]); [`session`]: one attached app's
//!   connection thread and its channels;
//! - [`app`]: the loop, and [`terminal`]: the terminal, always restored;
//! - [`workshop`]: the tutorial and demo modes, built on all of the above;
//!   [`text_scroll`]: reading a long text there.

pub mod app;
pub mod build_log;
pub mod builder;
pub mod connection;
pub mod controller;
pub mod feed;
pub mod input;
pub mod picker;
pub mod rows;
pub mod session;
pub mod state;
pub mod table_nav;
pub mod terminal;
pub mod text_scroll;
pub mod theme;
pub mod ui;
pub mod view;
pub mod view_id;
pub mod workshop;

#[cfg(test)]
mod fixtures;
