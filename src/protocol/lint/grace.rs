//! Deadlines that give more time than the document's own words, where the quote says enough to
//! tell: "within 24 hours" encoded as the next working day (three days and more over a weekend),
//! "immediately" as 24 hours, "missing for 48 hours" with a day more to act; and a wait the
//! document sets ("not until 48 hours after") encoded as a deadline.

use super::timing::{Span, deadline_span, hours_phrase, office_end};
use super::{Finding, Severity, finding};
use crate::protocol::load::LoadedProtocol;
use crate::protocol::model::*;

/// A time the quote states, as a span of hours from the moment it counts from, with its words.
#[derive(Debug, Clone, PartialEq)]
pub struct Said {
    pub span: Span,
    pub words: String,
}

/// What a quote says about time: the spans it names, and whether it says "immediately".
#[derive(Debug, Default, PartialEq)]
pub struct QuoteTimes {
    pub times: Vec<Said>,
    pub immediately: bool,
    /// "not until", "not before", "no earlier than": the document sets a wait, not a deadline.
    pub waits: bool,
}

fn number_word(w: &str) -> Option<f64> {
    const UNITS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    ];
    const ORDINALS: [&str; 13] = [
        "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
        "eleventh", "twelfth",
    ];
    const TENS: [(&str, f64); 8] = [
        ("twenty", 20.0),
        ("thirty", 30.0),
        ("forty", 40.0),
        ("fifty", 50.0),
        ("sixty", 60.0),
        ("seventy", 70.0),
        ("eighty", 80.0),
        ("ninety", 90.0),
    ];
    if let Ok(n) = w.parse::<f64>() {
        return Some(n);
    }
    if let Some(i) = UNITS.iter().position(|u| *u == w) {
        return Some(i as f64);
    }
    if let Some(i) = ORDINALS.iter().position(|u| *u == w) {
        return Some(i as f64);
    }
    if matches!(w, "a" | "an") {
        return Some(1.0);
    }
    TENS.iter().find(|(t, _)| *t == w).map(|(_, n)| *n)
}

/// Hours in one of the unit (calendar), or `None` when the word is not a unit of time we read
/// (years are ages: "16 and 17 year olds").
fn unit_hours(w: &str) -> Option<(f64, f64)> {
    Some(match w {
        "minute" | "minutes" | "min" | "mins" => (1.0 / 60.0, 1.0 / 60.0),
        "hour" | "hours" | "hr" | "hrs" | "h" => (1.0, 1.0),
        "day" | "days" => (24.0, 24.0),
        "week" | "weeks" => (168.0, 168.0),
        "fortnight" => (336.0, 336.0),
        "month" | "months" => (28.0 * 24.0, 31.0 * 24.0),
        _ => return None,
    })
}

/// The times a quote states ("24 hours", "the 7th day", "5 working days", "three months",
/// "next working day", "immediately").
pub fn quote_times(quote: &str, office_end: u32) -> QuoteTimes {
    let lower = quote.to_lowercase().replace("**", "");
    // Split letters from digits ("24hrs", "7th") and everything else into spaces.
    let mut spaced = String::new();
    let mut last: Option<bool> = None;
    for c in lower.chars() {
        let kind = if c.is_ascii_digit() {
            Some(true)
        } else if c.is_alphabetic() {
            Some(false)
        } else {
            None
        };
        if kind.is_none() || (last.is_some() && kind != last) {
            spaced.push(' ');
        }
        if kind.is_some() {
            spaced.push(c);
        }
        last = kind;
    }
    let w: Vec<&str> = spaced.split_whitespace().collect();
    let mut out = QuoteTimes::default();
    let text = w.join(" ");
    out.immediately = ["immediately", "at once", "straight away", "without delay"]
        .iter()
        .any(|k| text.contains(k));
    // "will not be transferred … until 48 hours after", "no earlier than 24 hours": a "not" before
    // an "until" or "before" that a time follows ("must not be delayed until the group has
    // returned" is no wait).
    out.waits = ["no earlier than", "no sooner than"].iter().any(|k| text.contains(k))
        || w.iter().enumerate().any(|(i, x)| {
            let before = &w[i.saturating_sub(8)..i];
            matches!(*x, "until" | "before")
                && before.contains(&"not")
                && !before.iter().any(|y| y.starts_with("delay") || y.starts_with("wait"))
                && w[i + 1..(i + 4).min(w.len())]
                    .iter()
                    .any(|y| number_word(y).is_some_and(|_| *y != "a" && *y != "an"))
        });
    if text.contains("next working day") || text.contains("following working day") {
        out.times.push(Said {
            span: deadline_span(Deadline::FirstWorkingDay, office_end).expect("timed"),
            words: "the next working day".into(),
        });
    }
    if text.contains("same day") {
        out.times.push(Said {
            span: Span { lo: 0.0, hi: 24.0 },
            words: "the same day".into(),
        });
    }
    let mut i = 0;
    while i < w.len() {
        let Some(mut n) = number_word(w[i]) else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        // "twenty four", "forty-eight".
        if n >= 20.0
            && n % 10.0 == 0.0
            && let Some(u) = w.get(j).and_then(|x| number_word(x))
            && (1.0..10.0).contains(&u)
        {
            n += u;
            j += 1;
        }
        // "7th day", "2nd working day": the suffix, then "working"/"business".
        if w.get(j).is_some_and(|x| matches!(*x, "th" | "st" | "nd" | "rd")) {
            j += 1;
        }
        let working = w.get(j).is_some_and(|x| matches!(*x, "working" | "business"));
        if working {
            j += 1;
        }
        let Some(unit) = w.get(j) else {
            break;
        };
        let before = out.times.len();
        let words = w[i..=j].join(" ");
        if working && matches!(*unit, "day" | "days") && n >= 1.0 {
            out.times.push(Said {
                span: deadline_span(Deadline::WorkingDays(n as i64), office_end).expect("timed"),
                words,
            });
        } else if !working && let Some((lo, hi)) = unit_hours(unit) {
            // "a" and "an" only count before a unit ("within an hour", "a 3 month period").
            out.times.push(Said {
                span: Span { lo: n * lo, hi: n * hi },
                words,
            });
        }
        // Past the time read, or on to the next word ("a 3 month period": "a" is no number here).
        i = if out.times.len() > before { j + 1 } else { i + 1 };
    }
    out
}

