//! The agent's protocol through `socat`, a client no one here wrote, as the
//! README tells users to talk to an app: JSON lines in on stdin, JSON lines
//! out on stdout, nothing of moult on the client side. Every line that
//! comes back must validate against the committed JSON Schema
//! (`agent/moult-protocol/schema/`), and a bad line must get a clear error
//! without costing the app its agent.
//!
//! Needs Debian's `socat` (`.ci/run` installs it).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use moult_e2e::{App, build, workspace_root};
use moult_protocol::{CAPABILITIES, MAX_REQUEST_BYTES, PROTOCOL_VERSION};
use serde_json::Value;

fn app_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| build(&["e2e-app"]).join("e2e-app"))
        .clone()
}

/// Fails the test with what to install when socat is missing.
fn require_socat() {
    let ok = Command::new("socat")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "socat is not installed: the socat tests need Debian's socat \
         (`sudo apt-get install socat`; .ci/run installs it)"
    );
}

/// Runs `socat - UNIX-CONNECT:<socket>` with `input` on its stdin, as a
/// user's shell pipeline does, and returns every line the agent sent. At
/// the end of `input` socat half-closes the socket; the agent answers what
/// it read and closes its side, and socat exits. `-t 60` only bounds a hang.
fn socat(socket: &Path, input: &[u8]) -> Vec<String> {
    let mut child = Command::new("socat")
        .args(["-t", "60", "-"])
        .arg(format!("UNIX-CONNECT:{}", socket.display()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run socat");
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(input).expect("write to socat");
    drop(stdin);
    let out = child.wait_with_output().expect("wait for socat");
    assert!(
        out.status.success(),
        "socat failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("the agent writes UTF-8")
        .lines()
        .map(String::from)
        .collect()
}

/// The committed schema of every line the agent sends, and of a snapshot.
struct Schemas {
    server_message: jsonschema::Validator,
    snapshot: jsonschema::Validator,
}

impl Schemas {
    fn load() -> Schemas {
        let load = |file: &str| {
            let path = workspace_root()
                .join("agent/moult-protocol/schema")
                .join(file);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let schema: Value = serde_json::from_str(&text).expect("a schema file is JSON");
            jsonschema::validator_for(&schema)
                .unwrap_or_else(|e| panic!("{} is not a usable schema: {e}", path.display()))
        };
        Schemas {
            server_message: load("server-message.schema.json"),
            snapshot: load("snapshot.schema.json"),
        }
    }

    /// Parses a line the agent sent; panics unless it is one JSON object
    /// that validates as a server message.
    fn read(&self, line: &str) -> Value {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("the agent sent a line that is not JSON ({e}): {line}"));
        let errors: Vec<String> = self
            .server_message
            .iter_errors(&value)
            .map(|e| format!("at {}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{line}\ndoes not validate against server-message.schema.json:\n  {}",
            errors.join("\n  ")
        );
        value
    }
}

/// Asserts `reply` is an error with `id` and `code`; returns its message.
fn error_message(reply: &Value, id: Value, code: &str) -> String {
    assert_eq!(reply["type"], "error", "{reply}");
    assert_eq!(reply["id"], id, "{reply}");
    assert_eq!(reply["error"]["code"], code, "{reply}");
    reply["error"]["message"]
        .as_str()
        .expect("an error has a message")
        .to_string()
}

#[test]
fn a_socat_session_says_hello_reads_a_snapshot_and_survives_bad_lines() {
    require_socat();
    let schemas = Schemas::load();
    let mut app = App::start(&app_binary());
    let hello =
        format!(r#"{{"id":1,"cmd":"hello","protocol":{PROTOCOL_VERSION},"client":"socat"}}"#);
    let input = [
        hello.as_str(),
        r#"{"id":2,"cmd":"snapshot"}"#,
        r#"{"id":3,"cmd":"explode"}"#,
        r#"{"id":4,"cmd":"#,
        r#"{"id":5,"cmd":"journal"}"#,
    ]
    .join("\n")
        + "\n";
    let lines = socat(&app.socket(), input.as_bytes());
    assert_eq!(lines.len(), 5, "one reply a request line: {lines:#?}");
    let replies: Vec<Value> = lines.iter().map(|l| schemas.read(l)).collect();

    // hello: the version and capabilities a client checks first.
    let hello = &replies[0];
    assert_eq!((&hello["type"], &hello["id"]), (&"ok".into(), &1.into()));
    let result = &hello["result"];
    assert_eq!(result["kind"], "hello");
    assert_eq!(result["protocol"], PROTOCOL_VERSION);
    assert_eq!(result["capabilities"], serde_json::json!(CAPABILITIES));
    assert_eq!(result["agent"]["pid"], app.pid());
    assert_eq!(result["agent"]["app"], "e2e-app");

    // snapshot: valid on its own too, and it names the app's hot functions.
    let reply = &replies[1];
    assert_eq!((&reply["type"], &reply["id"]), (&"ok".into(), &2.into()));
    let snapshot = &reply["result"]["snapshot"];
    assert!(
        schemas.snapshot.is_valid(snapshot),
        "snapshot.schema.json refuses {snapshot}"
    );
    let functions: Vec<&str> = snapshot["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    for hot in ["e2e_app::greeting", "e2e_app::compute", "e2e_app::busy"] {
        assert!(functions.contains(&hot), "{hot} not in {functions:?}");
    }
    let greeting = snapshot["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "e2e_app::greeting")
        .unwrap();
    assert_eq!(greeting["signature"], "fn() -> alloc::string::String");

    // An unknown command: bad_request, with the request's id and the
    // commands there are.
    let unknown = error_message(&replies[2], 3.into(), "bad_request");
    assert!(
        unknown.contains("unknown variant `explode`") && unknown.contains("`snapshot`"),
        "{unknown}"
    );
    // A line that is not JSON: bad_request, no id to echo, what is wrong.
    let malformed = error_message(&replies[3], Value::Null, "bad_request");
    assert!(
        malformed.starts_with("invalid request: EOF while parsing"),
        "{malformed}"
    );
    // The same connection goes on after both.
    assert_eq!(replies[4]["result"]["kind"], "journal", "{}", replies[4]);

    // A second session: the agent still serves, and the app still runs.
    let again = socat(&app.socket(), b"{\"id\":1,\"cmd\":\"snapshot\"}\n");
    assert_eq!(again.len(), 1, "{again:#?}");
    assert_eq!(schemas.read(&again[0])["result"]["kind"], "snapshot");
    assert_eq!(app.ask("greet"), "greet hello world");
}

#[test]
fn the_readme_one_liner_works_as_written() {
    require_socat();
    let schemas = Schemas::load();
    let app = App::start(&app_binary());
    // README: echo '{"id":1,"cmd":"snapshot"}' | socat -t 5 - UNIX-CONNECT:…
    // (`-t 60` here: a hang bound on a loaded machine, not a timing).
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"echo '{"id":1,"cmd":"snapshot"}' | socat -t 60 - "UNIX-CONNECT:$1""#)
        .arg("sh")
        .arg(app.socket())
        .output()
        .expect("run sh");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let reply = schemas.read(text.trim_end());
    assert_eq!(reply["result"]["snapshot"]["agent"]["pid"], app.pid());
}

#[test]
fn a_wrong_version_or_an_oversized_line_gets_its_error_code() {
    require_socat();
    let schemas = Schemas::load();
    let app = App::start(&app_binary());

    // Another protocol version: version_mismatch naming both, and the agent
    // closes the connection (the snapshot after it is never answered).
    let input = concat!(
        r#"{"id":1,"cmd":"hello","protocol":1,"client":"an old console"}"#,
        "\n",
        r#"{"id":2,"cmd":"snapshot"}"#,
        "\n"
    );
    let lines = socat(&app.socket(), input.as_bytes());
    assert_eq!(lines.len(), 1, "the connection closes: {lines:#?}");
    let mismatch = error_message(&schemas.read(&lines[0]), 1.into(), "version_mismatch");
    assert!(
        mismatch.contains("an old console speaks protocol 1")
            && mismatch.contains(&format!("speaks protocol {PROTOCOL_VERSION}")),
        "{mismatch}"
    );

    // A line over MAX_REQUEST_BYTES: too_long; the next line is served.
    let mut input = vec![b'x'; MAX_REQUEST_BYTES + 1];
    input.extend_from_slice(b"\n{\"id\":7,\"cmd\":\"libraries\"}\n");
    let lines = socat(&app.socket(), &input);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    let too_long = error_message(&schemas.read(&lines[0]), Value::Null, "too_long");
    assert!(
        too_long.contains(&format!("longer than {MAX_REQUEST_BYTES} bytes")),
        "{too_long}"
    );
    let libraries = schemas.read(&lines[1]);
    assert_eq!(
        (&libraries["id"], &libraries["result"]["kind"]),
        (&7.into(), &"libraries".into())
    );

    // A command whose argument is missing or of the wrong type, and one
    // naming nothing the app has: bad_request, bad_request, not_found.
    let input = concat!(
        r#"{"id":1,"cmd":"abort"}"#,
        "\n",
        r#"{"id":2,"cmd":"abort","update":"three"}"#,
        "\n",
        r#"{"id":3,"cmd":"abort","update":99}"#,
        "\n"
    );
    let lines = socat(&app.socket(), input.as_bytes());
    assert_eq!(lines.len(), 3, "{lines:#?}");
    let missing = error_message(&schemas.read(&lines[0]), 1.into(), "bad_request");
    assert!(missing.contains("missing field `update`"), "{missing}");
    let mistyped = error_message(&schemas.read(&lines[1]), 2.into(), "bad_request");
    assert!(mistyped.contains("expected u64"), "{mistyped}");
    error_message(&schemas.read(&lines[2]), 3.into(), "not_found");
}
