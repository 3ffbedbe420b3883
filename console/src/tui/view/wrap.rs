//! Plain text wrapped to a width, as styled lines: what every pane that
//! shows a sentence longer than the terminal (a verdict, a refusal, a
//! message) uses, so nothing is cut off at 80 columns.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Lines narrower than this are not wrapped to: a word per line reads worse
/// than a line that runs off.
const MIN_WIDTH: usize = 8;

/// `text` wrapped to `width` columns in `style`; its own line breaks kept,
/// a word longer than a line broken.
pub fn wrap_plain(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    let width = width.max(MIN_WIDTH);
    text.lines()
        .flat_map(|line| {
            let wrapped = textwrap::wrap(line, width);
            if wrapped.is_empty() {
                vec![Line::styled(String::new(), style)]
            } else {
                wrapped
                    .into_iter()
                    .map(|piece| Line::styled(piece.into_owned(), style))
                    .collect()
            }
        })
        .collect()
}

/// `line` cut to `width` columns, its last column `ellipsis` (one column:
/// the theme's) when something was cut, so a reader knows there is more.
pub fn fit(line: Line<'static>, width: usize, ellipsis: &'static str) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let room = width.saturating_sub(1);
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans {
        let mut text = String::new();
        for c in span.content.chars() {
            let w = Span::raw(c.to_string()).width();
            if used + w > room {
                break;
            }
            used += w;
            text.push(c);
        }
        let full = text.len() == span.content.len();
        spans.push(Span::styled(text, span.style));
        if !full {
            break;
        }
    }
    spans.push(Span::raw(ellipsis));
    Line::from(spans).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_at_word_boundaries_and_keeps_its_breaks() {
        let lines = wrap_plain("one two three four\nfive", 9, Style::default());
        let texts: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(texts, ["one two", "three", "four", "five"]);
    }

    #[test]
    fn a_line_too_wide_ends_with_an_ellipsis() {
        let line = fit(Line::raw("abcdefghij"), 5, "…");
        assert_eq!(line.to_string(), "abcd…");
        assert_eq!(fit(Line::raw("abc"), 5, "…").to_string(), "abc");
    }
}
