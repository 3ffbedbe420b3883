//! Runs kv-server: `kv-server [--port P]` (6380 by default; 0 picks a free
//! port). Prints `kv-server listening on 127.0.0.1:<port>` once it accepts
//! connections; `moult-console` attaches to it as `kv-server`.

use std::io::Write;
use std::sync::Arc;

use kv_server::{DEFAULT_PORT, Keyspace, server};

fn port_from_args() -> Result<u16, String> {
    let mut args = std::env::args().skip(1);
    let mut port = DEFAULT_PORT;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" | "-p" => {
                let value = args.next().ok_or("--port needs a value")?;
                port = value
                    .parse()
                    .map_err(|_| format!("--port: not a port number: {value}"))?;
            }
            "--help" | "-h" => {
                println!(
                    "usage: kv-server [--port P]   (default {DEFAULT_PORT}; 0: any free port)"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(port)
}

fn main() {
    let port = port_from_args().unwrap_or_else(|e| {
        eprintln!("kv-server: {e}");
        std::process::exit(2);
    });
    if let Err(e) = moult::agent::start("kv-server") {
        eprintln!("kv-server: running without the moult agent: {e}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result: std::io::Result<()> = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let db = Arc::new(Keyspace::new());
        server::spawn_purge(db.clone());
        println!("kv-server listening on {}", listener.local_addr()?);
        std::io::stdout().flush()?;
        server::serve(listener, db).await
    });
    if let Err(e) = result {
        eprintln!("kv-server: {e}");
        std::process::exit(1);
    }
}
