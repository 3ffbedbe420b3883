//! `moult-console new` on a user's app outside this workspace (one package,
//! no workspace of its own) whose hot function takes a type of the app's:
//! the crate `new` writes joins the app's workspace (`new` adds it to the
//! members), so the app's crate is built with the hash of the app's build,
//! and a version using the app's type applies. Written beside the app, the
//! crate builds the app's crate as another crate, whose types the agent
//! refuses: the test also checks that `new` refuses a directory outside the
//! app's workspace and says where to put it.
//!
//! The app is written to `$TMPDIR/moult-scaffold-outside/` and built there
//! with its own target directory (the first run builds moult).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use moult_e2e::{build, private_runtime_dir, workspace_root};

/// The app's manifest, as its user wrote it (no `[workspace]` table).
fn app_manifest() -> String {
    format!(
        "[package]\nname = \"shop\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [dependencies]\nmoult = {{ path = {:?} }}\n",
        workspace_root().join("agent/moult").display().to_string()
    )
}

/// Writes `text` to `path` unless it is there already (cargo's
/// fingerprints stay fresh across runs).
fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).expect("write");
    }
}

/// Writes the app (its manifest as the user wrote it, no update crate).
fn write_app() -> PathBuf {
    let root = std::env::temp_dir().join("moult-scaffold-outside");
    let _ = std::fs::remove_dir_all(root.join("updates"));
    write(&root.join("Cargo.toml"), &app_manifest());
    write(
        &root.join("src/lib.rs"),
        "/// An item for sale.\npub struct Item {\n    pub cents: u64,\n}\n\n\
         #[moult::hot]\npub fn price(item: &Item, qty: u32) -> u64 {\n    item.cents * qty as u64\n}\n",
    );
    write(
        &root.join("src/main.rs"),
        "fn main() {\n    moult::agent::start(\"shop\").expect(\"moult agent\");\n    \
         let item = shop::Item { cents: 250 };\n    loop {\n        \
         println!(\"price {}\", shop::price(&item, 4));\n        \
         std::thread::sleep(std::time::Duration::from_millis(20));\n    }\n}\n",
    );
    root
}

/// Runs `moult-console` with `args` against the private runtime directory.
fn console(console: &Path, runtime_dir: &Path, args: &[&str]) -> (Output, String) {
    let out = Command::new(console)
        .args(args)
        .env(moult_protocol::discovery::DIR_ENV, runtime_dir)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("run moult-console");
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out, said)
}

/// Waits until the app prints `line`.
fn wait_for(lines: &mpsc::Receiver<String>, line: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(got) = lines.recv_timeout(Duration::from_millis(200)) {
            if got == line {
                return;
            }
            last = got;
        }
    }
    panic!("the app never printed {line:?} (last: {last:?})");
}

/// Fills the scaffolded crate at `krate` with a new version of
/// `shop::price`, written from the listed declaration and fn type.
fn fill(krate: &Path) {
    let lib_rs = std::fs::read_to_string(krate.join("src/lib.rs")).unwrap();
    assert!(
        lib_rs.contains("//     fn type:  fn(&Item, u32) -> u64"),
        "{lib_rs}"
    );
    let entry = lib_rs.find("/// The library's entry").expect("the entry");
    let filled = format!(
        "{}use shop::Item;\n\nfn price(item: &Item, qty: u32) -> u64 {{\n    item.cents * qty as u64 * 9 / 10\n}}\n\n\
         #[moult::update_library]\nfn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {{\n    \
         Ok(vec![Box::new(moult::update::SafeRedefine::new(\n        \
         moult::hot_fn!(shop::price)?,\n        price as fn(&Item, u32) -> u64,\n    ))])\n}}\n",
        &lib_rs[..entry]
    );
    std::fs::write(krate.join("src/lib.rs"), filled).unwrap();
}

#[test]
fn a_scaffolded_crate_joins_the_apps_workspace_and_its_version_using_the_apps_type_applies() {
    let moult_console = build(&["moult-console"]).join("moult-console");
    let root = write_app();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(&cargo)
        .args(["build", "--quiet"])
        .current_dir(&root)
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .expect("run cargo");
    assert!(built.success(), "the app builds");

    let runtime_dir = private_runtime_dir();
    let mut app = Command::new(root.join("target/debug/shop"))
        .env(moult_protocol::discovery::DIR_ENV, &runtime_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start shop");
    let (tx, lines) = mpsc::channel();
    let stdout = app.stdout.take().expect("piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    wait_for(&lines, "price 1000");
    let pid = app.id().to_string();

    let elsewhere = std::env::temp_dir().join(format!("moult-scaffold-elsewhere-{pid}"));
    let (out, said) = console(
        &moult_console,
        &runtime_dir,
        &["new", elsewhere.to_str().unwrap(), "--app", &pid],
    );
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("outside the app's workspace")
            && said.contains(&root.join("updates").display().to_string()),
        "says where to put it: {said}"
    );
    assert!(!elsewhere.exists());

    // What `new` used to write, now only with --standalone: the same
    // version, built in a workspace of its own, sees another build of the
    // app's crate, and the agent refuses it.
    let (out, said) = console(
        &moult_console,
        &runtime_dir,
        &[
            "new",
            elsewhere.to_str().unwrap(),
            "--app",
            &pid,
            "--standalone",
        ],
    );
    assert!(out.status.success(), "{said}");
    fill(&elsewhere);
    let (out, said) = console(
        &moult_console,
        &runtime_dir,
        &["apply", &pid, elsewhere.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("compiled against another build of the app's crate"),
        "{said}"
    );
    let _ = std::fs::remove_dir_all(&elsewhere);

    let krate = root.join("updates/fix");
    let (out, said) = console(
        &moult_console,
        &runtime_dir,
        &["new", krate.to_str().unwrap(), "--app", &pid],
    );
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("added \"updates/fix\" to [workspace] members"),
        "{said}"
    );
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("members = [\"updates/fix\"]"),
        "{manifest}"
    );

    fill(&krate);
    let (out, said) = console(
        &moult_console,
        &runtime_dir,
        &["apply", &pid, krate.to_str().unwrap()],
    );
    assert!(out.status.success(), "{said}");
    assert!(said.contains("function shop::price is now v1"), "{said}");
    wait_for(&lines, "price 900");

    let _ = app.kill();
    let _ = app.wait();
    // Leave the app as its user wrote it for the next run.
    write(&root.join("Cargo.toml"), &app_manifest());
    let _ = std::fs::remove_dir_all(root.join("updates"));
    let _ = std::fs::remove_dir_all(&runtime_dir);
}
