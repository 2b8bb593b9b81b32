//! When a duty falls due, counted from the child's leaving, as far as the protocol itself says:
//! the ground the contradiction lint stands on. A role acting by the book does each act by its
//! due time, so "within 5 working days of the request" (the request due at 48 hours missing) can
//! be placed beside "by the 7th day" and the two compared.

use crate::protocol::model::*;

/// A span of hours after the child left, from the earliest to the latest it can be (the day of
/// the week, the hour of the day and acts done early all move it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub lo: f64,
    pub hi: f64,
}

impl Span {
    pub fn at(h: f64) -> Span {
        Span { lo: h, hi: h }
    }
    pub fn plus(self, o: Span) -> Span {
        Span {
            lo: self.lo + o.lo,
            hi: self.hi + o.hi,
        }
    }
    /// Both ends the same (to the minute).
    pub fn same(self, o: Span) -> bool {
        (self.lo - o.lo).abs() < 1.0 / 60.0 && (self.hi - o.hi).abs() < 1.0 / 60.0
    }
    /// "25 h", "4 days 17 h to 7 days 17 h": as a trainer reads it.
    pub fn text(self) -> String {
        if (self.hi - self.lo).abs() < 1.0 / 60.0 {
            hours_phrase(self.lo)
        } else {
            format!("{} to {}", hours_phrase(self.lo), hours_phrase(self.hi))
        }
    }
}

/// "25 h", "73 h", "7 days", "4 days 17 h", "30 min": hours up to 99, then days and hours.
pub fn hours_phrase(h: f64) -> String {
    let mins = (h * 60.0).round() as i64;
    if mins < 60 {
        return format!("{mins} min");
    }
    let (hours, m) = (mins / 60, mins % 60);
    let minutes = if m > 0 { format!(" {m} min") } else { String::new() };
    if hours < 100 {
        return format!("{hours} h{minutes}");
    }
    let (days, hours) = (hours / 24, hours % 24);
    match (hours, m) {
        (0, 0) => format!("{days} days"),
        _ => format!("{days} days {hours} h{minutes}"),
    }
}

/// The time a deadline allows, in hours after the moment it counts from; `None` for no limit.
/// Working days are worked out over a week with no bank holidays (a bank holiday adds a day),
/// closing at `office_end`.
pub fn deadline_span(d: Deadline, office_end: u32) -> Option<Span> {
    Some(match d {
        Deadline::Immediately => Span::at(1.0),
        Deadline::Minutes(m) => Span::at(m as f64 / 60.0),
        Deadline::Hours(h) => Span::at(h as f64),
        Deadline::Days(x) => Span::at(x as f64 * 24.0),
        Deadline::SameDay => Span { lo: 0.0, hi: 24.0 },
        Deadline::FirstWorkingDay => working_days(1, office_end),
        Deadline::WorkingDays(n) => working_days(n.max(1), office_end),
        Deadline::NoLimit => return None,
    })
}

/// "By the close of the nth working day after the day it arose" (as the engine's calendar
/// reckons it), over every day of the week, from the first minute of the day to the last.
fn working_days(n: i64, office_end: u32) -> Span {
    let close = f64::from(office_end.min(24));
    let mut lo = f64::INFINITY;
    let mut hi: f64 = 0.0;
    for start in 0..7i64 {
        // 0 = Monday … 6 = Sunday.
        let (mut day, mut left) = (start, n);
        while left > 0 {
            day += 1;
            if day.rem_euclid(7) < 5 {
                left -= 1;
            }
        }
        let due = (day - start) as f64 * 24.0 + close;
        lo = lo.min(due - 24.0);
        hi = hi.max(due);
    }
    Span { lo, hi }
}

/// When a rule's window opens and when it falls due, in hours after the child left.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub opens: Span,
    pub due: Span,
}

/// How deep the lint follows "once this is done" chains (a request, then the meeting it asks for).
const DEPTH: usize = 4;

/// The rule's timing counted from the leaving, where the protocol says enough to tell: its
/// trigger is the leaving, a threshold of hours missing, an episode count, or an act that other
/// rules time. `None` for a repeating duty, one with no time limit, or one set off by what the
/// lint cannot place in time (a report, a grading, the return). A classification counts from
/// the leaving.
pub fn timing(p: &Protocol, r: &Rule) -> Option<Timing> {
    timing_at(p, r, DEPTH)
}

