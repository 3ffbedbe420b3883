//! Signing update libraries for apps that require signed updates, and
//! making the keys to sign them with — in minisign's format, so `minisign`
//! keys work here and `minisign -V` checks what this writes.
//!
//! The signature of a library at `PATH` is written to `PATH.minisig`: the
//! agent looks for it there, beside the path it is asked to load. A library
//! sent to another host travels with its `.minisig`.

use std::io::Write;
use std::path::{Path, PathBuf};

use minisign::{KeyPair, PublicKey, SecretKey, SecretKeyBox};

/// What is appended to a library's path to name its signature file (the
/// agent's rule, `moult::library::signature::signature_path`).
pub const SIGNATURE_SUFFIX: &str = ".minisig";

/// Why a library could not be signed or a key pair made. The messages
/// leave the cause to the error's source, which the CLI prints after them.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// A file could not be read or written.
    #[error("{what} {}", path.display())]
    Io {
        /// What the file is (`cannot read the secret key`, …).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The secret key file is no minisign secret key, or its password is wrong.
    #[error(
        "cannot use the secret key {} (give the .key file written by `moult-console keygen` or `minisign -G`)",
        path.display()
    )]
    SecretKey {
        /// The key file.
        path: PathBuf,
        /// What minisign said.
        #[source]
        source: minisign::PError,
    },
    /// Signing or making keys failed inside minisign.
    #[error("{what}")]
    Minisign {
        /// What was being done.
        what: &'static str,
        /// What minisign said.
        #[source]
        source: minisign::PError,
    },
    /// `keygen` would overwrite a key file.
    #[error("{} exists; keygen never overwrites a key: pick another --out", path.display())]
    Exists {
        /// The existing file.
        path: PathBuf,
    },
}

/// The signature file of the library at `library`: its path + `.minisig`.
pub fn signature_path(library: &Path) -> PathBuf {
    let mut name = library.as_os_str().to_os_string();
    name.push(SIGNATURE_SUFFIX);
    PathBuf::from(name)
}

/// A key's id as minisign prints it (16 hex digits).
fn key_id(keynum: &[u8]) -> String {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&keynum[..8]);
    format!("{:016X}", u64::from_le_bytes(bytes))
}

/// Reads the secret key at `path`; a password-protected one asks for its
/// password on the terminal.
pub fn read_secret_key(path: &Path) -> Result<SecretKey, SigningError> {
    let text = std::fs::read_to_string(path).map_err(|source| SigningError::Io {
        what: "cannot read the secret key",
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |source| SigningError::SecretKey {
        path: path.to_path_buf(),
        source,
    };
    let boxed = SecretKeyBox::from_string(&text).map_err(bad)?;
    match SecretKey::from_unencrypted_box(boxed.clone()) {
        Ok(key) => Ok(key),
        // minisign says a key "might be encrypted" only when its header
        // names a KDF: then it asks for the password (and says if wrong).
        Err(e) if e.to_string().contains("encrypted") => {
            SecretKey::from_box(boxed, None).map_err(bad)
        }
        Err(e) => Err(bad(e)),
    }
}

/// Signs the file at `library` with `key`; writes `<library>.minisig` (whole
/// or not at all) and returns its path.
pub fn sign(library: &Path, key: &SecretKey) -> Result<PathBuf, SigningError> {
    let file = std::fs::File::open(library).map_err(|source| SigningError::Io {
        what: "cannot read the library",
        path: library.to_path_buf(),
        source,
    })?;
    let public = PublicKey::from_secret_key(key).map_err(|source| SigningError::Minisign {
        what: "cannot derive the public key",
        source,
    })?;
    let name = library
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // minisign's own trusted comment; authenticated by the signature.
    let trusted = format!("timestamp:{now}\tfile:{name}\thashed");
    let untrusted = format!(
        "signature from moult-console, key {}",
        key_id(public.keynum())
    );
    let signature = minisign::sign(
        Some(&public),
        key,
        std::io::BufReader::new(file),
        Some(&trusted),
        Some(&untrusted),
    )
    .map_err(|source| SigningError::Minisign {
        what: "cannot sign",
        source,
    })?;
    let path = signature_path(library);
    write_replacing(&path, signature.into_string().as_bytes())?;
    Ok(path)
}

/// Writes `bytes` to `path` through a temporary file renamed over it, so an
/// agent never reads half a signature.
fn write_replacing(path: &Path, bytes: &[u8]) -> Result<(), SigningError> {
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let io = |what, path: &Path| {
        let path = path.to_path_buf();
        move |source| SigningError::Io { what, path, source }
    };
    std::fs::write(&tmp, bytes).map_err(io("cannot write the signature", &tmp))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io("cannot write the signature", path)(e)
    })
}

