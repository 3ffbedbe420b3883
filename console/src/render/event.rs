//! One line per event: what `apply` shows as the update progresses and
//! `watch` prints as it happens.

use moult_protocol::{Blocker, ClassChange, Event, EventKind, Outcome};

use super::task_blocker::{BlockerOf, blocker_of, group_blockers};
use super::thread_state;

/// An outcome in words: `applied`, `rolled back: <reason>`...
pub fn outcome(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Applied => "applied".into(),
        Outcome::Postponed(why) => format!("postponed: {why}"),
        Outcome::Aborted(why) => format!("aborted: {why}"),
        Outcome::RolledBack(why) => format!("rolled back: {why}"),
        Outcome::Failed(why) => format!("failed: {why}"),
    }
}

/// What blocked an alterability attempt: `alterable` when nothing did,
/// else `blocked by thread main in app::f (depth 1)`, several joined by `; `.
/// Tasks read one group at a time: `blocked by conn: 7 tasks not at a
/// point — conn#12 last passed idle, …, +2 more`.
pub fn blockers(blockers: &[Blocker]) -> String {
    if blockers.is_empty() {
        return "alterable".into();
    }
    let mut each: Vec<String> = blockers
        .iter()
        .filter(|b| blocker_of(b) == BlockerOf::Thread)
        .map(|b| {
            let mut s = format!("thread {}", b.thread);
            if let Some(function) = &b.function {
                s.push_str(&format!(" in {function} (depth {})", b.depth));
            }
            if !b.detail.is_empty() {
                s.push_str(&format!(": {}", b.detail));
            }
            s
        })
        .collect();
    each.extend(group_blockers(blockers).iter().map(|g| g.line(TASKS_NAMED)));
    format!("blocked by {}", each.join("; "))
}

/// How many tasks of a group a line of blockers names (the agent names five).
const TASKS_NAMED: usize = 3;

/// The event without its time.
pub fn describe(kind: &EventKind) -> String {
    match kind {
        EventKind::UpdateQueued { update, id } => format!("{update} #{id}: queued"),
        EventKind::Lifecycle {
            update,
            id,
            step: s,
        } => format!("{update} #{id}: step {}", s.name()),
        EventKind::Alterability {
            update,
            id,
            attempt,
            max_tries,
            blockers: b,
        } => format!(
            "{update} #{id}: attempt {attempt}/{max_tries}: {}",
            blockers(b)
        ),
        EventKind::UpdateDone {
            update,
            id,
            outcome: o,
        } => match o {
            Outcome::Postponed(_) => format!("{update} #{id}: {} (back in the queue)", outcome(o)),
            _ => format!("{update} #{id}: {}", outcome(o)),
        },
        EventKind::FunctionRedefined { function, version } => {
            format!("function {function} is now v{version}")
        }
        EventKind::ClassRedefined {
            class,
            version,
            change,
        } => match change {
            ClassChange::Constructor => {
                format!("class {class} is now v{version} (new constructor)")
            }
            ClassChange::EagerConversion => {
                format!("class {class} is now v{version} (eager conversion)")
            }
            ClassChange::LazyConversion => {
                format!("class {class} is now v{version} (lazy conversion)")
            }
            ClassChange::RolledBack => format!("class {class} is back to v{version} (rolled back)"),
        },
        EventKind::ConversionProgress {
            class,
            converted,
            total,
        } => format!("class {class}: {converted}/{total} instances converted"),
        EventKind::ThreadState { thread, state } => {
            format!("thread {thread}: {}", thread_state(state))
        }
        EventKind::RolledBack { update, what } => format!("{update}: undid {what}"),
        EventKind::LibraryLoaded { path, updates } if updates.is_empty() => {
            format!("library {path} loaded, but it hands out no update (its entry returned none)")
        }
        EventKind::LibraryLoaded { path, updates } => {
            format!("library {path} loaded: {}", updates.join(", "))
        }
        EventKind::LibraryRefused { path, reason } => {
            format!("library {path} refused: {reason}")
        }
        EventKind::Log { level, message } => format!("log {level}: {message}"),
        EventKind::UpdateReverted {
            update,
            id,
            target,
            reason,
        } => format!("{update} #{id}: reverted #{target} ({reason})"),
        EventKind::WatchStarted {
            update,
            id,
            secs,
            max_panics,
        } => format!(
            "{update} #{id}: watched for {secs} s (reverted after more than {max_panics} panics)"
        ),
        EventKind::WatchEnded {
            update,
            id,
            reverted,
            detail,
        } => {
            if *reverted {
                format!("{update} #{id}: watch: revert ({detail})")
            } else {
                format!("{update} #{id}: watch over: {detail}")
            }
        }
        EventKind::VersionPanicked {
            function,
            version,
            panics,
            since_last,
        } => format!(
            "function {function} v{version} panicked ({since_last} since the last report, {panics} in all)"
        ),
    }
}

