//! Runs one update through its lifecycle.

use moult_protocol::{EventKind, LifecycleStep, Outcome};

use super::control::Stop;
use super::{Alterability, Requirements, Update, UpdateContext};
use crate::observe::UpdateTiming;

/// Runs `update` from requirements to cleanup and returns its outcome.
///
/// Guarantees: on every path out, every hold is released; on every failure
/// before resume, everything recorded by `apply` is undone.
pub(crate) fn run(update: &mut dyn Update, ctx: &mut UpdateContext) -> Outcome {
    let outcome = run_steps(update, ctx);
    ctx.release_holds(); // no-op unless a path below left one (defensive)
    outcome
}

fn step(ctx: &UpdateContext, step: LifecycleStep) {
    ctx.rt.manager.set_step(ctx.id, step);
    ctx.emit(EventKind::Lifecycle {
        update: ctx.name.clone(),
        id: ctx.id,
        step,
    });
}

fn stopped(ctx: &UpdateContext) -> Option<Outcome> {
    match ctx.control.requested()? {
        Stop::Postpone => Some(Outcome::Postponed("postponed by operator".into())),
        Stop::Abort => Some(Outcome::Aborted("aborted by operator".into())),
    }
}

fn run_steps(update: &mut dyn Update, ctx: &mut UpdateContext) -> Outcome {
    step(ctx, LifecycleStep::Requirements);
    match update.check_requirements(ctx) {
        Requirements::Yes => {}
        Requirements::No(why) => return Outcome::Postponed(format!("requirements not met: {why}")),
        Requirements::Never(why) => {
            return Outcome::Aborted(format!("requirements never met: {why}"));
        }
    }

    step(ctx, LifecycleStep::Setup);
    if let Err(e) = update.preupdate_setup(ctx) {
        let undone = ctx.rollback();
        ctx.release_holds();
        return Outcome::Aborted(with_undone(format!("preupdate_setup failed: {e}"), &undone));
    }

    step(ctx, LifecycleStep::Alterability);
    let mut timing = UpdateTiming::start();
    let alterability = update.wait_alterability(ctx);
    let blocked = match (&alterability, stopped(ctx)) {
        (_, Some(stop)) => Some(stop),
        (Ok(Alterability::Ready), None) => None,
        (Ok(Alterability::Blocked(blockers)), None) => Some(Outcome::Postponed(format!(
            "alterability not reached after {} tries{}",
            update.max_tries(),
            describe(blockers)
        ))),
        (Err(e), None) => Some(Outcome::Aborted(format!("wait_alterability failed: {e}"))),
    };
    if let Some(outcome) = blocked {
        update.clean_failed_alterability(ctx);
        let _ = ctx.rollback();
        ctx.release_holds();
        return outcome;
    }
    timing.alterable();
    update.pause_hook(ctx);

    step(ctx, LifecycleStep::Apply);
    if let Err(e) = update.apply(ctx) {
        let undone = ctx.rollback();
        ctx.release_holds();
        timing.record(&ctx.name);
        return Outcome::RolledBack(with_undone(format!("apply failed: {e}"), &undone));
    }

    step(ctx, LifecycleStep::Resume);
    if let Err(e) = update.preresume_setup(ctx) {
        let undone = ctx.rollback();
        ctx.release_holds();
        timing.record(&ctx.name);
        return Outcome::RolledBack(with_undone(format!("preresume_setup failed: {e}"), &undone));
    }
    // From here on nothing is rolled back. The app goes on first; the undo
    // entries (old values, old versions kept for a rollback) are dropped
    // after, off the window the app is held for.
    file_in_history(update, ctx);
    ctx.release_holds();
    timing.record(&ctx.name);
    ctx.commit();
    ctx.rt
        .applied
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(ctx.name.clone());
    update.resume_hook(ctx);

    step(ctx, LifecycleStep::Over);
    if let Err(e) = update.wait_over(ctx) {
        return Outcome::Failed(format!("wait_over failed (the update stays applied): {e}"));
    }

    step(ctx, LifecycleStep::Cleanup);
    if let Err(e) = update.cleanup(ctx) {
        return Outcome::Failed(format!("cleanup failed (the update stays applied): {e}"));
    }
    Outcome::Applied
}

/// Files the committed update in the history (what a revert replays), and
/// a revert's verdict on the update it undid.
fn file_in_history(update: &dyn Update, ctx: &mut UpdateContext) {
    let revertible = match update.revertible() {
        super::Revertible::Recorded => Ok(()),
        super::Revertible::No(why) => Err(why),
    };
    let reverts = ctx.reverts.take();
    ctx.rt.history.record(super::history::Applied {
        id: ctx.id,
        name: ctx.name.clone(),
        changes: ctx.take_changes(),
        revertible,
        reverts: reverts.as_ref().map(|(target, _)| *target),
        reverted_by: None,
    });
    if let Some((target, reason)) = reverts {
        ctx.emit(EventKind::UpdateReverted {
            update: ctx.name.clone(),
            id: ctx.id,
            target,
            reason,
        });
    }
}

fn describe(blockers: &[moult_protocol::Blocker]) -> String {
    if blockers.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = blockers
        .iter()
        .map(|b| match &b.function {
            Some(f) => format!("{} in {f} (depth {})", b.thread, b.depth),
            None => format!("{}: {}", b.thread, b.detail),
        })
        .collect();
    format!("; blocked by {}", parts.join(", "))
}

fn with_undone(reason: String, undone: &[String]) -> String {
    if undone.is_empty() {
        reason
    } else {
        format!("{reason}; rolled back: {}", undone.join("; "))
    }
}
