//! The deterministic core: an agenda of timed happenings, children moving through missing
//! episodes, protocol rules turned into obligations that end as met, late, missed, cancelled or
//! not applicable. Bevy plugins (`sim::plugins`) drive it on a clock and mirror it into entities;
//! the headless runner drives it as fast as the CPU allows. Time comes from the agenda only.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use crate::protocol::{Effect, Facts, LegalStatus, Placement, Protocol, RiskLevel, Rule, Strength, Trigger};

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
    /// (time, what) for every change of phase, category or grading.
    pub transitions: Vec<(NaiveDateTime, String)>,
    fired: Vec<String>,
    /// Rules whose repeat chain has started in this episode (one chain per rule).
    repeating: Vec<usize>,
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
}

/// What happens to a child, from a scenario script or a caseload generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Happening {
    Leaves {
        to: String,
        note: String,
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
    Discloses {
        text: String,
    },
    CloseEpisode,
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
}

#[derive(Debug, Clone)]
enum Agendum {
    Happen(usize, Happening),
    Act {
        child: usize,
        role: String,
        action: String,
        by_trainee: bool,
        params: ActionParams,
        queue_wait: f64,
    },
    MissingTimer {
        child: usize,
        episode: u32,
        hours: f64,
    },
    Reclassify {
        child: usize,
        episode: u32,
    },
    Repeat {
        child: usize,
        episode: u32,
        rule: usize,
        n: u32,
    },
    DueCheck {
        obligation: usize,
        generation: u32,
    },
}

#[derive(Debug, Clone)]
struct Item {
    at: NaiveDateTime,
    seq: u64,
    what: Agendum,
}
impl PartialEq for Item {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

/// One line of the case chronology.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LogEntry {
    pub at: NaiveDateTime,
    pub child: usize,
    pub kind: String,
    pub who: String,
    pub text: String,
}

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

#[derive(Debug, Clone, Default)]
pub struct Automation {
    /// The role a trainee plays: its duties are not automated.
    pub trainee_role: Option<String>,
    pub default: RoleBehaviour,
    pub roles: HashMap<String, RoleBehaviour>,
}

/// Per-rule tallies kept when individual obligations are not retained (stress runs).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleTally {
    pub fired: u64,
    pub met: u64,
    pub late: u64,
    pub missed: u64,
    pub cancelled: u64,
    pub late_hours_total: f64,
    pub queue_wait_minutes_total: f64,
}

pub struct Engine {
    pub protocol: Arc<Protocol>,
    pub calendar: Calendar,
    pub automation: Automation,
    pub now: NaiveDateTime,
    pub children: Vec<ChildState>,
    pub obligations: Vec<Obligation>,
    pub log: Vec<LogEntry>,
    /// Keep every obligation and log line (scenarios) or only tallies (stress runs).
    pub keep_records: bool,
    pub tallies: Vec<RuleTally>,
    pub events_processed: u64,
    pub episodes_started: u64,
    /// Actions done per (role, ISO week), for workload charts.
    pub workload: HashMap<(String, u32), u64>,
    /// Every action done (kept with `keep_records`): time, child, role, action, by the trainee.
    pub actions_done: Vec<(NaiveDateTime, usize, String, String, bool)>,
    /// (child, action) for every action the trainee has done so far.
    pub trainee_done: Vec<(usize, String)>,
    agenda: BinaryHeap<Reverse<Item>>,
    seq: u64,
    rng: ChaCha8Rng,
    rules_by_trigger: HashMap<String, Vec<usize>>,
    missing_hours: Vec<f64>,
    escalation_hours: Vec<f64>,
    worker_free: HashMap<String, Vec<NaiveDateTime>>,
    open_by_child: HashMap<usize, Vec<usize>>,
    free_slots: Vec<usize>,
    slot_generation: Vec<u32>,
}

fn trigger_key(t: &Trigger) -> String {
    match t {
        Trigger::MissingFor(h) => format!("MissingFor({h})"),
        other => format!("{other:?}"),
    }
}

