//! PING, ECHO, DBSIZE, FLUSHALL/FLUSHDB, COMMAND, CONFIG GET, OBJECT.

use super::{is, parse_int};
use crate::keyspace::Keyspace;
use crate::reply::Reply;

/// `PING [message]`: `+PONG`, or the message.
pub fn ping(args: &[Vec<u8>]) -> Reply {
    match args.len() {
        1 => Reply::Status("PONG"),
        2 => Reply::Bulk(Some(args[1].clone())),
        _ => Reply::wrong_arity(&args[0]),
    }
}

/// `ECHO message`.
pub fn echo(args: &[Vec<u8>]) -> Reply {
    match args.len() {
        2 => Reply::Bulk(Some(args[1].clone())),
        _ => Reply::wrong_arity(&args[0]),
    }
}

/// `DBSIZE`: the number of keys.
pub fn dbsize(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    match args.len() {
        1 => Reply::Integer(db.len() as i64),
        _ => Reply::wrong_arity(&args[0]),
    }
}

/// `FLUSHALL` / `FLUSHDB` (`SYNC`/`ASYNC` accepted): deletes every key.
pub fn flush(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    match args.get(1) {
        Some(mode) if !(is(mode, "SYNC") || is(mode, "ASYNC")) || args.len() > 2 => {
            Reply::syntax_error()
        }
        _ => {
            db.clear();
            Reply::OK
        }
    }
}

/// `COMMAND` and its subcommands: this server publishes no command table,
/// so clients (redis-cli asks for `COMMAND DOCS` at startup) get an empty
/// one and fall back to their own.
pub fn command(args: &[Vec<u8>]) -> Reply {
    match args.get(1) {
        Some(sub) if is(sub, "COUNT") => Reply::Integer(0),
        _ => Reply::Array(Vec::new()),
    }
}

/// `CONFIG GET parameter`: what redis-benchmark asks before it starts
/// (`save`, `appendonly`); other parameters are unknown (empty list).
/// `CONFIG SET` and the rest are refused.
#[moult::hot]
pub async fn cmd_config(_db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    match args.get(1) {
        Some(sub) if is(sub, "GET") && args.len() == 3 => {
            let value: &[u8] = match &args[2] {
                p if is(p, "save") => b"",
                p if is(p, "appendonly") => b"no",
                _ => return Reply::Array(Vec::new()),
            };
            Reply::Array(vec![
                Reply::Bulk(Some(args[2].to_ascii_lowercase())),
                Reply::Bulk(Some(value.to_vec())),
            ])
        }
        Some(_) => Reply::err("only CONFIG GET is supported"),
        None => Reply::wrong_arity(&args[0]),
    }
}

/// How a value would be stored by Redis: `int`, `embstr` (short) or `raw`.
pub fn encoding(value: &[u8]) -> &'static str {
    if value.len() <= 20 && parse_int(value).is_some() {
        "int"
    } else if value.len() <= 44 {
        "embstr"
    } else {
        "raw"
    }
}

/// `OBJECT ENCODING key` (nil without the key) and `OBJECT HELP`.
/// Version 0 keeps no access counts: `OBJECT FREQ` is refused.
#[moult::hot]
pub async fn cmd_object(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    object(db, args)
}

/// What version 0 of [`cmd_object`] answers, as a plain function: a new
/// version that changes one subcommand calls it for the others (calling
/// `cmd_object` there would run the new version again, forever).
pub fn object(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    let Some(sub) = args.get(1) else {
        return Reply::wrong_arity(&args[0]);
    };
    if is(sub, "HELP") {
        return Reply::Array(
            ["OBJECT ENCODING <key>: how the value is stored."]
                .iter()
                .map(|l| Reply::Bulk(Some(l.as_bytes().to_vec())))
                .collect(),
        );
    }
    if args.len() != 3 {
        return Reply::wrong_arity(&args[0]);
    }
    if is(sub, "ENCODING") {
        let value = db.get(&args[2]);
        return Reply::Bulk(value.map(|v| encoding(v.read().value()).as_bytes().to_vec()));
    }
    if is(sub, "FREQ") {
        return Reply::err(
            "this server keeps no access counts (OBJECT FREQ needs the entry-v2 update)",
        );
    }
    Reply::err(format_args!(
        "unknown subcommand '{}'. Try OBJECT HELP.",
        String::from_utf8_lossy(sub)
    ))
}
