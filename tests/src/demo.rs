//! A tutorial demo app process as a learner runs it: no stdin protocol, just
//! the lines it prints, and its agent in a private runtime directory.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use moult_protocol::discovery;

use crate::app::stdout_lines;
use crate::private_runtime_dir;

/// A demo app (period 20 ms) whose stdout is collected; killed on drop.
pub struct Demo {
    child: Child,
    lines: Receiver<String>,
    /// The app's private agent directory (`MOULT_RUNTIME_DIR`).
    pub runtime_dir: PathBuf,
}

impl Demo {
    /// Starts the demo binary `bin` and waits for its agent's socket.
    pub fn start(bin: &Path) -> Demo {
        Demo::start_in(bin, private_runtime_dir())
    }

    /// Starts `bin` with its agent files in `runtime_dir` (an app that
    /// comes back where a console waits for it).
    pub fn start_in(bin: &Path, runtime_dir: PathBuf) -> Demo {
        Demo::start_with_env(bin, runtime_dir, &[])
    }

    /// As [`Demo::start_in`], with more environment (e.g. the app's
    /// trusted keys, `MOULT_TRUSTED_KEYS`).
    pub fn start_with_env(bin: &Path, runtime_dir: PathBuf, env: &[(&str, &Path)]) -> Demo {
        let mut child = Command::new(bin)
            .env("MOULT_DEMO_PERIOD_MS", "20")
            .env(discovery::DIR_ENV, &runtime_dir)
            .envs(env.iter().map(|(k, v)| (*k, *v)))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let lines = stdout_lines(stdout);
        let demo = Demo {
            child,
            lines,
            runtime_dir,
        };
        let socket = demo.socket();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "no agent socket {socket:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
        demo
    }

    /// The app's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The agent's socket.
    pub fn socket(&self) -> PathBuf {
        discovery::socket_path(&self.runtime_dir, self.pid())
    }

    /// The next `n` lines, after dropping those printed in the last 200 ms
    /// (either version may print while an update lands).
    pub fn fresh_lines(&mut self, n: usize) -> Vec<String> {
        std::thread::sleep(Duration::from_millis(200));
        while self.lines.try_recv().is_ok() {}
        (0..n)
            .map(|_| self.lines.recv_timeout(Duration::from_secs(10)))
            .collect::<Result<_, _>>()
            .expect("the app keeps printing")
    }

    /// Runs `moult-console` (from `bin_dir`) with `args`, pointed at this
    /// app's runtime directory.
    pub fn console(&self, bin_dir: &Path, args: &[&str]) -> Output {
        Command::new(bin_dir.join("moult-console"))
            .args(args)
            .env(discovery::DIR_ENV, &self.runtime_dir)
            .stdin(Stdio::null())
            .output()
            .expect("run moult-console")
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.runtime_dir);
    }
}

/// Asserts every line is one of `expected`.
pub fn all_in(lines: &[String], expected: &[&str]) {
    for line in lines {
        assert!(
            expected.contains(&line.as_str()),
            "unexpected {line:?} in {lines:#?}"
        );
    }
}
