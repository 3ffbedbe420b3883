//! Solution of tutorial step 3, exercise 1: a hand-written update type,
//! [`CustomUpdate`], that does by hand what `moult::update::SafeRedefine`
//! does for you — hold new callers of `step3_custom_hello::hello`, wait until
//! no call of it is running, swap it — and says when the app resumed.
//!
//! Before: `hello world` every 2 s. After: `hello again`, and the event
//! stream (the console's event log, or `moult-console apply` as it follows
//! the update) shows the resume hook's line.

use moult::{Alterability, Func, ThreadFilter, Update, UpdateContext, UpdateError};

/// What the resume hook logs.
pub const RESUMED: &str = "custom hello: the app resumed with the new hello";

/// The new version of `hello`: same signature, new greeting.
pub fn hello_v2() {
    println!("hello again");
}

/// Pymoult's `CustomUpdate`: redefines `hello` once it is quiescent.
pub struct CustomUpdate {
    /// The app's hot function, resolved once when the library is loaded.
    hello: Func<fn()>,
}

impl Update for CustomUpdate {
    fn name(&self) -> &str {
        "custom hello"
    }

    /// Closes `hello`'s entry gate: new callers wait at its entry until the
    /// app resumes, so once no call is running, none can start before
    /// `apply` swapped it. (The manager reopens the gate if the update
    /// fails or is postponed.)
    fn preupdate_setup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.close_gate(self.hello)
    }

    /// Alterable when no call of `hello` runs, on any thread.
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        Alterability::from_blockers(ctx.quiescence(self.hello, &ThreadFilter::All))
    }

    /// Installs [`hello_v2`]: callers held at the gate get it when the app
    /// resumes.
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.redefine(self.hello, hello_v2 as fn());
        Ok(())
    }

    /// The gate is open again: says so on the event stream.
    fn resume_hook(&mut self, ctx: &mut UpdateContext) {
        ctx.log(RESUMED);
    }
}

/// The library's entry: one `CustomUpdate`.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    let hello = moult::hot_fn!(step3_custom_hello::hello)?;
    Ok(vec![Box::new(CustomUpdate { hello })])
}
