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
        // TODO(learner) (optional, recommended): hold new callers of hello at
        // its entry until the app resumes, so that quiescence, once seen,
        // lasts until `apply` ran:
        //     ctx.close_gate(self.hello)
        Ok(())
    }

    fn check_alterability(&mut self, _ctx: &mut UpdateContext) -> Alterability {
        // TODO(learner): ready only when no call of hello is running:
        //     Alterability::from_blockers(ctx.quiescence(self.hello, &moult::ThreadFilter::All))
        Alterability::Ready
    }

    fn apply(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        // TODO(learner): redefine hello:
        //     ctx.redefine(self.hello, hello_v2 as fn());
        Ok(())
    }

    fn resume_hook(&mut self, _ctx: &mut UpdateContext) {
        // TODO(learner): report that the app resumed, on the event stream:
        //     ctx.log("…");
    }
}

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): build your update and return it, boxed:
    //     let hello = moult::hot_fn!(step3_custom_hello::hello)?;
    //     Ok(vec![Box::new(CustomUpdate { hello })])
    Ok(vec![])
}
