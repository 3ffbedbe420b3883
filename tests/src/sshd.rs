//! A real OpenSSH server for the remote tests, private to one test: its own
//! `sshd_config` on a free loopback port, a host key and a user key made
//! with `ssh-keygen`, its own `authorized_keys` and `known_hosts`. Nothing
//! of the system's sshd or of any user's ssh configuration is read or
//! changed; the only thing it may create outside its directory is the
//! privilege separation directory sshd insists on (`/run/sshd`), as the
//! system's own service would.
//!
//! The tests run as root here, so the private config allows root to log in
//! with the generated key (and nothing else).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Debian's sshd, from the `openssh-server` package.
pub const SSHD: &str = "/usr/sbin/sshd";

/// What to install when sshd or ssh is missing (the tests fail, not skip).
const INSTALL: &str =
    "install OpenSSH: `apt-get install -y openssh-server openssh-client` (.ci/run does it)";

/// A running private sshd; it and every session it started are killed on drop.
pub struct Sshd {
    /// The listening sshd (`-D`, so it stays our child).
    child: Child,
    /// Its keys, configs and log.
    pub dir: PathBuf,
    /// The loopback port it listens on.
    pub port: u16,
    /// The user the tests log in as (this process's).
    pub user: String,
}

impl Sshd {
    /// Starts sshd with the remote sessions' `PATH` starting with
    /// `bin_dir` (where the built `moult-console` is). Panics, saying what
    /// to install, when OpenSSH is missing.
    pub fn start(bin_dir: &Path) -> Sshd {
        assert!(Path::new(SSHD).exists(), "no {SSHD}: {INSTALL}");
        let dir = private_dir();
        keygen(&dir.join("host_key"));
        keygen(&dir.join("user_key"));
        std::fs::copy(dir.join("user_key.pub"), dir.join("authorized_keys")).unwrap();
        let _ = std::fs::create_dir_all("/run/sshd");
        let port = free_port();
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\n\
                 ListenAddress 127.0.0.1\n\
                 HostKey {d}/host_key\n\
                 PidFile {d}/sshd.pid\n\
                 AuthorizedKeysFile {d}/authorized_keys\n\
                 PermitRootLogin prohibit-password\n\
                 PubkeyAuthentication yes\n\
                 PasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\n\
                 UsePAM no\n\
                 StrictModes no\n\
                 AcceptEnv MOULT_RUNTIME_DIR XDG_STATE_HOME\n\
                 SetEnv PATH={bin}:/usr/local/bin:/usr/bin:/bin\n",
                d = dir.display(),
                bin = bin_dir.display(),
            ),
        )
        .unwrap();
        let child = listen(&dir, port);
        let user = current_user();
        let sshd = Sshd {
            child,
            dir,
            port,
            user,
        };
        let host_key = std::fs::read_to_string(sshd.dir.join("host_key.pub")).unwrap();
        sshd.write_known_hosts("known_hosts", &host_key);
        sshd
    }

    /// Starts sshd again after [`Sshd::kill_all`]: the same port, keys and
    /// config, as a server back from a crash.
    pub fn restart(&mut self) {
        self.child = listen(&self.dir, self.port);
    }

    /// `ssh://user@127.0.0.1:port/<target>`.
    pub fn url(&self, target: &str) -> String {
        format!("ssh://{}@127.0.0.1:{}/{target}", self.user, self.port)
    }

    /// A client config trusting this server's real host key, sending
    /// `runtime_dir` as the remote `MOULT_RUNTIME_DIR`; the value for
    /// `MOULT_SSH_COMMAND`.
    pub fn ssh_command(&self, runtime_dir: &Path) -> String {
        self.ssh_command_knowing("known_hosts", runtime_dir)
    }

    /// [`Sshd::ssh_command`], but the known host key is another one: the
    /// server's key "changed".
    pub fn ssh_command_with_changed_host_key(&self, runtime_dir: &Path) -> String {
        let other = self.dir.join("other_host_key");
        keygen(&other);
        let key = std::fs::read_to_string(other.with_extension("pub")).unwrap();
        self.write_known_hosts("known_hosts_changed", &key);
        self.ssh_command_knowing("known_hosts_changed", runtime_dir)
    }

    /// A client config for several "hosts" behind this one server: each
    /// alias of `hosts` is 127.0.0.1 here and sends its own runtime
    /// directory as the remote `MOULT_RUNTIME_DIR`, so each app looks like
    /// its own host (reach it with [`Sshd::alias_url`]); the value for
    /// `MOULT_SSH_COMMAND`.
    pub fn ssh_command_for_hosts(&self, hosts: &[(&str, &Path)]) -> String {
        let mut config = String::new();
        for (alias, runtime_dir) in hosts {
            config.push_str(&format!(
                "Host {alias}\n\x20 HostName 127.0.0.1\n\x20 SetEnv MOULT_RUNTIME_DIR={}\n",
                runtime_dir.display()
            ));
        }
        config.push_str(&self.client_options("known_hosts"));
        let path = self.dir.join(format!("ssh_config-{}", next()));
        std::fs::write(&path, config).unwrap();
        format!("ssh -F {}", path.display())
    }

    /// [`Sshd::ssh_command_for_hosts`] for learners: each alias also sends
    /// its own `XDG_STATE_HOME`, where that learner's tutorial progress is
    /// (`(alias, runtime_dir, state_home)`).
    pub fn ssh_command_for_learners(&self, learners: &[(&str, &Path, &Path)]) -> String {
        let mut config = String::new();
        for (alias, runtime_dir, state_home) in learners {
            config.push_str(&format!(
                "Host {alias}\n\x20 HostName 127.0.0.1\n\x20 SetEnv MOULT_RUNTIME_DIR={} XDG_STATE_HOME={}\n",
                runtime_dir.display(),
                state_home.display()
            ));
        }
        config.push_str(&self.client_options("known_hosts"));
        let path = self.dir.join(format!("ssh_config-{}", next()));
        std::fs::write(&path, config).unwrap();
        format!("ssh -F {}", path.display())
    }

    /// A client config for "hosts" behind several servers: each alias is
    /// 127.0.0.1 at its server's port, trusts that server's host key,
    /// logs in with that server's user key and sends its own runtime
    /// directory; the value for `MOULT_SSH_COMMAND`. Killing one server
    /// loses only its hosts.
    pub fn ssh_command_for_servers(hosts: &[(&Sshd, &str, &Path)]) -> String {
        let mut config = String::new();
        for (sshd, alias, runtime_dir) in hosts {
            config.push_str(&format!(
                "Host {alias}\n\x20 HostName 127.0.0.1\n\x20 Port {port}\n\x20 IdentityFile {d}/user_key\n\x20 UserKnownHostsFile {d}/known_hosts\n\x20 SetEnv MOULT_RUNTIME_DIR={}\n",
                runtime_dir.display(),
                port = sshd.port,
                d = sshd.dir.display(),
            ));
        }
        config.push_str(
            "Host *\n\x20 IdentitiesOnly yes\n\x20 GlobalKnownHostsFile /dev/null\n\x20 StrictHostKeyChecking yes\n\x20 BatchMode yes\n",
        );
        let first = hosts.first().expect("at least one host").0;
        let path = first.dir.join(format!("ssh_config-{}", next()));
        std::fs::write(&path, config).unwrap();
        format!("ssh -F {}", path.display())
    }

    /// `ssh://user@<alias>:port/<target>`, an alias of [`Sshd::ssh_command_for_hosts`].
    pub fn alias_url(&self, alias: &str, target: &str) -> String {
        format!("ssh://{}@{alias}:{}/{target}", self.user, self.port)
    }

    /// The `Host *` block every client config ends with.
    fn client_options(&self, known_hosts: &str) -> String {
        format!(
            "Host *\n\
             \x20 IdentityFile {d}/user_key\n\
             \x20 IdentitiesOnly yes\n\
             \x20 UserKnownHostsFile {d}/{known_hosts}\n\
             \x20 GlobalKnownHostsFile /dev/null\n\
             \x20 StrictHostKeyChecking yes\n\
             \x20 BatchMode yes\n",
            d = self.dir.display(),
        )
    }

    fn write_known_hosts(&self, name: &str, public_key: &str) {
        let mut words = public_key.split_whitespace();
        let (kind, key) = (words.next().unwrap(), words.next().unwrap());
        std::fs::write(
            self.dir.join(name),
            format!("[127.0.0.1]:{} {kind} {key}\n", self.port),
        )
        .unwrap();
    }

    fn ssh_command_knowing(&self, known_hosts: &str, runtime_dir: &Path) -> String {
        let config = self.dir.join(format!("ssh_config-{}", next()));
        std::fs::write(
            &config,
            format!(
                "{}\x20 SetEnv MOULT_RUNTIME_DIR={}\n",
                self.client_options(known_hosts),
                runtime_dir.display()
            ),
        )
        .unwrap();
        format!("ssh -F {}", config.display())
    }

    /// Kills sshd and every process it started (the per-connection sshd
    /// of each session and what runs in it), as a crash of the server
    /// would: their connections break without a goodbye.
    pub fn kill_all(&mut self) {
        let mut victims = vec![self.child.id()];
        let mut i = 0;
        while i < victims.len() {
            victims.extend(children_of(victims[i]));
            i += 1;
        }
        for pid in victims {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        let _ = self.child.wait();
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.kill_all();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs sshd on the config in `dir` and waits until it listens on `port`.
fn listen(dir: &Path, port: u16) -> Child {
    let log = std::fs::File::options()
        .create(true)
        .append(true)
        .open(dir.join("sshd.log"))
        .unwrap();
    let mut child = Command::new(SSHD)
        .args(["-D", "-e", "-f"])
        .arg(dir.join("sshd_config"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {SSHD}: {e}; {INSTALL}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{SSHD} exited ({status}) before listening:\n{}",
                std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default()
            );
        }
        assert!(
            Instant::now() < deadline,
            "{SSHD} does not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// The pids whose parent is `pid` (from `/proc`).
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&child| {
            std::fs::read_to_string(format!("/proc/{child}/stat"))
                .ok()
                .and_then(|stat| {
                    // `pid (comm) state ppid …`; comm may hold spaces.
                    let after = &stat[stat.rfind(')')? + 1..];
                    after.split_whitespace().nth(1)?.parse::<u32>().ok()
                })
                == Some(pid)
        })
        .collect()
}

/// A number for each client config file.
fn next() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn keygen(path: &Path) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "moult-e2e", "-f"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ssh-keygen: {e}; {INSTALL}"));
    assert!(
        out.status.success(),
        "ssh-keygen: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn private_dir() -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "moult-sshd-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    dir
}
