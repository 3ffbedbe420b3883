//! Enumeration, version moves and drops interleaved on several threads: a
//! snapshot never hands out a freed instance (its refcount and the shard's
//! pointers agree), moves keep the per-version counts exact, and every
//! instance is freed once. Small enough for Miri (`cargo +nightly miri test
//! -p moult --test class_interleave`), which checks the unsafe parts (the
//! shard's plain pointers, the instance's own refcount, the lock's cell).

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

use moult::class::Tracked;

#[cfg(not(miri))]
const ROUNDS: usize = 2_000;
#[cfg(miri)]
const ROUNDS: usize = 12;

/// Live values: every one is dropped exactly once.
static ALIVE: AtomicUsize = AtomicUsize::new(0);

trait Item: Any + Send + Sync {
    fn id(&self) -> usize;
}
struct A(usize);
struct B(usize);
impl Item for A {
    fn id(&self) -> usize {
        self.0
    }
}
impl Item for B {
    fn id(&self) -> usize {
        self.0
    }
}
impl Drop for A {
    fn drop(&mut self) {
        ALIVE.fetch_sub(1, Ordering::SeqCst);
    }
}
impl Drop for B {
    fn drop(&mut self) {
        ALIVE.fetch_sub(1, Ordering::SeqCst);
    }
}
fn a(id: usize) -> Box<dyn Item> {
    ALIVE.fetch_add(1, Ordering::SeqCst);
    Box::new(A(id))
}
fn b(id: usize) -> Box<dyn Item> {
    ALIVE.fetch_add(1, Ordering::SeqCst);
    Box::new(B(id))
}

moult::class!(static MIXED: dyn Item, usize = "Mixed" as A, a);

#[test]
fn enumeration_version_moves_and_drops_interleave_safely() {
    let class = MIXED.handle().unwrap();
    class.declare_type::<B>();
    let stop = Arc::new(AtomicBool::new(false));
    // Creates and drops; sometimes a value of the other type (a version move).
    let churn: Vec<_> = (0..2)
        .map(|t| {
            thread::spawn(move || {
                let mut mine: Vec<Tracked<dyn Item>> = Vec::new();
                for i in 0..ROUNDS {
                    let id = t * 1_000_000 + i;
                    mine.push(MIXED.create(id));
                    if i % 3 == 0 {
                        let d = &mine[i % mine.len()];
                        let keep = d.read().id();
                        let new = if d.version() == 0 { b(keep) } else { a(keep) };
                        drop(d.set(new));
                    }
                    if i % 2 == 1 {
                        mine.swap_remove(0);
                    }
                }
                mine
            })
        })
        .collect();
    // Enumerates and reads whatever is live, while the others churn.
    let walker = {
        let stop = stop.clone();
        thread::spawn(move || {
            let mut seen = 0;
            while !stop.load(Ordering::SeqCst) {
                for d in class.instances() {
                    let _ = d.read().id();
                    assert!(d.version() <= 1);
                    seen += 1;
                }
                thread::yield_now();
            }
            seen
        })
    };
    let live: Vec<Tracked<dyn Item>> = churn.into_iter().flat_map(|t| t.join().unwrap()).collect();
    stop.store(true, Ordering::SeqCst);
    walker.join().unwrap();

    let info = class.info();
    for v in &info.versions {
        let expected = live.iter().filter(|d| d.version() == v.version).count() as u64;
        assert_eq!(v.live, expected, "version {}", v.version);
    }
    assert_eq!(class.live(), live.len() as u64);
    assert_eq!(ALIVE.load(Ordering::SeqCst), live.len());
    drop(live);
    assert_eq!(class.live(), 0);
    assert_eq!(ALIVE.load(Ordering::SeqCst), 0, "every value dropped once");
}
