//! The scaffolded crate's `lib.rs`: an entry that applies nothing, under
//! comments listing what the running app has — each hot function with its
//! declaration, its exact fn type and the expression that reaches it; the
//! classes and their versions; the DSU threads and the update points they
//! pass; the task groups.

use std::collections::BTreeMap;
use std::fmt::Write;

use moult_protocol::{FunctionInfo, Snapshot, ThreadState};

use super::AppBuild;

/// The `lib.rs` for the app of `snapshot`, named `target` by the user.
pub fn render(build: &AppBuild, snapshot: &Snapshot, target: &str) -> String {
    let agent = &snapshot.agent;
    let mut out = format!(
        "//! An update for `{app}`, scaffolded by `moult-console new` from the running\n\
         //! app (pid {pid}, moult {moult}, built in `{profile}`).\n\
         //!\n\
         //! As it stands it applies nothing: `updates()` returns no update. Write new\n\
         //! versions of the app's functions, return their updates from `updates()`,\n\
         //! then build, send and follow it with\n\
         //!\n\
         //!     moult-console apply {target} <this crate's directory>\n\n\
         use moult::{{Update, UpdateError}};\n\n",
        app = agent.app,
        pid = agent.pid,
        moult = agent.moult_version,
        profile = agent.cargo_profile,
    );
    functions(&mut out, build, &snapshot.functions);
    classes(&mut out, snapshot);
    threads(&mut out, snapshot);
    tasks(&mut out, snapshot);
    out.push_str(
        "/// The library's entry: the updates to apply, in order (none yet).\n\
         #[moult::update_library]\n\
         fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {\n    \
         Ok(vec![])\n\
         }\n",
    );
    out
}

/// A section's title line.
fn title(out: &mut String, title: &str) {
    let _ = writeln!(
        out,
        "// ── {title} {}",
        "─".repeat(70 - title.chars().count())
    );
}

fn functions(out: &mut String, build: &AppBuild, functions: &[FunctionInfo]) {
    title(out, "Hot functions");
    out.push_str(
        "// A new version has exactly the fn type listed (a method's takes the\n\
         // receiver first). Swap it in, once no call of the old one runs, with\n\
         //     Box::new(moult::update::SafeRedefine::new(FUNC?, NEW_VERSION as FN_TYPE))\n\
         // where FUNC is the `func:` line. An `async fn`'s new version is an\n\
         // `async fn` under #[moult::async_version], passed without a cast.\n",
    );
    if !build.binaries.is_empty() {
        let _ = writeln!(
            out,
            "// Functions compiled into a binary ({}) cannot be named by path: no crate\n\
             // depends on a binary. They are found by name, and their own types cannot\n\
             // be named here; move them into the package's library to get both.",
            build.binaries.join(", ")
        );
    }
    if functions.is_empty() {
        out.push_str("//\n// none\n");
    }
    let mut sorted: Vec<&FunctionInfo> = functions.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for f in sorted {
        out.push_str("//\n");
        function(out, f);
    }
    out.push('\n');
}

fn function(out: &mut String, f: &FunctionInfo) {
    let Some(source) = &f.source else {
        // An older agent: only the resolved type (paths as `type_name` prints them).
        let _ = writeln!(
            out,
            "// {} — version {} now\n\
             //     fn type:  {} (resolved paths: the agent is too old to say how it is written)\n\
             //     func:     moult::Func::<FN_TYPE>::by_name({:?})",
            f.name, f.version, f.signature, f.name
        );
        return;
    };
    let place = match &source.binary {
        Some(bin) => format!("binary `{bin}` of package `{}`", source.package),
        None => format!("package `{}`", source.package),
    };
    let _ = writeln!(out, "// {} — version {} now, in {place}", f.name, f.version);
    let _ = writeln!(out, "//     declared: {}", source.declared);
    let _ = writeln!(out, "//     fn type:  {}", source.fn_type);
    let func = match source.binary {
        Some(_) => format!("moult::Func::<{}>::by_name({:?})", source.fn_type, f.name),
        None => format!("moult::hot_fn!({})", f.name),
    };
    let _ = writeln!(out, "//     func:     {func}");
}

fn classes(out: &mut String, snapshot: &Snapshot) {
    title(out, "Classes");
    out.push_str(
        "// Tracked classes: an update converts their live instances to a new\n\
         // version (moult::class), eagerly or lazily.\n//\n",
    );
    if snapshot.classes.is_empty() {
        out.push_str("// none\n");
    }
    for class in &snapshot.classes {
        let _ = writeln!(
            out,
            "// {} — new instances are version {}",
            class.name, class.version
        );
        for v in &class.versions {
            let _ = writeln!(
                out,
                "//     version {}: {} live, type {}",
                v.version, v.live, v.type_name
            );
        }
        if class.pending_lazy > 0 {
            let _ = writeln!(
                out,
                "//     {} waiting for a lazy conversion",
                class.pending_lazy
            );
        }
    }
    out.push('\n');
}

/// A thread's or task's state in words.
fn state(state: &ThreadState) -> String {
    match state {
        ThreadState::Running => "running".into(),
        ThreadState::Parked(point) => format!("parked at {point:?}"),
        ThreadState::Rebooting => "rebooting".into(),
        ThreadState::Finished => "finished".into(),
    }
}

fn threads(out: &mut String, snapshot: &Snapshot) {
    title(out, "DSU threads");
    out.push_str(
        "// An update parks the threads it names at their update points while it\n\
         // applies; it can reboot one onto a new main (ctx.reboot, ctx.switch_main)\n\
         // by its name. The point each one passed last:\n//\n",
    );
    if snapshot.threads.is_empty() {
        out.push_str("// none\n");
    }
    for t in &snapshot.threads {
        let point = t
            .last_point
            .as_ref()
            .map_or("no update point passed yet".to_string(), |p| {
                format!("update point {p:?}")
            });
        let _ = writeln!(
            out,
            "// {} — {}, main version {}, {point}",
            t.name,
            state(&t.state),
            t.main_version
        );
    }
    out.push('\n');
}

fn tasks(out: &mut String, snapshot: &Snapshot) {
    title(out, "Task groups");
    out.push_str(
        "// Tasks (moult::task::spawn) are addressed by group: an update parks a\n\
         // group's tasks at their update points, or reboots them onto a new main.\n//\n",
    );
    let mut groups: BTreeMap<&str, Vec<&moult_protocol::TaskInfo>> = BTreeMap::new();
    for task in &snapshot.tasks {
        groups.entry(&task.group).or_default().push(task);
    }
    if groups.is_empty() {
        out.push_str("// none\n");
    }
    for (group, tasks) in groups {
        let mut points: Vec<&str> = tasks
            .iter()
            .filter_map(|t| t.last_point.as_deref())
            .collect();
        points.sort_unstable();
        points.dedup();
        let mut mains: Vec<u32> = tasks.iter().map(|t| t.main_version).collect();
        mains.sort_unstable();
        mains.dedup();
        let mains: Vec<String> = mains.iter().map(u32::to_string).collect();
        let points = if points.is_empty() {
            "no update point passed yet".to_string()
        } else {
            let quoted: Vec<String> = points.iter().map(|p| format!("{p:?}")).collect();
            format!("update points {}", quoted.join(", "))
        };
        let _ = writeln!(
            out,
            "// {group} — {} task{}, main version {}, {points}",
            tasks.len(),
            if tasks.len() == 1 { "" } else { "s" },
            mains.join("/")
        );
    }
    out.push('\n');
}
