//! An update library deleted or truncated around `apply`, against a live
//! e2e-app over its socket.
//!
//! Where the file is read: the agent's `apply` (agent/dispatch.rs) checks the
//! path (canonical, regular, readable), then `library::stage` reads the whole
//! file *once* into memory, checks the fingerprint in those bytes, writes them
//! to a private copy and `dlopen`s the copy. So the only window is between
//! the path check and that one read; a file deleted or truncated there is
//! read as missing or short, which is the same as applying a missing or short
//! file — tested here at several lengths. After the read, the source file no
//! longer matters: truncating it once `apply` has answered leaves the queued
//! update intact (tested). Each refusal names its reason, and the app keeps
//! running. Run: `cargo test -p moult-e2e --test fault_injection`.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use moult_e2e::{App, Client, build, library_path, private_runtime_dir};
use moult_protocol::{ErrorCode, EventKind, Outcome, Request, Response, ServerMessage};

fn app_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| build(&["e2e-app", "upd-redefine"]).join("e2e-app"))
        .clone()
}

fn apply(c: &mut Client, path: &std::path::Path) -> ServerMessage {
    c.request(Request::Apply {
        path: path.display().to_string(),
        watch: None,
    })
}

/// The refusal's message, or a panic naming what came instead.
fn refused(msg: ServerMessage) -> String {
    match msg {
        ServerMessage::Error { error, .. } => {
            assert_eq!(error.code, ErrorCode::Refused, "{error:?}");
            error.message
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_deleted_or_truncated_library_is_refused_with_its_reason_and_the_app_runs_on() {
    let mut app = App::start(&app_binary());
    let mut c = Client::hello(&app.socket());
    let bytes = std::fs::read(library_path("upd-redefine")).unwrap();
    let dir = private_runtime_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let lib = dir.join("libupd_redefine.so");

    // Deleted before apply.
    let message = refused(apply(&mut c, &lib));
    assert!(message.contains("cannot resolve"), "{message}");

    // Truncated at several lengths: empty, mid-header, half, one byte short.
    let len = bytes.len();
    let mut reasons = Vec::new();
    for cut in [0, 16, 64, len / 2, len - 1] {
        std::fs::write(&lib, &bytes[..cut]).unwrap();
        let message = refused(apply(&mut c, &lib));
        // Section headers are at the end of an ELF file: any truncation is
        // refused by the parser, before the fingerprint, before dlopen.
        assert!(
            message.contains("not a moult update library (not a shared object: "),
            "cut at {cut}: {message}"
        );
        reasons.push(format!("{cut}: {message}"));
        assert_eq!(app.ask("greet"), "greet hello world", "cut at {cut}");
    }
    eprintln!(
        "fault_injection: truncations refused:\n{}",
        reasons.join("\n")
    );
    assert!(app.alive());

    // The whole file applies from the same path: nothing was left half-loaded.
    std::fs::write(&lib, &bytes).unwrap();
    let Response::Queued { updates } = (match apply(&mut c, &lib) {
        ServerMessage::Ok { result, .. } => result,
        other => panic!("the intact library got {other:?}"),
    }) else {
        panic!("not queued")
    };
    assert_eq!(updates.len(), 2);
    for u in &updates {
        assert_eq!(
            app.ask(&format!("wait {}", u.id)),
            r#"outcome {"outcome":"applied"}"#
        );
    }
    assert_eq!(app.ask("greet"), "greet hello moult (42)");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn truncating_or_deleting_the_file_after_apply_answered_leaves_the_queued_update_intact() {
    let mut app = App::start(&app_binary());
    let mut c = Client::hello(&app.socket());
    assert!(matches!(
        c.request(Request::Subscribe),
        ServerMessage::Ok {
            result: Response::Subscribed { .. },
            ..
        }
    ));
    let dir = private_runtime_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let lib = dir.join("libupd_redefine.so");
    std::fs::copy(library_path("upd-redefine"), &lib).unwrap();
    let Response::Queued { updates } = (match apply(&mut c, &lib) {
        ServerMessage::Ok { result, .. } => result,
        other => panic!("apply got {other:?}"),
    }) else {
        panic!("not queued")
    };
    // Staged: the source may now be truncated, then deleted.
    std::fs::write(&lib, b"").unwrap();
    std::fs::remove_file(&lib).unwrap();
    let mut outcomes = Vec::new();
    c.collect_until(Duration::from_secs(60), |m| {
        if let ServerMessage::Events { events, .. } = m {
            for e in events {
                if let EventKind::UpdateDone { outcome, .. } = &e.kind {
                    outcomes.push(outcome.clone());
                }
            }
        }
        outcomes.len() == updates.len()
    });
    assert_eq!(outcomes, [Outcome::Applied, Outcome::Applied]);
    assert_eq!(app.ask("greet"), "greet hello moult (42)");
    let _ = std::fs::remove_dir_all(&dir);
}
