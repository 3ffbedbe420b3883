//! What a loaded update library costs: libraries are never unloaded, so the
//! same small update cdylib (`upd-redefine`) is loaded N times into the e2e
//! app; every load must apply (its probe checks it got a fresh copy with its
//! own statics), every copy stays mapped, and the app's RSS growth, its
//! address-space growth and the bytes of copies kept on disk per load are
//! printed; the anonymous memory a load costs stays under 256 KiB (it was
//! megabytes while the loader read each library whole into the heap).
//!
//! `cargo test` loads it 10 times. The long run:
//! `MOULT_LOAD_REPEATS=200 cargo test --release -p moult-e2e --test library_memory -- --nocapture`

use std::collections::BTreeSet;
use std::path::PathBuf;

use moult_e2e::{App, build, library_path};

/// `field` (in KiB) from `/proc/<pid>/status`.
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{field} not in /proc/{pid}/status"))
}

/// Distinct library copies the app has mapped (files under its copies directory).
fn mapped_copies(pid: u32) -> BTreeSet<PathBuf> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let dir = format!("/libs-{pid}/");
    maps.lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|p| p.contains(&dir))
        .map(PathBuf::from)
        .collect()
}

/// Loads `upd-redefine` and waits for both its updates; panics unless applied.
fn load_and_apply(app: &mut App, library: &str) {
    let reply = app.ask(&format!("load {library}"));
    let ids = reply
        .strip_prefix("loaded ")
        .unwrap_or_else(|| panic!("load: {reply}"));
    for id in ids.split(',') {
        assert_eq!(
            app.ask(&format!("wait {id}")),
            r#"outcome {"outcome":"applied"}"#,
            "{:#?}",
            app.transcript
        );
    }
}

#[test]
fn loading_the_same_update_library_n_times_keeps_every_copy_and_costs_a_bounded_rss() {
    let repeats: u64 = std::env::var("MOULT_LOAD_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let bin = build(&["e2e-app", "upd-redefine"]).join("e2e-app");
    let library = library_path("upd-redefine");
    let library_bytes = std::fs::metadata(&library).unwrap().len();
    let mut app = App::start(&bin);
    let pid = app.pid();
    // The first load pays for the copies directory and the loader's first
    // allocations; the figure is taken over the following loads.
    load_and_apply(&mut app, &library.display().to_string());
    let (rss0, vm0) = (status_kib(pid, "VmRSS"), status_kib(pid, "VmSize"));
    let (anon0, file0) = (status_kib(pid, "RssAnon"), status_kib(pid, "RssFile"));
    for _ in 1..repeats {
        load_and_apply(&mut app, &library.display().to_string());
    }
    let (rss1, vm1) = (status_kib(pid, "VmRSS"), status_kib(pid, "VmSize"));
    let (anon1, file1) = (status_kib(pid, "RssAnon"), status_kib(pid, "RssFile"));

    // Every load applied: one hit each through the hot `record_hit`, one
    // redefinition each of `greeting`.
    assert_eq!(app.ask("hits"), format!("hits {repeats}"));
    assert_eq!(
        app.ask("version e2e_app::greeting"),
        format!("version {repeats}")
    );
    assert_eq!(app.ask("greet"), "greet hello moult (42)");
    // Never unloaded: every copy is still mapped, and still on disk.
    let copies = mapped_copies(pid);
    assert_eq!(copies.len() as u64, repeats, "{copies:#?}");
    let on_disk: u64 = copies
        .iter()
        .map(|c| std::fs::metadata(c).map_or(0, |m| m.len()))
        .sum();
    assert_eq!(on_disk, repeats * library_bytes);
    assert!(app.alive());

    let per = |before: u64, after: u64| {
        (after as f64 - before as f64) * 1024.0 / (repeats - 1).max(1) as f64
    };
    // Regression: the loader read each library whole into the heap, and glibc
    // kept the freed buffers (3 MB of anonymous memory per debug load). What
    // is left is the copy's relocated data and the loader's small records.
    if repeats > 1 {
        let anonymous = per(anon0, anon1);
        assert!(
            anonymous < 256.0 * 1024.0,
            "{anonymous:.0} anonymous bytes per load"
        );
    }
    eprintln!(
        "library_memory: {repeats} loads of upd-redefine ({library_bytes} bytes); \
         RSS {rss0} KiB after 1, {rss1} KiB after {repeats}: {:.0} bytes/load \
         (anonymous {:.0}, file-backed {:.0}); VmSize {:.0} bytes/load; copies on disk {} bytes/load",
        per(rss0, rss1),
        per(anon0, anon1),
        per(file0, file1),
        per(vm0, vm1),
        library_bytes,
    );
}
