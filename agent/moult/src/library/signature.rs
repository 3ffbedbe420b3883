//! Verifying an update library's minisign signature against the app's
//! trusted keys, over the exact bytes that will be loaded.
//!
//! The signature of a library at `PATH` is the file `PATH.minisig`
//! ([`signature_path`]): what `moult-console sign` and `minisign -S -m PATH`
//! write. Only prehashed signatures (minisign's default since 0.8) are
//! accepted: they are checked by streaming the file through BLAKE2b, so a
//! library is never read whole into the heap (see `loader.rs`).

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use minisign_verify::Signature;

use super::trusted_keys::TrustedKeys;

/// What is appended to a library's path to name its signature file.
pub const SIGNATURE_SUFFIX: &str = ".minisig";

/// A signature file larger than this is no minisign signature (one is a
/// few hundred bytes; the trusted comment is one line).
const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

/// The signature file of the library at `library`: its path + `.minisig`.
/// It travels with the library: whoever copies a library to another host
/// copies this file beside it.
pub fn signature_path(library: &Path) -> PathBuf {
    let mut name = library.as_os_str().to_os_string();
    name.push(SIGNATURE_SUFFIX);
    PathBuf::from(name)
}

/// Why a library's signature does not satisfy the app's trusted keys; each
/// message names the cause and what to do.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// There is no signature file beside the library.
    #[error(
        "not signed: no signature {} beside it, and this app requires signed update libraries; sign it with `moult-console sign <library> --key <secret key>` (or `minisign -S -m <library>`) and keep the .minisig beside the library",
        path.display()
    )]
    Missing {
        /// The signature file looked for.
        path: PathBuf,
    },
    /// The signature file exists but cannot be read.
    #[error("cannot read its signature {}: {source}", path.display())]
    Unreadable {
        /// The signature file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The signature file is no minisign signature.
    #[error("its signature {} is not a minisign signature ({why})", path.display())]
    Malformed {
        /// The signature file.
        path: PathBuf,
        /// What is wrong with it, in words.
        why: String,
    },
    /// A legacy signature: it signs the whole file, not its hash, and
    /// cannot be checked without reading the library whole.
    #[error(
        "its signature {} is a legacy minisign signature; sign the library again with `moult-console sign` or `minisign -S` (prehashed, the default)",
        path.display()
    )]
    Legacy {
        /// The signature file.
        path: PathBuf,
    },
    /// The signature was made by a key the app does not trust.
    #[error(
        "signed by a key this app does not trust (the signature says: {signer}); trusted keys: {trusted}"
    )]
    UntrustedKey {
        /// The signature's own comment (unauthenticated: it only helps a person).
        signer: String,
        /// The trusted keys' names.
        trusted: String,
    },
    /// The file's bytes do not match the signature.
    #[error(
        "its bytes do not match its signature {} (key {key}): the library changed after it was signed (tampered with, or rebuilt without signing again)",
        path.display()
    )]
    Mismatch {
        /// The signature file.
        path: PathBuf,
        /// The trusted key whose id the signature carries.
        key: String,
    },
    /// The library's bytes could not be read to verify them.
    #[error("cannot read the library to verify its signature: {source}")]
    LibraryUnreadable {
        /// What the OS said.
        #[source]
        source: io::Error,
    },
}

/// Checks that `signature` (a `.minisig` file) is a signature, by one of
/// `trusted`, of the bytes of the file `library`. Returns the name of the
/// key that signed it.
pub fn verify(
    library: &Path,
    signature: &Path,
    trusted: &TrustedKeys,
) -> Result<String, SignatureError> {
    let sig = read_signature(signature)?;
    let mut chosen = None;
    for key in trusted.keys() {
        match key.key.verify_stream(&sig) {
            Ok(verifier) => {
                chosen = Some((key, verifier));
                break;
            }
            Err(minisign_verify::Error::UnsupportedLegacyMode) => {
                return Err(SignatureError::Legacy {
                    path: signature.to_path_buf(),
                });
            }
            // Another key id: try the next trusted key.
            Err(_) => continue,
        }
    }
    let Some((key, mut verifier)) = chosen else {
        let signer = sig
            .untrusted_comment()
            .trim_start_matches("untrusted comment:")
            .trim()
            .to_string();
        return Err(SignatureError::UntrustedKey {
            signer,
            trusted: trusted.names(),
        });
    };
    let unreadable = |source| SignatureError::LibraryUnreadable { source };
    let mut file = std::fs::File::open(library).map_err(unreadable)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => verifier.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(unreadable(e)),
        }
    }
    verifier.finalize().map_err(|_| SignatureError::Mismatch {
        path: signature.to_path_buf(),
        key: key.name.clone(),
    })?;
    Ok(key.name.clone())
}

