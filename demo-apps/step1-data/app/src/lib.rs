//! Tutorial step 1, exercise 3 — updating data (Pymoult's `step1` data app).
//!
//! What it teaches: updating live data, not only code. The app holds five
//! instances of the tracked class [`DATA`] (Pymoult's class `Data`, whose
//! instances a `DataAccessor` can reach) and prints them every 2 s. The
//! update brings a new version of the class, with an `origin`, and converts
//! every live instance to it at once with `moult::class::EagerConversion`
//! (Pymoult's `EagerConversionUpdate`), through a transformer from the old
//! value to the new one.
//!
//! A class's values are boxed trait objects ([`DataApi`]): a new version is a
//! new type implementing the same trait, defined in the update crate. The
//! app is a library (this file) and a binary (`main.rs`) so that update
//! crates can name `step1_data::DATA`, `step1_data::Data` and the trait.

use std::any::Any;
use std::fmt;
use std::time::Duration;

/// What every version of `Data` offers the app: being printed. `Any` lets a
/// transformer find out which version it was given.
pub trait DataApi: Any + Send + Sync + fmt::Display {}

/// Version 0 of `Data`: a value, printed alone.
pub struct Data {
    /// What the app prints.
    pub value: String,
}

impl DataApi for Data {}

impl fmt::Display for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

moult::class!(
    /// The tracked class `Data`; its constructor of record takes the value.
    pub static DATA: dyn DataApi, String = "Data" as Data, |value| Box::new(Data { value })
);

/// The app's loop: creates `data 1` … `data 5`, then prints them, one line
/// each, every `period` (2 s in the tutorial).
pub fn run(period: Duration) -> ! {
    let data: Vec<_> = (1..=5).map(|i| DATA.create(format!("data {i}"))).collect();
    loop {
        for d in &data {
            println!("{}", &*d.read());
        }
        std::thread::sleep(period);
    }
}
