//! With moult's `metrics` feature the agent records update outcomes,
//! timings, calls and panics per function version and live instances per
//! class version through the `metrics` facade (issue 20), seen here by
//! `metrics-util`'s `DebuggingRecorder` installed as the app would install
//! its exporter.
//!
//! Built with the feature through moult's self dev-dependency. One process,
//! one global recorder. A snapshot of that recorder resets what it read
//! (counters and gauges to 0, histograms emptied), so the tests run one at
//! a time and each reads only its own labels.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use metrics_util::MetricKind;
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use moult::class::EagerConversion;
use moult::protocol::Outcome;
use moult::update::SafeRedefine;
use moult::{Update, UpdateContext, UpdateError, UpdateId};

const WAIT: Duration = Duration::from_secs(30);

/// One test at a time: a snapshot resets what other tests recorded.
static SERIAL: Mutex<()> = Mutex::new(());

/// Takes the one test's turn and installs the recorder (once).
fn serial() -> MutexGuard<'static, ()> {
    let turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    recorder();
    turn
}

fn recorder() -> &'static Snapshotter {
    static SNAPSHOTTER: OnceLock<Snapshotter> = OnceLock::new();
    SNAPSHOTTER.get_or_init(|| {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        recorder
            .install()
            .unwrap_or_else(|_| panic!("no other global recorder in this test process"));
        snapshotter
    })
}

/// What one snapshot held: (kind, name, labels) → value.
struct Snap(BTreeMap<(String, String, BTreeMap<String, String>), DebugValue>);

fn snapshot() -> Snap {
    let kind = |k: MetricKind| format!("{k:?}").to_lowercase();
    Snap(
        recorder()
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, _, _, value)| {
                let labels = key
                    .key()
                    .labels()
                    .map(|l| (l.key().to_string(), l.value().to_string()))
                    .collect();
                (
                    (kind(key.kind()), key.key().name().to_string(), labels),
                    value,
                )
            })
            .collect(),
    )
}

impl Snap {
    fn get(&self, kind: &str, name: &str, labels: &[(&str, &str)]) -> Option<&DebugValue> {
        let labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.0.get(&(kind.to_string(), name.to_string(), labels))
    }

    /// A counter's value; 0 when it was never recorded.
    fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        match self.get("counter", name, labels) {
            Some(DebugValue::Counter(n)) => *n,
            None => 0,
            other => panic!("{name} is not a counter: {other:?}"),
        }
    }

    /// A gauge's value; `None` when it was never recorded.
    fn gauge(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        match self.get("gauge", name, labels)? {
            DebugValue::Gauge(v) => Some(v.0),
            other => panic!("{name} is not a gauge: {other:?}"),
        }
    }

    /// A histogram's values; empty when none was recorded.
    fn histogram(&self, name: &str, labels: &[(&str, &str)]) -> Vec<f64> {
        match self.get("histogram", name, labels) {
            Some(DebugValue::Histogram(v)) => v.iter().map(|x| x.0).collect(),
            None => Vec::new(),
            other => panic!("{name} is not a histogram: {other:?}"),
        }
    }
}

fn run(update: impl Update) -> (UpdateId, Outcome) {
    let rt = moult::runtime();
    let id = rt.submit(Box::new(update));
    (id, rt.wait(id, WAIT).expect("the update ends"))
}

#[moult::hot]
fn pulse(x: u64) -> u64 {
    x + 1
}

fn pulse_v2(x: u64) -> u64 {
    x + 2
}

#[test]
fn an_applied_update_is_counted_and_its_two_timings_recorded() {
    let _turn = serial();
    let f = moult::hot_fn!(pulse).unwrap();
    let (_, outcome) = run(SafeRedefine::new(f, pulse_v2 as fn(u64) -> u64).named("pulse v2"));
    assert_eq!(outcome, Outcome::Applied);

    let snap = snapshot();
    let update = [("update", "pulse v2")];
    assert_eq!(snap.counter("moult_updates_applied_total", &update), 1);
    assert_eq!(snap.counter("moult_updates_rolled_back_total", &update), 0);
    let waited = snap.histogram("moult_update_alterability_seconds", &update);
    let held = snap.histogram("moult_update_held_seconds", &update);
    assert_eq!(waited.len(), 1, "one time to alterability: {waited:?}");
    assert_eq!(held.len(), 1, "one held window: {held:?}");
    assert!(waited[0] >= 0.0 && held[0] >= 0.0, "{waited:?} {held:?}");
}

