//! The facts about a child now, as the protocol's conditions read them; office hours now.

use chrono::NaiveDate;

use super::Engine;
use super::episodes::{ChildState, Phase};
use super::time::minutes;
use crate::protocol::Facts;

/// Whether office hours are open at one hour of one day, under one calendar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct OfficeMemo {
    date: NaiveDate,
    hour: u32,
    start: u32,
    end: u32,
    holidays: usize,
    open: bool,
}

impl Engine {
    pub fn facts(&self, child: usize) -> Facts {
        let mut f = Facts::default();
        self.fill_facts(child, &mut f, self.calendar.in_office_hours(self.now), true);
        f
    }

    /// The facts about a child now, written into `f` (reusing its buffers: the engine keeps one
    /// and fills it for every trigger, so this must not allocate once warm).
    /// `ages`: list the episodes' ages (else left empty where no condition could read them).
    pub(super) fn fill_facts(&self, child: usize, f: &mut Facts, office_hours: bool, ages: bool) {
        let c = &self.children[child];
        let ep = c.episode.as_ref();
        f.episode_ages_days.clear();
        if ages {
            self.episode_ages(c, &mut f.episode_ages_days);
        }
        f.age = c.profile.age_at(self.now);
        f.legal_status.clone_from(&c.profile.legal_status);
        f.placement = Some(c.profile.placement);
        f.out_of_borough = c.profile.out_of_borough;
        f.placed_here_by_other_authority = c.profile.placed_here_by_other_authority;
        f.whereabouts_known = ep.is_none_or(|e| e.whereabouts_known || e.phase != Phase::Away);
        f.hours_away = ep
            .filter(|e| e.phase == Phase::Away && !e.whereabouts_known)
            .map(|e| minutes(self.now_ns - e.left_ns) as f64 / 60.0)
            .unwrap_or(0.0);
        match (ep.and_then(|e| e.category.as_ref()), f.category.as_mut()) {
            (Some(c), Some(fc)) => fc.clone_from(c),
            (c, _) => f.category = c.cloned(),
        }
        f.risk = ep.and_then(|e| e.risk);
        f.tool_band = ep.and_then(|e| e.tool_band);
        f.risk_factors.clone_from(&c.profile.risk_factors);
        f.office_hours = office_hours;
    }

    /// Age in days of each of the child's episodes, this one included.
    fn episode_ages(&self, c: &ChildState, out: &mut Vec<f64>) {
        out.extend(
            c.history
                .iter()
                .map(|t| (self.now - *t).num_minutes() as f64 / 1440.0)
                .filter(|d| *d >= 0.0),
        );
        if let Some(e) = c.episode.as_ref() {
            out.push(minutes(self.now_ns - e.left_ns) as f64 / 1440.0);
        }
    }

    /// `facts` into the engine's own buffer.
    pub(super) fn scratch_facts(&mut self, child: usize) -> Box<Facts> {
        let office = self.office_hours_now();
        let mut f = self.scratch_facts.take().unwrap_or_default();
        self.fill_facts(child, &mut f, office, self.counts_episodes);
        f
    }

    /// Whether `now` is in office hours, remembered for the hour (the calendar scans its
    /// holidays; the memo is dropped if the office hours or the holidays change).
    pub(super) fn office_hours_now(&mut self) -> bool {
        use chrono::Timelike;
        let c = &self.calendar;
        let key = OfficeMemo {
            date: self.now.date(),
            hour: self.now.hour(),
            start: c.office_start,
            end: c.office_end,
            holidays: c.bank_holidays.len(),
            open: false,
        };
        if let Some(m) = self.office_memo
            && (OfficeMemo { open: false, ..m }) == key
        {
            return m.open;
        }
        let open = c.in_office_hours(self.now);
        self.office_memo = Some(OfficeMemo { open, ..key });
        open
    }
}
