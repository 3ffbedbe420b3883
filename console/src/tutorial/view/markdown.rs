//! An exercise statement's Markdown as terminal lines, wrapped to a width.
//! pulldown-cmark parses it (CommonMark: headings, paragraphs, nested
//! lists, fenced code, quotes, links, tables); textwrap wraps each block's
//! text; this file only says how each block looks: headings emphasised,
//! list items with a hanging indent, code kept as it is and indented,
//! `inline code` and **bold** styled, quotes marked, a link's target after
//! its text.
//!
//! Wrapping is done here rather than by the paragraph widget so the viewer
//! knows how many lines there are to scroll.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::tui::theme::Theme;

/// Narrower than this, statements are still wrapped to it.
const MIN_WIDTH: usize = 20;

/// Text being gathered for one block: plain text and the style of each
/// stretch of it.
#[derive(Debug, Default)]
struct Block {
    text: String,
    styles: Vec<(Range<usize>, Style)>,
    /// Shown before its first line (a list marker, a quote bar).
    first: Vec<Span<'static>>,
    /// Shown before the next lines (the hanging indent).
    rest: Vec<Span<'static>>,
}

impl Block {
    fn push(&mut self, text: &str, style: Style) {
        let start = self.text.len();
        self.text.push_str(text);
        self.styles.push((start..self.text.len(), style));
    }

    fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// Where the renderer is in the document.
struct Renderer {
    theme: Theme,
    width: usize,
    out: Vec<Line<'static>>,
    block: Block,
    /// Bold and italic nesting.
    strong: usize,
    emphasis: usize,
    /// The heading being read, its style.
    heading: Option<Style>,
    /// Quote nesting.
    quotes: usize,
    /// Open lists: the next number of each ordered one.
    lists: Vec<Option<u64>>,
    /// A fenced or indented code block being read.
    code: Option<String>,
    /// The link being read, its target.
    link: Option<String>,
    /// Table rows being read, cell by cell.
    table: Option<Vec<Vec<String>>>,
}

impl Renderer {
    fn style(&self) -> Style {
        let mut style = self.heading.unwrap_or_default();
        if self.quotes > 0 {
            style = style.patch(self.theme.dim());
        }
        if self.strong > 0 {
            style = style.add_modifier(Modifier::BOLD);
        }
        if self.emphasis > 0 {
            style = style.add_modifier(Modifier::ITALIC);
        }
        style
    }

    /// The prefix of a line inside the open quotes and lists (not the
    /// item's marker: that is the block's first prefix).
    fn indent(&self) -> Vec<Span<'static>> {
        let mut spans = Vec::new();
        if self.quotes > 0 {
            spans.push(Span::styled("| ".repeat(self.quotes), self.theme.dim()));
        }
        spans
    }

    fn text(&mut self, text: &str) {
        if let Some(rows) = &mut self.table {
            if let Some(cell) = rows.last_mut().and_then(|r| r.last_mut()) {
                cell.push_str(text);
            }
            return;
        }
        if let Some(code) = &mut self.code {
            code.push_str(text);
            return;
        }
        let style = self.style();
        self.block.push(text, style);
    }

    /// Wraps the gathered block into lines.
    fn flush(&mut self) {
        let block = std::mem::take(&mut self.block);
        if block.is_empty() {
            return;
        }
        let indent = self.indent();
        let mut first = indent.clone();
        first.extend(block.first.iter().cloned());
        let mut rest = indent;
        rest.extend(block.rest.iter().cloned());
        let first_width: usize = first.iter().map(Span::width).sum();
        let rest_width: usize = rest.iter().map(Span::width).sum();
        let room = self
            .width
            .saturating_sub(first_width.max(rest_width))
            .max(1);
        for (i, range) in wrap_ranges(&block.text, room).into_iter().enumerate() {
            let mut spans = if i == 0 { first.clone() } else { rest.clone() };
            spans.extend(styled(&block, range));
            self.out.push(Line::from(spans));
        }
    }

