//! What scenarios and caseloads schedule: happenings to a child (and the parameters an action
//! carries), and what each does when it happens.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::Engine;
use super::agenda::Agendum;
use super::duties::{OpenRef, Status};
use super::episodes::{Episode, KeySet, Phase, set_place};
use super::records::{fmt_hours, sep};
use super::time::{LAST_INSTANT, time_at, timer_span};
use crate::protocol::{Effect, RiskLevel, Trigger};

/// What happens to a child, from a scenario script or a caseload generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Happening {
    Leaves {
        to: String,
        note: String,
        /// Where the child is is known from the start (staying at an aunt's without permission):
        /// classified on that fact from the first instant, never missing for a moment.
        #[serde(default)]
        whereabouts_known: bool,
        /// The child was last seen this many hours before she was found to be gone (in bed at
        /// 10 pm, her bed empty at 7 am): the protocol's hours count from then ("missing for 6
        /// hours since last seen"), though nobody can act before she is missed.
        #[serde(default)]
        last_seen_hours_before: Option<f64>,
    },
    Seen {
        at: String,
        note: String,
    },
    WhereaboutsKnown {
        at: String,
        note: String,
    },
    WhereaboutsUnknown {
        note: String,
    },
    Located {
        at: String,
        note: String,
    },
    Returned {
        note: String,
    },
    Message {
        from: String,
        text: String,
    },
    DeclinesInterview,
    /// The child tells someone something. A disclosure of harm to or from them (the default)
    /// raises a safeguarding concern and fires `Disclosed`; `concern: false` for one that does not
    /// ("she feels safe at Kyle's").
    /// `to`: the role of the one told (a role id), if it matters: their duties that the
    /// disclosure sets off within the hour they do straight after, as a worker does what their own
    /// act sets off (see `Engine::plan_act`).
    Discloses {
        text: String,
        #[serde(default = "yes")]
        concern: bool,
        #[serde(default)]
        to: Option<String>,
    },
    CloseEpisode,
    /// A role nobody plays does something of the scenario's choosing, not the book's (another
    /// agency's mistake the trainee should notice and challenge: the police grade the risk Low).
    /// Judged as a trainee's act is (a prohibited act is wrongful, shown under that role).
    Does {
        role: String,
        action: String,
        #[serde(default)]
        grade: Option<RiskLevel>,
        #[serde(default)]
        category: Option<String>,
        #[serde(default)]
        note: Option<String>,
    },
    /// Happens only if the trainee has (`if_done`) or has not (`unless_done`) done an action by then.
    Conditional {
        if_done: Option<String>,
        unless_done: Option<String>,
        then: Box<Happening>,
    },
}

/// Parameters an action may carry (trainee choices or automated by-the-book ones).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActionParams {
    pub category: Option<String>,
    pub grade: Option<RiskLevel>,
    pub note: Option<String>,
    /// Assessment-tool answers: item id → score.
    pub answers: Vec<(String, i64)>,
    /// The action's form (see `ActionDecl::form`): field id → what was written.
    pub fields: Vec<(String, String)>,
}

fn yes() -> bool {
    true
}

impl Engine {
    /// Schedule something that happens to a child.
    pub fn schedule(&mut self, at: NaiveDateTime, child: usize, h: Happening) {
        self.push(at, Agendum::Happen(child as u32, Box::new(h)));
    }

    /// Schedule an action (a trainee's decision or a scripted one).
    pub fn schedule_action(
        &mut self,
        at: NaiveDateTime,
        child: usize,
        role: &str,
        action: &str,
        params: ActionParams,
        by_trainee: bool,
    ) {
        let role = self.intern(role);
        let action = self.intern(action);
        let params = (params != ActionParams::default()).then(|| Box::new(params));
        self.push(
            at,
            Agendum::Act {
                child: child as u32,
                role,
                action,
                by_trainee,
                params,
                queue_wait: 0,
                auto: false,
                kind: 0,
                slotted: false,
            },
        );
    }

