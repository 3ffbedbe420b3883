//! The commands: [`execute`] dispatches a parsed command to its handler.
//!
//! Both the dispatch and the handlers that hold the keyspace's logic are
//! hot `async fn`s (`#[moult::hot]`): an update can add a command (by
//! redefining [`fallback`], what unknown commands reach), or change one (by
//! redefining its handler), while connections keep sending. Every handler
//! has the signature [`Handler`]: the keyspace and the whole command, its
//! name first. They are async so that a new version may await (a lock, a
//! timer, another server); version 0 never does — an in-memory store does
//! not wait — and is awaited inline, without an allocation.

pub mod expire;
pub mod server;
pub mod strings;

pub use expire::{cmd_expire, cmd_ttl, expire_millis};
pub use server::{cmd_config, cmd_object, encoding, object};
pub use strings::{cmd_del, cmd_exists, cmd_get, cmd_set};

use moult::hot::BoxFuture;

use crate::keyspace::Keyspace;
use crate::reply::Reply;

/// The slot type of [`execute`], [`fallback`] and every hot handler: the
/// keyspace and the command (name first), answering a boxed future of the
/// reply. What new versions must be; an `async fn` with the handlers'
/// arguments marked `#[moult::async_version]` is one.
pub type Handler = for<'m> fn(&'m Keyspace, &'m [Vec<u8>]) -> BoxFuture<'m, Reply>;

/// Runs one command and returns its reply. Hot: an update can redefine
/// the dispatch itself.
#[moult::hot]
pub async fn execute(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    let Some(name) = args.first() else {
        return Reply::err("empty command");
    };
    let mut upper = [0u8; 16];
    let name_up = if name.len() <= upper.len() {
        upper[..name.len()].copy_from_slice(name);
        upper[..name.len()].make_ascii_uppercase();
        &upper[..name.len()]
    } else {
        &name[..] // no command is that long: falls to `fallback`
    };
    match name_up {
        b"GET" => cmd_get(db, args).await,
        b"SET" => cmd_set(db, args).await,
        b"DEL" => cmd_del(db, args).await,
        b"EXISTS" => cmd_exists(db, args).await,
        b"EXPIRE" | b"PEXPIRE" => cmd_expire(db, args).await,
        b"TTL" | b"PTTL" => cmd_ttl(db, args).await,
        b"OBJECT" => cmd_object(db, args).await,
        b"CONFIG" => cmd_config(db, args).await,
        b"PING" => server::ping(args),
        b"ECHO" => server::echo(args),
        b"DBSIZE" => server::dbsize(db, args),
        b"FLUSHALL" | b"FLUSHDB" => server::flush(db, args),
        b"COMMAND" => server::command(args),
        _ => fallback(db, args).await,
    }
}

/// What a command the dispatch does not know reaches: version 0 answers
/// Redis's `unknown command` error. Redefining it is how an update adds
/// commands without touching the others.
#[moult::hot]
pub async fn fallback(_db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    unknown_command(args)
}

/// `-ERR unknown command 'name', with args beginning with: 'a' 'b' `, as
/// Redis words it (clients and scripts match on the start).
pub fn unknown_command(args: &[Vec<u8>]) -> Reply {
    let name = args.first().map(|n| printable(n)).unwrap_or_default();
    let mut text = format!("unknown command '{name}', with args beginning with: ");
    for arg in args.iter().skip(1).take(16) {
        text.push_str(&format!("'{}' ", printable(arg)));
    }
    Reply::err(text)
}

/// An argument as text in an error message (cut at 128 characters).
fn printable(arg: &[u8]) -> String {
    String::from_utf8_lossy(&arg[..arg.len().min(128)]).into_owned()
}

/// `true` if `arg` spells `word`, whatever the case.
pub fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

/// An argument as a signed 64-bit integer (decimal, as Redis accepts it).
pub fn parse_int(arg: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(arg).ok()?;
    if text.starts_with('+') || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    text.parse().ok()
}

/// Runs a handler's future to completion on the calling thread: for unit
/// tests (version 0 of every handler is ready at its first poll).
#[cfg(test)]
pub(crate) fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a test runtime")
        .block_on(future)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(db: &Keyspace, words: &[&str]) -> Reply {
        let args: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        block_on(execute(db, &args))
    }

    #[test]
    fn set_then_get_in_any_case() {
        let db = Keyspace::new();
        assert_eq!(run(&db, &["set", "k", "v"]), Reply::OK);
        assert_eq!(run(&db, &["GeT", "k"]), Reply::Bulk(Some(b"v".to_vec())));
        assert_eq!(run(&db, &["DEL", "k", "k", "x"]), Reply::Integer(1));
    }

    #[test]
    fn unknown_commands_are_refused_as_redis_does() {
        let db = Keyspace::new();
        let Reply::Error(e) = run(&db, &["incr", "k"]) else {
            panic!()
        };
        assert_eq!(
            e,
            "ERR unknown command 'incr', with args beginning with: 'k' "
        );
    }

    #[test]
    fn integers_parse_strictly() {
        assert_eq!(parse_int(b"-12"), Some(-12));
        assert_eq!(parse_int(b"0"), Some(0));
        assert_eq!(parse_int(b"012"), None);
        assert_eq!(parse_int(b"1.5"), None);
        assert_eq!(parse_int(b""), None);
    }
}
