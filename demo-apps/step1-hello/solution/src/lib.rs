//! Solution of tutorial step 1, exercise 1: `step1_hello::hello` becomes
//! [`hello_v2`], swapped by a safe redefine (Pymoult's `SafeRedefineUpdate`)
//! once no call of `hello` is running.
//!
//! Before: `hello world` every 2 s. After: `hello moult`.

use moult::update::SafeRedefine;
use moult::{Update, UpdateError};

/// The new version of `hello`: same signature, new greeting.
pub fn hello_v2() {
    println!("hello moult");
}

/// The library's entry: one safe redefine of the app's `hello`.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // The app's registered function, checked to have the type `fn()`.
    let hello = moult::hot_fn!(step1_hello::hello)?;
    Ok(vec![Box::new(SafeRedefine::new(hello, hello_v2 as fn()))])
}
