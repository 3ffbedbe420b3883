//! Where `new` puts the update crate among cargo workspaces: inside the
//! app's workspace, as a member, so that the app's crates (path
//! dependencies) are built with the hash — and so the types — of the app's
//! own build. Cargo hashes a path package by its path from the root of the
//! workspace building it: the same crate seen from another workspace is
//! another crate to the agent, which refuses an update built that way.

use std::path::{Component, Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// The root directory of the workspace that builds the package in
/// `package_dir` (its own directory for a package outside any workspace),
/// as cargo sees it; `None` if cargo cannot tell (the directory is not on
/// this machine, or its manifest does not parse).
pub fn root_of(package_dir: &Path) -> Option<PathBuf> {
    let manifest = locate_workspace(&package_dir.join("Cargo.toml")).ok()?;
    manifest.parent().map(Path::to_path_buf)
}

/// The workspace manifest cargo finds for `manifest`, or cargo's error.
fn locate_workspace(manifest: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["locate-project", "--workspace", "--message-format", "plain"])
        .arg("--manifest-path")
        .arg(manifest)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if out.status.success() {
        Ok(PathBuf::from(
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        ))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// `dir` made absolute and without `.`/`..` components (it may not exist yet).
pub fn absolute(dir: &Path) -> anyhow::Result<PathBuf> {
    let dir =
        std::path::absolute(dir).with_context(|| format!("cannot resolve {}", dir.display()))?;
    let mut clean = PathBuf::new();
    for part in dir.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    Ok(clean)
}

/// Makes the crate in `dir` a member of the workspace rooted at `root`,
/// adding it to `[workspace] members` of `root/Cargo.toml` unless cargo
/// already counts it in (a glob); says what it did, or why it could not.
pub fn join(root: &Path, dir: &Path) -> anyhow::Result<Option<String>> {
    let root_manifest = root.join("Cargo.toml");
    let expected = absolute(&root_manifest)?;
    if locate_workspace(&dir.join("Cargo.toml"))
        .is_ok_and(|m| absolute(&m).ok() == Some(expected.clone()))
    {
        return Ok(None);
    }
    let relative = dir
        .strip_prefix(root)
        .with_context(|| format!("{} is not under {}", dir.display(), root.display()))?;
    let member = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let text = std::fs::read_to_string(&root_manifest)
        .with_context(|| format!("cannot read {}", root_manifest.display()))?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("cannot parse {}", root_manifest.display()))?;
    let workspace = doc
        .entry("workspace")
        .or_insert_with(toml_edit::table)
        .as_table_like_mut()
        .with_context(|| format!("`workspace` in {} is not a table", root_manifest.display()))?;
    let members = workspace
        .entry("members")
        .or_insert_with(|| toml_edit::value(toml_edit::Array::new()))
        .as_array_mut()
        .with_context(|| {
            format!(
                "`workspace.members` in {} is not an array",
                root_manifest.display()
            )
        })?;
    members.push(member.as_str());
    std::fs::write(&root_manifest, doc.to_string())
        .with_context(|| format!("cannot write {}", root_manifest.display()))?;
    match locate_workspace(&dir.join("Cargo.toml")) {
        Ok(found) if absolute(&found).ok() == Some(expected) => Ok(Some(format!(
            "added \"{member}\" to [workspace] members in {}",
            root_manifest.display()
        ))),
        Ok(found) => bail!(
            "added \"{member}\" to [workspace] members in {}, but cargo builds the crate in the \
             workspace of {}: check that manifest's members and exclude",
            root_manifest.display(),
            found.display()
        ),
        Err(why) => bail!(
            "added \"{member}\" to [workspace] members in {}, but cargo still refuses the crate: {why}",
            root_manifest.display()
        ),
    }
}
