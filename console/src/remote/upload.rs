//! A library copied to the far side of a [`Link`] for a remote `apply`:
//! `moult-console bridge --receive <name> <sha256> <len>` runs there, the
//! bytes go over its stdin, and it prints where it kept them once their
//! length and checksum match (see [`crate::bridge::receive`]).

use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use crate::bridge::receive::sha256_hex;
use crate::remote::RemoteError;
use crate::remote::link::Link;
use crate::transport::Transport;

/// A library kept on the far side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// Its path there, for `apply`.
    pub remote_path: String,
    /// Its size in bytes.
    pub len: u64,
    /// Its SHA-256, checked there.
    pub sha256: String,
}

/// Time allowed for an upload: a minute, plus a second per 256 KiB.
fn allowed(len: u64) -> Duration {
    Duration::from_secs(60 + len / (256 * 1024))
}

/// Copies the library at `library` over `link`; the path it was kept at.
pub fn upload(link: &Link, library: &Path) -> Result<Uploaded, RemoteError> {
    let name = library
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| RemoteError::Bridge {
            host: "this machine".into(),
            message: format!("{} has no file name", library.display()),
        })?
        .to_string();
    upload_as(link, library, &name)
}

/// Copies the file at `path` over `link`, announced as `name` (a
/// signature is announced as the kept library's name + `.minisig`, which
/// the far side keeps under that very name, beside the library).
pub fn upload_as(link: &Link, path: &Path, name: &str) -> Result<Uploaded, RemoteError> {
    let refused = |message: String| RemoteError::Bridge {
        host: "this machine".into(),
        message,
    };
    let bytes =
        std::fs::read(path).map_err(|e| refused(format!("cannot read {}: {e}", path.display())))?;
    let name = name.to_string();
    let sha256 = sha256_hex(&bytes);
    let len = bytes.len() as u64;
    let mut child = link.run(&["bridge", "--receive", &name, &sha256, &len.to_string()])?;
    let mut stdin = child.take_writer().expect("a new child's stdin is free");
    let mut stdout = child.take_reader().expect("a new child's stdout is free");
    // The bytes go from a thread: a far side that stops reading must not
    // hold this one past the time allowed.
    std::thread::Builder::new()
        .name("moult-console upload".into())
        .spawn(move || {
            let _ = stdin.write_all(&bytes);
        })
        .map_err(|e| refused(format!("cannot start the upload: {e}")))?;
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("moult-console upload reply".into())
        .spawn(move || {
            let mut said = String::new();
            let _ = stdout.read_to_string(&mut said);
            let _ = tx.send(said);
        })
        .map_err(|e| refused(format!("cannot start the upload: {e}")))?;
    let said = match rx.recv_timeout(allowed(len)) {
        Ok(said) => said,
        Err(_) => {
            child.close();
            return Err(RemoteError::Lost {
                host: link.label().to_string(),
                reason: format!(
                    "the copy of {name} did not finish within {} s",
                    allowed(len).as_secs()
                ),
            });
        }
    };
    if let Some(failed) = child.end_error() {
        return Err(failed);
    }
    match said.trim() {
        "" => Err(RemoteError::Bridge {
            host: link.label().to_string(),
            message: "the receiving console said nowhere it kept the library".into(),
        }),
        path => Ok(Uploaded {
            remote_path: path.to_string(),
            len,
            sha256,
        }),
    }
}
