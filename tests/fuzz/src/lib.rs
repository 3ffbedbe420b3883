//! What the fuzz targets check, shared by `fuzz_targets/*.rs` and by the CI
//! replay of the committed corpus (`tests/tests/fuzz_smoke.rs`, which
//! includes this file as a module).
//!
//! - [`check_decode`]: the agent's framing and decoding (`read_line`,
//!   `decode_request`, `request_id` of `moult-protocol`, as
//!   `agent/moult/src/agent/connection.rs` calls them) never panic, split
//!   lines independently of how reads are chunked, and round-trip.
//! - [`check_dispatch`]: the agent's request loop on a live runtime
//!   ([`moult::agent::__serve_bytes`]) answers every request line with
//!   exactly one well-formed reply bearing its id, in order, and never
//!   panics (a panic caught by the dispatcher counts as a failure) or hangs.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir tests/fuzz dispatch`
//! (see `tests/fuzz/README.md`).

use std::io::{BufReader, Cursor};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::Duration;

use moult_protocol::{
    ClientMessage, FrameError, MAX_REQUEST_BYTES, PROTOCOL_VERSION, Request, ServerMessage,
    decode_request, read_line, request_id,
};

/// Where `apply` requests may point at an existing file: garbage files the
/// target writes (a library from anywhere else would be read and, with a
/// valid fingerprint, loaded: not what a fuzzer should do).
pub const SCRATCH: &str = "/tmp/moult-fuzz-scratch";

/// One line of `data` as `read_line` splits it, with `limit`.
fn lines(data: &[u8], capacity: usize, limit: usize) -> Vec<Result<String, FrameError>> {
    let mut reader = BufReader::with_capacity(capacity, Cursor::new(data));
    std::iter::from_fn(|| read_line(&mut reader, limit).expect("reading memory cannot fail"))
        .collect()
}

/// Checks the decoder on `data`; panics (a libFuzzer crash) on a violation.
pub fn check_decode(data: &[u8]) {
    // As the agent reads a socket (BufReader's default 8 KiB buffer).
    let agent = lines(data, 8 * 1024, MAX_REQUEST_BYTES);
    let newlines = data.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(agent.len(), newlines, "one item per complete line");
    // Splitting does not depend on how reads are chunked.
    assert_eq!(
        lines(data, 3, MAX_REQUEST_BYTES),
        agent,
        "chunking changed the lines"
    );
    // A small limit: over-long lines are skipped whole, the count holds.
    let small = lines(data, 5, 16);
    assert_eq!(
        small.len(),
        newlines,
        "one item per line with a small limit"
    );
    for (short, full) in small.iter().zip(&agent) {
        match short {
            Ok(s) => assert_eq!(Ok(s), full.as_ref(), "a short line reads the same"),
            Err(FrameError::TooLong { limit: 16 }) | Err(FrameError::NotUtf8) => {}
            Err(other) => panic!("unexpected frame error {other:?}"),
        }
    }
    for line in agent.into_iter().flatten() {
        assert!(line.len() <= MAX_REQUEST_BYTES && !line.contains('\n'));
        let id = request_id(&line);
        if let Ok(msg) = decode_request(&line) {
            assert_eq!(
                id,
                Some(msg.id),
                "request_id agrees with the decoder: {line:?}"
            );
            let text = serde_json::to_string(&msg).expect("a request encodes");
            assert_eq!(decode_request(&text), Ok(msg), "round trip of {line:?}");
        }
    }
}

/// The replies the agent must send to `data`: one per non-blank complete
/// line, each with the id the line carries (none for a framing error), up
/// to and including a `hello` of another protocol (which closes).
pub fn expected_reply_ids(data: &[u8]) -> Vec<Option<u64>> {
    let mut ids = Vec::new();
    for line in lines(data, 8 * 1024, MAX_REQUEST_BYTES) {
        match line {
            Err(_) => ids.push(None),
            Ok(l) if l.trim().is_empty() => {}
            Ok(l) => match decode_request(&l) {
                Err(_) => ids.push(request_id(&l)),
                Ok(ClientMessage { id, request }) => {
                    ids.push(Some(id));
                    if matches!(request, Request::Hello { protocol, .. } if protocol != PROTOCOL_VERSION)
                    {
                        break;
                    }
                }
            },
        }
    }
    ids
}

