//! EXPIRE, PEXPIRE, TTL, PTTL.

use std::time::{Duration, Instant};

use super::{is, parse_int};
use crate::keyspace::Keyspace;
use crate::reply::Reply;

/// The timeout of `EXPIRE`/`PEXPIRE` in milliseconds (`args[2]`, seconds
/// for EXPIRE): `Err` with the reply when it is not an integer or
/// overflows.
pub fn expire_millis(args: &[Vec<u8>]) -> Result<i64, Reply> {
    let amount = parse_int(&args[2]).ok_or_else(Reply::not_an_integer)?;
    let per_unit = if is(&args[0], "EXPIRE") { 1000 } else { 1 };
    amount.checked_mul(per_unit).ok_or_else(|| {
        Reply::err(format_args!(
            "invalid expire time in '{}' command",
            String::from_utf8_lossy(&args[0]).to_lowercase()
        ))
    })
}

/// `EXPIRE key seconds` / `PEXPIRE key milliseconds`: `1` if the key
/// exists and now expires after that time, `0` if there is no such key.
///
/// Version 0 refuses a timeout that is not positive (`invalid expire
/// time`) and leaves the key alone; it takes no options.
#[moult::hot]
pub async fn cmd_expire(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    if args.len() < 3 {
        return Reply::wrong_arity(&args[0]);
    }
    if args.len() > 3 {
        return Reply::syntax_error();
    }
    let ms = match expire_millis(args) {
        Ok(ms) => ms,
        Err(reply) => return reply,
    };
    if ms <= 0 {
        return Reply::err(format_args!(
            "invalid expire time in '{}' command",
            String::from_utf8_lossy(&args[0]).to_lowercase()
        ));
    }
    let at = Instant::now() + Duration::from_millis(ms as u64);
    db.update(&args[1], |slot| match slot {
        Some(item) => {
            item.expires_at = Some(at);
            Reply::Integer(1)
        }
        None => Reply::Integer(0),
    })
}

/// `TTL key` / `PTTL key`: time left in seconds (rounded) / milliseconds;
/// `-1` for a key without expiry, `-2` for no such key.
#[moult::hot]
pub async fn cmd_ttl(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    if args.len() != 2 {
        return Reply::wrong_arity(&args[0]);
    }
    let millis = is(&args[0], "PTTL");
    db.update(&args[1], |slot| match slot {
        None => Reply::Integer(-2),
        Some(item) => match item.time_left(Instant::now()) {
            None => Reply::Integer(-1),
            Some(left) if millis => Reply::Integer(left.as_millis() as i64),
            Some(left) => Reply::Integer(((left.as_millis() + 500) / 1000) as i64),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::block_on;

    fn args(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn expire_and_ttl() {
        let db = Keyspace::new();
        assert_eq!(
            block_on(cmd_ttl(&db, &args(&["TTL", "k"]))),
            Reply::Integer(-2)
        );
        db.set(b"k", b"v".to_vec());
        assert_eq!(
            block_on(cmd_ttl(&db, &args(&["TTL", "k"]))),
            Reply::Integer(-1)
        );
        assert_eq!(
            block_on(cmd_expire(&db, &args(&["EXPIRE", "k", "100"]))),
            Reply::Integer(1)
        );
        assert_eq!(
            block_on(cmd_ttl(&db, &args(&["TTL", "k"]))),
            Reply::Integer(100)
        );
        let Reply::Integer(ms) = block_on(cmd_ttl(&db, &args(&["PTTL", "k"]))) else {
            panic!()
        };
        assert!(ms > 99_000 && ms <= 100_000, "{ms}");
        assert_eq!(
            block_on(cmd_expire(&db, &args(&["EXPIRE", "x", "100"]))),
            Reply::Integer(0)
        );
    }

    #[test]
    fn version_0_refuses_a_timeout_that_is_not_positive() {
        let db = Keyspace::new();
        db.set(b"k", b"v".to_vec());
        assert_eq!(
            block_on(cmd_expire(&db, &args(&["EXPIRE", "k", "-1"]))),
            Reply::err("invalid expire time in 'expire' command")
        );
        assert!(db.contains(b"k"));
        assert_eq!(
            block_on(cmd_expire(&db, &args(&["EXPIRE", "k", "10", "NX"]))),
            Reply::syntax_error()
        );
    }
}
