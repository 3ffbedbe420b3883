//! The arguments of `completions`: which shell's script to print.

use clap::Args;
use clap_complete::Shell;

/// `completions`' help after the options.
pub const COMPLETIONS_HELP: &str = concat!(
    "Prints the completion script of <SHELL> for every command and option of\n",
    "this moult-console (generated from the same definitions as --help). Install\n",
    "it where the shell loads completions from, and open a new shell.\n\n",
    "Examples:\n",
    "  moult-console completions bash > ~/.local/share/bash-completion/completions/moult-console\n",
    "  moult-console completions zsh > ~/.zfunc/_moult-console   # with fpath+=~/.zfunc\n",
    "  moult-console completions fish > ~/.config/fish/completions/moult-console.fish\n"
);

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell whose completion script to print.
    pub shell: Shell,
}
