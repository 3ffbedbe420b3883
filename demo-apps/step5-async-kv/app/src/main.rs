//! Runs the kv-server exercise on `$MOULT_DEMO_PORT` (6380 without it);
//! `moult-console` attaches to it as `step5-async-kv`, redis-cli and
//! redis-benchmark talk to it.

fn main() {
    if let Err(e) = moult::agent::start("step5-async-kv") {
        eprintln!("step5-async-kv: running without the moult agent: {e}");
    }
    let port = step5_async_kv::port();
    if let Err(e) = step5_async_kv::run(port) {
        eprintln!("step5-async-kv: cannot serve on 127.0.0.1:{port}: {e}");
        std::process::exit(1);
    }
}
