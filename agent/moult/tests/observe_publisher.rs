//! An app that starts the agent gets its figures published without asking:
//! the agent's `moult-metrics` thread reads the calls the threads counted
//! and publishes them to the app's recorder (issue 20). Nothing here calls
//! `publish_figures`.
//!
//! Its own process: it sets the runtime directory before any thread reads
//! the environment, and installs the one global recorder.

use std::time::{Duration, Instant};

use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use moult::protocol::discovery;

/// How long the figures may take to show (the thread publishes every second).
const WAIT: Duration = Duration::from_secs(30);

#[moult::hot]
fn lookup(x: u64) -> u64 {
    x * 2
}

#[test]
#[cfg_attr(miri, ignore = "Miri: real sockets and files")]
fn the_agents_thread_publishes_calls_without_the_app_asking() {
    let dir = std::env::temp_dir().join(format!("moult-observe-publisher-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // SAFETY: set before any thread of this test binary reads the environment
    // (this binary has this one test).
    unsafe { std::env::set_var(discovery::DIR_ENV, &dir) };
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder
        .install()
        .expect("the only recorder of this process");
    moult::agent::start("observe-publisher-test").expect("agent starts");

    (0..7).for_each(|i| assert_eq!(lookup(i), i * 2));
    let name = moult::hot_fn!(lookup).unwrap().name();
    let deadline = Instant::now() + WAIT;
    loop {
        // A snapshot resets what it read: the thread publishes again.
        let calls = snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .find_map(|(key, _, _, value)| {
                let key = key.key();
                let labels: Vec<(String, String)> = key
                    .labels()
                    .map(|l| (l.key().to_string(), l.value().to_string()))
                    .collect();
                let ours = key.name() == "moult_function_calls_total"
                    && labels.contains(&("function".into(), name.into()))
                    && labels.contains(&("version".into(), "0".into()));
                match value {
                    DebugValue::Counter(n) if ours && n > 0 => Some(n),
                    _ => None,
                }
            });
        if let Some(calls) = calls {
            assert_eq!(calls, 7, "every call counted once");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "moult-metrics published no calls of {name} in {WAIT:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
