//! Tutorial step 3, exercise 1 — the update crate you complete.
//!
//! Goal: the running `step3-custom-hello` app prints `hello <something
//! else>` instead of `hello world`, as in step 1 — but through an update type
//! you write yourself, [`CustomUpdate`], instead of the ready-made
//! `SafeRedefine`. Fill in its hooks (Pymoult's custom `Update` class):
//!
//! - `check_alterability`: ready when no call of `hello` is running;
//! - `apply`: redefine `hello` to [`hello_v2`];
//! - `resume_hook`: say on the event stream that the app resumed.
//!
//! Build this crate (`cargo build -p step3-custom-hello-starter`) and apply
//! it to the running app:
//! `moult-console apply <pid> target/debug/libstep3_custom_hello_starter.so`.
//!
//! As given, it compiles and changes nothing: its entry returns no update.
//!
//! What to read: the trait [`moult::Update`] (its hooks and the order the
//! manager calls them in), [`moult::UpdateContext`] (what a hook may ask of
//! the runtime: entry gates, quiescence, redefining, logging) and
//! [`moult::Alterability`]; "Alterability: what safe means" in
//! `docs/ARCHITECTURE.md`. Stuck? `moult-console hint step3-custom-hello`,
//! or `h` in the tutorial.

use moult::{Alterability, Func, Update, UpdateContext, UpdateError};

/// The new version of `step3_custom_hello::hello`: same signature (`fn()`).
pub fn hello_v2() {
    // TODO(learner): print `hello <something else>`.
    println!("hello world");
}

/// Your update type.
pub struct CustomUpdate {
    /// The app's hot function (from `moult::hot_fn!`).
    pub hello: Func<fn()>,
}

impl Update for CustomUpdate {
    fn name(&self) -> &str {
        "custom hello"
    }

    fn preupdate_setup(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        // TODO(learner) (optional, recommended): make sure that once no call
        // of hello runs, none starts before `apply` ran.
        Ok(())
    }

    fn check_alterability(&mut self, _ctx: &mut UpdateContext) -> Alterability {
        // TODO(learner): ready only when no call of hello is running, on
        // any thread; otherwise say what blocks.
        Alterability::Ready
    }

    fn apply(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        // TODO(learner): make hello run `hello_v2`.
        Ok(())
    }

    fn resume_hook(&mut self, _ctx: &mut UpdateContext) {
        // TODO(learner): say on the event stream that the app resumed.
    }
}

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return your update, built on the app's hot function.
    Ok(vec![])
}
