//! `status`'s last section: the update libraries the app has loaded, one
//! line each.

use moult_protocol::LibraryInfo;

use super::rfc3339_utc;

/// The `Libraries` section: a title, then one line per library (path, size,
/// when loaded, fingerprint), or `(none)`.
pub fn libraries(libraries: &[LibraryInfo]) -> String {
    let mut out = String::from("\nLibraries\n");
    if libraries.is_empty() {
        out.push_str("  (none)\n");
    }
    for l in libraries {
        out.push_str(&format!(
            "  {}  {} bytes  loaded {}  fingerprint {}\n",
            l.path,
            l.size_bytes,
            rfc3339_utc(l.loaded_unix_ms),
            l.fingerprint
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_library() {
        let libs = [LibraryInfo {
            path: "/w/target/debug/libupd.so".into(),
            fingerprint: "rustc=1.95|moult=0.1.0".into(),
            size_bytes: 4096,
            loaded_unix_ms: 1_714_565_000_999,
        }];
        assert_eq!(
            libraries(&libs),
            "\nLibraries\n  /w/target/debug/libupd.so  4096 bytes  loaded 2024-05-01T12:03:20Z  fingerprint rustc=1.95|moult=0.1.0\n"
        );
        assert_eq!(libraries(&[]), "\nLibraries\n  (none)\n");
    }
}
