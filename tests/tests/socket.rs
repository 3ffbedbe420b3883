//! The agent's socket against real clients: a well-behaved one (hello,
//! snapshot, subscribe, apply, journal) and hostile ones (malformed lines,
//! oversized messages, a client that never reads, one that hangs up
//! mid-message, connection storms, another uid). The app must keep running
//! and keep serving the good client.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use moult_e2e::{App, Client, build, library_path, private_runtime_dir};
use moult_protocol::{
    ErrorCode, EventKind, JournalAction, Outcome, PROTOCOL_VERSION, Request, Response,
    ServerMessage, discovery,
};

fn app_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| build(&["e2e-app", "upd-redefine"]).join("e2e-app"))
        .clone()
}

fn ok(msg: ServerMessage) -> Response {
    match msg {
        ServerMessage::Ok { result, .. } => result,
        other => panic!("expected ok, got {other:?}"),
    }
}

fn error(msg: ServerMessage) -> (Option<u64>, ErrorCode, String) {
    match msg {
        ServerMessage::Error { id, error } => (id, error.code, error.message),
        other => panic!("expected an error, got {other:?}"),
    }
}

/// The good client still gets a snapshot and the app still answers.
fn assert_still_serving(app: &mut App) {
    let mut good = Client::hello(&app.socket());
    match ok(good.request(Request::Snapshot)) {
        Response::Snapshot { snapshot } => assert_eq!(snapshot.agent.pid, app.pid()),
        other => panic!("snapshot got {other:?}"),
    }
    assert_eq!(app.ask("greet"), "greet hello world");
    assert!(app.alive());
}

#[test]
fn a_client_sees_the_app_applies_an_update_and_reads_the_journal() {
    let mut app = App::start(&app_binary());
    let dir_mode = std::fs::metadata(&app.runtime_dir)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700);
    let sock_mode = std::fs::metadata(app.socket())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(sock_mode & 0o777, 0o600);
    let info: moult_protocol::AgentInfo = serde_json::from_slice(
        &std::fs::read(discovery::info_path(&app.runtime_dir, app.pid())).unwrap(),
    )
    .unwrap();
    assert_eq!((info.app.as_str(), info.pid), ("e2e-app", app.pid()));

    let mut client = Client::hello(&app.socket());
    let Response::Snapshot { snapshot } = ok(client.request(Request::Snapshot)) else {
        panic!("not a snapshot")
    };
    assert!(
        snapshot
            .functions
            .iter()
            .any(|f| f.name == "e2e_app::greeting")
    );
    assert!(snapshot.threads.iter().any(|t| t.name == "worker"));
    assert!(snapshot.classes.iter().any(|c| c.name == "e2e_app::Shape"));

    assert!(matches!(
        ok(client.request(Request::Subscribe)),
        Response::Subscribed { .. }
    ));
    let path = library_path("upd-redefine").display().to_string();
    let Response::Queued { updates } = ok(client.request(Request::Apply {
        path: path.clone(),
        watch: None,
    })) else {
        panic!("not queued")
    };
    assert_eq!(updates.len(), 2);
    let mut outcomes = Vec::new();
    client.collect_until(Duration::from_secs(60), |m| {
        if let ServerMessage::Events { events, .. } = m {
            for e in events {
                if let EventKind::UpdateDone { id, outcome, .. } = &e.kind {
                    outcomes.push((*id, outcome.clone()));
                }
            }
        }
        outcomes.len() == 2
    });
    let ids: Vec<u64> = updates.iter().map(|u| u.id).collect();
    assert_eq!(
        outcomes,
        ids.iter()
            .map(|id| (*id, Outcome::Applied))
            .collect::<Vec<_>>()
    );
    assert_eq!(app.ask("greet"), "greet hello moult (42)");

    let Response::Journal { entries, .. } = ok(client.request(Request::Journal)) else {
        panic!("not a journal")
    };
    // The library was staged, then each update queued and later applied
    // (the two updates' lines may interleave).
    assert_eq!(entries[0].action, JournalAction::Staged, "{entries:#?}");
    for id in &ids {
        let of_id: Vec<JournalAction> = entries
            .iter()
            .filter(|e| e.id == Some(*id))
            .map(|e| e.action)
            .collect();
        assert_eq!(
            of_id,
            [JournalAction::Queued, JournalAction::Applied],
            "{entries:#?}"
        );
    }
    assert_eq!(entries.len(), 5, "{entries:#?}");
    assert!(entries[0].detail.starts_with(&path), "{entries:#?}");
}

