//! The scaffolded crate's `Cargo.toml`: a `cdylib` depending on the app's
//! moult (same source, same features) and on the app's crates that hold hot
//! functions: a member of the app's workspace (whose profile applies), or
//! on its own with the app's profile settings that the build fingerprint
//! compares.

use std::fmt::Write;

use moult_protocol::Snapshot;

use super::{AppBuild, Membership, MoultSource};

/// A TOML string (quotes and escapes included).
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The manifest of the update crate `package` for the app of `snapshot`.
pub fn render(
    build: &AppBuild,
    snapshot: &Snapshot,
    package: &str,
    membership: &Membership,
) -> String {
    let agent = &snapshot.agent;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# An update crate for `{}`, scaffolded by `moult-console new` from the running\n\
         # app (pid {}). `moult-console apply` builds it in the app's profile and sends\n\
         # the library; the app loads it only if its build fingerprint matches the\n\
         # app's (same rustc, moult, target, profile settings and panic strategy).\n",
        agent.app, agent.pid
    );
    let _ = writeln!(
        out,
        "[package]\nname = {}\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n",
        quoted(package)
    );
    out.push_str(
        "# An update library is a cdylib: the app's agent loads it with dlopen.\n\
         [lib]\ncrate-type = [\"cdylib\"]\n\n[dependencies]\n",
    );
    out.push_str(&moult_dependency(build));
    if !build.crates.is_empty() {
        out.push_str(
            "# The app's crates holding hot functions: `moult::hot_fn!` names their\n\
             # functions, and new versions use their types. By the paths of the app's build.\n",
        );
    }
    for krate in &build.crates {
        let _ = writeln!(
            out,
            "{} = {{ path = {} }}",
            dependency_key(&krate.package),
            quoted(&krate.manifest_dir)
        );
    }
    match membership {
        Membership::Member(root) => {
            let _ = write!(
                out,
                "\n# A member of the app's workspace ({root}): cargo hashes a path\n\
                 # dependency by where it lies from the workspace root, so only from inside\n\
                 # it are the app's crates (and their types) built as the app's build did.\n\
                 # The workspace's profile applies, as to the app.\n"
            );
        }
        Membership::Standalone => {
            out.push_str(
                "\n# Built on its own, never as a member of a workspace that encloses it.\n[workspace]\n\n",
            );
            out.push_str(&profile(build));
        }
    }
    out
}

/// The `moult = …` line with its comment.
fn moult_dependency(build: &AppBuild) -> String {
    let features = if build.features.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = build.features.iter().map(|f| quoted(f)).collect();
        format!(", features = [{}]", list.join(", "))
    };
    match &build.moult {
        MoultSource::Path(dir) => format!(
            "# The moult the app was built with, and its features.\nmoult = {{ path = {}{features} }}\n",
            quoted(dir)
        ),
        MoultSource::Version(version) if build.without_sources => format!(
            "# The app's moult version; its agent is too old to say where its moult came\n\
             # from: if the app uses a checkout, depend on it by path instead.\n\
             moult = {{ version = {}{features} }}\n",
            quoted(&format!("={version}"))
        ),
        MoultSource::Version(version) => format!(
            "# The published moult the app was built with, and its features.\n\
             moult = {{ version = {}{features} }}\n",
            quoted(&format!("={version}"))
        ),
    }
}

/// A package name as a TOML key (bare when it can be).
fn dependency_key(package: &str) -> String {
    if package
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        package.to_string()
    } else {
        quoted(package)
    }
}

/// The app's profile, with the settings its fingerprint compares.
fn profile(build: &AppBuild) -> String {
    let p = &build.profile;
    let mut out = format!(
        "# The app was built in `{}`; `moult-console apply` builds this crate in the\n\
         # same profile, whose settings must give the app's fingerprint:\n",
        p.app_profile
    );
    let _ = write!(out, "# `{}`", build_command(p.cargo_name()));
    out.push_str(" builds it by hand.\n");
    let _ = writeln!(out, "[profile.{}]", p.cargo_name());
    let _ = writeln!(
        out,
        "# A DSU thread is rebooted by unwinding: never abort.\npanic = {}",
        quoted(&p.panic)
    );
    if let Some(level) = &p.opt_level {
        let value = if level.parse::<u8>().is_ok() {
            level.clone()
        } else {
            quoted(level)
        };
        let _ = writeln!(out, "opt-level = {value}");
    }
    if let Some(on) = p.debug_assertions {
        let _ = writeln!(out, "debug-assertions = {on}");
    }
    out
}

/// The cargo command that builds in `profile`.
fn build_command(profile: &str) -> String {
    match profile {
        "dev" => "cargo build".into(),
        "release" => "cargo build --release".into(),
        other => format!("cargo build --profile {other}"),
    }
}
