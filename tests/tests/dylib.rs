//! Real update cdylibs, built by cargo, loaded with dlopen into a running
//! test app (its own process): redefinition, the statics-forwarding proof,
//! and every refusal the loader owes the user.

use std::path::PathBuf;
use std::sync::OnceLock;

use moult_e2e::{App, build};

const FIXTURES: &[&str] = &[
    "e2e-app",
    "upd-redefine",
    "upd-signature",
    "upd-unknown",
    "upd-unknown-class",
    "upd-panic-apply",
    "upd-no-entry",
    "upd-no-forward",
    "upd-fingerprint",
    "upd-reboot",
    "upd-active",
    "upd-convert",
    "upd-convert-lazy",
    "upd-convert-panic",
];

/// Builds the fixtures once for this test binary; returns the app binary.
fn app_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| build(FIXTURES).join("e2e-app"))
        .clone()
}

fn load(app: &mut App, package: &str) -> String {
    app.load(package)
}

/// Loads `package`, waits for each update, returns the outcomes as JSON text.
fn apply(app: &mut App, package: &str) -> Vec<String> {
    app.apply(package)
}

#[test]
fn a_redefine_library_changes_the_running_app() {
    let mut app = App::start(&app_binary());
    assert_eq!(app.ask("greet"), "greet hello world");
    let outcomes = apply(&mut app, "upd-redefine");
    assert_eq!(
        outcomes, [r#"outcome {"outcome":"applied"}"#; 2],
        "{:#?}",
        app.transcript
    );
    // The new version calls the app's hot `compute` by its Rust path: 41 + 1.
    assert_eq!(app.ask("greet"), "greet hello moult (42)");
    assert_eq!(app.ask("version e2e_app::greeting"), "version 1");
    assert!(app.alive());
}

#[test]
fn update_code_reaches_the_apps_statics_only_through_hot_functions() {
    let mut app = App::start(&app_binary());
    assert_eq!(app.ask("hits"), "hits 0");
    let outcomes = apply(&mut app, "upd-redefine");
    // The probe update's apply calls `record_hit` (hot: forwarded to the app's
    // registered function, so the app's HITS moves) and `plain_hit` (not hot:
    // runs the library's duplicate, whose own HITS it checks is 1, leaving the
    // app's untouched). Its outcome would be rolled_back otherwise.
    assert_eq!(outcomes[1], r#"outcome {"outcome":"applied"}"#);
    assert_eq!(app.ask("hits"), "hits 1");
}

#[test]
fn a_panicking_apply_is_rolled_back_and_the_app_keeps_running() {
    let log = std::env::temp_dir().join(format!("moult-panic-apply-{}.err", std::process::id()));
    let mut app = App::start_with_stderr(&app_binary(), std::fs::File::create(&log).unwrap());
    assert_eq!(app.ask("compute 1"), "compute 2");
    let outcomes = apply(&mut app, "upd-panic-apply");
    assert_eq!(outcomes.len(), 1);
    let outcome = &outcomes[0];
    assert!(outcome.contains(r#""outcome":"rolled_back""#), "{outcome}");
    assert!(
        outcome.contains("panicked: update bug: index out of range"),
        "{outcome}"
    );
    assert!(
        outcome.contains("e2e_app::compute back to version 0"),
        "{outcome}"
    );
    assert_eq!(app.ask("compute 1"), "compute 2", "old version restored");
    assert_eq!(app.ask("version e2e_app::compute"), "version 0");
    assert!(app.alive());
    // The library's own std prints the panic: it names the app's thread
    // (the manager's), not `<unnamed>`.
    let stderr = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    assert!(
        stderr.contains("thread 'moult-manager' (")
            && stderr.contains("panicked at tests/fixtures/upd-panic-apply/src/lib.rs:")
            && stderr.contains("update bug: index out of range"),
        "{stderr}"
    );
    assert!(!stderr.contains("<unnamed>"), "{stderr}");
}

#[test]
fn a_wrong_signature_is_refused_naming_both() {
    let mut app = App::start(&app_binary());
    let reply = load(&mut app, "upd-signature");
    assert!(reply.starts_with("error "), "{reply}");
    assert!(
        reply.contains("signature mismatch for `e2e_app::compute`"),
        "{reply}"
    );
    assert!(
        reply.contains("`fn(u64) -> u64`") && reply.contains("`fn(u32) -> u32`"),
        "{reply}"
    );
    assert_eq!(app.ask("compute 1"), "compute 2");
}

#[test]
fn an_unknown_function_is_refused_listing_the_known_ones() {
    let mut app = App::start(&app_binary());
    let reply = load(&mut app, "upd-unknown");
    assert!(
        reply.contains("unknown hot function `e2e_app::greting`"),
        "{reply}"
    );
    assert!(
        reply.contains("e2e_app::greeting"),
        "lists what exists: {reply}"
    );
}

#[test]
fn an_unknown_class_is_refused_listing_the_known_ones() {
    let mut app = App::start(&app_binary());
    let reply = load(&mut app, "upd-unknown-class");
    assert!(reply.contains("unknown class `e2e_app::Shap`"), "{reply}");
    assert!(
        reply.contains("e2e_app::Shape"),
        "lists what exists: {reply}"
    );
    assert_eq!(
        app.ask("shapes"),
        "shapes square 1, square 2, square 3, square 4, square 5"
    );
}

#[test]
fn a_fingerprint_mismatch_is_refused_before_any_library_code_runs() {
    let mut app = App::start(&app_binary());
    // The library's initialiser aborts the process if dlopen ever runs it.
    let reply = load(&mut app, "upd-fingerprint");
    assert!(reply.contains("built differently from the app"), "{reply}");
    assert!(
        reply.contains("library `1.0.0 (old)`"),
        "names the differing rustc: {reply}"
    );
    assert_eq!(app.ask("greet"), "greet hello world");
    assert!(app.alive());
}

#[test]
fn a_library_whose_allocator_does_not_forward_is_refused_before_its_code_runs() {
    let mut app = App::start(&app_binary());
    let reply = load(&mut app, "upd-no-forward");
    assert!(
        reply.contains("its global allocator does not forward to the app's"),
        "{reply}"
    );
    assert!(
        reply.contains("#[moult::update_library]"),
        "says the fix: {reply}"
    );
    // Its initialiser aborts the process had it run.
    assert_eq!(app.ask("greet"), "greet hello world");
    assert!(app.alive());
}

#[test]
fn a_library_without_entry_and_files_that_are_not_updates_are_refused() {
    let mut app = App::start(&app_binary());
    let reply = load(&mut app, "upd-no-entry");
    assert!(reply.contains("no `moult_update_entry` entry"), "{reply}");

    let dir = std::env::temp_dir().join(format!("moult-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = dir.join("notes.so");
    std::fs::write(&text, "not an ELF file").unwrap();
    let reply = app.ask(&format!("load {}", text.display()));
    assert!(
        reply.contains("not a moult update library (not a shared object"),
        "{reply}"
    );

    // A real shared object that is not a moult update: the app binary's own libc.
    let libc = [
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/usr/lib/x86_64-linux-gnu/libc.so.6",
        "/lib64/libc.so.6",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .expect("a libc.so.6 on this machine");
    let reply = app.ask(&format!("load {libc}"));
    assert!(reply.contains("no .moult_update section"), "{reply}");

    let reply = app.ask(&format!("load {}", dir.join("missing.so").display()));
    assert!(reply.contains("cannot read it"), "{reply}");
    let reply = app.ask(&format!("load {}", dir.display()));
    assert!(reply.contains("not a regular file"), "{reply}");
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(app.ask("greet"), "greet hello world");
}

#[test]
fn each_load_gets_a_fresh_copy_so_a_rebuilt_library_is_really_reloaded() {
    let mut app = App::start(&app_binary());
    let outcomes = apply(&mut app, "upd-redefine");
    assert_eq!(outcomes[0], r#"outcome {"outcome":"applied"}"#);
    // Loading the same file again loads a second image (unique copy), whose
    // update applies again on top of the first.
    let outcomes = apply(&mut app, "upd-redefine");
    assert_eq!(outcomes[0], r#"outcome {"outcome":"applied"}"#);
    assert_eq!(app.ask("version e2e_app::greeting"), "version 2");
    let copies = std::fs::read_dir(
        std::env::temp_dir()
            .join(format!("moult-{}", moult_e2e::effective_uid()))
            .join(format!("libs-{}", app.pid())),
    )
    .unwrap()
    .count();
    assert_eq!(copies, 2, "one private copy per load");
}

/// Polls `worker` until its report satisfies `pred`.
fn wait_worker(app: &mut App, pred: impl Fn(&str) -> bool) -> String {
    app.ask_until("worker", std::time::Duration::from_secs(20), pred)
}

#[test]
fn a_thread_is_rebooted_onto_a_library_main_and_again_from_inside_it() {
    let mut app = App::start(&app_binary());
    wait_worker(&mut app, |s| s == "worker worker v1");
    assert_eq!(
        apply(&mut app, "upd-reboot"),
        [r#"outcome {"outcome":"applied"}"#]
    );
    let first = wait_worker(&mut app, |s| {
        s.starts_with("worker worker v2 start 1 image ")
    });
    // Second image of the same library: rebooting out of the first image's
    // main unwinds through library frames, caught by that library's std.
    assert_eq!(
        apply(&mut app, "upd-reboot"),
        [r#"outcome {"outcome":"applied"}"#]
    );
    let second = wait_worker(&mut app, |s| {
        s.starts_with("worker worker v2 start 1 image ") && s != first
    });
    assert_ne!(first, second, "the second load runs a distinct image");
    let threads = app.ask("threads");
    assert!(
        threads.contains(r#""name":"worker""#) && threads.contains(r#""reboots":2"#),
        "{threads}"
    );
    assert!(threads.contains(r#""main_version":2"#), "{threads}");
    // The library main's hot calls are counted under the thread's name,
    // not `tid N` (walkthrough defect 4: the library's std never saw the
    // app name the thread).
    let mut client = moult_e2e::Client::hello(&app.socket());
    let moult_protocol::ServerMessage::Ok {
        result: moult_protocol::Response::Snapshot { snapshot },
        ..
    } = client.request(moult_protocol::Request::Snapshot)
    else {
        panic!("no snapshot")
    };
    let report = snapshot
        .functions
        .iter()
        .find(|f| f.name == "e2e_app::report")
        .expect("report is hot");
    let names: Vec<&str> = report.threads.iter().map(|t| t.thread.as_str()).collect();
    assert!(names.contains(&"worker"), "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("tid ")), "{names:?}");
    assert!(app.alive());
}

#[test]
fn library_closures_run_on_the_dsu_thread_and_their_panics_are_errors() {
    let mut app = App::start(&app_binary());
    wait_worker(&mut app, |s| s == "worker worker v1");
    assert_eq!(
        apply(&mut app, "upd-active"),
        [r#"outcome {"outcome":"applied"}"#],
        "{:#?}",
        app.transcript
    );
    // The worker survived the panicking closure and still runs its main.
    wait_worker(&mut app, |s| s == "worker worker v1");
    let threads = app.ask("threads");
    assert!(
        threads.contains(r#""state":{"state":"running"}"#),
        "{threads}"
    );
}

#[test]
fn a_conversion_library_converts_every_live_instance_to_its_own_type() {
    let mut app = App::start(&app_binary());
    assert_eq!(
        app.ask("shapes"),
        "shapes square 1, square 2, square 3, square 4, square 5"
    );
    assert_eq!(
        apply(&mut app, "upd-convert"),
        [r#"outcome {"outcome":"applied"}"#]
    );
    assert_eq!(
        app.ask("shapes"),
        "shapes red square 1, red square 2, red square 3, red square 4, red square 5"
    );
    // The constructor of record is the library's now.
    assert_eq!(app.ask("new-shape 9"), "new-shape blue square 9");
    let classes = app.ask("classes");
    assert!(
        classes.contains(r#""name":"e2e_app::Shape","version":1"#),
        "{classes}"
    );
    assert!(
        classes.contains(r#"{"version":0,"type_name":"e2e_app::Square","live":0}"#),
        "{classes}"
    );
    assert!(
        classes.contains(r#"{"version":1,"type_name":"upd_shapes::ColoredSquare","live":6}"#),
        "{classes}"
    );
}

#[test]
fn a_lazy_conversion_library_converts_on_access_on_app_threads() {
    let mut app = App::start(&app_binary());
    assert_eq!(
        apply(&mut app, "upd-convert-lazy"),
        [r#"outcome {"outcome":"applied"}"#]
    );
    let classes = app.ask("classes");
    assert!(
        classes.contains(r#""pending_lazy":5"#),
        "nothing converted at apply: {classes}"
    );
    // Reading converts, on the app's main thread, with the library's transformer.
    assert_eq!(
        app.ask("shapes"),
        "shapes green square 1, green square 2, green square 3, green square 4, green square 5"
    );
    assert!(app.ask("classes").contains(r#""pending_lazy":0"#));
}

#[test]
fn a_transformer_panicking_in_a_library_rolls_every_instance_back() {
    let mut app = App::start(&app_binary());
    let outcomes = apply(&mut app, "upd-convert-panic");
    assert!(
        outcomes[0].contains(r#""outcome":"rolled_back""#),
        "{outcomes:?}"
    );
    assert!(
        outcomes[0].contains("transformer bug at the third shape"),
        "{outcomes:?}"
    );
    assert_eq!(
        app.ask("shapes"),
        "shapes square 1, square 2, square 3, square 4, square 5"
    );
    assert_eq!(
        app.ask("new-shape 7"),
        "new-shape square 7",
        "constructor of record restored"
    );
    assert!(app.alive());
}

/// A copies directory left by a process that has exited (and was reaped):
/// the directory of copies, and the leftover in it.
fn dead_process_copies() -> (PathBuf, PathBuf) {
    let mut dead = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = dead.id();
    dead.wait().unwrap();
    let parent = std::env::temp_dir().join(format!("moult-{}", moult_e2e::effective_uid()));
    let leftover = parent.join(format!("libs-{dead_pid}"));
    std::fs::create_dir_all(&leftover).unwrap();
    std::fs::write(leftover.join("0-libold.so"), b"old copy").unwrap();
    (parent, leftover)
}

#[test]
fn library_copies_of_dead_processes_are_swept() {
    let (parent, leftover) = dead_process_copies();
    let mut app = App::start(&app_binary());
    let outcomes = apply(&mut app, "upd-redefine");
    assert_eq!(outcomes[0], r#"outcome {"outcome":"applied"}"#);
    assert!(
        !leftover.exists(),
        "copies of processes that are gone are swept by the first load at the latest"
    );
    assert!(parent.join(format!("libs-{}", app.pid())).is_dir());
}

/// The sweep happens as the agent starts, not at the first update (which
/// paid for it, in a kv-server's first update window under load).
#[test]
fn the_agent_sweeps_dead_copies_before_any_update() {
    let (parent, leftover) = dead_process_copies();
    let mut app = App::start(&app_binary());
    let mine = parent.join(format!("libs-{}", app.pid()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while (leftover.exists() || !mine.is_dir()) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!leftover.exists(), "swept with no update loaded");
    assert!(mine.is_dir(), "the app's own copies directory is ready");
    assert!(app.alive());
}
