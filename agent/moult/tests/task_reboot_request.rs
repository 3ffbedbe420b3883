//! The console's reboot of a task group (`reboot_tasks` request): tasks
//! spawned on a main restart on it at their next point, each with the state
//! it handed over; a group spawned with plain futures is refused with a
//! message saying what to do.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use moult::protocol::{Outcome, Response, ServerMessage, discovery};
use moult::task::{Handover, TaskMain};

fn serve(request: &str) -> Vec<ServerMessage> {
    let input = format!(
        "{{\"id\":1,\"cmd\":\"hello\",\"protocol\":{},\"client\":\"test\"}}\n{request}\n",
        moult::protocol::PROTOCOL_VERSION,
    );
    moult::agent::__serve_bytes(input.as_bytes())
        .unwrap()
        .iter()
        .filter_map(|l| serde_json::from_str::<ServerMessage>(l).ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "Miri: real sockets and files")]
async fn a_task_group_on_a_main_reboots_on_request_with_its_state() {
    let dir = std::env::temp_dir().join(format!("moult-task-reboot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // SAFETY: set before this binary's threads read the environment (one test).
    unsafe { std::env::set_var(discovery::DIR_ENV, &dir) };
    moult::agent::start("task-reboot-test").expect("agent starts");
    let rt = moult::init();

    let starts = Arc::new(AtomicU64::new(0));
    let handed: Arc<Mutex<Vec<u64>>> = Arc::default();
    let (s, h) = (starts.clone(), handed.clone());
    let main = TaskMain::new(move |mut handover: Handover| {
        let (starts, handed) = (s.clone(), h.clone());
        async move {
            starts.fetch_add(1, Ordering::SeqCst);
            let mut n = match handover.take::<u64>() {
                Some(n) => {
                    handed.lock().unwrap().push(n);
                    n
                }
                None => 0,
            };
            loop {
                n += 1;
                n = moult::task::point_with(&"turn", n).await;
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    });
    let tasks: Vec<_> = (0..5)
        .map(|_| tokio::spawn(moult::task::root_main("mains", main.clone())))
        .collect();
    while starts.load(Ordering::SeqCst) < 5 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    tokio::time::sleep(Duration::from_millis(20)).await;

    let replies = serve(r#"{"id":2,"cmd":"reboot_tasks","group":"mains"}"#);
    let id = replies
        .iter()
        .find_map(|m| match m {
            ServerMessage::Ok {
                id: 2,
                result: Response::Queued { updates },
            } => Some(updates[0].id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("queued: {replies:#?}"));
    let outcome =
        tokio::task::spawn_blocking(move || moult::init().wait(id, Duration::from_secs(30)))
            .await
            .unwrap();
    assert_eq!(outcome, Some(Outcome::Applied));
    assert_eq!(
        starts.load(Ordering::SeqCst),
        10,
        "each task started again once"
    );
    let handed = handed.lock().unwrap().clone();
    assert_eq!(handed.len(), 5);
    assert!(
        handed.iter().all(|&n| n >= 1),
        "each kept its count: {handed:?}"
    );
    assert!(
        rt.task_infos()
            .iter()
            .filter(|t| t.group == "mains")
            .all(|t| t.main_version == 1)
    );

    // Asked as a DSU thread: the refusal says how to reboot a task group.
    let replies = serve(r#"{"id":5,"cmd":"reboot","thread":"mains"}"#);
    assert!(
        replies
            .iter()
            .any(|m| matches!(m, ServerMessage::Error { error, .. }
            if error.message.contains("is a task group") && error.message.contains("--tasks"))),
        "{replies:#?}"
    );

    // Spawned with futures: no main to reboot onto.
    let plain = tokio::spawn(moult::task::root("futures-only", async {
        loop {
            moult::update_point!("p").await;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }));
    tokio::time::sleep(Duration::from_millis(5)).await;
    let replies = serve(r#"{"id":3,"cmd":"reboot_tasks","group":"futures-only"}"#);
    let refusal = replies
        .iter()
        .find_map(|m| match m {
            ServerMessage::Error { error, .. } => Some(error.message.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("refused: {replies:#?}"));
    assert!(refusal.contains("spawn_main"), "{refusal}");
    let replies = serve(r#"{"id":4,"cmd":"reboot_tasks","group":"nobody"}"#);
    assert!(
        replies.iter().any(|m| matches!(m, ServerMessage::Error { error, .. } if error.message.contains("no task group `nobody`"))),
        "{replies:#?}"
    );
    plain.abort();
    for t in tasks {
        t.abort();
    }
    let _ = std::fs::remove_dir_all(&dir);
}
