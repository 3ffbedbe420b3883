//! `new`: an update crate written from a running app's snapshot (see
//! [`moult_console::scaffold`]), into a directory that is empty or missing,
//! inside the app's workspace (`workspace.rs` says why) unless told to
//! stand alone.

mod workspace;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use moult_console::exit::Exit;
use moult_console::scaffold::{self, AppBuild, Membership, MoultSource, Scaffold};

use crate::cli::NewArgs;

/// Writes the crate; refuses a non-empty directory before connecting.
pub fn run(args: &NewArgs, dir: &Path) -> anyhow::Result<Exit> {
    refuse_unless_empty(&args.dir)?;
    let (mut client, _) = super::attach(dir, &args.app, &args.remote)?;
    let snapshot = client.snapshot()?;
    let package = match &args.name {
        Some(name) => name.clone(),
        None => scaffold::package_name(&dir_name(&args.dir)?),
    };
    let membership = membership(&AppBuild::of(&snapshot), &args.dir, args.standalone)?;
    let crate_files = scaffold::scaffold(&snapshot, &package, &snapshot.agent.app, &membership);
    // A member builds with its workspace's lock file; a crate on its own
    // gets a copy of the app's.
    let lock = match membership {
        Membership::Standalone => lock_file(&crate_files),
        Membership::Member(_) => None,
    };
    write(&args.dir, &crate_files, lock.as_deref())?;
    let joined = match &membership {
        Membership::Member(root) => {
            workspace::join(Path::new(root), &workspace::absolute(&args.dir)?)?
        }
        Membership::Standalone => None,
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "wrote {}: Cargo.toml, src/lib.rs (listing {}, {}, {}, {}), .gitignore",
        args.dir.display(),
        count(snapshot.functions.len(), "hot function"),
        count(snapshot.classes.len(), "class"),
        count(snapshot.threads.len(), "DSU thread"),
        count(snapshot.tasks.len(), "task"),
    )?;
    if let Some(lock) = &lock {
        writeln!(out, "copied the app's {}", lock.display())?;
    }
    if let Some(joined) = &joined {
        writeln!(out, "{joined}")?;
    }
    for missing in missing_paths(&crate_files) {
        eprintln!(
            "warning: {missing} (a path of the app's build) is not on this machine: \
             point Cargo.toml at the app's sources here"
        );
    }
    writeln!(
        out,
        "next: write a new version in {}/src/lib.rs, then: moult-console apply {} {}",
        args.dir.display(),
        snapshot.agent.app,
        args.dir.display()
    )?;
    Ok(Exit::Success)
}

/// Inside the app's workspace when the app's crates are on this machine
/// (and `dir` must then be under its root); on its own when asked, or
/// when there is no workspace to join (no crate of the app holds hot
/// functions, or its sources are elsewhere).
fn membership(build: &AppBuild, dir: &Path, standalone: bool) -> anyhow::Result<Membership> {
    if standalone {
        return Ok(Membership::Standalone);
    }
    let Some(root) = build
        .crates
        .first()
        .and_then(|krate| workspace::root_of(Path::new(&krate.manifest_dir)))
    else {
        return Ok(Membership::Standalone);
    };
    let root = workspace::absolute(&root)?;
    let dir = workspace::absolute(dir)?;
    if !dir.starts_with(&root) {
        bail!(
            "{} is outside the app's workspace ({}). Cargo hashes the app's crates by their \
             path from the root of the workspace that builds them, so from another workspace \
             their types are not the running app's, and the agent refuses the update. Put the \
             crate under {} (for example {}), where `new` adds it to the workspace's members; \
             or pass --standalone if its new versions use no type of the app's own crates",
            dir.display(),
            root.display(),
            root.display(),
            root.join("updates")
                .join(dir.file_name().unwrap_or_default())
                .display()
        );
    }
    Ok(Membership::Member(root.display().to_string()))
}

/// `1 class`, `2 classes`.
fn count(n: usize, what: &str) -> String {
    match (n, what.ends_with('s')) {
        (1, _) => format!("1 {what}"),
        (_, true) => format!("{n} {what}es"),
        (_, false) => format!("{n} {what}s"),
    }
}

/// The directory's last component, for the package name.
fn dir_name(dir: &Path) -> anyhow::Result<String> {
    let absolute =
        std::path::absolute(dir).with_context(|| format!("cannot resolve {}", dir.display()))?;
    Ok(absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default())
}

/// Fails unless `dir` is missing or an empty directory.
fn refuse_unless_empty(dir: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                bail!(
                    "{} is not empty; moult-console new writes a new crate only into an empty or \
                     missing directory: give another directory, or empty this one first",
                    dir.display()
                );
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) if dir.exists() && !dir.is_dir() => Err(e).context(format!(
            "{} is a file; give a directory for the new crate",
            dir.display()
        )),
        Err(e) => Err(e).context(format!("cannot read {}", dir.display())),
    }
}

/// The `Cargo.lock` of the app's build: the first one above the directory
/// of its first crate (or of its moult), if it is on this machine.
fn lock_file(crate_files: &Scaffold) -> Option<PathBuf> {
    let start = match (crate_files.build.crates.first(), &crate_files.build.moult) {
        (Some(krate), _) => PathBuf::from(&krate.manifest_dir),
        (None, MoultSource::Path(dir)) => PathBuf::from(dir),
        (None, MoultSource::Version(_)) => return None,
    };
    start
        .ancestors()
        .map(|d| d.join("Cargo.lock"))
        .find(|lock| lock.is_file())
}

/// Writes the crate's files (and a copy of `lock`) under `dir`.
fn write(dir: &Path, crate_files: &Scaffold, lock: Option<&Path>) -> anyhow::Result<()> {
    let src = dir.join("src");
    std::fs::create_dir_all(&src).with_context(|| format!("cannot create {}", src.display()))?;
    let put = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    };
    put(dir.join("Cargo.toml"), &crate_files.manifest)?;
    put(src.join("lib.rs"), &crate_files.lib_rs)?;
    put(dir.join(".gitignore"), "/target\n")?;
    if let Some(lock) = lock {
        std::fs::copy(lock, dir.join("Cargo.lock"))
            .with_context(|| format!("cannot copy {}", lock.display()))?;
    }
    Ok(())
}

/// The paths the manifest depends on that do not exist here (an app built
/// on another host, or whose sources moved).
fn missing_paths(crate_files: &Scaffold) -> Vec<String> {
    let moult = match &crate_files.build.moult {
        MoultSource::Path(dir) => Some(dir.clone()),
        MoultSource::Version(_) => None,
    };
    moult
        .into_iter()
        .chain(
            crate_files
                .build
                .crates
                .iter()
                .map(|c| c.manifest_dir.clone()),
        )
        .filter(|dir| !Path::new(dir).is_dir())
        .collect()
}
