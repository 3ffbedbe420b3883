//! Hot `async fn`s on tokio: a redefinition reaches new calls, a safe one
//! waits for every old activation (across awaits, worker threads and
//! cancellation) while new callers await the gate without blocking a worker.

use std::sync::Arc;
use std::time::Duration;

use moult::hot::BoxFuture;
use moult::protocol::Outcome;
use moult::update::SafeRedefine;
use tokio::sync::Notify;

const WAIT: Duration = Duration::from_secs(20);

struct Store {
    prefix: String,
}

#[moult::hot]
async fn lookup(store: &Store, key: &str) -> String {
    tokio::task::yield_now().await;
    format!("{}{key}", store.prefix)
}

fn lookup_v2<'m>(store: &'m Store, key: &'m str) -> BoxFuture<'m, String> {
    Box::pin(async move { format!("v2:{}{key}", store.prefix) })
}

#[moult::hot]
async fn slow(release: Arc<Notify>) -> u32 {
    release.notified().await;
    1
}

fn slow_v2(_release: Arc<Notify>) -> BoxFuture<'static, u32> {
    Box::pin(async { 2 })
}

struct Service {
    name: &'static str,
}

#[moult::hot_impl]
impl Service {
    #[hot]
    async fn greet(&self, who: &str) -> String {
        format!("{} greets {who}", self.name)
    }
}

#[moult::async_version]
async fn greet_v2(this: &Service, who: &str) -> String {
    format!("{} welcomes {who}", this.name)
}

#[moult::hot]
async fn fragile(n: u32) -> u32 {
    n
}