impl Engine {
    pub fn new(protocol: Arc<Protocol>, start: NaiveDateTime, seed: u64) -> Self {
        let mut rules_by_trigger: HashMap<String, Vec<usize>> = HashMap::new();
        let mut missing_hours = Vec::new();
        for (i, r) in protocol.rules.iter().enumerate() {
            rules_by_trigger.entry(trigger_key(&r.trigger)).or_default().push(i);
            if let Trigger::MissingFor(h) = r.trigger {
                missing_hours.push(h);
            }
        }
        missing_hours.sort_by(f64::total_cmp);
        missing_hours.dedup();
        let escalation_hours = protocol.escalation_hours();
        let mut calendar = Calendar::default();
        if let Some(h) = protocol.office_hours {
            calendar.office_start = h.start_hour;
            calendar.office_end = h.end_hour;
        }
        let tallies = vec![RuleTally::default(); protocol.rules.len()];
        Engine {
            protocol,
            calendar,
            automation: Automation::default(),
            now: start,
            children: Vec::new(),
            obligations: Vec::new(),
            log: Vec::new(),
            keep_records: true,
            tallies,
            events_processed: 0,
            episodes_started: 0,
            workload: HashMap::new(),
            trainee_done: Vec::new(),
            actions_done: Vec::new(),
            agenda: BinaryHeap::new(),
            seq: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
            rules_by_trigger,
            missing_hours,
            escalation_hours,
            worker_free: HashMap::new(),
            open_by_child: HashMap::new(),
            free_slots: Vec::new(),
            slot_generation: Vec::new(),
        }
    }

    pub fn add_child(&mut self, profile: ChildProfile, place: &str, history: Vec<NaiveDateTime>) -> usize {
        self.children.push(ChildState {
            profile,
            episodes_total: history.len() as u32,
            history,
            episode: None,
            place: place.to_string(),
        });
        self.children.len() - 1
    }

    fn push(&mut self, at: NaiveDateTime, what: Agendum) {
        self.seq += 1;
        self.agenda.push(Reverse(Item {
            at: at.max(self.now),
            seq: self.seq,
            what,
        }));
    }

    /// Schedule something that happens to a child.
    pub fn schedule(&mut self, at: NaiveDateTime, child: usize, h: Happening) {
        self.push(at, Agendum::Happen(child, h));
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
        self.push(
            at,
            Agendum::Act {
                child,
                role: role.into(),
                action: action.into(),
                by_trainee,
                params,
                queue_wait: 0.0,
            },
        );
    }

    /// Time of the next thing on the agenda.
    pub fn next_time(&self) -> Option<NaiveDateTime> {
        self.agenda.peek().map(|r| r.0.at)
    }

    /// Process everything due up to and including `until`, then set the clock to `until`.
    pub fn run_until(&mut self, until: NaiveDateTime) {
        while let Some(Reverse(item)) = self.agenda.peek() {
            if item.at > until {
                break;
            }
            let Reverse(item) = self.agenda.pop().expect("peeked");
            self.now = item.at;
            self.events_processed += 1;
            self.handle(item.what);
        }
        if until > self.now {
            self.now = until;
        }
    }

    /// Process the next batch of agenda items that share one time; returns false if none.
    pub fn step(&mut self) -> bool {
        match self.next_time() {
            Some(t) => {
                self.run_until(t);
                true
            }
            None => false,
        }
    }

    pub fn facts(&self, child: usize) -> Facts {
        let c = &self.children[child];
        let ep = c.episode.as_ref();
        let mut ages: Vec<f64> = c
            .history
            .iter()
            .map(|t| (self.now - *t).num_minutes() as f64 / 1440.0)
            .filter(|d| *d >= 0.0)
            .collect();
        if let Some(e) = ep {
            ages.push((self.now - e.left_at).num_minutes() as f64 / 1440.0);
        }
        Facts {
            age: c.profile.age_at(self.now),
            legal_status: c.profile.legal_status.clone(),
            placement: Some(c.profile.placement),
            out_of_borough: c.profile.out_of_borough,
            placed_here_by_other_authority: c.profile.placed_here_by_other_authority,
            whereabouts_known: ep.is_none_or(|e| e.whereabouts_known || e.phase != Phase::Away),
            hours_away: ep
                .filter(|e| e.phase == Phase::Away && !e.whereabouts_known)
                .map(|e| (self.now - e.left_at).num_minutes() as f64 / 60.0)
                .unwrap_or(0.0),
            category: ep.and_then(|e| e.category.clone()),
            risk: ep.and_then(|e| e.risk),
            risk_factors: c.profile.risk_factors.clone(),
            office_hours: self.calendar.in_office_hours(self.now),
            episode_ages_days: ages,
        }
    }

