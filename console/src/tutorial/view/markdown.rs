//! An exercise statement's Markdown as terminal lines, wrapped to a width:
//! headings emphasised, paragraphs and list items re-flowed (items with a
//! hanging indent), fenced code kept as it is and indented, `inline code`
//! and **bold** styled, quotes marked. Only what statements use; anything
//! else reads as the text it is.
//!
//! Wrapping is done here rather than by the paragraph widget so the viewer
//! knows how many lines there are to scroll.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::tui::theme::Theme;

/// A word and the styles of its pieces (`` `x`, `` is code then plain).
#[derive(Debug, Clone, Default)]
struct Word {
    pieces: Vec<(String, Style)>,
    width: usize,
}

impl Word {
    fn push(&mut self, c: char, style: Style) {
        match self.pieces.last_mut() {
            Some((text, s)) if *s == style => text.push(c),
            _ => self.pieces.push((c.to_string(), style)),
        }
        self.width += Span::raw(c.to_string()).width();
    }

    fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }
}

/// The words of `text`, with `` ` `` and `**` turned into styles over `base`.
fn words(text: &str, base: Style, theme: Theme) -> Vec<Word> {
    let mut out = Vec::new();
    let mut word = Word::default();
    let (mut code, mut bold) = (false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' => code = !code,
            '*' if !code && chars.peek() == Some(&'*') => {
                chars.next();
                bold = !bold;
            }
            ' ' | '\t' if !code => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => {
                let style = if code {
                    theme.code()
                } else if bold {
                    base.add_modifier(Modifier::BOLD)
                } else {
                    base
                };
                word.push(c, style);
            }
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Fills lines of `width` with `words`, the first line after `first`, the
/// next ones after `rest` (a hanging indent). A word longer than a line is
/// cut.
fn fill(
    words: Vec<Word>,
    first: Span<'static>,
    rest: Span<'static>,
    width: usize,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut spans = vec![first.clone()];
    let mut used = first.width();
    let mut empty = true;
    for word in words {
        let gap = usize::from(!empty);
        if !empty && used + gap + word.width > width {
            lines.push(Line::from(std::mem::replace(
                &mut spans,
                vec![rest.clone()],
            )));
            used = rest.width();
            empty = true;
        }
        if !empty {
            spans.push(Span::raw(" "));
            used += 1;
        }
        for (text, style) in word.pieces {
            for c in text.chars() {
                let w = Span::raw(c.to_string()).width();
                if used + w > width && used > rest.width() {
                    lines.push(Line::from(std::mem::replace(
                        &mut spans,
                        vec![rest.clone()],
                    )));
                    used = rest.width();
                }
                match spans.last_mut() {
                    Some(last) if last.style == style && used > rest.width() => {
                        last.content.to_mut().push(c)
                    }
                    _ => spans.push(Span::styled(c.to_string(), style)),
                }
                used += w;
            }
        }
        empty = false;
    }
    if !empty || lines.is_empty() {
        lines.push(Line::from(spans));
    }
    lines
}

/// The statement `markdown` as lines of at most `width` columns.
pub fn render(markdown: &str, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let width = width.max(20);
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    // A list item being re-flowed: its marker and text.
    let mut item: Option<(String, Vec<&str>)> = None;
    let mut fenced = false;

    let flush = |out: &mut Vec<Line<'static>>,
                 paragraph: &mut Vec<&str>,
                 item: &mut Option<(String, Vec<&str>)>| {
        if !paragraph.is_empty() {
            let text = paragraph.join(" ");
            out.extend(fill(
                words(&text, Style::new(), theme),
                Span::raw(""),
                Span::raw(""),
                width,
            ));
            paragraph.clear();
        }
        if let Some((marker, text)) = item.take() {
            let indent = " ".repeat(marker.len());
            out.extend(fill(
                words(&text.join(" "), Style::new(), theme),
                Span::styled(marker, theme.key()),
                Span::raw(indent),
                width,
            ));
        }
    };

    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            flush(&mut out, &mut paragraph, &mut item);
            fenced = !fenced;
            continue;
        }
        if fenced {
            out.push(Line::styled(format!("    {line}"), theme.code()));
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut out, &mut paragraph, &mut item);
            if out.last().is_some_and(|l| l.width() > 0) {
                out.push(Line::raw(""));
            }
            continue;
        }
        if let Some(heading) = heading(trimmed) {
            flush(&mut out, &mut paragraph, &mut item);
            let (level, text) = heading;
            let style = if level == 1 {
                theme.title().add_modifier(Modifier::UNDERLINED)
            } else {
                theme.title()
            };
            out.extend(fill(
                words(text, style, theme),
                Span::raw(""),
                Span::raw(""),
                width,
            ));
            continue;
        }
        if let Some(marker) = list_marker(trimmed) {
            flush(&mut out, &mut paragraph, &mut item);
            let indent = line.len() - trimmed.len();
            let shown = format!("{}{} ", " ".repeat(indent), marker.shown);
            item = Some((shown, vec![&trimmed[marker.len..]]));
            continue;
        }
        if trimmed.starts_with('|') {
            flush(&mut out, &mut paragraph, &mut item);
            out.push(Line::raw(line.to_string()));
            continue;
        }
        if let Some(quote) = trimmed.strip_prefix('>') {
            flush(&mut out, &mut paragraph, &mut item);
            out.extend(fill(
                words(quote.trim_start(), theme.dim(), theme),
                Span::styled("| ", theme.dim()),
                Span::styled("| ", theme.dim()),
                width,
            ));
            continue;
        }
        match &mut item {
            // A continuation line of a list item (indented).
            Some((_, text)) if line.starts_with(' ') => text.push(trimmed),
            _ => {
                if item.is_some() {
                    flush(&mut out, &mut paragraph, &mut item);
                }
                paragraph.push(trimmed);
            }
        }
    }
    flush(&mut out, &mut paragraph, &mut item);
    while out.last().is_some_and(|l| l.width() == 0) {
        out.pop();
    }
    out
}

