//! Fuzz target: bytes → one connection's request loop on a live runtime
//! (a hot function, a tracked class, a DSU thread, the agent started),
//! checked by [`moult_fuzz::check_dispatch`].
#![no_main]

use libfuzzer_sys::Corpus;

libfuzzer_sys::fuzz_target!(|data: &[u8]| -> Corpus {
    moult_fuzz::setup();
    if moult_fuzz::check_dispatch(data) {
        Corpus::Keep
    } else {
        Corpus::Reject
    }
});