    pub(super) fn happen(&mut self, child: usize, h: Happening) {
        let name = self.name_for_records(child);
        match h {
            Happening::Leaves {
                to,
                note,
                whereabouts_known,
                last_seen_hours_before,
            } => {
                if self.current_episode(child).is_some() && self.is_away(child) {
                    return;
                }
                if let Some(prev) = self.children[child].episode.take() {
                    self.children[child].history.push(prev.left_at);
                }
                self.open_by_child[child].done.clear();
                let c = &mut self.children[child];
                c.episodes_total += 1;
                let number = c.episodes_total;
                set_place(&mut c.place, &to);
                // The episode counts from when the child was last seen (within the clock's range).
                let left_ns = match last_seen_hours_before {
                    Some(h) if h > 0.0 => self.now_ns.saturating_sub(timer_span(h)).max(-LAST_INSTANT),
                    _ => self.now_ns,
                };
                c.episode = Some(Episode {
                    number,
                    phase: Phase::Away,
                    left_at: time_at(left_ns),
                    left_ns,
                    located_at: None,
                    returned_at: None,
                    closed_at: None,
                    whereabouts_known,
                    category: None,
                    risk: None,
                    tool_band: None,
                    transitions: Vec::new(),
                    fired: KeySet::default(),
                    repeating: Vec::new(),
                });
                self.episodes_started += 1;
                self.episode_started_knowing(child);
                self.transition(child, || "left".into());
                if whereabouts_known {
                    self.transition(child, || "whereabouts known".into());
                }
                let known_at = if whereabouts_known && self.keeps(child) {
                    format!(" (whereabouts known: {})", self.place_words(&to))
                } else {
                    String::new()
                };
                let last_seen = match last_seen_hours_before {
                    Some(h) if h > 0.0 && self.keeps(child) => format!(
                        " (last seen {} earlier, at {})",
                        fmt_hours((h * 60.0).round() as i64),
                        time_at(left_ns).format("%a %H:%M")
                    ),
                    _ => String::new(),
                };
                self.note(child, "event", &name, || {
                    format!(
                        "{name} leaves{}{}{}",
                        if note.is_empty() {
                            String::new()
                        } else {
                            format!(": {note}")
                        },
                        known_at,
                        last_seen
                    )
                });
                self.fire_trigger(child, Trigger::Left);
                let office = self.office_hours_now();
                let mut facts = self.scratch_facts.take().unwrap_or_default();
                self.fill_facts(child, &mut facts, office, true);
                let counts: Vec<(Trigger, bool)> = self
                    .protocol
                    .rules
                    .iter()
                    .filter_map(|r| match r.trigger {
                        Trigger::EpisodeCount { episodes, within_days } => {
                            Some((r.trigger.clone(), facts.episodes_within(within_days) >= episodes))
                        }
                        _ => None,
                    })
                    .collect();
                self.scratch_facts = Some(facts);
                let mut seen = Vec::new();
                for (t, ok) in counts {
                    if ok && !seen.contains(&t) {
                        seen.push(t.clone());
                        self.fire_trigger(child, t);
                    }
                }
                self.reclassify(child);
                self.start_timers(child, number);
            }
            Happening::Seen { at, note } => {
                // Where the child was last seen (the board's marker; where police search).
                set_place(&mut self.children[child].place, &at);
                let place = self.place_words(&at);
                self.note(child, "event", "", || format!("{name} seen at {place}{}", sep(&note)));
            }
            Happening::WhereaboutsKnown { at, note } => {
                if let Some(e) = self.children[child].episode.as_mut() {
                    e.whereabouts_known = true;
                }
                set_place(&mut self.children[child].place, &at);
                let place = self.place_words(&at);
                self.note(child, "event", "", || {
                    format!("{name}'s whereabouts are known: {place}{}", sep(&note))
                });
                self.transition(child, || "whereabouts known".into());
                self.reclassify(child);
            }
            Happening::WhereaboutsUnknown { note } => {
                if let Some(e) = self.children[child].episode.as_mut() {
                    e.whereabouts_known = false;
                }
                self.note(child, "event", "", || {
                    format!("{name}'s whereabouts are no longer known{}", sep(&note))
                });
                self.reclassify(child);
            }
            Happening::Located { at, note } => self.locate(child, &at, &note, true),
            Happening::Returned { note } => {
                if self.is_away(child) {
                    // Back with nobody finding them: the return says so itself.
                    self.locate(child, "placement", "", false);
                }
                let now = self.now;
                let Some(e) = self.children[child].episode.as_mut() else {
                    return;
                };
                if e.phase == Phase::Returned || e.phase == Phase::Closed {
                    return;
                }
                e.phase = Phase::Returned;
                e.returned_at = Some(now);
                set_place(&mut self.children[child].place, "placement");
                self.transition(child, || "returned".into());
                self.note(child, "event", &name, || format!("{name} is back{}", sep(&note)));
                self.fire_trigger(child, Trigger::Returned);
            }
            Happening::Message { from, text } => {
                let who = self.person_words(&from);
                self.note(child, "message", &who, || text)
            }
            Happening::DeclinesInterview => {
                self.note(child, "event", &name, || {
                    format!("{name} says they do not want a return interview")
                });
                // Duties to hold the interview end: the child's choice is respected (offers stand).
                let interview: Vec<String> = self
                    .protocol
                    .actions
                    .iter()
                    .filter(|a| a.effects.contains(&Effect::CompletesInterview))
                    .map(|a| a.id.clone())
                    .collect();
                let open: Vec<OpenRef> = self.open_by_child[child].open.clone();
                for r in open {
                    if interview.contains(&self.protocol.rules[r.rule as usize].action) {
                        self.settle(child, r, Status::Cancelled, None, 0.0, || {
                            "the child declined the interview".into()
                        });
                    }
                }
                self.fire_trigger(child, Trigger::InterviewDeclined);
            }
            Happening::Discloses { text, concern, to } => {
                self.note(child, "disclosure", &name, || text);
                if concern {
                    self.disclose(child, to);
                }
            }
            Happening::CloseEpisode => self.close_episode(child),
            Happening::Does {
                role,
                action,
                grade,
                category,
                note,
            } => {
                let (role, action) = (self.intern(&role), self.intern(&action));
                let params = ActionParams {
                    category,
                    grade,
                    note,
                    ..Default::default()
                };
                self.act(child, role, action, (false, true), &params, 0.0);
            }
            Happening::Conditional {
                if_done,
                unless_done,
                then,
            } => {
                let done = |a: &Option<String>| {
                    a.as_ref()
                        .is_some_and(|a| self.trainee_done.iter().any(|(c, x)| *c == child && x == a))
                };
                let go = (if_done.is_none() || done(&if_done)) && (unless_done.is_none() || !done(&unless_done));
                if go {
                    self.happen(child, *then);
                }
            }
        }
    }
}
