//! Remote targets over a real OpenSSH server (tests/src/sshd.rs): the
//! console reaches `step1-hello` through `ssh://user@127.0.0.1:port/…` with
//! `MOULT_SSH_COMMAND="ssh -F <private config>"`, the remote
//! `moult-console bridge` (the built binary, first on the sessions' PATH)
//! serving the app's private runtime directory (sent with ssh's SetEnv).
//! Each failure of the way there has its own message, and a server killed
//! under a running command ends it with an error instead of a hang.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::Duration;

use moult_e2e::{Demo, Sshd, Tmux, all_in, build, wait_guarded, workspace_root};
use moult_protocol::Snapshot;

/// Generous: a hang guard, not a timing assertion.
const HANG_GUARD: Duration = Duration::from_secs(120);

fn bin_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build(&["moult-console"])).clone()
}

fn hello_app() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| build(&["step1-hello"]).join("step1-hello"))
        .clone()
}

/// One app behind one private sshd.
struct Remote {
    demo: Demo,
    sshd: Sshd,
    ssh_command: String,
}

impl Remote {
    fn start() -> Remote {
        Remote::start_demo(Demo::start(&hello_app()))
    }

    fn start_demo(demo: Demo) -> Remote {
        let bin = bin_dir();
        let sshd = Sshd::start(&bin);
        let ssh_command = sshd.ssh_command(&demo.runtime_dir);
        Remote {
            demo,
            sshd,
            ssh_command,
        }
    }

    /// The console here (no agent of its own: an empty runtime directory),
    /// with `MOULT_SSH_COMMAND` set; `{url}` in `args` becomes this app's
    /// ssh URL. Run under the hang guard.
    fn console(&self, args: &[&str]) -> Output {
        self.console_with(&self.ssh_command, args)
    }

    fn console_with(&self, ssh_command: &str, args: &[&str]) -> Output {
        let url = self.sshd.url("step1-hello");
        let args: Vec<String> = args.iter().map(|a| a.replace("{url}", &url)).collect();
        let local = tempdir("local");
        let child = Command::new(bin_dir().join("moult-console"))
            .args(&args)
            .env("MOULT_SSH_COMMAND", ssh_command)
            .env("MOULT_RUNTIME_DIR", &local)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run moult-console");
        let out = wait_guarded(child, HANG_GUARD, &format!("moult-console {args:?}"));
        let _ = std::fs::remove_dir_all(&local);
        out
    }
}

