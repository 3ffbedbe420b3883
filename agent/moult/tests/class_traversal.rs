//! Heap traversal visits every tracked instance of every class.
//! (One test in this binary, so the registry holds only its classes.)

use std::any::Any;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use moult::class::HeapTraversal;
use moult::protocol::Outcome;

trait Shape: Any + Send + Sync {}
struct Circle(u32);
impl Shape for Circle {}

trait Named: Any + Send + Sync {}
struct Label(&'static str);
impl Named for Label {}

moult::class!(static SHAPES: dyn Shape, u32 = "Shapes", |r| Box::new(Circle(r)));
moult::class!(static LABELS: dyn Named, &'static str = "Labels", |s| Box::new(Label(s)));

#[test]
fn heap_traversal_visits_every_instance_of_every_class() {
    let shapes: Vec<_> = (1..=3).map(|r| SHAPES.create(r)).collect();
    let labels = vec![LABELS.create("a"), LABELS.create("b")];
    let dropped = SHAPES.create(99);
    drop(dropped);

    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let update = HeapTraversal::new("walk the heap", move |class, version, value| {
        let what = if let Some(c) = value.downcast_ref::<Circle>() {
            format!("circle {}", c.0)
        } else if let Some(l) = value.downcast_ref::<Label>() {
            format!("label {}", l.0)
        } else {
            "unknown".into()
        };
        sink.lock()
            .unwrap()
            .push((class.to_string(), version, what));
    });
    let rt = moult::runtime();
    let id = rt.submit(Box::new(update));
    assert_eq!(rt.wait(id, Duration::from_secs(10)), Some(Outcome::Applied));

    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    let expected = vec![
        (
            "class_traversal::Labels".to_string(),
            0,
            "label a".to_string(),
        ),
        (
            "class_traversal::Labels".to_string(),
            0,
            "label b".to_string(),
        ),
        (
            "class_traversal::Shapes".to_string(),
            0,
            "circle 1".to_string(),
        ),
        (
            "class_traversal::Shapes".to_string(),
            0,
            "circle 2".to_string(),
        ),
        (
            "class_traversal::Shapes".to_string(),
            0,
            "circle 3".to_string(),
        ),
    ];
    assert_eq!(seen, expected);

    // The same walk straight from the runtime.
    let mut count = 0;
    let visited = rt.visit_instances(&mut |_, _, value: &dyn Any| {
        assert!(value.is::<Circle>() || value.is::<Label>());
        count += 1;
    });
    assert_eq!((visited, count), (5, 5));
    drop((shapes, labels));
    assert_eq!(rt.visit_instances(&mut |_, _, _| {}), 0);
}
