//! The agent of a build with moult's `static` feature: none. `start`
//! answers who the process is and opens no socket, journal or thread, so
//! an app ships a build without moult from the same source.

use std::sync::OnceLock;

use moult_protocol::{AgentInfo, PROTOCOL_VERSION};

/// What `start` returns in a static build: the app and its pid, and empty
/// socket and journal paths (nothing listens; no console can attach).
pub(super) fn info(app: &str) -> &'static AgentInfo {
    static INFO: OnceLock<AgentInfo> = OnceLock::new();
    INFO.get_or_init(|| AgentInfo {
        app: app.to_string(),
        pid: std::process::id(),
        moult_version: env!("CARGO_PKG_VERSION").to_string(),
        protocol: PROTOCOL_VERSION,
        fingerprint: "static build (feature `static`): no agent, hot functions are plain".into(),
        cargo_profile: env!("MOULT_CARGO_PROFILE").to_string(),
        started_unix_ms: 0,
        socket: String::new(),
        journal: String::new(),
        exe: std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        moult_build: None,
    })
}
