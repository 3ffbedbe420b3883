//! Loading an update library: check, copy, `dlopen`, call the entry, keep.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use moult_protocol::EventKind;
use object::{Object, ObjectSection};

use super::entry::{ENTRY_SYMBOL, EntryFn, EntryOut, EntryStatus};
use super::fingerprint::{ALLOC_FIELD, FINGERPRINT_SECTION, Fingerprint};
use super::signature::{self, signature_path};
use super::{LoadError, Loaded, LoadedLibrary};
use crate::update::{Update, UpdateId};
use crate::{Error, Runtime};

/// A library whose updates are ready to submit.
pub struct Staged {
    /// The library file as given.
    pub path: PathBuf,
    /// Its updates, in the order the library returned them.
    pub updates: Vec<Box<dyn Update>>,
}

impl std::fmt::Debug for Staged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.updates.iter().map(|u| u.name()).collect();
        f.debug_struct("Staged")
            .field("path", &self.path)
            .field("updates", &names)
            .finish()
    }
}

/// Loads the update library at `path` and submits its updates to the
/// manager; returns their ids (await them with [`Runtime::wait`]).
pub fn load_update(path: impl AsRef<Path>) -> Result<Vec<UpdateId>, Error> {
    let staged = stage(path)?;
    let rt = crate::runtime();
    Ok(staged.updates.into_iter().map(|u| rt.submit(u)).collect())
}

/// Loads the update library at `path` and returns its updates without
/// submitting them. Copies the file to a unique path and refuses, before any
/// library code runs: a missing or non-regular file; when the app requires
/// signed updates ([`super::require_signed`], `MOULT_TRUSTED_KEYS`), a copy
/// whose bytes are not signed by a trusted key in `<path>.minisig`; a file
/// that is not a moult update library; a fingerprint that differs from the
/// app's. Then `dlopen`s the copy (never closed), and calls its entry.
pub fn stage(path: impl AsRef<Path>) -> Result<Staged, Error> {
    let path = path.as_ref();
    stage_checked(path).inspect_err(|e| {
        let reason = match e {
            Error::Library { reason, .. } => reason.to_string(),
            other => other.to_string(),
        };
        crate::runtime().events.emit(EventKind::LibraryRefused {
            path: path.display().to_string(),
            reason,
        });
    })
}

fn stage_checked(path: &Path) -> Result<Staged, Error> {
    let fail = |reason: LoadError| Error::Library {
        path: path.display().to_string(),
        reason: std::sync::Arc::new(reason),
    };
    let source = open_regular_file(path).map_err(fail)?;
    // The copy, not the source, is checked and then loaded: what was checked
    // is what runs, even if the source changes meanwhile. Never read whole
    // into the heap: a library-sized buffer per load made glibc raise its
    // mmap threshold and keep the freed buffers, megabytes per load.
    let (copy, size_bytes) = unique_copy(path, source).map_err(fail)?;
    // The signature first: nothing of an untrusted file is parsed.
    let checked = check_signature(path, &copy)
        .and_then(|signed_by| Ok((signed_by, check_fingerprint(&copy)?)));
    let (signed_by, fingerprint) = match checked {
        Ok(checked) => checked,
        Err(reason) => {
            let _ = std::fs::remove_file(&copy);
            return Err(fail(reason));
        }
    };

    let rt = crate::runtime();
    // SAFETY: the fingerprint matched, so the library was built by this
    // compiler from this moult; its initialisers are ordinary Rust statics.
    let library = unsafe { libloading::Library::new(&copy) }
        .map_err(|source| fail(LoadError::Dlopen { source }))?;
    // SAFETY: the symbol's type is fixed by #[moult::update_library].
    let entry: Option<EntryFn> = unsafe { library.get::<EntryFn>(ENTRY_SYMBOL) }
        .ok()
        .map(|s| *s);
    let updates = match entry {
        None => Err(LoadError::NoEntry {
            symbol: String::from_utf8_lossy(ENTRY_SYMBOL).into_owned(),
        }),
        Some(entry) => call_entry(rt, entry),
    };
    // Kept even on failure: the entry may have run code we must not unmap.
    rt.libraries.keep(Loaded {
        view: LoadedLibrary {
            path: path.to_path_buf(),
            copy,
            fingerprint: fingerprint.to_string(),
            signed_by,
            size_bytes,
            loaded_at: std::time::SystemTime::now(),
        },
        _library: library,
    });
    let updates = updates.map_err(fail)?;
    rt.events.emit(EventKind::LibraryLoaded {
        path: path.display().to_string(),
        updates: updates.iter().map(|u| u.name().to_string()).collect(),
    });
    Ok(Staged {
        path: path.to_path_buf(),
        updates,
    })
}

fn call_entry(rt: &'static Runtime, entry: EntryFn) -> Result<Vec<Box<dyn Update>>, LoadError> {
    let mut out: EntryOut = None;
    // SAFETY: fingerprint checked; `out` is a valid EntryOut; the entry
    // catches every panic itself.
    let status = unsafe { entry(rt, &mut out) };
    match (status, out) {
        (EntryStatus::Ok, Some(Ok(updates))) => Ok(updates),
        (EntryStatus::Error, Some(Err(e))) => Err(LoadError::EntryRefused(e.to_string())),
        (EntryStatus::Panicked, Some(Err(e))) => Err(LoadError::EntryPanicked(e.to_string())),
        (status, _) => Err(LoadError::EntryInconsistent(format!("{status:?}"))),
    }
}

