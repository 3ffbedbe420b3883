//! Step 3, exercise 4: reboot the hello thread onto a new main.

use std::time::Duration;

use moult_protocol::{Snapshot, ThreadInfo, ThreadState};

use crate::tutorial::check::{Baseline, Check, Probe};
use crate::tutorial::exercise::Exercise;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step3-reboot",
    step: 3,
    number: 4,
    title: "Rebooting threads",
    summary: "reboot the hello thread onto a new main",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &RebootCheck,
};

/// The DSU thread the app greets from.
const THREAD: &str = "hello";

/// Before: `hello world` from the thread `hello`, never rebooted. After:
/// another greeting from then on, and the thread running again, rebooted
/// onto a new main.
pub struct RebootCheck;

impl Check for RebootCheck {
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String> {
        probe.expect_line("`hello world`", |l| l == "hello world")?;
        let thread = hello_thread(&probe.snapshot()?)?;
        if thread.reboots != 0 || thread.main_version != 0 {
            return Err(format!(
                "the thread {THREAD} was rebooted before the update ({} reboots, main version {})",
                thread.reboots, thread.main_version
            ));
        }
        Ok(Box::new(()))
    }

    fn after(&self, probe: &Probe<'_>, _: Baseline) -> Result<String, String> {
        let first = probe
            .expect_line("greeting other than `hello world`", |l| l != "hello world")
            .map_err(|e| {
                format!("{e}\nthe thread still runs its old main: switch it to the new main, then reboot it")
            })?;
        let lines = probe.from_mark(first.seq).lines(3)?;
        if let Some(old) = lines.iter().find(|l| *l == "hello world") {
            return Err(format!(
                "the app printed {:?}, then {old:?} again: the old main still runs; reboot the thread onto the new one",
                lines[0]
            ));
        }
        if let Some(other) = lines.iter().find(|l| !l.starts_with("hello")) {
            return Err(format!(
                "the app prints {other:?}; the new main should still greet: hello <your name>"
            ));
        }
        let thread = hello_thread(&probe.snapshot()?)?;
        if thread.reboots == 0 {
            return Err(format!(
                "the thread {THREAD} was never rebooted (0 reboots): request it with ctx.reboot"
            ));
        }
        if thread.main_version == 0 {
            return Err(format!(
                "the thread {THREAD} was rebooted onto its old main (main version 0): switch it to the new one first"
            ));
        }
        if thread.state != ThreadState::Running {
            return Err(format!(
                "the thread {THREAD} is {:?} after the reboot; it should be running its new main",
                thread.state
            ));
        }
        Ok(format!(
            "the thread {THREAD}, rebooted {} time(s) onto main version {}, prints {:?}",
            thread.reboots, thread.main_version, lines[0]
        ))
    }
}

/// The thread `hello` in `snapshot`.
fn hello_thread(snapshot: &Snapshot) -> Result<ThreadInfo, String> {
    snapshot
        .threads
        .iter()
        .find(|t| t.name == THREAD)
        .cloned()
        .ok_or_else(|| format!("the app has no DSU thread named {THREAD}"))
}
