//! `watch`: print the event stream until the app exits.

use std::io::Write;
use std::path::Path;

use moult_console::client::Incoming;
use moult_console::exit::Exit;
use moult_console::render;
use serde_json::json;

use crate::cli::WatchArgs;

/// Subscribes and prints every event; exit 0 when the agent closes.
pub fn run(args: &WatchArgs, dir: &Path) -> anyhow::Result<Exit> {
    let (mut client, hello) = super::attach(dir, &args.target)?;
    client.subscribe()?;
    if !args.json {
        eprintln!(
            "watching {} (pid {}); Ctrl-C to stop",
            hello.agent.app, hello.agent.pid
        );
    }
    let mut out = std::io::stdout().lock();
    loop {
        match client.recv(None)? {
            Some(Incoming::Events { events, dropped }) => {
                if dropped > 0 {
                    if args.json {
                        writeln!(out, "{}", json!({ "type": "dropped", "dropped": dropped }))?;
                    } else {
                        writeln!(
                            out,
                            "warning: {dropped} events dropped (this console read too slowly)"
                        )?;
                    }
                }
                for event in &events {
                    if args.json {
                        writeln!(out, "{}", serde_json::to_string(event)?)?;
                    } else {
                        writeln!(out, "{}", render::event_line(event))?;
                    }
                }
                out.flush()?;
            }
            Some(Incoming::State(_)) | None => {}
            Some(Incoming::Closing { reason }) => eprintln!("agent closing: {reason}"),
            Some(Incoming::Disconnected) => {
                eprintln!("agent closed the connection");
                return Ok(Exit::Success);
            }
        }
    }
}
