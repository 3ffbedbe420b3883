//! Durations as people read them (uptimes).

use std::time::Duration;

/// `45s`, `3m 05s`, `1h 02m 03s`, `2d 03h 04m`: the two or three largest
/// units, fixed width after the first so columns of uptimes line up.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs();
    let (days, hours, minutes, seconds) = (s / 86_400, s / 3_600 % 24, s / 60 % 60, s % 60);
    if days > 0 {
        format!("{days}d {hours:02}h {minutes:02}m")
    } else if hours > 0 {
        format!("{hours}h {minutes:02}m {seconds:02}s")
    } else if minutes > 0 {
        format!("{minutes}m {seconds:02}s")
    } else {
        format!("{seconds}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_units_first() {
        let d = |s| duration(Duration::from_secs(s));
        assert_eq!(d(0), "0s");
        assert_eq!(d(45), "45s");
        assert_eq!(d(185), "3m 05s");
        assert_eq!(d(3_723), "1h 02m 03s");
        assert_eq!(d(2 * 86_400 + 3 * 3_600 + 4 * 60 + 5), "2d 03h 04m");
    }
}
