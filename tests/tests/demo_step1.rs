//! The step 1 tutorial demos, without the socket: each demo app's own loop
//! runs in a process that then loads an update crate with
//! `moult::load_update` — its solution changes what the app prints from the
//! next line on, its untouched starter changes nothing.
//!
//! Each scenario is a child process (this test binary re-run on the ignored
//! test [`child`]) whose whole stdout is read: the app's lines and the
//! update library's (printed by the library's own copy of `std`) alike.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use moult::protocol::Outcome;
use moult_e2e::{build, library_path};

/// Set in a child: which demo app to run.
const CHILD_APP: &str = "MOULT_DEMO_CHILD_APP";
/// Set in a child: the update library to load into it.
const CHILD_LIBRARY: &str = "MOULT_DEMO_CHILD_LIBRARY";

/// Printed by the child around the app's output it owes the parent.
const START: &str = "== start";
const APPLYING: &str = "== applying";
const APPLIED: &str = "== applied";
const DONE: &str = "== done";

/// Builds every step 1 update crate once for this test binary.
fn built() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        build(&[
            "step1-hello-starter",
            "step1-hello-solution",
            "step1-tictoc-starter",
            "step1-tictoc-solution",
            "step1-data-starter",
            "step1-data-solution",
        ]);
    });
}

/// Runs `app` in a child that loads `package`; returns the app's lines
/// before the load and after its updates applied (not those printed while
/// they apply: either version may show there).
fn run(app: &str, package: &str) -> (Vec<String>, Vec<String>) {
    built();
    let out = Command::new(std::env::current_exe().expect("test binary"))
        .args(["child", "--exact", "--ignored", "--nocapture", "-q"])
        .env(CHILD_APP, app)
        .env(CHILD_LIBRARY, library_path(package))
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{app} + {package} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let at = |marker: &str| {
        lines
            .iter()
            .position(|l| *l == marker)
            .unwrap_or_else(|| panic!("no {marker:?} in:\n{stdout}"))
    };
    let (start, applying) = (at(START), at(APPLYING));
    let (applied, done) = (at(APPLIED), at(DONE));
    let app_lines = |from: usize, to: usize| -> Vec<String> {
        let lines: Vec<String> = lines[from + 1..to]
            .iter()
            .filter(|l| !l.starts_with("== "))
            .map(|l| l.to_string())
            .collect();
        assert!(!lines.is_empty(), "no app output in:\n{stdout}");
        lines
    };
    (app_lines(start, applying), app_lines(applied, done))
}

/// Asserts every line is one of `expected`.
fn all_in(lines: &[String], expected: &[&str]) {
    for line in lines {
        assert!(
            expected.contains(&line.as_str()),
            "unexpected {line:?} in {lines:#?}"
        );
    }
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
fn hello_solution_says_hello_moult() {
    let (before, after) = run("step1-hello", "step1-hello-solution");
    all_in(&before, &["hello world"]);
    all_in(&after, &["hello moult"]);
}

#[test]
fn tictoc_solution_redefines_tic_and_tac() {
    let (before, after) = run("step1-tictoc", "step1-tictoc-solution");
    all_in(&before, &["tic", "tac"]);
    all_in(&after, &["tic v2", "tac v2"]);
    assert!(after.iter().any(|l| l == "tic v2") && after.iter().any(|l| l == "tac v2"));
}

#[test]
fn data_solution_converts_every_instance() {
    let (before, after) = run("step1-data", "step1-data-solution");
    all_in(&before, &DATA_V1);
    all_in(&after, &DATA_V2);
    assert!(after.len() >= 5, "{after:#?}");
}

#[test]
fn untouched_starters_change_nothing() {
    for (app, vocabulary) in [
        ("step1-hello", &["hello world"][..]),
        ("step1-tictoc", &["tic", "tac"][..]),
        ("step1-data", &DATA_V1[..]),
    ] {
        let (before, after) = run(app, &format!("{app}-starter"));
        all_in(&before, vocabulary);
        all_in(&after, vocabulary);
    }
}

/// The child: runs the app's loop (period 20 ms), loads the library, waits
/// for each of its updates, then lets the app print a while longer.
#[test]
#[ignore = "child process of the other tests of this file"]
fn child() {
    let (Ok(app), Ok(library)) = (std::env::var(CHILD_APP), std::env::var(CHILD_LIBRARY)) else {
        return;
    };
    let period = Duration::from_millis(20);
    println!("{START}");
    std::thread::spawn(move || match app.as_str() {
        "step1-hello" => step1_hello::run(period),
        "step1-tictoc" => step1_tictoc::run(period),
        "step1-data" => step1_data::run(period),
        other => panic!("unknown demo app {other}"),
    });
    std::thread::sleep(Duration::from_millis(300));
    println!("{APPLYING}");
    load(Path::new(&library));
    println!("{APPLIED}");
    std::thread::sleep(Duration::from_millis(300));
    println!("{DONE}");
}

/// Loads `library` and waits until each of its updates applied.
fn load(library: &Path) {
    let ids =
        moult::load_update(library).unwrap_or_else(|e| panic!("load {}: {e}", library.display()));
    for id in ids {
        let outcome = moult::runtime().wait(id, Duration::from_secs(20));
        assert_eq!(
            outcome,
            Some(Outcome::Applied),
            "update {id} of {}",
            library.display()
        );
    }
}
