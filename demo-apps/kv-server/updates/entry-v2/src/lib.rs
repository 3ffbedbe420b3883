//! kv-server update `entry-v2`: stored entries get a read counter, and
//! `OBJECT FREQ key` answers it.
//!
//! - The class `kv_server::entry::Entry` gets a version 1, [`EntryV2`]: the
//!   bytes and a count of the reads since the entry took this format. The
//!   conversion is lazy: applying it costs O(1) whatever the number of keys,
//!   and each entry converts on its next access (the console's Classes view
//!   shows them moving from version 0 to 1). SET builds `EntryV2`s at once.
//! - The hot `async fn` `cmd_get` is redefined to count each read
//!   ([`cmd_get_v1`]), `cmd_object` to answer `OBJECT FREQ`
//!   ([`cmd_object_v1`]; version 0 refuses it), both `async fn`s marked
//!   `#[moult::async_version]`.
//!
//! The three changes are one update ([`Together`]): one revert undoes all
//! of them — the functions back to version 0, and every entry converted
//! back to an `Entry` (the counts are dropped).
//!
//! ```text
//! $ redis-cli -p 6380 OBJECT FREQ k
//! (error) ERR this server keeps no access counts ...    # before
//! $ moult-console apply kv-server demo-apps/kv-server/updates/entry-v2
//! $ redis-cli -p 6380 GET k; redis-cli -p 6380 OBJECT FREQ k
//! (integer) 1
//! ```

mod together;

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};

use kv_server::Reply;
use kv_server::commands::{is, object};
use kv_server::entry::{ENTRY, Entry, EntryApi};
use kv_server::keyspace::Keyspace;
use moult::class::LazyConversion;
use moult::update::SafeRedefine;
use moult::{Update, UpdateError};

pub use together::Together;

/// Version 1 of an entry: the bytes and how many times GET read them.
pub struct EntryV2 {
    /// The stored value.
    pub value: Vec<u8>,
    /// Reads since the entry took this format (conversion or SET).
    pub hits: AtomicU64,
}

impl EntryApi for EntryV2 {
    fn value(&self) -> &[u8] {
        &self.value
    }
}

/// The new constructor of record: what SET builds.
pub fn new_entry(value: Vec<u8>) -> Box<dyn EntryApi> {
    Box::new(EntryV2 {
        value,
        hits: AtomicU64::new(0),
    })
}

/// Version 0 → 1: the same bytes, no read counted yet.
pub fn up(old: &dyn EntryApi) -> Box<dyn EntryApi> {
    new_entry(old.value().to_vec())
}

/// Version 1 → 0 (the revert): the bytes; the count is dropped.
pub fn down(new: &dyn EntryApi) -> Box<dyn EntryApi> {
    Box::new(Entry {
        value: new.value().to_vec(),
    })
}

/// The read counter of an entry, if it has the new format.
fn hits(entry: &dyn EntryApi) -> Option<&AtomicU64> {
    let any: &dyn Any = entry;
    any.downcast_ref::<EntryV2>().map(|e| &e.hits)
}

/// The new GET: as version 0, and counts the read.
#[moult::async_version]
pub async fn cmd_get_v1(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    if args.len() != 2 {
        return Reply::wrong_arity(&args[0]);
    }
    Reply::Bulk(db.get(&args[1]).map(|v| {
        let entry = v.read();
        if let Some(hits) = hits(&*entry) {
            hits.fetch_add(1, Ordering::Relaxed);
        }
        entry.value().to_vec()
    }))
}

/// The new OBJECT: `OBJECT FREQ key` answers the entry's read count (nil
/// without the key); the other subcommands as version 0 ([`object`],
/// version 0's logic as a plain function: awaiting `cmd_object` here would
/// run this version again).
#[moult::async_version]
pub async fn cmd_object_v1(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    if args.len() == 3 && is(&args[1], "FREQ") {
        return match db.get(&args[2]) {
            None => Reply::Bulk(None),
            Some(v) => {
                let entry = v.read();
                Reply::Integer(hits(&*entry).map_or(0, |h| h.load(Ordering::Relaxed)) as i64)
            }
        };
    }
    object(db, args)
}

/// The library's entry: the lazy conversion and the two redefines, as one
/// revertible update.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    let get = moult::hot_fn!(kv_server::commands::strings::cmd_get)?;
    let object_fn = moult::hot_fn!(kv_server::commands::server::cmd_object)?;
    let convert = LazyConversion::new(&ENTRY, new_entry, up)
        .down(down)
        .version_type::<EntryV2>();
    Ok(vec![Box::new(Together::new(
        "kv-server: entries count their reads (OBJECT FREQ)",
        vec![
            Box::new(convert),
            Box::new(SafeRedefine::new(get, cmd_get_v1)),
            Box::new(SafeRedefine::new(object_fn, cmd_object_v1)),
        ],
    ))])
}