    fn note(&mut self, child: usize, kind: &str, who: &str, text: String) {
        if self.keep_records {
            self.log.push(LogEntry {
                at: self.now,
                child,
                kind: kind.into(),
                who: who.into(),
                text,
            });
        }
    }

    fn transition(&mut self, child: usize, what: String) {
        let now = self.now;
        if let Some(e) = self.children[child].episode.as_mut()
            && self.keep_records
        {
            e.transitions.push((now, what));
        }
    }

    fn handle(&mut self, what: Agendum) {
        match what {
            Agendum::Happen(child, h) => self.happen(child, h),
            Agendum::Act {
                child,
                role,
                action,
                by_trainee,
                params,
                queue_wait,
            } => self.act(child, &role, &action, by_trainee, &params, queue_wait),
            Agendum::MissingTimer { child, episode, hours } => {
                if self.current_episode(child) == Some(episode) && self.is_away(child) {
                    self.fire(child, Trigger::MissingFor(hours));
                }
            }
            Agendum::Reclassify { child, episode } => {
                if self.current_episode(child) == Some(episode) && self.is_away(child) {
                    self.reclassify(child);
                }
            }
            Agendum::Repeat {
                child,
                episode,
                rule,
                n,
            } => self.repeat(child, episode, rule, n),
            Agendum::DueCheck { obligation, generation } => {
                let o = &self.obligations[obligation];
                if o.status == Status::Open && !self.keep_records && self.slot_generation[obligation] == generation {
                    // Stress runs settle misses at the deadline to keep memory flat.
                    self.settle(obligation, Status::Missed, "not done by the deadline".into());
                }
            }
        }
    }

    fn current_episode(&self, child: usize) -> Option<u32> {
        self.children[child]
            .episode
            .as_ref()
            .filter(|e| e.phase != Phase::Closed)
            .map(|e| e.number)
    }
    fn is_away(&self, child: usize) -> bool {
        self.children[child]
            .episode
            .as_ref()
            .is_some_and(|e| e.phase == Phase::Away)
    }

