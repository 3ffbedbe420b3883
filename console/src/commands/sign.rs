//! `sign`: write `<library>.minisig` with a minisign secret key.

use std::path::{Path, PathBuf};

use anyhow::Context;
use moult_console::exit::Exit;
use moult_console::signing;

use crate::cli::SignArgs;

/// Signs `args.library` with `args.key`; prints the signature's path.
pub fn run(args: &SignArgs) -> anyhow::Result<Exit> {
    let signature = sign_library(&args.library, &args.key)?;
    println!("signed: {}", signature.display());
    Ok(Exit::Success)
}

/// Signs the library at `library` (resolved the way `apply` sends it, so
/// the signature is where the agent looks) with the secret key at `key`;
/// returns the signature file written.
pub fn sign_library(library: &Path, key: &Path) -> anyhow::Result<PathBuf> {
    let library = library
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", library.display()))?;
    anyhow::ensure!(
        library.is_file(),
        "{} is not a file; give the built update library (.so)",
        library.display()
    );
    let secret = signing::read_secret_key(key)?;
    Ok(signing::sign(&library, &secret)?)
}
