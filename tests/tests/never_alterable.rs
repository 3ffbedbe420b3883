//! Alterability that never comes, against a live e2e-app over its socket:
//!
//! - a DSU thread that never reaches its update point (the `worker`, stalled
//!   by `stall on`) while `upd-reboot` asks to park and reboot it: the update
//!   is postponed (3 times, by the manager) then aborted naming the thread;
//! - a function always active (`busy on` keeps `e2e_app::busy` running)
//!   while `upd-stuck` waits for it: postponed by the operator, then aborted.
//!
//! Afterwards, read from a snapshot: no thread parked, no function gated, and
//! calls keep flowing (per-thread call counts of hot functions grow, the
//! stalled worker passes its update point again on its *old* main).
//! (`console_cli.rs` covers the same blocked function through the CLI's
//! `--timeout`.) Run: `cargo test -p moult-e2e --test never_alterable`.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use moult_e2e::{App, Client, build, library_path};
use moult_protocol::{EventKind, Outcome, Request, Response, ServerMessage, Snapshot, ThreadState};

fn app_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| build(&["e2e-app", "upd-reboot", "upd-stuck"]).join("e2e-app"))
        .clone()
}

fn snapshot(c: &mut Client) -> Snapshot {
    match c.request(Request::Snapshot) {
        ServerMessage::Ok {
            result: Response::Snapshot { snapshot },
            ..
        } => snapshot,
        other => panic!("snapshot got {other:?}"),
    }
}

/// Applies `package`; returns the id of its single update.
fn apply(c: &mut Client, package: &str) -> u64 {
    let path = library_path(package).display().to_string();
    match c.request(Request::Apply { path, watch: None }) {
        ServerMessage::Ok {
            result: Response::Queued { updates },
            ..
        } => {
            assert_eq!(updates.len(), 1, "{updates:?}");
            updates[0].id
        }
        other => panic!("apply {package} got {other:?}"),
    }
}

/// Every `UpdateDone` outcome of update `id` until one that is not a
/// postponement (or `timeout`).
fn outcomes_until_final(c: &mut Client, id: u64, timeout: Duration) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    c.collect_until(timeout, |m| {
        if let ServerMessage::Events { events, .. } = m {
            for e in events {
                if let EventKind::UpdateDone { id: i, outcome, .. } = &e.kind
                    && *i == id
                {
                    outcomes.push(outcome.clone());
                }
            }
        }
        outcomes
            .last()
            .is_some_and(|o| !matches!(o, Outcome::Postponed(_)))
    });
    outcomes
}

/// Calls made so far to hot function `name`, summed over threads.
fn calls(s: &Snapshot, name: &str) -> u64 {
    s.functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{name} not in the snapshot"))
        .threads
        .iter()
        .map(|t| t.calls)
        .sum()
}

/// No thread parked, no function gated: nothing is held after an abort.
fn assert_nothing_held(s: &Snapshot) {
    for t in &s.threads {
        assert!(
            !matches!(t.state, ThreadState::Parked(_) | ThreadState::Rebooting),
            "{t:?}"
        );
    }
    for f in &s.functions {
        assert!(!f.gated, "{} still gated", f.name);
    }
}