/// The event with its time since the agent started: `[   12.345s] ...`.
pub fn event_line(event: &Event) -> String {
    format!(
        "[{:>6}.{:03}s] {}",
        event.at_ms / 1000,
        event.at_ms % 1000,
        describe(&event.kind)
    )
}

#[cfg(test)]
mod tests {
    use moult_protocol::{LifecycleStep, ThreadState};

    use super::*;

    fn blocker(thread: &str, function: Option<&str>, depth: u32, detail: &str) -> Blocker {
        Blocker {
            thread: thread.into(),
            function: function.map(str::to_string),
            depth,
            detail: detail.into(),
        }
    }

    #[test]
    fn an_alterability_attempt_names_who_blocks_it() {
        let kind = EventKind::Alterability {
            update: "hello_v2".into(),
            id: 3,
            attempt: 2,
            max_tries: 5,
            blockers: vec![blocker("main", Some("step1_hello::hello"), 1, "")],
        };
        assert_eq!(
            describe(&kind),
            "hello_v2 #3: attempt 2/5: blocked by thread main in step1_hello::hello (depth 1)"
        );
        assert_eq!(
            blockers(&[
                blocker("a", Some("f"), 2, ""),
                blocker("clock", None, 0, "not parked at an update point"),
            ]),
            "blocked by thread a in f (depth 2); thread clock: not parked at an update point"
        );
        assert_eq!(blockers(&[]), "alterable");
    }

    #[test]
    fn blocking_tasks_read_one_group_at_a_time_after_the_threads() {
        let mut list = vec![blocker(
            "task conn#12",
            None,
            0,
            "not at an update point (last passed: idle)",
        )];
        list.extend((13..=16).map(|id| {
            blocker(
                &format!("task conn#{id}"),
                None,
                0,
                "not at an update point (none passed yet)",
            )
        }));
        list.push(blocker(
            "task group conn",
            None,
            3,
            "3 more task(s) not at an update point",
        ));
        list.push(blocker("clock", None, 0, "not parked at an update point"));
        assert_eq!(
            blockers(&list),
            "blocked by thread clock: not parked at an update point; \
             conn: 8 tasks not at a point — conn#12 last passed idle, \
             conn#13 none passed yet, conn#14 none passed yet, +5 more"
        );
    }

    #[test]
    fn every_kind_reads_as_a_sentence() {
        let lines: Vec<String> = [
            EventKind::UpdateQueued {
                update: "u".into(),
                id: 1,
            },
            EventKind::Lifecycle {
                update: "u".into(),
                id: 1,
                step: LifecycleStep::Alterability,
            },
            EventKind::UpdateDone {
                update: "u".into(),
                id: 1,
                outcome: Outcome::Postponed("thread main busy".into()),
            },
            EventKind::UpdateDone {
                update: "u".into(),
                id: 1,
                outcome: Outcome::RolledBack("apply panicked: boom".into()),
            },
            EventKind::FunctionRedefined {
                function: "app::hello".into(),
                version: 2,
            },
            EventKind::ClassRedefined {
                class: "app::Data".into(),
                version: 1,
                change: ClassChange::LazyConversion,
            },
            EventKind::ClassRedefined {
                class: "app::Data".into(),
                version: 2,
                change: ClassChange::EagerConversion,
            },
            EventKind::ClassRedefined {
                class: "app::Data".into(),
                version: 3,
                change: ClassChange::Constructor,
            },
            EventKind::ClassRedefined {
                class: "app::Data".into(),
                version: 2,
                change: ClassChange::RolledBack,
            },
            EventKind::ConversionProgress {
                class: "app::Data".into(),
                converted: 3,
                total: 5,
            },
            EventKind::ThreadState {
                thread: "clock".into(),
                state: ThreadState::Parked("loop_head".into()),
            },
            EventKind::RolledBack {
                update: "u".into(),
                what: "function app::hello back to v1".into(),
            },
            EventKind::LibraryLoaded {
                path: "/tmp/libu.so".into(),
                updates: vec!["a".into(), "b".into()],
            },
            EventKind::LibraryRefused {
                path: "/tmp/libu.so".into(),
                reason: "fingerprint differs".into(),
            },
            EventKind::Log {
                level: "info".into(),
                message: "hi".into(),
            },
        ]
        .iter()
        .map(describe)
        .collect();
        insta::assert_snapshot!(lines.join("\n"));
    }

    #[test]
    fn a_library_that_hands_out_no_update_says_so_instead_of_blank_text() {
        // Defect 11: it read "library /tmp/libu.so loaded: ".
        let text = describe(&EventKind::LibraryLoaded {
            path: "/tmp/libu.so".into(),
            updates: Vec::new(),
        });
        assert_eq!(
            text,
            "library /tmp/libu.so loaded, but it hands out no update (its entry returned none)"
        );
    }

    #[test]
    fn the_time_is_seconds_since_the_agent_started() {
        let event = Event {
            seq: 9,
            at_ms: 12_345,
            kind: EventKind::FunctionRedefined {
                function: "f".into(),
                version: 1,
            },
        };
        assert_eq!(event_line(&event), "[    12.345s] function f is now v1");
    }
}
