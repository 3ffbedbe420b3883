//! The fleet view's state: the live table of targets and the operator's
//! side; keys as plain data (Enter asks for a target's console).

use ratatui::Frame;

use crate::live_targets::screen::{LiveScreen, OpenConsole};
use crate::live_targets::ui::{Keyed, LiveUi};
use crate::live_targets::{Member, Report, TargetTable};
use crate::remote::Route;
use crate::target::Target;
use crate::tui::effect::Effect;
use crate::tui::input::{Action, Key, Scope};
use crate::tui::shell::Screen;
use crate::tui::theme::Theme;
use crate::tui::ui::Tone;

use super::view;

/// The fleet view.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetScreen {
    /// A row per target.
    pub table: TargetTable,
    /// Selection, help, message.
    pub ui: LiveUi,
}

impl FleetScreen {
    /// The view of `members`, none reached yet.
    pub fn new(members: Vec<Member>, theme: Theme) -> FleetScreen {
        FleetScreen {
            table: TargetTable::new(members),
            ui: LiveUi::new(theme),
        }
    }
}

impl Screen for FleetScreen {
    type Own = OpenConsole;

    fn draw(&mut self, frame: &mut Frame) {
        view::draw(frame, &self.table, &mut self.ui);
    }

    fn key(&mut self, key: Key, page: usize) -> Vec<Effect<OpenConsole>> {
        match self.ui.key(key, page, Scope::Fleet, self.table.rows.len()) {
            Keyed::Done(effects) => effects,
            Keyed::Own(Action::Open, Some(index)) => {
                self.ui.message = None;
                vec![Effect::Own(OpenConsole {
                    index,
                    allow_actions: true,
                })]
            }
            Keyed::Own(..) => Vec::new(),
        }
    }
}

impl LiveScreen for FleetScreen {
    fn report(&mut self, report: Report) {
        self.table.apply(&report);
    }

    fn say(&mut self, tone: Tone, text: String) {
        self.ui.message = Some((tone, text));
    }

    /// The target's own route; once its agent answered, by pid, so the
    /// console opens the very process the row shows.
    fn console_route(&self, open: &OpenConsole) -> Result<Route, String> {
        let row = self.table.rows.get(open.index).ok_or("no such row")?;
        Ok(match &row.agent {
            Some(agent) => row.member.route.retarget(Target::Pid(agent.pid)),
            None => row.member.route.clone(),
        })
    }

    fn read_only_reason(&self) -> String {
        "read-only console".into()
    }
}
