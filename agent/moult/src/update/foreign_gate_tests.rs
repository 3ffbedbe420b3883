//! `redefine` refuses a function whose entry gate another update holds
//! (issue #13, finding 8). One update runs at a time, so no manager can
//! produce this; the contexts here are built by hand, as a second manager
//! running beside the first would have.

use std::sync::Arc;

use super::UpdateContext;
use super::control::Control;
use crate::hot::{HotFn, erase};

fn original(x: u32) -> u32 {
    x + 1
}

fn foreign(x: u32) -> u32 {
    x + 1000
}

// SAFETY: the type is the fn-pointer type of the function erased.
static GATED: HotFn<fn(u32) -> u32> =
    unsafe { HotFn::new("unit::gated", || erase(original as fn(u32) -> u32)) };

#[test]
fn redefine_refuses_a_slot_gated_by_another_update() {
    let rt = crate::runtime();
    GATED.core(); // registers it (unit tests have no #[hot] inventory entry)
    let f = GATED.func().unwrap();
    let mut holder = UpdateContext::new(rt, 9_001, "holder".into(), Arc::new(Control::default()));
    let mut other = UpdateContext::new(rt, 9_002, "other".into(), Arc::new(Control::default()));
    holder.close_gate(f).unwrap();

    let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        other.redefine(f, foreign as fn(u32) -> u32)
    }));
    let message = crate::boundary::panic_message(refused.unwrap_err().as_ref());
    assert!(
        message.contains("cannot redefine unit::gated") && message.contains("held by update #9001"),
        "{message}"
    );
    assert!(f.current().is_none(), "the gate stays closed");
    assert_eq!(other.undo_steps(), 0, "nothing to roll back");

    holder.release_holds();
    assert_eq!(
        GATED.call(|g| g(1)),
        2,
        "the holder's gate opens on the original"
    );
    assert_eq!(f.version(), 0);
}
