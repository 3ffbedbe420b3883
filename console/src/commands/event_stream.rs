//! One agent's event stream, followed to its end and told as lines: what
//! `watch` prints for its target, and `fleet watch` for each target of a
//! fleet (each line prefixed with its target).

use moult_console::client::{Client, Incoming};
use moult_console::render;
use moult_protocol::Event;
use serde_json::json;

/// Something of the stream worth a line.
#[derive(Debug, Clone, Copy)]
pub enum News<'a> {
    /// An event of the app.
    Event(&'a Event),
    /// The agent dropped this many events for this console (it read too
    /// slowly).
    Dropped(u64),
}

impl News<'_> {
    /// Its line for a reader: the event with the agent's clock, or the
    /// warning.
    pub fn text(&self) -> String {
        match self {
            News::Event(event) => render::event_line(event),
            News::Dropped(n) => {
                format!("warning: {n} events dropped (this console read too slowly)")
            }
        }
    }

    /// Its JSON line: the event as the protocol has it, or
    /// `{"type":"dropped","dropped":N}`.
    pub fn json(&self) -> serde_json::Value {
        match self {
            News::Event(event) => json!(event),
            News::Dropped(n) => json!({ "type": "dropped", "dropped": n }),
        }
    }
}

/// How a followed stream ended, short of a lost connection (an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEnd {
    /// The connection ended without a reason: the app exited (or its agent
    /// stopped).
    Closed,
    /// The agent dropped this subscriber, saying why (it fell behind).
    Dropped(String),
}

/// Reads the stream of `client` (subscribed) until it ends, handing `emit`
/// each piece of news in order. `paced`: conversion progress is thinned
/// to a line per tenth of a class (a reader's pace; JSON gets every
/// event). An error of `emit` (stdout closed) or a lost connection (ssh
/// lost the host, a silent link) ends it with that error.
pub fn follow(
    client: &mut Client,
    paced: bool,
    mut emit: impl FnMut(News<'_>) -> std::io::Result<()>,
) -> anyhow::Result<StreamEnd> {
    let mut pace = render::ConversionPace::default();
    let mut closing = None;
    loop {
        match client.recv(None)? {
            Some(Incoming::Events { events, dropped }) => {
                if dropped > 0 {
                    emit(News::Dropped(dropped))?;
                }
                for event in &events {
                    if !paced || pace.show(&event.kind) {
                        emit(News::Event(event))?;
                    }
                }
            }
            Some(Incoming::State(_)) | None => {}
            // Only a live agent dropping this client says why (it fell
            // behind); an app that exits just ends the connection.
            Some(Incoming::Closing { reason }) => closing = Some(reason),
            Some(Incoming::Disconnected) => {
                return Ok(closing.map_or(StreamEnd::Closed, StreamEnd::Dropped));
            }
        }
    }
}
