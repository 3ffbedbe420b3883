//! A DSU thread rebooted at an update point hands its state to the new
//! main, transformed by the update (Pymoult's `updateLocalVar`); without
//! `point_with` the new main gets nothing; a panicking transformer leaves
//! the new main nothing and the thread running.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use moult::Handover;
use moult::dsu::{Main, ThreadReboot};
use moult::protocol::Outcome;

const WAIT: Duration = Duration::from_secs(20);

/// The cache the v0 main builds.
#[derive(Debug, Clone, PartialEq)]
struct Cache {
    items: Vec<u64>,
}

/// The cache the v1 main takes: the update added a field.
#[derive(Debug, Clone, PartialEq)]
struct CacheV2 {
    items: Vec<u64>,
    hits: u64,
}

/// What each v1 main got, and how many times v1 ran.
type Received = Arc<Mutex<Vec<Option<CacheV2>>>>;

fn v1(received: Received) -> Main {
    Main::with_state(move |mut handover: Handover| {
        received.lock().unwrap().push(handover.take::<CacheV2>());
        loop {
            moult::update_point!("v1 loop");
            std::thread::sleep(Duration::from_millis(1));
        }
    })
}

fn v0(turns: Arc<AtomicU64>, with_state: bool) -> impl Fn() + Send + Sync + 'static {
    move || {
        let mut cache = Cache { items: Vec::new() };
        loop {
            let n = turns.fetch_add(1, Ordering::SeqCst);
            cache.items.push(n);
            if with_state {
                cache = moult::dsu::point_with(&"loop", cache);
            } else {
                moult::update_point!("loop");
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

fn reboot(thread: &str, received: &Received, transform: fn(Handover) -> Handover) -> Outcome {
    let rt = moult::init();
    let update = ThreadReboot::new(thread)
        .onto(v1(received.clone()))
        .with_state(transform)
        .tries(400, Duration::from_millis(5));
    let id = rt.submit(Box::new(update));
    rt.wait(id, WAIT).expect("the update ends")
}

fn wait_received(received: &Received) -> Vec<Option<CacheV2>> {
    for _ in 0..4000 {
        if !received.lock().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    received.lock().unwrap().clone()
}

fn grow(mut h: Handover) -> Handover {
    match h.take::<Cache>() {
        Some(old) => Handover::new(CacheV2 {
            hits: old.items.len() as u64,
            items: old.items,
        }),
        None => Handover::default(),
    }
}

#[test]
fn the_new_main_gets_the_old_mains_state_transformed() {
    let turns = Arc::new(AtomicU64::new(0));
    moult::dsu::spawn("handover", v0(turns.clone(), true)).unwrap();
    while turns.load(Ordering::SeqCst) < 20 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let received: Received = Arc::default();
    assert_eq!(reboot("handover", &received, grow), Outcome::Applied);
    let got = wait_received(&received);
    assert_eq!(got.len(), 1, "v1 ran once: {got:?}");
    let cache = got[0].clone().expect("v1 got the transformed cache");
    assert!(
        cache.items.len() >= 20,
        "the cache the old main built: {cache:?}"
    );
    assert_eq!(cache.hits, cache.items.len() as u64);
    assert_eq!(
        cache.items,
        (0..cache.items.len() as u64).collect::<Vec<_>>(),
        "every item the old main pushed, in order"
    );
}

#[test]
fn without_point_with_the_new_main_gets_no_state() {
    let turns = Arc::new(AtomicU64::new(0));
    moult::dsu::spawn("no-handover", v0(turns.clone(), false)).unwrap();
    while turns.load(Ordering::SeqCst) < 5 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let received: Received = Arc::default();
    assert_eq!(reboot("no-handover", &received, grow), Outcome::Applied);
    assert_eq!(wait_received(&received), vec![None]);
}

#[test]
fn a_panicking_transformer_leaves_the_new_main_without_state() {
    let turns = Arc::new(AtomicU64::new(0));
    moult::dsu::spawn("bad-transform", v0(turns.clone(), true)).unwrap();
    while turns.load(Ordering::SeqCst) < 5 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let received: Received = Arc::default();
    let outcome = reboot("bad-transform", &received, |_| {
        panic!("transformer refuses")
    });
    assert_eq!(outcome, Outcome::Applied);
    assert_eq!(
        wait_received(&received),
        vec![None],
        "v1 runs, with nothing"
    );
}
