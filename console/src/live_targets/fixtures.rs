//! Members, agents and snapshots for the live views' tests.

use moult_protocol::{AgentInfo, Snapshot};
use serde_json::json;

use super::member::Member;
use crate::remote::{Endpoint, RemoteOptions, Route};

/// A member for `target` (`ssh://…/app`, an app name), with plain `ssh`.
pub fn member(target: &str) -> Member {
    let endpoint: Endpoint = target.parse().unwrap();
    Member {
        name: target.into(),
        route: Route::with_ssh_command(
            "/run/moult".into(),
            &endpoint,
            &RemoteOptions::default(),
            None,
        )
        .unwrap(),
    }
}

/// The agent of `app` at `pid`.
pub fn agent(app: &str, pid: u32) -> AgentInfo {
    serde_json::from_value(json!({
        "app": app, "pid": pid, "moult_version": "0.1.0", "protocol": 2,
        "fingerprint": "fp", "cargo_profile": "debug", "started_unix_ms": 1_714_565_000_000u64,
        "socket": format!("/tmp/moult/{pid}.sock"), "journal": format!("/tmp/moult/{pid}.journal"),
        "exe": format!("/w/{app}")
    }))
    .unwrap()
}

/// A snapshot of `app` at `pid` whose `hello` is at `version` (with 2
/// panics of 400 calls when `panicky`), and `updates` as the protocol
/// writes them.
pub fn snapshot(
    app: &str,
    pid: u32,
    version: u32,
    panicky: bool,
    updates: serde_json::Value,
) -> Snapshot {
    let panics = if panicky { 2 } else { 0 };
    serde_json::from_value(json!({
        "agent": agent(app, pid), "uptime_ms": 3000, "threads": [],
        "functions": [
            {"name": format!("{}::hello", app.replace('-', "_")), "signature": "fn()", "version": version,
             "threads": [], "gated": false,
             "health": [{"version": 0, "calls": 900, "panics": 0}, {"version": version, "calls": 400, "panics": panics}]},
            {"name": "tick::tock", "signature": "fn()", "version": 0, "threads": [], "gated": false,
             "health": [{"version": 0, "calls": 100, "panics": 0}]}
        ],
        "classes": [], "updates": updates, "next_event": 0, "connections": 1, "dropped_subscribers": 0
    }))
    .unwrap()
}

/// `screen` drawn on a `width`×`height` test terminal, as text: one line
/// per row, trailing spaces trimmed.
pub fn screen_text<S: crate::tui::shell::Screen>(
    screen: &mut S,
    width: u16,
    height: u16,
) -> String {
    crate::tui::fixtures::drawn_text(width, height, |f| screen.draw(f))
}

/// Colour and Unicode, as the snapshots are drawn.
pub const THEME: crate::tui::theme::Theme = crate::tui::theme::Theme {
    color: true,
    ascii: false,
};