    /// A blank line between blocks (never two, never first).
    fn gap(&mut self) {
        if self.lists.is_empty() && self.out.last().is_some_and(|l| l.width() > 0) {
            self.out.push(Line::raw(""));
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.flush();
                let title = self.theme.title();
                self.heading = Some(if level == HeadingLevel::H1 {
                    title.add_modifier(Modifier::UNDERLINED)
                } else {
                    title
                });
            }
            // A loose list item's text comes in a paragraph: it keeps the
            // item's marker.
            Tag::Paragraph if self.lists.is_empty() || !self.block.is_empty() => self.flush(),
            Tag::BlockQuote(_) => {
                self.flush();
                self.quotes += 1;
            }
            Tag::CodeBlock(_) => {
                self.flush();
                self.code = Some(String::new());
            }
            Tag::List(start) => {
                self.flush();
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let marker = format!("{n}.");
                        *n += 1;
                        marker
                    }
                    _ => "-".to_string(),
                };
                let lead = "  ".repeat(depth);
                self.block.first = vec![
                    Span::raw(lead.clone()),
                    Span::styled(format!("{marker} "), self.theme.key()),
                ];
                self.block.rest =
                    vec![Span::raw(format!("{lead}{}", " ".repeat(marker.len() + 1)))];
            }
            Tag::Strong => self.strong += 1,
            Tag::Emphasis => self.emphasis += 1,
            Tag::Link { dest_url, .. } => self.link = Some(dest_url.to_string()),
            Tag::Table(_) => {
                self.flush();
                self.table = Some(Vec::new());
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(rows) = &mut self.table {
                    rows.push(Vec::new());
                }
            }
            Tag::TableCell => {
                if let Some(row) = self.table.as_mut().and_then(|rows| rows.last_mut()) {
                    row.push(String::new());
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                self.flush();
                self.heading = None;
                self.gap();
            }
            TagEnd::Paragraph if self.lists.is_empty() => {
                self.flush();
                self.gap();
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quotes = self.quotes.saturating_sub(1);
                self.gap();
            }
            TagEnd::CodeBlock => {
                let code = self.code.take().unwrap_or_default();
                let indent = self.indent();
                for line in code.trim_end_matches('\n').lines() {
                    let mut spans = indent.clone();
                    spans.push(Span::styled(format!("    {line}"), self.theme.code()));
                    self.out.push(Line::from(spans));
                }
                self.gap();
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                self.gap();
            }
            TagEnd::Item => self.flush(),
            TagEnd::Strong => self.strong = self.strong.saturating_sub(1),
            TagEnd::Emphasis => self.emphasis = self.emphasis.saturating_sub(1),
            TagEnd::Link => {
                if let Some(url) = self.link.take()
                    && !self.block.text.ends_with(&url)
                {
                    self.block.push(&format!(" <{url}>"), self.theme.dim());
                }
            }
            TagEnd::Table => {
                let rows = self.table.take().unwrap_or_default();
                self.table_lines(&rows);
                self.gap();
            }
            _ => {}
        }
    }

    /// A table as aligned columns, its header in the title style.
    fn table_lines(&mut self, rows: &[Vec<String>]) {
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                rows.iter()
                    .filter_map(|r| r.get(c))
                    .map(|cell| Span::raw(cell.as_str()).width())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for (i, row) in rows.iter().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, &w)| format!("{cell:<w$}"))
                .collect();
            let style = if i == 0 {
                self.theme.title()
            } else {
                Style::default()
            };
            let text = cells.join("  ").trim_end().to_string();
            for line in textwrap::wrap(&text, self.width) {
                self.out.push(Line::styled(line.into_owned(), style));
            }
        }
    }
}

