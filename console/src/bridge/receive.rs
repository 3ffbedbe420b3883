//! `moult-console bridge --receive <name> <sha256> <len>`: an update
//! library arriving on stdin, written into the runtime directory's
//! `uploads/` (directory `0700`, file `0600`, the remote user's own), its
//! length and SHA-256 checked before it is kept; its path is printed on
//! stdout for the `apply` that follows. Each arrival first sweeps the
//! runtime directory, which clears old copies and cut ones
//! ([`moult_rundir::uploads`]).
//!
//! A separate invocation rather than a request of the agent's protocol:
//! the agent never handles file transfers, and the bytes land where any
//! `apply` of this user could name them.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The folder of received libraries inside the runtime directory.
pub const UPLOADS: &str = moult_rundir::UPLOADS_DIR;

/// What a signature's file name ends with: minisign's, beside its library.
pub const SIGNATURE_SUFFIX: &str = ".minisig";

/// Largest library accepted (a debug update crate is a few MB).
pub const MAX_LEN: u64 = 1 << 30;

/// What the sender announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announced {
    /// The library's file name (no directory).
    pub name: String,
    /// Its SHA-256, 64 lowercase hex digits.
    pub sha256: String,
    /// Its length in bytes.
    pub len: u64,
}

impl Announced {
    /// Checks the three words of `--receive`.
    pub fn parse(name: &str, sha256: &str, len: &str) -> Result<Announced, String> {
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && name.len() <= 200
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c));
        if !plain {
            return Err(format!(
                "`{name}` is not a plain library file name (letters, digits, . _ + -)"
            ));
        }
        if sha256.len() != 64 || !sha256.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!("`{sha256}` is not a SHA-256 in hex"));
        }
        let len: u64 = len
            .parse()
            .map_err(|_| format!("`{len}` is not a length in bytes"))?;
        if len > MAX_LEN {
            return Err(format!(
                "{len} bytes is more than a library ({MAX_LEN} at most)"
            ));
        }
        Ok(Announced {
            name: name.to_string(),
            sha256: sha256.to_ascii_lowercase(),
            len,
        })
    }
}

/// Receives `announced` from `input` into `dir/uploads/`; returns the
/// kept file's path. A short or damaged copy is removed and refused.
pub fn receive(dir: &Path, announced: &Announced, input: impl Read) -> Result<PathBuf, String> {
    moult_rundir::sweep(dir, None);
    let uploads = dir.join(UPLOADS);
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&uploads)
        .map_err(|e| format!("cannot make {}: {e}", uploads.display()))?;
    // A signature is announced under its library's kept name + `.minisig`
    // (the agent looks for it beside the library); a library is kept under
    // its checksum, so two builds of one crate never overwrite each other.
    let kept = if announced.name.ends_with(SIGNATURE_SUFFIX) {
        uploads.join(&announced.name)
    } else {
        uploads.join(format!("{}-{}", &announced.sha256[..16], announced.name))
    };
    let part = uploads.join(format!(
        ".{}{}{}",
        announced.name,
        moult_rundir::uploads::PART_MARKER,
        std::process::id()
    ));
    let written = write_checked(&part, announced, input);
    match written {
        Ok(()) => fs::rename(&part, &kept).map_err(|e| {
            let _ = fs::remove_file(&part);
            format!("cannot keep {}: {e}", kept.display())
        })?,
        Err(e) => {
            let _ = fs::remove_file(&part);
            return Err(e);
        }
    }
    Ok(kept)
}

/// Writes exactly `announced.len` bytes to `part` (`0600`), hashing them.
fn write_checked(part: &Path, announced: &Announced, input: impl Read) -> Result<(), String> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(part)
        .map_err(|e| format!("cannot create {}: {e}", part.display()))?;
    let mut hasher = Sha256::new();
    let mut input = input.take(announced.len);
    let mut buf = vec![0u8; 64 * 1024];
    let mut got: u64 = 0;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("reading the library: {e}")),
        };
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n])
            .map_err(|e| format!("writing {}: {e}", part.display()))?;
        got += n as u64;
    }
    if got != announced.len {
        return Err(format!(
            "the copy ended after {got} of {} bytes (connection cut?)",
            announced.len
        ));
    }
    let sum = hex(&hasher.finalize());
    if sum != announced.sha256 {
        return Err(format!(
            "checksum mismatch: announced sha256 {}, received {sum}; the copy was damaged on the way",
            announced.sha256
        ));
    }
    file.sync_all()
        .map_err(|e| format!("writing {}: {e}", part.display()))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `bytes`, in hex (the sender's side).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn announce(bytes: &[u8]) -> Announced {
        Announced::parse("libup.so", &sha256_hex(bytes), &bytes.len().to_string()).unwrap()
    }

    #[test]
    fn a_whole_copy_is_kept_private_under_its_checksum() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = b"\x7fELF a library".to_vec();
        let path = receive(dir.path(), &announce(&bytes), &bytes[..]).unwrap();
        assert_eq!(fs::read(&path).unwrap(), bytes);
        assert!(
            path.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .ends_with("-libup.so")
        );
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join(UPLOADS)), 0o700);
    }

    #[test]
    fn a_short_or_damaged_copy_is_refused_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = b"0123456789".to_vec();
        let short = receive(dir.path(), &announce(&bytes), &bytes[..4]).unwrap_err();
        assert!(short.contains("ended after 4 of 10 bytes"), "{short}");
        let mut flipped = bytes.clone();
        flipped[3] ^= 1;
        let damaged = receive(dir.path(), &announce(&bytes), &flipped[..]).unwrap_err();
        assert!(damaged.starts_with("checksum mismatch"), "{damaged}");
        let left: Vec<_> = fs::read_dir(dir.path().join(UPLOADS)).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn an_arrival_clears_copies_past_their_retention() {
        let dir = tempfile::tempdir().unwrap();
        let old = b"an old library".to_vec();
        let old_path = receive(dir.path(), &announce(&old), &old[..]).unwrap();
        let past = moult_rundir::UPLOAD_RETENTION + std::time::Duration::from_secs(60);
        fs::File::options()
            .write(true)
            .open(&old_path)
            .unwrap()
            .set_modified(std::time::SystemTime::now() - past)
            .unwrap();
        let new = b"a new library".to_vec();
        let new_path = receive(dir.path(), &announce(&new), &new[..]).unwrap();
        assert!(!old_path.exists(), "swept: {}", old_path.display());
        assert_eq!(fs::read(&new_path).unwrap(), new);
    }

    #[test]
    fn names_and_sums_are_checked() {
        let sum = sha256_hex(b"");
        assert!(Announced::parse("../x.so", &sum, "1").is_err());
        assert!(Announced::parse("a b.so", &sum, "1").is_err());
        assert!(Announced::parse("x.so", "abc", "1").is_err());
        assert!(Announced::parse("x.so", &sum, "-1").is_err());
    }
}
