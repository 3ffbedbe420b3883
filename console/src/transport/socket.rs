//! The agent's local socket as a [`Transport`].

use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use interprocess::local_socket::{GenericFilePath, Stream, prelude::*};

use super::Transport;
use crate::remote::RemoteError;

/// A connected local socket, shared by the writer and the reader thread
/// (which reads through `&Stream`).
pub struct SocketTransport {
    /// The connection.
    stream: Arc<Stream>,
    /// The reading half was handed out.
    reader_taken: bool,
}

impl SocketTransport {
    /// Connects to the agent socket at `socket`.
    pub fn connect(socket: &Path) -> io::Result<SocketTransport> {
        let name = socket.to_fs_name::<GenericFilePath>()?;
        Ok(SocketTransport {
            stream: Arc::new(Stream::connect(name)?),
            reader_taken: false,
        })
    }
}

impl Transport for SocketTransport {
    fn take_reader(&mut self) -> Option<Box<dyn Read + Send>> {
        if std::mem::replace(&mut self.reader_taken, true) {
            return None;
        }
        Some(Box::new(SharedStream(Arc::clone(&self.stream))))
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        (&*self.stream).write_all(bytes)
    }

    fn end_error(&mut self) -> Option<RemoteError> {
        None
    }

    fn idle_limit(&self) -> Option<Duration> {
        None
    }

    fn peer(&self) -> String {
        "the local agent".into()
    }

    fn close(&mut self) {
        // The only kind of local socket on Unix; other platforms are not supported.
        let Stream::UdSocket(socket) = &*self.stream;
        let _ = socket.inner().shutdown(std::net::Shutdown::Both);
    }
}

/// `Read` through the shared stream (`&Stream` reads).
struct SharedStream(Arc<Stream>);

impl Read for SharedStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.0).read(buf)
    }
}
