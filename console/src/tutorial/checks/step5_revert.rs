//! Step 5, exercise 1 (beyond Pymoult): a conversion that can be taken
//! back. The prices are converted to euros, then the check reverts the
//! update itself and expects every price back in cents, at its old amount.

use std::time::{Duration, Instant};

use moult_protocol::Outcome;

use crate::client::Client;
use crate::follow;
use crate::render;
use crate::tutorial::check::{Baseline, Check, Probe, class, live_at};
use crate::tutorial::exercise::Exercise;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step5-revert",
    step: 5,
    number: 1,
    title: "Taking an update back",
    summary: "convert every Price to euros, revertibly: a revert brings the cents back",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &RevertCheck,
};

/// Version 0's lines, in the order the app prints its prices.
const CENTS: [&str; 3] = ["1250 cents", "99 cents", "40000 cents"];

/// The converted lines.
const EUROS: [&str; 3] = ["12.50 EUR", "0.99 EUR", "400.00 EUR"];

/// Before: the three prices in cents. After: in euros, every instance at
/// the new version; then the check reverts the update and the three prices
/// must read in cents again, at the same amounts.
pub struct RevertCheck;

impl Check for RevertCheck {
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String> {
        probe.expect_line("`40000 cents`", |l| l == CENTS[2])?;
        Ok(Box::new(()))
    }

    fn after(&self, probe: &Probe<'_>, _: Baseline) -> Result<String, String> {
        expect_turn(probe, &EUROS, "in euros")?;
        let snapshot = probe.snapshot()?;
        let prices = class(&snapshot, "step5_revert::Price")?;
        if prices.version == 0 || live_at(prices, 0) > 0 {
            return Err(format!(
                "{} prices are still at version 0: every price should be converted when the update applies",
                live_at(prices, 0)
            ));
        }
        let version = prices.version;
        let mark = probe.output.mark();
        revert_newest(probe)?;
        expect_turn(
            &probe.from_mark(mark),
            &CENTS,
            "back in cents after the revert",
        )
        .map_err(|why| {
            format!("{why}\nThe revert ran: is the way down the exact inverse of the way up?")
        })?;
        Ok(format!(
            "the app printed {:?} at version {version}, then {:?} again once reverted",
            EUROS[0], CENTS[0]
        ))
    }
}

/// Waits for a turn starting with `want[0]` and checks its three lines.
fn expect_turn(probe: &Probe<'_>, want: &[&str; 3], what: &str) -> Result<(), String> {
    let first = probe.expect_line(&format!("`{}` (the prices {what})", want[0]), |l| {
        l == want[0]
    })?;
    let lines = probe.from_mark(first.seq).lines(3)?;
    if lines != want {
        return Err(format!(
            "the prices {what} should read {want:?}; the app printed {lines:?}"
        ));
    }
    Ok(())
}

/// Reverts the newest applied update through the agent, as `moult-console
/// revert` does; `Err` says, for a learner, why it did not revert.
fn revert_newest(probe: &Probe<'_>) -> Result<(), String> {
    let mut client = Client::open(&probe.socket)
        .map(|(client, _)| client)
        .map_err(|e| format!("cannot reach the app's agent: {e}"))?;
    client
        .subscribe()
        .map_err(|e| format!("cannot follow the revert: {e}"))?;
    let queued = client.revert(None).map_err(|e| {
        format!(
            "the update was applied but cannot be reverted: {e}. \
             A conversion is revertible only if it knows the way down."
        )
    })?;
    let deadline = Instant::now() + probe.patience() * 2;
    let report = follow::follow(&mut client, &queued, deadline, |_| {})
        .map_err(|e| format!("lost the agent while following the revert: {e}"))?;
    for followed in report.updates {
        match followed.outcome {
            Some(Outcome::Applied) => {}
            Some(outcome) => {
                return Err(format!(
                    "the revert did not apply: {}",
                    render::outcome(&outcome)
                ));
            }
            None => return Err("the revert did not end in time".into()),
        }
    }
    Ok(())
}
