//! `status`: the agent line, then threads, functions, classes and updates.

use std::time::Duration;

use moult_protocol::{
    ClassInfo, FunctionInfo, Snapshot, TaskInfo, ThreadInfo, ThreadState, UpdateInfo,
};

use super::{Table, duration, outcome};

/// The snapshot as `status` prints it.
pub fn snapshot(s: &Snapshot) -> String {
    let a = &s.agent;
    let mut out = format!(
        "agent {} (pid {}): moult {}, protocol {}, {} build, up {}, {} client{}\n",
        a.app,
        a.pid,
        a.moult_version,
        a.protocol,
        a.cargo_profile,
        duration(Duration::from_millis(s.uptime_ms)),
        s.connections,
        if s.connections == 1 { "" } else { "s" },
    );
    if s.dropped_subscribers > 0 {
        out.push_str(&format!(
            "warning: {} subscriber(s) dropped for not reading their events\n",
            s.dropped_subscribers
        ));
    }
    section(&mut out, "Threads", threads(&s.threads));
    if !s.tasks.is_empty() {
        section(&mut out, "Tasks", tasks(&s.tasks));
    }
    section(&mut out, "Functions", functions(&s.functions));
    section(&mut out, "Classes", classes(&s.classes));
    section(&mut out, "Updates", updates(&s.updates));
    out
}

/// A DSU thread's state in words.
pub fn thread_state(state: &ThreadState) -> String {
    match state {
        ThreadState::Running => "running".into(),
        ThreadState::Parked(point) => format!("parked at {point}"),
        ThreadState::Rebooting => "rebooting".into(),
        ThreadState::Finished => "finished".into(),
    }
}

fn section(out: &mut String, title: &str, table: Table) {
    out.push('\n');
    out.push_str(title);
    out.push('\n');
    if table.is_empty() {
        out.push_str("  (none)\n");
    } else {
        out.push_str(&table.render("  "));
    }
}

/// Tasks, one row per group: hundreds of connection tasks read as one line.
fn tasks(tasks: &[TaskInfo]) -> Table {
    let mut t = Table::new(&["GROUP", "TASKS", "PARKED", "MAIN", "LAST POINTS"]);
    let mut groups: Vec<&str> = tasks.iter().map(|t| t.group.as_str()).collect();
    groups.dedup();
    for group in groups {
        let of: Vec<&TaskInfo> = tasks.iter().filter(|t| t.group == group).collect();
        let parked = of
            .iter()
            .filter(|t| matches!(t.state, ThreadState::Parked(_)))
            .count();
        let mut mains: Vec<u32> = of.iter().map(|t| t.main_version).collect();
        mains.sort_unstable();
        mains.dedup();
        let mut points: Vec<&str> = of.iter().filter_map(|t| t.last_point.as_deref()).collect();
        points.sort_unstable();
        points.dedup();
        t.row(vec![
            group.to_string(),
            of.len().to_string(),
            parked.to_string(),
            mains
                .iter()
                .map(|v| format!("v{v}"))
                .collect::<Vec<_>>()
                .join(","),
            if points.is_empty() {
                "-".into()
            } else {
                points.join(", ")
            },
        ]);
    }
    t
}

fn threads(threads: &[ThreadInfo]) -> Table {
    let mut t = Table::new(&["NAME", "STATE", "LAST POINT", "MAIN", "REBOOTS"]);
    for th in threads {
        t.row(vec![
            th.name.clone(),
            thread_state(&th.state),
            th.last_point.clone().unwrap_or_else(|| "-".into()),
            format!("v{}", th.main_version),
            th.reboots.to_string(),
        ]);
    }
    t
}

