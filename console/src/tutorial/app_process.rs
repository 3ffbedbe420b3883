//! A demo app started by the console: its process, its output captured (so
//! the TUI keeps the terminal and checks can read what it prints), its agent
//! in a known runtime directory. Restarting it is the tutorial's "reset".

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use moult_protocol::discovery;

use super::output_log::OutputLog;

/// Environment variable giving the web server demo its port.
pub const PORT_ENV: &str = "MOULT_DEMO_PORT";

/// How long an app has to open its agent socket.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);

/// How to start an app.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The executable.
    pub exe: PathBuf,
    /// `MOULT_DEMO_PERIOD_MS`: `None` keeps the tutorial's own pace.
    pub period: Option<Duration>,
    /// `MOULT_DEMO_PORT` for the web server.
    pub port: Option<u16>,
    /// The agent directory (`MOULT_RUNTIME_DIR`) the app and the console share.
    pub runtime_dir: PathBuf,
}

/// Why an app is not running.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The executable could not be started.
    #[error("cannot start {}: {source}", exe.display())]
    Spawn {
        /// What was started.
        exe: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The app exited before its agent listened.
    #[error("{} exited ({status}) before its agent listened; its last words: {stderr}", exe.display())]
    Exited {
        /// What was started.
        exe: PathBuf,
        /// How it ended.
        status: std::process::ExitStatus,
        /// The end of its stderr.
        stderr: String,
    },
    /// No agent socket appeared in time.
    #[error("{} opened no agent socket in {}s; does its main call moult::agent::start?", exe.display(), START_TIMEOUT.as_secs())]
    NoSocket {
        /// What was started.
        exe: PathBuf,
    },
}

/// A running demo app; killed when dropped.
#[derive(Debug)]
pub struct AppProcess {
    launch: Launch,
    child: Child,
    /// What it prints on stdout.
    pub output: OutputLog,
    /// What it prints on stderr.
    pub errors: OutputLog,
}

impl AppProcess {
    /// Starts the app and waits until its agent listens.
    pub fn start(launch: Launch) -> Result<AppProcess, StartError> {
        let mut command = Command::new(&launch.exe);
        command
            .env(discovery::DIR_ENV, &launch.runtime_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(period) = launch.period {
            command.env("MOULT_DEMO_PERIOD_MS", period.as_millis().to_string());
        }
        if let Some(port) = launch.port {
            command.env(PORT_ENV, port.to_string());
        }
        let mut child = command.spawn().map_err(|source| StartError::Spawn {
            exe: launch.exe.clone(),
            source,
        })?;
        let output = OutputLog::capture(child.stdout.take().expect("stdout is piped"));
        let errors = OutputLog::capture(child.stderr.take().expect("stderr is piped"));
        let mut app = AppProcess {
            launch,
            child,
            output,
            errors,
        };
        app.wait_for_agent()?;
        Ok(app)
    }

    fn wait_for_agent(&mut self) -> Result<(), StartError> {
        let socket = self.socket();
        let deadline = Instant::now() + START_TIMEOUT;
        while !socket.exists() {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the reader thread take the last lines.
                self.errors
                    .wait_for(u64::MAX, Duration::from_millis(200), |_| false);
                let stderr = self
                    .errors
                    .tail(5)
                    .into_iter()
                    .map(|l| l.text)
                    .collect::<Vec<_>>()
                    .join(" / ");
                return Err(StartError::Exited {
                    exe: self.launch.exe.clone(),
                    status,
                    stderr,
                });
            }
            if Instant::now() >= deadline {
                return Err(StartError::NoSocket {
                    exe: self.launch.exe.clone(),
                });
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }

    /// The app's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its agent's socket.
    pub fn socket(&self) -> PathBuf {
        discovery::socket_path(&self.launch.runtime_dir, self.pid())
    }

    /// The agent directory it was started with.
    pub fn runtime_dir(&self) -> &Path {
        &self.launch.runtime_dir
    }

    /// How it was started.
    pub fn launch(&self) -> &Launch {
        &self.launch
    }

    /// `false` once the process exited.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Stops the app (and its agent) and starts it again, fresh: the
    /// tutorial's "reset". The output logs are new ones.
    pub fn restart(&mut self) -> Result<(), StartError> {
        self.stop();
        // The old process, already reaped, is dropped by the assignment.
        *self = AppProcess::start(self.launch.clone())?;
        Ok(())
    }

    /// Kills the app and waits for it.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(self.socket());
        let _ = std::fs::remove_file(discovery::info_path(&self.launch.runtime_dir, self.pid()));
    }
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A free localhost port for the web server (bound then released: another
/// process could take it in between, which a start error would then say).
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?
        .local_addr()?
        .port())
}
