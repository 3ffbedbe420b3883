//! Tutorial step 2, exercise 2 — series of integers (Pymoult's `step2`
//! series app).
//!
//! What it teaches: converting many instances without stopping the app for
//! long. The app holds [`COUNT`] (10 000) instances of the tracked class
//! [`INTEGER`], valued 0 to 9 999, and every period prints a [`Serie`] of
//! [`SERIE_LEN`] (5) of them picked at random, through the hot method
//! [`Serie::display`], which lists them in ascending order. The update
//! doubles every integer with `moult::class::LazyConversion` (Pymoult's
//! `LazyConversionUpdate`): applying it is instant, and each instance
//! converts on its next access — here, when a serie picks it. It also
//! redefines `Serie::display` (`moult::update::SafeRedefine`, Pymoult's
//! `SafeRedefineMethodUpdate`) to print the serie shuffled.
//!
//! The app is a library (this file) and a binary (`main.rs`) so that update
//! crates can name `step2_series::INTEGER`, `step2_series::Serie`, the trait
//! and the types.

use std::any::Any;
use std::fmt;
use std::time::Duration;

use moult::class::Tracked;

/// How many integers the app holds.
pub const COUNT: usize = 10_000;

/// How many integers a serie picks.
pub const SERIE_LEN: usize = 5;

/// What every version of `Integer` offers the app: being printed, and its
/// value (what version 0 of [`Serie::display`] sorts by). `Any` lets a
/// transformer find out which version it was given.
pub trait IntegerApi: Any + Send + Sync + fmt::Display {
    /// The number this integer holds.
    fn value(&self) -> u64;
}

/// Version 0 of `Integer`: a number.
pub struct Integer {
    /// The number, printed as is.
    pub value: u64,
}

impl IntegerApi for Integer {
    fn value(&self) -> u64 {
        self.value
    }
}

impl fmt::Display for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)
    }
}

moult::class!(
    /// The tracked class `Integer`; its constructor of record takes the number.
    pub static INTEGER: dyn IntegerApi, u64 = "Integer" as Integer, |value| Box::new(Integer { value })
);

/// One tracked integer, of whatever version.
pub type Item = Tracked<dyn IntegerApi>;

/// The type of [`Serie::display`] (and of every new version of it): the
/// receiver comes first.
pub type DisplayFn = fn(&Serie) -> String;

/// A few integers picked at random.
pub struct Serie {
    /// The picked integers (shared with the app's list), in pick order.
    pub integers: Vec<Item>,
}

impl Serie {
    /// [`SERIE_LEN`] distinct integers of `all`, picked at random.
    pub fn pick(all: &[Item]) -> Serie {
        let picked = fastrand::choose_multiple(0..all.len(), SERIE_LEN);
        Serie {
            integers: picked.into_iter().map(|i| all[i].clone()).collect(),
        }
    }
}

#[moult::hot_impl]
impl Serie {
    /// The serie as a line: its integers in ascending order, separated by
    /// spaces. Hot: an update can swap it while the app runs.
    #[hot]
    pub fn display(&self) -> String {
        let mut values: Vec<(u64, String)> = self
            .integers
            .iter()
            .map(|i| {
                let i = i.read();
                (i.value(), i.to_string())
            })
            .collect();
        values.sort_by_key(|(value, _)| *value);
        let shown: Vec<String> = values.into_iter().map(|(_, shown)| shown).collect();
        shown.join(" ")
    }
}

impl fmt::Display for Serie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// The app's loop: creates the integers 0 to 9 999, then every `period`
/// (2 s in the tutorial) prints `serie: <a serie>`.
pub fn run(period: Duration) -> ! {
    let integers: Vec<Item> = (0..COUNT as u64).map(|v| INTEGER.create(v)).collect();
    loop {
        println!("serie: {}", Serie::pick(&integers));
        std::thread::sleep(period);
    }
}
