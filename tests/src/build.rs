//! Building workspace packages with the same cargo and profile as the tests.

use std::path::PathBuf;
use std::process::Command;

/// The workspace root (parent of this crate).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Where cargo puts artifacts (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// Profile directory of the tests' own build (`debug` unless built with --release).
fn profile_dir() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// Builds `packages` with cargo, in the tests' profile; panics with cargo's
/// output if the build fails. Returns the profile's artifact directory.
pub fn build(packages: &[&str]) -> PathBuf {
    build_into(&target_dir(), packages)
}

/// Like [`build`], into another target directory (a build that must not
/// replace the artifacts other tests run).
pub fn build_into(target: &std::path::Path, packages: &[&str]) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .current_dir(workspace_root())
        .env("CARGO_TARGET_DIR", target);
    if profile_dir() == "release" {
        cmd.arg("--release");
    }
    for p in packages {
        cmd.args(["-p", p]);
    }
    let out = cmd.output().expect("run cargo");
    assert!(
        out.status.success(),
        "cargo build {packages:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    target.join(profile_dir())
}

/// Path of the cdylib built for package `package`.
pub fn library_path(package: &str) -> PathBuf {
    target_dir()
        .join(profile_dir())
        .join(format!("lib{}.so", package.replace('-', "_")))
}
