//! `convert`: run a class's pending lazy conversion now.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use moult_console::exit::Exit;

use crate::cli::ConvertArgs;

/// Asks for the conversion and prints what changed.
pub fn run(args: &ConvertArgs, dir: &Path) -> anyhow::Result<Exit> {
    let (mut client, _) = super::attach(dir, &args.target, &args.remote)?;
    let (class, converted) = client
        .convert(&args.class)
        .with_context(|| format!("cannot convert class `{}`", args.class))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let reply = serde_json::json!({ "converted": converted, "class": class });
        writeln!(out, "{}", serde_json::to_string_pretty(&reply)?)?;
        return Ok(Exit::Success);
    }
    let live: Vec<String> = class
        .versions
        .iter()
        .map(|v| format!("v{}: {}", v.version, v.live))
        .collect();
    writeln!(
        out,
        "converted {converted} instance{} of {} (now v{}); live per version: {}; pending lazy: {}",
        if converted == 1 { "" } else { "s" },
        class.name,
        class.version,
        if live.is_empty() {
            "-".into()
        } else {
            live.join(", ")
        },
        class.pending_lazy
    )?;
    Ok(Exit::Success)
}
