//! With moult's `tracing` feature every update event is also a `tracing`
//! event on target `moult` (issue 20): a real update applied, one blocked
//! then applied, one rolled back and one reverted, seen by a capturing
//! subscriber installed as the app would install its own.
//!
//! Built with the feature through moult's self dev-dependency; one process,
//! one global subscriber, each test its own names.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use moult::protocol::Outcome;
use moult::update::SafeRedefine;
use moult::{Update, UpdateContext, UpdateError, UpdateId};
use tracing::field::{Field, Visit};
use tracing::{Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// For waits that are not what a test checks.
const WAIT: Duration = Duration::from_secs(30);

/// One event the subscriber saw.
#[derive(Debug, Clone)]
struct Seen {
    target: String,
    level: Level,
    /// Every field, `message` included, as text (strings unquoted).
    fields: BTreeMap<String, String>,
}

impl Seen {
    fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

static SEEN: Mutex<Vec<Seen>> = Mutex::new(Vec::new());

/// Records every event it is given, whatever its target or level.
struct Capture;

impl<S: Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields(BTreeMap::new());
        event.record(&mut fields);
        SEEN.lock().unwrap().push(Seen {
            target: event.metadata().target().to_string(),
            level: *event.metadata().level(),
            fields: fields.0,
        });
    }
}

struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().into(), format!("{value:?}"));
    }
}

/// Installs the capturing subscriber once, as an app installs its own.
fn capture() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        tracing_subscriber::registry()
            .with(Capture)
            .try_init()
            .expect("no other global subscriber in this test process");
    });
}

/// The events seen so far about update `id`.
fn about(id: UpdateId) -> Vec<Seen> {
    SEEN.lock()
        .unwrap()
        .iter()
        .filter(|s| s.field("id") == id.to_string())
        .cloned()
        .collect()
}

/// The one event about update `id` whose `message` is `message`.
fn one(id: UpdateId, message: &str) -> Seen {
    let found: Vec<Seen> = about(id)
        .into_iter()
        .filter(|s| s.field("message") == message)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one `{message}` event for #{id}: {found:#?}"
    );
    found.into_iter().next().unwrap()
}

fn run(update: impl Update) -> (UpdateId, Outcome) {
    let rt = moult::runtime();
    let id = rt.submit(Box::new(update));
    (id, rt.wait(id, WAIT).expect("the update ends"))
}

#[moult::hot]
fn greet(x: u64) -> u64 {
    x + 1
}

fn greet_v2(x: u64) -> u64 {
    x + 2
}

#[test]
fn an_applied_update_is_every_step_and_its_outcome_on_target_moult() {
    capture();
    let f = moult::hot_fn!(greet).unwrap();
    let (id, outcome) = run(SafeRedefine::new(f, greet_v2 as fn(u64) -> u64).named("greet v2"));
    assert_eq!(outcome, Outcome::Applied);
    assert_eq!(greet(1), 3);

    let seen = about(id);
    assert!(seen.iter().all(|s| s.target == "moult"), "{seen:#?}");
    assert!(
        seen.iter().all(|s| s.field("update") == "greet v2"),
        "{seen:#?}"
    );

    let queued = one(id, "update queued");
    assert_eq!(
        (queued.level, queued.field("step")),
        (Level::INFO, "queued")
    );
    let steps: Vec<&str> = seen
        .iter()
        .filter(|s| s.field("message") == "update step")
        .inspect(|s| assert_eq!(s.level, Level::DEBUG))
        .map(|s| s.field("step"))
        .collect();
    assert_eq!(
        steps,
        [
            "requirements",
            "setup",
            "alterability",
            "apply",
            "resume",
            "over",
            "cleanup",
            "done"
        ]
    );
    let reached = one(id, "alterability reached");
    assert_eq!(reached.level, Level::DEBUG);
    assert_eq!(reached.field("outcome"), "alterable");
    assert_eq!(reached.field("step"), "alterability");

    let done = one(id, "update applied");
    assert_eq!(done.level, Level::INFO);
    assert_eq!(done.field("outcome"), "applied");
    assert_eq!(done.field("step"), "done");

    let redefined: Vec<Seen> = SEEN
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.field("message") == "function redefined" && s.field("function") == f.name())
        .cloned()
        .collect();
    assert_eq!(redefined.len(), 1, "{redefined:#?}");
    assert_eq!(redefined[0].level, Level::INFO);
    assert_eq!(redefined[0].field("version"), "1");
}

/// Set while a thread runs inside `busy`.
static BUSY: AtomicBool = AtomicBool::new(false);
/// Lets `busy` return.
static RELEASE: AtomicBool = AtomicBool::new(false);

#[moult::hot]
fn busy() -> u32 {
    BUSY.store(true, Ordering::SeqCst);
    while !RELEASE.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(1));
    }
    1
}

