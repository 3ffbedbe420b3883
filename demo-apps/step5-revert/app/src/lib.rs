//! Tutorial step 5, exercise 1 — taking an update back (beyond Pymoult).
//!
//! What it teaches: an update that turns out wrong need not stay. The app
//! holds three prices, instances of the tracked class [`PRICE`], and prints
//! them every 2 s under a banner from the hot function [`banner`]. A buggy
//! new `banner` applied with a watch is reverted by the agent as soon as it
//! panics too often; a conversion of the prices can be reverted too, but
//! only if the update says how to turn a new value back into an old one (a
//! down transformer).
//!
//! A turn whose banner panics is skipped and said so on stderr: the app
//! keeps running, as a server would keep serving.

use std::any::Any;
use std::fmt;
use std::time::Duration;

/// What every version of `Price` offers the app: its amount in cents (the
/// unit of version 0) and being printed. `Any` lets a transformer find out
/// which version it was given.
pub trait PriceApi: Any + Send + Sync + fmt::Display {
    /// The amount, in cents.
    fn cents(&self) -> u64;
}

/// Version 0 of `Price`: cents, printed `1250 cents`.
pub struct Price {
    /// The amount.
    pub cents: u64,
}

impl PriceApi for Price {
    fn cents(&self) -> u64 {
        self.cents
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} cents", self.cents)
    }
}

moult::class!(
    /// The tracked class `Price`; its constructor of record takes cents.
    pub static PRICE: dyn PriceApi, u64 = "Price" as Price, |cents| Box::new(Price { cents })
);

/// The amounts the app starts with, in cents, in the order it prints them.
pub const START: [u64; 3] = [1250, 99, 40000];

/// The line above each turn's prices.
#[moult::hot]
pub fn banner() -> String {
    "prices:".to_string()
}

/// The app's loop: creates the three prices, then every `period` prints the
/// banner and the prices, one line each. A turn whose banner panics is
/// skipped (`turn skipped: …` on stderr).
pub fn run(period: Duration) -> ! {
    let prices: Vec<_> = START.iter().map(|&c| PRICE.create(c)).collect();
    loop {
        match std::panic::catch_unwind(banner) {
            Ok(line) => {
                println!("{line}");
                for p in &prices {
                    println!("{}", &*p.read());
                }
            }
            Err(_) => eprintln!("turn skipped: banner panicked"),
        }
        std::thread::sleep(period);
    }
}