/// Waits (bounded) until `pred` holds for a fresh snapshot.
fn wait_snapshot(c: &mut Client, what: &str, pred: impl Fn(&Snapshot) -> bool) -> Snapshot {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let s = snapshot(c);
        if pred(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "{what}: {s:#?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_thread_that_never_reaches_its_update_point_gets_the_update_postponed_then_aborted() {
    let mut app = App::start(&app_binary());
    let mut c = Client::hello(&app.socket());
    assert_eq!(app.ask("stall on"), "stall on");
    let Response::Subscribed { .. } = (match c.request(Request::Subscribe) {
        ServerMessage::Ok { result, .. } => result,
        other => panic!("subscribe got {other:?}"),
    }) else {
        panic!("not subscribed")
    };
    let id = apply(&mut c, "upd-reboot");
    let outcomes = outcomes_until_final(&mut c, id, Duration::from_secs(60));
    // Postponed by the manager 3 times, then aborted, each naming the thread.
    assert_eq!(outcomes.len(), 4, "{outcomes:#?}");
    for o in &outcomes[..3] {
        let Outcome::Postponed(why) = o else {
            panic!("{outcomes:#?}")
        };
        assert!(why.contains("worker"), "{why}");
        assert!(why.contains("not at an update point"), "{why}");
    }
    let Outcome::Aborted(why) = &outcomes[3] else {
        panic!("{outcomes:#?}")
    };
    assert!(why.contains("postponed 4 times"), "{why}");
    assert!(why.contains("not at an update point"), "{why}");

    let s = snapshot(&mut c);
    assert_nothing_held(&s);
    let worker = s.threads.iter().find(|t| t.name == "worker").unwrap();
    assert_eq!(
        (&worker.state, worker.main_version, worker.reboots),
        (&ThreadState::Running, 0, 0)
    );
    // The stalled worker, released, passes its update point again and is not
    // parked there (the withdrawn park request does not fire late): its hot
    // `report` calls grow and it still runs its old main.
    let before = calls(&s, "e2e_app::report");
    assert_eq!(app.ask("stall off"), "stall off");
    let s = wait_snapshot(&mut c, "the worker reports again", |s| {
        calls(s, "e2e_app::report") > before + 20
    });
    assert_nothing_held(&s);
    assert_eq!(app.ask("worker"), "worker worker v1");
    let worker = s.threads.iter().find(|t| t.name == "worker").unwrap();
    assert_eq!(worker.last_point.as_deref(), Some("loop"));
    assert_eq!((worker.main_version, worker.reboots), (0, 0));
    // The app's other threads kept going throughout.
    let greet = calls(&s, "e2e_app::greeting");
    wait_snapshot(&mut c, "greeting calls flow", |s| {
        calls(s, "e2e_app::greeting") > greet + 20
    });
    assert_eq!(app.ask("greet"), "greet hello world");
    // Nothing was left behind: the same update, applied again now that the
    // worker passes its point, parks and reboots it.
    let again = apply(&mut c, "upd-reboot");
    let outcomes = outcomes_until_final(&mut c, again, Duration::from_secs(60));
    assert_eq!(outcomes, [Outcome::Applied]);
    let s = wait_snapshot(&mut c, "the worker runs v2", |s| {
        s.threads
            .iter()
            .any(|t| t.name == "worker" && t.main_version == 1 && t.state == ThreadState::Running)
    });
    assert_nothing_held(&s);
    assert!(app.alive());
}

#[test]
fn a_function_always_active_gets_the_update_postponed_by_the_operator_then_aborted() {
    let mut app = App::start(&app_binary());
    let mut c = Client::hello(&app.socket());
    let mut watcher = Client::hello(&app.socket());
    assert!(matches!(
        watcher.request(Request::Subscribe),
        ServerMessage::Ok {
            result: Response::Subscribed { .. },
            ..
        }
    ));
    assert_eq!(app.ask("busy on"), "busy on");
    let id = apply(&mut c, "upd-stuck");
    // Wait until it is trying, then postpone it: back in the queue.
    wait_snapshot(&mut c, "the update tries alterability", |s| {
        s.updates
            .iter()
            .any(|u| u.id == id && u.step == moult_protocol::LifecycleStep::Alterability)
    });
    assert!(matches!(
        c.request(Request::Postpone { update: id }),
        ServerMessage::Ok { .. }
    ));
    let postponed = outcomes_until_final(&mut watcher, id, Duration::from_secs(10));
    assert!(
        matches!(postponed.first(), Some(Outcome::Postponed(why)) if why.contains("postponed by operator")),
        "{postponed:#?}"
    );
    // It is retried, still blocked; abort it.
    wait_snapshot(&mut c, "the update tries again", |s| {
        s.updates
            .iter()
            .any(|u| u.id == id && u.step == moult_protocol::LifecycleStep::Alterability)
    });
    assert!(matches!(
        c.request(Request::Abort { update: id }),
        ServerMessage::Ok { .. }
    ));
    let rest = outcomes_until_final(&mut watcher, id, Duration::from_secs(10));
    assert!(
        matches!(rest.last(), Some(Outcome::Aborted(why)) if why.contains("aborted by operator")),
        "{rest:#?}"
    );

    let s = snapshot(&mut c);
    assert_nothing_held(&s);
    let busy = s
        .functions
        .iter()
        .find(|f| f.name == "e2e_app::busy")
        .unwrap();
    assert_eq!((busy.version, busy.gated), (0, false), "{busy:?}");
    // Calls keep flowing: greeting on the background thread, report on the worker.
    let (greet, report) = (calls(&s, "e2e_app::greeting"), calls(&s, "e2e_app::report"));
    wait_snapshot(&mut c, "calls flow", |s| {
        calls(s, "e2e_app::greeting") > greet + 20 && calls(s, "e2e_app::report") > report + 20
    });
    // The always-active caller returns once released; a new call enters
    // (not held at a gate) and is active again.
    assert_eq!(app.ask("busy off"), "busy off");
    wait_snapshot(&mut c, "busy returns", |s| {
        s.functions
            .iter()
            .find(|f| f.name == "e2e_app::busy")
            .is_some_and(|f| f.threads.iter().all(|t| t.active == 0))
    });
    assert_eq!(app.ask("busy on"), "busy on");
    wait_snapshot(&mut c, "a new busy call enters", |s| {
        s.functions
            .iter()
            .find(|f| f.name == "e2e_app::busy")
            .is_some_and(|f| f.threads.iter().any(|t| t.active == 1))
    });
    assert_eq!(app.ask("busy off"), "busy off");
    assert_eq!(app.ask("greet"), "greet hello world");
    assert!(app.alive());
}
