//! Time to draw one frame of `moult-console attach` with 10 000 rows in the
//! Functions view and in the Classes view, against drawing a frame of the
//! same size with nothing in it and with one plain ratatui `Paragraph`.
//!
//! The model is built the way the console builds it: protocol snapshots
//! (`ServerMessage::State`) applied to the real [`AppState`], two of them a
//! second apart so the calls/s column has rates. Each frame is drawn into a
//! ratatui `TestBackend` (no terminal I/O: what is measured is the layout,
//! the windowing of the table, sorting/filtering and the cell writes).
//!
//! `cargo bench -p moult-console --bench console_render` — criterion
//! measures each case, then the bench prints a table "case | median |
//! spread | ratio to baseline | target | met?" (target: ≤ 5 ms per frame).
//! Under `cargo test` each case runs once (criterion's test mode).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use moult_console::tui::state::AppState;
use moult_console::tui::theme::Theme;
use moult_console::tui::ui::Ui;
use moult_console::tui::view::draw;
use moult_console::tui::view_id::ViewId;
use moult_protocol::{
    AgentInfo, ClassInfo, FunctionInfo, ServerMessage, Snapshot, ThreadActivity, VersionCount,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::widgets::{Block, Borders, Paragraph};

/// Rows in the big table.
const ROWS: usize = 10_000;

/// Terminal sizes drawn: a large and the classic terminal.
const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

/// Target for one frame, in nanoseconds.
const TARGET_NS: f64 = 5_000_000.0;

fn agent() -> AgentInfo {
    AgentInfo {
        app: "bench-app".into(),
        pid: 4242,
        moult_version: "0.1.0".into(),
        protocol: moult_protocol::PROTOCOL_VERSION,
        fingerprint: "0123456789abcdef".into(),
        cargo_profile: "release".into(),
        started_unix_ms: 0,
        socket: "/run/user/1000/moult/4242.sock".into(),
        journal: "/run/user/1000/moult/4242.journal".into(),
        exe: "/usr/local/bin/bench-app".into(),
        moult_build: None,
    }
}

/// A snapshot at second `second` of an app with `ROWS` hot functions on two
/// threads and `ROWS` tracked classes with two live versions each.
fn snapshot(second: u64) -> ServerMessage {
    let functions = (0..ROWS)
        .map(|i| FunctionInfo {
            name: format!("app::module{:03}::f{i:05}", i / 100),
            signature: "fn(u64) -> u64".into(),
            version: (i % 3) as u32,
            threads: ["worker-1", "worker-2"]
                .iter()
                .map(|t| ThreadActivity {
                    thread: (*t).into(),
                    active: (i % 2) as u32,
                    calls: second * i as u64,
                })
                .collect(),
            gated: false,
            health: Vec::new(),
            source: None,
        })
        .collect();
    let classes = (0..ROWS)
        .map(|i| ClassInfo {
            name: format!("app::model{:03}::Class{i:05}", i / 100),
            version: 1,
            versions: (0..2)
                .map(|v| VersionCount {
                    version: v,
                    type_name: format!("app::model::Class{i:05}V{v}"),
                    live: 10 * i as u64 + v as u64,
                })
                .collect(),
            pending_lazy: (i % 7) as u64,
        })
        .collect();
    ServerMessage::State {
        snapshot: Snapshot {
            agent: agent(),
            uptime_ms: 1000 * second,
            threads: vec![],
            functions,
            tasks: vec![],
            classes,
            updates: vec![],
            next_event: 0,
            connections: 1,
            dropped_subscribers: 0,
        },
    }
}

/// The model after two snapshots a second apart, as the console has it.
fn state() -> AppState {
    let mut state = AppState::new();
    state.attached(agent());
    state.apply(snapshot(1));
    state.apply(snapshot(2));
    state
}

fn ui(view: ViewId) -> Ui {
    let mut ui = Ui::new(Theme {
        color: true,
        ascii: false,
    });
    ui.view = view;
    ui
}

fn bench(c: &mut Criterion) {
    let state = state();
    let mut g = c.benchmark_group("console_render");
    for (w, h) in SIZES {
        let size = format!("{w}x{h}");
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        g.bench_function(format!("empty_frame/{size}"), |b| {
            b.iter(|| {
                terminal
                    .draw(|f| {
                        black_box(f.area());
                    })
                    .map(|_| ())
            })
        });
        let text = "moult-console ".repeat(usize::from(w) * usize::from(h) / 14);
        g.bench_function(format!("paragraph/{size}"), |b| {
            b.iter(|| {
                terminal
                    .draw(|f| {
                        let p = Paragraph::new(text.as_str())
                            .wrap(ratatui::widgets::Wrap { trim: false })
                            .block(Block::default().borders(Borders::ALL));
                        f.render_widget(p, f.area());
                    })
                    .map(|_| ())
            })
        });
        for (name, view) in [
            ("functions", ViewId::Functions),
            ("classes", ViewId::Classes),
        ] {
            let mut ui = ui(view);
            // Somewhere in the middle, as after scrolling.
            ui.nav().down(ROWS / 2);
            g.bench_function(format!("{name}_10k/{size}"), |b| {
                b.iter(|| terminal.draw(|f| draw(f, &state, &mut ui)).map(|_| ()))
            });
        }
        // Sorted by calls/s, descending, and filtered: sorting every frame.
        let mut ui = ui(ViewId::Functions);
        let nav = ui.nav();
        nav.sort = 3; // calls/s
        nav.descending = true;
        nav.filter = "f0".into();
        g.bench_function(format!("functions_10k_sorted_filtered/{size}"), |b| {
            b.iter(|| terminal.draw(|f| draw(f, &state, &mut ui)).map(|_| ()))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    targets = bench
}

/// Median and median absolute deviation (ns per iteration) criterion saved
/// for `id` in this group, if any.
fn estimate(id: &str) -> Option<(f64, f64)> {
    moult_bench_support::estimate("console_render", id)
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Only a real measurement run has fresh estimates to summarise.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    println!(
        "\ncase | median | spread (MAD) | ratio to empty frame | ratio to paragraph | target | met?"
    );
    for (w, h) in SIZES {
        let size = format!("{w}x{h}");
        let Some((empty, _)) = estimate(&format!("empty_frame/{size}")) else {
            continue;
        };
        let para = estimate(&format!("paragraph/{size}")).map_or(f64::NAN, |e| e.0);
        for case in [
            "empty_frame",
            "paragraph",
            "functions_10k",
            "functions_10k_sorted_filtered",
            "classes_10k",
        ] {
            let id = format!("{case}/{size}");
            let Some((m, mad)) = estimate(&id) else {
                continue;
            };
            let target = case.contains("10k");
            println!(
                "{id} | {:.1} µs | ±{:.1} µs | {:.1}x | {:.2}x | {} | {}",
                m / 1e3,
                mad / 1e3,
                m / empty,
                m / para,
                if target { "≤ 5 ms" } else { "baseline" },
                if !target {
                    "-"
                } else if m <= TARGET_NS {
                    "yes"
                } else {
                    "NO"
                },
            );
        }
    }
}
