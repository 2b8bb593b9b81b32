//! Real (wall-clock) time: the one place it enters Safe Return, for the timestamps and durations
//! of learning records. Everything else runs on simulated time.
//!
//! `SAFE_RETURN_CLOCK=2026-01-01T10:00:00Z` (RFC 3339) stops the clock at that instant, so tests
//! and demonstrations give the same records every time.

use chrono::{DateTime, SecondsFormat, Utc};

/// The environment variable that fixes the clock.
pub const CLOCK_ENV: &str = "SAFE_RETURN_CLOCK";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The computer's clock.
    System,
    /// Always this instant.
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// The clock `SAFE_RETURN_CLOCK` sets, else the computer's. A value that is not an RFC 3339
    /// time is refused (in words), never ignored.
    pub fn from_env() -> Result<Clock, String> {
        match std::env::var(CLOCK_ENV) {
            Ok(v) if !v.trim().is_empty() => Self::parse(&v).map(Clock::Fixed).ok_or_else(|| {
                format!(
                    "{CLOCK_ENV}: `{}` is not a time such as 2026-01-01T10:00:00Z",
                    v.escape_debug()
                )
            }),
            _ => Ok(Clock::System),
        }
    }

    /// An RFC 3339 time (`2026-01-01T10:00:00Z`, `2026-01-01T11:00:00+01:00`) in UTC.
    pub fn parse(text: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text.trim())
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => *t,
        }
    }
}

/// An xAPI timestamp: UTC, to the millisecond, `2026-01-01T10:00:00.000Z`.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// An ISO 8601 duration to the hundredth of a second, as xAPI asks: `PT0S`, `PT1H2M3.45S`.
/// A negative span (a clock set back) counts as none.
pub fn iso_duration(d: chrono::TimeDelta) -> String {
    let cs = (d.num_milliseconds().max(0) + 5) / 10;
    let (h, rest) = (cs / 360_000, cs % 360_000);
    let (m, rest) = (rest / 6_000, rest % 6_000);
    let (s, frac) = (rest / 100, rest % 100);
    let mut out = String::from("PT");
    if h > 0 {
        out += &format!("{h}H");
    }
    if m > 0 {
        out += &format!("{m}M");
    }
    if s > 0 || frac > 0 || (h == 0 && m == 0) {
        if frac == 0 {
            out += &format!("{s}S");
        } else {
            let f = format!("{frac:02}");
            out += &format!("{s}.{}S", f.trim_end_matches('0'));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_iso_8601() {
        let ms = chrono::TimeDelta::milliseconds;
        assert_eq!(iso_duration(ms(0)), "PT0S");
        assert_eq!(iso_duration(ms(-5000)), "PT0S");
        assert_eq!(iso_duration(ms(1_500)), "PT1.5S");
        assert_eq!(iso_duration(ms(60_000)), "PT1M");
        assert_eq!(iso_duration(ms(3_723_450)), "PT1H2M3.45S");
        assert_eq!(iso_duration(ms(7_200_000)), "PT2H");
    }

    #[test]
    fn a_fixed_clock_reads_rfc_3339() {
        let t = Clock::parse("2026-01-01T11:00:00+01:00").unwrap();
        assert_eq!(timestamp(t), "2026-01-01T10:00:00.000Z");
        assert!(Clock::parse("1 January 2026").is_none());
    }
}
