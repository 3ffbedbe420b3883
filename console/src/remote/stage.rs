//! A library staged on another host for `apply`: its build fingerprint
//! compared with the remote agent's first — a library built by another
//! rustc, for another target or another build of the app is refused with
//! both fingerprints and never copied — then copied with [`upload`].
//! `moult-console apply` and the console's `a` over a remote route both
//! stage this way.

use std::path::Path;

use moult_protocol::AgentInfo;

use crate::library_fingerprint;
use crate::remote::link::Link;
use crate::remote::upload::{self, Uploaded};

/// Checks `library` against `agent` (reached over `link`), then copies it
/// there; where it was kept. The error says why, in words.
pub fn stage(link: &Link, agent: &AgentInfo, library: &Path) -> Result<Uploaded, String> {
    let fingerprint = library_fingerprint::read(library)?;
    let differences = library_fingerprint::differences(&agent.fingerprint, &fingerprint);
    if !differences.is_empty() {
        return Err(format!(
            "{} was built differently from {} (pid {}) on {}, so it is not copied: {}\n  app:     {}\n  library: {}",
            library.display(),
            agent.app,
            agent.pid,
            link.label(),
            differences.join("; "),
            agent.fingerprint,
            fingerprint
        ));
    }
    let kept = upload::upload(link, library).map_err(|e| e.to_string())?;
    copy_signature(link, library, &kept)?;
    Ok(kept)
}

/// Copies `library`'s signature (`<library>.minisig`), if it has one, to
/// the kept library's path + `.minisig`: where the agent looks for it.
fn copy_signature(link: &Link, library: &Path, kept: &Uploaded) -> Result<(), String> {
    let mut signature = library.as_os_str().to_owned();
    signature.push(crate::bridge::receive::SIGNATURE_SUFFIX);
    let signature = std::path::PathBuf::from(signature);
    if !signature.exists() {
        return Ok(());
    }
    let kept_name = Path::new(&kept.remote_path)
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("the far side kept the library at {}", kept.remote_path))?;
    let name = format!("{kept_name}{}", crate::bridge::receive::SIGNATURE_SUFFIX);
    let copied = upload::upload_as(link, &signature, &name).map_err(|e| e.to_string())?;
    eprintln!("copied its signature to {}", copied.remote_path);
    Ok(())
}
