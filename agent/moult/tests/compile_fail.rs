//! The hot-function macros refuse, at compile time and with a message saying
//! why, what one fn pointer cannot hold for every version; and the unsafe
//! constructor behind them cannot be called from safe code.

#[test]
fn hot_macros_refuse_what_a_fn_pointer_cannot_hold() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
