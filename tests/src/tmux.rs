//! A terminal program driven as a person drives it: run in a detached tmux
//! session of a fixed size, typed at with `send-keys`, read with
//! `capture-pane`. Each session has its own tmux server (`-L`), so tests
//! never touch the user's tmux or each other.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A tmux server with one session running one command; killed on drop.
pub struct Tmux {
    /// The server's socket name (`tmux -L`).
    server: String,
}

impl Tmux {
    /// Runs `program args...` in a `width`×`height` session, in `cwd`,
    /// with `env` added to its environment.
    pub fn start(
        program: &Path,
        args: &[&str],
        cwd: &Path,
        env: &[(&str, &str)],
        (width, height): (u16, u16),
    ) -> Tmux {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let server = format!(
            "moult-e2e-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let tmux = Tmux { server };
        let mut cmd = vec![
            "new-session".to_string(),
            "-d".into(),
            "-x".into(),
            width.to_string(),
            "-y".into(),
            height.to_string(),
            "-c".into(),
            cwd.display().to_string(),
        ];
        for (key, value) in env {
            cmd.push("-e".into());
            cmd.push(format!("{key}={value}"));
        }
        cmd.push(program.display().to_string());
        cmd.extend(args.iter().map(|a| a.to_string()));
        let out = tmux.run(&cmd.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(
            out.status.success(),
            "tmux new-session failed (is tmux installed?): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.server, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// Presses keys, by tmux's names (`Enter`, `Escape`, `Tab`, `q`...).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        let out = self.run(&args);
        assert!(out.status.success(), "send-keys {keys:?}");
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        let out = self.run(&["send-keys", "-t", "0", "-l", text]);
        assert!(out.status.success(), "send-keys -l {text:?}");
    }

    /// Resizes the terminal to `width`×`height` (the program gets SIGWINCH).
    pub fn resize(&self, width: u16, height: u16) {
        let out = self.run(&[
            "resize-window",
            "-t",
            "0",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
        assert!(out.status.success(), "resize-window {width}x{height}");
    }

    /// The screen now, one line per row (empty once the program ended).
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "0"]).stdout).into_owned()
    }

    /// Whether the session still runs (its program has not exited).
    pub fn running(&self) -> bool {
        self.run(&["has-session", "-t", "0"]).status.success()
    }

    /// Waits until the screen satisfies `ok`; returns it, or panics with
    /// the last screen after `timeout`.
    pub fn wait_for(&self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited {timeout:?} for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the screen shows `text`.
    pub fn wait_text(&self, text: &str, timeout: Duration) -> String {
        self.wait_for(&format!("{text:?}"), timeout, |s| s.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The line of `screen` naming `what` (panics with the screen if none).
pub fn line_of<'a>(screen: &'a str, what: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(what))
        .unwrap_or_else(|| panic!("no {what} on the screen:\n{screen}"))
}
