//! The runtime directory's rules, in one place for the agent and the console.
//!
//! [`moult_protocol::discovery`] names the files (`<pid>.sock`, `<pid>.json`,
//! `<pid>.journal`); this crate answers what the names alone cannot:
//!
//! - what is in a directory ([`contents`]),
//! - which process is alive ([`liveness`]: a zombie is not),
//! - who cleans it ([`sweep`](mod@sweep): files of dead processes, journals past
//!   their retention, old copies in [`uploads`]), and which agents it lists
//!   ([`agents`]),
//! - how a journal file is read ([`journal_reader`]: a damaged line is
//!   skipped, counted and reported, the lines after it are kept).
//!
//! It is not part of `moult-protocol` because that crate is the wire
//! vocabulary, free of I/O and of any OS: a peer that only speaks the
//! protocol (a remote console, a fuzz target) links it without `/proc`,
//! `kill(2)` or file removal. Both sides depend on this crate and it only
//! on the protocol, so dependencies keep pointing one way.

pub mod agents;
pub mod contents;
pub mod journal_reader;
pub mod liveness;
pub mod sweep;
pub mod uploads;

pub use agents::{list_agents, list_agents_with, read_info};
pub use contents::{FileKind, RunFile, scan};
pub use journal_reader::{JournalRead, parse_journal, read_journal};
pub use liveness::process_alive;
pub use sweep::{JOURNAL_RETENTION, Swept, remove_agent_files, sweep, sweep_with};
pub use uploads::{UPLOAD_RETENTION, UPLOADS_DIR};
