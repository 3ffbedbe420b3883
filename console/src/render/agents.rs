//! `list`: the running agents.

use std::time::Duration;

use moult_protocol::AgentInfo;

use super::{Table, duration};

/// One row per agent: pid, app, moult version, profile, uptime at `now_unix_ms`.
pub fn agents(agents: &[AgentInfo], now_unix_ms: u64) -> String {
    let mut t = Table::new(&["PID", "APP", "MOULT", "PROFILE", "UPTIME"]);
    for a in agents {
        let up = now_unix_ms.saturating_sub(a.started_unix_ms);
        t.row(vec![
            a.pid.to_string(),
            a.app.clone(),
            a.moult_version.clone(),
            a.cargo_profile.clone(),
            duration(Duration::from_millis(up)),
        ]);
    }
    t.render("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_is_counted_from_the_agent_start() {
        let agent = |app: &str, pid, started| AgentInfo {
            app: app.into(),
            pid,
            moult_version: "0.1.0".into(),
            protocol: 1,
            fingerprint: String::new(),
            cargo_profile: "debug".into(),
            started_unix_ms: started,
            socket: String::new(),
            journal: String::new(),
            exe: String::new(),
            moult_build: None,
        };
        let now = 10_000_000;
        assert_eq!(
            agents(
                &[
                    agent("step1-hello", 4242, now - 185_000),
                    agent("web", 77, now + 5)
                ],
                now
            ),
            "PID   APP          MOULT  PROFILE  UPTIME\n\
             4242  step1-hello  0.1.0  debug    3m 05s\n\
             77    web          0.1.0  debug    0s\n"
        );
    }
}
