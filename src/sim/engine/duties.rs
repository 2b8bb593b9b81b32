//! Duties: a rule that fires for a child becomes an obligation; acts meet it, and it settles as
//! met, late, missed, cancelled, not applicable, early or withdrawn (stress runs keep tallies).
//! A child's open duties, and what is settled at the end of a run.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::agenda::Agendum;
use super::automation::LazyAct;
use super::records::fmt_hours;
use super::time::{NANOS_PER_DAY, NANOS_PER_HOUR, NANOS_PER_MINUTE, Nanos, later, minutes, nanos, span_of, time_at};
use super::{Engine, keep_spare};
use crate::protocol::{Deadline, Rule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Met,
    Late,
    Missed,
    Cancelled,
    NotApplicable,
    Wrongful,
    /// Done before its window opened ("not until 48 hours after the report"), and not again in
    /// it: counted as possible, no points.
    Early,
    /// Set off by a classification the protocol later superseded (the child reclassified once
    /// more was known): not counted.
    Withdrawn,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Met => "met",
            Status::Late => "late",
            Status::Missed => "missed",
            Status::Cancelled => "cancelled",
            Status::NotApplicable => "not applicable",
            Status::Wrongful => "wrongful",
            Status::Withdrawn => "withdrawn",
            Status::Early => "early",
        }
    }
}

/// A duty that exists because a rule fired for a child.
#[derive(Debug, Clone, Serialize)]
pub struct Obligation {
    pub id: usize,
    pub rule: String,
    /// Index into the protocol's rules (`usize::MAX` for wrongful actions).
    #[serde(skip)]
    pub rule_index: usize,
    pub child: usize,
    pub episode: u32,
    pub role: String,
    pub action: String,
    pub fired_at: NaiveDateTime,
    pub due_at: Option<NaiveDateTime>,
    pub done_at: Option<NaiveDateTime>,
    pub status: Status,
    /// Why it ended this way, in words.
    pub reason: String,
    /// Time spent waiting for a free worker (capacity queues).
    pub queue_wait_minutes: f64,
    /// When it ended (done, cancelled, found not to apply or judged at the end of the run);
    /// `None` while open. For an event log.
    #[serde(skip)]
    pub settled_at: Option<NaiveDateTime>,
    /// The act that met it (met or late), as an index into `actions_done`. For an event log.
    #[serde(skip)]
    pub met_by: Option<usize>,
    /// When an act came before the window opened (see `Rule::opens_after_hours`), while the duty
    /// waited for one in it.
    #[serde(skip)]
    pub early_at: Option<NaiveDateTime>,
}

/// Per-rule tallies kept when individual obligations are not retained (stress runs).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleTally {
    pub fired: u64,
    pub met: u64,
    pub late: u64,
    pub missed: u64,
    pub cancelled: u64,
    /// Still open when the run ended: not yet due, or with no time limit and an act still to
    /// come (neither met nor missed; left out of compliance, but a backlog shows here).
    pub outstanding: u64,
    /// Never done because nobody told the role of the child (the chain of handovers stopped
    /// before it: a child back before anyone reported her, a child the local chain never passes
    /// to this service): left out of compliance, which staffing cannot change.
    pub never_told: u64,
    pub late_hours_total: f64,
    pub queue_wait_minutes_total: f64,
    /// Whole minutes late, summed (`late_hours_total` is worked out from it, so the total does
    /// not depend on the order duties settle in).
    #[serde(skip)]
    pub late_minutes_total: i64,
}

impl RuleTally {
    /// Count a duty of the rule settled with this status (due and done when known, and the
    /// minutes it waited for a worker).
    pub(super) fn count(&mut self, status: Status, due: Option<Nanos>, done_at: Option<Nanos>, queue_wait: f64) {
        match status {
            Status::Met => self.met += 1,
            Status::Late => {
                self.late += 1;
                if let (Some(d), Some(done)) = (due, done_at) {
                    self.late_minutes_total += minutes(done - d);
                    self.late_hours_total = self.late_minutes_total as f64 / 60.0;
                }
            }
            // (An early act is no act in time: counted with the missed.)
            Status::Missed | Status::Early => self.missed += 1,
            // (Stress tallies count a withdrawn duty with the cancelled: neither was needed.)
            Status::Cancelled | Status::Withdrawn => self.cancelled += 1,
            Status::NotApplicable => self.outstanding += 1,
            _ => {}
        }
        self.queue_wait_minutes_total += queue_wait;
    }
}