fn tempdir(what: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("moult-ssh-{what}-{}-{n}", std::process::id()))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn both(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

fn hello_version(remote: &Remote) -> u32 {
    let status = remote.console(&["status", "{url}", "--json"]);
    assert_eq!(status.status.code(), Some(0), "{}", both(&status));
    let snapshot: Snapshot = serde_json::from_slice(&status.stdout).unwrap();
    snapshot
        .functions
        .iter()
        .find(|f| f.name == "step1_hello::hello")
        .unwrap_or_else(|| panic!("no step1_hello::hello in {:#?}", snapshot.functions))
        .version
}

#[test]
fn status_and_log_over_ssh_show_the_remote_app() {
    let remote = Remote::start();
    assert_eq!(hello_version(&remote), 0);
    let by_pid = remote.console(&[
        "status",
        &remote.sshd.url(&remote.demo.pid().to_string()),
        "--json",
    ]);
    assert_eq!(by_pid.status.code(), Some(0), "{}", both(&by_pid));
    let log = remote.console(&["log", "{url}"]);
    assert_eq!(log.status.code(), Some(0), "{}", both(&log));
}

#[test]
fn apply_over_ssh_changes_what_the_app_prints_and_revert_undoes_it() {
    let mut remote = Remote::start();
    all_in(&remote.demo.fresh_lines(5), &["hello world"]);
    let solution = workspace_root().join("demo-apps/step1-hello/solution");
    let applied = remote.console(&["apply", "{url}", solution.to_str().unwrap()]);
    assert_eq!(applied.status.code(), Some(0), "{}", both(&applied));
    let said = text(&applied.stderr);
    assert!(said.contains("sha256"), "the copy is reported: {said}");
    assert!(
        text(&applied.stdout).contains(": applied\n"),
        "{}",
        both(&applied)
    );
    all_in(&remote.demo.fresh_lines(5), &["hello moult"]);
    assert_eq!(hello_version(&remote), 1);
    // The copy is private to the remote user.
    let uploads = remote.demo.runtime_dir.join("uploads");
    for entry in std::fs::read_dir(&uploads).unwrap() {
        use std::os::unix::fs::PermissionsExt;
        let mode = entry.unwrap().metadata().unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A copy past its retention is swept by the next bridge that looks
    // at the runtime directory (here the revert's, finding the app).
    let past =
        std::time::SystemTime::now() - moult_rundir::UPLOAD_RETENTION - Duration::from_secs(60);
    let kept: Vec<PathBuf> = std::fs::read_dir(&uploads)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!kept.is_empty());
    for path in &kept {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(past)
            .unwrap();
    }

    let reverted = remote.console(&["revert", "{url}"]);
    assert_eq!(reverted.status.code(), Some(0), "{}", both(&reverted));
    let left: Vec<_> = std::fs::read_dir(&uploads).unwrap().collect();
    assert!(left.is_empty(), "old uploads left: {left:?}");
    all_in(&remote.demo.fresh_lines(5), &["hello world"]);
    let log = remote.console(&["log", "{url}", "--json"]);
    assert!(text(&log.stdout).contains("reverted"), "{}", both(&log));
}

#[test]
fn a_changed_host_key_is_refused_with_ssh_s_reason() {
    let remote = Remote::start();
    let changed = remote
        .sshd
        .ssh_command_with_changed_host_key(&remote.demo.runtime_dir);
    let out = remote.console_with(&changed, &["status", "{url}"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let said = text(&out.stderr);
    assert!(said.contains("the host key of"), "{said}");
    assert!(said.contains("has changed"), "{said}");
    assert!(
        said.contains("Host key verification failed"),
        "ssh's own reason: {said}"
    );
}

#[test]
fn a_missing_remote_console_and_a_missing_app_are_said_plainly() {
    let remote = Remote::start();
    let missing = remote.console(&[
        "status",
        "{url}",
        "--remote-console",
        "/nonexistent/moult-console",
    ]);
    assert_eq!(missing.status.code(), Some(1), "{}", both(&missing));
    let said = text(&missing.stderr);
    assert!(
        said.contains("`/nonexistent/moult-console` is not installed on"),
        "{said}"
    );
    let gone = remote.console(&["status", &remote.sshd.url("no-such-app")]);
    assert_eq!(gone.status.code(), Some(1), "{}", both(&gone));
    assert!(
        text(&gone.stderr).contains("no running moult agent named `no-such-app`"),
        "{}",
        both(&gone)
    );
}

#[test]
fn a_server_killed_under_a_running_watch_ends_it_with_an_error() {
    let mut remote = Remote::start();
    let local = tempdir("watch");
    let mut watch = Command::new(bin_dir().join("moult-console"))
        .args(["watch", &remote.sshd.url("step1-hello")])
        .env("MOULT_SSH_COMMAND", &remote.ssh_command)
        .env("MOULT_RUNTIME_DIR", &local)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run moult-console watch");
    let (tx, rx) = mpsc::channel();
    let stderr = watch.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let first = rx
        .recv_timeout(HANG_GUARD)
        .expect("watch says it is watching");
    assert!(first.starts_with("watching step1-hello"), "{first}");

    remote.sshd.kill_all();
    let mut said = Vec::new();
    while let Ok(line) = rx.recv_timeout(HANG_GUARD) {
        said.push(line);
    }
    // Its stderr ended: the process is on its way out (a guard, not a timing).
    let deadline = std::time::Instant::now() + HANG_GUARD;
    let status = loop {
        if let Some(status) = watch.try_wait().expect("wait for watch") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = watch.kill();
            panic!("watch hung after sshd died: {said:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let said = said.join("\n");
    assert_eq!(status.code(), Some(1), "{said}");
    assert!(said.contains("was lost"), "{said}");
    let _ = std::fs::remove_dir_all(&local);
}

#[test]
fn attach_over_ssh_shows_the_remote_app_in_the_console() {
    let remote = Remote::start();
    let local = tempdir("attach");
    let url = remote.sshd.url("step1-hello");
    let tmux = Tmux::start(
        &bin_dir().join("moult-console"),
        &["attach", &url],
        &workspace_root(),
        &[
            ("MOULT_SSH_COMMAND", remote.ssh_command.as_str()),
            ("MOULT_RUNTIME_DIR", local.to_str().unwrap()),
        ],
        (120, 40),
    );
    let header = tmux.wait_text("connected", HANG_GUARD);
    assert!(header.contains("step1-hello"), "{header}");
    tmux.keys(&["2"]);
    tmux.wait_text("step1_hello::hello", HANG_GUARD);
    tmux.keys(&["q"]);
    let deadline = std::time::Instant::now() + HANG_GUARD;
    while tmux.running() {
        assert!(
            std::time::Instant::now() < deadline,
            "the console did not quit"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An app that requires signed updates, behind ssh: an unsigned library is
/// refused there; `apply --sign-with` signs it here and copies the
/// signature beside the library, and it applies.
#[test]
fn a_signed_update_travels_with_its_signature_over_ssh() {
    let keys = tempdir("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let prefix = keys.join("ops");
    let made = Command::new(bin_dir().join("moult-console"))
        .args(["keygen", "--out", prefix.to_str().unwrap(), "--no-password"])
        .output()
        .expect("run keygen");
    assert!(made.status.success(), "{}", both(&made));
    let public = keys.join("ops.pub");
    let secret = keys.join("ops.key");
    let demo = Demo::start_with_env(
        &hello_app(),
        moult_e2e::private_runtime_dir(),
        &[("MOULT_TRUSTED_KEYS", public.as_path())],
    );
    let mut remote = Remote::start_demo(demo);
    let solution = workspace_root().join("demo-apps/step1-hello/solution");
    // A signature left beside the built library by an earlier run (signed
    // with another key) would travel with it: start from none.
    let _ = std::fs::remove_file(
        moult_e2e::target_dir().join("debug/libstep1_hello_solution.so.minisig"),
    );
    let unsigned = remote.console(&["apply", "{url}", solution.to_str().unwrap()]);
    assert_ne!(unsigned.status.code(), Some(0), "{}", both(&unsigned));
    assert!(
        both(&unsigned).contains("not signed"),
        "{}",
        both(&unsigned)
    );
    all_in(&remote.demo.fresh_lines(5), &["hello world"]);

    let signed = remote.console(&[
        "apply",
        "{url}",
        solution.to_str().unwrap(),
        "--sign-with",
        secret.to_str().unwrap(),
    ]);
    assert_eq!(signed.status.code(), Some(0), "{}", both(&signed));
    assert!(
        text(&signed.stderr).contains("copied its signature"),
        "{}",
        both(&signed)
    );
    all_in(&remote.demo.fresh_lines(5), &["hello moult"]);
    let _ = std::fs::remove_dir_all(&keys);
}
