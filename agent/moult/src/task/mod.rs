//! Tasks: named async tasks with update points, parked and rebooted by
//! updates as DSU threads are — the task waits at its point, not its
//! thread, and a reboot drops its future (destructors run) and starts the
//! group's new main with the state the old one handed over.
//!
//! ```ignore
//! moult::task::spawn("conn", serve(socket));           // feature `tokio`
//! async fn serve(mut socket: TcpStream) {
//!     loop {
//!         let n = moult::task::at_point(&"idle", socket.read(&mut buf)).await;
//!         // ..
//!         moult::update_point!("between requests").await;
//!     }
//! }
//! ```
//!
//! Tasks are counted per group, so waiting for hundreds of connection
//! tasks costs two counter reads an attempt. The task being polled is found
//! through the runtime (the thread's table), so update points compiled in
//! an update library see it too.

mod group;
mod main_fn;
mod park;
mod point;
mod reboot;
mod root;

pub use crate::handover::Handover;
pub(crate) use group::{TaskRecord, TaskRegistry};
pub use main_fn::TaskMain;
pub use point::{AtPoint, UpdatePoint, at_point, point_with};
pub use reboot::TaskReboot;
pub use root::{Root, root, root_main};
#[cfg(feature = "tokio")]
pub use root::{spawn, spawn_main};
