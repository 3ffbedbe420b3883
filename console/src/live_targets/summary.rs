//! What a live table's row shows of a target's snapshot: the versions of
//! its hot functions (compact), its current or last update and how that
//! ended, and its health (panics over calls of the current versions).

use moult_protocol::{Outcome, Snapshot, UpdateInfo};

use crate::render::outcome;

/// A snapshot, reduced to a row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Each hot function's short name (its last path segment) and version,
    /// in the snapshot's order: the row says `hello v1, tick v0`.
    pub versions: Vec<(String, u32)>,
    /// The update running now, else the newest one that ended, in words.
    pub update: Option<UpdateLine>,
    /// Calls of the current versions, summed over every hot function.
    pub calls: u64,
    /// Of those calls, the ones that panicked: what an operator watches
    /// after an update.
    pub panics: u64,
}

/// One update as a row says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateLine {
    /// `#3 hello_v2`.
    pub name: String,
    /// Where it is or how it ended: `alterability`, `applied`,
    /// `rolled back: …`, `reverted by #4`.
    pub state: String,
    /// Whether it went wrong (rolled back, aborted, failed, reverted): the
    /// cell is drawn as an error.
    pub bad: bool,
}

impl Summary {
    /// The summary of `snapshot`.
    pub fn of(snapshot: &Snapshot) -> Summary {
        let versions = snapshot
            .functions
            .iter()
            .map(|f| (short(&f.name).to_string(), f.version))
            .collect();
        let (calls, panics) = snapshot
            .functions
            .iter()
            .flat_map(|f| f.health.iter().filter(move |h| h.version == f.version))
            .fold((0, 0), |(c, p), h| (c + h.calls, p + h.panics));
        Summary {
            versions,
            update: update_line(&snapshot.updates),
            calls,
            panics,
        }
    }

    /// `hello v1, tick v0`; `no hot functions` when there are none.
    pub fn versions_text(&self) -> String {
        if self.versions.is_empty() {
            return "no hot functions".into();
        }
        self.versions
            .iter()
            .map(|(name, v)| format!("{name} v{v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `step1_hello::hello` → `hello`.
fn short(name: &str) -> &str {
    name.rsplit("::").next().unwrap_or(name)
}

/// The running update (the first not ended), else the newest ended one.
fn update_line(updates: &[UpdateInfo]) -> Option<UpdateLine> {
    let running = updates.iter().find(|u| u.outcome.is_none());
    let chosen = running.or_else(|| updates.iter().max_by_key(|u| u.id))?;
    let name = format!("#{} {}", chosen.id, chosen.name);
    Some(match (&chosen.outcome, chosen.reverted_by) {
        (None, _) => UpdateLine {
            name,
            state: chosen.step.name().to_string(),
            bad: false,
        },
        (Some(Outcome::Applied), Some(by)) => UpdateLine {
            name,
            state: format!("reverted by #{by}"),
            bad: true,
        },
        (Some(done), _) => UpdateLine {
            name,
            state: outcome(done),
            bad: !matches!(done, Outcome::Applied | Outcome::Postponed(_)),
        },
    })
}
