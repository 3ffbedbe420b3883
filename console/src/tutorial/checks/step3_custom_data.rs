//! Step 3, exercise 2: one hand-written update: redefine sum and convert every Data together.

use std::time::{Duration, Instant};

use moult_protocol::Snapshot;

use crate::tutorial::check::{Baseline, Check, Probe, class, function_version, live_at};
use crate::tutorial::exercise::Exercise;
use crate::tutorial::update_story::{Seen, Story, Subscription};

use super::step2_fibonacci::{lines_with_origin, plain_lines};

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step3-custom-data",
    step: 3,
    number: 2,
    title: "The return of the Data update",
    summary: "one hand-written update: redefine sum and convert every Data together",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &CustomDataCheck,
};

/// The app's class and hot function.
const CLASS: &str = "step3_custom_data::Data";
const SUM: &str = "step3_custom_data::sum";

/// Before and after, the lines as in step 2's Fibonacci exercise (the same
/// app). After, moreover: the agent reports `sum` and `Data` at version 1
/// or more and *no* live `Data` at version 0 (unlike step 2, where the old
/// `sum` could build one between two updates), and the event stream shows
/// one applied update that both redefined `sum` and gave `Data` its new
/// version.
pub struct CustomDataCheck;

impl Check for CustomDataCheck {
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String> {
        let events = Subscription::open(probe)?;
        plain_lines(probe)?;
        Ok(Box::new(events))
    }

    fn after(&self, probe: &Probe<'_>, baseline: Baseline) -> Result<String, String> {
        let events = baseline
            .downcast::<Subscription>()
            .map_err(|_| "the check lost its event subscription".to_string())?;
        let lines = lines_with_origin(probe)?;
        let snapshot = probe.snapshot()?;
        let sum_version = function_version(&snapshot, SUM)?;
        if sum_version == 0 {
            return Err("sum is still at version 0: your update's apply should redefine it".into());
        }
        let (version, live) = no_old_data(&snapshot)?;
        let story = events.story(Instant::now() + probe.patience())?;
        let update = judge(&story)?;
        Ok(format!(
            "the app prints {:?}; one update, {:?}, redefined sum (now at version {sum_version}) and \
             converted Data (version {version}, {live} instances, none left at version 0: no old sum \
             could build one in between, unlike step 2)",
            lines[0], update.name
        ))
    }
}

/// `Data`'s version and live instances, if none is left at version 0 and
/// no lazy conversion is pending; what is wrong otherwise.
fn no_old_data(snapshot: &Snapshot) -> Result<(u32, u64), String> {
    let class = class(snapshot, CLASS)?;
    if class.version == 0 {
        return Err(
            "class Data is still at version 0: your apply should give it a new version \
             (ctx.redefine_class) and convert its instances (ctx.update_to_class)"
                .into(),
        );
    }
    if class.pending_lazy > 0 {
        return Err(format!(
            "{} Data instances wait for a lazy conversion: convert every one during the apply",
            class.pending_lazy
        ));
    }
    let old: u64 = live_at(class, 0);
    if old > 0 {
        return Err(format!(
            "{old} Data instance(s) still at version 0: convert every instance \
             (data.instances()) in the same apply that redefines sum, with sum held still \
             (ctx.close_gate, then quiescence), so that no old sum builds one meanwhile"
        ));
    }
    let live = class.versions.iter().map(|v| v.live).sum();
    Ok((class.version, live))
}

/// The learner's one update, or why there is not one.
fn judge(story: &Story) -> Result<&Seen, String> {
    let dropped = story.dropped_note();
    let (Some(sum), Some(data)) = (story.redefined(SUM), story.converted(CLASS)) else {
        return Err(format!(
            "the event stream shows no applied update that redefined sum and one that gave Data \
             a new version{dropped}"
        ));
    };
    if sum.id != data.id {
        return Err(format!(
            "sum was redefined by {:?} and Data converted by {:?}: two updates, as in step 2. \
             This exercise asks for one update doing both in its apply{dropped}",
            sum.name, data.name
        ));
    }
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use moult_protocol::{EventKind, LifecycleStep, Outcome};

    use super::*;

    fn update(story: &mut Story, id: u64, function: bool, class: bool) {
        story.event(EventKind::Lifecycle {
            update: format!("u{id}"),
            id,
            step: LifecycleStep::Apply,
        });
        if function {
            story.event(EventKind::FunctionRedefined {
                function: SUM.into(),
                version: 1,
            });
        }
        if class {
            story.event(EventKind::ClassRedefined {
                class: CLASS.into(),
                version: 1,
                change: moult_protocol::ClassChange::EagerConversion,
            });
        }
        story.event(EventKind::UpdateDone {
            update: format!("u{id}"),
            id,
            outcome: Outcome::Applied,
        });
    }

    #[test]
    fn one_update_doing_both_passes_two_fail() {
        let mut one = Story::default();
        update(&mut one, 1, true, true);
        assert_eq!(judge(&one).unwrap().id, 1);
        let mut two = Story::default();
        update(&mut two, 1, false, true);
        update(&mut two, 2, true, false);
        let err = judge(&two).unwrap_err();
        assert!(err.contains("two updates"), "{err}");
    }
}
