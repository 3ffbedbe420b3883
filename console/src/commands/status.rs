//! `status`: one snapshot of an app's state.

use std::io::Write;
use std::path::Path;

use moult_console::exit::Exit;
use moult_console::render;

use crate::cli::StatusArgs;

/// Prints the target's snapshot, as text or JSON; the text ends with the
/// update libraries the app has loaded (left out for an agent too old to
/// list them).
pub fn run(args: &StatusArgs, dir: &Path) -> anyhow::Result<Exit> {
    let (mut client, _) = super::attach(dir, &args.target, &args.remote)?;
    let snapshot = client.snapshot()?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&snapshot)?)?;
    } else {
        write!(out, "{}", render::snapshot(&snapshot))?;
        if let Ok(libraries) = client.libraries() {
            write!(out, "{}", render::libraries(&libraries))?;
        }
    }
    Ok(Exit::Success)
}
