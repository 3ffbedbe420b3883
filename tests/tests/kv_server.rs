//! kv-server (demo-apps/kv-server) updated live under load, checked with
//! real Redis clients only: `redis-cli` and `redis-benchmark` (Debian's
//! redis-tools; without them these tests fail and say so).
//!
//! Each update of `demo-apps/kv-server/updates/` is applied with
//! `moult-console apply` while `redis-benchmark -t set,get -P 8 -l` runs,
//! then reverted with `moult-console revert`, and the tests assert:
//! - redis-benchmark never reports an error (it exits at the first error
//!   reply or lost connection; it must still be running, and its output
//!   names no error) and keeps finishing rounds after the update;
//! - no lost write: keys written before the update (and between it and the
//!   revert) read back with their values after;
//! - the new behaviour is live after the apply, the old one after the revert;
//! - moult sees the server as built: the dispatch and handlers are hot
//!   functions, connections are tasks of the group `conn` and the purger a
//!   task `purge`, each at one of its update points.

use std::path::PathBuf;
use std::sync::OnceLock;

use moult_e2e::{Benchmark, KvServer, build, library_path, require_redis_tools, workspace_root};
use moult_protocol::Snapshot;

/// The three updates: (directory under updates/, package).
const UPDATES: [(&str, &str); 3] = [
    ("incr", "kv-server-incr"),
    ("expiry", "kv-server-expiry"),
    ("entry-v2", "kv-server-entry-v2"),
];

/// Keys written per batch.
const KEYS: usize = 200;

/// Builds the console, kv-server on its own (as a user does, so that the
/// update crates see the same build of its crate), then the update crates;
/// returns the bin dir.
fn bin_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            build(&["moult-console"]);
            build(&["kv-server"]);
            build(&UPDATES.map(|(_, package)| package))
        })
        .clone()
}

fn start() -> (PathBuf, KvServer) {
    require_redis_tools();
    let bin = bin_dir();
    let server = KvServer::start(&bin.join("kv-server"));
    assert_eq!(server.cli(&["PING"]), "PONG");
    (bin, server)
}

