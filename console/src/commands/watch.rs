//! `watch`: print the event stream until the app exits.

use std::io::Write;
use std::path::Path;

use moult_console::client::Incoming;
use moult_console::exit::Exit;
use moult_console::render;
use serde_json::json;

use crate::cli::WatchArgs;

/// Subscribes and prints every event; exit 0 when the app exits, 1 when
/// the agent drops this client.
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
    let mut closing = None;
    let mut pace = render::ConversionPace::default();
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
                    } else if pace.show(&event.kind) {
                        writeln!(out, "{}", render::event_line(event))?;
                    }
                }
                out.flush()?;
            }
            Some(Incoming::State(_)) | None => {}
            // Only a live agent dropping this client says why (it fell
            // behind); an app that exits just ends the connection.
            Some(Incoming::Closing { reason }) => closing = Some(reason),
            Some(Incoming::Disconnected) => {
                return match closing {
                    None => {
                        eprintln!("agent closed the connection");
                        Ok(Exit::Success)
                    }
                    Some(reason) => {
                        eprintln!("error: the agent dropped this watch: {reason}");
                        Ok(Exit::Failure)
                    }
                };
            }
        }
    }
}
