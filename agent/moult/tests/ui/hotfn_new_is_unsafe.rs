// `HotFn::new` trusts its caller that `F` is a fn-pointer type: safe code
// must not be able to build a `HotFn<&u64>` over a bogus pointer and call it.
static BOGUS: moult::HotFn<&'static u64> =
    moult::HotFn::new("bogus", || 0x10 as *mut ());

fn main() {
    let _ = BOGUS.call(|r| *r);
}
