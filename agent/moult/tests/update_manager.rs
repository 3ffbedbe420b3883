//! The update manager: `is_applied` requirements order updates, and a
//! polled manager runs them only when the app polls.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use moult::protocol::Outcome;
use moult::update::PolledManager;
use moult::{Requirements, Update, UpdateContext, UpdateError};

struct Needs {
    name: &'static str,
    after: Option<&'static str>,
    applied: Arc<AtomicU32>,
    order: &'static AtomicU32,
}

impl Update for Needs {
    fn name(&self) -> &str {
        self.name
    }
    fn check_requirements(&mut self, ctx: &mut UpdateContext) -> Requirements {
        match self.after {
            Some(dep) if !ctx.is_applied(dep) => Requirements::No(format!("waiting for {dep}")),
            _ => Requirements::Yes,
        }
    }
    fn apply(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        self.applied.store(
            self.order.fetch_add(1, Ordering::SeqCst) + 1,
            Ordering::SeqCst,
        );
        Ok(())
    }
}

#[test]
fn is_applied_requirements_order_updates_and_polled_manager_runs_only_on_poll() {
    let rt = moult::init();
    let polled = PolledManager::install();
    static ORDER: AtomicU32 = AtomicU32::new(0);
    let (a, b) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let second = rt.submit(Box::new(Needs {
        name: "second",
        after: Some("first"),
        applied: b.clone(),
        order: &ORDER,
    }));
    let first = rt.submit(Box::new(Needs {
        name: "first",
        after: None,
        applied: a.clone(),
        order: &ORDER,
    }));
    std::thread::sleep(Duration::from_millis(30));
    assert_eq!(
        rt.wait(first, Duration::ZERO),
        None,
        "nothing runs before poll"
    );
    let mut polls = 0;
    while rt.wait(second, Duration::ZERO).is_none() {
        polls += polled.poll();
        std::thread::sleep(Duration::from_millis(50));
        assert!(polls < 20, "second never applied");
    }
    assert_eq!(rt.wait(first, Duration::ZERO), Some(Outcome::Applied));
    assert_eq!(rt.wait(second, Duration::ZERO), Some(Outcome::Applied));
    assert_eq!(
        (a.load(Ordering::SeqCst), b.load(Ordering::SeqCst)),
        (1, 2),
        "first applied before second"
    );
    drop(polled);
}

/// Blocked on its first two attempts, alterable on the third.
struct ThirdTime(u32);

impl moult::Update for ThirdTime {
    fn name(&self) -> &str {
        "third time"
    }
    fn sleep_time(&self) -> std::time::Duration {
        std::time::Duration::from_millis(1)
    }
    fn check_alterability(&mut self, _ctx: &mut moult::UpdateContext) -> moult::Alterability {
        self.0 += 1;
        if self.0 < 3 {
            moult::Alterability::Blocked(Vec::new())
        } else {
            moult::Alterability::Ready
        }
    }
    fn apply(&mut self, _ctx: &mut moult::UpdateContext) -> Result<(), moult::UpdateError> {
        Ok(())
    }
}

/// The snapshot's attempt count is the round's attempts (walkthrough
/// defect 2: it counted alterability rounds, so it said 1 here).
#[test]
fn the_snapshot_counts_every_alterability_attempt() {
    let rt = moult::init();
    let id = rt.submit(Box::new(ThirdTime(0)));
    assert!(rt.wait(id, std::time::Duration::from_secs(20)).is_some());
    let info = rt.updates().into_iter().find(|u| u.id == id).unwrap();
    assert_eq!(info.attempts, 3, "{info:?}");
}
