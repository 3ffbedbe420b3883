//! One target of `fleet watch`: connect, follow its events as `watch`
//! does, and when the connection ends or cannot be made, say so plainly
//! and try again, waiting longer each time (up to [`RETRY_MAX`]). Its
//! lines, prefixed with the target, go to the one printer.

use std::sync::mpsc::Sender;
use std::time::Duration;

use moult_console::client::Client;
use moult_protocol::EventKind;
use serde_json::json;

use super::targets::Member;
use crate::commands::event_stream::{self, News, StreamEnd};

/// The wait before the first new attempt after a loss.
const RETRY_FIRST: Duration = Duration::from_secs(1);

/// The longest wait between attempts: a host back from a reboot is seen
/// within this.
const RETRY_MAX: Duration = Duration::from_secs(30);

/// How a connection that was up came to an end.
enum Trouble {
    /// The app exited, or its agent dropped us: the connection ended.
    Ended(String),
    /// The way to it broke (ssh lost the host, the link went silent).
    Lost(String),
    /// It could not be opened.
    Unreachable(String),
}

/// How a follower writes: the options of `fleet watch`.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// JSON lines instead of text.
    pub json: bool,
    /// Every event, as `watch` prints them; else only [`matters`].
    pub all: bool,
}

/// Whether an event of `kind` is what a fleet's operator follows: an
/// update queued and how it ended, a rollback, a revert, a panic of a new
/// version, a watch's start and end, a refused library. The steps in
/// between (lifecycle, alterability, redefinitions, conversions, threads,
/// logs) are `--all`'s.
pub fn matters(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::UpdateQueued { .. }
            | EventKind::UpdateDone { .. }
            | EventKind::RolledBack { .. }
            | EventKind::UpdateReverted { .. }
            | EventKind::VersionPanicked { .. }
            | EventKind::WatchStarted { .. }
            | EventKind::WatchEnded { .. }
            | EventKind::LibraryRefused { .. }
    )
}

/// Writes one target's lines to `lines`.
struct Lines {
    target: String,
    style: Style,
    lines: Sender<String>,
}

impl Lines {
    /// Sends a line; `false` once the printer is gone (stdout closed).
    fn send(&self, text: &str, json: serde_json::Value) -> bool {
        let line = if self.style.json {
            let mut json = json;
            json["target"] = self.target.clone().into();
            json.to_string()
        } else {
            format!("[{}] {text}", self.target)
        };
        self.lines.send(line).is_ok()
    }

    /// A piece of the target's stream (skipped if it does not matter).
    fn news(&self, news: News<'_>) -> bool {
        let json = match news {
            News::Event(event) if !self.style.all && !matters(&event.kind) => return true,
            News::Event(event) => json!({ "type": "event", "event": event }),
            News::Dropped(_) => news.json(),
        };
        self.send(&news.text(), json)
    }

    /// Trouble with the target, and when it is tried again.
    fn trouble(&self, trouble: &Trouble, retry: Duration) -> bool {
        let (kind, reason) = match trouble {
            Trouble::Ended(r) => ("ended", r),
            Trouble::Lost(r) => ("lost", r),
            Trouble::Unreachable(r) => ("unreachable", r),
        };
        let secs = retry.as_secs();
        self.send(
            &format!("{kind}: {reason}; trying again in {secs} s"),
            json!({ "type": kind, "reason": reason, "retry_secs": secs }),
        )
    }
}

/// Follows `member` until the printer is gone: each connection's events,
/// then its end, then new attempts.
pub fn follow(member: Member, style: Style, lines: Sender<String>) {
    let lines = Lines {
        target: member.name.clone(),
        style,
        lines,
    };
    let mut wait = RETRY_FIRST;
    let mut last_pid: Option<u32> = None;
    // The last trouble said: the same again is not repeated at each try.
    let mut said: Option<String> = None;
    loop {
        let trouble = match connect(&member) {
            Ok((mut client, app, pid)) => {
                wait = RETRY_FIRST;
                said = None;
                let mut text = format!("connected: {app} (pid {pid})");
                match last_pid {
                    Some(old) if old != pid => {
                        text.push_str(&format!("; it was pid {old}: the app restarted"))
                    }
                    _ => {}
                }
                if last_pid.is_some() {
                    text.push_str(
                        "; events while away are not shown (`moult-console log` has them)",
                    );
                }
                let connected = json!({
                    "type": "connected", "app": app, "pid": pid,
                    "again": last_pid.is_some(),
                });
                if !lines.send(&text, connected) {
                    return;
                }
                last_pid = Some(pid);
                let mut printer_gone = false;
                let end = event_stream::follow(&mut client, !style.json, |news| {
                    if lines.news(news) {
                        Ok(())
                    } else {
                        printer_gone = true;
                        Err(std::io::ErrorKind::BrokenPipe.into())
                    }
                });
                if printer_gone {
                    return;
                }
                match end {
                    Ok(StreamEnd::Closed) => {
                        Trouble::Ended("the app exited (its agent closed the connection)".into())
                    }
                    Ok(StreamEnd::Dropped(reason)) => {
                        Trouble::Ended(format!("the agent dropped this watch: {reason}"))
                    }
                    Err(e) => Trouble::Lost(format!("{e:#}")),
                }
            }
            Err(e) => Trouble::Unreachable(format!("{e:#}")),
        };
        let text = match &trouble {
            Trouble::Ended(r) | Trouble::Lost(r) | Trouble::Unreachable(r) => r.clone(),
        };
        if said.as_ref() != Some(&text) {
            if !lines.trouble(&trouble, wait) {
                return;
            }
            said = Some(text);
        }
        std::thread::sleep(wait);
        wait = (wait * 2).min(RETRY_MAX);
    }
}

/// Opens `member`, says hello and subscribes: the client, app and pid.
fn connect(member: &Member) -> anyhow::Result<(Client, String, u32)> {
    let (mut client, hello) = crate::commands::open(&member.route)?;
    client.subscribe()?;
    Ok((client, hello.agent.app, hello.agent.pid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_reverts_and_panics_matter_the_steps_between_do_not() {
        let done = EventKind::UpdateDone {
            update: "u".into(),
            id: 1,
            outcome: moult_protocol::Outcome::Applied,
        };
        let redefined = EventKind::FunctionRedefined {
            function: "app::f".into(),
            version: 1,
        };
        let step = EventKind::Lifecycle {
            update: "u".into(),
            id: 1,
            step: moult_protocol::LifecycleStep::Apply,
        };
        assert!(matters(&done));
        assert!(!matters(&redefined));
        assert!(!matters(&step));
    }
}
