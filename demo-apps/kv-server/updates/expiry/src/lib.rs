//! kv-server update `expiry`: EXPIRE and PEXPIRE as Redis 7 has them.
//!
//! Version 0 refuses a timeout that is not positive (`ERR invalid expire
//! time`) and takes no options. [`cmd_expire_v1`] deletes the key at once
//! for such a timeout (answering `1` if it existed: it expired now), and
//! takes one of `NX` (only without an expiry), `XX` (only with one), `GT`
//! (only if later than the current one), `LT` (only if sooner; no expiry
//! counts as infinitely late). A safe redefine of the hot `async fn`
//! `kv_server::commands::cmd_expire` with an `async fn` marked
//! `#[moult::async_version]`; revertible.
//!
//! ```text
//! $ redis-cli -p 6380 SET k v; redis-cli -p 6380 EXPIRE k -1
//! (error) ERR invalid expire time in 'expire' command         # before
//! (integer) 1   then  GET k → (nil)                           # after
//! ```

use std::time::{Duration, Instant};

use kv_server::Reply;
use kv_server::commands::{expire_millis, is};
use kv_server::keyspace::Keyspace;
use moult::update::SafeRedefine;
use moult::{Update, UpdateError};

/// The condition an EXPIRE option sets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Condition {
    Always,
    Nx,
    Xx,
    Gt,
    Lt,
}

fn condition(args: &[Vec<u8>]) -> Result<Condition, Reply> {
    match args.get(3) {
        None => Ok(Condition::Always),
        Some(_) if args.len() > 4 => Err(Reply::syntax_error()),
        Some(o) if is(o, "NX") => Ok(Condition::Nx),
        Some(o) if is(o, "XX") => Ok(Condition::Xx),
        Some(o) if is(o, "GT") => Ok(Condition::Gt),
        Some(o) if is(o, "LT") => Ok(Condition::Lt),
        Some(o) => Err(Reply::err(format_args!(
            "Unsupported option {}",
            String::from_utf8_lossy(o)
        ))),
    }
}

/// The new EXPIRE/PEXPIRE: see the crate's documentation.
#[moult::async_version]
pub async fn cmd_expire_v1(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    if args.len() < 3 {
        return Reply::wrong_arity(&args[0]);
    }
    let (ms, cond) = match (expire_millis(args), condition(args)) {
        (Ok(ms), Ok(cond)) => (ms, cond),
        (Err(reply), _) | (_, Err(reply)) => return reply,
    };
    let now = Instant::now();
    let new_at = (ms > 0).then(|| now + Duration::from_millis(ms as u64));
    db.update(&args[1], |slot| {
        let Some(item) = slot else {
            return Reply::Integer(0);
        };
        let allowed = match (cond, item.expires_at) {
            (Condition::Always, _) => true,
            (Condition::Nx, current) => current.is_none(),
            (Condition::Xx, current) => current.is_some(),
            // A key without expiry never expires: nothing is later than it.
            (Condition::Gt, None) => false,
            (Condition::Gt, Some(at)) => new_at.is_some_and(|new| new > at),
            (Condition::Lt, None) => true,
            (Condition::Lt, Some(at)) => new_at.is_none_or(|new| new < at),
        };
        if !allowed {
            return Reply::Integer(0);
        }
        match new_at {
            Some(at) => item.expires_at = Some(at),
            None => *slot = None, // already expired: deleted now
        }
        Reply::Integer(1)
    })
}

/// The library's entry: one safe redefine of `cmd_expire`.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    let expire = moult::hot_fn!(kv_server::commands::expire::cmd_expire)?;
    Ok(vec![Box::new(
        SafeRedefine::new(expire, cmd_expire_v1)
            .named("kv-server: EXPIRE deletes on a past time, takes NX/XX/GT/LT"),
    )])
}
