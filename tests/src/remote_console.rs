//! The console run against remote targets: started with
//! `MOULT_SSH_COMMAND` (the tests' own sshd) and a runtime directory of its
//! own (no agent here), and what it said, for assertion messages.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

use crate::build;

/// The directory holding the built `moult-console` (built once per test binary).
pub fn console_bin_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build(&["moult-console"])).clone()
}

/// `moult-console <args>` reaching its targets through `ssh_command`, with
/// `local` as its own runtime directory; started, not waited for.
pub fn spawn_remote_console<S: AsRef<std::ffi::OsStr>>(
    ssh_command: &str,
    local: &Path,
    args: &[S],
) -> Child {
    Command::new(console_bin_dir().join("moult-console"))
        .args(args)
        .env("MOULT_SSH_COMMAND", ssh_command)
        .env("MOULT_RUNTIME_DIR", local)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run moult-console")
}

/// A finished command's exit code, stdout and stderr, for a failed assertion.
pub fn exit_and_output(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
