//! Where a command's agent is and how to open a connection to it: on this
//! machine through its socket, or on the far side of a [`Link`] through
//! the remote `moult-console bridge`. Every command that takes a target
//! opens it through a [`Route`], so each works locally and remotely alike.

use std::path::PathBuf;
use std::time::Duration;

use crate::client::{Client, ClientError, Hello};
use crate::remote::address::Endpoint;
use crate::remote::link::{DEFAULT_REMOTE_CONSOLE, Link, SSH_COMMAND_ENV};
use crate::target::{self, Target, TargetError};

/// How long a remote hello may take: ssh connects, authenticates and
/// starts the bridge first.
pub const REMOTE_HELLO_TIMEOUT: Duration = Duration::from_secs(40);

/// How to reach the far side, as the command line says it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteOptions {
    /// `--via CMD`: run the bridge through this command instead of ssh.
    pub via: Option<String>,
    /// `--remote-console PATH`: the remote console program.
    pub remote_console: Option<String>,
}

/// An agent to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// An agent of this user here, found in `dir`.
    Local {
        /// The runtime directory.
        dir: PathBuf,
        /// The app or pid.
        target: Target,
    },
    /// An agent on the far side of `link`, found there by the bridge.
    Remote {
        /// How to get there.
        link: Link,
        /// The app or pid, resolved on the far side.
        target: Target,
    },
}

/// Why a route did not open.
#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    /// The local target names no reachable agent.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// The connection or its hello failed.
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl Route {
    /// The route `endpoint` and `options` say, with local agents in `dir`
    /// and ssh's command from `MOULT_SSH_COMMAND`.
    pub fn new(
        dir: PathBuf,
        endpoint: &Endpoint,
        options: &RemoteOptions,
    ) -> Result<Route, String> {
        let ssh_command = std::env::var(SSH_COMMAND_ENV).ok();
        Route::with_ssh_command(dir, endpoint, options, ssh_command.as_deref())
    }

    /// [`Route::new`] with the ssh command given (tests).
    pub fn with_ssh_command(
        dir: PathBuf,
        endpoint: &Endpoint,
        options: &RemoteOptions,
        ssh_command: Option<&str>,
    ) -> Result<Route, String> {
        let console = options
            .remote_console
            .as_deref()
            .unwrap_or(DEFAULT_REMOTE_CONSOLE);
        match (endpoint, &options.via) {
            (Endpoint::Local(target), None) => {
                if options.remote_console.is_some() {
                    return Err("--remote-console needs a remote target (ssh://… or --via)".into());
                }
                Ok(Route::Local {
                    dir,
                    target: target.clone(),
                })
            }
            (Endpoint::Local(target), Some(via)) => Ok(Route::Remote {
                link: Link::via(via, console)?,
                target: target.clone(),
            }),
            (Endpoint::Ssh(address), None) => Ok(Route::Remote {
                link: Link::ssh(address, ssh_command, console)?,
                target: address.target.clone(),
            }),
            (Endpoint::Ssh(_), Some(_)) => {
                Err("--via and an ssh:// target both say how to reach the app: give one".into())
            }
        }
    }

    /// The app or pid this route names.
    pub fn target(&self) -> &Target {
        match self {
            Route::Local { target, .. } | Route::Remote { target, .. } => target,
        }
    }

    /// The same way to the same place, for another app or pid (a console
    /// reattaching by pid or by name).
    pub fn retarget(&self, target: Target) -> Route {
        match self {
            Route::Local { dir, .. } => Route::Local {
                dir: dir.clone(),
                target,
            },
            Route::Remote { link, .. } => Route::Remote {
                link: link.clone(),
                target,
            },
        }
    }

    /// The link, for a remote route.
    pub fn link(&self) -> Option<&Link> {
        match self {
            Route::Local { .. } => None,
            Route::Remote { link, .. } => Some(link),
        }
    }

    /// Connects and says hello, waiting the default time for the reply
    /// (longer for a remote agent: ssh connects first).
    pub fn open(&self) -> Result<(Client, Hello), RouteError> {
        match self {
            Route::Local { .. } => self.open_within(crate::client::DEFAULT_REPLY_TIMEOUT),
            Route::Remote { .. } => self.open_within(REMOTE_HELLO_TIMEOUT),
        }
    }

    /// Connects and says hello, waiting at most `hello_timeout` for the reply.
    pub fn open_within(&self, hello_timeout: Duration) -> Result<(Client, Hello), RouteError> {
        match self {
            Route::Local { dir, target } => {
                let resolved = target::resolve(dir, target)?;
                Ok(Client::open_within(&resolved.socket, hello_timeout)?)
            }
            Route::Remote { link, target } => {
                let transport = link.bridge(target).map_err(ClientError::from)?;
                Ok(Client::over(Box::new(transport))?.greet(hello_timeout)?)
            }
        }
    }
}

impl std::fmt::Display for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Route::Local { target, .. } => write!(f, "{target}"),
            Route::Remote { link, target } => write!(f, "{target} on {}", link.label()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(endpoint: &str, options: &RemoteOptions) -> Result<Route, String> {
        Route::with_ssh_command(
            PathBuf::from("/run/moult"),
            &endpoint.parse().unwrap(),
            options,
            None,
        )
    }

    #[test]
    fn a_plain_target_is_local_and_ssh_or_via_remote() {
        let none = RemoteOptions::default();
        assert!(matches!(route("app", &none), Ok(Route::Local { .. })));
        let ssh = route("ssh://db1/app", &none).unwrap();
        assert_eq!(ssh.to_string(), "app `app` on db1");
        let via = RemoteOptions {
            via: Some("docker exec -i box".into()),
            remote_console: Some("/usr/local/bin/moult-console".into()),
        };
        let remote = route("4242", &via).unwrap();
        assert_eq!(
            remote.link().unwrap().console(),
            "/usr/local/bin/moult-console"
        );
        assert_eq!(remote.target(), &Target::Pid(4242));
    }

    #[test]
    fn contradictions_are_refused() {
        let via = RemoteOptions {
            via: Some("kubectl exec -i p --".into()),
            remote_console: None,
        };
        assert!(route("ssh://db1/app", &via).is_err());
        let console_only = RemoteOptions {
            via: None,
            remote_console: Some("x".into()),
        };
        assert!(route("app", &console_only).is_err());
    }
}
