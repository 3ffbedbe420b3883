//! The hints pane over a running exercise: the hints revealed so far, one
//! more each time the learner asks (`h`), never past the last one; the
//! learner's count of hints used follows what was revealed.

use crate::tui::input::{self, Action, Key, Scope};
use crate::tui::text_scroll::TextScroll;
use crate::tutorial::hints::Hints;

/// The hints shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HintPane {
    /// The exercise's hints (all of them; only `shown` are drawn).
    pub hints: Hints,
    /// How many are revealed and drawn (1 or more).
    pub shown: usize,
    /// Where the reader is.
    pub scroll: TextScroll,
}

/// What a key in the pane asks of the running exercise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaneOutcome {
    /// Nothing beyond the pane.
    Stay,
    /// A new hint was revealed: this many are used now.
    Revealed(usize),
    /// Every hint is shown already (the solution is what is left).
    NoMore,
    /// Close the pane.
    Close,
    /// Quit the tutorial.
    Quit,
}

impl HintPane {
    /// The pane on `hints` with the `used` hints revealed before; with none
    /// revealed yet, the first one is (the caller records it).
    pub fn open(hints: Hints, used: usize) -> HintPane {
        let shown = used.clamp(1, hints.len().max(1));
        let mut pane = HintPane {
            hints,
            shown,
            scroll: TextScroll::default(),
        };
        // The newest revealed hint in sight.
        pane.scroll.end();
        pane
    }

    /// Reveals the next hint, if any is left: `Some(count shown now)`.
    pub fn reveal_next(&mut self) -> Option<usize> {
        if self.shown >= self.hints.len() {
            return None;
        }
        self.shown += 1;
        self.scroll.end();
        Some(self.shown)
    }

    /// Handles a key; `page` rows make a page.
    pub fn key(&mut self, key: Key, page: usize) -> PaneOutcome {
        let scroll = &mut self.scroll;
        match input::action(key, Scope::HintPane) {
            Some(Action::Hint) => {
                return match self.reveal_next() {
                    Some(n) => PaneOutcome::Revealed(n),
                    None => PaneOutcome::NoMore,
                };
            }
            Some(Action::Back) => return PaneOutcome::Close,
            Some(Action::Quit) => return PaneOutcome::Quit,
            Some(Action::Up) => scroll.up(1),
            Some(Action::Down) => scroll.down(1),
            Some(Action::PageUp) => scroll.up(page),
            Some(Action::PageDown) => scroll.down(page),
            Some(Action::Top) => scroll.home(),
            Some(Action::Bottom) => scroll.end(),
            _ => {}
        }
        PaneOutcome::Stay
    }
}
