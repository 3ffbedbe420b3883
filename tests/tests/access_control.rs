//! Access control from the app's side: what a client of the agent's socket
//! can and cannot make the app do with files.
//!
//! - A path sent by a client is canonicalised (symlinks and `..` resolved)
//!   and must be a regular file the app's user can read: a directory and a
//!   FIFO (which would block a naive `open`) are refused, and the journal
//!   records the canonical path of what was loaded.
//! - The runtime directory, the socket, the metadata and the journal keep
//!   their private modes through a session.
//! - The journal cannot be written by a client: text a client puts in a
//!   request (even with newlines) stays inside one JSON string of one entry
//!   written by the agent; every journal line parses as an entry.
//!
//! - A library the app's user cannot read is refused with that reason
//!   (the app runs as uid 65534 for this; it needs root, else it is skipped).
//!
//! Another uid being refused is `socket.rs`'s `another_uid_is_refused`.

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use moult_e2e::{App, Client, build, effective_uid, library_path};
use moult_protocol::{
    ClientMessage, JournalAction, JournalEntry, Request, Response, ServerMessage, discovery,
};

fn app_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| build(&["e2e-app", "upd-redefine"]).join("e2e-app"))
        .clone()
}

/// Sends `apply path` and returns the refusal's message (panics on success).
fn refused(client: &mut Client, path: &str) -> String {
    match client.request(Request::Apply {
        path: path.into(),
        watch: None,
    }) {
        ServerMessage::Error { error, .. } => error.message,
        other => panic!("applying {path:?} was not refused: {other:?}"),
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn journal(app: &App) -> Vec<JournalEntry> {
    let path = discovery::journal_path(&app.runtime_dir, app.pid());
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

#[test]
fn client_paths_are_canonicalised_and_must_be_regular_files() {
    let mut app = App::start(&app_binary());
    let mut client = Client::hello(&app.socket());
    let scratch = app.runtime_dir.join("scratch");
    std::fs::create_dir_all(scratch.join("sub")).unwrap();

    let refusal = refused(&mut client, scratch.to_str().unwrap());
    assert!(refusal.contains("not a regular file"), "{refusal}");

    let fifo = scratch.join("pipe.so");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let refusal = refused(&mut client, fifo.to_str().unwrap());
    assert!(
        refusal.contains("not a regular file"),
        "a FIFO is refused, not opened: {refusal}"
    );

    // A symlink reached through `..`: what is loaded, and journaled, is the
    // real file.
    let library = library_path("upd-redefine").canonicalize().unwrap();
    symlink(&library, scratch.join("link.so")).unwrap();
    let winding = scratch.join("sub").join("..").join("link.so");
    match client.request(Request::Apply {
        path: winding.to_str().unwrap().into(),
        watch: None,
    }) {
        ServerMessage::Ok { .. } => {}
        other => panic!("the symlinked library was refused: {other:?}"),
    }
    let staged: Vec<_> = journal(&app)
        .into_iter()
        .filter(|e| e.action == JournalAction::Staged)
        .collect();
    assert_eq!(staged.len(), 1, "{staged:?}");
    assert!(
        staged[0].detail.contains(library.to_str().unwrap()),
        "the journal names the canonical path: {:?}",
        staged[0].detail
    );
    // And it was applied: the app now greets with the library's version.
    app.ask_until("version e2e_app::greeting", Duration::from_secs(20), |v| {
        v == "version 1"
    });
}

#[test]
fn modes_hold_and_clients_cannot_write_the_journal() {
    let mut app = App::start(&app_binary());
    let mut client = Client::hello(&app.socket());
    // A refused path carrying a newline and a fake entry.
    let injected = "/nonexistent.so\n{\"unix_ms\":1,\"action\":\"applied\",\"update\":\"injected\",\"id\":1,\"detail\":\"\"}";
    let _ = refused(&mut client, injected);
    for _ in 0..20 {
        let _ = client.request(Request::Snapshot);
    }
    drop(client);
    assert_eq!(app.ask("greet"), "greet hello world");

    assert_eq!(mode(&app.runtime_dir), 0o700, "runtime directory");
    assert_eq!(mode(&app.socket()), 0o600, "socket");
    assert_eq!(
        mode(&discovery::info_path(&app.runtime_dir, app.pid())),
        0o600,
        "metadata"
    );
    let journal_path = discovery::journal_path(&app.runtime_dir, app.pid());
    assert_eq!(mode(&journal_path), 0o600, "journal");

    // Every line is one entry the agent wrote; the client's text is inside
    // one field of one of them, never an entry of its own.
    let entries = journal(&app);
    assert!(
        entries
            .iter()
            .all(|e| e.update.as_deref() != Some("injected")),
        "{entries:?}"
    );
    let text = std::fs::read_to_string(&journal_path).unwrap();
    assert_eq!(text.lines().count(), entries.len());
}

/// The uid the unprivileged app runs as (`nobody` on Debian and Ubuntu).
const NOBODY: u32 = 65534;

/// Copies `from` into `dir` with `mode`, returning the copy's path.
fn install(from: &Path, dir: &Path, mode: u32) -> PathBuf {
    let to = dir.join(from.file_name().unwrap());
    std::fs::copy(from, &to).unwrap();
    std::fs::set_permissions(&to, std::fs::Permissions::from_mode(mode)).unwrap();
    to
}

/// Applies `library` through `probe`, run as `uid`, and returns the reply.
fn apply_as(probe: &Path, uid: u32, app: &App, library: &Path) -> ServerMessage {
    use std::os::unix::process::CommandExt;
    let request = serde_json::to_string(&ClientMessage {
        id: 2,
        request: Request::Apply {
            path: library.to_str().unwrap().into(),
            watch: None,
        },
    })
    .unwrap();
    let out = std::process::Command::new(probe)
        .arg(app.socket())
        .arg(request)
        .uid(uid)
        .gid(uid)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    let replies: Vec<&str> = out.lines().collect();
    assert_eq!(replies.len(), 2, "hello and apply each answered: {out}");
    assert!(replies[1].starts_with("reply "), "{out}");
    serde_json::from_str(replies[1].trim_start_matches("reply ")).unwrap()
}

#[test]
fn a_library_the_apps_user_cannot_read_is_refused() {
    if effective_uid() != 0 {
        eprintln!("skipped: running the app under another uid needs root");
        return;
    }
    // Everything the unprivileged app and client need, where they can reach
    // it; the library is root's, 0600.
    let shared = std::env::temp_dir().join(format!("moult-unreadable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&shared);
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    let binary = install(&app_binary(), &shared, 0o755);
    let probe = install(
        Path::new(env!("CARGO_BIN_EXE_probe-client")),
        &shared,
        0o755,
    );
    let library = install(&library_path("upd-redefine"), &shared, 0o600);

    let mut app = App::start_as(&binary, NOBODY);
    match apply_as(&probe, NOBODY, &app, &library) {
        ServerMessage::Error { error, .. } => {
            assert!(
                error.message.contains("the app's user cannot read it")
                    && error.message.contains("ermission denied"),
                "{}",
                error.message
            );
        }
        other => panic!("an unreadable library was not refused: {other:?}"),
    }
    assert_eq!(app.ask("version e2e_app::greeting"), "version 0");

    // The control: the same file made readable is accepted and applied.
    std::fs::set_permissions(&library, std::fs::Permissions::from_mode(0o644)).unwrap();
    match apply_as(&probe, NOBODY, &app, &library) {
        ServerMessage::Ok {
            result: Response::Queued { updates },
            ..
        } => assert!(
            updates.iter().any(|u| u.name == "greeting v2"),
            "{updates:?}"
        ),
        other => panic!("the readable library was refused: {other:?}"),
    }
    app.ask_until("version e2e_app::greeting", Duration::from_secs(20), |v| {
        v == "version 1"
    });
    drop(app);
    let _ = std::fs::remove_dir_all(&shared);
}
