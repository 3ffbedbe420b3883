//! Watching an applied update: if its new versions panic more than allowed
//! within a window, it is reverted at once (Mvedsua's automatic rollback).
//!
//! The agent enforces the watch, not the client that asked for it: a thread
//! of its own checks the panic counts of the versions the update installed
//! (`hot/health.rs`) and submits the revert, so the watch holds if the
//! client goes away.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use moult_protocol::EventKind;

use super::{Revert, UpdateId};
use crate::Runtime;

/// How often a watch reads the panic counts.
const CHECK_EVERY: Duration = Duration::from_millis(20);

/// Watches running at most at once (each is a sleeping thread); an apply
/// asking for one more is refused.
pub(crate) const MAX_WATCHES: usize = 64;

/// Watches running now.
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// Watches running now.
pub(crate) fn running() -> usize {
    RUNNING.load(Ordering::Relaxed)
}

/// A watch on an applied update (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    /// How long after the update applied its versions are watched.
    pub window: Duration,
    /// Panics of its new versions tolerated within the window; one more
    /// reverts it.
    pub max_panics: u64,
}

impl Watch {
    /// Reverts the update if its new versions panic more than `max_panics`
    /// times within `window` of its applying.
    pub fn new(window: Duration, max_panics: u64) -> Watch {
        Watch { window, max_panics }
    }
}

/// Starts watching applied update `id` (named `name`).
pub(crate) fn start(rt: &'static Runtime, id: UpdateId, name: String, watch: Watch) {
    // The versions this update installed: (function, version number).
    let watched: Vec<_> = rt
        .history
        .installed(id)
        .into_iter()
        .map(|core| {
            (
                core,
                rt.functions
                    .record(core)
                    .version
                    .load(std::sync::atomic::Ordering::Acquire),
            )
        })
        .collect();
    let names: Vec<(String, u32)> = watched
        .iter()
        .map(|(core, v)| (core.name.to_string(), *v))
        .collect();
    let panics = move || -> Vec<u64> {
        watched
            .iter()
            .map(|(core, number)| {
                core.versions
                    .panics_by_version()
                    .into_iter()
                    .filter(|(v, _)| v == number)
                    .map(|(_, p)| p)
                    .sum()
            })
            .collect()
    };
    let baseline = panics();
    rt.events.emit(EventKind::WatchStarted {
        update: name.clone(),
        id,
        secs: watch.window.as_secs_f64(),
        max_panics: watch.max_panics,
    });

    let thread_name = name.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("moult-watch-{id}"))
        .spawn(move || {
            RUNNING.fetch_add(1, Ordering::Relaxed);
            struct Done;
            impl Drop for Done {
                fn drop(&mut self) {
                    RUNNING.fetch_sub(1, Ordering::Relaxed);
                }
            }
            let _done = Done;
            let deadline = Instant::now() + watch.window;
            let ended = |reverted: bool, detail: String| {
                rt.events.emit(EventKind::WatchEnded {
                    update: name.clone(),
                    id,
                    reverted,
                    detail,
                });
            };
            while Instant::now() < deadline {
                if rt.history.reverted_by(id).is_some() {
                    return ended(false, "reverted meanwhile; watch ended".into());
                }
                let now = panics();
                let total: u64 = now.iter().zip(&baseline).map(|(n, b)| n - b).sum();
                if total > watch.max_panics {
                    let (worst, _) = now
                        .iter()
                        .zip(&baseline)
                        .enumerate()
                        .max_by_key(|(_, (n, b))| *n - *b)
                        .map(|(i, (n, b))| (i, n - b))
                        .unwrap_or((0, 0));
                    let (function, version) = names.get(worst).cloned().unwrap_or_default();
                    let reason = format!(
                        "{total} panics in {function} v{version} within {} s (more than {} allowed)",
                        fmt_secs(watch.window),
                        watch.max_panics
                    );
                    rt.submit(Box::new(Revert::new(id, reason.clone())));
                    return ended(true, reason);
                }
                std::thread::sleep(CHECK_EVERY);
            }
            ended(
                false,
                format!(
                    "{} panics in {} s: kept",
                    panics().iter().zip(&baseline).map(|(n, b)| n - b).sum::<u64>(),
                    fmt_secs(watch.window)
                ),
            );
        });
    if let Err(e) = spawned {
        rt.events.emit(EventKind::Log {
            level: "error".into(),
            message: format!("{thread_name}: cannot start its watch: {e}"),
        });
    }
}

fn fmt_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}
