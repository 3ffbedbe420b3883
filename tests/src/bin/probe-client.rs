//! Connects to an agent socket, says hello and prints each line the agent
//! answers (or the connect error): `reply <line>` for the hello, then one
//! for each further request given as an argument (a JSON line).
//!
//! The socket test runs it under another uid to prove the agent refuses
//! other users; the access-control test runs it as the app's own (non-root)
//! user to send an `apply` the app's user cannot read.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: probe-client <socket> [<request json>...]");
    let stream = match UnixStream::connect(&path) {
        Ok(s) => s,
        Err(e) => {
            println!("connect-error {e}");
            return;
        }
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set timeout");
    let hello = format!(
        "{{\"id\":1,\"cmd\":\"hello\",\"protocol\":{},\"client\":\"probe\"}}",
        moult_protocol::PROTOCOL_VERSION
    );
    let mut writer = stream.try_clone().expect("clone the stream");
    let mut reader = BufReader::new(stream);
    for request in std::iter::once(hello).chain(args) {
        // The agent may close before reading it; the answer is what matters.
        let _ = writer.write_all(format!("{request}\n").as_bytes());
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) => {
                println!("closed");
                return;
            }
            Ok(_) => print!("reply {line}"),
            Err(e) => {
                println!("read-error {e}");
                return;
            }
        }
    }
}
