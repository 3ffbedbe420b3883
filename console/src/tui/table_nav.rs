//! Where the operator is in one table: the selected row, the first row
//! shown, the filter and the sort. Tables are virtualised: only the rows of
//! [`TableNav::window`] are built and drawn, so 10 000 rows cost no more
//! than a screenful.

use std::ops::Range;

/// Navigation state of one table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableNav {
    /// Index of the selected row among the filtered, sorted rows (clamped
    /// when drawn, so moving past the end is harmless).
    pub selected: usize,
    /// First row shown: kept so the selection stays visible without the
    /// view jumping on every move.
    pub offset: usize,
    /// Case-insensitive substring rows must contain (in their name).
    pub filter: String,
    /// Index of the sort key in the view's list of sort keys.
    pub sort: usize,
    /// Sort descending instead of ascending.
    pub descending: bool,
}

impl TableNav {
    /// The rows to draw for `len` rows in `height` lines; clamps the
    /// selection and moves the window just enough to show it.
    pub fn window(&mut self, len: usize, height: usize) -> Range<usize> {
        if len == 0 || height == 0 {
            self.selected = 0;
            self.offset = 0;
            return 0..0;
        }
        self.selected = self.selected.min(len - 1);
        if self.selected < self.offset {
            self.offset = self.selected;
        }
        if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        // Rows removed or a taller window: do not leave blank lines at the end.
        self.offset = self.offset.min(len.saturating_sub(height));
        self.offset..(self.offset + height).min(len)
    }

    /// Moves the selection up `n` rows.
    pub fn up(&mut self, n: usize) {
        self.selected = self.selected.saturating_sub(n);
    }

    /// Moves the selection down `n` rows (clamped when drawn).
    pub fn down(&mut self, n: usize) {
        self.selected = self.selected.saturating_add(n);
    }

    /// Selects the first row.
    pub fn top(&mut self) {
        self.selected = 0;
    }

    /// Selects the last row (clamped when drawn).
    pub fn bottom(&mut self) {
        self.selected = usize::MAX;
    }

    /// Whether `name` passes the filter.
    pub fn matches(&self, name: &str) -> bool {
        self.filter.is_empty() || name.to_lowercase().contains(&self.filter.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_follows_the_selection_and_never_runs_past_the_end() {
        let mut nav = TableNav::default();
        assert_eq!(nav.window(100, 10), 0..10);
        nav.down(15);
        assert_eq!(nav.window(100, 10), 6..16);
        nav.up(3);
        assert_eq!(nav.window(100, 10), 6..16, "still visible: no jump");
        nav.bottom();
        assert_eq!(nav.window(100, 10), 90..100);
        assert_eq!(nav.selected, 99);
        assert_eq!(nav.window(20, 10), 10..20, "rows went away");
        assert_eq!(nav.selected, 19);
        assert_eq!(nav.window(5, 10), 0..5);
        assert_eq!(nav.window(0, 10), 0..0);
        nav.top();
        assert_eq!(nav.window(100, 10), 0..10);
    }

    #[test]
    fn the_filter_is_a_case_insensitive_substring() {
        let nav = TableNav {
            filter: "Busy".into(),
            ..TableNav::default()
        };
        assert!(nav.matches("e2e_app::busy"));
        assert!(!nav.matches("e2e_app::greeting"));
        assert!(TableNav::default().matches("anything"));
    }
}
