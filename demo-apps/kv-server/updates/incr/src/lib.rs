//! kv-server update `incr`: adds INCR, DECR, INCRBY and DECRBY.
//!
//! Before it, they reach the dispatch's `fallback` and get Redis's
//! `ERR unknown command 'incr', ...`. The update redefines
//! `kv_server::commands::fallback`, a hot `async fn` (a safe redefine: no
//! call of the old version runs at the swap; callers that arrive meanwhile
//! await the gate, no worker thread blocks) with [`fallback_v1`], an
//! `async fn` made a version by `#[moult::async_version]`, which knows the
//! four commands and leaves every other unknown command to the same error.
//! Revertible: `moult-console revert kv-server` puts version 0 back.
//!
//! ```text
//! $ redis-cli -p 6380 INCR visits        # before
//! (error) ERR unknown command 'INCR', with args beginning with: 'visits'
//! $ moult-console apply kv-server demo-apps/kv-server/updates/incr
//! $ redis-cli -p 6380 INCR visits
//! (integer) 1
//! ```

use kv_server::commands::{is, parse_int, unknown_command};
use kv_server::keyspace::{Item, Keyspace};
use kv_server::{Reply, entry::ENTRY};
use moult::update::SafeRedefine;
use moult::{Update, UpdateError};

/// Adds `delta` to the integer stored at `key` (0 if absent), keeping its
/// expiry; the new value, or Redis's errors for a value that is not an
/// integer and for an overflow.
pub fn add(db: &Keyspace, key: &[u8], delta: i64) -> Reply {
    db.update(key, |slot| {
        let current = match slot {
            None => 0,
            Some(item) => match parse_int(item.value.read().value()) {
                Some(n) => n,
                None => return Reply::not_an_integer(),
            },
        };
        let Some(next) = current.checked_add(delta) else {
            return Reply::err("increment or decrement would overflow");
        };
        let expires_at = slot.as_ref().and_then(|item| item.expires_at);
        *slot = Some(Item {
            value: ENTRY.create(next.to_string().into_bytes()),
            expires_at,
        });
        Reply::Integer(next)
    })
}

/// The new `fallback`: INCR, DECR, INCRBY, DECRBY; anything else is still
/// an unknown command.
#[moult::async_version]
pub async fn fallback_v1(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    let name = &args[0];
    let (by, arity) = if is(name, "INCR") {
        (Some(1), 2)
    } else if is(name, "DECR") {
        (Some(-1), 2)
    } else if is(name, "INCRBY") || is(name, "DECRBY") {
        (None, 3)
    } else {
        return unknown_command(args);
    };
    if args.len() != arity {
        return Reply::wrong_arity(name);
    }
    let delta = match by {
        Some(d) => d,
        None => match parse_int(&args[2]) {
            Some(d) if is(name, "INCRBY") => d,
            Some(d) if d != i64::MIN => -d,
            _ => return Reply::not_an_integer(),
        },
    };
    add(db, &args[1], delta)
}

/// The library's entry: one safe redefine of the dispatch's fallback.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    let fallback = moult::hot_fn!(kv_server::commands::fallback)?;
    Ok(vec![Box::new(
        SafeRedefine::new(fallback, fallback_v1).named("kv-server: INCR, DECR, INCRBY, DECRBY"),
    )])
}
