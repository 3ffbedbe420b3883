//! `bridge`: the far side of a remote connection (see
//! [`moult_console::bridge`]).

use std::path::Path;

use moult_console::bridge::{pipe, receive};
use moult_console::exit::Exit;

use crate::cli::BridgeArgs;

/// Pipes the protocol to the target's agent, or receives a library.
pub fn run(args: &BridgeArgs, dir: &Path) -> anyhow::Result<Exit> {
    if let Some(words) = &args.receive {
        let [name, sha256, len] = words.as_slice() else {
            anyhow::bail!("--receive takes NAME SHA256 LEN");
        };
        let announced = receive::Announced::parse(name, sha256, len).map_err(anyhow::Error::msg)?;
        let kept = receive::receive(dir, &announced, std::io::stdin().lock())
            .map_err(anyhow::Error::msg)?;
        println!("{}", kept.display());
        return Ok(Exit::Success);
    }
    let target = args
        .target
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("bridge needs an app or a pid"))?;
    pipe::run(dir, target)?;
    Ok(Exit::Success)
}