/// When the app requires signed updates, checks the bytes of `copy` (the
/// private copy of `path`, which no other user can change before `dlopen`)
/// against the signature beside the path given, `<path>.minisig`. Returns
/// the trusted key that signed it, or `None` when signatures are not required.
fn check_signature(path: &Path, copy: &Path) -> Result<Option<String>, LoadError> {
    let keys = crate::runtime()
        .libraries
        .trust
        .required_keys()
        .map_err(|source| LoadError::TrustedKeys { source })?;
    let Some(keys) = keys else {
        return Ok(None);
    };
    signature::verify(copy, &signature_path(path), &keys)
        .map(Some)
        .map_err(LoadError::Signature)
}

fn open_regular_file(path: &Path) -> Result<std::fs::File, LoadError> {
    let unreadable = |source| LoadError::Unreadable { source };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(LoadError::NotAFile);
    }
    std::fs::File::open(path).map_err(unreadable)
}

/// Checks the fingerprint of the library file at `copy`, reading only its
/// headers and the sections the parser needs (through a read cache).
/// Returns the library's fingerprint.
fn check_fingerprint(copy: &Path) -> Result<Fingerprint, LoadError> {
    let file = std::fs::File::open(copy).map_err(|source| LoadError::CopyUnreadable { source })?;
    let cache = object::read::ReadCache::new(file);
    let not_update = |why: &str| LoadError::NotAnUpdateLibrary {
        why: why.to_string(),
    };
    let file = object::File::parse(&cache)
        .map_err(|e| not_update(&format!("not a shared object: {e}")))?;
    let section = file
        .section_by_name(FINGERPRINT_SECTION)
        .ok_or_else(|| not_update(&format!("no {FINGERPRINT_SECTION} section")))?;
    let data = section
        .data()
        .map_err(|e| not_update(&format!("unreadable {FINGERPRINT_SECTION}: {e}")))?;
    let library = Fingerprint::parse(data).ok_or_else(|| not_update("malformed fingerprint"))?;
    let differences = Fingerprint::current().differences(&library);
    if !differences.is_empty() {
        return Err(LoadError::BuiltDifferently {
            differences: differences.join("; "),
        });
    }
    let (key, forwards) = ALLOC_FIELD;
    if library.get(key) != Some(forwards) {
        return Err(LoadError::ForeignAllocator {
            field: format!("{key}={forwards}"),
        });
    }
    Ok(library)
}

/// Makes this process's directory of library copies now (and sweeps the
/// dead processes' ones), ahead of the first load: the agent's thread calls
/// it as it starts, so that the first update does not pay for the sweep
/// (1–3 ms of a kv-server's CPU at its first apply, under load). A failure
/// is left for that load to report.
pub(crate) fn prepare_copies_dir() {
    let _ = copies_dir();
}

/// This process's directory of library copies, `$TMPDIR/moult-<uid>/libs-<pid>`,
/// made once per process. Copies stay while their process lives (their code
/// is mapped, and backtraces read symbols from the file); the directories
/// of dead processes are removed here, and so is a leftover directory of a
/// dead process that had this pid, so every copy in it is this process's.
/// A failure is not remembered: the next load tries again.
fn copies_dir() -> Result<&'static Path, LoadError> {
    use std::os::unix::fs::DirBuilderExt;
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    static MAKING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = MAKING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(dir) = DIR.get() {
        return Ok(dir);
    }
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    let parent = std::env::temp_dir().join(format!("moult-{uid}"));
    sweep_dead_copies(&parent);
    let dir = parent.join(format!("libs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|source| LoadError::CopiesDir {
            dir: dir.clone(),
            source,
        })?;
    Ok(DIR.get_or_init(|| dir))
}

/// Removes the `libs-<pid>` directories in `parent` whose process is gone.
fn sweep_dead_copies(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("libs-"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !moult_rundir::process_alive(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Copies `source` (opened from `path`) to a fresh file in a private
/// per-process directory, streaming (no library-sized buffer). Returns the
/// copy and its size in bytes.
fn unique_copy(path: &Path, mut source: std::fs::File) -> Result<(PathBuf, u64), LoadError> {
    use std::os::unix::fs::OpenOptionsExt;
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = copies_dir()?;
    let stem = path
        .file_name()
        .map_or_else(|| "update.so".into(), |n| n.to_string_lossy().into_owned());
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let copy = dir.join(format!("{n}-{stem}"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o700)
            .open(&copy)
        {
            Ok(mut f) => {
                return match std::io::copy(&mut source, &mut f) {
                    Ok(size_bytes) => Ok((copy, size_bytes)),
                    Err(source) => {
                        let _ = std::fs::remove_file(&copy);
                        Err(LoadError::Copy { copy, source })
                    }
                };
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(LoadError::Copy { copy, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "Miri: real files")]
    fn a_missing_library_keeps_the_os_error_kind_to_the_caller() {
        let err = stage("/nonexistent-moult-dir/libupd.so").unwrap_err();
        assert_eq!(
            err.io_error_kind(),
            Some(std::io::ErrorKind::NotFound),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("update library /nonexistent-moult-dir/libupd.so: cannot read it: "),
            "{err}"
        );
        assert!(matches!(&err, Error::Library { reason, .. }
            if matches!(**reason, LoadError::Unreadable { .. })));
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri: real files")]
    fn a_directory_is_refused_without_an_os_error() {
        let err = stage(std::env::temp_dir()).unwrap_err();
        assert_eq!(err.io_error_kind(), None, "{err}");
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}
