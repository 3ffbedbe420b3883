//! An update's `update_queued` event comes before every event of its
//! lifecycle (sequence numbers, and so the journal): it was emitted after
//! the update entered the queue, so the manager could run it first and the
//! journal read "applied" before "queued".

use std::collections::HashMap;
use std::time::Duration;

use moult::protocol::EventKind;
use moult::{Update, UpdateContext, UpdateError};

struct Nop(usize);

impl Update for Nop {
    fn name(&self) -> &str {
        "nop"
    }
    fn apply(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let _ = self.0;
        Ok(())
    }
}

#[test]
fn update_queued_precedes_the_lifecycle_of_its_update() {
    let rt = moult::init();
    let cursor = rt.events().cursor();
    let ids: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                s.spawn(move || {
                    (0..20)
                        .map(|i| rt.submit(Box::new(Nop(t * 100 + i))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    for id in &ids {
        assert!(rt.wait(*id, Duration::from_secs(60)).is_some());
    }
    let mut queued: HashMap<u64, u64> = HashMap::new();
    let mut first_step: HashMap<u64, u64> = HashMap::new();
    for e in rt.events().since(cursor).events {
        match e.kind {
            EventKind::UpdateQueued { id, .. } => {
                queued.insert(id, e.seq);
            }
            EventKind::Lifecycle { id, .. } | EventKind::UpdateDone { id, .. } => {
                first_step.entry(id).or_insert(e.seq);
            }
            _ => {}
        }
    }
    for id in &ids {
        let (q, f) = (queued[id], first_step[id]);
        assert!(
            q < f,
            "update #{id}: queued at seq {q}, its lifecycle began at seq {f}"
        );
    }
}
