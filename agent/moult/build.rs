//! Captures what the build fingerprint needs (docs/ARCHITECTURE.md, fact 2): the exact
//! rustc, the target, the profile and the panic strategy this copy of moult
//! was compiled with. Every update library embeds the same facts from *its*
//! copy, and the loader refuses a library whose facts differ from the app's.

use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(&rustc)
        .arg("-vV")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| {
            let release = s
                .lines()
                .find_map(|l| l.strip_prefix("release: "))?
                .to_string();
            let hash = s
                .lines()
                .find_map(|l| l.strip_prefix("commit-hash: "))
                .unwrap_or("unknown");
            Some(format!("{release} ({hash})"))
        })
        .unwrap_or_else(|| "unknown".into());
    let env = |k: &str| std::env::var(k).unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=MOULT_RUSTC={version}");
    println!("cargo:rustc-env=MOULT_TARGET={}", env("TARGET"));
    println!(
        "cargo:rustc-env=MOULT_PROFILE=opt-level={} debug-assertions={}",
        env("OPT_LEVEL"),
        std::env::var("CARGO_CFG_DEBUG_ASSERTIONS").is_ok()
    );
    println!("cargo:rustc-env=MOULT_CARGO_PROFILE={}", env("PROFILE"));
    println!("cargo:rustc-env=MOULT_PANIC={}", env("CARGO_CFG_PANIC"));
    // The features this copy is built with, for the agent's metadata: an
    // update crate scaffolded from the app enables the same ones.
    let mut features: Vec<String> = std::env::vars()
        .filter_map(|(k, _)| Some(k.strip_prefix("CARGO_FEATURE_")?.to_lowercase()))
        .collect();
    features.sort();
    println!("cargo:rustc-env=MOULT_FEATURES={}", features.join(","));
    println!("cargo:rerun-if-env-changed=RUSTC");
    println!("cargo:rerun-if-changed=build.rs");
}
