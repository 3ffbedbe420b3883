//! `apply`: build the update if needed, send it, follow it to its outcome.
//! A remote app gets the library built here, checked against its agent's
//! fingerprint, then copied to its host ([`moult_console::remote::upload`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use moult_console::client::Client;
use moult_console::exit::Exit;
use moult_console::remote::{Link, Route, stage};
use moult_console::target;
use moult_console::target::{Target, resolve};
use moult_console::update_build::{self, UpdateSource};
use moult_protocol::WatchSpec;

use crate::cli::ApplyArgs;

/// Applies `args.update` to the target; see `apply --help` for exit codes.
pub fn run(args: &ApplyArgs, dir: &Path) -> anyhow::Result<Exit> {
    let source = UpdateSource::classify(&args.update)?;
    let route = super::route(dir, &args.target, &args.remote)?;
    let (mut client, shown) = match &route {
        Route::Local { dir, target } => local(dir, target, source, args.sign_with.as_deref())?,
        Route::Remote { link, .. } => remote(&route, link, source, args.sign_with.as_deref())?,
    };
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

/// An agent here: build in its profile, connect; the library's path.
fn local(
    dir: &Path,
    target: &Target,
    source: UpdateSource,
    sign_with: Option<&Path>,
) -> anyhow::Result<(Client, String)> {
    let resolved = resolve(dir, target)?;
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
    sign(&library, sign_with)?;
    let (client, _) = super::connect(&resolved)?;
    Ok((client, library.display().to_string()))
}

/// An agent on another host: learn its profile and fingerprint (the
/// connection is closed while cargo runs), build here, refuse a library
/// built differently before copying it, copy it, and connect again to the
/// same process; the library's path there.
fn remote(
    route: &Route,
    link: &Link,
    source: UpdateSource,
    sign_with: Option<&Path>,
) -> anyhow::Result<(Client, String)> {
    let agent = super::open(route)?.1.agent;
    let library: PathBuf = match source {
        UpdateSource::Library(path) => path,
        UpdateSource::Crate(crate_dir) => {
            let profile = &agent.cargo_profile;
            eprintln!(
                "building {} ({profile} profile, for {route})",
                crate_dir.display()
            );
            update_build::build(&crate_dir, profile)?
        }
    };
    sign(&library, sign_with)?;
    let kept = stage::stage(link, &agent, &library).map_err(anyhow::Error::msg)?;
    eprintln!(
        "copied {} to {}:{} ({} bytes, sha256 {} checked there)",
        library.display(),
        link.label(),
        kept.remote_path,
        kept.len,
        kept.sha256
    );
    // The process whose fingerprint was checked, not another of its name.
    let same = route.retarget(target::Target::Pid(agent.pid));
    let (client, _) = super::open(&same)?;
    Ok((client, kept.remote_path))
}

/// `--sign-with`: signs `library` (its signature goes beside it, and with
/// it to a remote host).
fn sign(library: &Path, key: Option<&Path>) -> anyhow::Result<()> {
    if let Some(key) = key {
        let signature = super::sign::sign_library(library, key)?;
        eprintln!("signed: {}", signature.display());
    }
    Ok(())
}
