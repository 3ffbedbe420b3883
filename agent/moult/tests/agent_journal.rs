//! The agent answers `journal` with the runtime directory's one reader: a
//! damaged line in the middle of the file is skipped and counted, the lines
//! after it are kept, and the reply says how many were skipped — the same
//! entries and count the console gets reading the file itself
//! (`moult_rundir::read_journal`, which `moult-console log` calls once the
//! app has exited).

use moult_protocol::{JournalAction, JournalEntry, Response, ServerMessage, discovery};

fn entry(id: u64) -> String {
    serde_json::to_string(&JournalEntry {
        unix_ms: 1,
        action: JournalAction::Applied,
        update: Some(format!("u{id}")),
        id: Some(id),
        detail: String::new(),
    })
    .unwrap()
}

#[test]
#[cfg_attr(miri, ignore = "Miri: real sockets and files")]
fn a_damaged_middle_line_is_skipped_counted_and_reported_as_the_console_reads_it() {
    let dir = std::env::temp_dir().join(format!("moult-agent-journal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // SAFETY: set before any thread of this test binary reads the environment
    // (this binary has this one test).
    unsafe { std::env::set_var(discovery::DIR_ENV, &dir) };
    let info = moult::agent::start("journal-test").expect("agent starts");
    let journal = std::path::PathBuf::from(&info.journal);
    std::fs::write(
        &journal,
        format!("{}\nnot json, a damaged line\n{}\n", entry(1), entry(2)),
    )
    .unwrap();

    let input = format!(
        "{{\"id\":1,\"cmd\":\"hello\",\"protocol\":{},\"client\":\"test\"}}\n{}\n",
        moult_protocol::PROTOCOL_VERSION,
        r#"{"id":2,"cmd":"journal"}"#
    );
    let lines = moult::agent::__serve_bytes(input.as_bytes()).unwrap();
    let reply = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<ServerMessage>(l).ok())
        .find_map(|m| match m {
            ServerMessage::Ok {
                id: 2,
                result: Response::Journal { entries, skipped },
            } => Some((entries, skipped)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no journal reply in {lines:#?}"));
    let ids: Vec<Option<u64>> = reply.0.iter().map(|e| e.id).collect();
    assert_eq!((ids, reply.1), (vec![Some(1), Some(2)], 1));

    let console_side = moult_rundir::read_journal(&journal, usize::MAX).unwrap();
    assert_eq!(
        (console_side.entries, console_side.skipped as u64),
        (reply.0, reply.1)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