fn busy_v2() -> u32 {
    2
}

#[test]
fn a_blocked_attempt_names_the_blocking_thread_and_function() {
    capture();
    let caller = std::thread::Builder::new()
        .name("busy-caller".into())
        .spawn(busy)
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while !BUSY.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "busy() never entered");
        std::thread::sleep(Duration::from_millis(1));
    }
    let f = moult::hot_fn!(busy).unwrap();
    let update = SafeRedefine::new(f, busy_v2 as fn() -> u32)
        .named("busy v2")
        .tries(100_000, Duration::from_millis(5));
    let rt = moult::runtime();
    let id = rt.submit(Box::new(update));
    while !about(id)
        .iter()
        .any(|s| s.field("message").starts_with("alterability blocked"))
    {
        assert!(Instant::now() < deadline, "no blocked attempt seen");
        std::thread::sleep(Duration::from_millis(1));
    }
    RELEASE.store(true, Ordering::SeqCst);
    assert_eq!(caller.join().unwrap(), 1, "the running call finished on v1");
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));

    let blocked = about(id)
        .into_iter()
        .find(|s| s.field("message").starts_with("alterability blocked"))
        .unwrap();
    assert_eq!(blocked.level, Level::DEBUG);
    assert_eq!(blocked.field("outcome"), "blocked");
    assert_eq!(blocked.field("thread"), "busy-caller", "{blocked:#?}");
    assert_eq!(blocked.field("function"), f.name(), "{blocked:#?}");
    assert_eq!(blocked.field("blockers"), "1");
    assert!(
        blocked.field("message").contains("busy-caller in "),
        "{blocked:#?}"
    );
    one(id, "alterability reached");
    one(id, "update applied");
}

#[moult::hot]
fn fragile(x: u64) -> u64 {
    x
}

fn fragile_v2(x: u64) -> u64 {
    x * 10
}

/// Redefines `fragile`, then panics: the redefine is undone.
struct PanicsAfterRedefine;

impl Update for PanicsAfterRedefine {
    fn name(&self) -> &str {
        "fragile v2"
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let f = moult::hot_fn!(fragile)?;
        ctx.redefine(f, fragile_v2 as fn(u64) -> u64);
        panic!("fragile v2 is broken");
    }
}

#[test]
fn a_rolled_back_update_warns_with_its_reason_and_what_was_undone() {
    capture();
    let (id, outcome) = run(PanicsAfterRedefine);
    assert!(matches!(outcome, Outcome::RolledBack(_)), "{outcome:?}");
    assert_eq!(fragile(3), 3, "back to the old version");

    let done = one(id, "update rolled_back");
    assert_eq!(done.level, Level::WARN);
    assert_eq!(done.target, "moult");
    assert_eq!(done.field("outcome"), "rolled_back");
    assert!(
        done.field("reason").contains("fragile v2 is broken"),
        "{done:#?}"
    );

    let undone: Vec<Seen> = SEEN
        .lock()
        .unwrap()
        .iter()
        .filter(|s| {
            s.field("message") == "undone by a rollback" && s.field("update") == "fragile v2"
        })
        .cloned()
        .collect();
    assert!(!undone.is_empty(), "the undone redefine is reported");
    assert!(undone.iter().all(|s| s.level == Level::WARN), "{undone:#?}");
    let steps: Vec<String> = about(id)
        .iter()
        .filter(|s| s.field("message") == "update step")
        .map(|s| s.field("step").to_string())
        .collect();
    assert!(
        !steps.iter().any(|s| s == "resume"),
        "no resume after a rollback: {steps:?}"
    );
}

#[moult::hot]
fn tariff(x: u64) -> u64 {
    x
}

fn tariff_v2(x: u64) -> u64 {
    x + 5
}

#[test]
fn a_revert_warns_naming_the_update_it_undid() {
    capture();
    let f = moult::hot_fn!(tariff).unwrap();
    let (applied, outcome) =
        run(SafeRedefine::new(f, tariff_v2 as fn(u64) -> u64).named("tariff v2"));
    assert_eq!(outcome, Outcome::Applied);
    let rt = moult::runtime();
    let revert = rt
        .revert(Some(applied), "too expensive")
        .expect("revert queued");
    assert_eq!(rt.wait(revert, WAIT), Some(Outcome::Applied));
    assert_eq!(tariff(1), 1);

    let reverted = one(revert, &format!("update #{applied} reverted"));
    assert_eq!(reverted.level, Level::WARN);
    assert_eq!(reverted.target, "moult");
    assert_eq!(reverted.field("target"), applied.to_string());
    assert_eq!(reverted.field("reason"), "too expensive");
    assert_eq!(
        reverted.field("update"),
        format!("revert #{applied} (tariff v2)")
    );
    let done = one(revert, "update applied");
    assert_eq!(done.level, Level::INFO);
}
