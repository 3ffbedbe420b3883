//! Why a remote connection failed or ended, told plainly: each cause its
//! own message, with ssh's (or the bridge's) own words passed through.

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

/// What went wrong reaching an agent on another host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    /// The local command (ssh, or the `--via` command) could not be started.
    #[error(
        "cannot run `{program}`: {reason}; install OpenSSH's client, or set MOULT_SSH_COMMAND or --via to a command that exists"
    )]
    Spawn {
        /// The program tried.
        program: String,
        /// Why it did not start.
        reason: String,
    },
    /// The host cannot be reached: name unknown, nothing listening, no route.
    #[error("cannot reach {host}: {reason}")]
    Unreachable {
        /// The host (or the `--via` command).
        host: String,
        /// ssh's own words.
        reason: String,
    },
    /// The host refused our credentials.
    #[error(
        "{host} refused authentication: {reason} (is your key in the remote user's authorized_keys, or loaded in your ssh-agent?)"
    )]
    AuthRefused {
        /// The host.
        host: String,
        /// ssh's own words.
        reason: String,
    },
    /// The host presented another key than the one known for it: ssh
    /// refuses, as it should, until the operator checks why.
    #[error(
        "the host key of {host} has changed, so ssh refused to connect: {reason} (if the host was really reinstalled, remove its old key with `ssh-keygen -R`)"
    )]
    HostKeyChanged {
        /// The host.
        host: String,
        /// ssh's own words.
        reason: String,
    },
    /// No key is known for the host and ssh was told not to ask.
    #[error(
        "the host key of {host} is not known, so ssh refused to connect: {reason} (connect once with ssh to check and accept it)"
    )]
    HostKeyUnknown {
        /// The host.
        host: String,
        /// ssh's own words.
        reason: String,
    },
    /// The remote shell has no such program (exit 127).
    #[error(
        "`{console}` is not installed on {host} (the remote shell could not run it: {reason}); install moult-console there, or name it with --remote-console PATH"
    )]
    ConsoleMissing {
        /// The host.
        host: String,
        /// The remote console program.
        console: String,
        /// The remote shell's words.
        reason: String,
    },
    /// The bridge ran but could not serve: no such agent, the agent gone,
    /// the upload refused. Its own message.
    #[error("on {host}: {message}")]
    Bridge {
        /// The host.
        host: String,
        /// The remote console's error.
        message: String,
    },
    /// The connection broke (ssh lost the host, or was killed).
    #[error("the connection to {host} was lost: {reason}")]
    Lost {
        /// The host.
        host: String,
        /// ssh's own words, or what ended it.
        reason: String,
    },
    /// The remote side went silent past the limit (a dead network path
    /// that no error reports).
    #[error("no word from {host} in {secs} s: the connection is considered lost")]
    Silent {
        /// The host.
        host: String,
        /// How long it was silent.
        secs: u64,
    },
}