fn update_dir(name: &str) -> String {
    let dir = workspace_root()
        .join("demo-apps/kv-server/updates")
        .join(name);
    dir.to_str().unwrap().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `moult-console apply kv-server-pid <update>`: must end `applied`.
fn apply(server: &KvServer, bin: &std::path::Path, update: &str) {
    let pid = server.pid().to_string();
    let out = server.console(bin, &["apply", &pid, update]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "apply {update}:\n{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains(": applied\n"),
        "{}",
        text(&out.stdout)
    );
}

/// `moult-console revert <pid>`: the newest update, must end `applied`.
fn revert(server: &KvServer, bin: &std::path::Path) {
    let out = server.console(bin, &["revert", &server.pid().to_string()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "revert:\n{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// SETs `KEYS` keys `<prefix>:<i>`.
fn write_keys(server: &KvServer, prefix: &str) {
    let sets: Vec<String> = (0..KEYS)
        .map(|i| format!("SET {prefix}:{i} value-{prefix}-{i}"))
        .collect();
    let replies = server.cli_batch(&sets);
    assert_eq!(replies, vec!["OK".to_string(); KEYS], "writing {prefix}");
}

/// Every key of [`write_keys`] reads back with its value.
fn assert_keys(server: &KvServer, prefix: &str) {
    let gets: Vec<String> = (0..KEYS).map(|i| format!("GET {prefix}:{i}")).collect();
    let expected: Vec<String> = (0..KEYS).map(|i| format!("value-{prefix}-{i}")).collect();
    assert_eq!(server.cli_batch(&gets), expected, "lost writes of {prefix}");
}

/// The behaviour an update changes: before (also after its revert) and
/// after it.
struct Behaviour {
    old: fn(&KvServer),
    new: fn(&KvServer),
}

fn incr_old(s: &KvServer) {
    let reply = s.cli(&["INCR", "counter"]);
    assert!(
        reply.starts_with("ERR unknown command 'INCR'"),
        "INCR before the update: {reply:?}"
    );
}

fn incr_new(s: &KvServer) {
    s.cli(&["DEL", "counter"]);
    assert_eq!(s.cli(&["INCR", "counter"]), "1");
    assert_eq!(s.cli(&["INCR", "counter"]), "2");
    assert_eq!(s.cli(&["INCRBY", "counter", "10"]), "12");
    assert_eq!(s.cli(&["DECR", "counter"]), "11");
    assert_eq!(s.cli(&["GET", "counter"]), "11");
    let reply = s.cli(&["INCR", "before:0"]);
    assert!(reply.starts_with("ERR value is not an integer"), "{reply}");
}

fn expiry_old(s: &KvServer) {
    assert_eq!(s.cli(&["SET", "doomed", "v"]), "OK");
    let reply = s.cli(&["EXPIRE", "doomed", "-1"]);
    assert_eq!(reply, "ERR invalid expire time in 'expire' command");
    assert_eq!(s.cli(&["GET", "doomed"]), "v", "the key stays");
    assert_eq!(
        s.cli(&["EXPIRE", "doomed", "100", "NX"]),
        "ERR syntax error"
    );
}

fn expiry_new(s: &KvServer) {
    assert_eq!(s.cli(&["SET", "doomed", "v"]), "OK");
    assert_eq!(s.cli(&["EXPIRE", "doomed", "-1"]), "1");
    assert_eq!(s.cli(&["GET", "doomed"]), "", "deleted at once");
    assert_eq!(s.cli(&["EXISTS", "doomed"]), "0");
    assert_eq!(s.cli(&["SET", "doomed", "v"]), "OK");
    assert_eq!(s.cli(&["EXPIRE", "doomed", "100", "NX"]), "1");
    assert_eq!(s.cli(&["EXPIRE", "doomed", "200", "NX"]), "0");
    assert_eq!(s.cli(&["EXPIRE", "doomed", "50", "GT"]), "0");
    assert_eq!(s.cli(&["TTL", "doomed"]), "100");
}

fn entry_v2_old(s: &KvServer) {
    assert_eq!(s.cli(&["SET", "counted", "v"]), "OK");
    let reply = s.cli(&["OBJECT", "FREQ", "counted"]);
    assert!(
        reply.starts_with("ERR this server keeps no access counts"),
        "{reply}"
    );
}

fn entry_v2_new(s: &KvServer) {
    // An entry written before the update converts on its first access.
    assert_eq!(s.cli(&["OBJECT", "FREQ", "before:1"]), "0");
    assert_eq!(s.cli(&["GET", "before:1"]), "value-before-1");
    assert_eq!(s.cli(&["OBJECT", "FREQ", "before:1"]), "1");
    assert_eq!(s.cli(&["SET", "counted", "v"]), "OK");
    for _ in 0..3 {
        assert_eq!(s.cli(&["GET", "counted"]), "v");
    }
    assert_eq!(s.cli(&["OBJECT", "FREQ", "counted"]), "3");
    // The other subcommands still answer as version 0 did.
    assert_eq!(s.cli(&["OBJECT", "ENCODING", "counted"]), "embstr");
}

fn behaviour(update: &str) -> Behaviour {
    match update {
        "incr" => Behaviour {
            old: incr_old,
            new: incr_new,
        },
        "expiry" => Behaviour {
            old: expiry_old,
            new: expiry_new,
        },
        "entry-v2" => Behaviour {
            old: entry_v2_old,
            new: entry_v2_new,
        },
        other => panic!("no update {other}"),
    }
}

/// The class of stored entries in the server's snapshot: the concrete type
/// new entries get, and the live entries per type (versions of the same
/// type added up: a revert's conversion back makes a new version of `Entry`).
fn entry_class(server: &KvServer, bin: &std::path::Path) -> (String, Vec<(String, u64)>) {
    let snapshot = snapshot(server, bin);
    let class = snapshot
        .classes
        .iter()
        .find(|c| c.name == "kv_server::entry::Entry")
        .unwrap_or_else(|| panic!("no Entry class in {:#?}", snapshot.classes));
    let short = |t: &str| t.rsplit("::").next().unwrap_or(t).to_string();
    let current = class
        .versions
        .iter()
        .find(|v| v.version == class.version)
        .map_or_else(String::new, |v| short(&v.type_name));
    let mut live: Vec<(String, u64)> = Vec::new();
    for v in class.versions.iter().filter(|v| v.live > 0) {
        match live.iter_mut().find(|(t, _)| *t == short(&v.type_name)) {
            Some((_, n)) => *n += v.live,
            None => live.push((short(&v.type_name), v.live)),
        }
    }
    (current, live)
}

/// `moult-console status <pid> --json`.
fn snapshot(server: &KvServer, bin: &std::path::Path) -> Snapshot {
    let out = server.console(bin, &["status", &server.pid().to_string(), "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// What moult sees of the server under load: the dispatch and handlers as
/// hot functions, the connections as tasks of the group `conn` and the
/// purger as the task `purge`, each at one of its update points.
fn assert_seen_by_moult(server: &KvServer, bin: &std::path::Path) {
    let snapshot = snapshot(server, bin);
    for name in ["execute", "fallback", "cmd_get", "cmd_set"] {
        assert!(
            snapshot
                .functions
                .iter()
                .any(|f| f.name.starts_with("kv_server::commands") && f.name.ends_with(name)),
            "hot function {name} in {:#?}",
            snapshot.functions
        );
    }
    let group = |g: &str| snapshot.tasks.iter().find(|t| t.group == g);
    let conn = group("conn").unwrap_or_else(|| panic!("no conn task in {:#?}", snapshot.tasks));
    assert!(
        matches!(
            conn.last_point.as_deref(),
            Some("idle" | "between requests")
        ),
        "{conn:?}"
    );
    let purge = group("purge").unwrap_or_else(|| panic!("no purge task in {:#?}", snapshot.tasks));
    assert!(
        matches!(purge.last_point.as_deref(), Some("purge wait" | "purged")),
        "{purge:?}"
    );
}

/// Applies `update` (its crate directory, built by moult-console) while
/// redis-benchmark runs, checks it, reverts it, checks again.
fn update_under_load(update: &str) {
    let (bin, server) = start();
    let b = behaviour(update);
    (b.old)(&server);
    write_keys(&server, "before");
    let mut bench = Benchmark::start(server.port, &std::env::temp_dir());
    bench.wait_rounds(1);
    assert_seen_by_moult(&server, &bin);

    apply(&server, &bin, &update_dir(update));
    bench.assert_running();
    bench.wait_rounds(2);
    (b.new)(&server);
    assert_keys(&server, "before");
    write_keys(&server, "between");
    if update == "entry-v2" {
        let (current, live) = entry_class(&server, &bin);
        assert_eq!(current, "EntryV2", "SET builds the new format: {live:?}");
    }

    revert(&server, &bin);
    bench.assert_running();
    bench.wait_rounds(2);
    (b.old)(&server);
    assert_keys(&server, "before");
    assert_keys(&server, "between");
    if update == "entry-v2" {
        let (current, live) = entry_class(&server, &bin);
        assert_eq!(current, "Entry", "SET builds the old format: {live:?}");
        assert!(
            live.iter().all(|(t, _)| t == "Entry"),
            "every entry back in the old format: {live:?}"
        );
    }
    bench.stop();
}

#[test]
fn incr_is_added_under_load_and_reverted() {
    update_under_load("incr");
}

#[test]
fn expiry_changes_under_load_and_is_reverted() {
    update_under_load("expiry");
}

#[test]
fn entries_convert_lazily_under_load_and_back() {
    update_under_load("entry-v2");
}

/// 20 updates and 20 reverts in a row (the three updates in turn, built
/// libraries) under one redis-benchmark run: it never errs, and every key
/// written along the way reads back.
#[test]
fn twenty_updates_and_reverts_under_load() {
    let (bin, server) = start();
    write_keys(&server, "before");
    let mut bench = Benchmark::start(server.port, &std::env::temp_dir());
    bench.wait_rounds(1);
    for round in 0..20 {
        let (name, package) = UPDATES[round % UPDATES.len()];
        let b = behaviour(name);
        write_keys(&server, &format!("r{round}"));
        apply(&server, &bin, library_path(package).to_str().unwrap());
        (b.new)(&server);
        revert(&server, &bin);
        (b.old)(&server);
        bench.assert_running();
    }
    bench.wait_rounds(2);
    assert_keys(&server, "before");
    for round in 0..20 {
        assert_keys(&server, &format!("r{round}"));
    }
    bench.stop();
}
