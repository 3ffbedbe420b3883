//! An app whose source marks functions hot, built with moult's `static`
//! feature: it prints what the agent and the registry see (nothing).

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

#[moult::hot]
fn double(x: u64) -> u64 {
    x * 2
}

#[moult::hot]
async fn triple(x: u64) -> u64 {
    x * 3
}

struct Meter(u64);

#[moult::hot_impl]
impl Meter {
    #[hot]
    fn read(&self) -> u64 {
        self.0
    }
}

fn run<T>(f: impl Future<Output = T>) -> T {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn main() {
    let info = moult::agent::start("static-app").expect("start is a no-op");
    println!("socket={:?}", info.socket);
    println!("values={} {} {}", double(2), run(triple(2)), Meter(7).read());
    println!("hot_functions={}", moult::init().functions().len());
}
