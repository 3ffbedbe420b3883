//! Instances in chunks, slots and counts in per-thread homes: counts stay
//! exact when instances are dropped on other threads than the ones that
//! built them, and when threads exit and others take their homes and chunks.

use std::any::Any;
use std::sync::mpsc;
use std::thread;

use moult::class::Tracked;

trait Cell: Any + Send + Sync {
    fn get(&self) -> u64;
}
impl Cell for u64 {
    fn get(&self) -> u64 {
        *self
    }
}

moult::class!(static CELLS: dyn Cell, u64 = "Cell", |v| Box::new(v));

#[cfg(not(miri))]
const PER_THREAD: u64 = 5_000;
#[cfg(miri)]
const PER_THREAD: u64 = 60;

#[test]
fn counts_stay_exact_across_threads_that_come_and_go() {
    moult::init();
    let (tx, rx) = mpsc::channel::<Vec<Tracked<dyn Cell>>>();
    // Builders exit one after another: the next ones take over their
    // homes and chunks.
    for t in 0..4u64 {
        let tx = tx.clone();
        thread::spawn(move || {
            let made: Vec<_> = (0..PER_THREAD)
                .map(|i| CELLS.create(t * PER_THREAD + i))
                .collect();
            tx.send(made).unwrap();
        })
        .join()
        .unwrap();
    }
    drop(tx);
    let all: Vec<_> = rx.iter().flatten().collect();
    assert_eq!(CELLS.live(), 4 * PER_THREAD);
    let mut seen: Vec<u64> = all.iter().map(|c| c.read().get()).collect();
    seen.sort_unstable();
    assert!(
        seen.iter().copied().eq(0..4 * PER_THREAD),
        "every value intact"
    );
    // Enumeration finds each instance once.
    let handle = CELLS.handle().unwrap();
    assert_eq!(handle.instances().len() as u64, 4 * PER_THREAD);

    // Dropped on two other threads than their builders, half each.
    let mut all = all;
    let second = all.split_off(all.len() / 2);
    let droppers = [all, second].map(|part| thread::spawn(move || drop(part)));
    for d in droppers {
        d.join().unwrap();
    }
    assert_eq!(CELLS.live(), 0, "no instance counted after its drop");
    assert_eq!(handle.info().versions[0].live, 0);
    assert!(handle.instances().is_empty());

    // Slots freed on other threads are taken again.
    let again: Vec<_> = (0..PER_THREAD).map(|i| CELLS.create(i)).collect();
    assert_eq!(CELLS.live(), PER_THREAD);
    drop(again);
    assert_eq!(CELLS.live(), 0);
}
