//! The network side: the accept loop, one task per connection, and the
//! task that purges expired keys.
//!
//! A connection reads what the client sent into a buffer, runs every whole
//! command in it ([`parse_command`]), and writes all their replies
//! in one write: a pipelining client (redis-benchmark `-P 16`) gets its 16
//! replies together.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::commands::execute;
use crate::keyspace::Keyspace;
use crate::reply::Reply;
use crate::resp::{Parsed, parse_command};

/// How often the purge task looks for expired keys.
pub const PURGE_EVERY: Duration = Duration::from_millis(100);

/// How much one read asks for.
const READ_CHUNK: usize = 16 * 1024;

/// Accepts connections forever, each served by its own task.
pub async fn serve(listener: TcpListener, db: Arc<Keyspace>) -> io::Result<()> {
    loop {
        let (socket, _) = listener.accept().await?;
        let _ = socket.set_nodelay(true);
        spawn_connection(connection(socket, db.clone()));
    }
}

/// Starts a connection's task. The one place connection tasks are spawned:
/// when moult's named tasks land, this becomes
/// `moult::task::spawn("conn", conn)`.
pub fn spawn_connection(conn: impl Future<Output = ()> + Send + 'static) {
    tokio::spawn(conn);
}

/// Starts the task that removes expired keys every [`PURGE_EVERY`].
pub fn spawn_purge(db: Arc<Keyspace>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PURGE_EVERY);
        loop {
            tick.tick().await;
            db.purge_expired(Instant::now());
        }
    });
}

/// Serves one client until it closes, sends QUIT, or breaks the protocol.
async fn connection(mut socket: TcpStream, db: Arc<Keyspace>) {
    let mut input: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let mut output: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let mut chunk = vec![0u8; READ_CHUNK];
    loop {
        let n = match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        input.extend_from_slice(&chunk[..n]);
        let (used, open) = run_commands(&db, &input, &mut output);
        input.drain(..used);
        if !output.is_empty() {
            if socket.write_all(&output).await.is_err() {
                return;
            }
            output.clear();
        }
        if !open {
            return;
        }
    }
}

/// Runs every whole command at the start of `input`, appending the replies
/// to `output`. Returns how many bytes were used, and `false` if the
/// connection must close (QUIT, or a protocol error, answered first).
pub fn run_commands(db: &Keyspace, input: &[u8], output: &mut Vec<u8>) -> (usize, bool) {
    let mut used = 0;
    loop {
        match parse_command(&input[used..]) {
            Ok(Parsed::Incomplete) => return (used, true),
            Ok(Parsed::Skip(n)) => used += n,
            Ok(Parsed::Command(args, n)) => {
                used += n;
                if args[0].eq_ignore_ascii_case(b"QUIT") {
                    Reply::OK.write_to(output);
                    return (used, false);
                }
                execute(db, &args).write_to(output);
            }
            Err(e) => {
                Reply::err(format_args!("Protocol error: {e}")).write_to(output);
                return (input.len(), false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipelined_and_partial_input() {
        let db = Keyspace::new();
        let mut out = Vec::new();
        let input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$3\r\nGE";
        let (used, open) = run_commands(&db, input, &mut out);
        assert!(open);
        assert_eq!(&input[used..], b"*2\r\n$3\r\nGE");
        assert_eq!(out, b"+OK\r\n$1\r\nv\r\n");
    }

    #[test]
    fn quit_and_protocol_errors_close() {
        let db = Keyspace::new();
        let mut out = Vec::new();
        assert_eq!(
            run_commands(&db, b"PING\r\nQUIT\r\nPING\r\n", &mut out),
            (12, false)
        );
        assert_eq!(out, b"+PONG\r\n+OK\r\n");
        out.clear();
        let (_, open) = run_commands(&db, b"*1\r\n+x\r\n", &mut out);
        assert!(!open);
        assert!(out.starts_with(b"-ERR Protocol error"));
    }
}
