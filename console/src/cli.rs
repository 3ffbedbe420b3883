//! The command line: every command, its arguments and its help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use moult_console::remote::{Endpoint, RemoteOptions};
use moult_console::target::Target;

mod completions;
mod fleet;
mod man;
mod new;
mod views;
pub use completions::*;
pub use fleet::*;
pub use man::*;
pub use new::*;
pub use views::*;

const TARGET_HELP: &str = "The app: its pid, or the name it gave moult::agent::start; \
ssh://[user@]host[:port]/<app|pid> for an app on another host";

/// The exit codes, as a literal so `concat!` can put them in several helps.
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0  success (every update applied)
  1  failure: no agent, library refused, build failed, update rolled back,
     aborted or failed, connection lost
  2  wrong command line
  3  timeout: the update was still not applied after --timeout seconds
     (it was aborted)
  4  reverted: the update applied, then its --watch reverted it"
    };
}

const APPLY_HELP: &str = concat!(
    "<UPDATE> is a built update library (.so) or an update crate directory (with a\n",
    "Cargo.toml), which is first built with cargo in the app's profile (debug or\n",
    "release). The lifecycle of each queued update is printed as it happens; a\n",
    "postponed update goes back to the queue and is retried until --timeout.\n\n",
    "Examples:\n",
    "  moult-console apply step1-hello demo-apps/step1-hello/solution\n",
    "  moult-console apply 4242 target/debug/libhello_v2.so --timeout 60\n",
    "  moult-console apply my-app ./my-update --watch 10 --max-panics 3\n\n",
    "With --watch, the command stays attached after `applied`: the agent reverts\n",
    "the update at once if its new versions panic more than --max-panics times\n",
    "within that many seconds (it keeps the watch if this command goes away).\n\n",
    "With --sign-with, the library (the one built, or the one given) is signed\n",
    "first: <library>.minisig is written beside it, where the agent of an app that\n",
    "requires signed updates (MOULT_TRUSTED_KEYS) looks for it.\n\n",
    exit_codes!()
);

const SIGN_HELP: &str = concat!(
    "Writes <LIBRARY>.minisig, a minisign signature (ed25519, prehashed) of the\n",
    "library's bytes. An app that requires signed updates (MOULT_TRUSTED_KEYS=\n",
    "<public key files>, or moult::agent::require_signed) loads a library only if\n",
    "the .minisig beside it was made by one of its keys; a library changed after\n",
    "signing is refused. Copy the .minisig along when the library moves to\n",
    "another host. `minisign -Vm <LIBRARY> -p <key>.pub` checks it too.\n\n",
    "Examples:\n",
    "  moult-console sign target/debug/libhello_v2.so --key ~/.moult/ops.key\n",
    "  moult-console apply my-app ./my-update --sign-with ~/.moult/ops.key\n"
);

const KEYGEN_HELP: &str = concat!(
    "Writes <PREFIX>.pub (give it to the apps: MOULT_TRUSTED_KEYS=<PREFIX>.pub) and\n",
    "<PREFIX>.key (mode 0600: keep it where updates are signed), in minisign's\n",
    "format. The secret key is protected by a password asked on the terminal\n",
    "unless --no-password. Existing files are never overwritten.\n\n",
    "Examples:\n",
    "  moult-console keygen --out ~/.moult/ops\n",
    "  moult-console keygen --out ci-signing --no-password\n"
);

const REVERT_HELP: &str = concat!(
    "A revert is an update of its own: the functions the update changed go back\n",
    "to their previous versions once quiescent, the DSU threads it rebooted are\n",
    "rebooted onto their previous mains, its conversions run backwards with\n",
    "their down transformers. It is refused, before anything changes, if the\n",
    "update cannot be undone (a conversion without a down transformer, a custom\n",
    "update that does not say how) or a later applied update changed the same\n",
    "function, thread or class (revert that one first). `log` says which\n",
    "updates are revertible; reverting a revert applies the update again.\n\n",
    "Examples:\n",
    "  moult-console revert step1-hello\n",
    "  moult-console revert 4242 --update 3 --json\n\n",
    exit_codes!()
);

const REBOOT_HELP: &str = concat!(
    "The thread unwinds from its next update point and restarts on its main.\n\n",
    "Examples:\n",
    "  moult-console reboot step3-reboot worker\n",
    "  moult-console reboot 4242 worker --timeout 10\n\n",
    exit_codes!()
);

