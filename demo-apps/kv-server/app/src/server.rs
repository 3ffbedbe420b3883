//! The network side: the accept loop, one task per connection, and the
//! task that purges expired keys.
//!
//! Both are moult tasks ([`moult::task::spawn`]), so an update can park
//! them at their update points or reboot them onto a new main. A
//! connection reads what the client sent into a buffer — counted as being
//! at its point `idle` while the read waits, so an idle client never holds
//! an update up — runs every whole command in it ([`parse_command`]),
//! writes all their replies in one write (a pipelining client,
//! redis-benchmark `-P 16`, gets its 16 replies together), and passes its
//! point `between requests`: free when no update asks anything.

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

/// The task group of connections (one task per client).
pub const CONN_GROUP: &str = "conn";

/// The task group of the purger (one task).
pub const PURGE_GROUP: &str = "purge";

/// How much one read asks for.
const READ_CHUNK: usize = 16 * 1024;

/// Accepts connections forever, each served by its own task of the group
/// [`CONN_GROUP`].
pub async fn serve(listener: TcpListener, db: Arc<Keyspace>) -> io::Result<()> {
    loop {
        let (socket, _) = listener.accept().await?;
        let _ = socket.set_nodelay(true);
        moult::task::spawn(CONN_GROUP, connection(socket, db.clone()));
    }
}

/// Starts the task (group [`PURGE_GROUP`]) that removes expired keys every
/// [`PURGE_EVERY`]; it waits for its tick at the point `purge wait` and
/// passes the point `purged` after each sweep.
pub fn spawn_purge(db: Arc<Keyspace>) {
    moult::task::spawn(PURGE_GROUP, async move {
        let mut tick = tokio::time::interval(PURGE_EVERY);
        loop {
            moult::task::at_point(&"purge wait", tick.tick()).await;
            db.purge_expired(Instant::now());
            moult::update_point!("purged").await;
        }
    });
}

/// Serves one client until it closes, sends QUIT, or breaks the protocol.
async fn connection(mut socket: TcpStream, db: Arc<Keyspace>) {
    let mut input: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let mut output: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let mut chunk = vec![0u8; READ_CHUNK];
    loop {
        let n = match moult::task::at_point(&"idle", socket.read(&mut chunk)).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        input.extend_from_slice(&chunk[..n]);
        let (used, open) = run_commands(&db, &input, &mut output).await;
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
        moult::update_point!("between requests").await;
    }
}

/// Runs every whole command at the start of `input`, appending the replies
/// to `output`. Returns how many bytes were used, and `false` if the
/// connection must close (QUIT, or a protocol error, answered first).
pub async fn run_commands(db: &Keyspace, input: &[u8], output: &mut Vec<u8>) -> (usize, bool) {
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
                execute(db, &args).await.write_to(output);
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
    use crate::commands::block_on;

    #[test]
    fn pipelined_and_partial_input() {
        let db = Keyspace::new();
        let mut out = Vec::new();
        let input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$3\r\nGE";
        let (used, open) = block_on(run_commands(&db, input, &mut out));
        assert!(open);
        assert_eq!(&input[used..], b"*2\r\n$3\r\nGE");
        assert_eq!(out, b"+OK\r\n$1\r\nv\r\n");
    }

    #[test]
    fn quit_and_protocol_errors_close() {
        let db = Keyspace::new();
        let mut out = Vec::new();
        assert_eq!(
            block_on(run_commands(&db, b"PING\r\nQUIT\r\nPING\r\n", &mut out)),
            (12, false)
        );
        assert_eq!(out, b"+PONG\r\n+OK\r\n");
        out.clear();
        let (_, open) = block_on(run_commands(&db, b"*1\r\n+x\r\n", &mut out));
        assert!(!open);
        assert!(out.starts_with(b"-ERR Protocol error"));
    }
}
