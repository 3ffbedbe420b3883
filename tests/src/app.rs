//! A fixture app process driven line by line.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

/// A running app answering one stdout line per stdin command. Killed on drop.
pub struct App {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    /// Every line the app printed so far (for failure messages).
    pub transcript: Vec<String>,
    /// The app's private agent directory (`MOULT_RUNTIME_DIR`): tests run in
    /// parallel and must not see each other's agents.
    pub runtime_dir: PathBuf,
}

/// The lines a child prints, read on a thread of their own.
pub(crate) fn stdout_lines(stdout: std::process::ChildStdout) -> Receiver<String> {
    let (tx, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

/// The test process's effective uid (the owner of `/proc/self`): tests
/// that run something as another user need 0.
pub fn effective_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").expect("/proc/self").uid()
}

/// A fresh, empty directory for one app's agent files.
pub fn private_runtime_dir() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "moult-e2e-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

impl App {
    /// Starts `binary` and waits for its `ready` line.
    pub fn start(binary: &Path) -> App {
        App::start_in(binary, private_runtime_dir())
    }

    /// Starts `binary` with its agent files in `runtime_dir`.
    pub fn start_in(binary: &Path, runtime_dir: PathBuf) -> App {
        let mut command = Command::new(binary);
        command.stderr(Stdio::null());
        App::launch(command, binary, runtime_dir)
    }

    /// Starts `binary` with the environment variables `vars` added (e.g. the
    /// keys it trusts to sign updates).
    pub fn start_with_env(binary: &Path, vars: &[(&str, &std::ffi::OsStr)]) -> App {
        let mut command = Command::new(binary);
        command.stderr(Stdio::null()).envs(vars.iter().copied());
        App::launch(command, binary, private_runtime_dir())
    }

    /// Starts `binary` with its standard error going to `stderr` (by
    /// default it is discarded), for tests of what the app prints there.
    pub fn start_with_stderr(binary: &Path, stderr: std::fs::File) -> App {
        let mut command = Command::new(binary);
        command.stderr(stderr);
        App::launch(command, binary, private_runtime_dir())
    }

    /// Starts `binary` under `uid` (and the group of the same number), with
    /// its agent files in a fresh directory that user creates. Needs root;
    /// the binary must be where that user can execute it.
    pub fn start_as(binary: &Path, uid: u32) -> App {
        use std::os::unix::process::CommandExt;
        let mut command = Command::new(binary);
        command.uid(uid).gid(uid).stderr(Stdio::null());
        App::launch(command, binary, private_runtime_dir())
    }

    /// Spawns `command` (standard error as the caller set it) and waits
    /// for its `ready` line.
    fn launch(mut command: Command, binary: &Path, runtime_dir: PathBuf) -> App {
        let mut child = command
            .env(moult_protocol::discovery::DIR_ENV, &runtime_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let lines = stdout_lines(stdout);
        let mut app = App {
            child,
            stdin,
            lines,
            transcript: Vec::new(),
            runtime_dir,
        };
        let ready = app.next_line(Duration::from_secs(30));
        assert!(
            ready.starts_with("ready "),
            "unexpected first line {ready:?}"
        );
        app
    }

    /// The app's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Next stdout line, or a panic naming the transcript after `timeout`.
    pub fn next_line(&mut self, timeout: Duration) -> String {
        match self.lines.recv_timeout(timeout) {
            Ok(line) => {
                self.transcript.push(line.clone());
                line
            }
            Err(RecvTimeoutError::Timeout) => panic!(
                "no output within {timeout:?}; transcript: {:#?}",
                self.transcript
            ),
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.wait().ok();
                panic!(
                    "app exited ({status:?}); transcript: {:#?}",
                    self.transcript
                )
            }
        }
    }

    /// Sends `command` and returns the app's one-line answer.
    pub fn ask(&mut self, command: &str) -> String {
        writeln!(self.stdin, "{command}").expect("write to app");
        self.stdin.flush().expect("flush");
        self.next_line(Duration::from_secs(60))
    }

    /// Asks the app (the e2e test app's `load` command) to load the update
    /// library built for `package`; its answer (`loaded ID,...` or `error ...`).
    pub fn load(&mut self, package: &str) -> String {
        self.ask(&format!("load {}", crate::library_path(package).display()))
    }

    /// Loads `package`'s library and waits for each of its updates; their
    /// outcomes as the app prints them (`outcome {json}`).
    pub fn apply(&mut self, package: &str) -> Vec<String> {
        let reply = self.load(package);
        let ids = reply
            .strip_prefix("loaded ")
            .unwrap_or_else(|| panic!("load {package}: {reply}"))
            .to_string();
        ids.split(',')
            .map(|id| self.ask(&format!("wait {id}")))
            .collect()
    }

    /// Asks `command` until the answer satisfies `done` (then returns it),
    /// panicking with the last answer after `timeout`.
    pub fn ask_until(
        &mut self,
        command: &str,
        timeout: Duration,
        done: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let answer = self.ask(command);
            if done(&answer) {
                return answer;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{command:?} still answers {answer:?} after {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The agent's socket path.
    pub fn socket(&self) -> PathBuf {
        moult_protocol::discovery::socket_path(&self.runtime_dir, self.pid())
    }

    /// `true` while the process runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.runtime_dir);
    }
}
