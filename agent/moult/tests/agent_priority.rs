//! The agent's threads run below the app's priority (nice +10), so serving
//! a console never competes with the app on a busy core; the update
//! manager, which holds the app during an update, runs at the app's.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use moult_protocol::discovery;

/// Nice value of every thread of this process named `name` (Linux's
/// `/proc/self/task/<tid>/stat`, field 19).
fn nice_of(name: &str) -> Vec<i64> {
    let mut found = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let task = task.unwrap().path();
        let comm = std::fs::read_to_string(task.join("comm")).unwrap_or_default();
        if comm.trim_end() != name {
            continue;
        }
        let stat = std::fs::read_to_string(task.join("stat")).unwrap_or_default();
        // Fields after the command name (which is in parentheses).
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = rest.split(' ').collect();
        found.push(fields[16].parse().unwrap());
    }
    found
}

/// Waits until a thread named `name` exists; its nice values.
fn wait_for_thread(name: &str) -> Vec<i64> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = nice_of(name);
        if !found.is_empty() {
            return found;
        }
        assert!(Instant::now() < deadline, "no thread named {name}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
#[cfg_attr(miri, ignore = "Miri: real sockets and /proc")]
fn agent_threads_run_below_the_app_and_the_manager_at_its_priority() {
    let dir = std::env::temp_dir().join(format!("moult-agent-priority-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // SAFETY: set before any thread of this test binary reads the environment
    // (this binary has this one test).
    unsafe { std::env::set_var(discovery::DIR_ENV, &dir) };
    let info = moult::agent::start("priority-test").expect("agent starts");

    assert_eq!(wait_for_thread("moult-agent"), [10], "the accepting thread");
    assert_eq!(
        wait_for_thread("moult-manager"),
        [0],
        "the manager runs at the app's priority"
    );

    // A connection's threads inherit the accepting thread's.
    let mut stream = UnixStream::connect(&info.socket).expect("connect");
    writeln!(
        stream,
        "{{\"id\":1,\"cmd\":\"hello\",\"protocol\":{},\"client\":\"test\"}}",
        moult_protocol::PROTOCOL_VERSION
    )
    .unwrap();
    let mut reply = String::new();
    BufReader::new(&stream).read_line(&mut reply).unwrap();
    assert!(reply.contains("\"hello\""), "{reply}");
    assert_eq!(
        wait_for_thread("moult-conn-1"),
        [10],
        "a connection's thread"
    );
    let own = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    let rest = &own[own.rfind(')').unwrap() + 2..];
    assert_eq!(rest.split(' ').nth(16), Some("0"), "the test's own thread");
    let _ = std::fs::remove_dir_all(&dir);
}
