//! The arguments of `man`: the manual page to stdout, or one page per
//! command into a directory.

use std::path::PathBuf;

use clap::Args;

/// `man`'s help after the options.
pub const MAN_HELP: &str = concat!(
    "Prints moult-console(1), in roff, generated from the same definitions as\n",
    "--help; with --out-dir, writes it and a page per command\n",
    "(moult-console-apply.1, ...) into that directory instead.\n\n",
    "Examples:\n",
    "  moult-console man | man -l -\n",
    "  moult-console man --out-dir ~/.local/share/man/man1   # then: man moult-console-apply\n"
);

/// `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write moult-console.1 and one page per command into this directory
    /// (created if missing) instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}
