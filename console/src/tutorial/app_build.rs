//! Building a demo app with cargo, on its own: an app built in the same
//! cargo run as other packages may get other type identities than the update
//! crates built against it later (feature unification), and the agent would
//! refuse those updates as built apart.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::update_build::{BuildError, run_cargo_json};

use super::exercise::Exercise;
use super::workspace::Workspace;

/// cargo's arguments to build `package`'s binary of the same name in
/// `profile` (`debug` or `release`).
pub fn cargo_args(package: &str, profile: &str) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![
        "build".into(),
        "-p".into(),
        package.into(),
        "--bin".into(),
        package.into(),
        "--message-format=json-render-diagnostics".into(),
    ];
    if profile == "release" {
        args.push("--release".into());
    }
    args
}

/// Builds the exercise's app in `profile`, handing cargo's progress lines to
/// `on_line`; returns the executable.
pub fn build_app(
    workspace: &Workspace,
    exercise: &Exercise,
    profile: &str,
    on_line: &mut dyn FnMut(&str),
) -> Result<PathBuf, BuildError> {
    let bin = exercise.app_package().to_string();
    let found = run_cargo_json(
        cargo_args(exercise.app_package(), profile),
        Some(&workspace.root),
        Some(on_line),
        move |line| executable_artifact(line, &bin),
    )?;
    found.ok_or_else(|| BuildError::NoExecutable(exercise.app_package().to_string()))
}

/// The executable in one line of cargo's JSON output, if the line is the
/// `compiler-artifact` of binary `bin`.
pub fn executable_artifact(line: &str, bin: &str) -> Option<PathBuf> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message.get("reason")?.as_str()? != "compiler-artifact" {
        return None;
    }
    let target = message.get("target")?;
    if target.get("name")?.as_str()? != bin {
        return None;
    }
    message
        .get("executable")?
        .as_str()
        .map(|p| Path::new(p).to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_executable_of_the_named_binary_is_picked() {
        let line = r#"{"reason":"compiler-artifact","target":{"name":"step1-hello","kind":["bin"]},"executable":"/w/target/debug/step1-hello","filenames":["/w/target/debug/step1-hello"]}"#;
        assert_eq!(
            executable_artifact(line, "step1-hello"),
            Some(PathBuf::from("/w/target/debug/step1-hello"))
        );
        assert_eq!(executable_artifact(line, "step1-data"), None);
        let lib = r#"{"reason":"compiler-artifact","target":{"name":"step1-hello","kind":["lib"]},"executable":null}"#;
        assert_eq!(executable_artifact(lib, "step1-hello"), None);
        assert_eq!(cargo_args("a", "release").last().unwrap(), "--release");
    }
}