/// An open obligation in its child's list, with its rule (scans need not touch the obligation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct OpenRef {
    /// The obligation's index in `Engine::obligations` where records are kept; in stress runs
    /// (none kept) a number telling the child's duties apart.
    pub(super) id: u32,
    pub(super) rule: u32,
    pub(super) due: Option<Nanos>,
}

/// A child's open duties, and (when duplicates are merged) the automated acts on the agenda for
/// the child as (role, action, how many): kept together, as every act reads both.
#[derive(Debug, Clone)]
pub(super) struct ChildDuties {
    pub(super) open: Vec<OpenRef>,
    /// The duty kind of each entry of `open` (kept beside it: what an act meets is found by
    /// scanning these few bytes rather than the entries).
    pub(super) open_kind: Vec<u16>,
    /// Duty kinds with an automated act on the agenda (or waiting with the child). With
    /// duplicates merged there is never more than one act of a kind for a child.
    acts: KindSet,
    /// Plain automated acts (see `Engine::is_plain`) waiting off the agenda, earliest first.
    pub(super) lazy: Vec<LazyAct>,
    /// The key of `lazy`'s first act (`u128::MAX` for none): read for every agenda item of the
    /// child, kept here so that the check does not reach into the list.
    pub(super) lazy_first: u128,
    /// Listed in `Engine::lazy_children`.
    pub(super) lazy_listed: bool,
    /// Acts done for the child in this episode of a kind some rule counts from the child's
    /// leaving (see `Rule::window_anchor`): a duty that arises later is met by one of them.
    pub(super) done: Vec<DoneAct>,
}

/// An act done for a child, kept for the duties that arise after it and count it (see
/// `Engine::met_early`).
#[derive(Debug, Clone, Copy)]
pub(super) struct DoneAct {
    pub(super) kind: u16,
    pub(super) role: u32,
    pub(super) at: Nanos,
    /// Its index in `Engine::actions_done`, where records are kept.
    pub(super) record: Option<u32>,
}

impl Default for ChildDuties {
    fn default() -> Self {
        ChildDuties {
            open: Vec::new(),
            open_kind: Vec::new(),
            acts: KindSet::default(),
            lazy: Vec::new(),
            lazy_first: u128::MAX,
            lazy_listed: false,
            done: Vec::new(),
        }
    }
}

impl ChildDuties {
    pub(super) fn has_act(&self, kind: u32) -> bool {
        self.acts.contains(kind)
    }
    pub(super) fn act_scheduled(&mut self, kind: u32) {
        self.acts.insert(kind);
    }
    pub(super) fn act_done(&mut self, kind: u32) {
        self.acts.remove(kind);
    }
    /// Whether a duty of this kind is still open (an automated act with none left to meet,
    /// all of them cancelled or met by someone else, is not done).
    pub(super) fn has_open(&self, kind: u32) -> bool {
        self.open_kind.contains(&(kind as u16))
    }
    /// Take the open duty at `pos` out (the last one moves into its place).
    pub(super) fn remove(&mut self, pos: usize) -> OpenRef {
        self.open_kind.swap_remove(pos);
        self.open.swap_remove(pos)
    }
    /// The lists' room, once the last open duty has gone: most children are between episodes
    /// most of the time, so it goes back to the engine's pool (see `Engine::spare_lists`).
    pub(super) fn take_emptied(&mut self) -> Option<(Vec<OpenRef>, Vec<u16>)> {
        (self.open.is_empty() && self.open.capacity() > 4)
            .then(|| (std::mem::take(&mut self.open), std::mem::take(&mut self.open_kind)))
    }
}

/// A set of duty kinds: a bit each for the first 256, a list for any beyond.
#[derive(Debug, Clone, Default)]
struct KindSet {
    low: [u64; 4],
    more: Vec<u32>,
}

impl KindSet {
    fn contains(&self, k: u32) -> bool {
        match self.low.get(k as usize / 64) {
            Some(w) => w >> (k % 64) & 1 == 1,
            None => self.more.contains(&k),
        }
    }
    fn insert(&mut self, k: u32) {
        match self.low.get_mut(k as usize / 64) {
            Some(w) => *w |= 1 << (k % 64),
            None if !self.more.contains(&k) => self.more.push(k),
            None => {}
        }
    }
    fn remove(&mut self, k: u32) {
        match self.low.get_mut(k as usize / 64) {
            Some(w) => *w &= !(1 << (k % 64)),
            None => self.more.retain(|x| *x != k),
        }
    }
}

