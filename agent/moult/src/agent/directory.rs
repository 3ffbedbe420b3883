//! The per-user runtime directory, on the agent's side: created private and
//! checked to be ours. What is in it, who is alive and how it is swept are
//! the runtime directory's shared rules ([`moult_rundir`]).

use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use moult_protocol::discovery;

/// Why the runtime directory cannot hold this agent's files. Each message
/// says what to do; the OS's error stays reachable as the source.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// The directory (or a parent) could not be created.
    #[error(
        "cannot create the runtime directory {}: {source}; make its parent writable or set {} to a directory of your own",
        dir.display(),
        discovery::DIR_ENV
    )]
    Create {
        /// The directory, to say which.
        dir: PathBuf,
        /// What the OS said (its kind tells a permission from a missing parent).
        #[source]
        source: io::Error,
    },
    /// The directory exists but its metadata cannot be read.
    #[error(
        "cannot inspect the runtime directory {}: {source}; set {} to a directory of your own",
        dir.display(),
        discovery::DIR_ENV
    )]
    Inspect {
        /// The directory, to say which.
        dir: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The path is a symlink or a file, not a directory.
    #[error(
        "{} is not a directory (a symlink?); remove it or set {} to a directory of your own",
        dir.display(),
        discovery::DIR_ENV
    )]
    NotADirectory {
        /// The path, to say which.
        dir: PathBuf,
    },
    /// Another user owns it: their agents' sockets are not ours to share.
    #[error(
        "{} belongs to uid {owner}, not to you (uid {euid}); set {} to a directory of your own",
        dir.display(),
        discovery::DIR_ENV
    )]
    NotOwned {
        /// The directory, to say which.
        dir: PathBuf,
        /// Its owner.
        owner: u32,
        /// This process's effective uid.
        euid: u32,
    },
    /// Its mode is looser than `0700` and could not be tightened.
    #[error(
        "cannot make the runtime directory {} private (mode 0700): {source}; fix its mode or set {} to a directory of your own",
        dir.display(),
        discovery::DIR_ENV
    )]
    MakePrivate {
        /// The directory, to say which.
        dir: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
}

/// The user's runtime directory ([`discovery::runtime_dir`]), prepared by
/// [`prepare_at`].
pub(crate) fn prepare(euid: u32) -> Result<PathBuf, DirectoryError> {
    let dir = discovery::runtime_dir(euid);
    prepare_at(&dir, euid)?;
    Ok(dir)
}

/// Creates `dir` `0700` if missing. Refused if it is not a real directory
/// owned by `euid`; its mode is tightened to `0700` if it is looser (the
/// socket's only fence against other users besides the peer-credential
/// check).
pub(crate) fn prepare_at(dir: &Path, euid: u32) -> Result<(), DirectoryError> {
    let at = || dir.to_path_buf();
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| DirectoryError::Create { dir: at(), source })?;
    let meta = std::fs::symlink_metadata(dir)
        .map_err(|source| DirectoryError::Inspect { dir: at(), source })?;
    if !meta.is_dir() {
        return Err(DirectoryError::NotADirectory { dir: at() });
    }
    if meta.uid() != euid {
        return Err(DirectoryError::NotOwned {
            dir: at(),
            owner: meta.uid(),
            euid,
        });
    }
    if meta.mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|source| DirectoryError::MakePrivate { dir: at(), source })?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically (temp file + rename), mode `0600`, so
/// a reader never sees half a metadata file.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(bytes)?;
    drop(f);
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "Miri: real directories")]
    fn a_directory_under_a_file_keeps_the_os_error_kind() {
        let parent = std::env::temp_dir().join(format!("moult-dir-{}", std::process::id()));
        std::fs::write(&parent, "a file, not a directory").unwrap();
        let err = prepare_at(&parent.join("moult"), 0).unwrap_err();
        let kind = err
            .source()
            .and_then(|s| s.downcast_ref::<io::Error>())
            .map(io::Error::kind);
        assert_eq!(kind, Some(io::ErrorKind::NotADirectory), "{err}");
        assert!(
            err.to_string()
                .starts_with("cannot create the runtime directory"),
            "{err}"
        );
        assert!(err.to_string().contains(discovery::DIR_ENV), "{err}");
        std::fs::remove_file(&parent).unwrap();
    }
}
