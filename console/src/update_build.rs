//! What `apply` is given, and building it when it is an update crate: run
//! cargo in the app's profile (so the library's build fingerprint matches the
//! app's), let the user see cargo's progress and errors, and pick the
//! crate's `cdylib` out of cargo's JSON messages.

use std::ffi::OsString;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

/// What the user passed to `apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateSource {
    /// A built update library: sent as is.
    Library(PathBuf),
    /// An update crate directory (holds `Cargo.toml`): built first.
    Crate(PathBuf),
}

/// Why there is no library to send.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The path does not exist.
    #[error("{} does not exist; give a built update library (.so) or an update crate directory", .0.display())]
    Missing(PathBuf),
    /// A directory without `Cargo.toml`.
    #[error("{} is a directory without Cargo.toml; give an update crate directory or a built update library (.so)", .0.display())]
    NotACrate(PathBuf),
    /// A crate whose manifest builds no `cdylib` (an app, a library, a
    /// test crate): it cannot be loaded as an update.
    #[error(
        "{} is a crate but not an update crate: its Cargo.toml builds no cdylib; an update crate needs `[lib] crate-type = [\"cdylib\"]` (or pick a built .so)",
        .0.display()
    )]
    NotAnUpdateCrate(PathBuf),
    /// A workspace's root manifest: the update crates are its members.
    #[error("{} is a workspace, not an update crate; pick one of its update crates", .0.display())]
    Workspace(PathBuf),
    /// cargo could not be started.
    #[error("cannot run cargo ({0}); is a Rust toolchain on PATH?")]
    Spawn(#[source] io::Error),
    /// cargo failed: the compiler's errors were shown on stderr.
    #[error("build failed: cargo exited with {} (its errors are above)", exit_code(.0))]
    Failed(ExitStatus),
    /// cargo succeeded but built no `cdylib` for this crate.
    #[error(
        "build failed: cargo built no cdylib for {}; an update crate needs `[lib] crate-type = [\"cdylib\"]`",
        .0.display()
    )]
    NoCdylib(PathBuf),
    /// cargo succeeded but built no executable for this binary.
    #[error("build failed: cargo built no executable named {0}")]
    NoExecutable(String),
    /// Reading cargo's output failed.
    #[error("build failed: reading cargo's output: {0}")]
    Io(#[from] io::Error),
}

/// `code 101`, or the signal that killed cargo.
fn exit_code(status: &ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("code {code}"),
        (None, Some(signal)) => format!("signal {signal}"),
        (None, None) => status.to_string(),
    }
}

impl UpdateSource {
    /// Tells a library from a crate directory.
    pub fn classify(path: &Path) -> Result<UpdateSource, BuildError> {
        if path.is_dir() {
            return match CrateKind::of(path) {
                Some(CrateKind::Update) => Ok(UpdateSource::Crate(path.to_path_buf())),
                Some(CrateKind::Other) => Err(BuildError::NotAnUpdateCrate(path.to_path_buf())),
                Some(CrateKind::Workspace) => Err(BuildError::Workspace(path.to_path_buf())),
                None => Err(BuildError::NotACrate(path.to_path_buf())),
            };
        }
        if path.exists() {
            return Ok(UpdateSource::Library(path.to_path_buf()));
        }
        Err(BuildError::Missing(path.to_path_buf()))
    }
}

/// What a directory's `Cargo.toml` makes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrateKind {
    /// A package that builds a `cdylib`: an update crate.
    Update,
    /// Another package (an app, a library, tests): not loadable.
    Other,
    /// A workspace root without a package of its own.
    Workspace,
}

impl CrateKind {
    /// The kind of crate in `dir`, `None` without a readable `Cargo.toml`.
    /// Read from the manifest's text (`crate-type` naming `cdylib`), not
    /// by asking cargo: the picker lists many directories at a keystroke.
    pub fn of(dir: &Path) -> Option<CrateKind> {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
        let declares = |table: &str| manifest.lines().any(|l| l.trim() == table);
        Some(if manifest.contains("\"cdylib\"") {
            CrateKind::Update
        } else if declares("[workspace]") && !declares("[package]") {
            CrateKind::Workspace
        } else {
            CrateKind::Other
        })
    }
}