impl Engine {
    /// A duty arises now for the child under rule `ri`.
    pub(super) fn create_obligation(&mut self, child: usize, ri: usize) {
        let (at, arose) = (self.now, self.now_ns);
        let rule: &Rule = &self.protocol.rules[ri];
        // The deadline counts from the window's opening (at once, for most rules).
        let now = later(arose, self.rule_info[ri].opens.unwrap_or(0));
        let due = match rule.deadline {
            Deadline::Immediately => Some(later(now, NANOS_PER_HOUR)),
            Deadline::Minutes(m) => Some(later(now, span_of(m, NANOS_PER_MINUTE))),
            Deadline::Hours(h) => Some(later(now, span_of(h, NANOS_PER_HOUR))),
            Deadline::Days(d) => Some(later(now, span_of(d, NANOS_PER_DAY))),
            Deadline::NoLimit => None,
            ref d => self.calendar.due(time_at(now), d).map(nanos),
        };
        let now = arose;
        let id = if self.keeps(child) {
            let id = self.obligations.len();
            let episode = self.current_episode(child).unwrap_or(0);
            self.obligations.push(Obligation {
                id,
                rule_index: ri,
                rule: rule.id.clone(),
                child,
                episode,
                role: rule.role.clone(),
                action: rule.action.clone(),
                fired_at: at,
                due_at: due.map(time_at),
                done_at: None,
                status: Status::Open,
                reason: String::new(),
                queue_wait_minutes: 0.0,
                settled_at: None,
                met_by: None,
                early_at: None,
            });
            id as u32
        } else {
            // Stress runs keep no record: the duty lives in its child's list until it settles.
            self.next_duty = self.next_duty.wrapping_add(1);
            self.next_duty
        };
        self.tallies[ri].fired += 1;
        if let Some(early) = self.met_early(child, ri) {
            // Done already, since the moment the rule counts from: the carer who rang the
            // police at 5 hours has met "missing for 6 hours: contact the police".
            if self.keeps(child) {
                let ob = &mut self.obligations[id as usize];
                ob.status = Status::Met;
                ob.done_at = Some(time_at(early.at));
                ob.met_by = early.record.map(|i| i as usize);
                ob.settled_at = Some(at);
                ob.reason = format!(
                    "done before the duty arose ({} earlier), which counts: the rule counts from when the child left",
                    fmt_hours(minutes(now - early.at))
                );
            }
            self.tallies[ri].count(Status::Met, due, Some(early.at), 0.0);
            return;
        }
        let d = &mut self.open_by_child[child];
        if d.open.capacity() == 0
            && let Some((open, kinds)) = self.spare_lists.pop()
        {
            (d.open, d.open_kind) = (open, kinds);
        }
        d.open_kind.push(self.rule_kind[ri] as u16);
        d.open.push(OpenRef {
            id,
            rule: ri as u32,
            due,
        });
        let (role_sym, _) = self.rule_names[ri];
        // When an automated role sets about the duty (its latency and any queue come after).
        let from = match (self.rule_info[ri].recurring, due) {
            // A duty set off by doing the same action (the next meeting after a meeting) is
            // done when it falls due, not at once: otherwise it would set itself off again and
            // again. It is known well ahead, so it is taken up early enough for the role's
            // longest latency and the work itself to end an hour before it is due.
            (true, Some(d)) => (d - NANOS_PER_HOUR - self.longest_lead(role_sym)).max(now),
            // A duty given more than a day that lapses if the child is found ("held by the 7th
            // day if the child has not been located") is set about part of the way through the
            // time allowed (`Automation::lapsing_start`, halfway unless a caseload says
            // otherwise): most children are back by then, and the rest is slack for queues.
            // Shorter ones (grade the risk, search) are set about at once.
            (false, Some(d)) if self.rule_info[ri].lapses && d - now > 24 * NANOS_PER_HOUR => {
                now + ((d - now) as f64 * self.lapsing_start.clamp(0.0, 1.0)) as Nanos
            }
            _ => now,
        };
        // A role acting by the book waits for the window to open.
        let from = from.max(later(now, self.rule_info[ri].opens.unwrap_or(0)));
        if from > now && self.trainee != Some(role_sym) {
            // Workers are booked when they set about a duty, in time order, so that a booking
            // days ahead does not hold a worker from now until then.
            self.push_at(
                from,
                Agendum::SetAbout {
                    child: child as u32,
                    duty: id,
                    rule: ri as u32,
                    due,
                },
            );
            return;
        }
        self.plan_act(child, ri, id, due, from);
    }

