//! Colours and symbols: full Unicode and colour by default, plain ASCII
//! with `--ascii`, no colour when `NO_COLOR` is set (<https://no-color.org>).

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

/// How the console draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Use colours (off with `NO_COLOR`): emphasis then relies on bold and
    /// reverse video only.
    pub color: bool,
    /// Only ASCII symbols (`--ascii`): for terminals and fonts without
    /// box drawing or block characters.
    pub ascii: bool,
}

/// ASCII borders: `+`, `-`, `|`.
const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Theme {
    /// From the command line's `--ascii` and the environment's `NO_COLOR`
    /// (set and not empty, as the convention says).
    pub fn from_env(ascii: bool) -> Theme {
        Theme::with(ascii, std::env::var_os("NO_COLOR"))
    }

    /// From `--ascii` and the value of `NO_COLOR`, if set.
    pub fn with(ascii: bool, no_color: Option<std::ffi::OsString>) -> Theme {
        Theme {
            color: no_color.is_none_or(|v| v.is_empty()),
            ascii,
        }
    }

    /// Box borders.
    pub fn border(self) -> border::Set<'static> {
        if self.ascii {
            ASCII_BORDER
        } else {
            border::ROUNDED
        }
    }

    /// Sparkline levels, lowest first.
    pub fn spark_levels(self) -> &'static [char] {
        if self.ascii {
            &['_', '.', '-', '=', '^', '#']
        } else {
            &['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█']
        }
    }

    /// Gauge cells: (filled, empty).
    pub fn gauge_cells(self) -> (char, char) {
        if self.ascii {
            ('#', '-')
        } else {
            ('█', '░')
        }
    }

    /// "Leads to" (between lifecycle steps).
    pub fn arrow(self) -> &'static str {
        if self.ascii { ">" } else { "→" }
    }

    /// Where a line too wide was cut.
    pub fn ellipsis(self) -> &'static str {
        if self.ascii { "~" } else { "…" }
    }

    /// Between items of one line.
    pub fn sep(self) -> &'static str {
        if self.ascii { "|" } else { "·" }
    }

    /// The mark of a warning.
    pub fn warn_mark(self) -> &'static str {
        if self.ascii { "!" } else { "⚠" }
    }

    /// The mark of the connection state.
    pub fn dot(self) -> &'static str {
        if self.ascii { "*" } else { "●" }
    }

    /// The mark of a row that folds others under it: open or closed.
    pub fn fold(self, open: bool) -> &'static str {
        match (self.ascii, open) {
            (true, true) => "-",
            (true, false) => "+",
            (false, true) => "▾",
            (false, false) => "▸",
        }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// Titles and headers.
    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The selected row.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Good news: connected, applied.
    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    /// Attention: reconnecting, blocked, pending, dropped events.
    pub fn warn(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// Failure: detached, rolled back, refused.
    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// Less important text.
    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    /// Code in a statement or a solution.
    pub fn code(self) -> Style {
        self.fg(Color::LightBlue)
    }

    /// The badge of a passed check (reverse video, so it shows without colour too).
    pub fn pass(self) -> Style {
        self.ok()
            .add_modifier(Modifier::REVERSED)
            .add_modifier(Modifier::BOLD)
    }

    /// The badge of a failed check.
    pub fn fail(self) -> Style {
        self.error().add_modifier(Modifier::REVERSED)
    }

    /// A key in the footer and help.
    pub fn key(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_set_and_not_empty_turns_colours_off() {
        assert!(Theme::with(false, None).color);
        assert!(Theme::with(false, Some("".into())).color);
        assert!(!Theme::with(true, Some("1".into())).color);
        assert!(Theme::with(true, None).ascii);
    }
}
