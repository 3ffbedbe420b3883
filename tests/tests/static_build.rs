//! moult's `static` feature: the same source, built without dynamic
//! updating — hot functions are the plain functions (none registered) and
//! no agent starts (no socket, nothing in the runtime directory).

use std::process::Command;

use moult_e2e::{private_runtime_dir, target_dir, workspace_root};

#[test]
fn a_static_build_registers_no_hot_function_and_starts_no_agent() {
    let manifest = workspace_root().join("tests/static-app/Cargo.toml");
    let target = target_dir().join("static-app");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(cargo)
        .args(["build", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("run cargo");
    assert!(built.success(), "the static app builds");
    let runtime_dir = private_runtime_dir();
    let out = Command::new(target.join("debug/static-app"))
        .env(moult_protocol::discovery::DIR_ENV, &runtime_dir)
        .output()
        .expect("run the static app");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("values=4 6 7"), "{stdout}");
    assert!(stdout.contains("socket=\"\""), "no socket: {stdout}");
    assert!(
        stdout.contains("hot_functions=0"),
        "nothing registered: {stdout}"
    );
    let left = std::fs::read_dir(&runtime_dir)
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(
        left,
        0,
        "the static app wrote nothing in {}",
        runtime_dir.display()
    );
}
