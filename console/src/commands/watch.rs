//! `watch`: print the event stream until the app exits.

use std::io::Write;
use std::path::Path;

use moult_console::exit::Exit;

use super::event_stream::{self, StreamEnd};
use crate::cli::WatchArgs;

/// Subscribes and prints every event; exit 0 when the app exits, 1 when
/// the agent drops this client or the connection is lost.
pub fn run(args: &WatchArgs, dir: &Path) -> anyhow::Result<Exit> {
    let (mut client, hello) = super::attach(dir, &args.target, &args.remote)?;
    client.subscribe()?;
    if !args.json {
        eprintln!(
            "watching {} (pid {}); Ctrl-C to stop",
            hello.agent.app, hello.agent.pid
        );
    }
    let mut out = std::io::stdout().lock();
    let end = event_stream::follow(&mut client, !args.json, |news| {
        if args.json {
            writeln!(out, "{}", news.json())?;
        } else {
            writeln!(out, "{}", news.text())?;
        }
        out.flush()
    })?;
    match end {
        StreamEnd::Closed => {
            eprintln!("agent closed the connection");
            Ok(Exit::Success)
        }
        StreamEnd::Dropped(reason) => {
            eprintln!("error: the agent dropped this watch: {reason}");
            Ok(Exit::Failure)
        }
    }
}
