//! The committed JSON Schemas (`schema/*.json`) are the ones the types
//! generate today: a change of a wire type that is not followed by its
//! schema fails here, with the command that regenerates them.
//!
//! `MOULT_BLESS=1 cargo test -p moult-protocol --test schema` rewrites the
//! files instead (then review and commit the diff).

// The feature is on in this workspace (the crate's self dev-dependency);
// a packaged copy of the crate, where cargo drops that dependency, skips
// these tests instead of failing to build them.
#![cfg(feature = "schema")]

use std::path::PathBuf;

use moult_protocol::schema::{DIR, documents};

const REGENERATE: &str = "MOULT_BLESS=1 cargo test -p moult-protocol --test schema";

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DIR)
}

fn blessing() -> bool {
    std::env::var_os("MOULT_BLESS").is_some_and(|v| v == "1")
}

#[test]
fn committed_schemas_match_the_wire_types() {
    let dir = schema_dir();
    if blessing() {
        std::fs::create_dir_all(&dir).expect("create the schema directory");
    }
    let mut stale = Vec::new();
    for doc in documents() {
        let path = dir.join(doc.file);
        let generated = doc.render();
        if blessing() {
            std::fs::write(&path, &generated)
                .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(committed) if committed == generated => {}
            Ok(_) => stale.push(format!(
                "{} ({}) differs from what the types generate",
                path.display(),
                doc.describes
            )),
            Err(e) => stale.push(format!("{} cannot be read: {e}", path.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "the committed JSON Schemas drifted from moult-protocol's types:\n  {}\n\
         regenerate them with `{REGENERATE}`, review the diff, and say in \
         docs/PROTOCOL.md what changed on the wire (and bump PROTOCOL_VERSION \
         if an old client would misread it)",
        stale.join("\n  ")
    );
    no_file_is_left_over_from_a_removed_type();
}

/// Run after the check above (not as a test of its own): a first bless
/// creates the directory this lists.
fn no_file_is_left_over_from_a_removed_type() {
    let known: Vec<&str> = documents().iter().map(|d| d.file).collect();
    let entries = std::fs::read_dir(schema_dir()).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; generate the schemas with `{REGENERATE}`",
            schema_dir().display()
        )
    });
    let unknown: Vec<String> = entries
        .map(|e| e.expect("read the schema directory").file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !known.contains(&n.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "{} holds files no type generates: {unknown:?}; delete them, or add \
         their type to moult_protocol::schema::documents()",
        schema_dir().display()
    );
}
