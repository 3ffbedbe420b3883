//! The step 1 tutorial demos, as a learner runs them: the real demo app
//! binary prints its lines, an update library is applied through the
//! agent's socket, and the app's next lines show it — the solution changes
//! them, the untouched starter does not.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use moult_e2e::{Client, build, library_path, private_runtime_dir};
use moult_protocol::{Outcome, Request, Response, ServerMessage, discovery};

const APPS: &[&str] = &["step1-hello", "step1-tictoc", "step1-data"];

/// Builds the apps and every step 1 update crate once; returns the artifact dir.
fn built() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let kinds = ["", "-starter", "-solution"];
            let packages: Vec<String> = APPS
                .iter()
                .flat_map(|app| kinds.iter().map(move |k| format!("{app}{k}")))
                .collect();
            build(&packages.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .clone()
}

/// A demo app process (period 20 ms) with its agent; killed on drop.
struct Demo {
    child: Child,
    lines: Receiver<String>,
    client: Client,
    runtime_dir: PathBuf,
}

impl Demo {
    fn start(app: &str) -> Demo {
        let runtime_dir = private_runtime_dir();
        let mut child = Command::new(built().join(app))
            .env("MOULT_DEMO_PERIOD_MS", "20")
            .env(discovery::DIR_ENV, &runtime_dir)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {app}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let socket = discovery::socket_path(&runtime_dir, child.id());
        let deadline = Instant::now() + Duration::from_secs(20);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "{app} opened no {socket:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
        let client = Client::hello(&socket);
        Demo {
            child,
            lines,
            client,
            runtime_dir,
        }
    }

    /// The next `n` lines, after dropping those printed in the last 200 ms.
    fn fresh_lines(&mut self, n: usize) -> Vec<String> {
        std::thread::sleep(Duration::from_millis(200));
        while self.lines.try_recv().is_ok() {}
        (0..n)
            .map(|_| self.lines.recv_timeout(Duration::from_secs(10)))
            .collect::<Result<_, _>>()
            .expect("the app keeps printing")
    }

    /// Applies `package` through the socket and waits for each of its updates.
    fn apply(&mut self, package: &str) {
        let path = library_path(package).display().to_string();
        let updates = match self.client.request(Request::Apply { path }) {
            ServerMessage::Ok {
                result: Response::Queued { updates },
                ..
            } => updates,
            other => panic!("apply {package}: {other:?}"),
        };
        for update in updates {
            assert_eq!(self.outcome(update.id), Outcome::Applied, "{update:?}");
        }
    }

    /// The outcome of update `id`, once it has one.
    fn outcome(&mut self, id: u64) -> Outcome {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let ServerMessage::Ok {
                result: Response::Snapshot { snapshot },
                ..
            } = self.client.request(Request::Snapshot)
                && let Some(outcome) = snapshot
                    .updates
                    .into_iter()
                    .find(|u| u.id == id)
                    .and_then(|u| u.outcome)
            {
                return outcome;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("update {id} has no outcome after 20 s");
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.runtime_dir);
    }
}

/// Runs `app`, applies `package`; returns 10 lines before and 10 after.
fn before_and_after(app: &str, package: &str) -> (Vec<String>, Vec<String>) {
    let mut demo = Demo::start(app);
    let before = demo.fresh_lines(10);
    demo.apply(package);
    (before, demo.fresh_lines(10))
}

/// Asserts every line is one of `expected`.
fn all_in(lines: &[String], expected: &[&str]) {
    for line in lines {
        assert!(
            expected.contains(&line.as_str()),
            "unexpected {line:?} in {lines:#?}"
        );
    }
}

const DATA_V1: [&str; 5] = ["data 1", "data 2", "data 3", "data 4", "data 5"];
const DATA_V2: [&str; 5] = [
    "data 1 from origin",
    "data 2 from origin",
    "data 3 from origin",
    "data 4 from origin",
    "data 5 from origin",
];

#[test]
fn hello_solution_says_hello_moult() {
    let (before, after) = before_and_after("step1-hello", "step1-hello-solution");
    all_in(&before, &["hello world"]);
    all_in(&after, &["hello moult"]);
}

#[test]
fn tictoc_solution_redefines_tic_and_tac() {
    let (before, after) = before_and_after("step1-tictoc", "step1-tictoc-solution");
    all_in(&before, &["tic", "tac"]);
    all_in(&after, &["tic v2", "tac v2"]);
    assert!(after.iter().any(|l| l == "tic v2") && after.iter().any(|l| l == "tac v2"));
}

#[test]
fn data_solution_converts_every_instance() {
    let (before, after) = before_and_after("step1-data", "step1-data-solution");
    all_in(&before, &DATA_V1);
    all_in(&after, &DATA_V2);
    for line in DATA_V2 {
        assert!(after.iter().any(|l| l == line), "no {line:?} in {after:#?}");
    }
}

#[test]
fn untouched_starters_change_nothing() {
    for (app, vocabulary) in [
        ("step1-hello", &["hello world"][..]),
        ("step1-tictoc", &["tic", "tac"][..]),
        ("step1-data", &DATA_V1[..]),
    ] {
        let (before, after) = before_and_after(app, &format!("{app}-starter"));
        all_in(&before, vocabulary);
        all_in(&after, vocabulary);
    }
}
