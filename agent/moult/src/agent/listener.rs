//! The accept loop: one thread taking connections, each served on its own
//! threads, with a cap on how many are open at once.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use interprocess::local_socket::prelude::*;
use interprocess::local_socket::{GenericFilePath, ListenerOptions, Stream};
use interprocess::os::unix::local_socket::ListenerOptionsExt;
use moult_protocol::{ErrorCode, ProtocolError, ServerMessage};

use super::connection;
use super::counters::OPEN;

/// Connections served at once at most; more are told to retry later.
pub(crate) const MAX_CONNECTIONS: usize = 64;

/// Binds `socket` (mode `0600`, replacing a stale file of the same pid) and
/// starts the accept thread.
pub(crate) fn start(socket: &Path) -> Result<(), String> {
    let _ = std::fs::remove_file(socket); // a dead process of the same pid
    let name = socket
        .to_fs_name::<GenericFilePath>()
        .map_err(|e| format!("bad socket path {}: {e}", socket.display()))?;
    let listener = ListenerOptions::new()
        .name(name)
        .mode(0o600)
        .create_sync()
        .map_err(|e| format!("cannot listen on {}: {e}", socket.display()))?;
    std::thread::Builder::new()
        .name("moult-agent".into())
        .spawn(move || accept_loop(&listener))
        .map_err(|e| format!("cannot start the agent thread: {e}"))?;
    Ok(())
}

fn accept_loop(listener: &LocalSocketListener) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    for conn in listener.incoming() {
        let stream = match conn {
            Ok(s) => s,
            Err(_) => {
                // Out of descriptors or similar: back off, keep serving.
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if OPEN.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
            OPEN.fetch_sub(1, Ordering::AcqRel);
            refuse_busy(&stream);
            continue;
        }
        let name = format!("moult-conn-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let spawned = std::thread::Builder::new()
            .name(name.clone())
            .spawn(move || {
                connection::serve(stream, &name);
                OPEN.fetch_sub(1, Ordering::AcqRel);
            });
        if spawned.is_err() {
            OPEN.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

fn refuse_busy(stream: &Stream) {
    use std::io::Write;
    let _ = stream.set_send_timeout(Some(Duration::from_millis(200)));
    let msg = ServerMessage::Error {
        id: None,
        error: ProtocolError::new(
            ErrorCode::Busy,
            format!("the agent already serves {MAX_CONNECTIONS} connections; close one and retry"),
        ),
    };
    if let Ok(mut line) = serde_json::to_string(&msg) {
        line.push('\n');
        let _ = (&*stream).write_all(line.as_bytes());
    }
    connection::shutdown(stream);
}
