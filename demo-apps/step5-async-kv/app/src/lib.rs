//! Tutorial step 5, exercise 2 — a command added to a live async server
//! (beyond Pymoult).
//!
//! What it teaches: an update to a tokio server while clients keep it
//! busy. The app is `demo-apps/kv-server` — a Redis-protocol (RESP2) server
//! whose dispatch ([`kv_server::commands::execute`]), the function unknown
//! commands reach ([`kv_server::commands::fallback`]) and the handlers are
//! hot `async fn`s — started on the tutorial's port. The learner adds a
//! command to it while `redis-benchmark` runs, and tries it with
//! `redis-cli`.
//!
//! This crate only starts it: the server's code, and so everything an
//! update names, is the `kv_server` crate's.

use std::io::{self, Write};
use std::sync::Arc;

use kv_server::{Keyspace, server};

/// Environment variable giving the port (the console picks a free one).
pub const PORT_ENV: &str = "MOULT_DEMO_PORT";

/// The port without [`PORT_ENV`]: kv-server's own default.
pub const DEFAULT_PORT: u16 = kv_server::DEFAULT_PORT;

/// The port to listen on: [`PORT_ENV`] if it holds a port number, else
/// [`DEFAULT_PORT`] (an unreadable value is reported on stderr).
pub fn port() -> u16 {
    match std::env::var(PORT_ENV) {
        Ok(value) => value.trim().parse().unwrap_or_else(|_| {
            eprintln!("{PORT_ENV}={value:?} is not a port number; using {DEFAULT_PORT}");
            DEFAULT_PORT
        }),
        Err(_) => DEFAULT_PORT,
    }
}

/// What the app prints once it accepts connections: where it listens, and
/// the two commands of the exercise with the real port in them (the
/// tutorial shows them in the app's output pane).
pub fn greeting(port: u16) -> [String; 3] {
    [
        format!("step5-async-kv listening on 127.0.0.1:{port}"),
        format!("load it: redis-benchmark -p {port} -t set,get -c 20 -P 8 -q -l"),
        format!("try it:  redis-cli -p {port} APPEND greeting hello"),
    ]
}

/// Serves on `127.0.0.1:port` forever: kv-server's accept loop (a moult
/// task per connection, group `conn`) and its purge task, on a tokio
/// runtime of its own. Returns only on an error (the port is taken).
pub fn run(port: u16) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let db = Arc::new(Keyspace::new());
        server::spawn_purge(db.clone());
        let mut out = io::stdout().lock();
        for line in greeting(port) {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        drop(out);
        server::serve(listener, db).await
    })
}