/// Attach to running moult apps from scripts: list them, show their state,
/// apply updates and follow them to their outcome, read their journal.
#[derive(Debug, Parser)]
#[command(
    name = "moult-console",
    version,
    after_help = concat!(
        "Agents are found in $MOULT_RUNTIME_DIR, else $XDG_RUNTIME_DIR/moult, else /tmp/moult-<uid>.\n\n",
        "Examples:\n",
        "  moult-console list\n",
        "  moult-console status step1-hello\n",
        "  moult-console apply 4242 demo-apps/step1-hello/solution\n\n",
        exit_codes!()
    )
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The interactive console: threads, hot functions, classes, updates and
    /// alterability, live; stage, apply, postpone, abort, convert, reboot
    /// with a key (`?` lists them).
    #[command(
        after_help = "Examples:\n  moult-console attach step1-hello\n  moult-console attach 4242 --ascii\n\nNO_COLOR=1 turns colours off. When the app exits the console stays, detached,\nand reattaches when an app of the same name starts again."
    )]
    Attach(AttachArgs),
    /// List the moult agents running for this user (and remove the files of dead ones).
    #[command(
        after_help = "Examples:\n  moult-console list\n  moult-console list --json | jq '.[].pid'"
    )]
    List(ListArgs),
    /// Show an app's threads, hot functions, classes and updates.
    #[command(
        after_help = "Examples:\n  moult-console status 4242\n  moult-console status step1-hello --json | jq '.functions[].version'"
    )]
    Status(StatusArgs),
    /// Apply an update (a built .so or an update crate, built first) and
    /// follow it until it is applied, rolled back, aborted or timed out.
    #[command(after_help = APPLY_HELP)]
    Apply(ApplyArgs),
    /// Reboot a DSU thread onto its current main, followed like `apply`.
    #[command(after_help = REBOOT_HELP)]
    Reboot(RebootArgs),
    /// Revert an applied update (the newest one unless --update names one),
    /// followed like `apply`.
    #[command(after_help = REVERT_HELP)]
    Revert(RevertArgs),
    /// Sign an update library for apps that require signed updates
    /// (writes <LIBRARY>.minisig).
    #[command(after_help = SIGN_HELP)]
    Sign(SignArgs),
    /// Make a key pair to sign update libraries with (minisign format).
    #[command(after_help = KEYGEN_HELP)]
    Keygen(KeygenArgs),
    /// Run a class's pending lazy conversion now, for every live instance.
    #[command(after_help = "Examples:\n  moult-console convert 4242 step2_series::Integer")]
    Convert(ConvertArgs),
    /// Show an app's update journal (also after the app exited, by pid).
    #[command(
        after_help = "Examples:\n  moult-console log step1-hello\n  moult-console log 4242 --json"
    )]
    Log(LogArgs),
    /// Print the app's events as they happen, until the app exits.
    #[command(
        after_help = "Examples:\n  moult-console watch step1-hello\n  moult-console watch 4242 --json | jq -c 'select(.kind.type == \"update_done\")'\n\nExits 0 when the app exits (the connection ends), 1 when the agent drops this\nconsole (it read too slowly)."
    )]
    Watch(WatchArgs),
    /// The far side of a remote connection: pipe an agent's protocol between
    /// stdin/stdout and its socket (run by ssh or --via, not by hand).
    #[command(after_help = BRIDGE_HELP)]
    Bridge(BridgeArgs),
    /// Many targets at once: a live view of them all (no subcommand), list,
    /// status, rollout (canaries, batches, watches, revert on failure),
    /// revert and watch.
    #[command(after_help = FLEET_HELP)]
    Fleet(FleetArgs),
    /// Run a tutorial exercise's check without a terminal: build and start
    /// its app, apply the update (the learner's starter crate unless told
    /// otherwise), and say whether it does what the exercise asks.
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// The tutorial, interactive: the exercises with your progress; each
    /// one's statement, its app started with the console attached, your
    /// update built, applied and checked, the solution if you want it.
    #[command(after_help = TUTORIAL_HELP)]
    Tutorial(TutorialArgs),
    /// Start one exercise's app with the console attached (the tutorial
    /// without its list): watch it, apply updates, check yours.
    #[command(after_help = DEMO_HELP)]
    Demo(DemoArgs),
    /// One hint for a tutorial exercise: the next one you have not seen,
    /// each closer to the solution than the one before.
    #[command(after_help = HINT_HELP)]
    Hint(HintArgs),
    /// Write an update crate for a running app: it builds as it stands, and
    /// its comments list the app's hot functions with their exact fn types,
    /// its classes, DSU threads, update points and task groups.
    #[command(after_help = NEW_HELP)]
    New(NewArgs),
    /// Print a shell's completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one per command into a directory.
    #[command(after_help = MAN_HELP)]
    Man(ManArgs),
    /// The leader's view of a workshop: each learner's exercise, progress,
    /// last check and hints, live; Enter attaches to their exercise app
    /// (read-only unless allowed).
    #[command(after_help = WORKSHOP_HELP)]
    Workshop(WorkshopArgs),
}