fn timing_at(p: &Protocol, r: &Rule, depth: usize) -> Option<Timing> {
    if r.repeat.is_some() {
        return None;
    }
    let allowed = deadline_span(r.deadline, office_end(p))?;
    let fired = trigger_span(p, r, depth)?;
    let start = fired.plus(Span::at(r.opens_after_hours.unwrap_or(0.0)));
    let opens = match r.window_anchor() {
        Anchor::Left => Span::at(0.0),
        Anchor::Trigger => start,
    };
    Some(Timing {
        opens,
        due: start.plus(allowed),
    })
}

pub fn office_end(p: &Protocol) -> u32 {
    p.office_hours.map_or(17, |o| o.end_hour)
}

/// When the rule's trigger can fire, in hours after the child left.
fn trigger_span(p: &Protocol, r: &Rule, depth: usize) -> Option<Span> {
    match &r.trigger {
        Trigger::Left | Trigger::EpisodeCount { .. } => Some(Span::at(0.0)),
        // A category the protocol gives only from the facts of the moment the child goes (no
        // entry waits for hours away) is given then, so "held by the 7th day after classified
        // missing" compares with "5 working days of the request made at 48 hours". One that can
        // come later (Haringey: missing after 24 hours absent) cannot be placed.
        Trigger::ClassifiedAs(c)
            if p.classification.iter().any(|e| e.category == *c)
                && p.classification
                    .iter()
                    .filter(|e| e.category == *c)
                    .all(|e| e.when.min_hours_away.is_none()) =>
        {
            Some(Span::at(0.0))
        }
        Trigger::MissingFor(h) => Some(Span::at(*h)),
        Trigger::Done(a) if depth > 0 && *a != r.action => {
            // The act is done, by the book, from when its own duty's window opens to when it
            // falls due: the earliest opening and the latest due date of the rules asking it of
            // (one of) the same children.
            let mut span: Option<Span> = None;
            for q in p.rules.iter().filter(|q| {
                q.action == *a
                    && r.done_by.as_ref().is_none_or(|by| *by == q.role)
                    && super::conditions_overlap(&q.when, &r.when)
            }) {
                let Some(t) = timing_at(p, q, depth - 1) else {
                    continue;
                };
                span = Some(match span {
                    None => Span {
                        lo: t.opens.lo,
                        hi: t.due.hi,
                    },
                    Some(s) => Span {
                        lo: s.lo.min(t.opens.lo),
                        hi: s.hi.max(t.due.hi),
                    },
                });
            }
            span
        }
        _ => None,
    }
}

/// The same duty: the same act by the same role, or by anyone where the act is done together
/// (one strategy meeting meets the social worker's duty and the police's).
pub fn same_duty(p: &Protocol, a: &Rule, b: &Rule) -> bool {
    a.action == b.action && (a.role == b.role || p.action(&a.action).is_some_and(|x| x.joint))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_run_from_the_day_after_to_the_close_of_the_nth() {
        // One working day, closing at 17:00: from Sunday 23:59 it is Monday 17:00 (17 h);
        // from Friday 00:00 it is Monday 17:00 (3 days 17 h).
        let one = working_days(1, 17);
        assert_eq!((one.lo, one.hi), (17.0, 3.0 * 24.0 + 17.0));
        // Five: from Sunday night, Friday's close; from Monday morning, next Monday's close.
        let five = working_days(5, 17);
        assert_eq!((five.lo, five.hi), (4.0 * 24.0 + 17.0, 7.0 * 24.0 + 17.0));
    }

    #[test]
    fn hours_read_as_a_trainer_writes_them() {
        assert_eq!(hours_phrase(25.0), "25 h");
        assert_eq!(hours_phrase(48.0), "48 h");
        assert_eq!(hours_phrase(168.0), "7 days");
        assert_eq!(hours_phrase(4.0 * 24.0 + 17.0), "4 days 17 h");
        assert_eq!(hours_phrase(0.5), "30 min");
    }
}
