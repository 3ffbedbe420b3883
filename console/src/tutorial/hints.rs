//! An exercise's hints: two or three, of increasing detail, the last close
//! to the solution, kept beside its statement in
//! `assets/tutorial/hints/<id>.md` as `## Hint 1`, `## Hint 2`, … sections.
//! The tutorial's `h` and `moult-console hint` reveal them one at a time;
//! the learner's progress counts how many were revealed.

use super::exercise::Exercise;
use super::workspace::Workspace;

/// The fewest and the most hints an exercise has.
pub const LEVELS: std::ops::RangeInclusive<usize> = 2..=3;

/// An exercise's hints, in order (level 1 first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hints {
    /// The text of each level (Markdown), without its heading.
    pub levels: Vec<String>,
}

impl Hints {
    /// Reads the `## Hint N` sections of `markdown`, in order. Text before
    /// the first heading (a title) is left out; a section's text is trimmed.
    /// `Err` names what is wrong: no section, or one numbered out of order.
    pub fn parse(markdown: &str) -> Result<Hints, String> {
        let mut levels: Vec<String> = Vec::new();
        let mut current: Option<String> = None;
        for line in markdown.lines() {
            if let Some(rest) = line.strip_prefix("## Hint ") {
                let number: usize = rest
                    .trim()
                    .parse()
                    .map_err(|_| format!("a heading {line:?} is not `## Hint <number>`"))?;
                if let Some(text) = current.take() {
                    levels.push(text.trim().to_string());
                }
                if number != levels.len() + 1 {
                    return Err(format!(
                        "hint {number} comes where hint {} should",
                        levels.len() + 1
                    ));
                }
                current = Some(String::new());
            } else if let Some(text) = &mut current {
                text.push_str(line);
                text.push('\n');
            }
        }
        if let Some(text) = current.take() {
            levels.push(text.trim().to_string());
        }
        if levels.is_empty() {
            return Err("no `## Hint 1` section".into());
        }
        Ok(Hints { levels })
    }

    /// How many levels there are.
    pub fn len(&self) -> usize {
        self.levels.len()
    }

    /// Whether there is none (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    /// The text of `level` (1-based), if there is such a level.
    pub fn level(&self, level: usize) -> Option<&str> {
        level
            .checked_sub(1)
            .and_then(|i| self.levels.get(i))
            .map(String::as_str)
    }

    /// The levels `1..=up_to` as one Markdown text, each under its
    /// `## Hint N` heading (what the tutorial's hint pane shows).
    pub fn revealed(&self, up_to: usize) -> String {
        self.levels
            .iter()
            .take(up_to)
            .enumerate()
            .map(|(i, text)| format!("## Hint {}\n\n{text}\n", i + 1))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Workspace {
    /// The exercise's hints file (`assets/tutorial/hints/<id>.md`).
    pub fn hints_path(&self, exercise: &Exercise) -> std::path::PathBuf {
        self.root
            .join("assets")
            .join("tutorial")
            .join("hints")
            .join(format!("{}.md", exercise.id))
    }

    /// The exercise's hints, or why they cannot be read.
    pub fn hints(&self, exercise: &Exercise) -> Result<Hints, String> {
        let path = self.hints_path(exercise);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read the hints {}: {e}", path.display()))?;
        Hints::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tutorial::catalog::EXERCISES;

    #[test]
    fn sections_are_read_in_order_and_the_title_is_left_out() {
        let hints =
            Hints::parse("# Hints\n\nintro\n\n## Hint 1\n\nLook at `a`.\n\n## Hint 2\nThen `b`.\n")
                .unwrap();
        assert_eq!(hints.levels, ["Look at `a`.", "Then `b`."]);
        assert_eq!(hints.level(2), Some("Then `b`."));
        assert_eq!(hints.level(0), None);
        assert_eq!(hints.level(3), None);
        assert_eq!(
            hints.revealed(1),
            "## Hint 1\n\nLook at `a`.\n",
            "only what was revealed"
        );
        assert!(hints.revealed(9).contains("## Hint 2\n\nThen `b`."));
    }

    #[test]
    fn a_file_without_hints_or_out_of_order_is_refused() {
        assert!(
            Hints::parse("# nothing\n")
                .unwrap_err()
                .contains("no `## Hint 1`")
        );
        assert!(
            Hints::parse("## Hint 2\nx\n")
                .unwrap_err()
                .contains("hint 2 comes where hint 1 should")
        );
        assert!(Hints::parse("## Hint one\n").is_err());
    }

    #[test]
    fn every_exercise_has_two_or_three_hints() {
        let ws = Workspace::locate().expect("run inside the checkout");
        for e in EXERCISES {
            let hints = ws.hints(e).unwrap_or_else(|why| panic!("{}: {why}", e.id));
            assert!(
                LEVELS.contains(&hints.len()),
                "{} has {} hints",
                e.id,
                hints.len()
            );
            assert!(
                hints.levels.iter().all(|h| !h.is_empty()),
                "{}: an empty hint",
                e.id
            );
        }
    }
}
