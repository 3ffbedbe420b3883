//! JSON Schemas (draft 2020-12) of every wire message, generated from the
//! serde types themselves, so a client in another language can check what
//! it sends and reads without reading Rust.
//!
//! Only with the `schema` feature. The generated files are committed in
//! this crate's `schema/` directory ([`DIR`]); `tests/schema.rs` fails when
//! they drift from the types and rewrites them when run with
//! `MOULT_BLESS=1` (docs/PROTOCOL.md, "JSON Schema").

use schemars::{JsonSchema, schema_for};

use crate::{AgentInfo, ClientMessage, Event, JournalEntry, LibraryInfo, ServerMessage, Snapshot};

/// Where the generated files live, relative to this crate's directory.
pub const DIR: &str = "schema";

/// One committed schema file.
#[derive(Debug, Clone)]
pub struct Document {
    /// File name in [`DIR`] (`server-message.schema.json`).
    pub file: &'static str,
    /// What it describes, for the drift test's messages and the docs.
    pub describes: &'static str,
    /// The schema, as a JSON value.
    pub schema: serde_json::Value,
}

impl Document {
    fn of<T: JsonSchema>(file: &'static str, describes: &'static str) -> Document {
        Document {
            file,
            describes,
            schema: schema_for!(T).to_value(),
        }
    }

    /// The file's exact contents: pretty JSON and a final newline, so a
    /// diff of a regenerated file reads line by line.
    pub fn render(&self) -> String {
        let mut text =
            serde_json::to_string_pretty(&self.schema).expect("a JSON value always serialises");
        text.push('\n');
        text
    }
}

/// Every schema this crate publishes: the two message directions, and the
/// parts a client also meets on their own (the metadata file next to the
/// socket, journal lines, events, snapshots, libraries).
pub fn documents() -> Vec<Document> {
    vec![
        Document::of::<ClientMessage>(
            "client-message.schema.json",
            "one request line a client sends",
        ),
        Document::of::<ServerMessage>(
            "server-message.schema.json",
            "one line the agent sends: a reply, an error, events, state, closing",
        ),
        Document::of::<Snapshot>("snapshot.schema.json", "the agent's live state"),
        Document::of::<Event>("event.schema.json", "one event of the stream"),
        Document::of::<JournalEntry>(
            "journal-entry.schema.json",
            "one line of the journal file `<pid>.journal`",
        ),
        Document::of::<AgentInfo>(
            "agent-info.schema.json",
            "the metadata file `<pid>.json` next to the socket",
        ),
        Document::of::<LibraryInfo>(
            "library-info.schema.json",
            "one loaded update library (`libraries`)",
        ),
    ]
}
