//! The two timings of an update the lifecycle measures: how long it waited
//! for alterability, and how long it held the app (the held window,
//! BENCHMARKS.md: callers held from alterability reached to resume). Taken
//! with two `Instant`s on the manager thread; recorded after the release.

use std::time::{Duration, Instant};

/// An update's clock, started at its alterability step.
pub(crate) struct UpdateTiming {
    /// When the alterability step began.
    started: Instant,
    /// When alterability was reached and the app held, if it was.
    alterable: Option<Instant>,
}

impl UpdateTiming {
    /// Starts timing at the alterability step.
    pub(crate) fn start() -> UpdateTiming {
        UpdateTiming {
            started: Instant::now(),
            alterable: None,
        }
    }

    /// Alterability was reached: the held window begins.
    pub(crate) fn alterable(&mut self) {
        self.alterable = Some(Instant::now());
    }

    /// The app was released: records both timings of `update` (nothing if
    /// alterability was never reached).
    pub(crate) fn record(&self, update: &str) {
        let Some(alterable) = self.alterable else {
            return;
        };
        let held = alterable.elapsed();
        let waited: Duration = alterable.saturating_duration_since(self.started);
        super::update_metrics::timings(update, waited, held);
    }
}
