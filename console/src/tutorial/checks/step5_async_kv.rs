//! Step 5, exercise 2 (beyond Pymoult): a command added to a live async
//! server under load. The app is kv-server, a Redis-protocol server on
//! tokio; the learner's update teaches it `APPEND` while redis-benchmark
//! and a client writing keys keep it busy. The check talks to it only with
//! Redis's own tools, as the learner does: redis-cli and redis-benchmark.

mod benchmark;
mod deadline;
mod redis_cli;
mod writer;

use std::time::Duration;

use crate::tutorial::check::{Baseline, Check, Probe, function_version};
use crate::tutorial::exercise::Exercise;

use benchmark::{Benchmark, hammer};
use redis_cli::RedisCli;
use writer::Writer;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step5-async-kv",
    step: 5,
    number: 2,
    title: "A command for a live async server",
    summary: "add APPEND to a Redis-protocol server on tokio while redis-benchmark loads it",
    check_period: Duration::from_millis(20),
    serves_http: true,
    check: &AsyncKvCheck,
};

/// Keys written before the update, read back after it.
const BEFORE_KEYS: usize = 200;

/// APPENDs of one byte sent at once to one key, and from how many clients.
const RACE: (usize, usize) = (5000, 20);

/// How many keys get [`RACE`]'s APPENDs, one after the other.
const RACES: usize = 3;

/// Before: the server answers, knows no APPEND; keys are written, then
/// redis-benchmark and a client writing keys start. After: neither saw a
/// failure, APPEND appends (on a new key, an existing one, keeping its
/// expiry, from many clients at once) and answers the length, refuses a
/// wrong arity; other commands, unknown ones included, answer as before;
/// every key written before and during the update reads back.
pub struct AsyncKvCheck;

/// The load running across the update, from `before` to `after`.
struct Load {
    cli: RedisCli,
    bench: Benchmark,
    writer: Writer,
}

impl Check for AsyncKvCheck {
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String> {
        let cli = client(probe)?;
        cli.wait_ready()?;
        let append = cli.call(&["APPEND", "greeting", "hello"])?;
        if !append.starts_with("ERR unknown command 'APPEND'") {
            return Err(format!(
                "APPEND answered {append:?}; version 0 of the server does not know it \
                 (an update is already applied? start the app afresh: R in the tutorial)"
            ));
        }
        let sets: Vec<String> = (0..BEFORE_KEYS)
            .map(|i| format!("SET before:{i} before-{i}"))
            .collect();
        let answers = cli.batch(&sets)?;
        if let Some(bad) = answers.iter().find(|a| *a != "OK") {
            return Err(format!("SET before the update answered {bad:?}"));
        }
        let mut bench = Benchmark::start(cli.port)?;
        bench.wait_rounds(1, cli.patience)?;
        let writer = Writer::start(cli.port, "during")?;
        Ok(Box::new(Load { cli, bench, writer }))
    }

    fn after(&self, probe: &Probe<'_>, baseline: Baseline) -> Result<String, String> {
        let Ok(load) = baseline.downcast::<Load>() else {
            return Err("the check lost what it saw before the update".into());
        };
        let Load {
            cli,
            mut bench,
            writer,
        } = *load;
        bench.still_running()?;
        let during = writer.stop(cli.patience)?;
        // In the tutorial the learner may have tried these keys by hand.
        let mut del: Vec<String> = ["DEL", "greeting", "session", "old"]
            .map(String::from)
            .into();
        del.extend((1..=RACES).map(race_key));
        cli.call(&del.iter().map(String::as_str).collect::<Vec<_>>())?;
        judge_append(&cli)?;
        judge_old_commands(&cli)?;
        bench.wait_rounds(1, cli.patience)?;
        let rounds = bench.stop()?;
        read_back(&cli, "before", BEFORE_KEYS)?;
        read_back(&cli, "during", during)?;
        Ok(format!(
            "APPEND appends and answers the length (5, then 11: \"Hello World\"), keeps the \
             expiry and lost none of {RACES} × {} appends from {} clients at once; {}; \
             redis-benchmark ran {rounds} rounds without an error and the {during} keys \
             written during the update and the {BEFORE_KEYS} before it read back",
            RACE.0,
            RACE.1,
            redefined(probe)
        ))
    }
}

/// A redis-cli for the app's port.
fn client(probe: &Probe<'_>) -> Result<RedisCli, String> {
    let port = probe
        .port
        .ok_or("this exercise's app was started without a port (MOULT_DEMO_PORT)")?;
    Ok(RedisCli {
        port,
        patience: probe.patience() * 4,
    })
}

/// `Err` unless `got` is `want`: "`command` answered …, expected …; why".
fn expect(cli: &RedisCli, command: &[&str], want: &str, why: &str) -> Result<(), String> {
    let got = cli.call(command)?;
    if got == want {
        return Ok(());
    }
    Err(format!(
        "{} answered {got:?}, expected {want:?}: {why}",
        command.join(" ")
    ))
}

