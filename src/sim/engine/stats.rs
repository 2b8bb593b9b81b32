//! Counts of what was done: workload by role and ISO week, totals by role and action.

use super::Engine;
use super::time::{NANOS_PER_HOUR, Nanos, time_at};

impl Engine {
    /// Bring `workload` up to date.
    pub(super) fn flush_workload(&mut self) {
        for (i, n) in self.workload_pending.iter_mut().enumerate() {
            if *n > 0 {
                let (role, week) = (i / 54, (i % 54) as u32);
                *self.workload.entry((self.names.list[role].clone(), week)).or_default() += *n;
                *n = 0;
            }
        }
    }

    /// Actions done so far by this role (all of them, whoever set them off).
    pub fn role_actions_done(&self, role: &str) -> u64 {
        self.name_ix.get(role).map_or(0, |&i| self.role_count[i as usize])
    }

    /// Times this action has been done so far.
    pub fn action_done_count(&self, action: &str) -> u64 {
        self.name_ix.get(action).map_or(0, |&i| self.action_count[i as usize])
    }

    /// Times this action has been done so far to meet at least one open duty (others found
    /// their duty already met, e.g. a second meeting for a child whose meeting has been held).
    pub fn action_meeting_duties_count(&self, action: &str) -> u64 {
        self.name_ix.get(action).map_or(0, |&i| self.action_useful[i as usize])
    }

    /// Count an action done at `at` (workload by role and ISO week, totals by role and action).
    pub(super) fn count_act(&mut self, at: Nanos, role_sym: u32, action_sym: u32) {
        use chrono::Datelike;
        let day = at.div_euclid(24 * NANOS_PER_HOUR);
        let week = match self.week_memo {
            Some((d, w)) if d == day => w,
            _ => {
                let w = time_at(at).date().iso_week().week();
                self.week_memo = Some((day, w));
                w
            }
        };
        let i = role_sym as usize * 54 + week as usize;
        if self.workload_pending.len() <= i {
            self.workload_pending.resize((role_sym as usize + 1) * 54, 0);
        }
        self.workload_pending[i] += 1;
        self.role_count[role_sym as usize] += 1;
        self.action_count[action_sym as usize] += 1;
    }
}
