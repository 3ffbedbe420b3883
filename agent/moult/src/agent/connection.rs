//! One client connection: its reader (requests in), its writer (lines out,
//! through a bounded queue) and, once subscribed, its event pump.
//!
//! Each connection has its own threads, so a client that stops reading
//! stalls nobody but itself: its queue fills, its pump drops it, and a
//! write that cannot progress for [`SEND_TIMEOUT`] closes it.

use std::io::{BufRead, BufReader, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use interprocess::local_socket::Stream;
use interprocess::local_socket::prelude::*;
use moult_protocol::{
    ErrorCode, MAX_REQUEST_BYTES, ProtocolError, ServerMessage, decode_request, read_line,
    request_id,
};

use super::counters::DROPPED_SUBSCRIBERS;
use super::dispatch::{self, After};
use super::outbox::{Line, Outbox, Shared, encode};

/// Lines waiting to be written to one client, at most.
pub(crate) const QUEUE_LINES: usize = 256;
/// A write that cannot progress this long closes the connection.
pub(crate) const SEND_TIMEOUT: Duration = Duration::from_secs(5);
/// A connection that sends nothing for this long, and is not subscribed, is closed.
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// Serves one accepted connection until it closes. Runs on its own thread.
pub(crate) fn serve(stream: Stream, name: &str) {
    if let Err(refusal) = check_peer(&stream) {
        let _ = stream.set_send_timeout(Some(Duration::from_secs(1)));
        let msg = ServerMessage::Error {
            id: None,
            error: refusal,
        };
        let _ = (&stream).write_all(encode(&msg).as_bytes());
        shutdown(&stream);
        return;
    }
    let _ = stream.set_send_timeout(Some(SEND_TIMEOUT));
    let _ = stream.set_recv_timeout(Some(IDLE_TIMEOUT));
    let shared = Arc::new(Shared::new(stream));
    let (tx, rx) = std::sync::mpsc::sync_channel(QUEUE_LINES);
    let writer = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name(format!("{name}-w"))
            .spawn(move || write_loop(&shared, &rx))
    };
    let Ok(writer) = writer else {
        shutdown(&shared.stream);
        return;
    };
    let outbox = Outbox {
        tx,
        shared: shared.clone(),
    };
    read_loop(&mut BufReader::new(&shared.stream), &outbox, name);
    shared.closed.store(true, Ordering::Release);
    drop(outbox); // the writer drains what is queued, then ends
    let _ = writer.join();
    shutdown(&shared.stream);
}

/// Reads request lines from `reader` and queues one reply each on `outbox`,
/// until the stream ends, the connection closes, or a request closes it.
fn read_loop(reader: &mut impl BufRead, outbox: &Outbox, name: &str) {
    let shared = &outbox.shared;
    loop {
        if shared.closed.load(Ordering::Acquire) {
            return;
        }
        let line = match read_line(reader, MAX_REQUEST_BYTES) {
            Ok(None) => return, // end of stream (a partial last line is dropped)
            Ok(Some(line)) => line,
            Err(e) if is_timeout(&e) => {
                if shared.subscribed.load(Ordering::Acquire) {
                    continue;
                }
                outbox.send(&ServerMessage::Closing {
                    reason: format!("idle for {} s", IDLE_TIMEOUT.as_secs()),
                });
                return;
            }
            Err(_) => return,
        };
        let reply = match line {
            Err(frame) => ServerMessage::Error {
                id: None,
                error: ProtocolError::new(
                    match frame {
                        moult_protocol::FrameError::TooLong { .. } => ErrorCode::TooLong,
                        _ => ErrorCode::BadRequest,
                    },
                    frame.to_string(),
                ),
            },
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => match decode_request(&line) {
                Err(e) => ServerMessage::Error {
                    id: request_id(&line),
                    error: ProtocolError::new(ErrorCode::BadRequest, e.to_string()),
                },
                Ok(msg) => {
                    let (reply, after) = dispatch::handle(msg, outbox, name);
                    if !outbox.send(&reply) {
                        return;
                    }
                    match after {
                        After::Continue => continue,
                        After::Close => return,
                    }
                }
            },
        };
        if !outbox.send(&reply) {
            return;
        }
    }
}

