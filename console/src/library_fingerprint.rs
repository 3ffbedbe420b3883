//! An update library's build fingerprint, read from the file the way the
//! agent's loader reads it (its `.moult_update` ELF section), and compared
//! with an agent's before the library goes anywhere: a library built by
//! another rustc, for another target or another build of the app is
//! refused here, with both fingerprints, instead of after a copy to a
//! remote host.

use std::path::Path;

/// The ELF section holding the fingerprint record (the agent's loader
/// reads the same one).
const SECTION: &str = ".moult_update";

/// The record's magic prefix.
const MAGIC: &str = "moult-fingerprint-v1|";

/// The field only a library carries (its allocator forwards to the app's);
/// an agent's fingerprint has no such field, so it is not compared.
const LIBRARY_ONLY: &str = "alloc";

/// Reads the fingerprint of the library at `path`, as `key=value|…`.
pub fn read(path: &Path) -> Result<String, String> {
    use object::{Object, ObjectSection};
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file = object::File::parse(&*bytes)
        .map_err(|e| format!("{} is not a shared object: {e}", path.display()))?;
    let data = file
        .section_by_name(SECTION)
        .ok_or_else(|| {
            format!(
                "{} has no {SECTION} section: it is not a moult update library",
                path.display()
            )
        })?
        .data()
        .map_err(|e| format!("{}: unreadable {SECTION}: {e}", path.display()))?;
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let text = std::str::from_utf8(&data[..end]).unwrap_or_default();
    text.strip_prefix(MAGIC)
        .map(str::to_string)
        .ok_or_else(|| format!("{}: malformed fingerprint", path.display()))
}

/// The fields that differ between an agent's fingerprint and a library's,
/// each as ``key: app `a`, library `b` ``; empty when they match.
pub fn differences(agent: &str, library: &str) -> Vec<String> {
    let fields = |fp: &str| -> Vec<(String, String)> {
        fp.split('|')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let (a, l) = (fields(agent), fields(library));
    let get = |fs: &[(String, String)], key: &str| {
        fs.iter()
            .find(|(k, _)| k == key)
            .map_or("<missing>".to_string(), |(_, v)| v.clone())
    };
    let mut keys: Vec<&str> = a.iter().map(|(k, _)| k.as_str()).collect();
    for (k, _) in &l {
        if !keys.contains(&k.as_str()) {
            keys.push(k);
        }
    }
    keys.into_iter()
        .filter(|&k| k != LIBRARY_ONLY)
        .filter_map(|k| {
            let (x, y) = (get(&a, k), get(&l, k));
            (x != y).then(|| format!("{k}: app `{x}`, library `{y}`"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_shared_fields_are_compared_and_both_values_named() {
        let app = "moult=0.1.0|rustc=1.95|target=x86_64|profile=debug|panic=unwind|layout=7";
        let same =
            "moult=0.1.0|rustc=1.95|target=x86_64|profile=debug|panic=unwind|alloc=host|layout=7";
        assert!(differences(app, same).is_empty());
        let other = same.replace("rustc=1.95", "rustc=1.80");
        assert_eq!(
            differences(app, &other),
            ["rustc: app `1.95`, library `1.80`"]
        );
    }

    #[test]
    fn a_file_that_is_no_library_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.so");
        std::fs::write(&path, b"not elf").unwrap();
        assert!(read(&path).unwrap_err().contains("not a shared object"));
    }
}
