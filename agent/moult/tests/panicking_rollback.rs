//! Rollback, hold release and the drop of a committed update's undo steps
//! run update code too (`on_rollback` closures, custom holds, captured
//! values, the update itself once done): a panic there is logged and the
//! rest still runs — every gate
//! opens, no caller hangs, and the manager goes on with the next update
//! (issue 13, finding 4).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use moult::protocol::{EventKind, Outcome};
use moult::update::{Hold, SafeRedefine};
use moult::{Runtime, Update, UpdateContext, UpdateError};

/// Long enough for any of these updates; a dead manager shows as a timeout.
const WAIT: Duration = Duration::from_secs(20);

#[moult::hot]
fn rb_fn(x: u64) -> u64 {
    x + 1
}

fn rb_fn_v2(x: u64) -> u64 {
    x + 1000
}

/// A hold whose release panics.
struct BadHold;

impl Hold for BadHold {
    fn release(self: Box<Self>, _rt: &Runtime) {
        panic!("hold bug");
    }
}

/// Closes `rb_fn`'s gate, redefines it, records a panicking undo step and a
/// panicking hold, then fails.
struct FailsWithBadUndo;

impl Update for FailsWithBadUndo {
    fn name(&self) -> &str {
        "bad undo"
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let f = moult::hot_fn!(rb_fn)?;
        ctx.close_gate(f)?;
        ctx.redefine(f, rb_fn_v2 as fn(u64) -> u64);
        ctx.push_hold(Box::new(BadHold));
        ctx.on_rollback(|_| panic!("undo bug"));
        Err(UpdateError::Failed("apply gives up".into()))
    }
}

/// Panics when dropped.
struct DropBomb;

impl Drop for DropBomb {
    fn drop(&mut self) {
        panic!("drop bug");
    }
}

/// Applies, with an undo step whose captured value panics when dropped;
/// the update itself panics when the manager drops it.
struct CommitsWithBadDrop(#[allow(dead_code)] DropBomb);

impl Update for CommitsWithBadDrop {
    fn name(&self) -> &str {
        "bad drop"
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let bomb = DropBomb;
        ctx.on_rollback(move |_| {
            let _keep = &bomb;
            "never".into()
        });
        Ok(())
    }
}

fn run(update: impl Update) -> Outcome {
    let rt = moult::runtime();
    let id = rt.submit(Box::new(update));
    rt.wait(id, WAIT)
        .expect("the update ends (the manager is alive)")
}

#[test]
fn panics_in_rollback_holds_and_committed_undo_steps_leave_nothing_behind() {
    let rt = moult::init();
    let cursor = rt.events().cursor();
    let stop = Arc::new(AtomicBool::new(false));
    let callers: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut calls = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    assert_eq!(rb_fn(1), 2, "only version 0 ever answers");
                    calls += 1;
                }
                calls
            })
        })
        .collect();

    let outcome = run(FailsWithBadUndo);
    let Outcome::RolledBack(reason) = outcome else {
        panic!("expected a rollback, got {outcome:?}")
    };
    assert!(
        reason.contains("an undo step panicked (undo bug)"),
        "{reason}"
    );
    assert!(reason.contains("rb_fn back to version 0"), "{reason}");
    let info = rt
        .functions()
        .into_iter()
        .find(|f| f.name.ends_with("rb_fn"))
        .expect("registered");
    assert_eq!((info.version, info.gated), (0, false), "{info:?}");

    // The callers were never left at the closed gate.
    std::thread::sleep(Duration::from_millis(20));
    stop.store(true, Ordering::SeqCst);
    for c in callers {
        assert!(c.join().expect("a caller panicked") > 0);
    }

    // A committed update's undo step panicking when dropped: logged, applied.
    assert_eq!(run(CommitsWithBadDrop(DropBomb)), Outcome::Applied);

    // The manager lives: the next update applies.
    let f = moult::hot_fn!(rb_fn).expect("registered");
    assert_eq!(
        run(SafeRedefine::new(f, rb_fn_v2 as fn(u64) -> u64)),
        Outcome::Applied
    );
    assert_eq!(rb_fn(1), 1001);

    let logged: Vec<String> = rt
        .events()
        .since(cursor)
        .events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Log { level, message } if level == "error" => Some(message),
            _ => None,
        })
        .collect();
    for expected in [
        "bad undo: an undo step panicked: undo bug",
        "bad undo: releasing a hold panicked: hold bug",
        "bad drop: dropping an undo step panicked: drop bug",
        "bad drop: dropping the update panicked: drop bug",
    ] {
        assert!(
            logged.iter().any(|m| m == expected),
            "{expected}: {logged:?}"
        );
    }
}
