//! `apply`: build the update if needed, send it, follow it to its outcome.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use moult_console::exit::Exit;
use moult_console::target;
use moult_console::update_build::{self, UpdateSource};
use moult_protocol::WatchSpec;

use crate::cli::ApplyArgs;

/// Applies `args.update` to the target; see `apply --help` for exit codes.
pub fn run(args: &ApplyArgs, dir: &Path) -> anyhow::Result<Exit> {
    let source = UpdateSource::classify(&args.update)?;
    let resolved = target::resolve(dir, &args.target)?;
    let library: PathBuf = match source {
        UpdateSource::Library(path) => path,
        UpdateSource::Crate(crate_dir) => {
            // The profile comes from the metadata file, so no connection
            // idles while cargo runs.
            let profile = match &resolved.info {
                Some(info) => info.cargo_profile.clone(),
                None => super::connect(&resolved)?.1.agent.cargo_profile,
            };
            eprintln!("building {} ({profile} profile)", crate_dir.display());
            update_build::build(&crate_dir, &profile)?
        }
    };
    let library = library
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", library.display()))?;
    if let Some(key) = &args.sign_with {
        let signature = super::sign::sign_library(&library, key)?;
        eprintln!("signed: {}", signature.display());
    }
    let shown = library.display().to_string();
    let (mut client, _) = super::connect(&resolved)?;
    // Subscribe first: events of the update may come before the reply.
    client.subscribe()?;
    let sent = Instant::now();
    let watch = args.watch.map(|secs| WatchSpec {
        secs,
        max_panics: args.max_panics,
    });
    let updates = client
        .apply_watched(&shown, watch)
        .with_context(|| format!("the agent refused {shown}"))?;
    let applied = super::queued::follow_to_end(&mut client, &updates, &args.follow, sent)?;
    match args.watch {
        Some(secs) if applied == Exit::Success => {
            super::watching::follow_watch(&mut client, &updates, secs, args.follow.json)
        }
        _ => Ok(applied),
    }
}
