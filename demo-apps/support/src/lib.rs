//! What every moult tutorial demo app shares (and nothing else): the period
//! of its loop, which tests shorten with the environment variable
//! [`PERIOD_ENV`].

use std::time::Duration;

/// Environment variable overriding a demo app's period, in milliseconds
/// (`MOULT_DEMO_PERIOD_MS=100` makes a 2 s loop turn every 100 ms).
pub const PERIOD_ENV: &str = "MOULT_DEMO_PERIOD_MS";

/// The period of a demo app's loop: [`PERIOD_ENV`] in milliseconds if it is
/// set to a whole number, `default` otherwise (an unreadable value is
/// reported on stderr and ignored).
pub fn period(default: Duration) -> Duration {
    let value = std::env::var(PERIOD_ENV).ok();
    parse(value.as_deref()).unwrap_or_else(|bad| {
        if let Some(bad) = bad {
            eprintln!("{PERIOD_ENV}={bad:?} is not a number of milliseconds; using {default:?}");
        }
        default
    })
}

/// The period `value` asks for; `Err(Some(value))` if it is not a number,
/// `Err(None)` if there is none.
fn parse(value: Option<&str>) -> Result<Duration, Option<&str>> {
    let value = value.ok_or(None)?;
    value
        .trim()
        .parse()
        .map(Duration::from_millis)
        .map_err(|_| Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_override_the_default() {
        assert_eq!(parse(Some("100")), Ok(Duration::from_millis(100)));
        assert_eq!(parse(Some(" 250\n")), Ok(Duration::from_millis(250)));
    }

    #[test]
    fn nothing_or_garbage_keeps_the_default() {
        assert_eq!(parse(None), Err(None));
        assert_eq!(parse(Some("2s")), Err(Some("2s")));
        assert_eq!(parse(Some("-1")), Err(Some("-1")));
    }
}
