//! The accept loop: one thread taking connections, each served on its own
//! threads, with a cap on how many are open at once.

use std::io;
use std::path::{Path, PathBuf};
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

/// Why the agent's socket could not be opened. Each message says what to
/// do; the OS's error stays reachable as the source.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// The path cannot name a local socket (too long, a NUL byte).
    #[error(
        "the socket path {} is not usable: {source}; set {} to a shorter directory of your own",
        socket.display(),
        moult_protocol::discovery::DIR_ENV
    )]
    BadPath {
        /// The socket path, to say which.
        socket: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// Binding failed (the directory is not writable, or gone).
    #[error(
        "cannot listen on {}: {source}; check that its directory exists and is writable by this process, or set {} to a directory of your own",
        socket.display(),
        moult_protocol::discovery::DIR_ENV
    )]
    Bind {
        /// The socket path, to say which.
        socket: PathBuf,
        /// What the OS said (its kind tells a permission from a missing directory).
        #[source]
        source: io::Error,
    },
    /// The accept thread could not be started.
    #[error("cannot start the agent thread: {source}; check the process's thread limit")]
    Thread {
        /// What the OS said.
        #[source]
        source: io::Error,
    },
}

/// Binds `socket` (mode `0600`, replacing a stale file of the same pid) and
/// starts the accept thread.
pub(crate) fn start(socket: &Path) -> Result<(), ListenError> {
    let _ = std::fs::remove_file(socket); // a dead process of the same pid
    let name = socket
        .to_fs_name::<GenericFilePath>()
        .map_err(|source| ListenError::BadPath {
            socket: socket.to_path_buf(),
            source,
        })?;
    let listener = ListenerOptions::new()
        .name(name)
        .mode(0o600)
        .create_sync()
        .map_err(|source| ListenError::Bind {
            socket: socket.to_path_buf(),
            source,
        })?;
    std::thread::Builder::new()
        .name("moult-agent".into())
        .spawn(move || {
            crate::library::prepare_copies_dir();
            accept_loop(&listener)
        })
        .map_err(|source| ListenError::Thread { source })?;
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

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "Miri: real sockets")]
    fn a_socket_in_a_missing_directory_keeps_the_os_error_kind() {
        let socket = std::env::temp_dir()
            .join(format!("moult-no-such-dir-{}", std::process::id()))
            .join("1.sock");
        let err = start(&socket).unwrap_err();
        assert!(matches!(err, ListenError::Bind { .. }), "{err}");
        let kind = err
            .source()
            .and_then(|s| s.downcast_ref::<io::Error>())
            .map(io::Error::kind);
        assert_eq!(kind, Some(io::ErrorKind::NotFound), "{err}");
        assert!(err.to_string().starts_with("cannot listen on"), "{err}");
    }
}