const HINT_HELP: &str = concat!(
    "Each exercise has two or three hints (assets/tutorial/hints/<id>.md): the\n",
    "first names the moult pieces to use, the last is close to the solution.\n",
    "Without --level, the next hint you have not revealed is printed (the last\n",
    "one again once all are). The tutorial's h shows the same hints; how many\n",
    "you used is kept with your progress and shown in the tutorial's list.\n\n",
    "Examples:\n",
    "  moult-console hint step1-hello\n",
    "  moult-console hint step3-clock --level 1\n\n",
    "Exit codes:\n",
    "  0  the hint was printed\n",
    "  1  no such exercise or hint level\n",
    "  2  wrong command line"
);

/// `hint`.
#[derive(Debug, Args)]
pub struct HintArgs {
    /// The exercise's id, e.g. `step1-hello`.
    pub exercise: String,
    /// The hint to print (1 is the first); the next unrevealed one by default.
    #[arg(long, value_name = "N")]
    pub level: Option<usize>,
}

/// Where the exercises come from and where progress goes, for both helps.
macro_rules! tutorial_files {
    () => {
        "The exercises are built from the moult checkout the console runs in (or\n\
         $MOULT_TUTORIAL_ROOT): demo-apps/<id>/{app,starter,solution} and\n\
         assets/tutorial/<id>.md. Apps are built alone with cargo (debug), run at\n\
         the tutorial's pace with their agent in the usual directory (so `list` and\n\
         the other commands see them), and stopped when you leave them. Progress\n\
         (started, passed and when, the last check's result, hints used) is kept in $XDG_STATE_HOME/moult/tutorial.json,\n\
         else ~/.local/state/moult/tutorial.json."
    };
}

const TUTORIAL_HELP: &str = concat!(
    "Enter opens an exercise's statement; Enter again builds and starts its app\n",
    "and attaches the console. There, u builds your update (the exercise's\n",
    "starter crate, which you edit), applies it and checks it: PASS, or what is\n",
    "wrong. o shows the app's output full size, R restarts the app, h shows a\n",
    "hint (h again in its pane: the next one, closer to the solution), v reveals\n",
    "the solution (and a applies it), b goes back to the list, ? lists every key.\n\n",
    tutorial_files!(),
    "\n\nExamples:\n",
    "  moult-console tutorial\n",
    "  MOULT_TUTORIAL_ROOT=~/src/moult moult-console tutorial --ascii\n\n",
    "NO_COLOR=1 turns colours off."
);

const DEMO_HELP: &str = concat!(
    "The same screen as a running exercise of the tutorial: the console's views,\n",
    "the app's output, u to build, apply and check your update, v for the\n",
    "solution. q quits and stops the app.\n\n",
    tutorial_files!(),
    "\n\nExamples:\n",
    "  moult-console demo step1-hello\n",
    "  cargo run -p moult-console -- demo step2-series --ascii"
);

/// `tutorial`.
#[derive(Debug, Args)]
pub struct TutorialArgs {
    #[command(subcommand)]
    pub command: Option<TutorialCommand>,
    /// Draw with ASCII only (no box drawing or block characters).
    #[arg(long)]
    pub ascii: bool,
}

/// `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The exercise's id, e.g. `step1-hello` (`moult-console check --help` lists them).
    pub exercise: String,
    /// Draw with ASCII only (no box drawing or block characters).
    #[arg(long)]
    pub ascii: bool,
}

