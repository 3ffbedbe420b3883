//! An update calling a hot function whose entry gate it holds closed runs
//! the version the gate will publish instead of waiting for its own resume
//! (issue #13, finding 5: it used to wait forever).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use moult::protocol::Outcome;
use moult::{Alterability, ThreadFilter, Update, UpdateContext, UpdateError};

/// Watchdog: without the fix the update never ends and `wait` gives up here.
const WAIT: Duration = Duration::from_secs(30);

#[moult::hot]
fn gated(x: u32) -> u32 {
    x + 1
}

fn gated_v2(x: u32) -> u32 {
    x + 100
}

/// Closes `gated`'s gate, then calls it from its own hooks.
struct CallsThroughOwnGate {
    /// What `gated(1)` answered in check_alterability, gate closed, before the swap.
    before: Arc<AtomicU32>,
    /// What `gated(1)` answered in apply, gate closed, after the swap.
    after: Arc<AtomicU32>,
}

impl Update for CallsThroughOwnGate {
    fn name(&self) -> &str {
        "calls through its own gate"
    }
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        let f = moult::hot_fn!(gated).unwrap();
        ctx.close_gate(f).unwrap();
        assert!(f.current().is_none(), "the gate is closed to the app");
        self.before.store(gated(1), Ordering::SeqCst);
        Alterability::from_blockers(ctx.quiescence(f, &ThreadFilter::All))
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.redefine(moult::hot_fn!(gated)?, gated_v2 as fn(u32) -> u32);
        self.after.store(gated(1), Ordering::SeqCst);
        Ok(())
    }
}

#[test]
fn an_update_calling_a_function_it_gated_runs_the_pending_version() {
    let rt = moult::init();
    assert_eq!(gated(1), 2);
    let (before, after) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let id = rt.submit(Box::new(CallsThroughOwnGate {
        before: before.clone(),
        after: after.clone(),
    }));
    assert_eq!(
        rt.wait(id, WAIT),
        Some(Outcome::Applied),
        "the update hung on its own gate"
    );
    assert_eq!(
        before.load(Ordering::SeqCst),
        2,
        "old version before the swap"
    );
    assert_eq!(
        after.load(Ordering::SeqCst),
        101,
        "new version after the swap"
    );
    assert_eq!(gated(1), 101, "the gate published the new version");
    let info = rt
        .functions()
        .into_iter()
        .find(|f| f.name == "update_own_gate::gated")
        .unwrap();
    let calls: u64 = info.threads.iter().map(|t| t.calls).sum();
    assert_eq!(
        calls, 4,
        "the update's own calls are counted like any other"
    );
    assert!(info.threads.iter().all(|t| t.active == 0));
}
