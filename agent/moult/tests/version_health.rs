//! Each version of a hot function counts its calls and its panics (issue
//! 14): calls of threads that exited still count, a reboot unwinding
//! through a hot call is not a panic, and a burst of panics is reported by
//! few `version_panicked` events, never one per panic.

use std::time::Duration;

use moult::dsu::ThreadReboot;
use moult::protocol::{EventKind, Outcome, VersionHealth};
use moult::update::SafeRedefine;

#[moult::hot]
fn serve(x: u64) -> u64 {
    x + 1
}

/// Panics on odd requests.
fn serve_v1(x: u64) -> u64 {
    if x % 2 == 1 {
        panic!("v1 cannot serve {x}");
    }
    x + 100
}

#[moult::hot]
fn step() {
    moult::update_point!("step");
    std::thread::sleep(Duration::from_millis(1));
}

fn loop_main() {
    loop {
        step();
    }
}

fn health_of(name: &str) -> Vec<VersionHealth> {
    moult::runtime()
        .functions()
        .into_iter()
        .find(|f| f.name.ends_with(name))
        .expect("registered")
        .health
}

#[test]
fn versions_count_calls_and_panics_and_bursts_are_summarised() {
    let rt = moult::init();
    std::panic::set_hook(Box::new(|_| {})); // 1 000 expected panics: keep the output short
    // 300 calls on a thread that then exits, 200 here.
    std::thread::spawn(|| (0..300).for_each(|i| assert_eq!(serve(i), i + 1)))
        .join()
        .unwrap();
    (0..200).for_each(|i| assert_eq!(serve(i), i + 1));
    assert_eq!(
        health_of("::serve"),
        [VersionHealth {
            version: 0,
            calls: 500,
            panics: 0
        }]
    );

    let f = moult::hot_fn!(serve).unwrap();
    let id = rt.submit(Box::new(SafeRedefine::new(f, serve_v1 as fn(u64) -> u64)));
    assert_eq!(rt.wait(id, Duration::from_secs(20)), Some(Outcome::Applied));
    let cursor = rt.events().cursor();
    let mut failed = 0;
    for i in 0..2000u64 {
        if std::panic::catch_unwind(|| serve(i)).is_err() {
            failed += 1;
        }
    }
    assert_eq!(failed, 1000);
    assert_eq!(
        health_of("::serve"),
        [
            VersionHealth {
                version: 0,
                calls: 500,
                panics: 0
            },
            VersionHealth {
                version: 1,
                calls: 2000,
                panics: 1000
            },
        ]
    );
    let reports: Vec<(u32, u64, u64)> = rt
        .events()
        .since(cursor)
        .events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::VersionPanicked {
                version,
                panics,
                since_last,
                ..
            } => Some((version, panics, since_last)),
            _ => None,
        })
        .collect();
    assert!(
        !reports.is_empty() && reports.len() <= 3,
        "a burst is summarised: {reports:?}"
    );
    assert!(reports.iter().all(|&(v, _, _)| v == 1), "{reports:?}");
    assert!(
        reports.iter().map(|r| r.2).sum::<u64>() <= 1000,
        "{reports:?}"
    );
    let _ = std::panic::take_hook();
}

#[test]
fn a_reboot_unwinding_through_a_hot_call_is_not_a_panic() {
    let rt = moult::init();
    let thread = moult::dsu::spawn("stepper", loop_main).unwrap();
    assert!(thread.wait_for(Duration::from_secs(10), |i| i.last_point.is_some()));
    let id = rt.submit(Box::new(ThreadReboot::new("stepper")));
    assert_eq!(rt.wait(id, Duration::from_secs(20)), Some(Outcome::Applied));
    assert!(thread.wait_for(Duration::from_secs(10), |i| i.reboots == 1));
    let health = health_of("::step");
    assert!(health.iter().all(|h| h.panics == 0), "{health:?}");
    assert!(health[0].calls > 0, "{health:?}");
}
