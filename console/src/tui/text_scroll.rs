//! Where a reader is in a long text (a statement, a solution's source):
//! the first line shown. Like [`super::table_nav::TableNav`] without a
//! selection: moving past either end is harmless, the window is clamped
//! when drawn, when the height is known.

use std::ops::Range;

/// The scroll position of one text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextScroll {
    /// The first line shown (clamped when drawn).
    pub top: usize,
}

impl TextScroll {
    /// The lines to draw of `len` lines in `height` rows; clamps `top` so
    /// the last screenful is full.
    pub fn window(&mut self, len: usize, height: usize) -> Range<usize> {
        self.top = self.top.min(len.saturating_sub(height));
        self.top..(self.top + height).min(len)
    }

    /// Up `n` lines.
    pub fn up(&mut self, n: usize) {
        self.top = self.top.saturating_sub(n);
    }

    /// Down `n` lines.
    pub fn down(&mut self, n: usize) {
        self.top = self.top.saturating_add(n);
    }

    /// The first line.
    pub fn home(&mut self) {
        self.top = 0;
    }

    /// The last screenful.
    pub fn end(&mut self) {
        self.top = usize::MAX;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_stays_inside_the_text() {
        let mut s = TextScroll::default();
        assert_eq!(s.window(100, 10), 0..10);
        s.down(95);
        assert_eq!(s.window(100, 10), 90..100);
        s.up(5);
        assert_eq!(s.window(100, 10), 85..95);
        s.end();
        assert_eq!(s.window(5, 10), 0..5, "shorter than the screen");
        s.home();
        assert_eq!(s.window(0, 10), 0..0);
    }
}