#[test]
fn the_agent_lists_an_applied_library_with_its_path_fingerprint_and_size() {
    let mut app = App::start(&app_binary());
    let mut client = Client::hello(&app.socket());
    let Response::Libraries { libraries } = ok(client.request(Request::Libraries)) else {
        panic!("not a library list")
    };
    assert!(libraries.is_empty(), "{libraries:#?}");

    let path = std::fs::canonicalize(library_path("upd-redefine")).unwrap();
    let outcomes = app.apply("upd-redefine");
    assert_eq!(outcomes.len(), 2, "{:#?}", app.transcript);
    let Response::Libraries { libraries } = ok(client.request(Request::Libraries)) else {
        panic!("not a library list")
    };
    let [library] = libraries.as_slice() else {
        panic!("one library expected: {libraries:#?}")
    };
    assert_eq!(
        std::fs::canonicalize(&library.path).unwrap(),
        path,
        "{library:#?}"
    );
    assert_eq!(
        library.size_bytes,
        std::fs::metadata(&path).unwrap().len(),
        "{library:#?}"
    );
    assert!(library.size_bytes > 0);
    // The library's fingerprint matched the app's field by field, and says
    // it forwards its allocations.
    let agent: moult_protocol::AgentInfo = serde_json::from_slice(
        &std::fs::read(discovery::info_path(&app.runtime_dir, app.pid())).unwrap(),
    )
    .unwrap();
    for field in agent.fingerprint.split('|') {
        assert!(
            library.fingerprint.split('|').any(|f| f == field),
            "{field} missing from {}",
            library.fingerprint
        );
    }
    assert!(library.fingerprint.contains("alloc=host"), "{library:#?}");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(library.loaded_unix_ms <= now_ms && library.loaded_unix_ms > now_ms - 600_000);
}

#[test]
fn bad_lines_get_error_replies_naming_the_problem_and_the_connection_goes_on() {
    let mut app = App::start(&app_binary());
    let mut c = Client::hello(&app.socket());
    let cases: &[(&[u8], Option<u64>, &str)] = &[
        (
            b"{\"id\":7,\"cmd\":\"explode\"}\n",
            Some(7),
            "unknown variant `explode`",
        ),
        (
            b"{\"id\":8,\"cmd\":\"abort\",\"update\":\"x\"}\n",
            Some(8),
            "expected u64",
        ),
        (
            b"{\"id\":9,\"cmd\":\"reboot\"}\n",
            Some(9),
            "missing field `thread`",
        ),
        (b"{\"id\":1,\"cmd\":\n", None, "EOF while parsing"),
        (b"\xff\xfe garbage\n", None, "not UTF-8"),
        (b"[1,2,3]\n", None, "invalid request"),
    ];
    for (line, id, needle) in cases {
        c.send_raw(line).unwrap();
        let (got_id, code, message) = error(c.reply());
        assert_eq!(got_id, *id, "{message}");
        assert_eq!(code, ErrorCode::BadRequest);
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    }
    let (_, code, message) = error(c.request(Request::Abort { update: 999 }));
    assert_eq!(code, ErrorCode::NotFound, "{message}");
    let (_, code, message) = error(c.request(Request::Reboot {
        thread: "nope".into(),
    }));
    assert_eq!(code, ErrorCode::NotFound);
    assert!(
        message.contains("worker"),
        "names the known threads: {message}"
    );
    let (_, code, message) = error(c.request(Request::Apply {
        path: "/nonexistent/libx.so".into(),
        watch: None,
    }));
    assert_eq!(code, ErrorCode::Refused);
    assert!(message.contains("cannot resolve"), "{message}");
    assert!(matches!(
        ok(c.request(Request::Snapshot)),
        Response::Snapshot { .. }
    ));
    assert_still_serving(&mut app);
}

