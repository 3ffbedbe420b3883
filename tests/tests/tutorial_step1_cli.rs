//! The step 1 tutorial, driven the way an operator does it: each demo app
//! runs as its real binary, `moult-console apply <pid> demo-apps/<id>/solution`
//! builds the solution crate with cargo and applies it through the agent's
//! socket, and the app's own output shows the new behaviour. `status --json`
//! then shows the new versions and `log` the journal. An untouched starter
//! applies cleanly and changes nothing.

use std::path::PathBuf;
use std::sync::OnceLock;

use moult_e2e::{Demo, all_in, build, build_into, library_path, workspace_root};
use moult_protocol::{JournalAction, JournalEntry, Snapshot};

/// Builds the console; returns the bin dir.
fn bin_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build(&["moult-console"])).clone()
}

/// Builds `app` on its own, as a learner does (`cargo build -p <app>`):
/// the update crates `moult-console` builds then see the same build of the
/// app's crate. Returns its binary.
fn app_binary(app: &str) -> PathBuf {
    build(&[app]).join(app)
}

fn crate_dir(app: &str, kind: &str) -> String {
    let dir = workspace_root().join("demo-apps").join(app).join(kind);
    dir.to_str().unwrap().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Starts `app`, applies its solution crate with the CLI, checks the exit
/// code, the snapshot and the journal; returns 10 lines before and after.
fn apply_solution(app: &str) -> (Vec<String>, Vec<String>, Snapshot) {
    let bin = bin_dir();
    let mut demo = Demo::start(&app_binary(app));
    let pid = demo.pid().to_string();
    let before = demo.fresh_lines(10);
    let applied = demo.console(&bin, &["apply", &pid, &crate_dir(app, "solution")]);
    let out = text(&applied.stdout);
    assert_eq!(
        applied.status.code(),
        Some(0),
        "apply {app}:\n{out}\n{}",
        text(&applied.stderr)
    );
    assert!(out.contains(": applied\n"), "{out}");
    let after = demo.fresh_lines(10);

    let status = demo.console(&bin, &["status", &pid, "--json"]);
    assert!(status.status.success(), "{}", text(&status.stderr));
    let snapshot: Snapshot = serde_json::from_slice(&status.stdout).unwrap();

    let log = demo.console(&bin, &["log", &pid, "--json"]);
    assert!(log.status.success(), "{}", text(&log.stderr));
    let entries: Vec<JournalEntry> = text(&log.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries[0].action, JournalAction::Staged, "{entries:#?}");
    assert!(
        entries[0]
            .detail
            .contains(&format!("lib{}_solution.so", app.replace('-', "_"))),
        "{entries:#?}"
    );
    let applied = entries
        .iter()
        .filter(|e| e.action == JournalAction::Applied)
        .count();
    let queued = entries
        .iter()
        .filter(|e| e.action == JournalAction::Queued)
        .count();
    assert!(applied >= 1 && applied == queued, "{entries:#?}");
    (before, after, snapshot)
}

fn function_version(snapshot: &Snapshot, name: &str) -> u32 {
    snapshot
        .functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no {name} in {:#?}", snapshot.functions))
        .version
}

const DATA_V1: [&str; 5] = ["data 1", "data 2", "data 3", "data 4", "data 5"];
const DATA_V2: [&str; 5] = [
    "data 1 from origin",
    "data 2 from origin",
    "data 3 from origin",
    "data 4 from origin",
    "data 5 from origin",
];

#[test]
fn hello_the_solution_changes_the_greeting() {
    let (before, after, snapshot) = apply_solution("step1-hello");
    all_in(&before, &["hello world"]);
    all_in(&after, &["hello moult"]);
    assert_eq!(function_version(&snapshot, "step1_hello::hello"), 1);
}

#[test]
fn tictoc_the_solution_redefines_tic_and_tac() {
    let (before, after, snapshot) = apply_solution("step1-tictoc");
    all_in(&before, &["tic", "tac"]);
    all_in(&after, &["tic v2", "tac v2"]);
    assert!(after.iter().any(|l| l == "tic v2") && after.iter().any(|l| l == "tac v2"));
    assert_eq!(function_version(&snapshot, "step1_tictoc::tic"), 1);
    assert_eq!(function_version(&snapshot, "step1_tictoc::tac"), 1);
}

#[test]
fn data_the_solution_converts_every_instance() {
    let (before, after, snapshot) = apply_solution("step1-data");
    all_in(&before, &DATA_V1);
    all_in(&after, &DATA_V2);
    for line in DATA_V2 {
        assert!(after.iter().any(|l| l == line), "no {line:?} in {after:#?}");
    }
    let class = &snapshot.classes[0];
    assert_eq!(class.version, 1, "{class:#?}");
    let live: Vec<(u32, u64)> = class.versions.iter().map(|v| (v.version, v.live)).collect();
    assert!(live.contains(&(1, 5)), "five instances at v1: {live:?}");
    assert!(
        !live.iter().any(|&(v, n)| v == 0 && n > 0),
        "none left at v0: {live:?}"
    );
}

#[test]
fn untouched_starters_apply_and_change_nothing() {
    let bin = bin_dir();
    for (app, vocabulary) in [
        ("step1-hello", &["hello world"][..]),
        ("step1-tictoc", &["tic", "tac"][..]),
        ("step1-data", &DATA_V1[..]),
    ] {
        let mut demo = Demo::start(&app_binary(app));
        let pid = demo.pid().to_string();
        let applied = demo.console(&bin, &["apply", &pid, &crate_dir(app, "starter")]);
        assert_eq!(applied.status.code(), Some(0), "{}", text(&applied.stderr));
        all_in(&demo.fresh_lines(10), vocabulary);
    }
}

/// Regression: an app built together with unrelated packages gets another
/// cargo metadata hash than the one an update crate built on its own sees,
/// so the app's types are distinct to Rust. The update is refused before it
/// touches anything, and the message names both causes (another package
/// selection, or source changed since the app was built) and each fix.
#[test]
fn an_update_built_against_another_build_of_the_app_is_refused_with_the_fix() {
    let bin = bin_dir();
    // Built with the console in one cargo run, in a separate target dir so
    // the other tests' binaries stay as they are.
    let apart = moult_e2e::target_dir().join("e2e-built-apart");
    let app = build_into(&apart, &["step1-data", "moult-console"]).join("step1-data");
    let mut demo = Demo::start(&app);
    let pid = demo.pid().to_string();
    let solution = library_path("step1-data-solution");
    build(&["step1-data-solution"]);
    let applied = demo.console(&bin, &["apply", &pid, solution.to_str().unwrap()]);
    let err = text(&applied.stderr);
    assert_eq!(applied.status.code(), Some(1), "{err}");
    assert!(
        err.contains("compiled against another build of the app's crate"),
        "{err}"
    );
    // Both causes, each with its fix.
    assert!(
        err.contains("the package selection or features differed")
            && err.contains("cargo build -p <app>"),
        "{err}"
    );
    assert!(
        err.contains("the app's source changed since the running binary was built")
            && err.contains("restart the app from the current source"),
        "{err}"
    );
    all_in(&demo.fresh_lines(10), &DATA_V1);
}