#[moult::async_version]
async fn fragile_v2(n: u32) -> u32 {
    tokio::task::yield_now().await;
    if n == 3 {
        panic!("fragile v2 refuses {n}");
    }
    n * 10
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_hot_function_is_redefined_for_new_calls() {
    let rt = moult::init();
    let store = Store {
        prefix: "k:".into(),
    };
    assert_eq!(lookup(&store, "a").await, "k:a");
    let func = moult::hot_fn!(lookup).unwrap();
    let id = rt.submit(Box::new(SafeRedefine::new(func, lookup_v2)));
    let outcome = tokio::task::spawn_blocking(move || moult::init().wait(id, WAIT))
        .await
        .unwrap();
    assert_eq!(outcome, Some(Outcome::Applied));
    assert_eq!(lookup(&store, "a").await, "v2:k:a");
    assert_eq!(func.version(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_method_is_hot_through_hot_impl() {
    let rt = moult::init();
    let s = Service { name: "svc" };
    assert_eq!(s.greet("ana").await, "svc greets ana");
    let func = moult::hot_fn!(Service::greet).unwrap();
    let id = rt.submit(Box::new(SafeRedefine::new(func, greet_v2)));
    let outcome = tokio::task::spawn_blocking(move || moult::init().wait(id, WAIT))
        .await
        .unwrap();
    assert_eq!(outcome, Some(Outcome::Applied));
    assert_eq!(s.greet("ana").await, "svc welcomes ana");
}

/// One worker thread: a new caller blocking at the gate would starve the
/// old activation the update waits for, and nothing would ever finish.
#[tokio::test(flavor = "current_thread")]
async fn a_safe_redefine_waits_for_old_activations_while_new_callers_await() {
    let rt = moult::init();
    let release = Arc::new(Notify::new());
    let old = tokio::spawn(slow(release.clone()));
    tokio::task::yield_now().await; // `old` starts: one activation in flight
    let func = moult::hot_fn!(slow).unwrap();
    let id = rt.submit(Box::new(
        SafeRedefine::new(func, slow_v2 as fn(Arc<Notify>) -> BoxFuture<'static, u32>)
            .tries(400, Duration::from_millis(5)),
    ));
    // The update closes the gate and waits: a new call awaits at the gate.
    let gate_closed = wait_until(|| {
        rt.functions()
            .iter()
            .any(|f| f.name == "hot_async::slow" && f.gated)
    })
    .await;
    assert!(gate_closed, "the update closed the gate while `old` ran");
    let newer = tokio::spawn(slow(Arc::new(Notify::new())));
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(!newer.is_finished(), "a new call waits at the closed gate");
    assert_eq!(
        func.version(),
        0,
        "not applied while an old activation runs"
    );
    release.notify_one();
    assert_eq!(
        old.await.unwrap(),
        1,
        "the old activation finishes on the old code"
    );
    assert_eq!(
        newer.await.unwrap(),
        2,
        "the waiting caller runs the new version"
    );
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_activation_ends_when_its_future_is_dropped() {
    let rt = moult::init();
    let release = Arc::new(Notify::new());
    let old = tokio::spawn(slow_twin(release.clone()));
    wait_until(|| in_flight("hot_async::slow_twin") == 1).await;
    old.abort();
    assert!(old.await.unwrap_err().is_cancelled());
    let func = moult::hot_fn!(slow_twin).unwrap();
    let id = rt.submit(Box::new(SafeRedefine::new(
        func,
        slow_v2 as fn(Arc<Notify>) -> BoxFuture<'static, u32>,
    )));
    let outcome = tokio::task::spawn_blocking(move || moult::init().wait(id, WAIT))
        .await
        .unwrap();
    assert_eq!(outcome, Some(Outcome::Applied));
}

#[moult::hot]
async fn slow_twin(release: Arc<Notify>) -> u32 {
    release.notified().await;
    1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_version_fails_its_task_and_the_process_lives() {
    let rt = moult::init();
    let func = moult::hot_fn!(fragile).unwrap();
    let id = rt.submit(Box::new(SafeRedefine::new(func, fragile_v2)));
    let outcome = tokio::task::spawn_blocking(move || moult::init().wait(id, WAIT))
        .await
        .unwrap();
    assert_eq!(outcome, Some(Outcome::Applied));
    let err = tokio::spawn(fragile(3)).await.unwrap_err();
    let payload = err.into_panic();
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert_eq!(message, "fragile v2 refuses 3");
    assert_eq!(fragile(4).await, 40, "later calls run");
    assert_eq!(
        in_flight("hot_async::fragile"),
        0,
        "the panicked activation ended"
    );
}

/// Async activations of `name` still running, as the snapshot shows them.
fn in_flight(name: &str) -> u32 {
    moult::init()
        .functions()
        .into_iter()
        .find(|f| f.name == name)
        .expect("registered")
        .threads
        .iter()
        .filter(|t| t.thread == moult::hot::ASYNC_TASKS)
        .map(|t| t.active)
        .sum()
}

async fn wait_until(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..4000 {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

#[moult::hot]
async fn slow_wake(release: Arc<Notify>) -> u32 {
    release.notified().await;
    1
}

/// The update polls every 10 s: it finishes within the bound only if the
/// last old activation's end wakes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_old_async_activation_ending_wakes_the_update() {
    let rt = moult::init();
    let release = Arc::new(Notify::new());
    let old = tokio::spawn(slow_wake(release.clone()));
    wait_until(|| in_flight("hot_async::slow_wake") == 1).await;
    let func = moult::hot_fn!(slow_wake).unwrap();
    let id = rt.submit(Box::new(
        SafeRedefine::new(func, slow_v2 as fn(Arc<Notify>) -> BoxFuture<'static, u32>)
            .tries(3, Duration::from_secs(10)),
    ));
    wait_until(|| {
        rt.functions()
            .iter()
            .any(|f| f.name == "hot_async::slow_wake" && f.gated)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(50)).await; // the first check found it busy
    release.notify_one();
    assert_eq!(old.await.unwrap(), 1);
    let outcome =
        tokio::task::spawn_blocking(move || moult::init().wait(id, Duration::from_secs(8)))
            .await
            .unwrap();
    assert_eq!(
        outcome,
        Some(Outcome::Applied),
        "woken by the return, not the 10 s poll"
    );
}
