//! moult in the app's own telemetry: update events as `tracing` events and
//! moult's figures through the `metrics` facade. Both behind features that
//! are off by default (`tracing`, `metrics`); without them nothing of this
//! module but no-op stand-ins is compiled.
//!
//! ```toml
//! moult = { version = "0.1", features = ["tracing", "metrics"] }
//! ```
//!
//! Then the app installs a subscriber and a recorder as it would for its own
//! logs and metrics (`tracing_subscriber::fmt::init()`,
//! `metrics_exporter_prometheus::PrometheusBuilder::new().install()`); moult
//! installs neither. With none installed, nothing is emitted.
//!
//! - **`tracing`** (`tracing_events.rs`): every event of the runtime's event
//!   stream, on target `moult`, with structured fields (`update`, `id`,
//!   `step`, `outcome`, `thread`, `function`, …).
//! - **`metrics`**: update outcomes and reverts as counters, the time to
//!   alterability and the held window as histograms (`update_metrics.rs`);
//!   calls and panics per function version and live instances per class
//!   version (`figures.rs`), read from the counters moult keeps anyway and
//!   published by the agent's `moult-metrics` thread every second and after
//!   each update, or by `publish_figures()`. A hot call does no metrics work.
//!
//! The app's copy of moult installs the observer on the runtime's event bus
//! when it creates the runtime, so events emitted by an update library's
//! copy (built with or without these features) reach the app's subscriber
//! and recorder. Proof: `tests/tests/observe_library.rs`.

#[cfg(feature = "metrics")]
mod figures;
#[cfg(feature = "tracing")]
#[cfg(feature = "tracing")]
mod tracing_events;
#[cfg(feature = "metrics")]
mod update_metrics;
#[cfg(feature = "metrics")]
mod update_timing;

#[cfg(feature = "metrics")]
pub use figures::publish_figures;
#[cfg(feature = "metrics")]
pub(crate) use update_timing::UpdateTiming;

/// Stand-in when the `metrics` feature is off: measures nothing.
#[cfg(not(feature = "metrics"))]
pub(crate) struct UpdateTiming;

#[cfg(not(feature = "metrics"))]
impl UpdateTiming {
    /// Nothing to start.
    #[inline(always)]
    pub(crate) fn start() -> UpdateTiming {
        UpdateTiming
    }

    /// Nothing to mark.
    #[inline(always)]
    pub(crate) fn alterable(&mut self) {}

    /// Nothing to record.
    #[inline(always)]
    pub(crate) fn record(&self, _update: &str) {}
}

/// Makes every event of `events` reach the app's `tracing` and `metrics`
/// (called once, by the copy of moult that creates the runtime: the app's).
pub(crate) fn install(events: &crate::EventBus) {
    #[cfg(any(feature = "tracing", feature = "metrics"))]
    events.set_observer(observe);
    #[cfg(not(any(feature = "tracing", feature = "metrics")))]
    let _ = events;
}

/// Starts publishing figures on the agent's own thread (called by
/// `agent::start`; nothing without the `metrics` feature).
pub(crate) fn start_publisher() {
    #[cfg(feature = "metrics")]
    figures::start_publisher();
}

/// The observer: one event to `tracing`, then to `metrics`.
#[cfg(any(feature = "tracing", feature = "metrics"))]
fn observe(event: &moult_protocol::Event) {
    // A subscriber or recorder is the app's code, and the emitting code may
    // be an update library's copy: a panic must not unwind into it
    // (docs/ARCHITECTURE.md, fact 8). This copy's std raised it; it catches it.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        #[cfg(feature = "tracing")]
        tracing_events::emit(event);
        #[cfg(feature = "metrics")]
        update_metrics::count(event);
    }));
}
