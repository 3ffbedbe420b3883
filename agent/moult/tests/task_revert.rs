//! Reverting a task reboot: the group's tasks park at their point and start
//! again on the main they ran before; a group spawned with futures has no
//! such main, and the revert is refused saying so.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use moult::protocol::Outcome;
use moult::task::{Handover, TaskMain, TaskReboot};

const WAIT: Duration = Duration::from_secs(20);

/// A main that records `version` as the one running, then loops through
/// its update point.
fn main_of(version: u32, running: Arc<AtomicU32>) -> TaskMain {
    TaskMain::new(move |_: Handover| {
        let running = running.clone();
        async move {
            loop {
                running.store(version, Ordering::SeqCst);
                moult::update_point!("turn").await;
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    })
}

/// Waits (off the runtime's threads) for update `id` to end.
async fn outcome(id: moult::UpdateId) -> Option<Outcome> {
    tokio::task::spawn_blocking(move || moult::init().wait(id, WAIT))
        .await
        .unwrap()
}

/// Waits until every task of the group has stored `version`.
async fn all_run(running: &[Arc<AtomicU32>], version: u32) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while running.iter().any(|r| r.load(Ordering::SeqCst) != version) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "tasks never all ran main v{version}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reverted_task_reboot_puts_the_tasks_back_on_their_old_main() {
    let rt = moult::init();
    // One flag for all tasks: after a reboot every task runs the group's
    // one main, so per-task flags would not say which task runs what.
    let shared = Arc::new(AtomicU32::new(0));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn(moult::task::root_main(
                "revertees",
                main_of(1, shared.clone()),
            ))
        })
        .collect();
    all_run(std::slice::from_ref(&shared), 1).await;

    let reboot = TaskReboot::new("revertees", main_of(2, shared.clone()))
        .tries(400, Duration::from_millis(5));
    let id = rt.submit(Box::new(reboot));
    assert_eq!(outcome(id).await, Some(Outcome::Applied));
    // Every task runs main v2: v1 can no longer store 1.
    shared.store(0, Ordering::SeqCst);
    all_run(std::slice::from_ref(&shared), 2).await;
    let versions = |v: u32| {
        let tasks = rt.task_infos();
        let mine: Vec<_> = tasks.iter().filter(|t| t.group == "revertees").collect();
        assert_eq!(mine.len(), 4, "no task lost: {tasks:?}");
        mine.iter().all(|t| t.main_version == v)
    };
    assert!(
        versions(1),
        "every task on the group's main v1 (the reboot's)"
    );

    let revert = rt
        .revert(Some(id), "test")
        .expect("a task reboot of a group with a main is revertible");
    assert_eq!(outcome(revert).await, Some(Outcome::Applied));
    shared.store(0, Ordering::SeqCst);
    all_run(std::slice::from_ref(&shared), 1).await;
    assert!(
        versions(2),
        "the revert is the group's main v2: the old code again"
    );
    for h in handles {
        h.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_reboot_of_futures_cannot_be_reverted_and_says_why() {
    let rt = moult::init();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            tokio::spawn(moult::task::root("futures only", async {
                loop {
                    moult::update_point!("turn").await;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }))
        })
        .collect();
    let on_v1 = Arc::new(AtomicU32::new(0));
    let reboot = TaskReboot::new("futures only", main_of(1, on_v1.clone()))
        .tries(400, Duration::from_millis(5));
    let id = rt.submit(Box::new(reboot));
    assert_eq!(outcome(id).await, Some(Outcome::Applied));
    all_run(std::slice::from_ref(&on_v1), 1).await;
    let refused = rt
        .revert(Some(id), "test")
        .expect_err("no old main to go back to");
    assert!(
        refused.contains("spawned with futures") && refused.contains("futures only"),
        "{refused}"
    );
    for h in handles {
        h.abort();
    }
}