/// Whether a stated time is the moment the rule counts from (its threshold, its window's
/// opening, its episode window), not the time it allows.
fn is_rules_own_moment(r: &Rule, s: &Span) -> bool {
    let near = |h: f64| s.lo - 1.0 / 60.0 <= h && h <= s.hi + 1.0 / 60.0;
    let mut moments: Vec<f64> = Vec::new();
    if let Trigger::MissingFor(h) = r.trigger {
        moments.push(h);
    }
    if let Trigger::EpisodeCount { within_days, .. } = r.trigger {
        moments.push(within_days as f64 * 24.0);
    }
    moments.extend(r.opens_after_hours);
    moments.extend(r.when.min_hours_away);
    moments.extend(r.when.min_episodes.map(|e| e.within_days as f64 * 24.0));
    moments.into_iter().any(near)
}

/// Every rule whose deadline allows more time than its quote gives.
pub fn deadline_grace(lp: &LoadedProtocol, out: &mut Vec<Finding>) {
    let p = &lp.protocol;
    let end = office_end(p);
    for r in &p.rules {
        let q = quote_times(&r.citation.quote, end);
        let Some(allowed) = deadline_span(r.deadline, end) else {
            continue;
        };
        if q.waits && r.opens_after_hours.is_none() {
            out.push(finding(
                lp,
                "wait_read_as_deadline",
                Severity::Warning,
                &[r],
                format!(
                    "`{}` quotes a wait (\"not until …\") but gives a deadline ({}) from {}: the act may not be done before the time, so write the wait as `opens_after_hours`",
                    r.id,
                    r.deadline.label(),
                    p.trigger_text(&r.trigger)
                ),
            ));
            continue;
        }
        let own: Vec<&Said> = q.times.iter().filter(|s| !is_rules_own_moment(r, &s.span)).collect();
        let (said, words) = if let Some(most) = own.iter().max_by(|a, b| a.span.hi.total_cmp(&b.span.hi)) {
            (
                most.span.hi.max(if q.immediately { 1.0 } else { 0.0 }),
                most.words.clone(),
            )
        } else if q.immediately {
            (1.0, "immediately".to_string())
        } else if let Trigger::MissingFor(h) = r.trigger
            && r.repeat.is_none()
        {
            // The quote gives the threshold and no other time: due at the threshold. The
            // project's "immediately" (within the hour) is reported as `threshold_grace`.
            if matches!(r.deadline, Deadline::Immediately | Deadline::Minutes(0..=60)) {
                continue;
            }
            (0.0, format!("at {} missing", hours_text(h)))
        } else {
            continue;
        };
        if allowed.hi > said + 1.0 / 60.0 {
            let by = if allowed.lo < allowed.hi {
                format!("up to {}", hours_phrase(allowed.hi))
            } else {
                hours_phrase(allowed.hi)
            };
            out.push(finding(
                lp,
                "deadline_grace",
                Severity::Warning,
                &[r],
                format!(
                    "`{}` allows {} ({}) after {} where its quote says \"{}\": the rule gives more time than the document",
                    r.id,
                    by,
                    r.deadline.label(),
                    p.trigger_text(&r.trigger),
                    words
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(q: &str) -> Vec<(f64, f64)> {
        quote_times(q, 17)
            .times
            .iter()
            .map(|s| (s.span.lo, s.span.hi))
            .collect()
    }

    #[test]
    fn the_times_a_quote_states_are_read_as_people_write_them() {
        assert_eq!(hours("within 72 hours of return"), vec![(72.0, 72.0)]);
        assert_eq!(hours("missing for more than 24-hours."), vec![(24.0, 24.0)]);
        assert_eq!(hours("held by the 7th day"), vec![(168.0, 168.0)]);
        assert_eq!(hours("within forty-eight hours"), vec![(48.0, 48.0)]);
        assert_eq!(hours("missing for three months"), vec![(2016.0, 2232.0)]);
        assert_eq!(hours("missing for five or more successive days"), vec![]);
        assert_eq!(hours("aged 16 years, 3 or more occasions"), vec![]);
        let wd = hours("within 5 working days of the request");
        assert_eq!(wd.len(), 1);
        assert!(wd[0].1 > 7.0 * 24.0, "{wd:?}");
        assert!(quote_times("should be reported immediately", 17).immediately);
        assert_eq!(hours("within a 3 month period"), vec![(2016.0, 2232.0)]);
        let wait = quote_times(
            "will not be transferred to the Unit until 48 hours after the report",
            17,
        );
        assert!(wait.waits && wait.times.len() == 1);
        assert!(!quote_times("weekly until the child has been located", 17).waits);
        assert!(
            !quote_times(
                "must be undertaken immediately and not be delayed until the group has returned",
                17
            )
            .waits
        );
        assert!(quote_times("not until 48 hours after the report", 17).waits);
    }
}
