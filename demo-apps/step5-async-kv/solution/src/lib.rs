//! Solution of tutorial step 5, exercise 2: the running kv-server learns
//! Redis's `APPEND key value`.
//!
//! Unknown commands reach the hot `async fn`
//! `kv_server::commands::fallback`; the update redefines it (a safe
//! redefine: requests already in it finish on version 0, new ones await
//! the closed gate, no worker thread blocks) with [`fallback_v1`], an
//! `async fn` made a version of the slot's type by
//! `#[moult::async_version]`. It answers APPEND and leaves every other
//! unknown command to version 0's error. The dispatch and the other
//! handlers are untouched, so redis-benchmark's SETs and GETs never wait.

use kv_server::Reply;
use kv_server::commands::{is, unknown_command};
use kv_server::entry::ENTRY;
use kv_server::keyspace::{Item, Keyspace};
use moult::update::SafeRedefine;
use moult::{Update, UpdateError};

/// Appends `tail` to the string at `key` (an absent key is empty), keeping
/// its expiry; the new length. Read and write happen in one
/// `Keyspace::update`, under the key's shard lock, so two clients
/// appending at once both count.
pub fn append(db: &Keyspace, key: &[u8], tail: &[u8]) -> Reply {
    db.update(key, |slot| {
        let mut value = slot
            .as_ref()
            .map(|item| item.value.read().value().to_vec())
            .unwrap_or_default();
        value.extend_from_slice(tail);
        let length = value.len() as i64;
        let expires_at = slot.as_ref().and_then(|item| item.expires_at);
        *slot = Some(Item {
            value: ENTRY.create(value),
            expires_at,
        });
        Reply::Integer(length)
    })
}

/// The new `fallback`: APPEND; anything else is still an unknown command.
#[moult::async_version]
pub async fn fallback_v1(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    if !is(&args[0], "APPEND") {
        return unknown_command(args);
    }
    if args.len() != 3 {
        return Reply::wrong_arity(&args[0]);
    }
    append(db, &args[1], &args[2])
}

/// The library's entry: one safe redefine of the dispatch's fallback.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    let fallback = moult::hot_fn!(kv_server::commands::fallback)?;
    Ok(vec![Box::new(
        SafeRedefine::new(fallback, fallback_v1).named("step5-async-kv: APPEND"),
    )])
}
