//! Drawing the console: the header, the current view (or a detail), the
//! footer, and an open prompt over them. One file per view; each is a
//! function of the model ([`AppState`]) and the operator's state ([`Ui`]).
//! The tutorial's screens (exercise list, statement, running exercise with
//! the app's output, check pane, solution) are drawn in
//! `crate::tutorial::view`, from the same pieces; `work` and `footer` are
//! shared with them.

mod alterability;
pub mod boxed;
mod build;
mod classes;
pub mod confirm;
mod detail;
pub mod footer;
mod functions;
pub mod header;
pub mod help;
mod lifecycle;
mod sparkline;
mod stage;
pub mod table;
mod threads;
mod updates;
pub mod work;
pub mod wrap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::input::footer_hints;
use super::state::AppState;
use super::ui::{Mode, Ui};
use super::view_id::ViewId;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, state: &AppState, ui: &mut Ui) {
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(footer::height(ui, frame.area().width)),
    ])
    .areas(frame.area());
    header::draw(frame, head, state, ui);
    draw_body(frame, body, state, ui);
    let hints = footer_hints(ui.view);
    footer::draw(frame, foot, ui, &hints);
    draw_prompt(frame, body, ui);
}

/// The current view, or the detail open over it, in `area`.
pub fn draw_body(frame: &mut Frame, area: Rect, state: &AppState, ui: &mut Ui) {
    let theme = ui.theme;
    match &ui.detail {
        Some(detail) => detail::draw(frame, area, state, detail, theme),
        None => {
            let nav = &mut ui.tables[ui.view.index()];
            match ui.view {
                ViewId::Threads => threads::draw(frame, area, state, nav, &ui.expanded, theme),
                ViewId::Functions => functions::draw(frame, area, state, nav, theme),
                ViewId::Classes => classes::draw(frame, area, state, nav, theme),
                ViewId::Updates => updates::draw(frame, area, state, nav, theme),
                ViewId::Alterability => alterability::draw(frame, area, state, nav, theme),
            }
        }
    }
}

/// The help, prompt, confirmation or build pane open over `area`, if any.
pub fn draw_prompt(frame: &mut Frame, area: Rect, ui: &mut Ui) {
    let theme = ui.theme;
    match &mut ui.mode {
        Mode::Help(scroll) => help::draw(frame, area, scroll, theme),
        Mode::Picker(picker) => stage::draw(frame, area, picker, theme),
        Mode::Confirm(confirm) => confirm::draw(frame, area, &confirm.question, theme),
        Mode::Build(log) => build::draw(frame, area, log, theme),
        Mode::Normal | Mode::Filter => {}
    }
}

#[cfg(test)]
mod tasks_tests;
#[cfg(test)]
mod tests;
