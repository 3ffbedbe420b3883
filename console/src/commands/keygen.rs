//! `keygen`: make a minisign key pair to sign update libraries with.

use moult_console::exit::Exit;
use moult_console::signing::{self, Protection};

use crate::cli::KeygenArgs;

/// Writes `<prefix>.pub` and `<prefix>.key`; says what each is for.
pub fn run(args: &KeygenArgs) -> anyhow::Result<Exit> {
    let protection = if args.no_password {
        Protection::None
    } else {
        Protection::Prompt
    };
    let keys = signing::keygen(&args.out, protection)?;
    println!("key {}", keys.id);
    println!(
        "public key: {} (the apps trust it: MOULT_TRUSTED_KEYS={})",
        keys.public.display(),
        keys.public.display()
    );
    println!(
        "secret key: {} (sign with it: moult-console sign <library> --key {})",
        keys.secret.display(),
        keys.secret.display()
    );
    Ok(Exit::Success)
}
