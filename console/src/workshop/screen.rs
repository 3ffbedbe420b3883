//! The leader's view's state: the live table of learners' machines, what
//! each one's report says, whether consoles opened from here may act; keys
//! as plain data.

use ratatui::Frame;

use super::learner::Learner;
use super::report::LearnerReport;
use super::view;
use crate::live_targets::screen::{LiveScreen, OpenConsole};
use crate::live_targets::ui::{Keyed, LiveUi};
use crate::live_targets::{Member, News, Report, TargetTable};
use crate::remote::Route;
use crate::target::Target;
use crate::tui::effect::Effect;
use crate::tui::input::{Action, Key, Scope, key_of};
use crate::tui::shell::Screen;
use crate::tui::theme::Theme;
use crate::tui::ui::Tone;

/// The leader's view.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkshopScreen {
    /// A row per learner's machine (connection state, from the shared table).
    pub table: TargetTable,
    /// What each one's last report said, by row: `Err` when it could not
    /// be read as a report (an older console there, say).
    pub learners: Vec<Option<Result<Learner, String>>>,
    /// Consoles opened with Enter may act on the learner's app.
    pub allow_actions: bool,
    /// Selection, help, message.
    pub ui: LiveUi,
}

impl WorkshopScreen {
    /// The view of `members`, none reached yet.
    pub fn new(members: Vec<Member>, allow_actions: bool, theme: Theme) -> WorkshopScreen {
        WorkshopScreen {
            learners: vec![None; members.len()],
            table: TargetTable::new(members),
            allow_actions,
            ui: LiveUi::new(theme),
        }
    }

    /// Takes in a report: the connection's state in the table, a learner's
    /// progress in its row.
    pub fn apply(&mut self, report: &Report) {
        self.table.apply(report);
        if let (News::Output(text), Some(slot)) =
            (&report.news, self.learners.get_mut(report.index))
        {
            *slot = Some(
                serde_json::from_str::<LearnerReport>(text)
                    .map(|r| Learner::of(&r))
                    .map_err(|e| {
                        format!("its `moult-console tutorial progress --json` said no report ({e}); is its moult-console this one's version?")
                    }),
            );
        }
    }
}

impl Screen for WorkshopScreen {
    type Own = OpenConsole;

    fn draw(&mut self, frame: &mut Frame) {
        view::draw(frame, self);
    }

    fn key(&mut self, key: Key, page: usize) -> Vec<Effect<OpenConsole>> {
        let before = self.ui.nav.selected;
        match self
            .ui
            .key(key, page, Scope::Workshop, self.table.rows.len())
        {
            Keyed::Done(effects) => {
                // Moving to another learner drops the message about the
                // last one (`back from pid …`), so the footer tells the
                // row now selected: why its last check failed, say.
                if self.ui.nav.selected != before {
                    self.ui.message = None;
                }
                effects
            }
            Keyed::Own(Action::Open, Some(index)) => {
                self.ui.message = None;
                vec![Effect::Own(OpenConsole {
                    index,
                    allow_actions: self.allow_actions,
                })]
            }
            Keyed::Own(Action::AllowActions, _) => {
                self.allow_actions = !self.allow_actions;
                let text = if self.allow_actions {
                    "actions allowed: the consoles Enter opens may apply, abort, reboot... on the learners' apps"
                } else {
                    "read-only again: the consoles Enter opens only show the learners' apps"
                };
                self.ui.message = Some((Tone::Info, text.into()));
                Vec::new()
            }
            Keyed::Own(..) => Vec::new(),
        }
    }
}

impl LiveScreen for WorkshopScreen {
    fn report(&mut self, report: Report) {
        self.apply(&report);
    }

    fn say(&mut self, tone: Tone, text: String) {
        self.ui.message = Some((tone, text));
    }

    /// The learner's exercise app, by pid, through their machine's link.
    fn console_route(&self, open: &OpenConsole) -> Result<Route, String> {
        let row = self.table.rows.get(open.index).ok_or("no such row")?;
        let who = row.member.host();
        let learner = match self.learners.get(open.index) {
            Some(Some(Ok(learner))) => learner,
            _ => {
                return Err(format!(
                    "{who} has not reported yet: wait for their row to fill"
                ));
            }
        };
        let app = learner.app.as_ref().ok_or_else(|| {
            format!("{who} runs no exercise app now (the tutorial starts one when they open an exercise)")
        })?;
        Ok(row.member.route.retarget(Target::Pid(app.pid)))
    }

    fn read_only_reason(&self) -> String {
        let quit = key_of(Action::Quit, Scope::Global).unwrap_or_default();
        let allow = key_of(Action::AllowActions, Scope::Workshop).unwrap_or_default();
        format!(
            "read-only: this is a learner's app. To act on it, {quit} back to the leader's view and press {allow} (or start the workshop with --allow-actions)"
        )
    }
}
