//! The workspace's dev profile keeps the test build small enough for CI.
//!
//! Regression: with full debug info, the test build (eighty-odd test
//! binaries, the cdylibs the end-to-end tests build, std rebuilt for
//! ThreadSanitizer) filled CI's disk and the run failed in its last part.
//! `Cargo.toml` now builds dev with line tables only (dependencies with no
//! debug info). Line tables describe no variables, full debug info describes
//! every one, so this test reads its own executable's DWARF and counts them.

use std::process::Command;

/// Full debug info gives this binary tens of thousands of variable entries
/// (45 370 for `class_eager` when measured); line tables give none.
#[test]
fn test_binaries_carry_line_tables_but_no_variables() {
    if std::env::var_os("CARGO_PROFILE_DEV_DEBUG").is_some() {
        // The override Cargo.toml names for a debugger's view: the build
        // asked for variables on purpose.
        eprintln!("skipped: CARGO_PROFILE_DEV_DEBUG is set");
        return;
    }
    let exe = std::env::current_exe().expect("this test's executable");
    let out = Command::new("readelf")
        .args(["--wide", "--debug-dump=info"])
        .arg(&exe)
        .output()
        .expect("run readelf (binutils, installed with the C toolchain cargo links with)");
    assert!(out.status.success(), "readelf failed on {exe:?}");
    let dump = String::from_utf8_lossy(&out.stdout);
    let units = dump.matches("DW_TAG_compile_unit").count();
    let variables =
        dump.matches("DW_TAG_variable").count() + dump.matches("DW_TAG_formal_parameter").count();
    // Line tables are still there: panics and ThreadSanitizer name lines.
    assert!(units > 0, "no debug info at all in {exe:?}");
    assert_eq!(
        variables, 0,
        "{exe:?} describes {variables} variables: the dev profile in Cargo.toml \
         should say `debug = \"line-tables-only\"` (and `debug = false` for \
         dependencies), or the test build outgrows CI's disk"
    );
}
