//! `apply`: build the update if needed, send it, follow it to its outcome.
//! A remote app gets the library built here, checked against its agent's
//! fingerprint, then copied to its host ([`moult_console::remote::upload`]).
//! Building and applying to one target are separate functions returning
//! what happened, so a fleet rollout builds once and applies many times.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use moult_console::client::Client;
use moult_console::exit::Exit;
use moult_console::remote::{Link, Route, stage};
use moult_console::target;
use moult_console::target::resolve;
use moult_console::update_build::{self, UpdateSource};
use moult_protocol::{QueuedUpdate, WatchSpec};

use crate::cli::{ApplyArgs, FollowArgs};

/// Applies `args.update` to the target; see `apply --help` for exit codes.
pub fn run(args: &ApplyArgs, dir: &Path) -> anyhow::Result<Exit> {
    let source = UpdateSource::classify(&args.update)?;
    let route = super::route(dir, &args.target, &args.remote)?;
    let library = build_for(&route, source)?;
    sign(&library, args.sign_with.as_deref())?;
    let watch = args.watch.map(|secs| WatchSpec {
        secs,
        max_panics: args.max_panics,
    });
    apply_library(
        &route,
        &library,
        watch,
        &args.follow,
        &mut io::stdout().lock(),
    )
}

/// The library to apply at `route`: `source` itself when it is one, else
/// the crate built here in the profile of the app `route` names.
pub fn build_for(route: &Route, source: UpdateSource) -> anyhow::Result<PathBuf> {
    let crate_dir = match source {
        UpdateSource::Library(path) => return Ok(path),
        UpdateSource::Crate(crate_dir) => crate_dir,
    };
    let profile = match route {
        Route::Local { dir, target } => {
            // The profile comes from the metadata file, so no connection
            // idles while cargo runs.
            let resolved = resolve(dir, target)?;
            match &resolved.info {
                Some(info) => info.cargo_profile.clone(),
                None => super::connect(&resolved)?.1.agent.cargo_profile,
            }
        }
        Route::Remote { .. } => super::open(route)?.1.agent.cargo_profile,
    };
    match route {
        Route::Local { .. } => eprintln!("building {} ({profile} profile)", crate_dir.display()),
        Route::Remote { .. } => eprintln!(
            "building {} ({profile} profile, for {route})",
            crate_dir.display()
        ),
    }
    Ok(update_build::build(&crate_dir, &profile)?)
}

/// Sends `library` (built) to the agent `route` names, applies it with
/// `watch`, and follows it (and its watch) to the end, writing progress to
/// `out`: applied (and kept by its watch), failed, timed out, or reverted
/// by its watch. An error is a refusal or a lost connection.
pub fn apply_library(
    route: &Route,
    library: &Path,
    watch: Option<WatchSpec>,
    follow: &FollowArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let (mut client, updates, sent) = send_library(route, library, watch)?;
    let secs = watch.as_ref().map(|w| w.secs);
    follow_sent(&mut client, &updates, secs, follow, sent, out)
}

/// The first half of [`apply_library`]: sends `library` and has the agent
/// queue its updates, on a subscribed connection; the updates and when the
/// request went (the `--timeout` counts from then, not from the copy).
/// Once this returns, the updates are the agent's: a caller that loses
/// the connection later still knows what to revert.
pub fn send_library(
    route: &Route,
    library: &Path,
    watch: Option<WatchSpec>,
) -> anyhow::Result<(Client, Vec<QueuedUpdate>, Instant)> {
    let (mut client, shown) = match route {
        Route::Local { dir, target } => {
            let library = library
                .canonicalize()
                .with_context(|| format!("cannot resolve {}", library.display()))?;
            let (client, _) = super::connect(&resolve(dir, target)?)?;
            (client, library.display().to_string())
        }
        Route::Remote { link, .. } => remote(route, link, library)?,
    };
    // Subscribe first: events of the update may come before the reply.
    client.subscribe()?;
    let sent = Instant::now();
    let updates = client
        .apply_watched(&shown, watch)
        .with_context(|| format!("the agent refused {shown}"))?;
    Ok((client, updates, sent))
}

/// The second half of [`apply_library`]: follows `updates` (sent at
/// `sent`) to their end, then their watch of `watch_secs`, if any.
pub fn follow_sent(
    client: &mut Client,
    updates: &[QueuedUpdate],
    watch_secs: Option<f64>,
    follow: &FollowArgs,
    sent: Instant,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let applied = super::queued::follow_to_end_into(client, updates, follow, sent, out)?;
    Ok(match watch_secs {
        Some(secs) if applied == Exit::Success => {
            super::watching::follow_watch(client, updates, secs, follow.json, out)?
        }
        _ => applied,
    })
}

/// An agent on another host: learn its fingerprint, refuse a library built
/// differently before copying it, copy it, and connect again to the same
/// process; the library's path there.
fn remote(route: &Route, link: &Link, library: &Path) -> anyhow::Result<(Client, String)> {
    let agent = super::open(route)?.1.agent;
    let kept = stage::stage(link, &agent, library).map_err(anyhow::Error::msg)?;
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
pub fn sign(library: &Path, key: Option<&Path>) -> anyhow::Result<()> {
    if let Some(key) = key {
        let signature = super::sign::sign_library(library, key)?;
        eprintln!("signed: {}", signature.display());
    }
    Ok(())
}
