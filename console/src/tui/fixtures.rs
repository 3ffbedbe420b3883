//! Canned protocol transcripts (`console/tests/data/tui/*.jsonl`) replayed
//! through the real state module: what the view tests render.
//!
//! Each line is a [`ServerMessage`] as the agent sends it: a `hello` reply
//! attaches, a `journal` reply sets the journal, stream messages are
//! applied. Two directives stand for what the connection reports:
//! `@detached <reason>` and `@include <file>`; `#` starts a comment.

use std::path::Path;

use moult_protocol::{Response, ServerMessage};

use super::state::AppState;

/// What `draw` puts on a `width`×`height` test terminal, as text: one line
/// per row, trailing spaces trimmed. Every view test reads screens with it.
pub fn drawn_text(width: u16, height: u16, draw: impl FnOnce(&mut ratatui::Frame)) -> String {
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal.draw(draw).unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            let row: String = (0..width).map(|x| buffer[(x, y)].symbol()).collect();
            row.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The state after replaying transcript `name` (without `.jsonl`).
pub fn replay(name: &str) -> AppState {
    let mut state = AppState::new();
    replay_into(&mut state, name);
    state
}

fn replay_into(state: &mut AppState, name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/tui")
        .join(format!("{name}.jsonl"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(file) = line.strip_prefix("@include ") {
            replay_into(state, file.trim_end_matches(".jsonl"));
            continue;
        }
        if let Some(reason) = line.strip_prefix("@detached ") {
            state.detached(reason);
            continue;
        }
        let message: ServerMessage = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{}: bad line {line}: {e}", path.display()));
        match message {
            ServerMessage::Ok {
                result: Response::Hello { agent, .. },
                ..
            } => state.attached(agent),
            ServerMessage::Ok {
                result: Response::Journal { entries, .. },
                ..
            } => state.set_journal(entries),
            other => state.apply(other),
        }
    }
}
