//! Driving kv-server (demo-apps/kv-server) with real Redis clients only:
//! `redis-cli` and `redis-benchmark` from Debian's `redis-tools`, run as
//! processes. Nothing here speaks the protocol itself.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use moult_protocol::discovery;

use crate::private_runtime_dir;

/// Panics, saying to install redis-tools, unless `redis-cli` and
/// `redis-benchmark` run: the kv-server tests must not pass without them.
pub fn require_redis_tools() {
    for tool in ["redis-cli", "redis-benchmark"] {
        let ok = Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "{tool} is not installed: the kv-server tests need Debian's redis-tools \
             (`sudo apt-get install redis-tools`; .ci/run installs it)"
        );
    }
}

/// A running `kv-server --port 0`, its agent in a private runtime
/// directory. Killed on drop.
pub struct KvServer {
    child: Child,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    /// Its agent's directory (`MOULT_RUNTIME_DIR`).
    pub runtime_dir: PathBuf,
}

impl KvServer {
    /// Starts `binary` and waits for its `listening on` line and its agent socket.
    pub fn start(binary: &Path) -> KvServer {
        let runtime_dir = private_runtime_dir();
        let mut child = Command::new(binary)
            .args(["--port", "0"])
            .env(discovery::DIR_ENV, &runtime_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut first)
            .expect("read kv-server's first line");
        let port = first
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        let server = KvServer {
            child,
            port,
            runtime_dir,
        };
        let socket = discovery::socket_path(&server.runtime_dir, server.pid());
        let deadline = Instant::now() + Duration::from_secs(30);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "no agent socket {socket:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    /// The server's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `true` while the process runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// `redis-cli -p <port> <args...>`: its standard output, trimmed.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run redis-cli");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Sends `commands` (one per line) through one `redis-cli` reading its
    /// standard input; its replies, one line each.
    pub fn cli_batch(&self, commands: &[String]) -> Vec<String> {
        let mut child = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run redis-cli");
        let mut stdin = child.stdin.take().expect("piped stdin");
        let input = commands.join("\n") + "\n";
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let out = child.wait_with_output().expect("redis-cli output");
        writer.join().unwrap().expect("write to redis-cli");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Runs `moult-console` (from `bin_dir`) with `args`, pointed at this
    /// server's runtime directory.
    pub fn console(&self, bin_dir: &Path, args: &[&str]) -> Output {
        Command::new(bin_dir.join("moult-console"))
            .args(args)
            .env(discovery::DIR_ENV, &self.runtime_dir)
            .stdin(Stdio::null())
            .output()
            .expect("run moult-console")
    }
}

impl Drop for KvServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.runtime_dir);
    }
}

/// `redis-benchmark -t set,get -c 20 -P 8 -q -l` against a port: it loops
/// until stopped, printing one summary line per test round, and exits at
/// the first error reply or lost connection (redis-benchmark 7 does).
pub struct Benchmark {
    child: Child,
    output: PathBuf,
}

impl Benchmark {
    /// Starts it, its output going to a file in `dir`.
    pub fn start(port: u16, dir: &Path) -> Benchmark {
        std::fs::create_dir_all(dir).expect("benchmark dir");
        let output = dir.join(format!("redis-benchmark-{port}.out"));
        let file = std::fs::File::create(&output).expect("benchmark output file");
        let child = Command::new("redis-benchmark")
            .args(["-p", &port.to_string()])
            .args([
                "-t", "set,get", "-n", "20000", "-c", "20", "-P", "8", "-q", "-l",
            ])
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("dup"))
            .stderr(file)
            .spawn()
            .expect("run redis-benchmark");
        Benchmark { child, output }
    }

    /// Everything it printed so far (progress lines split at `\r`).
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.output)
            .unwrap_or_default()
            .replace('\r', "\n")
    }

    /// How many test rounds (SET or GET, 20 000 requests each) it finished.
    pub fn rounds(&self) -> usize {
        self.output().matches("requests per second").count()
    }

    /// Panics with its output if it stopped: it only stops by itself on
    /// an error.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("redis-benchmark stopped ({status}):\n{}", self.output());
        }
    }

    /// Waits until it has finished `n` more rounds than now (a hang guard
    /// of 5 minutes), checking it keeps running.
    pub fn wait_rounds(&mut self, n: usize) {
        let target = self.rounds() + n;
        let deadline = Instant::now() + Duration::from_secs(300);
        while self.rounds() < target {
            self.assert_running();
            assert!(
                Instant::now() < deadline,
                "redis-benchmark made no progress:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops it and returns its output, having checked it never reported
    /// an error.
    pub fn stop(mut self) -> String {
        self.assert_running();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let out = self.output();
        assert!(
            !out.to_ascii_lowercase().contains("error"),
            "redis-benchmark reported errors:\n{out}"
        );
        out
    }
}

impl Drop for Benchmark {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.output);
    }
}
