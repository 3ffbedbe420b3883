#!/usr/bin/env bash
# Edit-to-running: how long from saving a one-function change in an update
# crate to the running app executing it, through
# `moult-console apply <app> <crate dir>` (cargo's build of the cdylib
# included). The app and the update crate are a user's: written to
# $TMPDIR/moult-edit-to-running (outside this workspace), one cargo
# workspace of their own, `moult` by path.
#
# Usage: tests/tools/edit-to-running.sh [debug|release] [rounds]
# Prints one line per round (total, of which cargo's build) and the median.
# The app checks its hot function every millisecond and prints the new text
# the moment it changes, so the figure is not rounded up to a print period.
set -euo pipefail

profile=${1:-debug}
rounds=${2:-5}
repo=$(cd "$(dirname "$0")/../.." && pwd)
root=${TMPDIR:-/tmp}/moult-edit-to-running
release_flag=()
[ "$profile" = release ] && release_flag=(--release)

mkdir -p "$root/app/src" "$root/hello-update/src"
cat >"$root/Cargo.toml" <<EOF
[workspace]
resolver = "3"
members = ["app", "hello-update"]

[profile.dev]
panic = "unwind"
EOF
cat >"$root/app/Cargo.toml" <<EOF
[package]
name = "app"
version = "0.1.0"
edition = "2024"

[dependencies]
moult = { path = "$repo/agent/moult" }
EOF
cat >"$root/app/src/lib.rs" <<'EOF'
#[moult::hot]
pub fn greeting() -> String {
    "hello 0".into()
}
EOF
cat >"$root/app/src/main.rs" <<'EOF'
use std::io::Write;

fn main() {
    moult::agent::start("edit-app").expect("moult agent");
    let mut last = String::new();
    loop {
        let now = app::greeting();
        if now != last {
            println!("{now}");
            std::io::stdout().flush().ok();
            last = now;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}
EOF
cat >"$root/hello-update/Cargo.toml" <<EOF
[package]
name = "hello-update"
version = "0.1.0"
edition = "2024"

[lib]
crate-type = ["cdylib"]

[dependencies]
moult = { path = "$repo/agent/moult" }
app = { path = "../app" }
EOF
write_update() {
    cat >"$root/hello-update/src/lib.rs" <<EOF
use moult::update::SafeRedefine;
use moult::{Update, UpdateError};

fn greeting_next() -> String {
    "hello $1".into()
}

#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    let greeting = moult::hot_fn!(app::greeting)?;
    Ok(vec![Box::new(SafeRedefine::new(greeting, greeting_next as fn() -> String))])
}
EOF
}

echo "building moult-console and the app ($profile) ..." >&2
(cd "$repo" && cargo build --quiet --release -p moult-console)
console=${CARGO_TARGET_DIR:-$repo/target}/release/moult-console
write_update 1
(cd "$root" && env -u CARGO_TARGET_DIR cargo build --quiet "${release_flag[@]}" --workspace)

runtime=$(mktemp -d)
out=$(mktemp)
trap 'kill $app_pid 2>/dev/null; rm -rf "$runtime" "$out"' EXIT
MOULT_RUNTIME_DIR=$runtime "$root/target/$profile/app" >"$out" 2>/dev/null &
app_pid=$!
until grep -qx "hello 0" "$out"; do sleep 0.01; done

now_ms() { date +%s%3N; }
totals=()
for round in $(seq 2 $((rounds + 1))); do
    write_update "$round"
    start=$(now_ms)
    if ! applied=$(MOULT_RUNTIME_DIR=$runtime env -u CARGO_TARGET_DIR \
        "$console" apply "$app_pid" "$root/hello-update" 2>&1); then
        # Without this, the wait below would never end.
        echo "round $((round - 1)): moult-console apply failed:" >&2
        echo "$applied" >&2
        exit 1
    fi
    until grep -qx "hello $round" "$out"; do sleep 0.001; done
    total=$(($(now_ms) - start))
    # cargo alone on the same edit: the share of the build in the total.
    write_update "$round-again"
    start=$(now_ms)
    (cd "$root" && env -u CARGO_TARGET_DIR cargo build --quiet "${release_flag[@]}" -p hello-update)
    build=$(($(now_ms) - start))
    echo "round $((round - 1)): edit-to-running ${total} ms (cargo build of the same edit alone: ${build} ms)"
    totals+=("$total")
done
median=$(printf '%s\n' "${totals[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "edit-to-running, $profile, median of $rounds: ${median} ms"
