//! Triggers: each a number worked out once per protocol (`TriggerKeys`), fired once per episode;
//! firing one judges its rules and makes obligations of those that hold. Repeating rules.

use std::collections::HashMap;

use super::Engine;
use super::agenda::Agendum;
use super::duties::{Obligation, Status};
use super::episodes::ChildProfile;
use super::tables::FxMap;
use super::time::later;
use crate::protocol::{Facts, Protocol, Trigger};

fn trigger_key(t: &Trigger) -> String {
    match t {
        Trigger::MissingFor(h) => format!("MissingFor({h})"),
        other => format!("{other:?}"),
    }
}

/// How to word a trigger in a reason, without building it where no reason is kept.
pub(super) enum Label<'a> {
    Of(&'a Trigger),
    Done(u32),
    Notified(&'a str),
}

/// The engine's identity of a trigger (a trigger fires once per episode), worked out once per
/// protocol so that firing one needs no formatting: each trigger a rule or a repeat's `until`
/// names gets a number; triggers no rule names have none and set nothing off.
#[derive(Debug, Default)]
pub(super) struct TriggerKeys {
    /// Rules by key, in protocol order.
    rules: Vec<Vec<usize>>,
    /// The key of each rule's repeat `until`.
    until: Vec<Option<u32>>,
    /// Keys some repeat stops on.
    stops: Vec<bool>,
    /// Keys with a rule whose condition needs the child's facts worked out (see `RuleTest`).
    needs_facts: Vec<bool>,
    /// How each rule's condition is judged.
    tests: Vec<RuleTest>,
    /// The distinct conditions of the rules judged by `RuleTest::Profile`, by bit.
    profile_conditions: Vec<crate::protocol::Condition>,
    /// Keys of the triggers without a parameter, by `unit_index`.
    unit: [Option<u32>; 11],
    classified: FxMap<String, u32>,
    pub(super) notified: FxMap<String, u32>,
    disclosed_to: FxMap<String, u32>,
    pub(super) done: FxMap<String, u32>,
    missing_for: Vec<(u64, u32)>,
    episode_count: Vec<((i64, i64), u32)>,
}

/// How a rule's condition is judged when its trigger fires.
#[derive(Debug, Clone, Copy, PartialEq)]
enum RuleTest {
    /// No condition: it holds for every child.
    Always,
    /// A condition on the child's profile only (`Condition::is_about_the_profile_only`): judged
    /// once, when the child is added, and kept as this bit of `Engine::profile_holds`.
    Profile(u8),
    /// Judged on the child's facts as they are when the trigger fires.
    Facts,
}

fn unit_index(t: &Trigger) -> Option<usize> {
    Some(match t {
        Trigger::Left => 0,
        Trigger::ReportedMissing => 1,
        Trigger::RiskGraded => 2,
        Trigger::Located => 3,
        Trigger::Returned => 4,
        Trigger::InterviewCompleted => 5,
        Trigger::InterviewDeclined => 6,
        Trigger::PlacementStarted => 7,
        Trigger::BecameLookedAfter => 8,
        Trigger::EpisodeClosed => 9,
        Trigger::Disclosed => 10,
        _ => return None,
    })
}

impl TriggerKeys {
    pub(super) fn new(protocol: &Protocol) -> Self {
        let mut by_text: HashMap<String, u32> = HashMap::new();
        let mut k = TriggerKeys::default();
        let mut register = |k: &mut TriggerKeys, t: &Trigger| -> u32 {
            let next = by_text.len() as u32;
            let id = *by_text.entry(trigger_key(t)).or_insert(next);
            if id == next {
                k.rules.push(Vec::new());
                k.stops.push(false);
            }
            match t {
                Trigger::ClassifiedAs(c) => {
                    k.classified.insert(c.clone(), id);
                }
                Trigger::NotificationReceived(r) => {
                    k.notified.insert(r.clone(), id);
                }
                Trigger::DisclosedTo(r) => {
                    k.disclosed_to.insert(r.clone(), id);
                }
                Trigger::Done(a) => {
                    k.done.insert(a.clone(), id);
                }
                Trigger::MissingFor(h) => k.missing_for.push((h.to_bits(), id)),
                Trigger::EpisodeCount { episodes, within_days } => {
                    k.episode_count.push(((*episodes, *within_days), id))
                }
                other => k.unit[unit_index(other).expect("a trigger without parameters")] = Some(id),
            }
            id
        };
        for (i, r) in protocol.rules.iter().enumerate() {
            let id = register(&mut k, &r.trigger);
            // A rule waiting for a time away that is not a number never fires.
            if !matches!(r.trigger, Trigger::MissingFor(h) if h.is_nan()) {
                k.rules[id as usize].push(i);
            }
            let until = r.repeat.as_ref().map(|rep| register(&mut k, &rep.until));
            if let Some(u) = until {
                k.stops[u as usize] = true;
            }
            k.until.push(until);
        }
        let always = crate::protocol::Condition::default();
        for r in &protocol.rules {
            let test = if r.when == always {
                RuleTest::Always
            } else if r.when.is_about_the_profile_only() {
                match k.profile_conditions.iter().position(|c| *c == r.when) {
                    Some(bit) => RuleTest::Profile(bit as u8),
                    None if k.profile_conditions.len() < 64 => {
                        k.profile_conditions.push(r.when.clone());
                        RuleTest::Profile(k.profile_conditions.len() as u8 - 1)
                    }
                    None => RuleTest::Facts,
                }
            } else {
                RuleTest::Facts
            };
            k.tests.push(test);
        }
        k.needs_facts = k
            .rules
            .iter()
            .map(|rules| rules.iter().any(|&i| k.tests[i] == RuleTest::Facts))
            .collect();
        k
    }

    /// Which of `profile_conditions` hold for a child with this profile, a bit each (`facts`
    /// is room to work in; the conditions read only what is copied into it from the profile).
    pub(super) fn profile_holds(&self, profile: &ChildProfile, facts: &mut Facts) -> u64 {
        if self.profile_conditions.is_empty() {
            return 0;
        }
        facts.legal_status.clone_from(&profile.legal_status);
        facts.placement = Some(profile.placement);
        facts.out_of_borough = profile.out_of_borough;
        facts.placed_here_by_other_authority = profile.placed_here_by_other_authority;
        facts.risk_factors.clone_from(&profile.risk_factors);
        self.profile_conditions
            .iter()
            .enumerate()
            .filter(|(_, c)| c.holds(facts))
            .fold(0, |bits, (i, _)| bits | 1 << i)
    }

    /// The key of a trigger, or none when no rule or repeat names it.
    fn of(&self, t: &Trigger) -> Option<u32> {
        match t {
            Trigger::ClassifiedAs(c) => self.classified.get(c.as_str()).copied(),
            Trigger::NotificationReceived(r) => self.notified.get(r.as_str()).copied(),
            Trigger::DisclosedTo(r) => self.disclosed_to.get(r.as_str()).copied(),
            Trigger::Done(a) => self.done.get(a.as_str()).copied(),
            Trigger::MissingFor(h) => self
                .missing_for
                .iter()
                .find(|(b, _)| *b == h.to_bits())
                .map(|(_, id)| *id),
            Trigger::EpisodeCount { episodes, within_days } => self
                .episode_count
                .iter()
                .find(|(p, _)| *p == (*episodes, *within_days))
                .map(|(_, id)| *id),
            other => unit_index(other).and_then(|i| self.unit[i]),
        }
    }
}

impl Engine {
    /// A trigger fires for a child: every applicable rule becomes an obligation.
    pub fn fire(&mut self, child: usize, trigger: Trigger) {
        self.sync_automation();
        self.fire_trigger(child, trigger);
    }

    pub(super) fn fire_trigger(&mut self, child: usize, trigger: Trigger) {
        let key = self.keys.of(&trigger);
        self.fire_key(child, key, matches!(trigger, Trigger::Done(_)), Label::Of(&trigger));
    }

    /// `fire` by trigger key (`None`: a trigger no rule or repeat names, which sets nothing off).
    pub(super) fn fire_key(&mut self, child: usize, key: Option<u32>, is_done: bool, label: Label) {
        let Some(key) = key else {
            return;
        };
        if let Some(e) = self.children[child].episode.as_mut() {
            // A trigger fires once per episode (reported twice is still one report); doing an
            // action again is a new happening.
            let seen = e.fired.contains(key);
            if seen && !is_done {
                return;
            }
            if !seen {
                e.fired.insert(key);
            }
        }
        // Recurring duties whose `until` this is stop: occurrences not yet due are cancelled.
        if self.keys.stops[key as usize] {
            let reason = if self.keeps(child) {
                format!("it repeats only until {}", self.label_text(&label))
            } else {
                String::new()
            };
            let mut open = std::mem::take(&mut self.scratch_open);
            open.clear();
            open.extend_from_slice(&self.open_by_child[child].open);
            for r in &open {
                let stops = self.keys.until.get(r.rule as usize).copied().flatten() == Some(key);
                if stops && r.due.is_none_or(|d| d > self.now_ns) {
                    self.settle(child, *r, Status::Cancelled, None, 0.0, || reason.clone());
                }
            }
            self.scratch_open = open;
        }
        if self.keys.rules[key as usize].is_empty() {
            return;
        }
        // Every rule is judged on the facts as they are now; then each that holds is acted on.
        // (Where the trigger's rules ask only about the child's profile, or nothing, no facts
        // need working out: what the profile says was judged when the child was added.)
        let needs_facts = self.keys.needs_facts[key as usize];
        let facts = if needs_facts {
            self.scratch_facts(child)
        } else {
            self.scratch_facts.take().unwrap_or_default()
        };
        let mut judged = std::mem::take(&mut self.scratch_judged);
        judged.clear();
        let profile = self.profile_holds[child];
        for &ri in &self.keys.rules[key as usize] {
            // A rule set off by one role's act is not set off by another's doing the same action.
            if let Some(by) = self.rule_info[ri].done_by
                && is_done
                && self.acting.is_none_or(|(_, who)| who != by)
            {
                continue;
            }
            let holds = match self.keys.tests[ri] {
                RuleTest::Always => true,
                RuleTest::Profile(bit) => profile >> bit & 1 == 1,
                RuleTest::Facts => self.protocol.rules[ri].when.holds(&facts),
            };
            judged.push((ri, holds));
        }
        self.scratch_facts = Some(facts);
        for &(ri, holds) in &judged {
            if holds {
                if self.rule_info[ri].every.is_some() {
                    // One chain per rule and episode: the repeat makes the later occurrences.
                    let Some(e) = self.children[child].episode.as_mut() else {
                        continue;
                    };
                    if e.repeating.contains(&ri) {
                        continue;
                    }
                    e.repeating.push(ri);
                }
                self.create_obligation(child, ri);
                if let Some(every) = self.rule_info[ri].every {
                    let episode = self.current_episode(child).unwrap_or(0);
                    self.push_at(
                        later(self.now_ns, every),
                        Agendum::Repeat {
                            child: child as u32,
                            episode,
                            rule: ri as u32,
                            n: 2,
                        },
                    );
                }
            } else if self.keeps(child)
                && self.automation.trainee_role.as_deref() == Some(self.protocol.rules[ri].role.as_str())
            {
                let id = self.obligations.len();
                let rule = self.protocol.rules[ri].clone();
                self.obligations.push(Obligation {
                    id,
                    rule_index: ri,
                    rule: rule.id.clone(),
                    child,
                    episode: self.current_episode(child).unwrap_or(0),
                    role: rule.role.clone(),
                    action: rule.action.clone(),
                    fired_at: self.now,
                    due_at: None,
                    done_at: None,
                    status: Status::NotApplicable,
                    reason: format!(
                        "does not apply to this child: the rule is only for those {}",
                        crate::protocol::show::describe(&rule.when)
                    ),
                    queue_wait_minutes: 0.0,
                    settled_at: Some(self.now),
                    met_by: None,
                    early_at: None,
                });
            }
        }
        self.scratch_judged = judged;
    }

    fn label_text(&self, label: &Label) -> String {
        match label {
            Label::Of(t) => t.label(),
            Label::Done(a) => Trigger::Done(self.names.list[*a as usize].clone()).label(),
            Label::Notified(r) => Trigger::NotificationReceived(r.to_string()).label(),
        }
    }

    pub(super) fn repeat(&mut self, child: usize, episode: u32, ri: usize, n: u32) {
        if self.current_episode(child) != Some(episode) {
            return;
        }
        let Some(every) = self.rule_info[ri].every else {
            return;
        };
        let cancels_if_found = self.rule_info[ri].lapses;
        let until = self.keys.until[ri];
        if let Some(u) = until
            && self.children[child]
                .episode
                .as_ref()
                .is_some_and(|e| e.fired.contains(u))
        {
            return;
        }
        if cancels_if_found && !self.is_away(child) {
            return;
        }
        self.create_obligation(child, ri);
        self.push_at(
            later(self.now_ns, every),
            Agendum::Repeat {
                child: child as u32,
                episode,
                rule: ri as u32,
                n: n + 1,
            },
        );
    }

    /// The action has been done: `Done(action)` fires.
    pub(super) fn fire_done(&mut self, child: usize, action_sym: u32) {
        let key = self.done_key.get(action_sym as usize).copied().flatten();
        self.fire_key(child, key, true, Label::Done(action_sym));
    }
}