#[test]
fn an_oversized_message_is_refused_and_the_next_one_is_served() {
    let mut app = App::start(&app_binary());
    let mut c = Client::hello(&app.socket());
    let mut huge = vec![b'x'; 16 * 1024 * 1024];
    huge.push(b'\n');
    c.send_raw(&huge).unwrap();
    let (id, code, message) = error(c.reply());
    assert_eq!((id, code), (None, ErrorCode::TooLong), "{message}");
    assert!(message.contains(&moult_protocol::MAX_REQUEST_BYTES.to_string()));
    assert!(matches!(
        ok(c.request(Request::Snapshot)),
        Response::Snapshot { .. }
    ));
    assert_still_serving(&mut app);
}

#[test]
fn a_version_mismatch_names_both_versions_and_closes() {
    let app = App::start(&app_binary());
    let mut c = Client::connect(&app.socket()).unwrap();
    let (_, code, message) = error(c.request(Request::Hello {
        protocol: PROTOCOL_VERSION + 1,
        client: "future-console".into(),
    }));
    assert_eq!(code, ErrorCode::VersionMismatch);
    assert!(
        message.contains(&format!("speaks protocol {}", PROTOCOL_VERSION + 1))
            && message.contains(&format!("speaks protocol {PROTOCOL_VERSION}")),
        "{message}"
    );
    assert!(
        c.next_message().is_none(),
        "the agent closes the connection"
    );
}

#[test]
fn a_subscriber_that_never_reads_is_dropped_while_others_are_served_and_account_for_every_event() {
    let mut app = App::start(&app_binary());
    let mut slow = Client::hello(&app.socket());
    assert!(matches!(
        ok(slow.request(Request::Subscribe)),
        Response::Subscribed { .. }
    ));
    let mut watcher = Client::hello(&app.socket());
    let Response::Subscribed { from_seq } = ok(watcher.request(Request::Subscribe)) else {
        panic!("not subscribed")
    };
    // The watcher reads on its own thread while the app emits bursts far
    // bigger than the ring (4096) until the agent drops the slow client.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            // Every event is either delivered, in order, or reported as
            // dropped; none vanishes unaccounted.
            let mut expected = from_seq;
            let (mut delivered, mut dropped) = (0u64, 0u64);
            while !stop.load(std::sync::atomic::Ordering::Acquire) {
                let Some(m) = watcher.next_message() else {
                    break;
                };
                if let ServerMessage::Events { events, dropped: d } = m {
                    expected += d;
                    dropped += d;
                    for e in events {
                        assert_eq!(e.seq, expected, "in order, gaps reported");
                        expected += 1;
                        delivered += 1;
                    }
                }
            }
            (delivered, dropped)
        })
    };
    let mut checker = Client::hello(&app.socket());
    let dropped_subscribers = |c: &mut Client| match ok(c.request(Request::Snapshot)) {
        Response::Snapshot { snapshot } => snapshot.dropped_subscribers,
        other => panic!("snapshot got {other:?}"),
    };
    const BURST: u64 = 20_000;
    let mut emitted = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while dropped_subscribers(&mut checker) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the slow subscriber was never dropped"
        );
        assert_eq!(app.ask(&format!("spam {BURST}")), format!("spam {BURST}"));
        emitted += BURST;
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, std::sync::atomic::Ordering::Release);
    app.ask("spam 1"); // wakes the watcher's read
    let (delivered, dropped) = reader.join().unwrap();
    assert_eq!(dropped_subscribers(&mut checker), 1, "only the slow one");
    assert!(
        delivered > 0 && delivered + dropped <= emitted + 100,
        "{delivered} + {dropped} vs {emitted}"
    );
    assert!(dropped > 0, "the ring overflowed, and the watcher was told");
    assert_still_serving(&mut app);
    // The slow client finds its connection closed after what was buffered.
    let rest = slow.collect_until(Duration::from_secs(30), |_| false);
    assert!(
        slow.next_message().is_none(),
        "closed after {} messages",
        rest.len()
    );
}

