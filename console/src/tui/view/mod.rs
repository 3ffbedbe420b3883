//! Drawing the console: the header, the current view (or a detail), the
//! footer, and an open prompt over them. One file per view; each is a
//! function of the model ([`AppState`]) and the operator's state ([`Ui`]).

mod alterability;
mod build;
mod classes;
mod confirm;
mod detail;
mod footer;
mod functions;
mod header;
mod help;
mod lifecycle;
mod sparkline;
mod stage;
mod table;
mod theme;
mod threads;
mod updates;

pub use theme::Theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use super::state::{AppState, ClassRow, FunctionRow, UpdateRow};
use super::table_nav::TableNav;
use super::ui::{Mode, Ui, ViewId};
use moult_protocol::ThreadInfo;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, state: &AppState, ui: &mut Ui) {
    let theme = ui.theme;
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(frame.area());
    header::draw(frame, head, state, ui);
    match &ui.detail {
        Some(detail) => detail::draw(frame, body, state, detail, theme),
        None => {
            let nav = &mut ui.tables[ui.view.index()];
            match ui.view {
                ViewId::Threads => threads::draw(frame, body, state, nav, theme),
                ViewId::Functions => functions::draw(frame, body, state, nav, theme),
                ViewId::Classes => classes::draw(frame, body, state, nav, theme),
                ViewId::Updates => updates::draw(frame, body, state, nav, theme),
                ViewId::Alterability => alterability::draw(frame, body, state, nav, theme),
            }
        }
    }
    footer::draw(frame, foot, ui);
    match &mut ui.mode {
        Mode::Help(scroll) => help::draw(frame, body, *scroll, theme),
        Mode::Picker(picker) => stage::draw(frame, body, picker, theme),
        Mode::Confirm(confirm) => confirm::draw(frame, body, confirm, theme),
        Mode::Build(log) => build::draw(frame, body, log, theme),
        Mode::Normal | Mode::Filter => {}
    }
}

/// How many sort keys `view` has (what `s` cycles through).
pub fn sort_keys(view: ViewId) -> usize {
    match view {
        ViewId::Threads => threads::SORTS.len(),
        ViewId::Functions => functions::SORTS.len(),
        ViewId::Classes => classes::SORTS.len(),
        ViewId::Updates => updates::SORTS.len(),
        ViewId::Alterability => alterability::SORTS.len(),
    }
}

/// The selected thread of the Threads view.
pub fn selected_thread<'a>(state: &'a AppState, nav: &TableNav) -> Option<&'a ThreadInfo> {
    threads::selected(state, nav)
}

/// The selected function of the Functions view.
pub fn selected_function<'a>(state: &'a AppState, nav: &TableNav) -> Option<&'a FunctionRow> {
    functions::selected(state, nav)
}

/// The selected class of the Classes view.
pub fn selected_class<'a>(state: &'a AppState, nav: &TableNav) -> Option<&'a ClassRow> {
    classes::selected(state, nav)
}

/// The selected update of the Updates view.
pub fn selected_update<'a>(state: &'a AppState, nav: &TableNav) -> Option<&'a UpdateRow> {
    updates::selected(state, nav)
}

#[cfg(test)]
mod tests;
