//! The fleet view (`moult-console fleet`) in tmux, over a real OpenSSH
//! server started by the test (tests/src/sshd.rs): two apps, each with its
//! own runtime directory behind its own host alias, so each looks like its
//! own host. Their rows appear with the right apps and versions; Enter
//! opens a target's full console over ssh, and q comes back to the fleet.

use std::path::Path;
use std::time::Duration;

use moult_e2e::{Demo, Sshd, Tmux, build, console_bin_dir, line_of, workspace_root};

/// Generous: a hang guard (ssh connects, the bridge starts), not a timing assertion.
const WAIT: Duration = Duration::from_secs(90);

#[test]
fn the_fleet_view_shows_each_host_and_opens_its_console() {
    let apps = build(&["step1-hello", "step1-tictoc"]);
    let hello = Demo::start(&apps.join("step1-hello"));
    let tictoc = Demo::start(&apps.join("step1-tictoc"));
    let sshd = Sshd::start(&console_bin_dir());
    let hosts: [(&str, &Path); 2] = [
        ("web1", hello.runtime_dir.as_path()),
        ("web2", tictoc.runtime_dir.as_path()),
    ];
    let ssh_command = sshd.ssh_command_for_hosts(&hosts);
    let local = moult_e2e::private_runtime_dir();
    let (web1, web2) = (
        sshd.alias_url("web1", "step1-hello"),
        sshd.alias_url("web2", "step1-tictoc"),
    );
    let tui = Tmux::start(
        &console_bin_dir().join("moult-console"),
        &["fleet", "--target", &web1, "--target", &web2],
        &workspace_root(),
        &[
            ("MOULT_SSH_COMMAND", ssh_command.as_str()),
            ("MOULT_RUNTIME_DIR", local.to_str().unwrap()),
        ],
        (140, 30),
    );

    let screen = tui.wait_for("both rows connected", WAIT, |s| {
        s.contains("2 connected") && s.contains("hello v0") && s.contains("tic v0")
    });
    let row1 = line_of(&screen, &format!("@web1:{}", sshd.port));
    assert!(row1.contains("step1-hello"), "{screen}");
    assert!(row1.contains(&hello.pid().to_string()), "{screen}");
    assert!(
        row1.contains("connected") && row1.contains("hello v0"),
        "{screen}"
    );
    let row2 = line_of(&screen, &format!("@web2:{}", sshd.port));
    assert!(row2.contains("step1-tictoc"), "{screen}");
    assert!(row2.contains(&tictoc.pid().to_string()), "{screen}");
    assert!(row2.contains("tic v0"), "{screen}");

    // Enter on the second row: its console, over ssh, by pid.
    tui.keys(&["j", "Enter"]);
    let console = tui.wait_text(&format!("step1-tictoc pid {}", tictoc.pid()), WAIT);
    assert!(!console.contains("Fleet"), "{console}");
    tui.wait_text("connected", WAIT);
    tui.keys(&["2"]);
    tui.wait_text("step1_tictoc::tic", WAIT);

    // q leaves the console, not the fleet view.
    tui.keys(&["q"]);
    let back = tui.wait_text("Fleet", WAIT);
    assert!(back.contains("back from"), "{back}");
    assert!(tui.running(), "the fleet view is still running");
    tui.keys(&["q"]);
    tui.wait_for("the fleet view to quit", WAIT, |_| !tui.running());
    let _ = std::fs::remove_dir_all(&local);
}
