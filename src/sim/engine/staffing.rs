//! Staffed roles: rotas of workers, each booking's wait for a worker and for office hours.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::Serialize;

use super::Engine;
use super::time::{NANOS_PER_HOUR, Nanos, nanos, time_at};

/// A role's workers: how many are free, and when each of the others will be. The worker free
/// soonest takes the next duty. Bookings are made in time order (at the time the role sets about
/// the duty), and a duty is never started before then, so any worker whose work ended by the time
/// of a booking is as good as any other: they are only counted, and the heap holds the busy ones
/// (a few dozen of a national rota of thousands).
#[derive(Debug, Clone)]
pub(super) struct Rota {
    free: u64,
    busy: BinaryHeap<Reverse<Nanos>>,
}

impl Rota {
    fn new(workers: u64) -> Self {
        Rota {
            free: workers.max(1),
            busy: BinaryHeap::new(),
        }
    }

    /// When the worker free soonest is free, booking at `now`: `now` if one already is.
    pub(super) fn earliest(&mut self, now: Nanos) -> Nanos {
        while let Some(&Reverse(t)) = self.busy.peek()
            && t <= now
        {
            self.busy.pop();
            self.free += 1;
        }
        match self.busy.peek() {
            Some(&Reverse(t)) if self.free == 0 => t,
            _ => now,
        }
    }

    /// The worker free soonest (see `earliest`) is busy until `end`.
    pub(super) fn book(&mut self, end: Nanos) {
        if self.free > 0 {
            self.free -= 1;
            self.busy.push(Reverse(end));
        } else {
            *self.busy.peek_mut().expect("a busy worker") = Reverse(end);
        }
    }
}

/// A staffed role's bookings in a run: how many, the minutes they waited for a free worker and
/// then for office hours (in all), and the minutes of workers' time booked (duties that lapse
/// before the worker gets to them included: the worker was held for them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StaffStats {
    pub bookings: u64,
    pub wait_for_worker_minutes: f64,
    pub wait_for_office_hours_minutes: f64,
    pub minutes_booked: f64,
}

impl Engine {
    pub(super) fn staff_mut(&mut self, role: u32) -> &mut StaffStats {
        let r = role as usize;
        if self.staff.len() <= r {
            self.staff.resize(r + 1, StaffStats::default());
        }
        &mut self.staff[r]
    }

    /// A staffed role's bookings so far (all zero for a role acting by the book).
    pub fn staff_stats(&self, role: &str) -> StaffStats {
        self.name_ix
            .get(role)
            .and_then(|&r| self.staff.get(r as usize))
            .copied()
            .unwrap_or_default()
    }

    /// The rota of a role with `workers` on it.
    pub(super) fn rota(&mut self, role: u32, workers: u32) -> &mut Rota {
        let r = role as usize;
        if self.worker_free.len() <= r {
            self.worker_free.resize(r + 1, None);
        }
        self.worker_free[r].get_or_insert_with(|| Rota::new(workers as u64))
    }

    /// The first moment at or after `t` that office hours are open (the answer for the hour is
    /// remembered, as many acts fall in one hour).
    pub(super) fn office_open_from(&mut self, t: Nanos) -> Nanos {
        let hour = t.div_euclid(NANOS_PER_HOUR);
        let c = &self.calendar;
        let key = (hour, c.office_start, c.office_end, c.bank_holidays.len());
        let open = match self.office_hour_memo {
            Some((k, open)) if k == key => open,
            _ => {
                let open = c.in_office_hours(time_at(t));
                self.office_hour_memo = Some((key, open));
                open
            }
        };
        if open {
            t
        } else {
            nanos(self.calendar.next_office_open(time_at(t)))
        }
    }
}