/// Why a remote command ended, from its exit status and its stderr; `None`
/// for a clean end (exit 0: the agent closed the connection).
pub fn classify(
    host: &str,
    console: &str,
    status: Option<ExitStatus>,
    stderr: &str,
) -> Option<RemoteError> {
    let host = host.to_string();
    let code = status.and_then(|s| s.code());
    if code == Some(0) {
        return None;
    }
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_noise(l))
        .collect();
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    let picked = |needles: &[&str]| {
        let chosen: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| needles.iter().any(|n| l.contains(n)))
            .collect();
        if chosen.is_empty() {
            last(&lines)
        } else {
            chosen.join("; ")
        }
    };
    if code == Some(127) {
        return Some(RemoteError::ConsoleMissing {
            host,
            console: console.to_string(),
            reason: last(&lines),
        });
    }
    if code == Some(1)
        && let Some(message) = lines.iter().rev().find_map(|l| l.strip_prefix("error: "))
    {
        return Some(RemoteError::Bridge {
            host,
            message: message.to_string(),
        });
    }
    if has("IDENTIFICATION HAS CHANGED") || has("has changed and you have requested strict") {
        let reason = picked(&[
            "IDENTIFICATION HAS CHANGED",
            "Offending",
            "Host key verification failed",
        ]);
        return Some(RemoteError::HostKeyChanged { host, reason });
    }
    if has("Host key verification failed") {
        let reason = picked(&["No ", "host key", "Host key verification failed"]);
        return Some(RemoteError::HostKeyUnknown { host, reason });
    }
    if has("Permission denied") || has("Too many authentication failures") {
        let reason = picked(&["Permission denied", "Too many authentication failures"]);
        return Some(RemoteError::AuthRefused { host, reason });
    }
    const UNREACHABLE: [&str; 6] = [
        "Could not resolve hostname",
        "Connection refused",
        "No route to host",
        "Network is unreachable",
        "Connection timed out",
        "Operation timed out",
    ];
    if UNREACHABLE.iter().any(|n| has(n)) && !has("closed by") {
        return Some(RemoteError::Unreachable {
            host,
            reason: picked(&UNREACHABLE),
        });
    }
    let reason = match (lines.is_empty(), status) {
        (false, _) => last(&lines),
        (true, Some(s)) if s.signal().is_some() => {
            format!(
                "the command was killed by signal {}",
                s.signal().unwrap_or(0)
            )
        }
        (true, Some(s)) => format!("the command ended without a word ({s})"),
        (true, None) => "the command's end could not be read".into(),
    };
    if code.is_some_and(|c| c != 255) && !lines.is_empty() {
        return Some(RemoteError::Bridge {
            host,
            message: reason,
        });
    }
    Some(RemoteError::Lost { host, reason })
}

/// Lines ssh prints that say nothing of a failure.
fn is_noise(line: &str) -> bool {
    line.starts_with("Warning: Permanently added")
        || line.starts_with("** ")
        || line.chars().all(|c| c == '@')
}

fn last(lines: &[&str]) -> String {
    lines.last().map_or_else(String::new, |l| l.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exited(code: i32) -> Option<ExitStatus> {
        Some(ExitStatus::from_raw(code << 8))
    }

    fn why(code: i32, stderr: &str) -> Option<RemoteError> {
        classify("db1", "moult-console", exited(code), stderr)
    }

    #[test]
    fn a_clean_exit_is_no_error() {
        assert_eq!(why(0, "whatever"), None);
    }

    #[test]
    fn each_ssh_failure_gets_its_own_message_with_ssh_s_words() {
        let refused = why(
            255,
            "ssh: connect to host db1 port 22: Connection refused\n",
        );
        assert_eq!(
            refused.unwrap().to_string(),
            "cannot reach db1: ssh: connect to host db1 port 22: Connection refused"
        );
        let auth = why(255, "root@db1: Permission denied (publickey).\n").unwrap();
        assert!(matches!(auth, RemoteError::AuthRefused { .. }), "{auth}");
        assert!(auth.to_string().contains("Permission denied (publickey)"));
        let changed = why(
            255,
            "@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@@@@@\nOffending ED25519 key in /k:1\nHost key verification failed.\n",
        )
        .unwrap();
        assert!(
            matches!(changed, RemoteError::HostKeyChanged { .. }),
            "{changed}"
        );
        assert!(
            changed
                .to_string()
                .contains("Host key verification failed.")
        );
        let unknown = why(
            255,
            "No ED25519 host key is known for db1.\nHost key verification failed.\n",
        );
        assert!(matches!(unknown, Some(RemoteError::HostKeyUnknown { .. })));
        let lost = why(255, "Connection to db1 closed by remote host.\n").unwrap();
        assert_eq!(
            lost.to_string(),
            "the connection to db1 was lost: Connection to db1 closed by remote host."
        );
    }

    #[test]
    fn a_missing_remote_console_is_named() {
        let missing = why(127, "bash: line 1: moult-console: command not found\n").unwrap();
        assert!(matches!(missing, RemoteError::ConsoleMissing { .. }));
        assert!(
            missing
                .to_string()
                .starts_with("`moult-console` is not installed on db1")
        );
    }

    #[test]
    fn the_bridge_s_own_error_comes_through() {
        let gone = why(
            1,
            "error: no running moult agent named `x` (in /run/moult)\n",
        )
        .unwrap();
        assert_eq!(
            gone.to_string(),
            "on db1: no running moult agent named `x` (in /run/moult)"
        );
    }
}
