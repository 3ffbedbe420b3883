//! The public keys an app trusts to sign its update libraries: minisign
//! public key files (`minisign -G`, `moult-console keygen`), read from paths
//! the app gives or from [`TRUSTED_KEYS_ENV`].

use std::io;
use std::path::{Path, PathBuf};

use minisign_verify::PublicKey;

/// The environment variable naming the public key files an app trusts,
/// separated by `:` like `PATH`. When it is set (even to names of missing
/// files) the app requires signed update libraries.
pub const TRUSTED_KEYS_ENV: &str = "MOULT_TRUSTED_KEYS";

/// One trusted public key and where it came from, so a refusal can name it.
#[derive(Debug, Clone)]
pub(crate) struct TrustedKey {
    /// The key itself (its id is inside: a signature names the key that made it).
    pub(crate) key: PublicKey,
    /// How to name it to a person: its comment line and its file.
    pub(crate) name: String,
}

/// A set of public keys an update library's signature must come from.
/// Build it with [`TrustedKeys::from_files`] or [`TrustedKeys::from_public_key`]
/// and hand it to [`crate::agent::require_signed`].
#[derive(Debug, Clone, Default)]
pub struct TrustedKeys {
    keys: Vec<TrustedKey>,
}

/// Why a trusted public key could not be read; the app cannot require
/// signatures with a key it cannot read, so this stops it early.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The key file cannot be read (missing, no permission).
    #[error("cannot read the public key {}: {source}", path.display())]
    Unreadable {
        /// The key file, to say which.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The text is no minisign public key.
    #[error(
        "{origin} is not a minisign public key ({source}); give the .pub file written by `moult-console keygen` or `minisign -G`"
    )]
    Malformed {
        /// The key file or the caller's name for the text, to say which.
        origin: String,
        /// What the parser said.
        #[source]
        source: minisign_verify::Error,
    },
    /// The environment variable is set but names no file.
    #[error(
        "{TRUSTED_KEYS_ENV} is set but names no public key file; give one or more paths separated by `:`, or unset it to accept unsigned update libraries"
    )]
    EmptyEnv,
}

/// Two errors are the same when they say the same thing (the OS and parser
/// errors inside have no equality), so [`crate::Error`] stays comparable.
impl PartialEq for TrustError {
    fn eq(&self, other: &TrustError) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for TrustError {}

impl TrustedKeys {
    /// Reads each minisign public key file in `paths` (two lines: a comment,
    /// then the key in base64). Fails on the first unreadable or malformed one.
    pub fn from_files<P: AsRef<Path>>(
        paths: impl IntoIterator<Item = P>,
    ) -> Result<TrustedKeys, TrustError> {
        let mut keys = TrustedKeys::default();
        for path in paths {
            let path = path.as_ref();
            let text = std::fs::read_to_string(path).map_err(|source| TrustError::Unreadable {
                path: path.to_path_buf(),
                source,
            })?;
            keys.add(&text, &path.display().to_string())?;
        }
        Ok(keys)
    }

    /// Parses one public key from `text`: the contents of a minisign public
    /// key file, or the base64 key line alone. `origin` names it in messages.
    pub fn from_public_key(text: &str, origin: &str) -> Result<TrustedKeys, TrustError> {
        let mut keys = TrustedKeys::default();
        keys.add(text, origin)?;
        Ok(keys)
    }

    /// The keys named by [`TRUSTED_KEYS_ENV`], or `None` when it is unset.
    pub fn from_env() -> Result<Option<TrustedKeys>, TrustError> {
        let Some(value) = std::env::var_os(TRUSTED_KEYS_ENV) else {
            return Ok(None);
        };
        let paths: Vec<PathBuf> = std::env::split_paths(&value)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if paths.is_empty() {
            return Err(TrustError::EmptyEnv);
        }
        TrustedKeys::from_files(paths).map(Some)
    }

    /// How many keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// `true` when the set holds no key (then nothing can be verified).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Adds the keys of `other` to this set.
    pub fn extend(&mut self, other: TrustedKeys) {
        self.keys.extend(other.keys);
    }

    /// The keys, for the verifier.
    pub(crate) fn keys(&self) -> &[TrustedKey] {
        &self.keys
    }

    /// The keys' names, `; `-separated, for a refusal.
    pub(crate) fn names(&self) -> String {
        if self.keys.is_empty() {
            return "none".to_string();
        }
        let names: Vec<&str> = self.keys.iter().map(|k| k.name.as_str()).collect();
        names.join("; ")
    }

    fn add(&mut self, text: &str, origin: &str) -> Result<(), TrustError> {
        let malformed = |source| TrustError::Malformed {
            origin: origin.to_string(),
            source,
        };
        let text = text.trim();
        let key = if text.lines().count() == 1 {
            PublicKey::from_base64(text).map_err(malformed)?
        } else {
            PublicKey::decode(text).map_err(malformed)?
        };
        let comment = key
            .untrusted_comment()
            .map(|c| {
                c.trim_start_matches("untrusted comment:")
                    .trim()
                    .to_string()
            })
            .filter(|c| !c.is_empty());
        let name = match comment {
            Some(comment) => format!("{comment} ({origin})"),
            None => origin.to_string(),
        };
        self.keys.push(TrustedKey { key, name });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A public key file as minisign writes it.
    const PUB: &str = "untrusted comment: minisign public key: E7620F1842B4E81F\nRWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n";

    #[test]
    fn a_public_key_file_or_its_base64_line_is_a_key_named_by_its_comment() {
        let keys = TrustedKeys::from_public_key(PUB, "ops.pub").unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(
            keys.names(),
            "minisign public key: E7620F1842B4E81F (ops.pub)"
        );
        let bare = TrustedKeys::from_public_key(
            "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3",
            "inline",
        )
        .unwrap();
        assert_eq!(bare.names(), "inline");
    }

    #[test]
    fn text_that_is_no_key_is_refused_naming_its_origin() {
        let err =
            TrustedKeys::from_public_key("untrusted comment: x\nnot base64!", "k.pub").unwrap_err();
        assert!(matches!(err, TrustError::Malformed { .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with("k.pub is not a minisign public key"),
            "{err}"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri: real files")]
    fn a_missing_key_file_keeps_the_os_error() {
        let err = TrustedKeys::from_files(["/nonexistent-moult-dir/k.pub"]).unwrap_err();
        let TrustError::Unreadable { source, .. } = &err else {
            panic!("{err}");
        };
        assert_eq!(source.kind(), io::ErrorKind::NotFound);
    }
}
