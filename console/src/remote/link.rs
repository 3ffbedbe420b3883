//! How to reach the far side: the command that runs `moult-console` on
//! another host with its stdio carried back — ssh (from PATH, or
//! `MOULT_SSH_COMMAND`), or any command given with `--via`.
//!
//! A [`Link`] is a plain value: opening it runs one command, and a fleet
//! opens as many as it has targets.

use crate::remote::RemoteError;
use crate::remote::address::SshAddress;
use crate::target::Target;
use crate::transport::child::ChildTransport;

/// The variable that replaces `ssh` and its options, split into words like
/// a shell would (as git's `GIT_SSH_COMMAND`).
pub const SSH_COMMAND_ENV: &str = "MOULT_SSH_COMMAND";

/// The remote console program unless `--remote-console` names another.
pub const DEFAULT_REMOTE_CONSOLE: &str = "moult-console";

/// Options added after the user's own, so theirs win (ssh keeps the first
/// value it sees): no terminal on the far side; a dead path noticed within
/// 15 s of silence; a host that does not answer given up after 15 s.
const SSH_OPTIONS: [&str; 7] = [
    "-T",
    "-o",
    "ServerAliveInterval=5",
    "-o",
    "ServerAliveCountMax=3",
    "-o",
    "ConnectTimeout=15",
];

/// A way to run the remote console on the far side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// How the remote command is passed.
    via: Via,
    /// The remote console program.
    console: String,
    /// Who is at the far side, for messages.
    label: String,
}

/// The two ways a remote command is passed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Via {
    /// ssh's words up to the host; ssh hands the remote command to the
    /// remote user's shell as one string, so it is quoted for a shell.
    Ssh(Vec<String>),
    /// Any command that runs the words after it (`kubectl exec -i pod --`):
    /// the remote command is passed as separate words.
    Command(Vec<String>),
}

impl Link {
    /// ssh to `address` with `ssh_command` (the value of
    /// `MOULT_SSH_COMMAND`, if set) running `console` there.
    pub fn ssh(
        address: &SshAddress,
        ssh_command: Option<&str>,
        console: &str,
    ) -> Result<Link, String> {
        let mut words = match ssh_command.map(str::trim).filter(|c| !c.is_empty()) {
            Some(command) => shlex::split(command).filter(|w| !w.is_empty()).ok_or_else(|| {
                format!("{SSH_COMMAND_ENV}=`{command}` cannot be split into words (an unclosed quote?)")
            })?,
            None => vec!["ssh".to_string()],
        };
        words.extend(SSH_OPTIONS.iter().map(|o| o.to_string()));
        if let Some(port) = address.port {
            words.extend(["-p".to_string(), port.to_string()]);
        }
        if let Some(user) = &address.user {
            words.extend(["-l".to_string(), user.clone()]);
        }
        words.extend(["--".to_string(), address.host.clone()]);
        Ok(Link {
            via: Via::Ssh(words),
            console: console.to_string(),
            label: address.authority(),
        })
    }

    /// `command` (a shell-words string, like `kubectl exec -i mypod --`)
    /// running `console` with the words after it.
    pub fn via(command: &str, console: &str) -> Result<Link, String> {
        let words = shlex::split(command)
            .filter(|w| !w.is_empty())
            .ok_or_else(|| format!("--via `{command}` is empty or cannot be split into words"))?;
        Ok(Link {
            via: Via::Command(words),
            console: console.to_string(),
            label: format!("`{command}`"),
        })
    }

    /// Who is at the far side, for messages.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The remote console program.
    pub fn console(&self) -> &str {
        &self.console
    }

    /// The full local command line running `console args…` on the far side.
    pub fn argv(&self, args: &[&str]) -> Vec<String> {
        let remote: Vec<&str> = std::iter::once(self.console.as_str())
            .chain(args.iter().copied())
            .collect();
        match &self.via {
            Via::Ssh(words) => {
                let mut argv = words.clone();
                // Every word is quoted: the remote shell sees exactly these.
                argv.push(shlex::try_join(remote).unwrap_or_default());
                argv
            }
            Via::Command(words) => {
                let mut argv = words.clone();
                argv.extend(remote.into_iter().map(str::to_string));
                argv
            }
        }
    }

    /// Runs `console args…` on the far side, its stdio piped back.
    pub fn run(&self, args: &[&str]) -> Result<ChildTransport, RemoteError> {
        ChildTransport::spawn(&self.argv(args), &self.label, &self.console)
    }

    /// Runs `console bridge <target>`: the agent's protocol over stdio.
    pub fn bridge(&self, target: &Target) -> Result<ChildTransport, RemoteError> {
        self.run(&["bridge", &target_word(target)])
    }
}

/// A target as the bridge's command line takes it.
pub fn target_word(target: &Target) -> String {
    match target {
        Target::Pid(pid) => pid.to_string(),
        Target::App(app) => app.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(s: &str) -> SshAddress {
        s.parse().unwrap()
    }

    #[test]
    fn ssh_gets_the_address_and_a_quoted_remote_command() {
        let link = Link::ssh(&address("ops@db1:2222/my app"), None, "moult-console").unwrap();
        let argv = link.argv(&["bridge", "my app"]);
        assert_eq!(argv[0], "ssh");
        let tail: Vec<&str> = argv[argv.len() - 7..].iter().map(String::as_str).collect();
        assert_eq!(
            tail,
            [
                "-p",
                "2222",
                "-l",
                "ops",
                "--",
                "db1",
                "moult-console bridge 'my app'"
            ]
        );
        assert_eq!(link.label(), "ops@db1:2222");
    }

    #[test]
    fn moult_ssh_command_replaces_ssh_and_keeps_its_options_first() {
        let link = Link::ssh(
            &address("db1/app"),
            Some("ssh -F '/tmp/my config' -o BatchMode=yes"),
            "/opt/moult/bin/moult-console",
        )
        .unwrap();
        let argv = link.argv(&["bridge", "app"]);
        assert_eq!(
            argv[..5],
            ["ssh", "-F", "/tmp/my config", "-o", "BatchMode=yes"]
        );
        assert_eq!(
            argv.last().unwrap(),
            "/opt/moult/bin/moult-console bridge app"
        );
        assert!(Link::ssh(&address("db1/app"), Some("ssh -F 'open"), "m").is_err());
    }

    #[test]
    fn via_passes_the_remote_words_apart() {
        let link = Link::via("kubectl exec -i my-pod --", "moult-console").unwrap();
        assert_eq!(
            link.argv(&["bridge", "4242"]),
            [
                "kubectl",
                "exec",
                "-i",
                "my-pod",
                "--",
                "moult-console",
                "bridge",
                "4242"
            ]
        );
        assert!(Link::via("  ", "m").is_err());
    }
}