/// cargo's arguments to build the crate of `manifest` in `profile` (the
/// agent's `cargo_profile`: `debug` is cargo's default `dev` profile).
pub fn cargo_args(manifest: &Path, profile: &str) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![
        "build".into(),
        "--manifest-path".into(),
        manifest.into(),
        "--message-format=json-render-diagnostics".into(),
    ];
    match profile {
        "debug" | "dev" | "" => {}
        "release" => args.push("--release".into()),
        other => {
            args.push("--profile".into());
            args.push(other.into());
        }
    }
    args
}

/// Builds the update crate in `dir` in `profile`; returns its library.
/// cargo's stderr goes straight to ours: progress and readable errors.
pub fn build(dir: &Path, profile: &str) -> Result<PathBuf, BuildError> {
    run_cargo(dir, profile, None)
}

/// Like [`build`], handing each line of cargo's stderr (progress and
/// rendered diagnostics) to `on_line` instead: what a TUI shows in a pane.
pub fn build_reporting(
    dir: &Path,
    profile: &str,
    mut on_line: impl FnMut(&str),
) -> Result<PathBuf, BuildError> {
    run_cargo(dir, profile, Some(&mut on_line))
}

fn run_cargo(
    dir: &Path,
    profile: &str,
    on_line: Option<&mut dyn FnMut(&str)>,
) -> Result<PathBuf, BuildError> {
    let manifest = dir.join("Cargo.toml");
    let picked = manifest.clone();
    let library = run_cargo_json(cargo_args(&manifest, profile), None, on_line, move |line| {
        cdylib_artifact(line, &picked)
    })?;
    library.ok_or(BuildError::NoCdylib(dir.to_path_buf()))
}

/// Runs cargo with `args` (which ask for JSON messages) in `cwd`, handing
/// each stderr line to `on_line` (or letting it through to ours), and returns
/// the last artifact `pick` found in cargo's JSON lines: the one runner the
/// update builds and the tutorial's app builds share.
pub(crate) fn run_cargo_json(
    args: Vec<OsString>,
    cwd: Option<&Path>,
    on_line: Option<&mut dyn FnMut(&str)>,
    mut pick: impl FnMut(&str) -> Option<PathBuf> + Send + 'static,
) -> Result<Option<PathBuf>, BuildError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    let mut child = command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(if on_line.is_some() {
            Stdio::piped()
        } else {
            Stdio::inherit()
        })
        .spawn()
        .map_err(BuildError::Spawn)?;
    let stdout = child.stdout.take().expect("stdout is piped");
    // stdout (JSON messages) on a thread of its own, so neither pipe fills
    // up while the other is read.
    let artifacts = std::thread::spawn(move || -> io::Result<Option<PathBuf>> {
        let mut artifact = None;
        for line in BufReader::new(stdout).lines() {
            if let Some(found) = pick(&line?) {
                artifact = Some(found);
            }
        }
        Ok(artifact)
    });
    if let (Some(on_line), Some(stderr)) = (on_line, child.stderr.take()) {
        for line in BufReader::new(stderr).lines() {
            on_line(&line?);
        }
    }
    let artifact = artifacts
        .join()
        .map_err(|_| io::Error::other("the thread reading cargo's output panicked"))??;
    let status = child.wait()?;
    if !status.success() {
        return Err(BuildError::Failed(status));
    }
    Ok(artifact)
}

/// The dynamic library in one line of cargo's JSON output, if the line is
/// the `compiler-artifact` of a `cdylib` target of the crate at `manifest`.
pub fn cdylib_artifact(line: &str, manifest: &Path) -> Option<PathBuf> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message.get("reason")?.as_str()? != "compiler-artifact" {
        return None;
    }
    let kinds = message.get("target")?.get("kind")?.as_array()?;
    if !kinds.iter().any(|k| k.as_str() == Some("cdylib")) {
        return None;
    }
    let artifact_manifest = Path::new(message.get("manifest_path")?.as_str()?);
    if !same_file(artifact_manifest, manifest) {
        return None;
    }
    message
        .get("filenames")?
        .as_array()?
        .iter()
        .filter_map(|f| f.as_str())
        .find(|f| f.ends_with(std::env::consts::DLL_SUFFIX))
        .map(PathBuf::from)
}