    fn happen(&mut self, child: usize, h: Happening) {
        let name = self.children[child].profile.name.clone();
        match h {
            Happening::Leaves { to, note } => {
                if self.current_episode(child).is_some() && self.is_away(child) {
                    return;
                }
                if let Some(prev) = self.children[child].episode.take() {
                    self.children[child].history.push(prev.left_at);
                }
                let c = &mut self.children[child];
                c.episodes_total += 1;
                let number = c.episodes_total;
                c.place = to.clone();
                c.episode = Some(Episode {
                    number,
                    phase: Phase::Away,
                    left_at: self.now,
                    located_at: None,
                    returned_at: None,
                    closed_at: None,
                    whereabouts_known: false,
                    category: None,
                    risk: None,
                    transitions: Vec::new(),
                    fired: Vec::new(),
                    repeating: Vec::new(),
                });
                self.episodes_started += 1;
                self.transition(child, "left".into());
                self.note(
                    child,
                    "event",
                    &name,
                    format!(
                        "{name} leaves{}{}",
                        if note.is_empty() {
                            String::new()
                        } else {
                            format!(": {note}")
                        },
                        ""
                    ),
                );
                self.fire(child, Trigger::Left);
                let facts = self.facts(child);
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
                let mut seen = Vec::new();
                for (t, ok) in counts {
                    if ok && !seen.contains(&t) {
                        seen.push(t.clone());
                        self.fire(child, t);
                    }
                }
                self.reclassify(child);
                for h in self.missing_hours.clone() {
                    self.push(
                        self.now + Duration::minutes((h * 60.0) as i64),
                        Agendum::MissingTimer {
                            child,
                            episode: number,
                            hours: h,
                        },
                    );
                }
                for h in self.escalation_hours.clone() {
                    if h > 0.0 {
                        self.push(
                            self.now + Duration::minutes((h * 60.0) as i64),
                            Agendum::Reclassify { child, episode: number },
                        );
                    }
                }
            }
            Happening::Seen { at, note } => {
                self.note(child, "event", "", format!("{name} seen at {at}{}", sep(&note)));
            }
            Happening::WhereaboutsKnown { at, note } => {
                if let Some(e) = self.children[child].episode.as_mut() {
                    e.whereabouts_known = true;
                }
                self.children[child].place = at.clone();
                self.note(
                    child,
                    "event",
                    "",
                    format!("{name}'s whereabouts are known: {at}{}", sep(&note)),
                );
                self.transition(child, "whereabouts known".into());
                self.reclassify(child);
            }
            Happening::WhereaboutsUnknown { note } => {
                if let Some(e) = self.children[child].episode.as_mut() {
                    e.whereabouts_known = false;
                }
                self.note(
                    child,
                    "event",
                    "",
                    format!("{name}'s whereabouts are no longer known{}", sep(&note)),
                );
                self.reclassify(child);
            }
            Happening::Located { at, note } => self.locate(child, &at, &note),
            Happening::Returned { note } => {
                if self.is_away(child) {
                    self.locate(child, "placement", "");
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
                self.children[child].place = "placement".into();
                self.transition(child, "returned".into());
                self.note(child, "event", &name, format!("{name} is back{}", sep(&note)));
                self.fire(child, Trigger::Returned);
            }
            Happening::Message { from, text } => self.note(child, "message", &from, text),
            Happening::DeclinesInterview => {
                self.note(
                    child,
                    "event",
                    &name,
                    format!("{name} says they do not want a return interview"),
                );
                // Duties to hold the interview end: the child's choice is respected (offers stand).
                let interview: Vec<String> = self
                    .protocol
                    .actions
                    .iter()
                    .filter(|a| a.effects.contains(&Effect::CompletesInterview))
                    .map(|a| a.id.clone())
                    .collect();
                let open: Vec<usize> = self.open_by_child.get(&child).cloned().unwrap_or_default();
                for o in open {
                    if interview.contains(&self.obligations[o].action) {
                        self.settle(o, Status::Cancelled, "the child declined the interview".into());
                    }
                }
                self.fire(child, Trigger::InterviewDeclined);
            }
            Happening::Discloses { text } => self.note(child, "disclosure", &name, text),
            Happening::CloseEpisode => self.close_episode(child),
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

    fn locate(&mut self, child: usize, at: &str, note: &str) {
        let now = self.now;
        let name = self.children[child].profile.name.clone();
        let Some(e) = self.children[child].episode.as_mut() else {
            return;
        };
        if e.phase != Phase::Away {
            return;
        }
        e.phase = Phase::Located;
        e.located_at = Some(now);
        e.whereabouts_known = true;
        self.children[child].place = at.to_string();
        self.transition(child, format!("located at {at}"));
        self.note(child, "event", "", format!("{name} is found at {at}{}", sep(note)));
        // Duties that only made sense while the child was away are cancelled.
        let open: Vec<usize> = self.open_by_child.get(&child).cloned().unwrap_or_default();
        for o in open {
            let ob = &self.obligations[o];
            let rule = self.protocol.rule(&ob.rule).expect("rule exists");
            if ob.status == Status::Open && rule.cancels_if_found() && ob.due_at.is_none_or(|d| d > now) {
                self.settle(o, Status::Cancelled, "the child was found before it fell due".into());
            }
        }
        self.fire(child, Trigger::Located);
    }

    fn close_episode(&mut self, child: usize) {
        let now = self.now;
        let Some(e) = self.children[child].episode.as_mut() else {
            return;
        };
        if e.phase == Phase::Closed {
            return;
        }
        e.phase = Phase::Closed;
        e.closed_at = Some(now);
        self.transition(child, "closed".into());
        self.fire(child, Trigger::EpisodeClosed);
    }

    fn reclassify(&mut self, child: usize) {
        let facts = self.facts(child);
        let Some(entry) = self.protocol.classify(&facts) else {
            return;
        };
        let cat = entry.category.clone();
        let e = self.children[child].episode.as_mut().expect("episode");
        if e.category.as_deref() == Some(cat.as_str()) {
            return;
        }
        let was = e.category.replace(cat.clone());
        let name = self.children[child].profile.name.clone();
        let label = self
            .protocol
            .categories
            .iter()
            .find(|c| c.id == cat)
            .map(|c| c.name.clone())
            .unwrap_or(cat.clone());
        self.transition(child, format!("classified {cat}"));
        self.note(
            child,
            "classification",
            "protocol",
            match was {
                Some(w) => format!("{name} is now {label} (was {w})"),
                None => format!("{name} is {label}"),
            },
        );
        self.fire(child, Trigger::ClassifiedAs(cat));
    }

    /// A trigger fires for a child: every applicable rule becomes an obligation.
    pub fn fire(&mut self, child: usize, trigger: Trigger) {
        let key = trigger_key(&trigger);
        if let Some(e) = self.children[child].episode.as_mut() {
            // A trigger fires once per episode (reported twice is still one report); doing an
            // action again is a new happening.
            if e.fired.contains(&key) && !matches!(trigger, Trigger::Done(_)) {
                return;
            }
            e.fired.push(key.clone());
        }
        // Recurring duties whose `until` this is stop: occurrences not yet due are cancelled.
        let open: Vec<usize> = self.open_by_child.get(&child).cloned().unwrap_or_default();
        for o in open {
            let ri = self.obligations[o].rule_index;
            let stops = self
                .protocol
                .rules
                .get(ri)
                .and_then(|r| r.repeat.as_ref())
                .is_some_and(|rep| rep.until == trigger);
            if stops && self.obligations[o].due_at.is_none_or(|d| d > self.now) {
                self.settle(o, Status::Cancelled, format!("no longer needed: {}", trigger.label()));
            }
        }
        let Some(rules) = self.rules_by_trigger.get(&key).cloned() else {
            return;
        };
        let facts = self.facts(child);
        let protocol = self.protocol.clone();
        for ri in rules {
            let rule = &protocol.rules[ri];
            if rule.trigger != trigger {
                continue;
            }
            if rule.when.holds(&facts) {
                if rule.repeat.is_some() {
                    // One chain per rule and episode: the repeat makes the later occurrences.
                    let Some(e) = self.children[child].episode.as_mut() else {
                        continue;
                    };
                    if e.repeating.contains(&ri) {
                        continue;
                    }
                    e.repeating.push(ri);
                }
                self.create_obligation(child, ri, self.now);
                if let Some(rep) = &rule.repeat {
                    let every = self.calendar.interval(&rep.every);
                    let episode = self.current_episode(child).unwrap_or(0);
                    self.push(
                        self.now + every,
                        Agendum::Repeat {
                            child,
                            episode,
                            rule: ri,
                            n: 2,
                        },
                    );
                }
            } else if self.keep_records && self.automation.trainee_role.as_deref() == Some(rule.role.as_str()) {
                let id = self.obligations.len();
                let rule = rule.clone();
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
                    reason: format!("does not apply: {}", crate::protocol::show::describe(&rule.when)),
                    queue_wait_minutes: 0.0,
                });
            }
        }
    }

    fn repeat(&mut self, child: usize, episode: u32, ri: usize, n: u32) {
        if self.current_episode(child) != Some(episode) {
            return;
        }
        let rule = &self.protocol.rules[ri];
        let rep = rule.repeat.clone().expect("repeat rule");
        let until = trigger_key(&rep.until);
        if self.children[child]
            .episode
            .as_ref()
            .is_some_and(|e| e.fired.contains(&until))
        {
            return;
        }
        if rule.cancels_if_found() && !self.is_away(child) {
            return;
        }
        self.create_obligation(child, ri, self.now);
        let every = self.calendar.interval(&rep.every);
        self.push(
            self.now + every,
            Agendum::Repeat {
                child,
                episode,
                rule: ri,
                n: n + 1,
            },
        );
    }

    fn create_obligation(&mut self, child: usize, ri: usize, at: NaiveDateTime) {
        let rule: &Rule = &self.protocol.rules[ri];
        let due = self.calendar.due(at, &rule.deadline);
        let ob = Obligation {
            id: 0,
            rule_index: ri,
            rule: rule.id.clone(),
            child,
            episode: self.current_episode(child).unwrap_or(0),
            role: rule.role.clone(),
            action: rule.action.clone(),
            fired_at: at,
            due_at: due,
            done_at: None,
            status: Status::Open,
            reason: String::new(),
            queue_wait_minutes: 0.0,
        };
        let id = match self.free_slots.pop() {
            Some(slot) => {
                self.obligations[slot] = Obligation { id: slot, ..ob };
                self.slot_generation[slot] += 1;
                slot
            }
            None => {
                let id = self.obligations.len();
                self.obligations.push(Obligation { id, ..ob });
                self.slot_generation.resize(self.obligations.len(), 0);
                id
            }
        };
        self.tallies[ri].fired += 1;
        self.open_by_child.entry(child).or_default().push(id);
        let role = rule.role.clone();
        let action = rule.action.clone();
        if let Some(d) = due
            && !self.keep_records
        {
            let generation = self.slot_generation[id];
            self.push(
                d,
                Agendum::DueCheck {
                    obligation: id,
                    generation,
                },
            );
        }
        if self.automation.trainee_role.as_deref() != Some(role.as_str()) {
            // A duty set off by doing the same action (the next meeting after a meeting) is done
            // when it falls due, not at once: otherwise it would set itself off again and again.
            let recurring = self.protocol.rules[ri].trigger == Trigger::Done(action.clone());
            match (recurring, due) {
                (true, Some(d)) => self.automate(child, &role, &action, d - Duration::hours(1), Some(d)),
                (true, None) => {}
                (false, _) => self.automate(child, &role, &action, at, due),
            }
        }
    }

    /// A role no trainee plays does its duty by the book, or with the set latency, compliance and capacity.
    fn automate(&mut self, child: usize, role: &str, action: &str, at: NaiveDateTime, due: Option<NaiveDateTime>) {
        let b = self
            .automation
            .roles
            .get(role)
            .cloned()
            .unwrap_or_else(|| self.automation.default.clone());
        if b.compliance < 1.0 && self.rng.random::<f64>() >= b.compliance {
            return;
        }
        let span = b.latency_max_minutes - b.latency_min_minutes;
        let mut latency = b.latency_min_minutes
            + if span > 0.0 {
                self.rng.random::<f64>() * span
            } else {
                0.0
            };
        if let Some(d) = due
            && !self.automation.roles.contains_key(role)
        {
            // By the book: never later than half the time allowed.
            latency = latency.min((d - at).num_minutes() as f64 / 2.0);
        }
        let mut ready = at + Duration::minutes(latency.max(0.0) as i64);
        let mut wait = 0.0;
        if let Some(n) = b.workers {
            let cal = self.calendar.clone();
            let free = self
                .worker_free
                .entry(role.to_string())
                .or_insert_with(|| vec![at; n.max(1) as usize]);
            let (wi, earliest) = free
                .iter()
                .enumerate()
                .min_by_key(|(_, t)| **t)
                .map(|(i, t)| (i, *t))
                .expect("one worker at least");
            let mut start = ready.max(earliest);
            if b.office_hours_only {
                start = cal.next_office_open(start);
            }
            wait = (start - ready).num_minutes() as f64;
            let end = start + Duration::minutes(b.service_minutes as i64);
            free[wi] = end;
            ready = end;
        }
        self.push(
            ready,
            Agendum::Act {
                child,
                role: role.into(),
                action: action.into(),
                by_trainee: false,
                params: ActionParams::default(),
                queue_wait: wait,
            },
        );
    }

    fn settle(&mut self, o: usize, status: Status, reason: String) {
        let ob = &mut self.obligations[o];
        if ob.status != Status::Open {
            return;
        }
        ob.status = status;
        ob.reason = reason;
        let ri = ob.rule_index;
        if ri >= self.tallies.len() {
            return;
        }
        let t = &mut self.tallies[ri];
        match status {
            Status::Met => t.met += 1,
            Status::Late => {
                t.late += 1;
                if let (Some(d), Some(done)) = (ob.due_at, ob.done_at) {
                    t.late_hours_total += (done - d).num_minutes() as f64 / 60.0;
                }
            }
            Status::Missed => t.missed += 1,
            Status::Cancelled => t.cancelled += 1,
            _ => {}
        }
        t.queue_wait_minutes_total += ob.queue_wait_minutes;
        let child = ob.child;
        if let Some(v) = self.open_by_child.get_mut(&child) {
            v.retain(|x| *x != o);
        }
        if !self.keep_records {
            self.free_slots.push(o);
        }
    }

    /// Someone does an action: duties it meets are settled, its effects fire triggers.
    fn act(
        &mut self,
        child: usize,
        role: &str,
        action: &str,
        by_trainee: bool,
        params: &ActionParams,
        queue_wait: f64,
    ) {
        let now = self.now;
        use chrono::Datelike;
        *self
            .workload
            .entry((role.to_string(), now.iso_week().week()))
            .or_default() += 1;
        let who = self
            .protocol
            .role(role)
            .map(|r| r.name.clone())
            .unwrap_or(role.to_string());
        let what = self
            .protocol
            .action(action)
            .map(|a| a.name.clone())
            .unwrap_or(action.to_string());
        let mut extra = String::new();
        if let Some(c) = &params.category {
            extra += &format!(" — as {c}");
        }
        if let Some(g) = params.grade {
            extra += &format!(" — {g:?} risk");
        }
        if let Some(n) = &params.note {
            extra += &format!(" — \"{n}\"");
        }
        self.note(
            child,
            if by_trainee { "trainee" } else { "action" },
            &who,
            format!("{what}{extra}"),
        );
        if by_trainee {
            self.trainee_done.push((child, action.to_string()));
        }
        if !params.answers.is_empty() {
            for tool in &self.protocol.risk.tools {
                let text = match tool.total(&params.answers) {
                    Ok(total) => match tool.band(total) {
                        Some(b) => format!("{}: total {total}, {:?} — {}", tool.name, b.rag, b.label),
                        None => format!("{}: total {total}, in no band", tool.name),
                    },
                    Err(e) => format!("{}: answers not accepted: {e}", tool.name),
                };
                if self.keep_records {
                    self.log.push(LogEntry {
                        at: now,
                        child,
                        kind: "assessment".into(),
                        who: who.clone(),
                        text,
                    });
                }
            }
        }
        if self.keep_records {
            self.actions_done
                .push((now, child, role.to_string(), action.to_string(), by_trainee));
        }

        // Meet open duties for this action (same role first; the trainee may act for any duty of theirs).
        let open: Vec<usize> = self.open_by_child.get(&child).cloned().unwrap_or_default();
        for o in open {
            let ob = &self.obligations[o];
            if ob.status == Status::Open && ob.action == action && ob.role == role {
                let late = ob.due_at.is_some_and(|d| now > d);
                let due = ob.due_at;
                self.obligations[o].done_at = Some(now);
                self.obligations[o].queue_wait_minutes = queue_wait;
                if late {
                    let by = due.map(|d| fmt_hours((now - d).num_minutes())).unwrap_or_default();
                    self.settle(o, Status::Late, format!("done {by} after the deadline"));
                } else {
                    self.settle(o, Status::Met, "done in time".into());
                }
            }
        }

        let facts = self.facts(child);
        if by_trainee && let Some(p) = self.protocol.forbids_action(&facts, action) {
            let p = p.clone();
            self.wrongful(
                child,
                role,
                action,
                &p.id,
                format!("the protocol says not to: {}", p.citation.quote),
            );
        }
        let effects = self
            .protocol
            .action(action)
            .map(|a| a.effects.clone())
            .unwrap_or_default();
        for e in effects {
            match e {
                Effect::ReportsMissing => self.fire(child, Trigger::ReportedMissing),
                Effect::Notifies(r) => self.fire(child, Trigger::NotificationReceived(r)),
                Effect::GradesRisk => {
                    let grade = params.grade.unwrap_or_else(|| by_the_book_grade(&facts));
                    if let Some(p) = self.protocol.forbids_grade(&facts, grade) {
                        let p = p.clone();
                        self.wrongful(
                            child,
                            role,
                            action,
                            &p.id,
                            format!(
                                "graded {grade:?}, which the protocol forbids here: {}",
                                p.citation.quote
                            ),
                        );
                    }
                    let ch = &mut self.children[child];
                    if let Some(ep) = ch.episode.as_mut() {
                        ep.risk = Some(grade);
                    }
                    self.transition(child, format!("graded {grade:?}"));
                    self.fire(child, Trigger::RiskGraded);
                }
                Effect::Classifies => {
                    let cat = params.category.clone().or(facts.category.clone());
                    if let Some(cat) = cat {
                        if let Some(p) = self.protocol.forbids_category(&facts, &cat) {
                            let p = p.clone();
                            self.wrongful(
                                child,
                                role,
                                action,
                                &p.id,
                                format!(
                                    "classified as {cat}, which the protocol forbids here: {}",
                                    p.citation.quote
                                ),
                            );
                        } else if by_trainee && facts.category.as_deref().is_some_and(|c| c != cat) {
                            let right = facts.category.clone().unwrap_or_default();
                            self.wrongful(
                                child,
                                role,
                                action,
                                "classification",
                                format!("classified as {cat}; under this protocol the child is {right}"),
                            );
                        }
                    }
                }
                Effect::CompletesInterview => self.fire(child, Trigger::InterviewCompleted),
                Effect::RecordsDecline => self.fire(child, Trigger::InterviewDeclined),
                Effect::LocatesChild => {
                    let place = self.children[child].place.clone();
                    self.locate(child, &place, "");
                }
            }
        }
        self.fire(child, Trigger::Done(action.to_string()));
    }

    fn wrongful(&mut self, child: usize, role: &str, action: &str, rule: &str, reason: String) {
        let id = self.obligations.len();
        self.obligations.push(Obligation {
            id,
            rule_index: usize::MAX,
            rule: rule.into(),
            child,
            episode: self.current_episode(child).unwrap_or(0),
            role: role.into(),
            action: action.into(),
            fired_at: self.now,
            due_at: None,
            done_at: Some(self.now),
            status: Status::Wrongful,
            reason: reason.clone(),
            queue_wait_minutes: 0.0,
        });
        self.note(child, "wrongful", role, reason);
    }

    /// End of the run: duties past their deadline are missed; those not yet due are not applicable.
    pub fn finish(&mut self, end: NaiveDateTime) {
        self.run_until(end);
        for o in 0..self.obligations.len() {
            if self.obligations[o].status != Status::Open {
                continue;
            }
            match self.obligations[o].due_at {
                Some(d) if d <= end => self.settle(o, Status::Missed, "not done by the deadline".into()),
                Some(_) => self.settle(o, Status::NotApplicable, "not yet due when the scenario ended".into()),
                None => self.settle(
                    o,
                    Status::Missed,
                    "never done (no time limit, but it had to be done)".into(),
                ),
            }
        }
    }

    pub fn strength_of(&self, rule: &str) -> Strength {
        self.protocol.rule(rule).map(|r| r.strength).unwrap_or_default()
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

fn sep(note: &str) -> String {
    if note.is_empty() {
        String::new()
    } else {
        format!(" — {note}")
    }
}

pub fn fmt_hours(minutes: i64) -> String {
    let h = minutes / 60;
    let m = minutes % 60;
    match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}
