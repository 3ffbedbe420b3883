//! `moult-console new` against the real agent of a running test app: the
//! crate it writes (outside the workspace) lists the app's real signatures,
//! builds as it stands with cargo, applies as a no-op, and — once one
//! function is filled in from the listed declaration, fn type and `func:`
//! line alone — applies and changes what the app computes. A non-empty
//! directory is refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use moult_e2e::{App, build, target_dir};
use moult_protocol::discovery;

fn console(bin: &Path, app: &App, args: &[&str]) -> Output {
    Command::new(bin.join("moult-console"))
        .args(args)
        .env(discovery::DIR_ENV, &app.runtime_dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .stdin(Stdio::null())
        .output()
        .expect("run moult-console")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh directory outside the workspace (cargo must not take the crate
/// for a member of it).
fn fresh_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("moult-scaffold-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

/// The value after `key` on the lines of `function`'s entry in the comments.
fn listed(lib_rs: &str, function: &str, key: &str) -> String {
    let entry = lib_rs
        .split("//\n")
        .find(|block| block.starts_with(&format!("// {function} — ")))
        .unwrap_or_else(|| panic!("{function} is not listed:\n{lib_rs}"));
    entry
        .lines()
        .find_map(|l| l.strip_prefix(&format!("//     {key}")))
        .unwrap_or_else(|| panic!("{function} has no {key}:\n{entry}"))
        .trim()
        .to_string()
}

/// Waits until the app's DSU thread `worker` has passed its update point,
/// so the snapshot `new` reads names it.
fn wait_for_the_worker(app: &mut App) {
    let start = Instant::now();
    while !app.ask("threads").contains("\"last_point\":\"loop\"") {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the worker never passed its update point"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_scaffolded_crate_lists_the_apps_signatures_builds_and_applies_once_filled() {
    let bin = build(&["moult-console", "e2e-app"]);
    let mut app = App::start(&bin.join("e2e-app"));
    wait_for_the_worker(&mut app);
    let pid = app.pid().to_string();
    let root = fresh_dir();
    let krate = root.join("scaffolded-update");
    let dir = krate.to_str().unwrap();

    // Outside the app's workspace, a crate is refused unless it stands
    // alone (compute's type is all std's, so standing alone is right here;
    // scaffold_outside.rs covers a function taking the app's own types).
    let refused = console(&bin, &app, &["new", dir, "--app", &pid]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("is outside the app's workspace")
            && text(&refused.stderr).contains("--standalone"),
        "{}",
        text(&refused.stderr)
    );
    assert!(!krate.exists(), "nothing written when refused");
    let wrote = console(&bin, &app, &["new", dir, "--app", &pid, "--standalone"]);
    assert!(wrote.status.success(), "{}", text(&wrote.stderr));
    assert!(
        text(&wrote.stdout).contains("next: write a new version in"),
        "{}",
        text(&wrote.stdout)
    );

    // The comments give the real signatures, as the app's source writes them.
    let lib_rs = std::fs::read_to_string(krate.join("src/lib.rs")).unwrap();
    assert_eq!(
        listed(&lib_rs, "e2e_app::compute", "declared:"),
        "fn compute(x: u64) -> u64"
    );
    assert_eq!(
        listed(&lib_rs, "e2e_app::compute", "fn type:"),
        "fn(u64) -> u64"
    );
    assert_eq!(listed(&lib_rs, "e2e_app::report", "fn type:"), "fn(&str)");
    assert_eq!(
        listed(&lib_rs, "e2e_app::greeting", "declared:"),
        "fn greeting() -> String"
    );
    for line in [
        "// e2e_app::Shape — new instances are version 0\n//     version 0: 5 live, type e2e_app::Square\n",
        "// worker — running, main version 0, update point \"loop\"\n",
        "// ── Task groups ",
    ] {
        assert!(lib_rs.contains(line), "no {line:?} in:\n{lib_rs}");
    }
    let manifest = std::fs::read_to_string(krate.join("Cargo.toml")).unwrap();
    for line in [
        "crate-type = [\"cdylib\"]",
        "\n[workspace]\n",
        "e2e-app = { path = ",
        "[profile.dev]\n",
        "panic = \"unwind\"",
    ] {
        assert!(manifest.contains(line), "no {line:?} in:\n{manifest}");
    }

    // Never over a crate already there.
    let again = console(&bin, &app, &["new", dir, "--app", &pid, "--standalone"]);
    assert_eq!(again.status.code(), Some(1));
    let refused = text(&again.stderr);
    assert!(
        refused.contains("is not empty") && refused.contains("give another directory"),
        "{refused}"
    );
    assert_eq!(
        std::fs::read_to_string(krate.join("src/lib.rs")).unwrap(),
        lib_rs
    );

    // It builds as it stands, and applies as a no-op.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(cargo)
        .arg("build")
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("run cargo");
    assert!(built.status.success(), "{}", text(&built.stderr));
    let noop = console(&bin, &app, &["apply", &pid, dir]);
    assert_eq!(noop.status.code(), Some(0), "{}", text(&noop.stderr));
    assert!(
        text(&noop.stderr).contains("the agent queued no update"),
        "{}",
        text(&noop.stderr)
    );
    assert_eq!(app.ask("compute 4"), "compute 5");

    // One function filled in from the comments alone: the declaration with
    // a new name, cast to the listed fn type, reached by the `func:` line.
    let declared = listed(&lib_rs, "e2e_app::compute", "declared:");
    let fn_type = listed(&lib_rs, "e2e_app::compute", "fn type:");
    let func = listed(&lib_rs, "e2e_app::compute", "func:");
    let new_version = format!(
        "{} {{\n    x * 10\n}}\n\n",
        declared.replacen("fn compute(", "fn compute_v2(", 1)
    );
    let filled = lib_rs
        .replace(
            "/// The library's entry",
            &format!("{new_version}/// The library's entry"),
        )
        .replace(
            "Ok(vec![])",
            &format!(
                "Ok(vec![Box::new(moult::update::SafeRedefine::new({func}?, compute_v2 as {fn_type}))])"
            ),
        );
    assert_ne!(filled, lib_rs);
    std::fs::write(krate.join("src/lib.rs"), filled).unwrap();
    let applied = console(&bin, &app, &["apply", &pid, dir]);
    let out = text(&applied.stdout);
    assert_eq!(
        applied.status.code(),
        Some(0),
        "{out}{}",
        text(&applied.stderr)
    );
    assert!(out.contains("function e2e_app::compute is now v1"), "{out}");
    assert_eq!(app.ask("compute 4"), "compute 40");
    let _ = std::fs::remove_dir_all(&root);
}