/// Reads and parses the signature file at `path`.
fn read_signature(path: &Path) -> Result<Signature, SignatureError> {
    let malformed = |why: String| SignatureError::Malformed {
        path: path.to_path_buf(),
        why,
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(SignatureError::Missing {
                path: path.to_path_buf(),
            });
        }
        Err(source) => {
            return Err(SignatureError::Unreadable {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut bytes = Vec::new();
    file.take(MAX_SIGNATURE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| SignatureError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > MAX_SIGNATURE_BYTES {
        return Err(malformed(format!(
            "larger than {MAX_SIGNATURE_BYTES} bytes"
        )));
    }
    let text = String::from_utf8(bytes).map_err(|_| malformed("not UTF-8 text".into()))?;
    Signature::decode(&text).map_err(|e| malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    //! Minisign's published test vector (a key and its signatures of the
    //! four bytes `test`), written to files: no signing crate is needed
    //! here. Signing real libraries is tested end to end (tests/tests/signed.rs).
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// The public key of minisign-verify's own test vector (message `test`).
    const PUB: &str = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";
    /// A prehashed signature of the four bytes `test` by [`PUB`].
    const SIG: &str = "untrusted comment: signature from minisign secret key\nRUQf6LRCGA9i559r3g7V1qNyJDApGip8MfqcadIgT9CuhV3EMhHoN1mGTkUidF/z7SrlQgXdy8ofjb7bNJJylDOocrCo8KLzZwo=\ntrusted comment: timestamp:1633700835\tfile:test\tprehashed\nwLMDjy9FLAuxZ3q4NlEvkgtyhrr0gtTu6KC4KBJdITbbOeAi1zBIYo0v4iTgt8jJpIidRJnp94ABQkJAgAooBQ==\n";
    /// A legacy (not prehashed) signature of `test` by [`PUB`].
    const LEGACY_SIG: &str = "untrusted comment: signature from minisign secret key\nRWQf6LRCGA9i59SLOFxz6NxvASXDJeRtuZykwQepbDEGt87ig1BNpWaVWuNrm73YiIiJbq71Wi+dP9eKL8OC351vwIasSSbXxwA=\ntrusted comment: timestamp:1555779966\tfile:test\nQtKMXWyYcwdpZAlPF7tE2ENJkRd1ujvKjlj1m9RtHTBnZPa5WKU5uWRs5GoP5M/VqE81QFuMKI5k/SfNQUaOAA==\n";
    /// [`PUB`] with another key id: a key that signed nothing here.
    const OTHER_PUB: &str = "RWQfXLRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";

    /// A fresh directory for one test's files.
    fn dir() -> PathBuf {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "moult-signature-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Writes `library` with `bytes` and, if given, its signature; returns the library.
    fn files(bytes: &[u8], sig: Option<&str>) -> PathBuf {
        let library = dir().join("libupd.so");
        std::fs::write(&library, bytes).unwrap();
        if let Some(sig) = sig {
            std::fs::write(signature_path(&library), sig).unwrap();
        }
        library
    }

    fn trusted(key: &str) -> TrustedKeys {
        TrustedKeys::from_public_key(key, "test.pub").unwrap()
    }

    fn check(library: &Path, keys: &TrustedKeys) -> Result<String, SignatureError> {
        verify(library, &signature_path(library), keys)
    }

    #[test]
    fn the_signature_file_is_the_library_path_plus_minisig() {
        assert_eq!(
            signature_path(Path::new("/x/libupd.so")),
            Path::new("/x/libupd.so.minisig")
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri: real files")]
    fn a_file_signed_by_a_trusted_key_verifies_and_names_it() {
        let library = files(b"test", Some(SIG));
        assert_eq!(check(&library, &trusted(PUB)).unwrap(), "test.pub");
        // Among several trusted keys, the one with the signature's id is used.
        let mut keys = trusted(OTHER_PUB);
        keys.extend(trusted(PUB));
        assert_eq!(check(&library, &keys).unwrap(), "test.pub");
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri: real files")]
    fn a_missing_signature_is_refused_as_not_signed() {
        let library = files(b"test", None);
        let err = check(&library, &trusted(PUB)).unwrap_err();
        assert!(matches!(err, SignatureError::Missing { .. }), "{err}");
        assert!(
            err.to_string().starts_with("not signed: no signature "),
            "{err}"
        );
        assert!(err.to_string().contains("libupd.so.minisig"), "{err}");
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri: real files")]
    fn a_signature_by_another_key_is_refused_naming_the_trusted_ones() {
        let library = files(b"test", Some(SIG));
        let err = check(&library, &trusted(OTHER_PUB)).unwrap_err();
        assert!(matches!(err, SignatureError::UntrustedKey { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("signature from minisign secret key")
                && err.to_string().contains("trusted keys: test.pub"),
            "{err}"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri: real files")]
    fn one_changed_byte_is_refused_as_a_mismatch() {
        let library = files(b"tesT", Some(SIG));
        let err = check(&library, &trusted(PUB)).unwrap_err();
        assert!(matches!(err, SignatureError::Mismatch { .. }), "{err}");
        assert!(
            err.to_string().contains("changed after it was signed"),
            "{err}"
        );
        // One byte more is a change too.
        let library = files(b"test\0", Some(SIG));
        let err = check(&library, &trusted(PUB)).unwrap_err();
        assert!(matches!(err, SignatureError::Mismatch { .. }), "{err}");
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri: real files")]
    fn a_tampered_trusted_comment_is_refused() {
        let forged = SIG.replace("timestamp:1633700835", "timestamp:1633700836");
        let library = files(b"test", Some(&forged));
        let err = check(&library, &trusted(PUB)).unwrap_err();
        assert!(matches!(err, SignatureError::Mismatch { .. }), "{err}");
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri: real files")]
    fn legacy_garbage_and_oversized_signatures_are_refused_with_their_reason() {
        let library = files(b"test", Some(LEGACY_SIG));
        let err = check(&library, &trusted(PUB)).unwrap_err();
        assert!(matches!(err, SignatureError::Legacy { .. }), "{err}");

        let library = files(b"test", Some("hello\nworld\n"));
        let err = check(&library, &trusted(PUB)).unwrap_err();
        assert!(matches!(err, SignatureError::Malformed { .. }), "{err}");

        let huge = "x".repeat(MAX_SIGNATURE_BYTES as usize + 1);
        let library = files(b"test", Some(&huge));
        let err = check(&library, &trusted(PUB)).unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
    }
}
