//! What a command's `<target>` names: an app on this machine (`step1-hello`,
//! `4242`) or one on another host (`ssh://[user@]host[:port]/<app|pid>`).

use std::fmt;
use std::str::FromStr;

use crate::target::Target;

/// A `<target>` as typed on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// An app of this user on this machine (or, with `--via`, on the far
    /// side of that command).
    Local(Target),
    /// An app of `user` on `host`, reached with ssh.
    Ssh(SshAddress),
}

/// `ssh://[user@]host[:port]/<app|pid>`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshAddress {
    /// The remote user; ssh's own choice (config, local user) when absent.
    pub user: Option<String>,
    /// The host name or address as ssh takes it (no brackets for IPv6).
    pub host: String,
    /// The port; ssh's own choice when absent.
    pub port: Option<u16>,
    /// The app on that host.
    pub target: Target,
}

impl SshAddress {
    /// `[user@]host[:port]`, as messages show it.
    pub fn authority(&self) -> String {
        let user = self
            .user
            .as_deref()
            .map_or(String::new(), |u| format!("{u}@"));
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let port = self.port.map_or(String::new(), |p| format!(":{p}"));
        format!("{user}{host}{port}")
    }
}

impl FromStr for Endpoint {
    type Err = String;

    fn from_str(s: &str) -> Result<Endpoint, String> {
        match s.strip_prefix("ssh://") {
            Some(rest) => rest.parse().map(Endpoint::Ssh),
            None => s.parse().map(Endpoint::Local),
        }
    }
}

impl FromStr for SshAddress {
    type Err = String;

    /// Parses what follows `ssh://`.
    fn from_str(rest: &str) -> Result<SshAddress, String> {
        const FORM: &str = "ssh://[user@]host[:port]/<app|pid>";
        let (authority, app) = rest
            .split_once('/')
            .ok_or_else(|| format!("`ssh://{rest}` names no app: the form is {FORM}"))?;
        let target: Target = app
            .parse()
            .map_err(|e| format!("`ssh://{rest}`: {e} (the form is {FORM})"))?;
        let (user, hostport) = match authority.rsplit_once('@') {
            Some((user, hostport)) if !user.is_empty() => (Some(user.to_string()), hostport),
            Some(_) => return Err(format!("`ssh://{rest}`: empty user before `@`")),
            None => (None, authority),
        };
        let (host, port) = if let Some(bracketed) = hostport.strip_prefix('[') {
            let (host, after) = bracketed
                .split_once(']')
                .ok_or_else(|| format!("`ssh://{rest}`: `[` without `]`"))?;
            match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None if after.is_empty() => (host, None),
                None => return Err(format!("`ssh://{rest}`: `{after}` after the address")),
            }
        } else {
            match hostport.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (hostport, None),
            }
        };
        if host.is_empty() {
            return Err(format!("`ssh://{rest}` names no host: the form is {FORM}"));
        }
        if host.starts_with('-') {
            return Err(format!("`ssh://{rest}`: a host cannot start with `-`"));
        }
        let port = port
            .map(|p| {
                p.parse::<u16>()
                    .map_err(|_| format!("`ssh://{rest}`: `{p}` is not a port"))
            })
            .transpose()?;
        Ok(SshAddress {
            user,
            host: host.to_string(),
            port,
            target,
        })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Local(target) => write!(f, "{target}"),
            Endpoint::Ssh(address) => write!(f, "{} on {}", address.target, address.authority()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ssh(s: &str) -> SshAddress {
        match s.parse::<Endpoint>().unwrap() {
            Endpoint::Ssh(a) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_plain_target_stays_local() {
        assert_eq!("42".parse(), Ok(Endpoint::Local(Target::Pid(42))));
        assert_eq!(
            "step1-hello".parse(),
            Ok(Endpoint::Local(Target::App("step1-hello".into())))
        );
    }

    #[test]
    fn ssh_addresses_parse_with_or_without_user_and_port() {
        let full = ssh("ssh://ops@db1.example:2222/step1-hello");
        assert_eq!(full.user.as_deref(), Some("ops"));
        assert_eq!(full.host, "db1.example");
        assert_eq!(full.port, Some(2222));
        assert_eq!(full.target, Target::App("step1-hello".into()));
        assert_eq!(full.authority(), "ops@db1.example:2222");
        let bare = ssh("ssh://db1/4242");
        assert_eq!((bare.user, bare.port), (None, None));
        assert_eq!(bare.target, Target::Pid(4242));
        let v6 = ssh("ssh://[::1]:22/app");
        assert_eq!((v6.host.as_str(), v6.port), ("::1", Some(22)));
        assert_eq!(v6.authority(), "[::1]:22");
    }

    #[test]
    fn malformed_addresses_say_the_form() {
        for bad in [
            "ssh://db1",
            "ssh:///app",
            "ssh://db1:x/app",
            "ssh://db1/",
            "ssh://@db1/app",
            "ssh://-oProxyCommand=x/app",
        ] {
            let err = bad.parse::<Endpoint>().unwrap_err();
            assert!(err.contains("ssh://"), "{bad}: {err}");
        }
    }
}