/// The byte ranges of `text`'s lines wrapped to `width` columns (a word
/// longer than a line is broken).
fn wrap_ranges(text: &str, width: usize) -> Vec<Range<usize>> {
    let options = textwrap::Options::new(width)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(true);
    let base = text.as_ptr() as usize;
    let mut from = 0;
    textwrap::wrap(text, options)
        .into_iter()
        .map(|line| {
            let start = match &line {
                // A slice of `text`: where it starts.
                Cow::Borrowed(s) => s.as_ptr() as usize - base,
                // Not expected with these options; found from where the last ended.
                Cow::Owned(s) => text[from..].find(s.as_str()).map_or(from, |i| from + i),
            };
            let range = start..start + line.len();
            from = range.end;
            range
        })
        .collect()
}

/// The spans of `block`'s text in `range`, each in its style.
fn styled(block: &Block, range: Range<usize>) -> Vec<Span<'static>> {
    block
        .styles
        .iter()
        .filter_map(|(r, style)| {
            let start = r.start.max(range.start);
            let end = r.end.min(range.end);
            (start < end).then(|| Span::styled(block.text[start..end].to_string(), *style))
        })
        .collect()
}

/// The statement `markdown` as lines of at most `width` columns.
pub fn render(markdown: &str, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut r = Renderer {
        theme,
        width: width.max(MIN_WIDTH),
        out: Vec::new(),
        block: Block::default(),
        strong: 0,
        emphasis: 0,
        heading: None,
        quotes: 0,
        lists: Vec::new(),
        code: None,
        link: None,
        table: None,
    };
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(tag) => r.start(tag),
            Event::End(tag) => r.end(tag),
            Event::Text(text) => r.text(&text),
            Event::Code(code) => {
                if r.table.is_some() {
                    r.text(&code);
                } else {
                    let style = theme.code();
                    r.block.push(&code, style);
                }
            }
            Event::SoftBreak => r.text(" "),
            Event::HardBreak => {
                r.flush();
            }
            Event::Rule => {
                r.flush();
                r.out
                    .push(Line::styled("-".repeat(r.width.min(40)), theme.dim()));
                r.gap();
            }
            Event::Html(html) | Event::InlineHtml(html) => r.text(&html),
            _ => {}
        }
    }
    r.flush();
    while r.out.last().is_some_and(|l| l.width() == 0) {
        r.out.pop();
    }
    r.out
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
        let md = "# Title\n\nOne two three\nfour five six seven.\n\n- an item that goes on\n  and on\n- `code` here\n";
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
                "- code here",
            ]
        );
        assert!(lines.iter().all(|l| l.width() <= 20));
    }

    #[test]
    fn code_blocks_stay_as_they_are_and_long_words_are_cut() {
        let md = "```rust\nfn main() {   }\n```\nabcdefghijklmnopqrstuvwxyz0123";
        assert_eq!(
            text(&render(md, 20, PLAIN)),
            [
                "    fn main() {   }",
                "",
                "abcdefghijklmnopqrst",
                "uvwxyz0123"
            ]
        );
    }

    #[test]
    fn nested_and_numbered_lists_links_and_tables_read_as_text() {
        let md = "1. first\n2. second\n   - inner item\n\nSee [the guide](https://example.org/g).\n\n| key | what |\n| --- | --- |\n| u | check |\n";
        assert_eq!(
            text(&render(md, 40, PLAIN)),
            [
                "1. first",
                "2. second",
                "  - inner item",
                "",
                "See the guide <https://example.org/g>.",
                "",
                "key  what",
                "u    check",
            ]
        );
    }

    #[test]
    fn inline_code_and_bold_keep_their_style_across_a_wrap() {
        let theme = Theme {
            color: true,
            ascii: false,
        };
        let lines = render("say **very loud words** and `run_it()` now", 20, theme);
        let code = lines
            .iter()
            .flat_map(|l| l.spans.iter())
            .find(|s| s.content.contains("run_it"))
            .unwrap();
        assert_eq!(code.style, theme.code());
        let bold = lines
            .iter()
            .flat_map(|l| l.spans.iter())
            .find(|s| s.content.contains("loud"))
            .unwrap();
        assert!(bold.style.add_modifier.contains(Modifier::BOLD));
    }
}