/// APPEND as Redis answers it.
fn judge_append(cli: &RedisCli) -> Result<(), String> {
    let first = cli.call(&["APPEND", "greeting", "Hello"])?;
    if first.starts_with("ERR unknown command") {
        return Err(format!(
            "APPEND still answers {first:?}: your update applied, but the server does not \
             route APPEND to your code. A command the dispatch \
             (kv_server::commands::execute) does not know goes to \
             kv_server::commands::fallback: give one of them a version that answers APPEND"
        ));
    }
    if first != "5" {
        return Err(format!(
            "APPEND greeting Hello, on a key that did not exist, answered {first:?}, expected \
             5: APPEND creates the key and answers the length of the value, as an integer"
        ));
    }
    expect(
        cli,
        &["APPEND", "greeting", " World"],
        "11",
        "APPEND answers the length of the whole value after it, not of the part added",
    )?;
    expect(
        cli,
        &["GET", "greeting"],
        "Hello World",
        "after APPEND greeting Hello and APPEND greeting \" World\", APPEND adds its value \
         at the end of what the key holds",
    )?;
    expect_expiry_kept(cli)?;
    for wrong in [
        &["APPEND", "greeting"][..],
        &["APPEND", "greeting", "a", "b"],
    ] {
        let got = cli.call(wrong)?;
        if !got.starts_with("ERR wrong number of arguments for 'append' command") {
            return Err(format!(
                "{} answered {got:?}, expected Redis's \"ERR wrong number of arguments for \
                 'append' command\": APPEND takes a key and a value (Reply::wrong_arity)",
                wrong.join(" ")
            ));
        }
    }
    expect_no_append_lost(cli)
}

/// `SET session abc EX 1000`, `APPEND session def`: the key still expires.
fn expect_expiry_kept(cli: &RedisCli) -> Result<(), String> {
    expect(
        cli,
        &["SET", "session", "abc", "EX", "1000"],
        "OK",
        "SET works",
    )?;
    expect(
        cli,
        &["APPEND", "session", "def"],
        "6",
        "APPEND answers the length of the value after it",
    )?;
    let ttl = cli.call(&["TTL", "session"])?;
    match ttl.parse::<i64>() {
        Ok(1..=1000) => Ok(()),
        Ok(-1) => Err(
            "after SET session abc EX 1000 and APPEND session def, TTL session is -1: the key \
             lost its expiry. APPEND changes the value and keeps the expiry (Redis does): \
             carry the old item's expiry over"
                .into(),
        ),
        _ => Err(format!(
            "after SET session abc EX 1000 and APPEND session def, TTL session answered \
             {ttl:?}, expected the seconds left (1000 or a little less)"
        )),
    }
}

/// Many clients APPEND one byte to one key at once: every byte is there.
/// A get-then-set answer loses some only when two clients interleave, so
/// the race is run [`RACES`] times, on a key each.
fn expect_no_append_lost(cli: &RedisCli) -> Result<(), String> {
    let (appends, clients) = RACE;
    for race in 1..=RACES {
        let key = race_key(race);
        hammer(
            cli.port,
            &format!("APPEND {key} x"),
            appends,
            clients,
            cli.patience,
        )?;
        let value = cli.call(&["GET", &key])?;
        if value.len() != appends {
            return Err(format!(
                "{appends} × APPEND {key} x from {clients} clients at once left {} bytes in \
                 {key}, expected {appends}: appends were lost. Read the value and write the \
                 new one in one step (Keyspace::update), so that no other client's APPEND \
                 comes between",
                value.len()
            ));
        }
    }
    Ok(())
}

/// The key of race number `race` (from 1).
fn race_key(race: usize) -> String {
    format!("race:{race}")
}

/// The commands version 0 knew answer as they did, and unknown ones are
/// still unknown.
fn judge_old_commands(cli: &RedisCli) -> Result<(), String> {
    let commands = [
        ("SET old v", "OK"),
        ("GET old", "v"),
        ("EXISTS old", "1"),
        ("DEL old", "1"),
        ("EXISTS old", "0"),
        ("PING", "PONG"),
    ];
    let sent: Vec<String> = commands.iter().map(|(c, _)| c.to_string()).collect();
    let answers = cli.batch(&sent)?;
    for ((command, want), got) in commands.iter().zip(&answers) {
        if got != want {
            return Err(format!(
                "{command} answered {got:?}, expected {want:?}: the commands the server \
                 knew must answer as before your update"
            ));
        }
    }
    let unknown = cli.call(&["NOSUCHCMD", "x"])?;
    if !unknown.starts_with("ERR unknown command 'NOSUCHCMD'") {
        return Err(format!(
            "NOSUCHCMD x answered {unknown:?}, expected \"ERR unknown command 'NOSUCHCMD', \
             …\": a command the server does not know must still get version 0's answer \
             (kv_server::commands::unknown_command)"
        ));
    }
    Ok(())
}

/// Keys `<prefix>:0..count` read back with the values they were given.
fn read_back(cli: &RedisCli, prefix: &str, count: usize) -> Result<(), String> {
    let gets: Vec<String> = (0..count).map(|i| format!("GET {prefix}:{i}")).collect();
    let values = cli.batch(&gets)?;
    let when = if prefix == "before" {
        "before"
    } else {
        "while"
    };
    for (i, got) in values.iter().enumerate() {
        let want = format!("{prefix}-{i}");
        if *got != want {
            return Err(format!(
                "GET {prefix}:{i}, a key written {when} the update applied, answered {got:?}, \
                 expected {want:?}: a write was lost"
            ));
        }
    }
    Ok(())
}

/// Which of the dispatch and its fallback the update redefined, for the
/// verdict.
fn redefined(probe: &Probe<'_>) -> String {
    let Ok(snapshot) = probe.snapshot() else {
        return "the server answered through your update".into();
    };
    let changed: Vec<String> = ["execute", "fallback"]
        .iter()
        .filter_map(|name| {
            let full = format!("kv_server::commands::{name}");
            match function_version(&snapshot, &full) {
                Ok(v) if v > 0 => Some(format!("{full} is at v{v}")),
                _ => None,
            }
        })
        .collect();
    if changed.is_empty() {
        "the server answered through your update".into()
    } else {
        changed.join(", ")
    }
}