/// The files `keygen` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFiles {
    /// `<prefix>.pub`: give it to the apps (`MOULT_TRUSTED_KEYS`).
    pub public: PathBuf,
    /// `<prefix>.key` (mode 0600): keep it where updates are signed.
    pub secret: PathBuf,
    /// The key's id, as the signatures it makes name it.
    pub id: String,
}

/// How `keygen` protects the secret key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protection {
    /// Stored unencrypted (tests, signing machines with their own protection).
    None,
    /// Encrypted with this password (minisign's scrypt).
    Password(String),
    /// Encrypted with a password asked twice on the terminal.
    Prompt,
}

/// Makes a key pair: `<prefix>.pub` and `<prefix>.key` (0600), never
/// overwriting either, its secret key protected as `protection` says.
pub fn keygen(prefix: &Path, protection: Protection) -> Result<KeyFiles, SigningError> {
    use std::os::unix::fs::OpenOptionsExt;
    let with = |ext: &str| {
        let mut p = prefix.as_os_str().to_os_string();
        p.push(ext);
        PathBuf::from(p)
    };
    let (public_path, secret_path) = (with(".pub"), with(".key"));
    for path in [&public_path, &secret_path] {
        if path.exists() {
            return Err(SigningError::Exists { path: path.clone() });
        }
    }
    let made = |source| SigningError::Minisign {
        what: "cannot make a key pair",
        source,
    };
    let pair = match protection {
        Protection::None => KeyPair::generate_unencrypted_keypair(),
        Protection::Password(password) => KeyPair::generate_encrypted_keypair(Some(password)),
        Protection::Prompt => KeyPair::generate_encrypted_keypair(None),
    }
    .map_err(made)?;
    let id = key_id(pair.pk.keynum());
    let public = pair.pk.to_box().map_err(made)?.into_string();
    let secret = pair
        .sk
        .to_box(Some(&format!("moult-console secret key {id}")))
        .map_err(made)?
        .into_string();
    let create = |path: &Path, mode: u32, text: &str| {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(|source| SigningError::Io {
                what: "cannot write the key",
                path: path.to_path_buf(),
                source,
            })
    };
    create(&secret_path, 0o600, &secret)?;
    create(&public_path, 0o644, &public)?;
    Ok(KeyFiles {
        public: public_path,
        secret: secret_path,
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keygen_then_sign_writes_a_signature_minisign_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let keys = keygen(&dir.path().join("ops"), Protection::None).unwrap();
        assert_eq!(keys.public, dir.path().join("ops.pub"));
        let public = std::fs::read_to_string(&keys.public).unwrap();
        assert!(public.contains(&keys.id), "{public}");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&keys.secret)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);

        let library = dir.path().join("libupd.so");
        std::fs::write(&library, b"update bytes").unwrap();
        let secret = read_secret_key(&keys.secret).unwrap();
        let sig = sign(&library, &secret).unwrap();
        assert_eq!(sig, dir.path().join("libupd.so.minisig"));
        let text = std::fs::read_to_string(&sig).unwrap();
        assert!(text.contains(&format!("key {}", keys.id)), "{text}");

        let pk = PublicKey::from_file(&keys.public).unwrap();
        let boxed = minisign::SignatureBox::from_string(&text).unwrap();
        let verify = |bytes: &[u8]| {
            minisign::verify(&pk, &boxed, std::io::Cursor::new(bytes), true, false, false)
        };
        assert!(verify(b"update bytes").is_ok());
        assert!(verify(b"update bytez").is_err());
    }

    #[test]
    fn keygen_never_overwrites_a_key() {
        let dir = tempfile::tempdir().unwrap();
        keygen(&dir.path().join("ops"), Protection::None).unwrap();
        let err = keygen(&dir.path().join("ops"), Protection::None).unwrap_err();
        assert!(matches!(err, SigningError::Exists { .. }), "{err}");
    }

    #[test]
    fn an_encrypted_key_signs_with_its_password_and_garbage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let keys = keygen(&dir.path().join("ops"), Protection::Password("pw".into())).unwrap();
        let text = std::fs::read_to_string(&keys.secret).unwrap();
        let key = SecretKey::from_box(SecretKeyBox::from_string(&text).unwrap(), Some("pw".into()));
        assert!(key.is_ok());
        std::fs::write(dir.path().join("bad.key"), "not a key\n").unwrap();
        let err = read_secret_key(&dir.path().join("bad.key")).unwrap_err();
        assert!(
            err.to_string().contains("cannot use the secret key"),
            "{err}"
        );
    }
}
