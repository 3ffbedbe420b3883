//! `moult-console completions` and `moult-console man`, the real binary:
//! the bash script completes every command (and bash accepts it), the
//! manual page is roff naming every command and renders with `man -l`, and
//! `--out-dir` writes a page per command.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn console(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moult-console"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run moult-console")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every command's name, read from `--help` (so a new command is covered
/// without touching this test).
fn commands() -> Vec<String> {
    let help = stdout(&console(&["--help"]));
    let listed: Vec<String> = help
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands section")
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    for known in ["apply", "status", "new", "completions", "man"] {
        assert!(listed.iter().any(|c| c == known), "{known} in {listed:?}");
    }
    listed
}

#[test]
fn the_bash_script_completes_every_command_and_bash_loads_it() {
    let script = stdout(&console(&["completions", "bash"]));
    assert!(script.contains("complete -F _moult__console"), "{script}");
    let words = script
        .lines()
        .find(|l| l.contains("opts=\"") && l.contains(" apply "))
        .expect("the top-level word list");
    for command in commands() {
        assert!(
            words.contains(&format!(" {command} ")),
            "{command} not completed: {words}"
        );
    }
    // bash parses it and registers the completion.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("moult-console.bash");
    std::fs::write(&file, &script).unwrap();
    let loaded = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p moult-console",
            file.display()
        ))
        .output()
        .expect("run bash");
    assert!(
        String::from_utf8_lossy(&loaded.stdout).contains("moult-console"),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        assert!(!stdout(&console(&["completions", shell])).is_empty());
    }
    let unknown = console(&["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn the_manual_page_names_every_command_and_renders() {
    let page = stdout(&console(&["man"]));
    assert!(page.contains(".TH moult-console 1"), "{page}");
    for command in commands() {
        assert!(
            page.contains(&format!(
                "moult\\-console\\-{}(1)",
                command.replace('-', "\\-")
            )),
            "{command} missing from the page"
        );
    }
    if !Path::new("/usr/bin/man").exists() {
        eprintln!("no man(1) here: rendering skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("moult-console.1");
    std::fs::write(&file, &page).unwrap();
    let rendered = Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("run man");
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    assert!(text.contains("SUBCOMMANDS"), "{text}");
    assert!(text.contains("moult-console-apply(1)"), "{text}");
}

#[test]
fn out_dir_gets_a_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    let out = console(&["man", "--out-dir", pages.to_str().unwrap()]);
    stdout(&out);
    assert!(pages.join("moult-console.1").is_file());
    for command in commands() {
        let page = pages.join(format!("moult-console-{command}.1"));
        assert!(page.is_file(), "no {}", page.display());
    }
    let apply = std::fs::read_to_string(pages.join("moult-console-apply.1")).unwrap();
    assert!(apply.contains("\\-\\-timeout"), "{apply}");
}
