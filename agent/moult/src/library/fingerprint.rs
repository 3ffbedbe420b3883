//! The build fingerprint every update library carries (docs/ARCHITECTURE.md, fact 2).
//!
//! Trait objects, `TypeId`s and the runtime's layout are only shared between
//! the app and a library built by the same compiler, from the same moult,
//! for the same target, profile and panic strategy. Both sides compute the
//! fingerprint from their own copy of moult; the loader compares them.

use std::mem::size_of;

/// ELF section holding a library's fingerprint (read from the file, before `dlopen`).
pub const FINGERPRINT_SECTION: &str = ".moult_update";

/// Size of the fingerprint record in the section.
pub const FINGERPRINT_LEN: usize = 512;

/// Magic prefix: tells a moult update from any other section content.
const MAGIC: &str = "moult-fingerprint-v1";

/// The fields, `key=value` separated by `|`, of this copy of moult.
pub const FIELDS: &str = concat!(
    "moult=",
    env!("CARGO_PKG_VERSION"),
    "|rustc=",
    env!("MOULT_RUSTC"),
    "|target=",
    env!("MOULT_TARGET"),
    "|profile=",
    env!("MOULT_PROFILE"),
    "|panic=",
    env!("MOULT_PANIC"),
);

/// Sizes of the types a library's copy of moult shares with the app's: a
/// cheap guard against building from a modified moult with the same version.
const LAYOUT: u64 = (size_of::<crate::Runtime>() as u64) * 1_000_000
    + (size_of::<crate::UpdateContext>() as u64) * 1_000
    + size_of::<crate::hot::HotFnCore>() as u64;

/// This copy's fingerprint record: NUL-padded text `MAGIC|fields|layout=N`.
pub const FINGERPRINT_BYTES: [u8; FINGERPRINT_LEN] = build(b"");

/// The field only a library's fingerprint has: its global allocator forwards
/// to the app's (see `host_alloc.rs`).
pub const ALLOC_FIELD: (&str, &str) = ("alloc", "host");

/// The fingerprint record `#[moult::update_library]` exports, beside the
/// [`HostAlloc`](super::host_alloc::HostAlloc) it installs: this copy's
/// fields plus `alloc=host`.
pub const LIBRARY_FINGERPRINT_BYTES: [u8; FINGERPRINT_LEN] = build(b"|alloc=host");

const fn build(extra: &[u8]) -> [u8; FINGERPRINT_LEN] {
    let mut out = [0u8; FINGERPRINT_LEN];
    let mut at = push(&mut out, 0, MAGIC.as_bytes());
    at = push(&mut out, at, b"|");
    at = push(&mut out, at, FIELDS.as_bytes());
    at = push(&mut out, at, extra);
    at = push(&mut out, at, b"|layout=");
    let mut digits = [0u8; 20];
    let (mut n, mut len) = (LAYOUT, 0);
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    while len > 0 {
        len -= 1;
        out[at] = digits[len];
        at += 1;
    }
    out
}

/// A fingerprint record with the given `key=value|...` fields (tests use it
/// to forge a library built "elsewhere").
pub const fn fingerprint_record(fields: &str) -> [u8; FINGERPRINT_LEN] {
    let mut out = [0u8; FINGERPRINT_LEN];
    let at = push(&mut out, 0, MAGIC.as_bytes());
    let at = push(&mut out, at, b"|");
    push(&mut out, at, fields.as_bytes());
    out
}

const fn push(out: &mut [u8; FINGERPRINT_LEN], mut at: usize, bytes: &[u8]) -> usize {
    let mut i = 0;
    while i < bytes.len() {
        assert!(at < FINGERPRINT_LEN - 1, "fingerprint too long");
        out[at] = bytes[i];
        at += 1;
        i += 1;
    }
    at
}

/// A parsed fingerprint: its `key=value` fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Fields in order.
    pub fields: Vec<(String, String)>,
}

impl Fingerprint {
    /// The value of field `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The app's own fingerprint.
    pub fn current() -> Fingerprint {
        Fingerprint::parse(&FINGERPRINT_BYTES).expect("own fingerprint parses")
    }

    /// Parses a fingerprint record; `None` if it is not one.
    pub fn parse(bytes: &[u8]) -> Option<Fingerprint> {
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        let text = std::str::from_utf8(&bytes[..end]).ok()?;
        let rest = text.strip_prefix(MAGIC)?.strip_prefix('|')?;
        let fields = rest
            .split('|')
            .map(|kv| {
                let (k, v) = kv.split_once('=')?;
                Some((k.to_string(), v.to_string()))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Fingerprint { fields })
    }

    /// Human-readable differences (`key: app X, library Y`); empty if equal.
    /// The library-only `alloc` field is not compared (the loader checks it
    /// on its own).
    pub fn differences(&self, library: &Fingerprint) -> Vec<String> {
        let get = |fp: &Fingerprint, k: &str| {
            fp.fields
                .iter()
                .find(|(key, _)| key == k)
                .map_or("<missing>".to_string(), |(_, v)| v.clone())
        };
        let mut keys: Vec<&str> = self.fields.iter().map(|(k, _)| k.as_str()).collect();
        for (k, _) in &library.fields {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
        keys.into_iter()
            .filter(|&k| k != ALLOC_FIELD.0)
            .filter_map(|k| {
                let (a, b) = (get(self, k), get(library, k));
                (a != b).then(|| format!("{k}: app `{a}`, library `{b}`"))
            })
            .collect()
    }
}

impl std::fmt::Display for Fingerprint {
    /// `key=value` fields joined by `|`, as the agent's metadata shows them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (k, v)) in self.fields.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            write!(f, "{k}={v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_fingerprint_round_trips_and_names_every_field() {
        let fp = Fingerprint::current();
        let keys: Vec<&str> = fp.fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["moult", "rustc", "target", "profile", "panic", "layout"]
        );
        assert!(fp.differences(&fp).is_empty());
    }

    #[test]
    fn differences_name_both_values() {
        let app = Fingerprint::current();
        let mut lib = app.clone();
        lib.fields[1].1 = "1.0.0 (old)".into();
        let diff = app.differences(&lib);
        assert_eq!(diff.len(), 1);
        assert!(diff[0].starts_with("rustc: app `"), "{diff:?}");
        assert!(diff[0].ends_with("library `1.0.0 (old)`"), "{diff:?}");
    }

    #[test]
    fn a_library_fingerprint_says_its_allocator_forwards_and_otherwise_matches() {
        let library = Fingerprint::parse(&LIBRARY_FINGERPRINT_BYTES).expect("parses");
        assert_eq!(library.get("alloc"), Some("host"));
        assert_eq!(Fingerprint::current().get("alloc"), None);
        assert!(Fingerprint::current().differences(&library).is_empty());
    }

    #[test]
    fn garbage_is_not_a_fingerprint() {
        assert!(Fingerprint::parse(b"hello world").is_none());
        assert!(Fingerprint::parse(&[0u8; 16]).is_none());
    }
}
