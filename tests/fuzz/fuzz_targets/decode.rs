//! Fuzz target: bytes → the agent's request framing and decoding
//! (`read_line`, `decode_request`, `request_id`), checked by
//! [`moult_fuzz::check_decode`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| moult_fuzz::check_decode(data));
