//! One check per exercise, each beside its catalog entry (`EXERCISE`
//! statics), in tutorial order.

pub mod step1_data;
pub mod step1_hello;
pub mod step1_tictoc;
pub mod step2_fibonacci;
pub mod step2_series;
pub mod step3_clock;
pub mod step3_custom_data;
pub mod step3_custom_hello;
pub mod step3_reboot;
pub mod step4_simultaneous;
pub mod step4_webserver;
pub mod step5_async_kv;
pub mod step5_revert;