const CHECK_HELP: &str = concat!(
    "The app runs fast (a turn every few ms) in a private agent directory, so the\n",
    "check takes seconds; its progress goes to stderr, the verdict to stdout.\n",
    "The verdict, pass or fail, is kept in your tutorial progress\n",
    "($XDG_STATE_HOME/moult/tutorial.json; `moult-console tutorial progress`).\n",
    "Exercises: step1-hello step1-tictoc step1-data step2-fibonacci step2-series\n",
    "step3-custom-hello step3-custom-data step3-clock step3-reboot\n",
    "step4-simultaneous step4-webserver step5-revert step5-async-kv.\n\n",
    "Examples:\n",
    "  moult-console check step1-hello\n",
    "  moult-console check step3-clock --solution\n  moult-console check step1-tictoc --solution --period-ms 1000\n",
    "  moult-console check step1-data --update target/debug/libmy_update.so\n\n",
    "Exit codes:\n",
    "  0  pass\n",
    "  1  fail (what is wrong is printed), or the app or update did not build\n",
    "  2  wrong command line"
);

/// `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The exercise's id, e.g. `step1-hello`.
    pub exercise: String,
    /// Apply the exercise's solution instead of the starter crate.
    #[arg(long, conflicts_with = "update")]
    pub solution: bool,
    /// Apply this update instead: a built library (.so) or an update crate directory.
    #[arg(long, value_name = "PATH")]
    pub update: Option<PathBuf>,
    /// Build the app and the update in the release profile.
    #[arg(long)]
    pub release: bool,
    /// Rounds (fresh app, update, check); the exercise's own count by default.
    #[arg(long, value_name = "N")]
    pub rounds: Option<u32>,
    /// The app's period in milliseconds (its loop's pace); the exercise's
    /// fast check pace by default. `--period-ms 2000` checks at the
    /// tutorial's own pace, as a learner runs it.
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    pub period_ms: Option<u64>,
    /// Seconds one update may take before it is aborted.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
}

const REMOTE_HELP: &str = "Remote targets:
  ssh://[user@]host[:port]/<app|pid> runs `ssh` (from PATH, so ~/.ssh/config,
  the agent, known_hosts and ProxyJump apply; MOULT_SSH_COMMAND replaces it
  and its options, split like a shell would, as GIT_SSH_COMMAND) with
  `moult-console bridge <app|pid>` on the host, as the remote user.
  --via 'CMD ...' runs `CMD ... moult-console bridge <app|pid>` instead
  (kubectl exec -i POD --, docker exec -i BOX).";

const BRIDGE_HELP: &str = concat!(
    "Resolves <app|pid> in this user's runtime directory, connects to its agent\n",
    "and pipes the JSON-lines protocol over stdin/stdout until either side ends\n",
    "(exit 0). Opens no port. With --receive, takes an update library on stdin\n",
    "instead, writes it into the runtime directory's uploads/ (0600) once its\n",
    "length and SHA-256 match, and prints its path.\n\n",
    "Examples:\n",
    "  moult-console bridge step1-hello          # what `ssh host ...` runs\n",
    "  moult-console bridge --receive libup.so <sha256> 123456 < libup.so\n\n",
    "Exit codes:\n",
    "  0  the connection ended (or the library was kept)\n",
    "  1  no such agent, or the library was refused (why on stderr)"
);

/// `bridge`.
#[derive(Debug, Args)]
pub struct BridgeArgs {
    /// The app: its pid, or the name it gave moult::agent::start.
    #[arg(required_unless_present = "receive", conflicts_with = "receive")]
    pub target: Option<Target>,
    /// Receive an update library on stdin: its file NAME, its SHA256 (hex)
    /// and its LEN in bytes; prints where it was kept.
    #[arg(long, num_args = 3, value_names = ["NAME", "SHA256", "LEN"])]
    pub receive: Option<Vec<String>>,
}

/// How to reach an app on another host (for every command taking a target).
#[derive(Debug, Args)]
#[command(after_help = REMOTE_HELP)]
pub struct RemoteArgs {
    /// Reach the app through this command, run with `moult-console bridge
    /// <app|pid>` after it (e.g. 'kubectl exec -i mypod --').
    #[arg(long, value_name = "CMD")]
    pub via: Option<String>,
    /// The moult-console program on the remote side (default: `moult-console` on its PATH).
    #[arg(long, value_name = "PATH")]
    pub remote_console: Option<String>,
}

