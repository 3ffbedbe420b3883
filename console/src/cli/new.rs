//! The arguments of `new`: where the update crate goes and which running
//! app it is written from.

use std::path::PathBuf;

use clap::Args;
use moult_console::remote::Endpoint;

use super::{RemoteArgs, TARGET_HELP};

/// `new`'s help after the options.
pub const NEW_HELP: &str = concat!(
    "Writes <DIR>/Cargo.toml, <DIR>/src/lib.rs, <DIR>/.gitignore and, when the app's\n",
    "build has one, a copy of its Cargo.lock (the same dependency versions). The\n",
    "manifest builds a cdylib depending on the app's moult (same path and\n",
    "features) and on the app's crates holding hot functions, by the paths of the\n",
    "app's build, with the app's profile settings its build fingerprint records.\n",
    "lib.rs builds as it stands and applies nothing; its comments list the app's\n",
    "hot functions (declaration, exact fn type, how to name each), classes and\n",
    "their versions, DSU threads and their update points, and task groups, read\n",
    "from the running app. A non-empty <DIR> is never written to.\n\n",
    "<DIR> goes inside the app's cargo workspace, which `new` adds it to as a\n",
    "member: cargo hashes the app's crates by their path from the workspace root\n",
    "building them, so only from inside it are their types the running app's\n",
    "(an update built elsewhere is refused). --standalone writes a crate with a\n",
    "workspace of its own, for new versions that use no type of the app's crates.\n\n",
    "Examples:\n",
    "  moult-console new ./updates/fix-prices --app shop     # in the app's workspace\n",
    "  moult-console new /tmp/probe --app 4242 --name probe-update --standalone\n",
    "  moult-console apply shop ./fix-prices     # once a function is filled in\n"
);

/// `new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The directory to write the update crate into (created; must be empty if it exists).
    pub dir: PathBuf,
    #[arg(long, value_name = "APP|PID", help = TARGET_HELP)]
    pub app: Endpoint,
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// The crate's package name (default: made from <DIR>'s name).
    #[arg(long, value_name = "PACKAGE")]
    pub name: Option<String>,
    /// A crate with a workspace of its own, anywhere (its new versions may
    /// use no type of the app's own crates: see below).
    #[arg(long)]
    pub standalone: bool,
}