/// `## Text` → (2, "Text").
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|&c| c == '#').count();
    (1..=6)
        .contains(&level)
        .then(|| line[level..].strip_prefix(' '))
        .flatten()
        .map(|text| (level, text.trim()))
}

/// A list item's marker: its length in the source and how it is shown.
struct Marker {
    len: usize,
    shown: String,
}

/// `- `, `* `, `1. `.
fn list_marker(line: &str) -> Option<Marker> {
    if line.starts_with("- ") || line.starts_with("* ") {
        return Some(Marker {
            len: 2,
            shown: "-".into(),
        });
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    (digits > 0 && line[digits..].starts_with(". ")).then(|| Marker {
        len: digits + 2,
        shown: line[..digits + 1].to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Theme = Theme {
        color: false,
        ascii: true,
    };

    fn text(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn paragraphs_reflow_and_list_items_hang() {
        let md = "# Title\n\nOne two three\nfour five six seven.\n\n- an item that goes on\n  and on\n2. `code` here\n";
        let lines = render(md, 20, PLAIN);
        assert_eq!(
            text(&lines),
            [
                "Title",
                "",
                "One two three four",
                "five six seven.",
                "",
                "- an item that goes",
                "  on and on",
                "2. code here",
            ]
        );
        assert!(lines.iter().all(|l| l.width() <= 20));
    }

    #[test]
    fn code_blocks_stay_as_they_are_and_long_words_are_cut() {
        let md = "```rust\nfn main() {   }\n```\nabcdefghijklmnopqrstuvwxyz0123";
        assert_eq!(
            text(&render(md, 20, PLAIN)),
            ["    fn main() {   }", "abcdefghijklmnopqrst", "uvwxyz0123"]
        );
    }
}
