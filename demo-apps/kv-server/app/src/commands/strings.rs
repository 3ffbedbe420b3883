//! GET, SET, DEL, EXISTS.

use std::time::{Duration, Instant};

use super::{is, parse_int};
use crate::entry::ENTRY;
use crate::keyspace::{Item, Keyspace};
use crate::reply::Reply;

/// `GET key`: the value, or nil.
#[moult::hot]
pub async fn cmd_get(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    if args.len() != 2 {
        return Reply::wrong_arity(&args[0]);
    }
    Reply::Bulk(db.get(&args[1]).map(|v| v.read().value().to_vec()))
}

/// What `SET`'s options ask for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SetOptions {
    /// `NX`: only if the key does not exist.
    pub nx: bool,
    /// `XX`: only if it exists.
    pub xx: bool,
    /// `EX seconds` / `PX milliseconds`: the new expiry.
    pub ttl: Option<Duration>,
    /// `GET`: answer the old value.
    pub get: bool,
}

impl SetOptions {
    /// Parses the options after `SET key value`.
    pub fn parse(options: &[Vec<u8>]) -> Result<SetOptions, Reply> {
        let mut o = SetOptions::default();
        let mut i = 0;
        while i < options.len() {
            let opt = &options[i];
            if is(opt, "NX") && !o.xx {
                o.nx = true;
            } else if is(opt, "XX") && !o.nx {
                o.xx = true;
            } else if is(opt, "GET") {
                o.get = true;
            } else if (is(opt, "EX") || is(opt, "PX")) && o.ttl.is_none() {
                let amount = options.get(i + 1).ok_or_else(Reply::syntax_error)?;
                let amount = parse_int(amount).ok_or_else(Reply::not_an_integer)?;
                let per_unit = if is(opt, "EX") { 1000 } else { 1 };
                match amount.checked_mul(per_unit) {
                    Some(ms) if ms > 0 => o.ttl = Some(Duration::from_millis(ms as u64)),
                    _ => return Err(Reply::err("invalid expire time in 'set' command")),
                }
                i += 1;
            } else {
                return Err(Reply::syntax_error());
            }
            i += 1;
        }
        Ok(o)
    }
}

/// `SET key value [NX|XX] [EX s|PX ms] [GET]`: `+OK`, nil when NX/XX
/// refuse, the old value with GET. A SET without EX/PX removes the expiry.
#[moult::hot]
pub async fn cmd_set(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    if args.len() < 3 {
        return Reply::wrong_arity(&args[0]);
    }
    let o = match SetOptions::parse(&args[3..]) {
        Ok(o) => o,
        Err(reply) => return reply,
    };
    let expires_at = o.ttl.map(|ttl| Instant::now() + ttl);
    let value = args[2].clone();
    db.update(&args[1], |slot| {
        let old = o
            .get
            .then(|| slot.as_ref().map(|item| item.value.read().value().to_vec()));
        if (o.nx && slot.is_some()) || (o.xx && slot.is_none()) {
            return Reply::Bulk(old.flatten());
        }
        *slot = Some(Item {
            value: ENTRY.create(value),
            expires_at,
        });
        match old {
            Some(old) => Reply::Bulk(old),
            None => Reply::OK,
        }
    })
}

/// `DEL key [key ...]`: how many existed.
#[moult::hot]
pub async fn cmd_del(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    if args.len() < 2 {
        return Reply::wrong_arity(&args[0]);
    }
    Reply::Integer(args[1..].iter().filter(|k| db.remove(k)).count() as i64)
}

/// `EXISTS key [key ...]`: how many of them exist (a key named twice counts twice).
#[moult::hot]
pub async fn cmd_exists(db: &Keyspace, args: &[Vec<u8>]) -> Reply {
    if args.len() < 2 {
        return Reply::wrong_arity(&args[0]);
    }
    Reply::Integer(args[1..].iter().filter(|k| db.contains(k)).count() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::block_on;

    fn args(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn set_options() {
        let db = Keyspace::new();
        assert_eq!(
            block_on(cmd_set(&db, &args(&["SET", "k", "1", "XX"]))),
            Reply::Bulk(None)
        );
        assert_eq!(
            block_on(cmd_set(&db, &args(&["SET", "k", "1", "NX"]))),
            Reply::OK
        );
        assert_eq!(
            block_on(cmd_set(&db, &args(&["SET", "k", "2", "NX"]))),
            Reply::Bulk(None)
        );
        assert_eq!(
            block_on(cmd_set(&db, &args(&["SET", "k", "3", "GET", "EX", "10"]))),
            Reply::Bulk(Some(b"1".to_vec()))
        );
        assert!(db.update(b"k", |s| s.as_ref().unwrap().expires_at.is_some()));
        assert_eq!(
            block_on(cmd_set(&db, &args(&["SET", "k", "4", "NX", "XX"]))),
            Reply::syntax_error()
        );
        assert_eq!(
            block_on(cmd_set(&db, &args(&["SET", "k", "4", "EX", "0"]))),
            Reply::err("invalid expire time in 'set' command")
        );
    }
}