#[test]
fn hanging_up_mid_message_and_connection_storms_leave_the_agent_serving() {
    let mut app = App::start(&app_binary());
    let pid = app.pid();
    let threads = || thread_count(pid);
    let before = threads();
    for _ in 0..50 {
        let mut c = Client::connect(&app.socket()).unwrap();
        c.send_raw(b"{\"id\":1,\"cmd\":\"snaps").unwrap();
    }
    // A storm of connections opened and dropped at once.
    for _ in 0..500 {
        drop(Client::connect(&app.socket()).unwrap());
    }
    let settle = |limit: usize| {
        (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(100));
            threads() <= limit
        })
    };
    assert!(
        settle(before),
        "storm threads ended: {before} before, now {}",
        threads()
    );
    // Up to the cap, connections are served; the next is told to retry.
    let held: Vec<Client> = (0..64).map(|_| Client::hello(&app.socket())).collect();
    let mut extra = Client::connect(&app.socket()).unwrap();
    let (_, code, message) = error(extra.reply());
    assert_eq!(code, ErrorCode::Busy, "{message}");
    drop(held);
    drop(extra);
    assert!(
        settle(before),
        "agent threads went back to {before}, still {}",
        threads()
    );
    assert_still_serving(&mut app);
}

#[test]
fn stale_files_of_dead_agents_are_swept_at_start() {
    let dir = private_runtime_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let dead = 999_999_998;
    std::fs::write(discovery::info_path(&dir, dead), "{}").unwrap();
    std::fs::write(discovery::socket_path(&dir, dead), "").unwrap();
    let app = App::start_in(&app_binary(), dir.clone());
    assert!(!discovery::info_path(&dir, dead).exists());
    assert!(!discovery::socket_path(&dir, dead).exists());
    assert!(discovery::info_path(&dir, app.pid()).exists());
}

#[test]
fn another_uid_is_refused() {
    if moult_e2e::effective_uid() != 0 {
        eprintln!("skipped: running a client under another uid needs root");
        return;
    }
    use std::os::unix::process::CommandExt;
    let app = App::start(&app_binary());
    // The probe binary, somewhere uid 65534 can execute it.
    let probe = std::env::temp_dir().join(format!("moult-probe-{}", std::process::id()));
    std::fs::copy(env!("CARGO_BIN_EXE_probe-client"), &probe).unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = || {
        let out = std::process::Command::new(&probe)
            .arg(app.socket())
            .uid(65534)
            .gid(65534)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // As deployed (directory 0700): the other user cannot even reach the socket.
    let out = run();
    assert!(
        out.starts_with("connect-error") && out.contains("ermission denied"),
        "{out}"
    );
    // With the fences opened by mistake, the peer-credential check still refuses.
    std::fs::set_permissions(&app.runtime_dir, std::fs::Permissions::from_mode(0o711)).unwrap();
    std::fs::set_permissions(app.socket(), std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = run();
    let _ = std::fs::remove_file(&probe);
    assert!(out.starts_with("reply "), "{out}");
    let line = out.trim_start_matches("reply ");
    let (_, code, message) = error(serde_json::from_str(line).unwrap());
    assert_eq!(code, ErrorCode::PermissionDenied);
    assert!(message.contains("you are uid 65534"), "{message}");
}

fn thread_count(pid: u32) -> usize {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}