fn functions(functions: &[FunctionInfo]) -> Table {
    let mut t = Table::new(&["NAME", "VERSION", "ACTIVE", "CALLS", "GATED"]);
    for f in functions {
        let active = if f.threads.is_empty() {
            "-".to_string()
        } else {
            f.threads
                .iter()
                .map(|a| format!("{}: {}", a.thread, a.active))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let calls: u64 = f.threads.iter().map(|a| a.calls).sum();
        t.row(vec![
            f.name.clone(),
            format!("v{}", f.version),
            active,
            calls.to_string(),
            if f.gated { "gated" } else { "no" }.into(),
        ]);
    }
    t
}

fn classes(classes: &[ClassInfo]) -> Table {
    let mut t = Table::new(&["NAME", "VERSION", "LIVE", "PENDING LAZY"]);
    for c in classes {
        let live = if c.versions.is_empty() {
            "-".to_string()
        } else {
            c.versions
                .iter()
                .map(|v| format!("v{}: {}", v.version, v.live))
                .collect::<Vec<_>>()
                .join(", ")
        };
        t.row(vec![
            c.name.clone(),
            format!("v{}", c.version),
            live,
            c.pending_lazy.to_string(),
        ]);
    }
    t
}

fn updates(updates: &[UpdateInfo]) -> Table {
    let mut t = Table::new(&["ID", "NAME", "STEP", "ATTEMPTS", "OUTCOME"]);
    for u in updates {
        t.row(vec![
            u.id.to_string(),
            u.name.clone(),
            u.step.name().into(),
            u.attempts.to_string(),
            u.outcome.as_ref().map_or_else(|| "-".into(), outcome),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use moult_protocol::{AgentInfo, LifecycleStep, Outcome, ThreadActivity, VersionCount};

    use super::*;

    /// A snapshot of the step2 fibonacci demo in the middle of its updates.
    fn fibonacci() -> Snapshot {
        Snapshot {
            agent: AgentInfo {
                app: "step2-fibonacci".into(),
                pid: 4242,
                moult_version: "0.1.0".into(),
                protocol: 1,
                fingerprint: "rustc 1.95.0|moult 0.1.0|x86_64-unknown-linux-gnu|debug|unwind"
                    .into(),
                cargo_profile: "debug".into(),
                started_unix_ms: 1_714_565_000_000,
                socket: "/run/user/1000/moult/4242.sock".into(),
                journal: "/run/user/1000/moult/4242.journal".into(),
                exe: "/work/target/debug/step2-fibonacci".into(),
                moult_build: None,
            },
            uptime_ms: 3_723_000,
            tasks: vec![],
            threads: vec![
                ThreadInfo {
                    name: "main".into(),
                    state: ThreadState::Running,
                    last_point: Some("loop_head".into()),
                    main_version: 0,
                    reboots: 0,
                    mains: Vec::new(),
                },
                ThreadInfo {
                    name: "grower".into(),
                    state: ThreadState::Parked("before_sum".into()),
                    last_point: Some("before_sum".into()),
                    main_version: 1,
                    reboots: 2,
                    mains: Vec::new(),
                },
            ],
            functions: vec![
                FunctionInfo {
                    name: "step2_fibonacci::sum".into(),
                    signature: "fn(&Data, &Data) -> Data".into(),
                    version: 1,
                    threads: vec![
                        ThreadActivity {
                            thread: "main".into(),
                            active: 1,
                            calls: 120,
                        },
                        ThreadActivity {
                            thread: "grower".into(),
                            active: 0,
                            calls: 7,
                        },
                    ],
                    gated: true,
                    health: Vec::new(),
                    source: None,
                },
                FunctionInfo {
                    name: "step2_fibonacci::show".into(),
                    signature: "fn(&[Data])".into(),
                    version: 0,
                    threads: vec![],
                    gated: false,
                    health: Vec::new(),
                    source: None,
                },
            ],
            classes: vec![ClassInfo {
                name: "step2_fibonacci::Data".into(),
                version: 1,
                versions: vec![
                    VersionCount {
                        version: 0,
                        type_name: "step2_fibonacci::Data".into(),
                        live: 3,
                    },
                    VersionCount {
                        version: 1,
                        type_name: "upd::DataV2".into(),
                        live: 2,
                    },
                ],
                pending_lazy: 3,
            }],
            updates: vec![
                UpdateInfo {
                    id: 1,
                    name: "data_origin".into(),
                    step: LifecycleStep::Done,
                    attempts: 1,
                    outcome: Some(Outcome::Applied),
                    revertible: None,
                    reverted_by: None,
                },
                UpdateInfo {
                    id: 2,
                    name: "sum_v2".into(),
                    step: LifecycleStep::Done,
                    attempts: 5,
                    outcome: Some(Outcome::RolledBack("apply panicked: overflow".into())),
                    revertible: None,
                    reverted_by: None,
                },
                UpdateInfo {
                    id: 3,
                    name: "sum_v3".into(),
                    step: LifecycleStep::Alterability,
                    attempts: 2,
                    outcome: None,
                    revertible: None,
                    reverted_by: None,
                },
            ],
            next_event: 57,
            connections: 1,
            dropped_subscribers: 0,
        }
    }

    #[test]
    fn status_of_an_app_mid_update() {
        insta::assert_snapshot!(snapshot(&fibonacci()));
    }

    #[test]
    fn status_of_an_app_with_nothing_registered() {
        let mut s = fibonacci();
        s.uptime_ms = 45_000;
        s.threads.clear();
        s.functions.clear();
        s.classes.clear();
        s.updates.clear();
        insta::assert_snapshot!(snapshot(&s));
    }

    #[test]
    fn tasks_read_as_one_row_per_group() {
        let mut s = fibonacci();
        let task = |id, group: &str, state, point: &str, main| TaskInfo {
            id,
            group: group.into(),
            state,
            last_point: Some(point.into()),
            main_version: main,
        };
        s.tasks = (1..=300)
            .map(|id| {
                let state = if id <= 298 {
                    ThreadState::Parked("between requests".into())
                } else {
                    ThreadState::Running
                };
                let point = if id <= 298 {
                    "between requests"
                } else {
                    "idle"
                };
                task(id, "conn", state, point, 0)
            })
            .chain([task(301, "purge", ThreadState::Running, "sweep", 1)])
            .collect();
        let out = snapshot(&s);
        let rows: Vec<&str> = out.lines().skip_while(|l| *l != "Tasks").take(4).collect();
        insta::assert_snapshot!(rows.join("\n"));
    }

    #[test]
    fn thread_states_in_words() {
        assert_eq!(thread_state(&ThreadState::Running), "running");
        assert_eq!(
            thread_state(&ThreadState::Parked("loop".into())),
            "parked at loop"
        );
        assert_eq!(thread_state(&ThreadState::Rebooting), "rebooting");
        assert_eq!(thread_state(&ThreadState::Finished), "finished");
    }
}