impl RemoteArgs {
    /// The options as the library takes them.
    pub fn options(&self) -> RemoteOptions {
        RemoteOptions {
            via: self.via.clone(),
            remote_console: self.remote_console.clone(),
        }
    }
}

/// `attach`.
#[derive(Debug, Args)]
pub struct AttachArgs {
    #[arg(help = TARGET_HELP)]
    pub target: Endpoint,
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Draw with ASCII only (no box drawing or block characters).
    #[arg(long)]
    pub ascii: bool,
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print the agents' metadata as a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[arg(help = TARGET_HELP)]
    pub target: Endpoint,
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Print the whole snapshot as JSON.
    #[arg(long)]
    pub json: bool,
}

/// How `apply` and `reboot` wait.
#[derive(Debug, Args)]
pub struct FollowArgs {
    /// Seconds to wait for every update to end; then they are aborted (exit 3).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Print each event as a JSON line, then a `{"type":"summary",...}` line.
    #[arg(long)]
    pub json: bool,
}

/// `apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[arg(help = TARGET_HELP)]
    pub target: Endpoint,
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// A built update library (.so) or an update crate directory.
    pub update: PathBuf,
    #[command(flatten)]
    pub follow: FollowArgs,
    /// Once applied, watch the update this many seconds: the agent reverts
    /// it if its new versions panic more than --max-panics times meanwhile.
    #[arg(long, value_name = "SECS")]
    pub watch: Option<f64>,
    /// Panics the watch tolerates (with --watch).
    #[arg(long, value_name = "N", default_value_t = 0, requires = "watch")]
    pub max_panics: u64,
    /// Sign the library with this minisign secret key before sending it
    /// (writes <library>.minisig beside it), for apps that require signed updates.
    #[arg(long, value_name = "KEY")]
    pub sign_with: Option<PathBuf>,
}

/// `sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The built update library (.so) to sign.
    pub library: PathBuf,
    /// The minisign secret key file (`keygen`'s <PREFIX>.key, or minisign's).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
}

/// `keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the keys: <PREFIX>.pub and <PREFIX>.key.
    #[arg(long, value_name = "PREFIX")]
    pub out: PathBuf,
    /// Store the secret key unencrypted (no password asked, none needed to sign).
    #[arg(long)]
    pub no_password: bool,
}

/// `revert`.
#[derive(Debug, Args)]
pub struct RevertArgs {
    #[arg(help = TARGET_HELP)]
    pub target: Endpoint,
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// The update to revert (its id, see `log`); default: the newest applied one.
    #[arg(long, value_name = "ID")]
    pub update: Option<u64>,
    #[command(flatten)]
    pub follow: FollowArgs,
}

/// `reboot`.
#[derive(Debug, Args)]
pub struct RebootArgs {
    #[arg(help = TARGET_HELP)]
    pub target: Endpoint,
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// The DSU thread's name (see `status`); with `--tasks`, the task
    /// group's name.
    pub thread: String,
    /// Reboot the tasks of the group THREAD onto the group's main (tasks
    /// spawned with `moult::task::spawn_main`), each at its next update point.
    #[arg(long)]
    pub tasks: bool,
    #[command(flatten)]
    pub follow: FollowArgs,
}

/// `convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    #[arg(help = TARGET_HELP)]
    pub target: Endpoint,
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// The class's full name (see `status`), e.g. `my_app::Data`.
    pub class: String,
    /// Print the reply (converted count and class) as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    #[arg(
        help = "The app: its pid (also once the app exited, on this machine), or the name it gave moult::agent::start; ssh://[user@]host[:port]/<app|pid> for an app on another host"
    )]
    pub target: Endpoint,
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Print the entries as JSON lines.
    #[arg(long)]
    pub json: bool,
}

/// `watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    #[arg(help = TARGET_HELP)]
    pub target: Endpoint,
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Print each event as a JSON line (missed events as `{"type":"dropped","dropped":N}`).
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_an_example() {
        for sub in Cli::command().get_subcommands() {
            let help = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                help.contains(&format!("moult-console {}", sub.get_name())),
                "{} has no example",
                sub.get_name()
            );
        }
    }
}
