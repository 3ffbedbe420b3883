//! Solution of tutorial step 4, exercise 1: the shared variable of
//! `step4-simultaneous` changes format (it also stores when it was written),
//! DynamOS's way, in three updates the manager runs in order:
//!
//! 1. **`interm`** redefines `write_shared` and `read_shared` together, once
//!    both are quiescent, to intermediate versions that handle both formats
//!    and choose by the flag `NEW_FORMAT` (still `false`: they behave as
//!    version 0). Once applied, no version-0 code runs any more: its last
//!    activations drained before the swap, and every later call enters an
//!    intermediate version.
//! 2. **`flip`**, which requires `interm` applied, converts the stored value
//!    to the new format and sets the flag, in one critical section under the
//!    variable's lock. The intermediate versions read the flag under the same
//!    lock, so none sees the new format with the flag down or the reverse.
//! 3. **`final`**, which requires `flip` applied, redefines both functions
//!    to the new-format-only versions.
//!
//! The version-0 reader would panic on the new format; it never meets it,
//! because the new format exists only after `flip`, which waits for
//! `interm`, after which no version-0 reader runs.
//!
//! Before: `wrote 7` / `read 7`. After: `wrote 7 at 09:14:03.512 UTC` /
//! `read 7 written at 09:14:03.512 UTC`.

use std::any::Any;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use moult::{Alterability, Func, Requirements, ThreadFilter, Update, UpdateContext, UpdateError};
use step4_simultaneous::lock;

/// The new format of the shared variable.
pub struct Stamped {
    /// The value, as before.
    pub value: u64,
    /// When it was written.
    pub written: SystemTime,
}

/// DynamOS's flag: `true` once the variable holds the new format.
///
/// A static of *this* library (docs/ARCHITECTURE.md, fact 1: the app's statics, and this
/// library's, are separate copies). That is what is wanted: the only code
/// that reads it is the intermediate versions below, and the only code that
/// writes it is the `flip` update below, all in this library, all sharing
/// this one copy. It changes only under the variable's lock, which orders
/// every access, hence `Relaxed`.
static NEW_FORMAT: AtomicBool = AtomicBool::new(false);

/// `t` as the time of day, `HH:MM:SS.mmm UTC`.
pub fn time_of_day(t: SystemTime) -> String {
    let ms = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis()) % 86_400_000;
    format!(
        "{:02}:{:02}:{:02}.{:03} UTC",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// Version 0's write, on the locked variable.
fn write_old(cell: &mut Box<dyn Any + Send>, value: u64) {
    *cell = Box::new(value);
    println!("wrote {value}");
}

/// The new write, on the locked variable: the value and the time.
fn write_new(cell: &mut Box<dyn Any + Send>, value: u64) {
    let written = SystemTime::now();
    *cell = Box::new(Stamped { value, written });
    println!("wrote {value} at {}", time_of_day(written));
}

/// Version 0's read, on the locked variable.
fn read_old(cell: &dyn Any) {
    let value = cell
        .downcast_ref::<u64>()
        .expect("the flag is down: the shared variable holds a plain u64");
    println!("read {value}");
}

/// The new read, on the locked variable.
fn read_new(cell: &dyn Any) {
    let new = cell
        .downcast_ref::<Stamped>()
        .expect("the flag is up: the shared variable holds a Stamped");
    println!("read {} written at {}", new.value, time_of_day(new.written));
}

/// Intermediate `write_shared`: the old or the new write, as the flag says.
pub fn write_shared_interm(value: u64) {
    let mut cell = lock();
    if NEW_FORMAT.load(Ordering::Relaxed) {
        write_new(&mut cell, value);
    } else {
        write_old(&mut cell, value);
    }
}

/// Intermediate `read_shared`: the old or the new read, as the flag says.
pub fn read_shared_interm() {
    let cell = lock();
    if NEW_FORMAT.load(Ordering::Relaxed) {
        read_new(cell.as_ref());
    } else {
        read_old(cell.as_ref());
    }
}

/// Final `write_shared`: the new format only.
pub fn write_shared_v2(value: u64) {
    write_new(&mut lock(), value);
}

/// Final `read_shared`: the new format only.
pub fn read_shared_v2() {
    read_new(lock().as_ref());
}

/// Redefines both functions at once, when neither runs (steps 1 and 3).
pub struct RedefineBoth {
    /// `interm` or `final`.
    name: &'static str,
    /// The update that must be applied first, if any.
    after: Option<&'static str>,
    /// The app's `write_shared`.
    write: Func<fn(u64)>,
    /// Its new version.
    new_write: fn(u64),
    /// The app's `read_shared`.
    read: Func<fn()>,
    /// Its new version.
    new_read: fn(),
}

impl Update for RedefineBoth {
    fn name(&self) -> &str {
        self.name
    }

    fn check_requirements(&mut self, ctx: &mut UpdateContext) -> Requirements {
        match self.after {
            Some(first) if !ctx.is_applied(first) => {
                Requirements::No(format!("waits for update {first}"))
            }
            _ => Requirements::Yes,
        }
    }

    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        // Hold new callers at both entry gates, then wait for the running
        // calls to drain (Pymoult's force quiescence, for two functions).
        if let Err(e) = ctx
            .close_gate(self.write)
            .and_then(|()| ctx.close_gate(self.read))
        {
            return Alterability::Blocked(vec![moult::protocol::Blocker {
                thread: String::new(),
                function: None,
                depth: 0,
                detail: e.to_string(),
            }]);
        }
        let mut blockers = ctx.quiescence(self.write, &ThreadFilter::All);
        blockers.extend(ctx.quiescence(self.read, &ThreadFilter::All));
        Alterability::from_blockers(blockers)
    }

    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.redefine(self.write, self.new_write);
        ctx.redefine(self.read, self.new_read);
        Ok(())
    }
}

/// Step 2: converts the variable and raises the flag, under its lock.
pub struct Flip;

impl Update for Flip {
    fn name(&self) -> &str {
        "flip"
    }

    fn check_requirements(&mut self, ctx: &mut UpdateContext) -> Requirements {
        if ctx.is_applied("interm") {
            Requirements::Yes
        } else {
            Requirements::No("waits for update interm".into())
        }
    }

    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let mut cell = lock();
        let Some(&value) = cell.downcast_ref::<u64>() else {
            return Err(UpdateError::Failed(
                "the shared variable does not hold a plain u64".into(),
            ));
        };
        *cell = Box::new(Stamped {
            value,
            written: SystemTime::now(),
        });
        NEW_FORMAT.store(true, Ordering::Relaxed);
        drop(cell);
        ctx.log(format!("shared value {value} converted; the flag is up"));
        ctx.on_rollback(move |_| {
            let mut cell = lock();
            *cell = Box::new(value);
            NEW_FORMAT.store(false, Ordering::Relaxed);
            format!("shared value back to the plain {value}; the flag is down")
        });
        Ok(())
    }
}

/// The library's entry: the three steps, in order (each also waits for the
/// previous one through its requirements, should one be postponed).
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    let write = moult::hot_fn!(step4_simultaneous::write_shared)?;
    let read = moult::hot_fn!(step4_simultaneous::read_shared)?;
    Ok(vec![
        Box::new(RedefineBoth {
            name: "interm",
            after: None,
            write,
            new_write: write_shared_interm,
            read,
            new_read: read_shared_interm,
        }),
        Box::new(Flip),
        Box::new(RedefineBoth {
            name: "final",
            after: Some("flip"),
            write,
            new_write: write_shared_v2,
            read,
            new_read: read_shared_v2,
        }),
    ])
}
