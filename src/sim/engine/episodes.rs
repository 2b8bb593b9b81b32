//! Children and their missing episodes: the profile, the episode's state machine, and what
//! ends one (found, back, closed) or is said in one (a disclosure).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::Engine;
use super::duties::Status;
use super::records::{fmt_hours, sep};
use super::time::Nanos;
use crate::protocol::{LegalStatus, Placement, Rag, RiskLevel, Trigger};

/// A child's standing facts (what does not change during an episode).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChildProfile {
    pub name: String,
    pub date_of_birth: NaiveDate,
    #[serde(default)]
    pub legal_status: Vec<LegalStatus>,
    pub placement: Placement,
    #[serde(default)]
    pub out_of_borough: bool,
    #[serde(default)]
    pub placed_here_by_other_authority: bool,
    #[serde(default)]
    pub risk_factors: Vec<String>,
}

impl ChildProfile {
    pub fn age_at(&self, t: NaiveDateTime) -> i64 {
        use chrono::Datelike;
        let d = t.date();
        let mut age = d.year() - self.date_of_birth.year();
        if (d.month(), d.day()) < (self.date_of_birth.month(), self.date_of_birth.day()) {
            age -= 1;
        }
        age as i64
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    AtPlacement,
    Away,
    Located,
    Returned,
    Closed,
}

/// One missing episode: a state machine with time-stamped transitions.
#[derive(Debug, Clone, Serialize)]
pub struct Episode {
    pub number: u32,
    pub phase: Phase,
    pub left_at: NaiveDateTime,
    pub located_at: Option<NaiveDateTime>,
    pub returned_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub whereabouts_known: bool,
    pub category: Option<String>,
    pub risk: Option<RiskLevel>,
    /// The band of the latest score on the protocol's risk tool in this episode.
    pub tool_band: Option<Rag>,
    /// (time, what) for every change of phase, category or grading.
    pub transitions: Vec<(NaiveDateTime, String)>,
    /// Trigger keys (see `TriggerKeys`) that have fired in this episode.
    #[serde(skip)]
    pub(super) fired: KeySet,
    /// Rules whose repeat chain has started in this episode (one chain per rule).
    pub(super) repeating: Vec<usize>,
    /// `left_at` in `Nanos` (read for every rule judged while the child is away).
    #[serde(skip)]
    pub(super) left_ns: Nanos,
}

/// A set of trigger keys: a bit each for the first 128 (every protocol here names fewer
/// triggers than that), a list for any beyond.
#[derive(Debug, Clone, Default)]
pub(super) struct KeySet {
    low: u128,
    more: Vec<u32>,
}

impl KeySet {
    pub(super) fn contains(&self, k: u32) -> bool {
        if k < 128 {
            self.low >> k & 1 == 1
        } else {
            self.more.contains(&k)
        }
    }
    pub(super) fn insert(&mut self, k: u32) {
        if k < 128 {
            self.low |= 1 << k;
        } else if !self.more.contains(&k) {
            self.more.push(k);
        }
    }
}

#[derive(Debug, Clone)]
pub struct ChildState {
    pub profile: ChildProfile,
    /// Start times of past episodes (for repeat-episode windows).
    pub history: Vec<NaiveDateTime>,
    pub episode: Option<Episode>,
    pub episodes_total: u32,
    pub place: String,
}

impl Engine {
    pub(super) fn current_episode(&self, child: usize) -> Option<u32> {
        self.children[child]
            .episode
            .as_ref()
            .filter(|e| e.phase != Phase::Closed)
            .map(|e| e.number)
    }
    pub(super) fn is_away(&self, child: usize) -> bool {
        self.children[child]
            .episode
            .as_ref()
            .is_some_and(|e| e.phase == Phase::Away)
    }

    /// The child is at `at` again: found there (`found`), or back with nobody finding them (the
    /// timeline then says nothing of a finding).
    pub(super) fn locate(&mut self, child: usize, at: &str, note: &str, found: bool) {
        let now = self.now;
        let name = self.name_for_records(child);
        let Some(e) = self.children[child].episode.as_mut() else {
            return;
        };
        if e.phase != Phase::Away {
            return;
        }
        e.phase = Phase::Located;
        e.located_at = Some(now);
        e.whereabouts_known = true;
        set_place(&mut self.children[child].place, at);
        self.transition(child, || format!("located at {at}"));
        let place = self.place_words(at);
        if found {
            self.note(child, "event", "", || {
                format!("{name} is found at {place}{}", sep(note))
            });
        }
        // Duties that only made sense while the child was away are cancelled.
        let mut open = std::mem::take(&mut self.scratch_open);
        open.clear();
        open.extend_from_slice(&self.open_by_child[child].open);
        for r in &open {
            if self.rule_info[r.rule as usize].lapses && r.due.is_none_or(|d| d > self.now_ns) {
                // A duty with no time limit that only mattered while the child was away (tell
                // the manager, search) was owed while they were: in a scenario, one left undone
                // for an hour or more of that time is missed, not excused by the finding. (Roles
                // acting by the book do such duties within minutes; stress runs keep no records
                // and settle it as before.)
                let owed_for = match (r.due, self.miss_undone_while_away && self.keeps(child)) {
                    (None, true) => self.now - self.obligations[r.id as usize].fired_at,
                    _ => chrono::Duration::zero(),
                };
                if owed_for >= chrono::Duration::hours(1) {
                    self.settle(child, *r, Status::Missed, None, 0.0, || {
                        format!(
                            "not done in the {} the child was still missing after it arose",
                            fmt_hours(owed_for.num_minutes())
                        )
                    });
                } else {
                    self.settle(child, *r, Status::Cancelled, None, 0.0, || {
                        "the child was found before it fell due".into()
                    });
                }
            }
        }
        self.scratch_open = open;
        self.fire_trigger(child, Trigger::Located);
    }

    /// The child discloses harm (to role `to`, if known), while an episode is open (one closed
    /// is over: what is said then belongs to no episode). The one told does what it sets off for
    /// them within the hour straight away (see `plan_act`).
    pub(super) fn disclose(&mut self, child: usize, to: Option<String>) {
        if self.current_episode(child).is_none() {
            return;
        }
        let told = to.as_deref().map(|r| (child as u32, self.intern(r)));
        if let Some((_, role)) = told
            && let Some(k) = self.knowing.as_mut()
        {
            let bits = k.tell_role(child, role);
            if bits != 0 {
                self.told(child, bits, role, None);
            }
        }
        let before = std::mem::replace(&mut self.acting, told);
        self.fire_trigger(child, Trigger::Disclosed);
        if let Some(role) = to {
            self.fire_trigger(child, Trigger::DisclosedTo(role));
        }
        self.acting = before;
    }

    pub(super) fn close_episode(&mut self, child: usize) {
        let now = self.now;
        let Some(e) = self.children[child].episode.as_mut() else {
            return;
        };
        if e.phase == Phase::Closed {
            return;
        }
        e.phase = Phase::Closed;
        e.closed_at = Some(now);
        self.transition(child, || "closed".into());
        self.fire_trigger(child, Trigger::EpisodeClosed);
    }
}

/// Where a child is, written over the last place in the same room (a stress run moves a
/// hundred thousand children about).
pub(super) fn set_place(place: &mut String, at: &str) {
    place.clear();
    place.push_str(at);
}