#[moult::hot]
fn brittle(x: u64) -> u64 {
    x
}

fn brittle_v2(x: u64) -> u64 {
    x * 3
}

/// Redefines `brittle`, then gives up: the redefine is rolled back.
struct GivesUp;

impl Update for GivesUp {
    fn name(&self) -> &str {
        "brittle v2"
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.redefine(moult::hot_fn!(brittle)?, brittle_v2 as fn(u64) -> u64);
        Err(UpdateError::Failed("a later step failed".into()))
    }
}

#[test]
fn a_rolled_back_update_is_counted_and_its_held_window_still_recorded() {
    let _turn = serial();
    let (_, outcome) = run(GivesUp);
    assert!(matches!(outcome, Outcome::RolledBack(_)), "{outcome:?}");
    assert_eq!(brittle(2), 2);

    let snap = snapshot();
    let update = [("update", "brittle v2")];
    assert_eq!(snap.counter("moult_updates_rolled_back_total", &update), 1);
    assert_eq!(snap.counter("moult_updates_applied_total", &update), 0);
    assert_eq!(
        snap.histogram("moult_update_held_seconds", &update).len(),
        1,
        "the app was held from alterability to the rollback's release"
    );
}

#[moult::hot]
fn meter(x: u64) -> u64 {
    x
}

fn meter_v2(x: u64) -> u64 {
    x + 7
}

#[test]
fn a_revert_is_counted_under_the_name_of_the_update_it_undid() {
    let _turn = serial();
    let f = moult::hot_fn!(meter).unwrap();
    let (applied, outcome) =
        run(SafeRedefine::new(f, meter_v2 as fn(u64) -> u64).named("meter v2"));
    assert_eq!(outcome, Outcome::Applied);
    let rt = moult::runtime();
    let revert = rt.revert(Some(applied), "test").expect("revert queued");
    assert_eq!(rt.wait(revert, WAIT), Some(Outcome::Applied));
    assert_eq!(meter(1), 1);

    let snap = snapshot();
    assert_eq!(
        snap.counter("moult_updates_reverted_total", &[("update", "meter v2")]),
        1
    );
    assert_eq!(
        snap.counter("moult_updates_applied_total", &[("update", "meter v2")]),
        1
    );
    let revert_name = format!("revert #{applied} (meter v2)");
    assert_eq!(
        snap.counter("moult_updates_applied_total", &[("update", &revert_name)]),
        1,
        "a revert is an applied update of its own"
    );
}

#[moult::hot]
fn quote(x: u64) -> u64 {
    x
}

/// Panics on odd requests.
fn quote_v2(x: u64) -> u64 {
    if x % 2 == 1 {
        panic!("quote v2 cannot serve {x}");
    }
    x * 2
}

#[test]
fn calls_and_panics_per_version_come_from_the_threads_counters_not_from_each_call() {
    let _turn = serial();
    let f = moult::hot_fn!(quote).unwrap();
    let name = f.name();
    snapshot(); // start from nothing recorded
    (0..100).for_each(|i| assert_eq!(quote(i), i));
    let calls_v0 = [("function", name), ("version", "0")];
    assert_eq!(
        snapshot().counter("moult_function_calls_total", &calls_v0),
        0,
        "a hot call records no metric"
    );
    let (_, outcome) = run(SafeRedefine::new(f, quote_v2 as fn(u64) -> u64).named("quote v2"));
    assert_eq!(outcome, Outcome::Applied);
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {})); // 25 expected panics
    let panicked = (0..50)
        .filter(|&i| std::panic::catch_unwind(|| quote(i)).is_err())
        .count();
    std::panic::set_hook(hook);
    assert_eq!(panicked, 25);

    moult::observe::publish_figures();
    let snap = snapshot();
    let calls_v1 = [("function", name), ("version", "1")];
    assert_eq!(snap.counter("moult_function_calls_total", &calls_v0), 100);
    assert_eq!(snap.counter("moult_function_calls_total", &calls_v1), 50);
    assert_eq!(snap.counter("moult_function_panics_total", &calls_v0), 0);
    assert_eq!(snap.counter("moult_function_panics_total", &calls_v1), 25);
    assert_eq!(
        snap.gauge("moult_function_version", &[("function", name)]),
        Some(1.0)
    );
}

