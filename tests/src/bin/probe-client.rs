//! Connects to an agent socket, says hello and prints the first line the
//! agent answers (or the connect error). The socket test runs it under
//! another uid to prove the agent refuses other users.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: probe-client <socket>");
    let mut stream = match UnixStream::connect(&path) {
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
        "{{\"id\":1,\"cmd\":\"hello\",\"protocol\":{},\"client\":\"probe\"}}\n",
        moult_protocol::PROTOCOL_VERSION
    );
    // The agent may close before reading it; the answer is what matters.
    let _ = stream.write_all(hello.as_bytes());
    let mut line = String::new();
    match BufReader::new(stream).read_line(&mut line) {
        Ok(0) => println!("closed"),
        Ok(_) => print!("reply {line}"),
        Err(e) => println!("read-error {e}"),
    }
}
