//! The engine's clock inside (`Nanos`) and its arithmetic: integer time, held at `LAST_INSTANT`
//! rather than wrapping.

use chrono::NaiveDateTime;

/// The engine's clock inside: nanoseconds since 1970-01-01 00:00 on the simulation's own
/// (local) clock. Keys, deadlines and workers' rotas are kept in it, so that the many sums and
/// comparisons a run makes are integer ones; `NaiveDateTime` is for everything shown.
pub(super) type Nanos = i64;

pub(super) const NANOS_PER_MINUTE: Nanos = 60_000_000_000;
pub(super) const NANOS_PER_HOUR: Nanos = 60 * NANOS_PER_MINUTE;
pub(super) const NANOS_PER_DAY: Nanos = 24 * NANOS_PER_HOUR;

/// The latest instant the engine works with (about the year 2200): spans added to it cannot
/// overflow. Loaders refuse dates and spans beyond it; the engine holds anything that slips
/// through at this bound rather than panic or wrap.
pub(super) const LAST_INSTANT: Nanos = i64::MAX / 4 * 3;

pub(super) fn nanos(t: NaiveDateTime) -> Nanos {
    t.and_utc()
        .timestamp_nanos_opt()
        .unwrap_or(if t.and_utc().timestamp() < 0 {
            -LAST_INSTANT
        } else {
            LAST_INSTANT
        })
        .clamp(-LAST_INSTANT, LAST_INSTANT)
}

/// `at` plus `span`, held at `LAST_INSTANT` (checked time arithmetic: no wrapping).
pub(super) fn later(at: Nanos, span: Nanos) -> Nanos {
    at.saturating_add(span).min(LAST_INSTANT)
}

/// `n` of `unit` as a span, held at `LAST_INSTANT`.
pub(super) fn span_of(n: i64, unit: Nanos) -> Nanos {
    n.saturating_mul(unit).clamp(-LAST_INSTANT, LAST_INSTANT)
}

pub(super) fn time_at(n: Nanos) -> NaiveDateTime {
    chrono::DateTime::from_timestamp_nanos(n).naive_utc()
}

/// How long after the child leaves a timer of `hours` falls (whole minutes; at once if not
/// after).
pub(super) fn timer_span(hours: f64) -> Nanos {
    // (A float cast saturates, and NaN gives 0.)
    span_of(((hours * 60.0) as i64).max(0), NANOS_PER_MINUTE)
}

/// Whole minutes in a span (towards zero, as `Duration::num_minutes`).
pub(super) fn minutes(span: Nanos) -> i64 {
    span / NANOS_PER_MINUTE
}