trait Account: std::any::Any + Send + Sync {
    fn balance(&self) -> i64;
}

struct AccountV1(i64);
impl Account for AccountV1 {
    fn balance(&self) -> i64 {
        self.0
    }
}

struct AccountV2 {
    cents: i64,
}
impl Account for AccountV2 {
    fn balance(&self) -> i64 {
        self.cents / 100
    }
}

fn account_v1(balance: i64) -> Box<dyn Account> {
    Box::new(AccountV1(balance))
}
fn account_v2(balance: i64) -> Box<dyn Account> {
    Box::new(AccountV2 {
        cents: balance * 100,
    })
}

moult::class!(static ACCOUNT: dyn Account, i64 = "Account", account_v1);

#[test]
fn live_instances_per_class_version_follow_conversions_and_drops() {
    let _turn = serial();
    let class = ACCOUNT.name();
    let instances = |snap: &Snap, version: &str| {
        snap.gauge(
            "moult_class_instances",
            &[("class", class), ("version", version)],
        )
    };
    let accounts: Vec<_> = (0..3).map(|i| ACCOUNT.create(i)).collect();
    moult::observe::publish_figures();
    assert_eq!(instances(&snapshot(), "0"), Some(3.0));

    moult::observe::publish_figures(); // 3 of version 0 published again...
    let (_, outcome) = run(EagerConversion::new(
        &ACCOUNT,
        account_v2,
        |old: &dyn Account| account_v2(old.balance()),
    ));
    assert_eq!(outcome, Outcome::Applied);
    moult::observe::publish_figures(); // ...and now none
    let snap = snapshot();
    assert_eq!(instances(&snap, "0"), Some(0.0), "version 0 has none left");
    assert_eq!(instances(&snap, "1"), Some(3.0));

    moult::observe::publish_figures(); // 3 of version 1 published again...
    drop(accounts);
    moult::observe::publish_figures(); // ...and now none
    assert_eq!(instances(&snapshot(), "1"), Some(0.0), "all dropped");
}

/// The `moult_…` names in `text` that follow `before` (a metric name is
/// lower case and `_`).
fn metric_names(text: &str, before: &str) -> std::collections::BTreeSet<String> {
    text.match_indices(&format!("{before}moult_"))
        .map(|(at, _)| {
            text[at + before.len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect::<String>()
        })
        .collect()
}

#[test]
fn the_readme_lists_every_metric_the_agent_records_and_no_other() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut recorded = std::collections::BTreeSet::new();
    for file in ["update_metrics.rs", "figures.rs"] {
        let source = std::fs::read_to_string(root.join("src/observe").join(file)).unwrap();
        // Names as the code records them: string literals.
        recorded.extend(metric_names(&source, "\""));
    }
    assert!(recorded.len() >= 13, "{recorded:?}");
    let readme = std::fs::read_to_string(root.join("../../README.md")).unwrap();
    let section = readme
        .split("## Logs and metrics")
        .nth(1)
        .expect("the README has a Logs and metrics section")
        .split("\n## ")
        .next()
        .unwrap();
    let listed: std::collections::BTreeSet<String> = section
        .lines()
        .flat_map(|l| metric_names(l, "| `"))
        .collect();
    assert_eq!(listed, recorded, "README's metric table vs observe/");
}