    /// End an open duty of a child's (`done_at` and `queue_wait` for one done). The reason is
    /// worded only where records are kept.
    pub(super) fn settle(
        &mut self,
        child: usize,
        r: OpenRef,
        status: Status,
        done_at: Option<Nanos>,
        queue_wait: f64,
        reason: impl FnOnce() -> String,
    ) {
        if let Some(pos) = self.open_by_child[child].open.iter().position(|x| x.id == r.id) {
            self.settle_at(child, pos, status, done_at, queue_wait, reason);
        }
    }

    /// `settle` the child's open duty at `pos` in its list.
    pub(super) fn settle_at(
        &mut self,
        child: usize,
        pos: usize,
        status: Status,
        done_at: Option<Nanos>,
        queue_wait: f64,
        reason: impl FnOnce() -> String,
    ) {
        let d = &mut self.open_by_child[child];
        // The list's order does not matter (what settles a duty settles each duty on its own).
        let r = d.remove(pos);
        if let Some(lists) = d.take_emptied() {
            keep_spare(&mut self.spare_lists, lists);
        }
        if self.keeps(child) {
            let ob = &mut self.obligations[r.id as usize];
            ob.status = status;
            ob.reason = reason();
            if let Some(t) = done_at {
                ob.done_at = Some(time_at(t));
                ob.queue_wait_minutes = queue_wait;
                // Met by the act being done: for a child with records kept, every act goes
                // through `act_in_full`, which records it before meeting duties.
                ob.met_by = self.actions_done.len().checked_sub(1);
                debug_assert!(ob.met_by.is_some_and(|i| self.actions_done[i].1 == child));
            }
            ob.settled_at = Some(done_at.map_or(self.now, time_at));
        }
        self.tallies[r.rule as usize].count(status, r.due, done_at, queue_wait);
    }

    /// End of the run: duties past their deadline are missed; those not yet due are not applicable.
    pub fn finish(&mut self, end: NaiveDateTime) {
        self.run_until(end);
        let end = nanos(end);
        // Automated acts still to come: a duty with no time limit that one of them will meet is
        // in hand, not missed.
        let mut in_hand: std::collections::HashSet<(u32, u32)> = self
            .agenda
            .items()
            .filter_map(|i| match i.what {
                Agendum::Act {
                    child,
                    kind,
                    auto: true,
                    ..
                } => Some((child, kind)),
                _ => None,
            })
            .collect();
        for (c, d) in self.open_by_child.iter().enumerate() {
            in_hand.extend(d.lazy.iter().map(|a| (c as u32, a.kind)));
        }
        // Meetings waiting for a slot (or for office hours to seek one) are in hand too.
        if let Some(q) = &self.slot_queue {
            in_hand.extend(q.waiting.iter().chain(&q.after_hours).map(|m| (m.child, m.kind)));
        }
        for child in 0..self.open_by_child.len() {
            let open = std::mem::take(&mut self.open_by_child[child].open);
            self.open_by_child[child].open = open.clone();
            // Duties whose role was never told of the child: the chain stopped before them.
            let untold: Vec<u32> = self
                .knowing
                .as_mut()
                .map(|k| k.take_parked(child).into_iter().map(|p| p.duty).collect())
                .unwrap_or_default();
            for r in open {
                if untold.contains(&r.id) {
                    self.settle_untold(child, r);
                    continue;
                }
                let early = self
                    .keeps(child)
                    .then(|| self.obligations[r.id as usize].early_at)
                    .flatten();
                if let Some(t) = early
                    && r.due.is_none_or(|d| d <= end)
                {
                    let opened = self.obligations[r.id as usize].fired_at
                        + chrono::Duration::minutes(minutes(self.rule_info[r.rule as usize].opens.unwrap_or(0)));
                    self.settle(child, r, Status::Early, None, 0.0, || {
                        format!(
                            "done at {}, before its window opened at {}, and not again in it",
                            t.format("%a %H:%M"),
                            opened.format("%a %H:%M")
                        )
                    });
                    self.obligations[r.id as usize].done_at = Some(t);
                    continue;
                }
                match r.due {
                    Some(d) if d <= end => self.settle(child, r, Status::Missed, None, 0.0, || {
                        "not done by the deadline".into()
                    }),
                    Some(_) => self.settle(child, r, Status::NotApplicable, None, 0.0, || {
                        "not yet due when the scenario ended".into()
                    }),
                    None if in_hand.contains(&(child as u32, self.rule_kind[r.rule as usize])) => {
                        self.settle(child, r, Status::NotApplicable, None, 0.0, || {
                            "being done when the scenario ended (no time limit)".into()
                        })
                    }
                    None => self.settle(child, r, Status::Missed, None, 0.0, || {
                        "never done (no time limit, but it had to be done)".into()
                    }),
                }
            }
        }
    }
}
