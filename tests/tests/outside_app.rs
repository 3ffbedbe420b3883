//! A user's app outside this workspace, written from the README alone
//! (`moult` by path, mimalloc as its global allocator, a worker that serves
//! requests under `catch_unwind`), updated through `moult-console apply`
//! with an update whose new version panics on some requests: the app prints
//! the new version, its worker reports the failed requests and carries on.
//!
//! The two crates are written to `$TMPDIR/moult-outside-app/` (outside the
//! workspace, so cargo treats them as a user's) and built there with their
//! own `Cargo.lock` and target directories (the first run builds moult and
//! mimalloc; later runs reuse the build).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use moult_e2e::{build, private_runtime_dir, workspace_root};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    // Only rewrite what changed, so cargo's fingerprints stay fresh.
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).expect("write");
    }
}

/// Writes the app and the update crate; returns their folder.
fn write_crates() -> PathBuf {
    let root = std::env::temp_dir().join("moult-outside-app");
    let moult = workspace_root().join("agent/moult");
    write(
        &root.join("my-app/Cargo.toml"),
        &format!(
            "[package]\nname = \"my-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [dependencies]\nmoult = {{ path = {:?} }}\n\
             mimalloc = {{ version = \"0.1\", default-features = false }}\n",
            moult.display().to_string()
        ),
    );
    write(
        &root.join("my-app/src/lib.rs"),
        "#[moult::hot]\npub fn hello() -> String {\n    \"hello world\".into()\n}\n\n\
         #[moult::hot]\npub fn handle(req: u64) -> u64 {\n    req * 2\n}\n",
    );
    write(
        &root.join("my-app/src/main.rs"),
        r#"#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    moult::agent::start("my-app").expect("moult agent");
    std::thread::spawn(|| {
        for n in 1.. {
            match std::panic::catch_unwind(|| my_app::handle(n)) {
                Ok(v) => println!("request {n}: ok {v}"),
                Err(_) => println!("request {n}: failed"),
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    loop {
        println!("{}", my_app::hello());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
"#,
    );
    write(
        &root.join("my-update/Cargo.toml"),
        &format!(
            "[package]\nname = \"my-update\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [lib]\ncrate-type = [\"cdylib\"]\n\n\
             [dependencies]\nmoult = {{ path = {:?} }}\nmy-app = {{ path = \"../my-app\" }}\n",
            moult.display().to_string()
        ),
    );
    write(
        &root.join("my-update/src/lib.rs"),
        r#"use moult::update::SafeRedefine;
use moult::{Update, UpdateError};

fn hello_v2() -> String {
    "hello moult".into()
}

fn handle_v2(req: u64) -> u64 {
    if req % 3 == 0 {
        panic!("handle v2 cannot serve request {req}");
    }
    req * 100
}

#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    let hello = moult::hot_fn!(my_app::hello)?;
    let handle = moult::hot_fn!(my_app::handle)?;
    Ok(vec![
        Box::new(SafeRedefine::new(hello, hello_v2 as fn() -> String)),
        Box::new(SafeRedefine::new(handle, handle_v2 as fn(u64) -> u64)),
    ])
}
"#,
    );
    root
}

/// Waits until some line the app printed satisfies `pred`; every line seen.
fn wait_for(lines: &mpsc::Receiver<String>, seen: &mut Vec<String>, pred: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
            let hit = pred(&line);
            seen.push(line);
            if hit {
                return;
            }
        }
    }
    panic!(
        "no such line in {:?}",
        &seen[seen.len().saturating_sub(20)..]
    );
}

#[test]
fn an_app_outside_the_workspace_with_mimalloc_survives_a_panicking_update() {
    let console = build(&["moult-console"]).join("moult-console");
    let root = write_crates();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(&cargo)
        .args(["build", "--quiet"])
        .current_dir(root.join("my-app"))
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .expect("run cargo");
    assert!(built.success(), "the app builds from the README's snippets");

    let runtime_dir = private_runtime_dir();
    let mut app = Command::new(root.join("my-app/target/debug/my-app"))
        .env(moult_protocol::discovery::DIR_ENV, &runtime_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start my-app");
    let (tx, lines) = mpsc::channel();
    let stdout = app.stdout.take().expect("piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    wait_for(&lines, &mut seen, |l| l == "hello world");

    let apply = Command::new(&console)
        .args(["apply", "my-app"])
        .arg(root.join("my-update"))
        .env(moult_protocol::discovery::DIR_ENV, &runtime_dir)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("run moult-console apply");
    let said = String::from_utf8_lossy(&apply.stdout).to_string()
        + &String::from_utf8_lossy(&apply.stderr);
    assert!(apply.status.success(), "{said}");
    assert!(said.contains("function my_app::handle is now v1"), "{said}");

    wait_for(&lines, &mut seen, |l| l == "hello moult");
    wait_for(&lines, &mut seen, |l| l.ends_with(": failed"));
    // After a failed request the worker carries on with the next ones.
    wait_for(&lines, &mut seen, |l| {
        l.ends_with("00") && l.contains(": ok ")
    });
    wait_for(&lines, &mut seen, |l| l.ends_with(": failed"));
    wait_for(&lines, &mut seen, |l| {
        l.ends_with("00") && l.contains(": ok ")
    });
    assert!(app.try_wait().expect("poll").is_none(), "the app is alive");
    let _ = app.kill();
    let _ = app.wait();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut app.stderr.take().expect("piped"), &mut stderr).ok();
    assert!(
        stderr.contains("handle v2 cannot serve request"),
        "{stderr}"
    );
    assert!(!stderr.contains("foreign exception"), "{stderr}");
    let _ = std::fs::remove_dir_all(&runtime_dir);
}
