//! `moult-console bridge <app|pid>`: the agent's protocol piped between
//! this process's stdio and the agent's socket, nothing else — no hello,
//! no parsing, so a console of any version speaks to the agent as it would
//! locally.

use std::io::{self, Read, Write};
use std::path::Path;

use crate::target::{self, Target};
use crate::transport::Transport;
use crate::transport::socket::SocketTransport;

/// Resolves `target` in `dir`, connects, and pipes until either side ends:
/// the agent closing the connection (the app exited) or the console going
/// away (stdin closed). An error only when the agent cannot be reached;
/// the console sees it on stderr and in the exit code.
pub fn run(dir: &Path, target: &Target) -> anyhow::Result<()> {
    let resolved = target::resolve(dir, target)?;
    let mut socket = SocketTransport::connect(&resolved.socket).map_err(|e| {
        anyhow::anyhow!(
            "cannot connect to the agent of pid {} ({}): {e}; is the app still running?",
            resolved.pid,
            resolved.socket.display()
        )
    })?;
    let mut from_agent = socket
        .take_reader()
        .expect("a new connection's reading half is free");
    std::thread::Builder::new()
        .name("bridge stdin".into())
        .spawn(move || {
            to_agent(&mut socket);
            // The console went away: end the agent's side too, which ends
            // the other direction.
            socket.close();
        })?;
    let mut stdout = io::stdout().lock();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from_agent.read(&mut buf) {
            Ok(0) | Err(_) => return Ok(()),
            Ok(n) => n,
        };
        if stdout
            .write_all(&buf[..n])
            .and_then(|()| stdout.flush())
            .is_err()
        {
            return Ok(());
        }
    }
}

/// Copies stdin to the agent until stdin ends or the agent is gone.
fn to_agent(socket: &mut SocketTransport) {
    let mut stdin = io::stdin().lock();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match stdin.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if socket.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        }
    }
}