/// Runs `input` through the agent's request loop exactly as a connection
/// does (framing, decoding, dispatch), with no socket reader or writer:
/// returns the lines it would have written, in order. Only for the fuzz
/// targets (`tests/fuzz`) and their CI replay.
///
/// The agent must be started. A `subscribe` in `input` starts a real event
/// pump, which ends on its own within a quarter of a second.
pub(crate) fn serve_bytes(input: &[u8]) -> Vec<String> {
    let Ok((ours, _theirs)) = std::os::unix::net::UnixStream::pair() else {
        return Vec::new();
    };
    let stream = Stream::from(interprocess::os::unix::uds_local_socket::Stream::from(ours));
    let shared = Arc::new(Shared::new(stream));
    // Every reply answers a line ending in `\n`, so the queue never fills
    // (nothing drains it while the loop runs); the margin is for a pump.
    let (tx, rx) = std::sync::mpsc::sync_channel(input.len() + 64);
    let outbox = Outbox {
        tx,
        shared: shared.clone(),
    };
    read_loop(&mut std::io::Cursor::new(input), &outbox, "moult-fuzz");
    shared.closed.store(true, Ordering::Release);
    drop(outbox);
    rx.try_iter().map(|(line, _)| line).collect()
}

fn write_loop(shared: &Shared, rx: &Receiver<Line>) {
    let mut out = &shared.stream;
    loop {
        let reason = shared
            .too_slow
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(reason) = reason {
            let _ = out.write_all(encode(&ServerMessage::Closing { reason }).as_bytes());
            break;
        }
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok((line, events)) => {
                if out.write_all(line.as_bytes()).is_err() {
                    // Gone, or not reading for SEND_TIMEOUT.
                    shared.undelivered.fetch_add(events, Ordering::AcqRel);
                    break;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
    // Closed for writing: stop the reader and pump too. A client that hung
    // up (the reader saw it first) is not "dropped".
    let hung_up = shared.closed.swap(true, Ordering::AcqRel);
    shutdown(&shared.stream);
    let queued: u64 = rx.try_iter().map(|(_, events)| events).sum();
    let lost = shared.undelivered.fetch_add(queued, Ordering::AcqRel) + queued;
    if shared.subscribed.load(Ordering::Acquire) && !hung_up {
        DROPPED_SUBSCRIBERS.fetch_add(1, Ordering::Relaxed);
        crate::runtime().events.emit(moult_protocol::EventKind::Log {
            level: "warn".into(),
            message: format!(
                "moult agent: dropped a subscriber that stopped reading ({lost} events undelivered)"
            ),
        });
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Refuses a peer of another user (defence in depth: the directory is
/// `0700` and the socket `0600` already).
fn check_peer(stream: &Stream) -> Result<(), ProtocolError> {
    // SAFETY: geteuid has no preconditions.
    let ours = unsafe { libc::geteuid() };
    let theirs = stream
        .peer_creds()
        .ok()
        .and_then(|c| c.euid())
        .ok_or_else(|| {
            ProtocolError::new(
                ErrorCode::PermissionDenied,
                "refused: the peer's credentials could not be read",
            )
        })?;
    if theirs == ours {
        Ok(())
    } else {
        Err(ProtocolError::new(
            ErrorCode::PermissionDenied,
            format!("refused: this agent serves uid {ours} only, and you are uid {theirs}"),
        ))
    }
}

/// Shuts the socket down both ways (unblocks a reader waiting on it).
pub(crate) fn shutdown(stream: &Stream) {
    #[allow(irrefutable_let_patterns)]
    if let Stream::UdSocket(s) = stream {
        let _ = s.inner().shutdown(std::net::Shutdown::Both);
    }
}