/// Paths naming the same file (cargo reports canonical paths; the user's may be relative).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line cargo 1.95 printed building `tests/fixtures/upd-redefine`
    /// (paths shortened to `/w`).
    const CDYLIB_LINE: &str = include_str!("../tests/data/cargo-cdylib-artifact.json");

    #[test]
    fn the_cdylib_of_the_crate_is_found_in_a_real_cargo_line() {
        let manifest = Path::new("/w/tests/fixtures/upd-redefine/Cargo.toml");
        assert_eq!(
            cdylib_artifact(CDYLIB_LINE, manifest),
            Some(PathBuf::from("/w/target/debug/libupd_redefine.so"))
        );
        let other = Path::new("/w/tests/fixtures/upd-active/Cargo.toml");
        assert_eq!(cdylib_artifact(CDYLIB_LINE, other), None, "another crate");
    }

    #[test]
    fn other_messages_and_non_cdylib_artifacts_are_ignored() {
        let manifest = Path::new("/w/tests/fixtures/upd-redefine/Cargo.toml");
        let rlib = CDYLIB_LINE.replace("\"cdylib\"", "\"lib\"");
        assert_eq!(cdylib_artifact(&rlib, manifest), None);
        let finished = r#"{"reason":"build-finished","success":true}"#;
        assert_eq!(cdylib_artifact(finished, manifest), None);
        assert_eq!(cdylib_artifact("   Compiling x", manifest), None);
    }

    #[test]
    fn the_profile_picks_cargo_flags() {
        let m = Path::new("/c/Cargo.toml");
        let tail = |profile| {
            cargo_args(m, profile)
                .into_iter()
                .skip(4)
                .map(|a| a.into_string().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            cargo_args(m, "debug")[..4],
            [
                "build",
                "--manifest-path",
                "/c/Cargo.toml",
                "--message-format=json-render-diagnostics"
            ]
        );
        assert!(tail("debug").is_empty());
        assert_eq!(tail("release"), ["--release"]);
        assert_eq!(tail("bench-lto"), ["--profile", "bench-lto"]);
    }

    #[test]
    fn a_source_is_a_crate_directory_or_a_library_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert!(matches!(
            UpdateSource::classify(d),
            Err(BuildError::NotACrate(_))
        ));
        std::fs::write(d.join("Cargo.toml"), "[package]").unwrap();
        let refused = UpdateSource::classify(d).unwrap_err();
        assert!(matches!(refused, BuildError::NotAnUpdateCrate(_)));
        assert!(
            refused
                .to_string()
                .contains("needs `[lib] crate-type = [\"cdylib\"]`"),
            "{refused}"
        );
        std::fs::write(d.join("Cargo.toml"), "[workspace]\nmembers = []").unwrap();
        assert!(matches!(
            UpdateSource::classify(d),
            Err(BuildError::Workspace(_))
        ));
        std::fs::write(
            d.join("Cargo.toml"),
            "[package]\n[lib]\ncrate-type = [\"cdylib\"]",
        )
        .unwrap();
        assert_eq!(
            UpdateSource::classify(d).unwrap(),
            UpdateSource::Crate(d.to_path_buf())
        );
        let lib = d.join("libu.so");
        std::fs::write(&lib, "").unwrap();
        assert_eq!(
            UpdateSource::classify(&lib).unwrap(),
            UpdateSource::Library(lib.clone())
        );
        let missing = UpdateSource::classify(&d.join("nope.so")).unwrap_err();
        assert!(missing.to_string().ends_with(
            "nope.so does not exist; give a built update library (.so) or an update crate directory"
        ));
    }
}
