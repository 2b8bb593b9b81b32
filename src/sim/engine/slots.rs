//! Strategy-meeting slots: meetings held in a limited number at once, a line for a free slot,
//! and the slots' office hours.

use super::Engine;
use super::agenda::Agendum;
use super::time::{NANOS_PER_MINUTE, Nanos, minutes};

/// Meetings that can be held at once (strategy-meeting slots, in stress runs): an automated act
/// of one of `actions` takes a slot for `minutes` once its role's worker is ready, waiting for
/// one where all are taken (and for office hours, if so).
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingSlots {
    pub actions: Vec<String>,
    pub slots: u32,
    pub minutes: f64,
    pub office_hours_only: bool,
}

/// Strategy-meeting slots: how many are free, and the meetings ready and waiting for one, first
/// come first served.
#[derive(Debug, Clone)]
pub(super) struct SlotQueue {
    pub(super) settings: MeetingSlots,
    pub(super) free: u64,
    pub(super) waiting: std::collections::VecDeque<WaitingMeeting>,
    /// Meetings ready out of office hours (slots that keep them), waiting for the next opening,
    /// and whether that opening is on the agenda.
    pub(super) after_hours: Vec<WaitingMeeting>,
    pub(super) opening_set: bool,
}

/// A meeting ready to be held, waiting for a slot: the act that holds it, and since when.
#[derive(Debug, Clone)]
pub(super) struct WaitingMeeting {
    pub(super) child: u32,
    pub(super) role: u32,
    pub(super) action: u32,
    pub(super) kind: u32,
    pub(super) queue_wait: u32,
    /// Since when it waits in line (or for office hours, in `after_hours`).
    pub(super) since: Nanos,
    /// Minutes it waited for office hours before joining the line.
    pub(super) office_wait: i64,
}

impl Engine {
    /// An automated act of this action holds a meeting that takes a meeting slot.
    pub(super) fn takes_slot(&self, action: u32) -> bool {
        self.slot_action.get(action as usize).copied().unwrap_or(false)
    }

    /// A meeting ready now, whose duty is still open, takes a free meeting slot — from the next
    /// opening of office hours if slots keep them — or waits in line for one (see
    /// `free_slot`). A meeting whose duty lapses while it waits (the child is back) is dropped
    /// when its turn comes, and takes no slot.
    pub(super) fn seek_slot(&mut self, m: WaitingMeeting) {
        let now = self.now_ns;
        let office = self.slot_queue.as_ref().is_some_and(|q| q.settings.office_hours_only);
        // Out of office hours, a meeting waits for them first (holding no slot overnight).
        let opens = match office {
            true => self.office_open_from(now),
            false => now,
        };
        let Some(q) = self.slot_queue.as_mut() else {
            return;
        };
        if opens > now {
            let child = m.child;
            q.after_hours.push(m);
            if !q.opening_set {
                q.opening_set = true;
                self.push_at(opens, Agendum::SlotsOpen { child });
            }
            return;
        }
        if q.free == 0 {
            q.waiting.push_back(m);
            return;
        }
        q.free -= 1;
        self.hold_meeting(m);
    }

    /// Hold a meeting in a slot already taken: its act comes at the end of the meeting.
    fn hold_meeting(&mut self, m: WaitingMeeting) {
        let Some(q) = self.slot_queue.as_ref() else {
            return;
        };
        let (minutes_long, office) = (q.settings.minutes.max(0.0), q.settings.office_hours_only);
        let now = self.now_ns;
        let start = if office { self.office_open_from(now) } else { now };
        let waited = minutes(start - m.since) + m.office_wait;
        self.slot_bookings += 1;
        self.slot_wait_minutes += minutes(now - m.since) as f64;
        self.slot_office_wait_minutes += (minutes(start - now) + m.office_wait) as f64;
        self.slot_minutes_booked += minutes_long;
        let end = start + (minutes_long * NANOS_PER_MINUTE as f64) as Nanos;
        self.push_at(
            end,
            Agendum::Act {
                child: m.child,
                role: m.role,
                action: m.action,
                by_trainee: false,
                params: None,
                queue_wait: m.queue_wait.saturating_add(u32::try_from(waited).unwrap_or(u32::MAX)),
                auto: true,
                kind: m.kind,
                slotted: true,
            },
        );
    }

    /// Office hours open: the meetings that became ready out of hours, still needed, seek a slot
    /// in the order they became ready (those whose duty lapsed meanwhile are dropped).
    pub(super) fn open_slots(&mut self) {
        let Some(q) = self.slot_queue.as_mut() else {
            return;
        };
        q.opening_set = false;
        let list = std::mem::take(&mut q.after_hours);
        let now = self.now_ns;
        for mut m in list {
            let d = &mut self.open_by_child[m.child as usize];
            if !d.has_open(m.kind) {
                d.act_done(m.kind);
                continue;
            }
            m.office_wait += minutes(now - m.since);
            m.since = now;
            self.seek_slot(m);
        }
    }

    /// A meeting ended: its slot goes to the first meeting in line still needed (those whose
    /// duty lapsed meanwhile are dropped), or is free.
    pub(super) fn free_slot(&mut self) {
        loop {
            let Some(q) = self.slot_queue.as_mut() else {
                return;
            };
            let Some(next) = q.waiting.pop_front() else {
                q.free += 1;
                return;
            };
            let d = &mut self.open_by_child[next.child as usize];
            if d.has_open(next.kind) {
                self.hold_meeting(next);
                return;
            }
            d.act_done(next.kind);
        }
    }
}
