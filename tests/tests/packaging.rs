//! The crates meant for crates.io package, and ship what they need: for
//! each, `cargo package --list` holds its manifest, README and license
//! files, its build script, and every file its code includes
//! (`include_str!`, `include_bytes!`), and nothing of a build's output; and
//! `cargo package --no-verify` of them all succeeds (cargo resolves their
//! path dependencies on each other, unpublished, through a local overlay).
//! A full verifying `cargo package` builds every crate from its tarball
//! and takes minutes: run it by hand before publishing (README, "Publishing").

use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output};

use moult_e2e::{target_dir, workspace_root};

/// The published crates and their folders, dependencies first.
const PUBLISHED: [(&str, &str); 5] = [
    ("moult-protocol", "agent/moult-protocol"),
    ("moult-rundir", "agent/moult-rundir"),
    ("moult-macros", "agent/moult-macros"),
    ("moult", "agent/moult"),
    ("moult-console", "console"),
];

fn cargo(args: &[&str]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(cargo)
        .args(args)
        .current_dir(workspace_root())
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("run cargo")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `path` without `.` and `..` components (lexically).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.map(|e| e.expect("dir entry")) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// One `include_str!`/`include_bytes!` of a source file.
struct Include {
    /// The file it names, resolved.
    target: PathBuf,
    /// Whether it is in test-only code (after a `#[cfg(test)]` in its file,
    /// or in a file of tests): never compiled from the package.
    test_only: bool,
    /// `file:line`, for messages.
    at: String,
}

/// The files `source` includes.
fn includes(source: &Path) -> Vec<Include> {
    let code = std::fs::read_to_string(source).expect("read source");
    let tests_from = code.find("#[cfg(test)]").unwrap_or(usize::MAX);
    let name = source.file_name().unwrap().to_string_lossy();
    let test_file =
        name.ends_with("tests.rs") || source.components().any(|c| c.as_os_str() == "tests");
    let mut found = Vec::new();
    for macro_name in ["include_str!(", "include_bytes!("] {
        for (at, _) in code.match_indices(macro_name) {
            let rest = &code[at + macro_name.len()..];
            let Some(open) = rest.find('"') else { continue };
            if !rest[..open].trim().is_empty() {
                continue; // not a literal path (concat!, env!): not checked
            }
            let literal = &rest[open + 1..];
            let relative = &literal[..literal.find('"').expect("closing quote")];
            found.push(Include {
                target: normalize(&source.parent().unwrap().join(relative)),
                test_only: test_file || at > tests_from,
                at: format!("{}:{}", source.display(), code[..at].lines().count().max(1)),
            });
        }
    }
    found
}

/// What `cargo package --list` ships for `package`.
fn shipped(package: &str) -> Vec<String> {
    let out = cargo(&["package", "--list", "--allow-dirty", "-p", package]);
    assert!(out.status.success(), "{package}: {}", text(&out.stderr));
    text(&out.stdout).lines().map(str::to_string).collect()
}

#[test]
fn each_published_crate_ships_what_it_names_and_includes() {
    let root = workspace_root();
    let mut missing = Vec::new();
    for (package, folder) in PUBLISHED {
        let dir = root.join(folder);
        let files = shipped(package);
        let has = |f: &str| files.iter().any(|g| g == f);
        let mut needed = vec![
            "Cargo.toml".to_string(),
            "README.md".into(),
            "LICENSE-MIT".into(),
            "LICENSE-APACHE".into(),
        ];
        if dir.join("build.rs").is_file() {
            needed.push("build.rs".into());
        }
        let mut sources = Vec::new();
        for sub in ["src", "benches", "examples", "tests"] {
            rust_files(&dir.join(sub), &mut sources);
        }
        for source in &sources {
            for include in includes(source) {
                match include.target.strip_prefix(&dir) {
                    Ok(inside) => needed.push(inside.to_string_lossy().into_owned()),
                    Err(_) if include.test_only => {}
                    Err(_) => missing.push(format!(
                        "{package}: {} includes {}, outside the package: it would not be \
                         shipped (move the file into {folder}/)",
                        include.at,
                        include.target.display()
                    )),
                }
            }
        }
        for file in needed {
            if !has(&file) {
                missing.push(format!("{package} does not ship {file}"));
            }
        }
        for file in files.iter().filter(|f| f.starts_with("target/")) {
            missing.push(format!("{package} ships build output {file}"));
        }
        let readme = std::fs::read_to_string(dir.join("README.md"))
            .or_else(|_| std::fs::read_to_string(root.join("README.md")))
            .expect("a README");
        assert!(readme.contains("moult"), "{package}'s README");
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_published_crate_carries_the_metadata_crates_io_needs() {
    let out = cargo(&["metadata", "--format-version", "1", "--no-deps"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    for (name, _) in PUBLISHED {
        let p = packages
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} is in the workspace"));
        for field in [
            "description",
            "license",
            "repository",
            "readme",
            "rust_version",
        ] {
            assert!(
                p[field].as_str().is_some_and(|v| !v.is_empty()),
                "{name} has no {field}"
            );
        }
        for list in ["keywords", "categories"] {
            let items = p[list].as_array().unwrap();
            assert!((1..=5).contains(&items.len()), "{name}: {list} {items:?}");
        }
        // Its dependencies on the other published crates carry a version.
        for dep in p["dependencies"].as_array().unwrap() {
            let published = PUBLISHED.iter().any(|(n, _)| dep["name"] == *n);
            if published && dep["kind"].is_null() {
                assert_ne!(dep["req"], "*", "{name} -> {} has no version", dep["name"]);
            }
        }
    }
}

#[test]
fn the_published_crates_package_together() {
    let mut args = vec!["package", "--no-verify", "--allow-dirty"];
    for (package, _) in PUBLISHED {
        args.extend(["-p", package]);
    }
    let out = cargo(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for (package, _) in PUBLISHED {
        let tarball = target_dir()
            .join("package")
            .join(format!("{package}-{}.crate", env!("CARGO_PKG_VERSION")));
        assert!(tarball.is_file(), "no {}", tarball.display());
    }
}
