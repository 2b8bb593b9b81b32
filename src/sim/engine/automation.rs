//! Roles nobody plays, acting by the book or with a caseload's latency, compliance and capacity:
//! when they set about a duty, what they refrain from, and plain acts kept off the agenda.

use std::collections::HashMap;

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::agenda::{Agendum, Item};
use super::duties::Status;
use super::knowing::Parked;
use super::slots::{MeetingSlots, SlotQueue};
use super::time::{NANOS_PER_HOUR, NANOS_PER_MINUTE, Nanos, minutes};
use super::{Engine, keep_spare};
use crate::protocol::{Facts, RiskLevel};

/// How a role that no trainee plays behaves.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RoleBehaviour {
    /// Minutes from the duty arising to the action, at least (by the book: prompt).
    pub latency_min_minutes: f64,
    /// Minutes at most (uniform between min and max).
    pub latency_max_minutes: f64,
    /// Chance the duty is done at all.
    pub compliance: f64,
    /// Workers available; `None` for no capacity limit.
    pub workers: Option<u32>,
    /// Minutes of a worker's time each action takes.
    pub service_minutes: f64,
    /// Works only in office hours on working days.
    pub office_hours_only: bool,
}

impl Default for RoleBehaviour {
    fn default() -> Self {
        RoleBehaviour {
            latency_min_minutes: 15.0,
            latency_max_minutes: 15.0,
            compliance: 1.0,
            workers: None,
            service_minutes: 0.0,
            office_hours_only: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Automation {
    /// The role a trainee plays: its duties are not automated.
    pub trainee_role: Option<String>,
    pub default: RoleBehaviour,
    pub roles: HashMap<String, RoleBehaviour>,
    /// How far into the time allowed a role sets about a duty that lapses if the child is found
    /// and allows more than a day (0: at once; 0.5, the default: halfway).
    pub lapsing_start: f64,
    /// Strategy-meeting slots (`None`: no limit).
    pub meeting_slots: Option<MeetingSlots>,
    /// Stress runs: children with this risk factor disclose harm in each return interview they
    /// have (`Trigger::Disclosed`, to the interviewer); scenarios script disclosures as events.
    pub disclosing_risk_factor: Option<String>,
    /// Scenarios: (role, action) pairs a role nobody plays does not do by the book (another
    /// agency's mistake the trainee should notice: the Head of Safeguarding does not tell the AD).
    pub withheld: Vec<(String, String)>,
    /// Live exercises: roles people play (none of their acts automated, see `withheld`). A duty
    /// of theirs that arose before they were told of the child counts its time from when they
    /// are told, where that is later: nobody is marked late for another agency's delay.
    pub played: Vec<String>,
}

impl Default for Automation {
    fn default() -> Self {
        Automation {
            trainee_role: None,
            default: RoleBehaviour::default(),
            roles: HashMap::new(),
            lapsing_start: 0.5,
            meeting_slots: None,
            disclosing_risk_factor: None,
            withheld: Vec::new(),
            played: Vec::new(),
        }
    }
}

/// A plain automated act kept with its child instead of on the agenda: it touches nothing but
/// that child's duties and counters that are plain sums, so it is done (at its own time) just
/// before anything else happens to the child, or when the clock passes it.
#[derive(Debug, Clone, Copy)]
pub(super) struct LazyAct {
    pub(super) key: u128,
    role: u32,
    action: u32,
    pub(super) kind: u32,
    /// Whole minutes it waited for a worker.
    queue_wait: u32,
}

impl Engine {
    /// Read `automation` (public, so callers may change it between runs) into per-role tables.
    pub(super) fn sync_automation(&mut self) {
        let auto = std::mem::take(&mut self.automation);
        self.behaviour.iter_mut().for_each(|b| *b = None);
        for (name, b) in &auto.roles {
            let r = self.intern(name) as usize;
            if self.behaviour.len() <= r {
                self.behaviour.resize(r + 1, None);
            }
            self.behaviour[r] = Some(b.clone());
        }
        self.default_behaviour = auto.default.clone();
        self.lapsing_start = auto.lapsing_start;
        self.trainee = auto.trainee_role.as_deref().map(|r| self.intern(r));
        self.withheld = auto
            .withheld
            .iter()
            .map(|(r, a)| (self.intern(r), self.intern(a)))
            .collect();
        self.played = auto.played.iter().map(|r| self.intern(r)).collect();
        // The slots are kept (with their bookings) while the setting stays the same.
        match &auto.meeting_slots {
            Some(m) if self.slot_queue.as_ref().is_none_or(|q| q.settings != *m) => {
                let acts: Vec<u32> = m.actions.iter().map(|a| self.intern(a)).collect();
                self.slot_action.clear();
                for a in acts {
                    if self.slot_action.len() <= a as usize {
                        self.slot_action.resize(a as usize + 1, false);
                    }
                    self.slot_action[a as usize] = true;
                }
                self.slot_queue = Some(SlotQueue {
                    settings: m.clone(),
                    free: m.slots.max(1) as u64,
                    waiting: Default::default(),
                    after_hours: Vec::new(),
                    opening_set: false,
                });
            }
            Some(_) => {}
            None => {
                self.slot_queue = None;
                self.slot_action.clear();
            }
        }
        self.automation = auto;
    }

    /// Do the child's waiting plain acts that fall before agenda key `before`, each at its own
    /// time. (A child whose list empties stays in `lazy_children` until the end of `run_until`.)
    pub(super) fn do_lazy_acts(&mut self, child: usize, before: u128) {
        if self.open_by_child[child].lazy_first >= before {
            return;
        }
        let mut list = std::mem::take(&mut self.open_by_child[child].lazy);
        let n = list.partition_point(|a| a.key < before);
        for a in &list[..n] {
            // What `act` does for a plain act, without setting the clock (nothing here reads
            // more of it than the integer time).
            let at = Item::time_of(a.key);
            self.events_processed += 1;
            let d = &mut self.open_by_child[child];
            d.act_done(a.kind);
            // The act is done (and counted) only if a duty of its kind is open. It meets one
            // exactly then, unless a trainee's part of a joint action is all that is open: the
            // list is looked through first only where there is a trainee.
            let open_for_trainee = self.trainee.is_some() && d.has_open(a.kind);
            let met = self.meet_duties_of_kind(child, a.kind as u16, a.role, a.action, a.queue_wait as f64, at);
            if met || open_for_trainee {
                self.count_act(at, a.role, a.action);
                self.keep_done_act(child, a.role, a.action, Some(at));
            }
        }
        if n == list.len() {
            // Most children are between episodes most of the time: give the room back.
            list.clear();
            keep_spare(&mut self.spare_lazy, std::mem::take(&mut list));
        } else {
            list.drain(..n);
        }
        debug_assert!(self.open_by_child[child].lazy.is_empty(), "plain acts set nothing off");
        let d = &mut self.open_by_child[child];
        d.lazy_first = list.first().map_or(u128::MAX, |a| a.key);
        d.lazy = list;
    }

    /// A role acting by the book does not do what the protocol forbids it here ("a child whose
    /// whereabouts are known should not be reported to the police as missing"): its duties of
    /// that kind for the child are settled as not applicable, saying why. Whether it refrained.
    pub(super) fn refrains(&mut self, child: usize, role: u32, action: u32, kind: u32) -> bool {
        if !self.may_forbid[action as usize] {
            return false;
        }
        let (role_name, action_name) = (
            self.names.list[role as usize].clone(),
            self.names.list[action as usize].clone(),
        );
        let facts = self.scratch_facts(child);
        let forbidden = self
            .protocol
            .forbids_action_to(&facts, &action_name, Some(&role_name))
            .map(|p| p.citation.words());
        self.scratch_facts = Some(facts);
        let Some(words) = forbidden else {
            return false;
        };
        self.open_by_child[child].act_done(kind);
        let mut open = std::mem::take(&mut self.scratch_open);
        open.clear();
        let d = &self.open_by_child[child];
        open.extend(
            d.open
                .iter()
                .zip(&d.open_kind)
                .filter(|(_, k)| **k as u32 == kind)
                .map(|(r, _)| *r),
        );
        for r in &open {
            self.settle(child, *r, Status::NotApplicable, None, 0.0, || {
                format!("not done: the protocol forbids it here ({words})")
            });
        }
        self.scratch_open = open;
        true
    }

    /// An automated act that only meets duties: no effects, no rule set off by doing it, no
    /// records kept. Such acts wait with their child (see `LazyAct`) rather than on the agenda.
    fn is_plain(&self, child: usize, action: u32) -> bool {
        !self.keeps(child) && self.plain_action[action as usize]
    }

    /// An automated role sets about duty `id` (under rule `ri`) for the child at `from` (now, or
    /// earlier for a recurring meeting): the act is planned, unless one of its kind already is.
    pub(super) fn plan_act(&mut self, child: usize, ri: usize, id: u32, due: Option<Nanos>, from: Nanos) {
        let (role_sym, action_sym) = self.rule_names[ri];
        // A role acting by the book sets about nothing it has not been told of.
        if self.knowing.as_ref().is_some_and(|k| !k.knows(child, role_sym))
            && self.trainee != Some(role_sym)
            && self.current_episode(child).is_some()
        {
            let k = self.knowing.as_mut().expect("checked");
            k.park(
                child,
                Parked {
                    rule: ri as u32,
                    duty: id,
                    due,
                    from,
                },
            );
            return;
        }
        // With duplicates merged, a duty whose action this role already has on the agenda for
        // this child is met by that act (in time or late): it takes no more of anyone's time.
        let kind = self.rule_kind[ri];
        // (Not an occurrence of a repeating rule while an earlier one is open: the act on the
        // agenda meets only the earliest, see `later_occurrences`.)
        let merged = self.merge_duplicate_duties
            && self.open_by_child[child].has_act(kind)
            && !self.has_earlier_occurrence(child, ri, id, due);
        // A duty to act within the hour that a role's own act sets off for the same child (a
        // disclosure in the return interview: "ensure safeguarding procedures are followed
        // without delay") is done by the worker who did it, straight after: no new wait to start
        // and no queue for a worker.
        // (A role acting by the book does any duty that promptly: for it nothing changes.)
        let follow_on = self.acting == Some((child as u32, role_sym))
            && due.is_some_and(|d| d - from <= NANOS_PER_HOUR)
            && self.behaviour.get(role_sym as usize).is_some_and(|b| b.is_some());
        let act = match (self.rule_info[ri].recurring, due) {
            _ if merged || self.trainee == Some(role_sym) || self.withheld.contains(&(role_sym, action_sym)) => None,
            (true, None) => None,
            _ if follow_on => self.follow_on(role_sym, from, due),
            _ => self
                .automate(role_sym, from, due)
                .map(|(ready, wait)| (self.by_the_book_meeting_time(ri, ready, due), wait)),
        };
        if let Some(d) = due
            && !self.keeps(child)
        {
            // Stress runs settle a duty nobody will do as missed at its deadline (so that memory
            // stays flat); one already on the agenda is settled when it is done, in time or late,
            // as in a scenario.
            if act.is_none() && !merged {
                self.push_at(
                    d,
                    Agendum::DueCheck {
                        child: child as u32,
                        duty: id,
                    },
                );
            }
        }
        if let Some((ready, wait)) = act {
            if self.merge_duplicate_duties {
                self.open_by_child[child].act_scheduled(kind);
            }
            if self.is_plain(child, action_sym) && !self.takes_slot(action_sym) {
                self.seq += 1;
                let key = Item::key(ready.max(self.now_ns), self.seq);
                let duties = &mut self.open_by_child[child];
                if !duties.lazy_listed {
                    duties.lazy_listed = true;
                    self.lazy_children.push(child as u32);
                }
                if duties.lazy.capacity() == 0
                    && let Some(spare) = self.spare_lazy.pop()
                {
                    duties.lazy = spare;
                }
                duties.lazy_first = duties.lazy_first.min(key);
                let lazy = &mut duties.lazy;
                let pos = lazy.partition_point(|a| a.key < key);
                lazy.insert(
                    pos,
                    LazyAct {
                        key,
                        role: role_sym,
                        action: action_sym,
                        kind,
                        queue_wait: wait,
                    },
                );
                return;
            }
            self.push_at(
                ready,
                Agendum::Act {
                    child: child as u32,
                    role: role_sym,
                    action: action_sym,
                    by_trainee: false,
                    params: None,
                    queue_wait: wait,
                    auto: true,
                    kind,
                    slotted: false,
                },
            );
        }
    }

    /// How long before it is done a staffed role must set about a duty at the most (its longest
    /// latency and the work itself), in `Nanos`; nothing for a role acting by the book.
    pub(super) fn longest_lead(&self, role: u32) -> Nanos {
        match self.behaviour.get(role as usize).and_then(|b| b.as_ref()) {
            Some(b) => {
                (b.latency_max_minutes.max(b.latency_min_minutes).max(0.0) + b.service_minutes.max(0.0)) as Nanos
                    * NANOS_PER_MINUTE
            }
            None => 0,
        }
    }

    /// A role no trainee plays does its duty by the book, or with the set latency, compliance and
    /// capacity: when it will be done and how long it waited for a worker, or none if it will not be.
    /// (The wait is in whole minutes, at most `u32::MAX`: some 8,000 years.)
    fn automate(&mut self, role: u32, at: Nanos, due: Option<Nanos>) -> Option<(Nanos, u32)> {
        let configured = self.behaviour.get(role as usize).and_then(|b| b.as_ref());
        let set = configured.is_some();
        let b = configured.unwrap_or(&self.default_behaviour).clone();
        if b.compliance < 1.0 && self.rng.random::<f64>() >= b.compliance {
            return None;
        }
        let span = b.latency_max_minutes - b.latency_min_minutes;
        let mut latency = b.latency_min_minutes
            + if span > 0.0 {
                self.rng.random::<f64>() * span
            } else {
                0.0
            };
        if let Some(d) = due
            && !set
        {
            // By the book: never later than half the time allowed.
            latency = latency.min(minutes(d - at) as f64 / 2.0);
        }
        let mut ready = at + latency.max(0.0) as i64 * NANOS_PER_MINUTE;
        let mut wait = 0;
        if let Some(n) = b.workers {
            debug_assert!(at == self.now_ns && ready >= at, "workers are booked now, for later");
            // Waiting outside working hours comes first: a duty that arises at night waits for
            // the office to open whether or not a worker is free; only then does it wait in line
            // (for workers booked by those that arose before it). The start is the same either way.
            let open = match b.office_hours_only {
                true => self.office_open_from(ready),
                false => ready,
            };
            let free = open.max(self.rota(role, n).earliest(at));
            let start = match b.office_hours_only {
                true => self.office_open_from(free),
                false => free,
            };
            wait = u32::try_from(minutes(start - ready)).unwrap_or(u32::MAX);
            let end = start + b.service_minutes as i64 * NANOS_PER_MINUTE;
            self.rota(role, n).book(end);
            let st = self.staff_mut(role);
            st.bookings += 1;
            st.wait_for_worker_minutes += minutes(start - open) as f64;
            st.wait_for_office_hours_minutes += minutes(open - ready) as f64;
            st.minutes_booked += b.service_minutes;
            ready = end;
        }
        Some((ready, wait))
    }

    /// When a role acting by the book holds a meeting (under rule `ri`) ready at `ready`: then,
    /// if in office hours; else at the next opening, if that is at least an hour before it is due
    /// (see `meetings_in_office_hours`). Other acts, staffed roles, and a meeting with no time
    /// limit that matters only while the child is away (held at any hour) keep `ready`.
    fn by_the_book_meeting_time(&mut self, ri: usize, ready: Nanos, due: Option<Nanos>) -> Nanos {
        if !self.meetings_in_office_hours || (due.is_none() && self.rule_info[ri].lapses) {
            return ready;
        }
        let (_, action) = self.rule_names[ri];
        // (A meeting that takes a meeting slot keeps the slots' hours: see `seek_slot`.)
        if !self.is_meeting[action as usize] || self.takes_slot(action) {
            return ready;
        }
        let open = self.office_open_from(ready);
        match due {
            Some(d) if open + NANOS_PER_HOUR > d => ready,
            _ => open,
        }
    }

    /// A follow-on (see `plan_act`) by a staffed role: done by the book, with the role's
    /// compliance, without its latency or waiting for a worker (the one already at it carries on,
    /// after hours if need be). The time still comes out of the role's: a worker is booked for
    /// it, so the next duty waits that much longer.
    #[cold]
    fn follow_on(&mut self, role: u32, at: Nanos, due: Option<Nanos>) -> Option<(Nanos, u32)> {
        let b = self.behaviour[role as usize].clone().expect("a staffed role");
        if b.compliance < 1.0 && self.rng.random::<f64>() >= b.compliance {
            return None;
        }
        let by_the_book = RoleBehaviour::default().latency_min_minutes;
        let latency = due.map_or(by_the_book, |d| by_the_book.min(minutes(d - at) as f64 / 2.0));
        let ready = at + latency.max(0.0) as i64 * NANOS_PER_MINUTE;
        if let Some(n) = b.workers {
            let rota = self.rota(role, n);
            let end = ready.max(rota.earliest(at)) + b.service_minutes as i64 * NANOS_PER_MINUTE;
            rota.book(end);
            let st = self.staff_mut(role);
            st.bookings += 1;
            st.minutes_booked += b.service_minutes;
        }
        Some((ready, 0))
    }
}

/// The police grading an automated call handler gives by the book: high for young or exploited
/// children, medium otherwise (no protocol here lets a child be graded low by default).
pub fn by_the_book_grade(f: &Facts) -> RiskLevel {
    let serious = ["cse", "cce", "trafficking", "gangs", "self_harm", "county_lines"];
    if f.age <= 11 || f.risk_factors.iter().any(|r| serious.contains(&r.as_str())) {
        RiskLevel::High
    } else {
        RiskLevel::Medium
    }
}
