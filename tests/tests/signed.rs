//! Signed updates, end to end: keys made and libraries signed by the real
//! `moult-console`, loaded by a test app that requires signatures (through
//! `MOULT_TRUSTED_KEYS` or `moult::agent::require_signed`).
//!
//! The refusals use `upd-signed-trap`, a library the loader would accept on
//! every other count (fingerprint, allocator) and whose initialiser aborts
//! the app: an app still alive after the refusal proves `dlopen` never ran.
//! Each test works on its own copies of the libraries, in its own
//! directory, so no signature of one test lands beside another's library.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use moult_e2e::{App, build, library_path, private_runtime_dir};
use moult_protocol::{JournalAction, JournalEntry, discovery};

const TRUSTED_KEYS_ENV: &str = "MOULT_TRUSTED_KEYS";

/// Builds the console, the app and the two libraries once; returns the
/// profile directory.
fn bin() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            build(&[
                "moult-console",
                "e2e-app",
                "upd-redefine",
                "upd-signed-trap",
            ])
        })
        .clone()
}

/// One test's directory: its keys and its copies of the libraries.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = private_runtime_dir().with_extension("signed");
        std::fs::create_dir_all(&dir).unwrap();
        Scratch { dir }
    }

    /// `moult-console keygen --out <dir>/<name> --no-password`; returns the prefix.
    fn keygen(&self, name: &str) -> PathBuf {
        let prefix = self.dir.join(name);
        let out = console(None, &["keygen", "--out", path(&prefix), "--no-password"]);
        assert!(out.status.success(), "keygen: {}", text(&out.stderr));
        prefix
    }

    /// A copy of `package`'s built library in this directory.
    fn library(&self, package: &str) -> PathBuf {
        let built = library_path(package);
        let copy = self.dir.join(built.file_name().unwrap());
        std::fs::copy(&built, &copy).unwrap();
        copy
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 test path")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the real console (against `app`'s agents, if given).
fn console(app: Option<&App>, args: &[&str]) -> Output {
    let mut command = Command::new(bin().join("moult-console"));
    command.args(args).stdin(Stdio::null());
    if let Some(app) = app {
        command.env(discovery::DIR_ENV, &app.runtime_dir);
    }
    command.output().expect("run moult-console")
}

/// `moult-console sign <library> --key <prefix>.key`.
fn sign(library: &Path, key_prefix: &Path) {
    let key = key_prefix.with_extension("key");
    let out = console(None, &["sign", path(library), "--key", path(&key)]);
    assert!(out.status.success(), "sign: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(".minisig"),
        "{}",
        text(&out.stdout)
    );
}

/// The app, started trusting the public key of `key_prefix`.
fn app_trusting(key_prefix: &Path) -> App {
    let public = key_prefix.with_extension("pub");
    App::start_with_env(
        &bin().join("e2e-app"),
        &[(TRUSTED_KEYS_ENV, public.as_os_str())],
    )
}

/// Waits (a few seconds at most) for a journal entry of `action` whose
/// detail contains `needle`; returns its detail.
fn journaled(app: &App, action: JournalAction, needle: &str) -> String {
    let journal = discovery::journal_path(&app.runtime_dir, app.pid());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let entries: Vec<JournalEntry> = std::fs::read_to_string(&journal)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        if let Some(e) = entries
            .iter()
            .find(|e| e.action == action && e.detail.contains(needle))
        {
            return e.detail.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no {action:?} entry containing {needle:?} in {entries:#?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Asks the app to load `library`, expects a refusal and returns it; the
/// app must still be alive and unchanged (the library's code never ran).
fn refused(app: &mut App, library: &Path) -> String {
    let reply = app.ask(&format!("load {}", library.display()));
    assert!(reply.starts_with("error "), "{reply}");
    assert!(app.alive(), "the library's initialiser ran: {reply}");
    assert_eq!(app.ask("greet"), "greet hello world");
    reply
}

/// Loads `library` and waits for its updates; their outcomes.
fn applied(app: &mut App, library: &Path) -> Vec<String> {
    let reply = app.ask(&format!("load {}", library.display()));
    let ids = reply
        .strip_prefix("loaded ")
        .unwrap_or_else(|| panic!("load {}: {reply}", library.display()))
        .to_string();
    ids.split(',')
        .map(|id| app.ask(&format!("wait {id}")))
        .collect()
}

#[test]
fn a_library_signed_by_a_trusted_key_applies() {
    let scratch = Scratch::new();
    let key = scratch.keygen("ops");
    let library = scratch.library("upd-redefine");
    sign(&library, &key);
    let mut app = app_trusting(&key);
    let outcomes = applied(&mut app, &library);
    assert_eq!(outcomes, [r#"outcome {"outcome":"applied"}"#; 2]);
    assert_eq!(app.ask("greet"), "greet hello moult (42)");
    journaled(&app, JournalAction::Staged, "libupd_redefine.so");
}

#[test]
fn an_unsigned_library_is_refused_before_any_of_its_code_runs() {
    let scratch = Scratch::new();
    let key = scratch.keygen("ops");
    let library = scratch.library("upd-signed-trap");
    let mut app = app_trusting(&key);
    let reply = refused(&mut app, &library);
    assert!(reply.contains("not signed: no signature "), "{reply}");
    assert!(
        reply.contains("libupd_signed_trap.so.minisig"),
        "names the file looked for: {reply}"
    );
    assert!(
        reply.contains("moult-console sign"),
        "says the fix: {reply}"
    );
    journaled(&app, JournalAction::Refused, "not signed");
}

#[test]
fn a_library_signed_by_another_key_is_refused_before_any_of_its_code_runs() {
    let scratch = Scratch::new();
    let trusted = scratch.keygen("ops");
    let stranger = scratch.keygen("stranger");
    let library = scratch.library("upd-signed-trap");
    sign(&library, &stranger);
    let mut app = app_trusting(&trusted);
    let reply = refused(&mut app, &library);
    assert!(
        reply.contains("signed by a key this app does not trust"),
        "{reply}"
    );
    let stranger_pub = std::fs::read_to_string(stranger.with_extension("pub")).unwrap();
    let stranger_id = stranger_pub
        .lines()
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap();
    assert!(reply.contains(stranger_id), "names the signer: {reply}");
    assert!(reply.contains("ops.pub"), "names the trusted key: {reply}");
    journaled(&app, JournalAction::Refused, "does not trust");
}

#[test]
fn one_flipped_byte_after_signing_is_refused_before_any_of_its_code_runs() {
    let scratch = Scratch::new();
    let key = scratch.keygen("ops");
    let library = scratch.library("upd-signed-trap");
    sign(&library, &key);
    // One bit of a static's bytes: still a loadable library with a matching
    // fingerprint, so only the signature tells.
    let mut bytes = std::fs::read(&library).unwrap();
    let at = bytes
        .windows(12)
        .position(|w| w == b"flip me here")
        .expect("the fixture's payload");
    bytes[at] ^= 0x20;
    std::fs::write(&library, &bytes).unwrap();
    let mut app = app_trusting(&key);
    let reply = refused(&mut app, &library);
    assert!(reply.contains("do not match its signature"), "{reply}");
    assert!(reply.contains("changed after it was signed"), "{reply}");
    journaled(&app, JournalAction::Refused, "do not match its signature");
}

#[test]
fn the_console_signs_what_it_applies_and_reports_a_refusal() {
    let scratch = Scratch::new();
    let key = scratch.keygen("ops");
    let app = app_trusting(&key);
    let pid = app.pid().to_string();

    let unsigned = scratch.library("upd-signed-trap");
    let out = console(Some(&app), &["apply", &pid, path(&unsigned)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("not signed"),
        "{}",
        text(&out.stderr)
    );

    let library = scratch.library("upd-redefine");
    let secret = key.with_extension("key");
    let out = console(
        Some(&app),
        &["apply", &pid, path(&library), "--sign-with", path(&secret)],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(library.with_extension("so.minisig").exists());
    let mut app = app;
    assert_eq!(app.ask("greet"), "greet hello moult (42)");
}

#[test]
fn an_app_that_does_not_require_signatures_loads_unsigned_ones_until_it_asks() {
    let scratch = Scratch::new();
    let key = scratch.keygen("ops");
    let mut app = App::start(&bin().join("e2e-app"));
    let outcomes = applied(&mut app, &scratch.library("upd-redefine"));
    assert_eq!(outcomes, [r#"outcome {"outcome":"applied"}"#; 2]);

    // moult::agent::require_signed, called by the running app.
    let public = key.with_extension("pub");
    assert_eq!(app.ask(&format!("trust {}", public.display())), "trusted");
    let reply = app.ask(&format!(
        "load {}",
        scratch.library("upd-signed-trap").display()
    ));
    assert!(reply.contains("not signed"), "{reply}");
    assert!(app.alive());
}

#[test]
fn a_trusted_key_that_cannot_be_read_refuses_every_library() {
    let scratch = Scratch::new();
    let key = scratch.keygen("ops");
    let library = scratch.library("upd-redefine");
    sign(&library, &key);
    let missing = scratch.dir.join("missing.pub");
    let mut app = App::start_with_env(
        &bin().join("e2e-app"),
        &[(TRUSTED_KEYS_ENV, OsStr::new(path(&missing)))],
    );
    let reply = app.ask(&format!("load {}", library.display()));
    assert!(
        reply.contains("requires signed update libraries but its trusted keys are unusable"),
        "{reply}"
    );
    assert!(reply.contains("missing.pub"), "{reply}");
    assert_eq!(app.ask("greet"), "greet hello world");
}
