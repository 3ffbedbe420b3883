//! The figures moult keeps anyway, published as `metrics`: calls and panics
//! of every hot function's versions, live instances of every class's
//! versions.
//!
//! A hot call only bumps its thread's own counter (`thread_table.rs`); it
//! never touches a metric. The figures are read from those counters — as
//! the console's snapshot reads them — and published as absolute values by
//! the agent's `moult-metrics` thread, every [`PERIOD`] and soon after an
//! update starts or ends, or by the app with [`publish_figures`].
//!
//! | metric | kind | labels | value |
//! | --- | --- | --- | --- |
//! | `moult_function_calls_total` | counter | `function`, `version` | calls made while that version was current |
//! | `moult_function_panics_total` | counter | `function`, `version` | those calls that panicked |
//! | `moult_function_version` | gauge | `function` | the version calls run now (0: compiled in) |
//! | `moult_class_instances` | gauge | `class`, `version` | live instances of that version |
//! | `moult_class_pending_lazy` | gauge | `class` | instances waiting for a lazy conversion |

use std::collections::HashSet;
use std::sync::{Condvar, Mutex, Once};
use std::time::Duration;

use metrics::{counter, gauge};

/// How often the agent's thread publishes the figures between updates.
pub(crate) const PERIOD: Duration = Duration::from_secs(1);

/// Set when an update started or ended: publish now rather than at the
/// end of the period.
static SOON: Mutex<bool> = Mutex::new(false);
/// Wakes the publisher when [`SOON`] is set.
static WAKE: Condvar = Condvar::new();
/// The (class, version) pairs published with live instances last time:
/// one that has none now is set to 0, not left at its old count. Held for
/// the whole publication, so two never interleave.
static PUBLISHED_CLASSES: Mutex<Option<HashSet<(String, u32)>>> = Mutex::new(None);

/// Publishes calls and panics per function version and live instances per
/// class version to the installed `metrics` recorder, now.
///
/// The agent's `moult-metrics` thread does it every second and after each
/// update; an app that does not start the agent (or wants figures at a
/// moment of its own) calls it. Call it from the app, not from update code:
/// an update library's copy of moult has no recorder of its own.
pub fn publish_figures() {
    let rt = crate::runtime();
    let mut published = PUBLISHED_CLASSES.lock().unwrap_or_else(|e| e.into_inner());
    for f in rt.functions() {
        gauge!("moult_function_version", "function" => f.name.clone()).set(f.version);
        for h in &f.health {
            let labels = [
                ("function", f.name.clone()),
                ("version", h.version.to_string()),
            ];
            counter!("moult_function_calls_total", &labels).absolute(h.calls);
            counter!("moult_function_panics_total", &labels).absolute(h.panics);
        }
    }
    let mut now = HashSet::new();
    for c in rt.classes() {
        gauge!("moult_class_pending_lazy", "class" => c.name.clone()).set(c.pending_lazy as f64);
        for v in &c.versions {
            gauge!("moult_class_instances", "class" => c.name.clone(), "version" => v.version.to_string())
                .set(v.live as f64);
            if v.live > 0 {
                now.insert((c.name.clone(), v.version));
            }
        }
    }
    for (class, version) in published.iter().flatten() {
        if !now.contains(&(class.clone(), *version)) {
            gauge!("moult_class_instances", "class" => class.clone(), "version" => version.to_string())
                .set(0.0);
        }
    }
    *published = Some(now);
}

/// Asks the publisher for fresh figures now (an update started or ended).
/// Only sets a flag: the observer calling it may run where the registries
/// are locked, so the publishing happens on the publisher's thread.
pub(super) fn refresh_soon() {
    *SOON.lock().unwrap_or_else(|e| e.into_inner()) = true;
    WAKE.notify_one();
}

/// Starts the `moult-metrics` thread once (the agent's start calls it).
pub(super) fn start_publisher() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        let spawned = std::thread::Builder::new()
            .name("moult-metrics".into())
            .spawn(publish_forever);
        if let Err(e) = spawned {
            crate::runtime()
                .events
                .emit(moult_protocol::EventKind::Log {
                    level: "warn".into(),
                    message: format!(
                        "moult's figures are not published ({e}): call \
                         moult::observe::publish_figures() from the app, or raise the \
                         process's thread limit"
                    ),
                });
        }
    });
}

/// The publisher: every [`PERIOD`], or when woken by [`refresh_soon`].
fn publish_forever() {
    loop {
        let soon = SOON.lock().unwrap_or_else(|e| e.into_inner());
        let (mut soon, _) = WAKE
            .wait_timeout_while(soon, PERIOD, |soon| !*soon)
            .unwrap_or_else(|e| e.into_inner());
        *soon = false;
        drop(soon);
        publish_figures();
    }
}