/// Whether every `apply` in `data` names a missing path or one under
/// [`SCRATCH`] (the other inputs are skipped, not run).
pub fn applies_are_confined(data: &[u8]) -> bool {
    lines(data, 8 * 1024, MAX_REQUEST_BYTES)
        .into_iter()
        .flatten()
        .filter_map(|l| match decode_request(&l) {
            Ok(ClientMessage {
                request: Request::Apply { path, .. },
                ..
            }) => Some(path),
            _ => None,
        })
        .all(|path| match std::fs::canonicalize(&path) {
            Err(_) => true,
            Ok(real) => real.starts_with(SCRATCH),
        })
}

/// Checks the dispatcher on `data` (call [`setup`] first); `false` if the
/// input was skipped (an `apply` outside [`SCRATCH`]). Panics on a violation.
pub fn check_dispatch(data: &[u8]) -> bool {
    if !applies_are_confined(data) {
        return false;
    }
    let out = moult::agent::__serve_bytes(data).expect("the agent is started");
    let mut ids = Vec::new();
    for line in &out {
        assert!(line.ends_with('\n'), "one reply per line: {line:?}");
        let msg: ServerMessage =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("malformed reply {line:?}: {e}"));
        match msg {
            ServerMessage::Ok { id, .. } => ids.push(Some(id)),
            ServerMessage::Error { id, error } => {
                // How dispatch::handle reports a panic it caught (a decode
                // error may quote the input, hence the prefix, not contains).
                assert!(
                    !error
                        .message
                        .starts_with("the agent failed on this request"),
                    "the dispatcher panicked: {}",
                    error.message
                );
                ids.push(id);
            }
            // A subscription's pump.
            ServerMessage::State { .. } | ServerMessage::Events { .. } => {}
            ServerMessage::Closing { reason } => panic!("closed the connection: {reason}"),
        }
    }
    assert_eq!(
        ids,
        expected_reply_ids(data),
        "one reply per request, in order"
    );
    true
}

moult::class!(
    /// A tracked class, for `convert`.
    pub static SHAPES: dyn Shape, u32 = "Shape" as Square, |side| Box::new(Square { side })
);

/// The tracked class's trait.
pub trait Shape: std::any::Any + Send + Sync {
    /// Its side.
    fn side(&self) -> u32;
}

/// The tracked class's one version.
pub struct Square {
    side: u32,
}

impl Shape for Square {
    fn side(&self) -> u32 {
        self.side
    }
}

/// A hot function the worker calls.
#[moult::hot]
pub fn tick(n: u64) -> u64 {
    n.wrapping_add(1)
}

/// Starts the runtime once: the agent, a DSU thread `worker` with an update
/// point (so `reboot worker` does something), live instances of
/// [`SHAPES`], and the garbage files of [`SCRATCH`].
pub fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        moult::init();
        moult::agent::start("moult-fuzz").expect("start the agent");
        let scratch = Path::new(SCRATCH);
        let _ = std::fs::create_dir_all(scratch.join("dir.so"));
        let _ = std::fs::write(scratch.join("garbage.so"), b"\x7fELF\x02\x01\x01garbage");
        let _ = std::fs::write(scratch.join("empty.so"), b"");
        // Kept reachable from a static (not forgotten): LeakSanitizer
        // reports unreachable allocations at exit.
        static LIVE: std::sync::OnceLock<Vec<moult::class::Tracked<dyn Shape>>> =
            std::sync::OnceLock::new();
        LIVE.get_or_init(|| (1..=3).map(|s| SHAPES.create(s)).collect());
        moult::dsu::spawn("worker", || {
            let mut n = 0;
            loop {
                moult::update_point!("loop");
                n = tick(n);
                std::thread::sleep(Duration::from_millis(1));
            }
        })
        .expect("spawn the worker");
    });
}

/// The committed seed corpus of `target`: the files of
/// `<fuzz_dir>/corpus/<target>` (`fuzz_dir` is `tests/fuzz`), sorted.
pub fn corpus(fuzz_dir: &Path, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = fuzz_dir.join("corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a corpus entry").path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read a corpus file");
            (p, bytes)
        })
        .collect()
}
