//! The deterministic core: an agenda of timed happenings, children moving through missing
//! episodes, protocol rules turned into obligations that end as met, late, missed, cancelled or
//! not applicable. Bevy plugins (`sim::plugins`) drive it on a clock and mirror it into entities;
//! the headless runner drives it as fast as the CPU allows. Time comes from the agenda only.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::knowing::{Knowing, Parked};
use crate::protocol::{
    Deadline, Effect, Facts, LegalStatus, Placement, Protocol, Rag, RiskLevel, Rule, Strength, Trigger,
};

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
    fired: KeySet,
    /// Rules whose repeat chain has started in this episode (one chain per rule).
    repeating: Vec<usize>,
    /// `left_at` in `Nanos` (read for every rule judged while the child is away).
    #[serde(skip)]
    left_ns: Nanos,
}

/// A set of trigger keys: a bit each for the first 128 (every protocol here names fewer
/// triggers than that), a list for any beyond.
#[derive(Debug, Clone, Default)]
struct KeySet {
    low: u128,
    more: Vec<u32>,
}

impl KeySet {
    fn contains(&self, k: u32) -> bool {
        if k < 128 {
            self.low >> k & 1 == 1
        } else {
            self.more.contains(&k)
        }
    }
    fn insert(&mut self, k: u32) {
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

#[derive(Debug, Clone)]
enum Agendum {
    Happen(u32, Box<Happening>),
    /// Role and action are names interned in `Engine::names`.
    Act {
        child: u32,
        role: u32,
        action: u32,
        by_trainee: bool,
        params: Option<Box<ActionParams>>,
        /// Whole minutes it waited for a worker (kept small: the agenda moves items about).
        queue_wait: u32,
        /// Set off by a duty (automation), not scheduled from outside.
        auto: bool,
        /// The duty kind (see `Engine::rule_kind`) of an automated act.
        kind: u32,
        /// A meeting that has had its meeting slot (see `Engine::hold_meeting`).
        slotted: bool,
    },
    /// The child has been away `Engine::missing_hours[index]` hours. Only the next of an
    /// episode's timers waits on the agenda (see `Engine::start_timers`); `seq` is its place in
    /// the order of items due at the same moment, kept for it when the episode began.
    MissingTimer {
        child: u32,
        episode: u32,
        index: u32,
        seq: u64,
    },
    /// Classify again at `Engine::escalation_hours[index]` hours away (as `MissingTimer`).
    Reclassify {
        child: u32,
        episode: u32,
        index: u32,
        seq: u64,
    },
    Repeat {
        child: u32,
        episode: u32,
        rule: u32,
        n: u32,
    },
    DueCheck {
        child: u32,
        duty: u32,
    },
    /// An automated role sets about a duty planned for later (see `Engine::create_obligation`).
    SetAbout {
        child: u32,
        duty: u32,
        rule: u32,
        due: Option<Nanos>,
    },
    /// Office hours open for strategy-meeting slots: meetings that became ready out of hours join
    /// the line (`child`: the first of them, for the agenda's bookkeeping).
    SlotsOpen {
        child: u32,
    },
}

/// The agenda: a priority queue by (time, sequence). Only the items of the hour at hand are
/// ordered; later ones wait in buckets by hour, so the ordered part stays small however much is
/// scheduled. The hour at hand is a run sorted once when the hour opens (popped from its end),
/// plus a heap for what is scheduled into that hour while it runs; the next item is the earlier
/// of the two (keys are unique, so the order is exactly that of one priority queue).
/// Invariant: items in the run and the heap fall before hour `horizon`, bucketed ones at or after
/// it, and the buckets are empty whenever the run and the heap both are.
#[derive(Debug, Default)]
struct Agenda {
    /// The hour at hand, latest first.
    run: Vec<Item>,
    heap: BinaryHeap<Reverse<Item>>,
    horizon: i64,
    buckets: Buckets,
    len: usize,
}

/// Items by hour: the hours from `first` on, one slot each, for the next `NEAR_HOURS`; any later
/// ones in a map (a deadline years ahead must not make thousands of empty slots).
#[derive(Debug, Default)]
struct Buckets {
    first: i64,
    near: std::collections::VecDeque<Vec<Item>>,
    /// Items in `near`.
    near_len: usize,
    far: std::collections::BTreeMap<i64, Vec<Item>>,
    /// Emptied runs, their room kept for the hours to come.
    spare: Vec<Vec<Item>>,
}

/// Hours ahead of the first bucket that get the room of emptied runs.
const SPARE_AHEAD: usize = 24;

/// Hours `Buckets::near` covers ahead of its first (a little over a year).
const NEAR_HOURS: i64 = 9000;

impl Buckets {
    fn push(&mut self, h: i64, item: Item) {
        if self.near_len == 0 {
            self.near.clear();
            self.first = h;
        }
        if h < self.first {
            // Earlier than any bucket yet (an hour between the run's and the first bucket's).
            for _ in h..self.first {
                self.near.push_front(Vec::new());
            }
            self.first = h;
        }
        let i = h - self.first;
        if i >= NEAR_HOURS {
            self.far.entry(h).or_default().push(item);
            return;
        }
        let i = i as usize;
        if self.near.len() <= i {
            self.near.resize_with(i + 1, Vec::new);
        }
        let slot = &mut self.near[i];
        // The next day's hours fill up: give them the room of emptied runs.
        if slot.capacity() == 0
            && i < SPARE_AHEAD
            && let Some(v) = self.spare.pop()
        {
            *slot = v;
        }
        slot.push(item);
        self.near_len += 1;
    }

    /// The earliest hour's items, taken out.
    fn pop_first(&mut self) -> Option<(i64, Vec<Item>)> {
        let near = if self.near_len > 0 {
            while self.near.front().is_some_and(|v| v.is_empty()) {
                self.near.pop_front();
                self.first += 1;
            }
            Some(self.first)
        } else {
            None
        };
        // A far hour may have come near since: items pushed later for it are in a near slot.
        let far = self.far.first_key_value().map(|(h, _)| *h);
        match (near, far) {
            (Some(h), f) if f.is_none_or(|f| h <= f) => {
                let mut items = self.near.pop_front().expect("a bucket with items");
                self.first += 1;
                self.near_len -= items.len();
                if f == Some(h) {
                    items.append(&mut self.far.pop_first().expect("peeked").1);
                }
                Some((h, items))
            }
            _ => self.far.pop_first(),
        }
    }

    /// Keep an emptied run's room for a later hour.
    fn give_back(&mut self, v: Vec<Item>) {
        if v.capacity() > 0 && self.spare.len() < 64 {
            self.spare.push(v);
        }
    }
}

impl Agenda {
    fn push(&mut self, item: Item) {
        self.len += 1;
        let h = item.hour();
        if h < self.horizon {
            self.heap.push(Reverse(item));
        } else if self.heap.is_empty() && self.run.is_empty() {
            self.horizon = h + 1;
            self.heap.push(Reverse(item));
        } else {
            self.buckets.push(h, item);
        }
    }
    /// Whether the next item is the run's (else the heap's).
    fn next_in_run(&self) -> Option<bool> {
        match (self.run.last(), self.heap.peek()) {
            (Some(a), Some(Reverse(b))) => Some(a.key < b.key),
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
            (None, None) => None,
        }
    }
    /// Every item, in no particular order.
    fn items(&self) -> impl Iterator<Item = &Item> {
        self.run
            .iter()
            .chain(self.heap.iter().map(|Reverse(i)| i))
            .chain(self.buckets.near.iter().flatten())
            .chain(self.buckets.far.values().flatten())
    }

    fn peek(&self) -> Option<&Item> {
        match self.next_in_run()? {
            true => self.run.last(),
            false => self.heap.peek().map(|r| &r.0),
        }
    }
    fn pop(&mut self) -> Option<Item> {
        let item = match self.next_in_run()? {
            true => self.run.pop().expect("run not empty"),
            false => self.heap.pop().expect("heap not empty").0,
        };
        self.len -= 1;
        if self.heap.is_empty()
            && self.run.is_empty()
            && let Some((h, mut items)) = self.buckets.pop_first()
        {
            self.horizon = h + 1;
            items.sort_unstable_by_key(|b| Reverse(b.key));
            let old = std::mem::replace(&mut self.run, items);
            self.buckets.give_back(old);
        }
        Some(item)
    }
}

impl Agendum {
    /// The child it happens to.
    fn child(&self) -> u32 {
        match self {
            Agendum::Happen(c, _) => *c,
            Agendum::Act { child, .. }
            | Agendum::MissingTimer { child, .. }
            | Agendum::Reclassify { child, .. }
            | Agendum::Repeat { child, .. }
            | Agendum::DueCheck { child, .. }
            | Agendum::SetAbout { child, .. }
            | Agendum::SlotsOpen { child } => *child,
        }
    }
}

/// How many agenda items ahead `Engine::prefetch_coming` fetches a child, and its duty lists
/// (these need the child's entry to have arrived first).
const PREFETCH_CHILD: usize = 4;
const PREFETCH_LISTS: usize = 2;

/// A hint to the processor that the memory at `p` is about to be read (nothing else happens).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing and faults on no address; it only warms the cache.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// The engine's clock inside: nanoseconds since 1970-01-01 00:00 on the simulation's own
/// (local) clock. Keys, deadlines and workers' rotas are kept in it, so that the many sums and
/// comparisons a run makes are integer ones; `NaiveDateTime` is for everything shown.
type Nanos = i64;

const NANOS_PER_MINUTE: Nanos = 60_000_000_000;
const NANOS_PER_HOUR: Nanos = 60 * NANOS_PER_MINUTE;
const NANOS_PER_DAY: Nanos = 24 * NANOS_PER_HOUR;

/// The latest instant the engine works with (about the year 2200): spans added to it cannot
/// overflow. Loaders refuse dates and spans beyond it; the engine holds anything that slips
/// through at this bound rather than panic or wrap.
const LAST_INSTANT: Nanos = i64::MAX / 4 * 3;

fn nanos(t: NaiveDateTime) -> Nanos {
    t.and_utc()
        .timestamp_nanos_opt()
        .unwrap_or(if t.and_utc().timestamp() < 0 {
            -LAST_INSTANT
        } else {
            LAST_INSTANT
        })
        .clamp(-LAST_INSTANT, LAST_INSTANT)
}

/// `at` plus `span`, held at `LAST_INSTANT` (checked time arithmetic: no wrapping).
fn later(at: Nanos, span: Nanos) -> Nanos {
    at.saturating_add(span).min(LAST_INSTANT)
}

/// `n` of `unit` as a span, held at `LAST_INSTANT`.
fn span_of(n: i64, unit: Nanos) -> Nanos {
    n.saturating_mul(unit).clamp(-LAST_INSTANT, LAST_INSTANT)
}

fn time_at(n: Nanos) -> NaiveDateTime {
    chrono::DateTime::from_timestamp_nanos(n).naive_utc()
}

/// How long after the child leaves a timer of `hours` falls (whole minutes; at once if not
/// after).
fn timer_span(hours: f64) -> Nanos {
    // (A float cast saturates, and NaN gives 0.)
    span_of(((hours * 60.0) as i64).max(0), NANOS_PER_MINUTE)
}

/// Whole minutes in a span (towards zero, as `Duration::num_minutes`).
fn minutes(span: Nanos) -> i64 {
    span / NANOS_PER_MINUTE
}

#[derive(Debug, Clone)]
struct Item {
    /// (time, sequence) packed to order by one comparison: see `Item::key`.
    key: u128,
    what: Agendum,
}

impl Item {
    /// The time (64 bits, offset to be unsigned) and the sequence number (48): ordered
    /// exactly as `(at, seq)`.
    fn key(at: Nanos, seq: u64) -> u128 {
        assert!(seq < 1 << 48, "agenda sequence overflow");
        (((at as i128 - i64::MIN as i128) as u128) << 48) | seq as u128
    }
    /// The time a key was made from.
    fn time_of(key: u128) -> Nanos {
        ((key >> 48) as i128 + i64::MIN as i128) as i64
    }
    fn at(&self) -> Nanos {
        Item::time_of(self.key)
    }
    /// Hours since 1970 began (for the agenda's buckets).
    fn hour(&self) -> i64 {
        self.at().div_euclid(NANOS_PER_HOUR)
    }
}

impl PartialEq for Item {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
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
        self.key.cmp(&o.key)
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
        }
    }
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
    fn count(&mut self, status: Status, due: Option<Nanos>, done_at: Option<Nanos>, queue_wait: f64) {
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

pub struct Engine {
    pub protocol: Arc<Protocol>,
    pub calendar: Calendar,
    pub automation: Automation,
    pub now: NaiveDateTime,
    /// `now` in `Nanos`.
    now_ns: Nanos,
    /// The children, as `add_child` added them. A child's `profile` is fixed from then on: the
    /// engine judges the conditions that read only the profile once, there.
    pub children: Vec<ChildState>,
    /// Every obligation, in the order they arose (none in stress runs, `keep_records` off: the
    /// tallies hold the results).
    pub obligations: Vec<Obligation>,
    pub log: Vec<LogEntry>,
    /// Keep every obligation and log line (scenarios) or only tallies (stress runs).
    pub keep_records: bool,
    /// With `keep_records`, keep them only for the children numbered below this (an event-log
    /// export of part of a stress run: the others run as in any stress run, so the results are
    /// the same).
    pub record_children: usize,
    /// Stress runs: a role meets all of a child's open duties to do one action with one act, so
    /// duties that repeat one another (several rules asking the same role for the same action)
    /// take one act of a worker's time, not one each. Off by default (scenarios automate every
    /// duty on its own).
    pub merge_duplicate_duties: bool,
    /// Scenarios: a duty with no time limit that lapses when the child is found is missed, not
    /// cancelled, if it was left undone for an hour or more while the child was away (see
    /// `locate`). Stress runs turn this off: their results do not depend on records being kept.
    pub miss_undone_while_away: bool,
    /// A role nobody plays holds, chairs or attends a meeting (an action `hold_…`, `chair_…` or
    /// `attend_…` whose id names a meeting) in office hours, where the time allowed leaves room
    /// for it, not at 2 am on a Saturday — in scenarios and stress runs alike (meetings in
    /// meeting slots keep the slots' hours).
    pub meetings_in_office_hours: bool,
    /// Scenarios: places (by id) and people (by role id) as the records name them ("a flat in
    /// Anerley", "Bola Akande (allocated social worker)"); ids not here are shown as they are
    /// (roles by the protocol's name for them).
    pub place_names: HashMap<String, String>,
    pub people_names: HashMap<String, String>,
    pub tallies: Vec<RuleTally>,
    pub events_processed: u64,
    pub episodes_started: u64,
    /// Meeting slots booked; minutes meetings waited in line for a slot, and then for office
    /// hours, in all; minutes of slot time booked.
    pub slot_bookings: u64,
    /// Meetings held in a slot so far (those begun and ended: a meeting still sitting when the
    /// run ends is booked, not yet held).
    pub slot_meetings_held: u64,
    pub slot_wait_minutes: f64,
    pub slot_office_wait_minutes: f64,
    pub slot_minutes_booked: f64,
    /// Bookings of each staffed role's workers, by role number (see `staff_stats`).
    staff: Vec<StaffStats>,
    /// Actions done per (role, ISO week), for workload charts.
    pub workload: HashMap<(String, u32), u64>,
    /// Every action done (kept with `keep_records`): time, child, role, action, by the trainee.
    pub actions_done: Vec<(NaiveDateTime, usize, String, String, bool)>,
    /// (child, action) for every action the trainee has done so far.
    pub trainee_done: Vec<(usize, String)>,
    agenda: Agenda,
    seq: u64,
    rng: ChaCha8Rng,
    keys: Arc<TriggerKeys>,
    missing_hours: Vec<f64>,
    escalation_hours: Vec<f64>,
    /// Per role, when each worker is next free.
    worker_free: Vec<Option<Rota>>,
    /// Meeting slots (from `Automation::meeting_slots`) and which action numbers take one.
    slot_queue: Option<SlotQueue>,
    slot_action: Vec<bool>,
    /// `automation` by role number (read on entry to `run_until` and `fire`).
    behaviour: Vec<Option<RoleBehaviour>>,
    /// (role, action) numbers of `Automation::withheld`.
    withheld: Vec<(u32, u32)>,
    default_behaviour: RoleBehaviour,
    trainee: Option<u32>,
    /// Workload not yet added to `workload`: (role number, ISO week) → actions.
    /// Indexed by role number × 54 + ISO week.
    workload_pending: Vec<u64>,
    /// Open obligations by child.
    open_by_child: Vec<ChildDuties>,
    /// By child: which of the protocol's conditions on the profile alone hold for them
    /// (`TriggerKeys::profile_holds`; a profile does not change once the child is added).
    profile_holds: Vec<u64>,
    scratch_open: Vec<OpenRef>,
    /// Boxed, so that taking it out and putting it back moves a pointer, not the facts.
    scratch_facts: Option<Box<Facts>>,
    /// Role and action names by number (see `intern`), and for each the protocol's declaration.
    names: Arc<Names>,
    name_ix: FxMap<String, u32>,
    /// (role, action) numbers of each rule.
    rule_names: Vec<(u32, u32)>,
    /// Each rule's duty kind: rules naming the same role and action share one.
    rule_kind: Vec<u32>,
    /// By action number: (role number, duty kind) of the rules naming the action.
    kinds_of_action: Vec<Vec<(u32, u32)>>,
    /// By action number: the duty kind of a joint action (see `ActionDecl::joint`).
    joint_kind: Vec<Option<u32>>,
    /// By duty kind: it is a joint action's.
    kind_is_joint: Vec<bool>,
    /// By duty kind: some rule of the kind repeats (one act meets one occurrence of it).
    kind_repeats: Vec<bool>,
    /// By duty kind: some rule of the kind counts acts from the child's leaving (acts of the
    /// kind are kept with the child, see `ChildDuties::done`).
    kind_counts_early: Vec<bool>,
    /// By duty kind: some rule of the kind has a window that opens after it arises.
    kind_opens: Vec<bool>,
    rule_info: Vec<RuleInfo>,
    /// `Done(action)` trigger key by action number.
    done_key: Vec<Option<u32>>,
    /// By action number: no effects and no rule set off by doing it (see `is_plain`).
    plain_action: Vec<bool>,
    /// By action number: some prohibition names the action (see `refrains`).
    may_forbid: Vec<bool>,
    /// By action number: the protocol gives the action effects.
    has_effects: Vec<bool>,
    /// By action number: holding, chairing or attending a meeting (an id `hold_…`, `chair_…` or
    /// `attend_…` that names a meeting).
    is_meeting: Vec<bool>,
    /// Some condition counts episodes in a window (else facts need not list episode ages).
    counts_episodes: bool,
    scratch_judged: Vec<(usize, bool)>,
    /// (day since 1970, its ISO week).
    week_memo: Option<(i64, u32)>,
    /// Actions done so far, by role and by action number.
    role_count: Vec<u64>,
    action_count: Vec<u64>,
    action_useful: Vec<u64>,
    office_memo: Option<OfficeMemo>,
    /// Whether office hours are open in one hour: ((hour, office start, office end, bank
    /// holidays), open).
    office_hour_memo: Option<((i64, u32, u32, usize), bool)>,
    /// The next `OpenRef::id` in stress runs.
    next_duty: u32,
    /// Children with plain acts waiting (see `LazyAct`).
    lazy_children: Vec<u32>,
    /// `Automation::lapsing_start`, read with the rest of `automation`.
    lapsing_start: f64,
    /// Emptied duty lists (and lists of plain acts) kept for the next child whose episode starts
    /// (most children are between episodes most of the time, so lists are given back when they
    /// empty; taking one from here saves growing a new one duty by duty).
    spare_lists: Vec<(Vec<OpenRef>, Vec<u16>)>,
    spare_lazy: Vec<Vec<LazyAct>>,
    /// (child, role number) of the act being done, while its effects set duties off (see
    /// `plan_act`: what the same worker must do at once, they do straight after).
    acting: Option<(u32, u32)>,
    /// Who has been told of each child's episode (the protocol's `knowledge`; none: everyone
    /// knows at once): roles acting by the book act only on what they have been told.
    knowing: Option<Knowing>,
}

/// Most emptied lists `Engine::spare_lists` keeps (enough for the children away at once in a
/// national run; memory stays flat however long the run).
const SPARE_LISTS: usize = 4096;

/// Keep an emptied list in its pool, unless the pool is full (then it is freed).
fn keep_spare<T>(pool: &mut Vec<T>, list: T) {
    if pool.len() < SPARE_LISTS {
        pool.push(list);
    }
}

fn yes() -> bool {
    true
}

fn trigger_key(t: &Trigger) -> String {
    match t {
        Trigger::MissingFor(h) => format!("MissingFor({h})"),
        other => format!("{other:?}"),
    }
}

/// A fast hasher for the engine's own maps (names and small integer keys; not for untrusted input).
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// Role and action names as numbers, so the agenda carries no strings.
#[derive(Debug, Clone, Default)]
struct Names {
    list: Vec<String>,
    /// Index of the protocol's first action with this id, if it is one.
    action_decl: Vec<Option<usize>>,
}

impl Names {
    fn len(&self) -> usize {
        self.list.len()
    }
    fn push(&mut self, name: String) {
        self.list.push(name);
    }
}

/// What the engine needs of a rule besides its data, worked out once.
#[derive(Debug, Clone, Copy)]
struct RuleInfo {
    /// The repeat interval of a repeating rule.
    every: Option<Nanos>,
    /// Set off by doing its own action (a recurring meeting).
    recurring: bool,
    /// Cancelled if the child is found before it falls due (see `Protocol::rule_lapses`).
    lapses: bool,
    /// Its window opens when the child left, not when it arises (see `Rule::window_anchor`).
    from_left: bool,
    /// Its window opens this long after it arises (see `Rule::opens_after_hours`).
    opens: Option<Nanos>,
    /// Set off only by this role's act (see `Rule::done_by`).
    done_by: Option<u32>,
}

/// How to word a trigger in a reason, without building it where no reason is kept.
enum Label<'a> {
    Of(&'a Trigger),
    Done(u32),
    Notified(&'a str),
}

/// An open obligation in its child's list, with its rule (scans need not touch the obligation).
#[derive(Debug, Clone, Copy, PartialEq)]
struct OpenRef {
    /// The obligation's index in `Engine::obligations` where records are kept; in stress runs
    /// (none kept) a number telling the child's duties apart.
    id: u32,
    rule: u32,
    due: Option<Nanos>,
}

/// A child's open duties, and (when duplicates are merged) the automated acts on the agenda for
/// the child as (role, action, how many): kept together, as every act reads both.
#[derive(Debug, Clone)]
struct ChildDuties {
    open: Vec<OpenRef>,
    /// The duty kind of each entry of `open` (kept beside it: what an act meets is found by
    /// scanning these few bytes rather than the entries).
    open_kind: Vec<u16>,
    /// Duty kinds with an automated act on the agenda (or waiting with the child). With
    /// duplicates merged there is never more than one act of a kind for a child.
    acts: KindSet,
    /// Plain automated acts (see `Engine::is_plain`) waiting off the agenda, earliest first.
    lazy: Vec<LazyAct>,
    /// The key of `lazy`'s first act (`u128::MAX` for none): read for every agenda item of the
    /// child, kept here so that the check does not reach into the list.
    lazy_first: u128,
    /// Listed in `Engine::lazy_children`.
    lazy_listed: bool,
    /// Acts done for the child in this episode of a kind some rule counts from the child's
    /// leaving (see `Rule::window_anchor`): a duty that arises later is met by one of them.
    done: Vec<DoneAct>,
}

/// An act done for a child, kept for the duties that arise after it and count it (see
/// `Engine::met_early`).
#[derive(Debug, Clone, Copy)]
struct DoneAct {
    kind: u16,
    role: u32,
    at: Nanos,
    /// Its index in `Engine::actions_done`, where records are kept.
    record: Option<u32>,
}

/// A plain automated act kept with its child instead of on the agenda: it touches nothing but
/// that child's duties and counters that are plain sums, so it is done (at its own time) just
/// before anything else happens to the child, or when the clock passes it.
#[derive(Debug, Clone, Copy)]
struct LazyAct {
    key: u128,
    role: u32,
    action: u32,
    kind: u32,
    /// Whole minutes it waited for a worker.
    queue_wait: u32,
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
    fn has_act(&self, kind: u32) -> bool {
        self.acts.contains(kind)
    }
    fn act_scheduled(&mut self, kind: u32) {
        self.acts.insert(kind);
    }
    fn act_done(&mut self, kind: u32) {
        self.acts.remove(kind);
    }
    /// Whether a duty of this kind is still open (an automated act with none left to meet,
    /// all of them cancelled or met by someone else, is not done).
    fn has_open(&self, kind: u32) -> bool {
        self.open_kind.contains(&(kind as u16))
    }
    /// Take the open duty at `pos` out (the last one moves into its place).
    fn remove(&mut self, pos: usize) -> OpenRef {
        self.open_kind.swap_remove(pos);
        self.open.swap_remove(pos)
    }
    /// The lists' room, once the last open duty has gone: most children are between episodes
    /// most of the time, so it goes back to the engine's pool (see `Engine::spare_lists`).
    fn take_emptied(&mut self) -> Option<(Vec<OpenRef>, Vec<u16>)> {
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

/// A role's workers: how many are free, and when each of the others will be. The worker free
/// soonest takes the next duty. Bookings are made in time order (at the time the role sets about
/// the duty), and a duty is never started before then, so any worker whose work ended by the time
/// of a booking is as good as any other: they are only counted, and the heap holds the busy ones
/// (a few dozen of a national rota of thousands).
#[derive(Debug, Clone)]
struct Rota {
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
    fn earliest(&mut self, now: Nanos) -> Nanos {
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
    fn book(&mut self, end: Nanos) {
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

/// Strategy-meeting slots: how many are free, and the meetings ready and waiting for one, first
/// come first served.
#[derive(Debug, Clone)]
struct SlotQueue {
    settings: MeetingSlots,
    free: u64,
    waiting: std::collections::VecDeque<WaitingMeeting>,
    /// Meetings ready out of office hours (slots that keep them), waiting for the next opening,
    /// and whether that opening is on the agenda.
    after_hours: Vec<WaitingMeeting>,
    opening_set: bool,
}

/// A meeting ready to be held, waiting for a slot: the act that holds it, and since when.
#[derive(Debug, Clone)]
struct WaitingMeeting {
    child: u32,
    role: u32,
    action: u32,
    kind: u32,
    queue_wait: u32,
    /// Since when it waits in line (or for office hours, in `after_hours`).
    since: Nanos,
    /// Minutes it waited for office hours before joining the line.
    office_wait: i64,
}

/// Whether office hours are open at one hour of one day, under one calendar.
#[derive(Debug, Clone, Copy, PartialEq)]
struct OfficeMemo {
    date: NaiveDate,
    hour: u32,
    start: u32,
    end: u32,
    holidays: usize,
    open: bool,
}

/// The engine's identity of a trigger (a trigger fires once per episode), worked out once per
/// protocol so that firing one needs no formatting: each trigger a rule or a repeat's `until`
/// names gets a number; triggers no rule names have none and set nothing off.
#[derive(Debug, Default)]
struct TriggerKeys {
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
    notified: FxMap<String, u32>,
    disclosed_to: FxMap<String, u32>,
    done: FxMap<String, u32>,
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
    fn new(protocol: &Protocol) -> Self {
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
    fn profile_holds(&self, profile: &ChildProfile, facts: &mut Facts) -> u64 {
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
    pub fn new(protocol: Arc<Protocol>, start: NaiveDateTime, seed: u64) -> Self {
        let keys = Arc::new(TriggerKeys::new(&protocol));
        let mut missing_hours = Vec::new();
        for r in protocol.rules.iter() {
            if let Trigger::MissingFor(h) = r.trigger {
                missing_hours.push(h);
            }
        }
        missing_hours.sort_by(f64::total_cmp);
        missing_hours.dedup();
        // (A child is classified when they leave: reclassifying at 0 hours would change nothing.)
        let escalation_hours: Vec<f64> = protocol.escalation_hours().into_iter().filter(|h| *h > 0.0).collect();
        let mut calendar = Calendar::default();
        if let Some(h) = protocol.office_hours {
            calendar.office_start = h.start_hour;
            calendar.office_end = h.end_hour;
        }
        let tallies = vec![RuleTally::default(); protocol.rules.len()];
        let knowing = Knowing::new(&protocol);
        let mut engine = Engine {
            protocol,
            calendar,
            automation: Automation::default(),
            now: start,
            now_ns: nanos(start),
            children: Vec::new(),
            obligations: Vec::new(),
            log: Vec::new(),
            keep_records: true,
            record_children: usize::MAX,
            merge_duplicate_duties: false,
            miss_undone_while_away: true,
            meetings_in_office_hours: true,
            place_names: HashMap::new(),
            people_names: HashMap::new(),
            tallies,
            events_processed: 0,
            slot_bookings: 0,
            slot_meetings_held: 0,
            slot_wait_minutes: 0.0,
            slot_office_wait_minutes: 0.0,
            staff: Vec::new(),
            slot_minutes_booked: 0.0,
            slot_queue: None,
            slot_action: Vec::new(),
            episodes_started: 0,
            workload: HashMap::new(),
            trainee_done: Vec::new(),
            actions_done: Vec::new(),
            agenda: Agenda::default(),
            seq: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
            keys,
            missing_hours,
            escalation_hours,
            worker_free: Vec::new(),
            behaviour: Vec::new(),
            withheld: Vec::new(),
            default_behaviour: RoleBehaviour::default(),
            trainee: None,
            workload_pending: Vec::new(),
            open_by_child: Vec::new(),
            profile_holds: Vec::new(),
            scratch_open: Vec::new(),
            scratch_facts: Some(Box::default()),
            names: Arc::new(Names::default()),
            name_ix: FxMap::default(),
            rule_names: Vec::new(),
            rule_kind: Vec::new(),
            kinds_of_action: Vec::new(),
            joint_kind: Vec::new(),
            kind_is_joint: Vec::new(),
            kind_repeats: Vec::new(),
            kind_counts_early: Vec::new(),
            kind_opens: Vec::new(),
            rule_info: Vec::new(),
            done_key: Vec::new(),
            plain_action: Vec::new(),
            may_forbid: Vec::new(),
            has_effects: Vec::new(),
            is_meeting: Vec::new(),
            counts_episodes: true,
            scratch_judged: Vec::new(),
            week_memo: None,
            role_count: Vec::new(),
            action_count: Vec::new(),
            action_useful: Vec::new(),
            office_memo: None,
            office_hour_memo: None,
            next_duty: 0,
            lazy_children: Vec::new(),
            lapsing_start: 0.5,
            spare_lists: Vec::new(),
            spare_lazy: Vec::new(),
            acting: None,
            knowing,
        };
        let protocol = engine.protocol.clone();
        // Rules naming the same role and action share a duty kind; rules naming a joint action
        // share one whatever the role.
        let mut kind_keys: Vec<(u32, u32)> = Vec::new();
        for r in &protocol.rules {
            let names = (engine.intern(&r.role), engine.intern(&r.action));
            let joint = protocol.action(&r.action).is_some_and(|a| a.joint);
            let key = (if joint { u32::MAX } else { names.0 }, names.1);
            let kind = match kind_keys.iter().position(|k| *k == key) {
                Some(i) => engine.rule_kind[i],
                None => engine.rule_kind.iter().max().map_or(0, |k| k + 1),
            };
            kind_keys.push(key);
            engine.rule_names.push(names);
            engine.rule_kind.push(kind);
            if joint {
                let a = names.1 as usize;
                if engine.joint_kind.len() <= a {
                    engine.joint_kind.resize(a + 1, None);
                }
                engine.joint_kind[a] = Some(kind);
                if engine.kind_is_joint.len() <= kind as usize {
                    engine.kind_is_joint.resize(kind as usize + 1, false);
                }
                engine.kind_is_joint[kind as usize] = true;
            }
            assert!(kind < u16::MAX as u32, "too many duty kinds");
            if engine.kind_repeats.len() <= kind as usize {
                engine.kind_repeats.resize(kind as usize + 1, false);
                engine.kind_opens.resize(kind as usize + 1, false);
                engine.kind_counts_early.resize(kind as usize + 1, false);
            }
            let from_left = r.window_anchor() == crate::protocol::Anchor::Left;
            engine.kind_repeats[kind as usize] |= r.repeat.is_some();
            engine.kind_opens[kind as usize] |= r.opens_after_hours.is_some();
            engine.kind_counts_early[kind as usize] |= from_left;
            let done_by = r.done_by.as_deref().map(|by| engine.intern(by));
            let a = names.1 as usize;
            if engine.kinds_of_action.len() <= a {
                engine.kinds_of_action.resize(a + 1, Vec::new());
            }
            if !engine.kinds_of_action[a].contains(&(names.0, kind)) {
                engine.kinds_of_action[a].push((names.0, kind));
            }
            engine.rule_info.push(RuleInfo {
                every: r.repeat.as_ref().map(|rep| {
                    let every = engine.calendar.interval(&rep.every);
                    // Under an hour would flood the agenda; loaders refuse such repeats.
                    every
                        .num_nanoseconds()
                        .unwrap_or(LAST_INSTANT)
                        .clamp(NANOS_PER_HOUR, LAST_INSTANT)
                }),
                recurring: matches!(&r.trigger, Trigger::Done(a) if *a == r.action),
                lapses: protocol.rule_lapses(r),
                from_left,
                opens: r.opens_after_hours.map(timer_span),
                done_by,
            });
        }
        // Only `Condition::holds` reads episode ages, and only for `min_episodes`.
        engine.counts_episodes = protocol
            .rules
            .iter()
            .map(|r| &r.when)
            .chain(protocol.classification.iter().map(|c| &c.when))
            .chain(protocol.prohibitions.iter().map(|p| &p.when))
            .any(|c| c.min_episodes.is_some());
        engine
    }

    pub fn add_child(&mut self, profile: ChildProfile, place: &str, history: Vec<NaiveDateTime>) -> usize {
        self.open_by_child.push(ChildDuties::default());
        if let Some(k) = self.knowing.as_mut() {
            k.add_child();
        }
        let mut facts = self.scratch_facts.take().unwrap_or_default();
        self.profile_holds.push(self.keys.profile_holds(&profile, &mut facts));
        self.scratch_facts = Some(facts);
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
        self.push_at(nanos(at), what);
    }

    fn push_at(&mut self, at: Nanos, what: Agendum) {
        self.seq += 1;
        self.push_keyed(at, self.seq, what);
    }

    /// `push_at` with a sequence number taken earlier.
    fn push_keyed(&mut self, at: Nanos, seq: u64, what: Agendum) {
        let at = at.max(self.now_ns);
        self.agenda.push(Item {
            key: Item::key(at, seq),
            what,
        });
    }

    /// The timer after timer `index` (falling now) of the list `hours` gives, where there is one:
    /// at its own time (both count from the moment the child left) and in the place in the order
    /// kept for it (`seq + 1`). `make` makes the item from the timer's index and sequence number.
    fn set_next_timer(
        &mut self,
        child: usize,
        hours: impl Fn(&Engine) -> &Vec<f64>,
        index: u32,
        seq: u64,
        make: impl FnOnce(u32, u64) -> Agendum,
    ) {
        let left = self.children[child].episode.as_ref().map_or(self.now_ns, |e| e.left_ns);
        let list = hours(self);
        let Some(&next) = list.get(index as usize + 1) else {
            return;
        };
        // (A timer that fell at its own time counts on from it; one already past when the child
        // was missed — last seen long before — counts from when she was last seen, no earlier
        // than now.)
        let on_time = later(left, timer_span(list[index as usize])) == self.now_ns;
        let at = if on_time {
            self.now_ns - timer_span(list[index as usize]) + timer_span(next)
        } else {
            later(left, timer_span(next)).max(self.now_ns)
        };
        self.push_keyed(at, seq + 1, make(index + 1, seq + 1));
    }

    /// An episode has begun: its timers (hours away that set rules off, or change how the child
    /// is classified). Each timer's place in the order is taken now, as if all were set now; but
    /// only the first of each kind waits on the agenda, and each sets the next when it finds the
    /// child still away. Most children are back before the first, so most timers are never set.
    fn start_timers(&mut self, child: usize, episode: u32) {
        // (From when the child was last seen: timers already past fire at once, in order.)
        let left = self.children[child].episode.as_ref().map_or(self.now_ns, |e| e.left_ns);
        let child = child as u32;
        let (missing, escalations) = (self.missing_hours.len() as u64, self.escalation_hours.len() as u64);
        let seq = self.seq + 1;
        self.seq += missing + escalations;
        if let Some(&h) = self.missing_hours.first() {
            let what = Agendum::MissingTimer {
                child,
                episode,
                index: 0,
                seq,
            };
            self.push_keyed(later(left, timer_span(h)).max(self.now_ns), seq, what);
        }
        if let Some(&h) = self.escalation_hours.first() {
            let seq = seq + missing;
            let what = Agendum::Reclassify {
                child,
                episode,
                index: 0,
                seq,
            };
            self.push_keyed(later(left, timer_span(h)).max(self.now_ns), seq, what);
        }
    }

    /// Set the clock.
    fn set_now(&mut self, at: Nanos) {
        if at != self.now_ns {
            // Most items fall on the same day as the one before: only the time of day changes.
            let (day, nanos_of_day) = (at.div_euclid(NANOS_PER_DAY), at.rem_euclid(NANOS_PER_DAY));
            let same_day = day == self.now_ns.div_euclid(NANOS_PER_DAY);
            let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(
                (nanos_of_day / 1_000_000_000) as u32,
                (nanos_of_day % 1_000_000_000) as u32,
            );
            self.now = match time {
                Some(time) if same_day => self.now.date().and_time(time),
                _ => time_at(at),
            };
            self.now_ns = at;
            debug_assert_eq!(self.now, time_at(at));
        }
    }

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

    /// Bring `workload` up to date.
    fn flush_workload(&mut self) {
        for (i, n) in self.workload_pending.iter_mut().enumerate() {
            if *n > 0 {
                let (role, week) = (i / 54, (i % 54) as u32);
                *self.workload.entry((self.names.list[role].clone(), week)).or_default() += *n;
                *n = 0;
            }
        }
    }

    /// Read `automation` (public, so callers may change it between runs) into per-role tables.
    fn sync_automation(&mut self) {
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

    /// The number standing for a role or action name on the agenda.
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.name_ix.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        let decl = self.protocol.actions.iter().position(|a| a.id == name);
        let names = Arc::make_mut(&mut self.names);
        names.push(name.to_string());
        names.action_decl.push(decl);
        self.done_key.push(self.keys.done.get(name).copied());
        let may_forbid = self.protocol.may_forbid_action(name);
        // (A prohibited action goes through the agenda, where `refrains` judges it.)
        let plain = !self.keys.done.contains_key(name)
            && decl.is_none_or(|i| self.protocol.actions[i].effects.is_empty())
            && !may_forbid;
        self.plain_action.push(plain);
        self.may_forbid.push(may_forbid);
        let effects = decl.is_some_and(|i| !self.protocol.actions[i].effects.is_empty());
        self.has_effects.push(effects);
        if let Some(k) = self.knowing.as_mut() {
            k.name_added(&self.protocol, i, name);
            // An act that tells someone is done on time, not lazily: what it tells sets others off.
            if k.action_tells(i) {
                self.plain_action[i as usize] = false;
            }
        }
        self.is_meeting
            .push(["hold_", "chair_", "attend_"].iter().any(|p| name.starts_with(p)) && name.contains("meeting"));
        self.name_ix.insert(name.to_string(), i);
        self.role_count.push(0);
        self.action_count.push(0);
        self.action_useful.push(0);
        i
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

    /// Time of the next thing on the agenda.
    pub fn next_time(&self) -> Option<NaiveDateTime> {
        let lazy = self
            .lazy_children
            .iter()
            .filter_map(|&c| {
                self.open_by_child[c as usize]
                    .lazy
                    .first()
                    .map(|a| Item::time_of(a.key))
            })
            .min();
        match (self.agenda.peek().map(Item::at), lazy) {
            (Some(a), Some(b)) => Some(time_at(a.min(b))),
            (a, b) => a.or(b).map(time_at),
        }
    }

    /// Process everything due up to and including `until`, then set the clock to `until`.
    pub fn run_until(&mut self, until: NaiveDateTime) {
        self.sync_automation();
        let until_ns = nanos(until);
        while let Some(item) = self.agenda.peek() {
            if item.at() > until_ns {
                break;
            }
            let item = self.agenda.pop().expect("peeked");
            self.prefetch_coming();
            if !self.lazy_children.is_empty() {
                self.do_lazy_acts(item.what.child() as usize, item.key);
            }
            self.set_now(item.at());
            self.events_processed += 1;
            self.handle(item.what);
        }
        if !self.lazy_children.is_empty() {
            let end = Item::key(until_ns, (1 << 48) - 1);
            let mut children = std::mem::take(&mut self.lazy_children);
            for &c in &children {
                self.do_lazy_acts(c as usize, end);
            }
            children.retain(|&c| {
                let d = &mut self.open_by_child[c as usize];
                d.lazy_listed = !d.lazy.is_empty();
                d.lazy_listed
            });
            self.lazy_children = children;
        }
        if until > self.now {
            self.now = until;
            self.now_ns = until_ns;
        }
        self.flush_workload();
    }

    /// Ask the processor to fetch what the coming agenda items will read: the child of the item
    /// `PREFETCH_CHILD` ahead, and the duty lists of the one `PREFETCH_LISTS` ahead (whose child
    /// was fetched a few items ago).
    /// Children are many and each is touched now and then, so most of an item's time would
    /// otherwise go in waiting for memory.
    #[inline]
    fn prefetch_coming(&self) {
        let run = &self.agenda.run;
        let n = run.len();
        if n > PREFETCH_CHILD {
            let c = run[n - 1 - PREFETCH_CHILD].what.child() as usize;
            if let (Some(d), Some(ch)) = (self.open_by_child.get(c), self.children.get(c)) {
                prefetch(d);
                prefetch(ch);
            }
        }
        if n > PREFETCH_LISTS
            && let Some(d) = self
                .open_by_child
                .get(run[n - 1 - PREFETCH_LISTS].what.child() as usize)
        {
            prefetch(d.open.as_ptr());
            prefetch(d.open_kind.as_ptr());
        }
    }

    /// Do the child's waiting plain acts that fall before agenda key `before`, each at its own
    /// time. (A child whose list empties stays in `lazy_children` until the end of `run_until`.)
    fn do_lazy_acts(&mut self, child: usize, before: u128) {
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
    fn refrains(&mut self, child: usize, role: u32, action: u32, kind: u32) -> bool {
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

    /// Whether records are kept for this child.
    fn keeps(&self, child: usize) -> bool {
        self.keep_records && child < self.record_children
    }

    /// An automated act that only meets duties: no effects, no rule set off by doing it, no
    /// records kept. Such acts wait with their child (see `LazyAct`) rather than on the agenda.
    fn is_plain(&self, child: usize, action: u32) -> bool {
        !self.keeps(child) && self.plain_action[action as usize]
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
        let mut f = Facts::default();
        self.fill_facts(child, &mut f, self.calendar.in_office_hours(self.now), true);
        f
    }

    /// The facts about a child now, written into `f` (reusing its buffers: the engine keeps one
    /// and fills it for every trigger, so this must not allocate once warm).
    /// `ages`: list the episodes' ages (else left empty where no condition could read them).
    fn fill_facts(&self, child: usize, f: &mut Facts, office_hours: bool, ages: bool) {
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
    fn scratch_facts(&mut self, child: usize) -> Box<Facts> {
        let office = self.office_hours_now();
        let mut f = self.scratch_facts.take().unwrap_or_default();
        self.fill_facts(child, &mut f, office, self.counts_episodes);
        f
    }

    /// Whether `now` is in office hours, remembered for the hour (the calendar scans its
    /// holidays; the memo is dropped if the office hours or the holidays change).
    fn office_hours_now(&mut self) -> bool {
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

    /// A line of the chronology, worded only where records are kept.
    fn note(&mut self, child: usize, kind: &str, who: &str, text: impl FnOnce() -> String) {
        if self.keeps(child) {
            self.log.push(LogEntry {
                at: self.now,
                child,
                kind: kind.into(),
                who: who.into(),
                text: text(),
            });
        }
    }

    /// A place as the records name it (its id where the scenario gives no name).
    fn place_words(&self, id: &str) -> String {
        self.place_names.get(id).cloned().unwrap_or_else(|| id.to_string())
    }

    /// Who sent a message, as the records name them: the scenario's cast member in that role,
    /// else the protocol's name for the role, else the name as written.
    fn person_words(&self, from: &str) -> String {
        self.people_names
            .get(from)
            .cloned()
            .or_else(|| self.protocol.role(from).map(|r| r.name.clone()))
            .unwrap_or_else(|| from.to_string())
    }

    /// A change in the episode, worded only where records are kept.
    fn transition(&mut self, child: usize, what: impl FnOnce() -> String) {
        let now = self.now;
        let keep = self.keeps(child);
        if let Some(e) = self.children[child].episode.as_mut()
            && keep
        {
            e.transitions.push((now, what()));
        }
    }

    /// The child's name for the records (empty where none are kept).
    fn name_for_records(&self, child: usize) -> String {
        if self.keeps(child) {
            self.children[child].profile.name.clone()
        } else {
            String::new()
        }
    }

    fn handle(&mut self, what: Agendum) {
        match what {
            Agendum::Happen(child, h) => self.happen(child as usize, *h),
            Agendum::Act {
                child,
                role,
                action,
                by_trainee,
                params,
                queue_wait,
                auto,
                kind,
                slotted,
            } => {
                if auto {
                    // A meeting still needed is held in a meeting slot (waiting for one if
                    // need be); when it ends, the slot goes to the next in line.
                    if slotted {
                        self.slot_meetings_held += 1;
                        self.free_slot();
                    } else if self.takes_slot(action) && self.open_by_child[child as usize].has_open(kind) {
                        self.seek_slot(WaitingMeeting {
                            child,
                            role,
                            action,
                            kind,
                            queue_wait,
                            since: self.now_ns,
                            office_wait: 0,
                        });
                        return;
                    }
                    if self.refrains(child as usize, role, action, kind) {
                        return;
                    }
                    let d = &mut self.open_by_child[child as usize];
                    d.act_done(kind);
                    if !d.has_open(kind) {
                        if slotted {
                            // A meeting that began in its slot (its duty open) was held, though
                            // the child was found, or its duty met, while it sat: it counts as
                            // held (and as the role's work), meeting no duty, setting nothing off.
                            self.count_act(self.now_ns, role, action);
                            self.action_useful[action as usize] += 1;
                        }
                        return;
                    }
                }
                let params = params.map(|p| *p).unwrap_or_default();
                // Acts not automated (the trainee's, or another role's scripted by the scenario)
                // are judged against the protocol's prohibitions.
                self.act(
                    child as usize,
                    role,
                    action,
                    (by_trainee, !auto),
                    &params,
                    queue_wait as f64,
                )
            }
            Agendum::MissingTimer {
                child,
                episode,
                index,
                seq,
            } => {
                let c = child as usize;
                // A child back (or on to another episode) stays so for this episode: the timers
                // after this one would find the same, and are not set.
                if self.current_episode(c) == Some(episode) && self.is_away(c) {
                    let hours = self.missing_hours[index as usize];
                    self.fire_trigger(c, Trigger::MissingFor(hours));
                    let next = |index, seq| Agendum::MissingTimer {
                        child,
                        episode,
                        index,
                        seq,
                    };
                    self.set_next_timer(c, |e| &e.missing_hours, index, seq, next);
                }
            }
            Agendum::Reclassify {
                child,
                episode,
                index,
                seq,
            } => {
                let c = child as usize;
                if self.current_episode(c) == Some(episode) && self.is_away(c) {
                    self.reclassify(c);
                    let next = |index, seq| Agendum::Reclassify {
                        child,
                        episode,
                        index,
                        seq,
                    };
                    self.set_next_timer(c, |e| &e.escalation_hours, index, seq, next);
                }
            }
            Agendum::Repeat {
                child,
                episode,
                rule,
                n,
            } => self.repeat(child as usize, episode, rule as usize, n),
            Agendum::SetAbout { child, duty, rule, due } => {
                let child = child as usize;
                if self.open_by_child[child].open.iter().any(|r| r.id == duty) {
                    self.plan_act(child, rule as usize, duty, due, self.now_ns);
                }
            }
            Agendum::SlotsOpen { .. } => self.open_slots(),
            Agendum::DueCheck { child, duty } => {
                let child = child as usize;
                let open = self.open_by_child[child].open.iter().find(|r| r.id == duty).copied();
                if let Some(r) = open
                    && !self.keeps(child)
                {
                    // Stress runs settle misses at the deadline to keep memory flat.
                    self.settle(child, r, Status::Missed, None, 0.0, || {
                        "not done by the deadline".into()
                    });
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

    /// The child is at `at` again: found there (`found`), or back with nobody finding them (the
    /// timeline then says nothing of a finding).
    fn locate(&mut self, child: usize, at: &str, note: &str, found: bool) {
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
    fn disclose(&mut self, child: usize, to: Option<String>) {
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

    /// A new episode: only those the child was with know of it. Duties of the last episode still
    /// waiting for their role to be told are settled there (see `settle_untold`).
    fn episode_started_knowing(&mut self, child: usize) {
        let Some(k) = self.knowing.as_mut() else {
            return;
        };
        k.episode_started(child);
        let left = std::mem::take(&mut k.parked[child]);
        for p in left {
            if let Some(r) = self.open_by_child[child].open.iter().find(|r| r.id == p.duty).copied() {
                self.settle_untold(child, r);
            }
        }
    }

    /// A duty whose role was never told of the child: not applicable, saying why, and tallied
    /// apart (not a backlog, and nothing staffing can change).
    fn settle_untold(&mut self, child: usize, r: OpenRef) {
        let role = self.protocol.rules[r.rule as usize].role.clone();
        let name = self.protocol.role(&role).map_or(role, |x| x.name.clone());
        self.settle(child, r, Status::NotApplicable, None, 0.0, || {
            format!(
                "not done: nobody told the {name} of the child (the handovers between agencies stopped before them)"
            )
        });
        let t = &mut self.tallies[r.rule as usize];
        t.outstanding -= 1;
        t.never_told += 1;
    }

    /// Whether `role` has been told of the child's current episode (a live exercise shows a
    /// role only what it knows). Every role knows under a protocol with no `knowledge` section;
    /// with no episode under way, nobody has anything to be told.
    pub fn knows_of(&self, child: usize, role: &str) -> bool {
        match &self.knowing {
            None => true,
            Some(k) => self
                .names
                .list
                .iter()
                .position(|n| n == role)
                .is_some_and(|sym| k.knows(child, sym as u32)),
        }
    }

    /// Whoever the act tells now knows of the child.
    fn inform(&mut self, child: usize, role_sym: u32, action_sym: u32) {
        if let Some(k) = self.knowing.as_mut() {
            let told = k.act(child, action_sym);
            if told != 0 {
                self.told(child, told, role_sym, Some(action_sym));
            }
        }
    }

    /// The roles in `bits` (the protocol's numbering) have just been told of the child's episode
    /// by `actor` doing `action` (or by the child, in a disclosure): the chronology says so, and
    /// duties of theirs that waited for it are set about now.
    fn told(&mut self, child: usize, bits: u128, actor: u32, action: Option<u32>) {
        if self.keeps(child) {
            let protocol = self.protocol.clone();
            let actor_name = self.names.list[actor as usize].clone();
            let mine = protocol.roles.iter().position(|r| r.id == actor_name);
            let how = match action {
                Some(a) => {
                    let id = &self.names.list[a as usize];
                    protocol.action(id).map_or(id.clone(), |x| x.name.clone())
                }
                None => "the child's disclosure".to_string(),
            };
            let who = protocol
                .role(&actor_name)
                .map_or(actor_name.clone(), |r| r.name.clone());
            // The one acting, and their own record, knew already: no handover.
            let names: Vec<&str> = Knowing::roles_in(bits)
                .filter(|i| !mine.is_some_and(|m| self.knowing.as_ref().expect("checked").same_record(m, *i)))
                .map(|i| protocol.roles[i].name.as_str())
                .collect();
            if !names.is_empty() {
                let list = match names.len() {
                    1 => names[0].to_string(),
                    n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
                };
                let verb = if names.len() == 1 { "knows" } else { "know" };
                let text = format!("{list} now {verb} of the child ({how})");
                self.note(child, "handover", &who, || text);
            }
        }
        let k = self.knowing.as_mut().expect("checked");
        if k.parked[child].is_empty() {
            return;
        }
        let list = std::mem::take(&mut k.parked[child]);
        let (go, stay): (Vec<Parked>, Vec<Parked>) = list
            .into_iter()
            .partition(|p| k.in_bits(self.rule_names[p.rule as usize].0, bits));
        k.parked[child] = stay;
        for p in go {
            let open = self.open_by_child[child].open.iter().any(|r| r.id == p.duty);
            if open {
                let from = p.from.max(self.now_ns);
                self.plan_act(child, p.rule as usize, p.duty, p.due, from);
            }
        }
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
        self.transition(child, || "closed".into());
        self.fire_trigger(child, Trigger::EpisodeClosed);
    }

    fn reclassify(&mut self, child: usize) {
        let facts = self.scratch_facts(child);
        let entry = self.protocol.classify(&facts);
        // (Whereabouts reported before the child has left: no episode to classify.)
        let Some(e) = self.children[child].episode.as_mut() else {
            self.scratch_facts = Some(facts);
            return;
        };
        let cat = match entry {
            Some(entry) if e.category.as_deref() != Some(entry.category.as_str()) => entry.category.clone(),
            _ => {
                self.scratch_facts = Some(facts);
                return;
            }
        };
        self.scratch_facts = Some(facts);
        let was = e.category.replace(cat.clone());
        let name = self.name_for_records(child);
        let label = if self.keeps(child) {
            self.protocol
                .categories
                .iter()
                .find(|c| c.id == cat)
                .map(|c| c.name.clone())
                .unwrap_or(cat.clone())
        } else {
            String::new()
        };
        self.transition(child, || format!("classified {cat}"));
        self.note(child, "classification", "protocol", || match &was {
            Some(w) => format!("{name} is now {label} (was {w})"),
            None => format!("{name} is {label}"),
        });
        if let Some(old) = was {
            self.withdraw_superseded(child, &old, &label);
        }
        self.fire_trigger(child, Trigger::ClassifiedAs(cat));
    }

    /// The child is no longer in category `old`: the open duties its classification set off are
    /// withdrawn (superseded, not counted), saying why.
    fn withdraw_superseded(&mut self, child: usize, old: &str, now_label: &str) {
        let mut open = std::mem::take(&mut self.scratch_open);
        open.clear();
        open.extend(
            self.open_by_child[child].open.iter().filter(
                |r| matches!(&self.protocol.rules[r.rule as usize].trigger, Trigger::ClassifiedAs(c) if c == old),
            ),
        );
        let at = self.now.format("%H:%M").to_string();
        for r in &open {
            self.settle(child, *r, Status::Withdrawn, None, 0.0, || {
                format!("withdrawn: reclassified as {now_label} at {at}, so the duties of the earlier classification no longer apply")
            });
        }
        self.scratch_open = open;
    }

    /// A trigger fires for a child: every applicable rule becomes an obligation.
    pub fn fire(&mut self, child: usize, trigger: Trigger) {
        self.sync_automation();
        self.fire_trigger(child, trigger);
    }

    fn fire_trigger(&mut self, child: usize, trigger: Trigger) {
        let key = self.keys.of(&trigger);
        self.fire_key(child, key, matches!(trigger, Trigger::Done(_)), Label::Of(&trigger));
    }

    /// `fire` by trigger key (`None`: a trigger no rule or repeat names, which sets nothing off).
    fn fire_key(&mut self, child: usize, key: Option<u32>, is_done: bool, label: Label) {
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

    fn repeat(&mut self, child: usize, episode: u32, ri: usize, n: u32) {
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

    /// A duty arises now for the child under rule `ri`.
    fn create_obligation(&mut self, child: usize, ri: usize) {
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

    /// An automated role sets about duty `id` (under rule `ri`) for the child at `from` (now, or
    /// earlier for a recurring meeting): the act is planned, unless one of its kind already is.
    fn plan_act(&mut self, child: usize, ri: usize, id: u32, due: Option<Nanos>, from: Nanos) {
        let (role_sym, action_sym) = self.rule_names[ri];
        // A role acting by the book sets about nothing it has not been told of.
        if self.knowing.as_ref().is_some_and(|k| !k.knows(child, role_sym))
            && self.trainee != Some(role_sym)
            && self.current_episode(child).is_some()
        {
            let k = self.knowing.as_mut().expect("checked");
            k.parked[child].push(Parked {
                rule: ri as u32,
                duty: id,
                due,
                from,
            });
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
    fn longest_lead(&self, role: u32) -> Nanos {
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

    fn staff_mut(&mut self, role: u32) -> &mut StaffStats {
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

    /// An automated act of this action holds a meeting that takes a meeting slot.
    fn takes_slot(&self, action: u32) -> bool {
        self.slot_action.get(action as usize).copied().unwrap_or(false)
    }

    /// A meeting ready now, whose duty is still open, takes a free meeting slot — from the next
    /// opening of office hours if slots keep them — or waits in line for one (see
    /// `free_slot`). A meeting whose duty lapses while it waits (the child is back) is dropped
    /// when its turn comes, and takes no slot.
    fn seek_slot(&mut self, m: WaitingMeeting) {
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
    fn open_slots(&mut self) {
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
    fn free_slot(&mut self) {
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

    /// The rota of a role with `workers` on it.
    fn rota(&mut self, role: u32, workers: u32) -> &mut Rota {
        let r = role as usize;
        if self.worker_free.len() <= r {
            self.worker_free.resize(r + 1, None);
        }
        self.worker_free[r].get_or_insert_with(|| Rota::new(workers as u64))
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

    /// The first moment at or after `t` that office hours are open (the answer for the hour is
    /// remembered, as many acts fall in one hour).
    fn office_open_from(&mut self, t: Nanos) -> Nanos {
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

    /// End an open duty of a child's (`done_at` and `queue_wait` for one done). The reason is
    /// worded only where records are kept.
    fn settle(
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
    fn settle_at(
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

    /// Count an action done at `at` (workload by role and ISO week, totals by role and action).
    fn count_act(&mut self, at: Nanos, role_sym: u32, action_sym: u32) {
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

    /// Someone does an action: duties it meets are settled, its effects fire triggers.
    fn act(
        &mut self,
        child: usize,
        role_sym: u32,
        action_sym: u32,
        (by_trainee, judged): (bool, bool),
        params: &ActionParams,
        queue_wait: f64,
    ) {
        self.count_act(self.now_ns, role_sym, action_sym);
        self.keep_done_act(child, role_sym, action_sym, None);
        let has_effects = self.has_effects[action_sym as usize];
        let before = self.acting.replace((child as u32, role_sym));
        if self.keeps(child) || by_trainee || judged || has_effects || !params.answers.is_empty() {
            self.act_in_full(child, role_sym, action_sym, (by_trainee, judged), params, queue_wait);
        } else {
            // Nothing to record, judge or set off but the duties met, who it tells and the
            // action itself.
            self.inform(child, role_sym, action_sym);
            self.meet_duties(child, role_sym, action_sym, queue_wait);
            self.fire_done(child, action_sym);
        }
        self.acting = before;
    }

    /// Settle the child's open duties that this action by this role meets.
    fn meet_duties(&mut self, child: usize, role_sym: u32, action_sym: u32, queue_wait: f64) {
        if let Some(kind) = self.kind_of(role_sym, action_sym) {
            self.meet_duties_of_kind(child, kind as u16, role_sym, action_sym, queue_wait, self.now_ns);
        }
    }

    /// The duty kind an action by a role does, if any rule asks for it.
    fn kind_of(&self, role_sym: u32, action_sym: u32) -> Option<u32> {
        self.kinds_of_action
            .get(action_sym as usize)
            .and_then(|v| v.iter().find(|(r, _)| *r == role_sym))
            .map(|(_, k)| *k)
            .or_else(|| self.joint_kind.get(action_sym as usize).copied().flatten())
    }

    /// Keep an act done for a child now (or at `at`) while an episode is open, where a duty
    /// that arises later may count it (see `Rule::window_anchor`).
    fn keep_done_act(&mut self, child: usize, role_sym: u32, action_sym: u32, at: Option<Nanos>) {
        let Some(kind) = self.kind_of(role_sym, action_sym) else {
            return;
        };
        if !self.kind_counts_early.get(kind as usize).copied().unwrap_or(false)
            || self.children[child].episode.is_none()
        {
            return;
        }
        // Where records are kept the act is recorded (in `act_in_full`) just after this.
        let record = self.keeps(child).then_some(self.actions_done.len() as u32);
        self.open_by_child[child].done.push(DoneAct {
            kind: kind as u16,
            role: role_sym,
            at: at.unwrap_or(self.now_ns),
            record,
        });
    }

    /// An act done for the child in this episode, since the child left and before duty `ri`
    /// arose, that meets the duty: its time and record. Only for rules whose window opens
    /// when the child left (see `Rule::window_anchor`). A joint action done by someone else
    /// does not do the trainee's part.
    fn met_early(&self, child: usize, ri: usize) -> Option<DoneAct> {
        if !self.rule_info[ri].from_left {
            return None;
        }
        let left = self.children[child].episode.as_ref()?.left_ns;
        let kind = self.rule_kind[ri] as u16;
        let (role, _) = self.rule_names[ri];
        let trainee_part =
            self.trainee == Some(role) && self.kind_is_joint.get(kind as usize).copied().unwrap_or(false);
        self.open_by_child[child]
            .done
            .iter()
            .find(|a| a.kind == kind && a.at >= left && a.at <= self.now_ns && (!trainee_part || a.role == role))
            .copied()
    }

    /// `meet_duties` by duty kind, the act done at `now`. Whether it met any.
    fn meet_duties_of_kind(
        &mut self,
        child: usize,
        kind: u16,
        role_sym: u32,
        action_sym: u32,
        queue_wait: f64,
        now: Nanos,
    ) -> bool {
        // A joint action done by someone else does not do the trainee's part.
        let spare = self
            .trainee
            .filter(|t| *t != role_sym && self.kind_is_joint.get(kind as usize).copied().unwrap_or(false));
        let repeats = self.kind_repeats[kind as usize];
        let opens = self.kind_opens.get(kind as usize).copied().unwrap_or(false);
        let met_any = if spare.is_none() && !self.keeps(child) && !repeats && !opens {
            // Stress runs: nothing to word or record, only the tallies (the same steps as
            // `settle_at`, without looking the child up again for each duty). Settling a duty
            // moves the list's last one into its place: that place is looked at again.
            let (mut i, mut met_any) = (0, false);
            let d = &mut self.open_by_child[child];
            while let Some(off) = d.open_kind[i..].iter().position(|k| *k == kind) {
                i += off;
                met_any = true;
                let r = d.remove(i);
                let status = match r.due {
                    Some(due) if now > due => Status::Late,
                    _ => Status::Met,
                };
                self.tallies[r.rule as usize].count(status, r.due, Some(now), queue_wait);
            }
            if let Some(lists) = d.take_emptied() {
                keep_spare(&mut self.spare_lists, lists);
            }
            met_any
        } else {
            let later = self.later_occurrences(child, kind);
            self.meet_each_duty_of_kind(child, kind, spare, &later, queue_wait, now)
        };
        if met_any {
            self.action_useful[action_sym as usize] += 1;
        }
        met_any
    }

    /// Of the child's open duties of `kind`, those one act leaves open: of a rule that repeats,
    /// every occurrence but the one due first. A meeting held for one week is not also the next
    /// week's, even if the next week's duty arose before it was held. (Empty, without
    /// allocating, for the kinds with no repeating rule.)
    #[cold]
    fn later_occurrences(&self, child: usize, kind: u16) -> Vec<u32> {
        if !self.kind_repeats.get(kind as usize).copied().unwrap_or(false) {
            return Vec::new();
        }
        let d = &self.open_by_child[child];
        d.open
            .iter()
            .zip(&d.open_kind)
            .filter(|(r, k)| **k == kind && self.has_earlier_occurrence(child, r.rule as usize, r.id, r.due))
            .map(|(r, _)| r.id)
            .collect()
    }

    /// Whether duty `id` (under rule `ri`, due `due`) is a repeating rule's occurrence with an
    /// earlier one of the same rule still open for the child.
    fn has_earlier_occurrence(&self, child: usize, ri: usize, id: u32, due: Option<Nanos>) -> bool {
        if self.rule_info[ri].every.is_none() {
            return false;
        }
        let order = |due: Option<Nanos>, id: u32| (due.unwrap_or(Nanos::MAX), id);
        self.open_by_child[child]
            .open
            .iter()
            .any(|x| x.rule == ri as u32 && x.id != id && order(x.due, x.id) < order(due, id))
    }

    /// `meet_duties_of_kind` one duty at a time, each settled in full (scenarios, and kinds with a
    /// repeating rule; the duties of role `spare`, the trainee's part of a joint action, and those
    /// in `later` are left open). Whether any was met.
    fn meet_each_duty_of_kind(
        &mut self,
        child: usize,
        kind: u16,
        spare: Option<u32>,
        later: &[u32],
        queue_wait: f64,
        now: Nanos,
    ) -> bool {
        let mut met_any = false;
        // Settling a duty moves the list's last one into its place: look at that place again.
        let mut i = 0;
        loop {
            let d = &self.open_by_child[child];
            let Some(off) = d.open_kind[i..].iter().position(|k| *k == kind) else {
                break;
            };
            i += off;
            let r = &d.open[i];
            if spare.is_some_and(|t| self.rule_names[r.rule as usize].0 == t) || later.contains(&r.id) {
                i += 1;
                continue;
            }
            // Before its window opens an act does not meet the duty: noted as early, it waits
            // for one in the window (where records are kept; stress runs' roles act in it).
            if let Some(opens) = self.rule_info[r.rule as usize].opens
                && self.keeps(child)
            {
                let ob = &mut self.obligations[r.id as usize];
                if now < nanos(ob.fired_at).saturating_add(opens) {
                    ob.early_at = Some(time_at(now));
                    i += 1;
                    continue;
                }
            }
            met_any = true;
            match r.due {
                Some(d) if now > d => self.settle_at(child, i, Status::Late, Some(now), queue_wait, || {
                    format!("done {} after the deadline", fmt_hours(minutes(now - d)))
                }),
                _ => self.settle_at(child, i, Status::Met, Some(now), queue_wait, || "done in time".into()),
            }
        }
        met_any
    }

    /// The action has been done: `Done(action)` fires.
    fn fire_done(&mut self, child: usize, action_sym: u32) {
        let key = self.done_key.get(action_sym as usize).copied().flatten();
        self.fire_key(child, key, true, Label::Done(action_sym));
    }

    fn act_in_full(
        &mut self,
        child: usize,
        role_sym: u32,
        action_sym: u32,
        (by_trainee, judged): (bool, bool),
        params: &ActionParams,
        queue_wait: f64,
    ) {
        let now = self.now;
        let names = self.names.clone();
        let role = names.list[role_sym as usize].as_str();
        let action = names.list[action_sym as usize].as_str();
        let protocol = self.protocol.clone();
        let decl = names.action_decl[action_sym as usize].map(|i| &protocol.actions[i]);
        let who = || protocol.role(role).map(|r| r.name.clone()).unwrap_or(role.to_string());
        if self.keeps(child) {
            let what = match decl {
                Some(a) => a.name.clone(),
                None if action == NO_ACTION => "Decided not to act".to_string(),
                None => action.to_string(),
            };
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
            self.note(child, if by_trainee { "trainee" } else { "action" }, &who(), || {
                format!("{what}{extra}")
            });
        }
        if by_trainee {
            self.trainee_done.push((child, action.to_string()));
        }
        if self.keeps(child)
            && let Some(form) = decl
                .and_then(|a| a.form.as_deref())
                .and_then(|f| protocol.risk.forms.iter().find(|x| x.id == f))
            && !params.fields.is_empty()
        {
            let text = form_record(form, &params.fields);
            self.log.push(LogEntry {
                at: now,
                child,
                kind: "form".into(),
                who: who(),
                text,
            });
        }
        if !params.answers.is_empty() {
            for tool in &self.protocol.risk.tools {
                let text = match tool.total(&params.answers) {
                    Ok(total) => match tool.band(total) {
                        Some(b) => {
                            // Rules may ask for the band (`tool_band`): the score stands for
                            // the rest of the episode, until the tool is scored again.
                            if let Some(e) = self.children[child].episode.as_mut() {
                                e.tool_band = Some(b.rag);
                            }
                            format!("{}: total {total}, {:?} — {}", tool.name, b.rag, b.label)
                        }
                        None => format!("{}: total {total}, in no band", tool.name),
                    },
                    Err(e) => format!("{}: answers not accepted: {e}", tool.name),
                };
                if self.keeps(child) {
                    self.log.push(LogEntry {
                        at: now,
                        child,
                        kind: "assessment".into(),
                        who: who(),
                        text,
                    });
                }
            }
        }
        if self.keeps(child) {
            self.actions_done
                .push((now, child, role.to_string(), action.to_string(), by_trainee));
        }
        self.inform(child, role_sym, action_sym);

        self.meet_duties(child, role_sym, action_sym, queue_wait);

        let effects: &[Effect] = decl.map(|a| &a.effects[..]).unwrap_or(&[]);
        // The facts before any effect: prohibitions, gradings and classifications are judged on them.
        let needs_facts = judged
            || effects
                .iter()
                .any(|e| matches!(e, Effect::GradesRisk | Effect::Classifies));
        let filled = needs_facts.then(|| self.scratch_facts(child));
        let none = Facts::default();
        let facts: &Facts = filled.as_deref().unwrap_or(&none);
        if judged && let Some(p) = self.protocol.forbids_action_to(facts, action, Some(role)) {
            let p = p.clone();
            self.wrongful(
                child,
                role,
                action,
                &p.id,
                format!("the protocol says not to: {}", p.citation.words()),
            );
        }
        for e in effects {
            match e {
                Effect::ReportsMissing => self.fire_trigger(child, Trigger::ReportedMissing),
                Effect::Notifies(r) => {
                    let key = self.keys.notified.get(r.as_str()).copied();
                    self.fire_key(child, key, false, Label::Notified(r));
                }
                Effect::GradesRisk => {
                    let grade = params.grade.unwrap_or_else(|| by_the_book_grade(facts));
                    if let Some(p) = self.protocol.forbids_grade_to(facts, grade, Some(role)) {
                        let p = p.clone();
                        self.wrongful(
                            child,
                            role,
                            action,
                            &p.id,
                            format!(
                                "graded {grade:?}, which the protocol forbids here: {}",
                                p.citation.words()
                            ),
                        );
                    }
                    let ch = &mut self.children[child];
                    if let Some(ep) = ch.episode.as_mut() {
                        ep.risk = Some(grade);
                    }
                    self.transition(child, || format!("graded {grade:?}"));
                    self.fire_trigger(child, Trigger::RiskGraded);
                }
                Effect::Classifies => {
                    let cat = params.category.clone().or(facts.category.clone());
                    if let Some(cat) = cat {
                        if let Some(p) = self.protocol.forbids_category_to(facts, &cat, Some(role)) {
                            let p = p.clone();
                            self.wrongful(
                                child,
                                role,
                                action,
                                &p.id,
                                format!(
                                    "classified as {cat}, which the protocol forbids here: {}",
                                    p.citation.words()
                                ),
                            );
                        } else if judged && facts.category.as_deref().is_some_and(|c| c != cat) {
                            let right = facts.category.clone().unwrap_or_default();
                            let named = |id: &str| {
                                protocol
                                    .categories
                                    .iter()
                                    .find(|c| c.id == id)
                                    .map_or(id.to_string(), |c| c.name.clone())
                            };
                            let (given, should) = (named(&cat), named(&right));
                            self.wrongful(
                                child,
                                role,
                                action,
                                "classification",
                                format!("classified as {given}; under this protocol the child is {should}"),
                            );
                        }
                    }
                }
                Effect::CompletesInterview => {
                    self.fire_trigger(child, Trigger::InterviewCompleted);
                    // Stress runs: a child with the disclosing risk factor discloses harm in the
                    // interview, to the one who held it (acting now).
                    let discloses = self
                        .automation
                        .disclosing_risk_factor
                        .as_ref()
                        .is_some_and(|f| self.children[child].profile.risk_factors.contains(f));
                    if discloses && !self.is_away(child) {
                        let to = self.names.list[role_sym as usize].clone();
                        self.disclose(child, Some(to));
                    }
                }
                Effect::RecordsDecline => self.fire_trigger(child, Trigger::InterviewDeclined),
                Effect::LocatesChild => {
                    let place = self.children[child].place.clone();
                    self.locate(child, &place, "", true);
                }
            }
        }
        if let Some(f) = filled {
            self.scratch_facts = Some(f);
        }
        self.fire_done(child, action_sym);
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
            settled_at: Some(self.now),
            met_by: None,
            early_at: None,
        });
        let who = self.protocol.role(role).map_or(role.to_string(), |r| r.name.clone());
        self.note(child, "wrongful", &who, || reason);
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
                .map(|k| {
                    std::mem::take(&mut k.parked[child])
                        .into_iter()
                        .map(|p| p.duty)
                        .collect()
                })
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

    pub fn strength_of(&self, rule: &str) -> Strength {
        self.protocol.rule(rule).map(|r| r.strength).unwrap_or_default()
    }
}

/// Where a child is, written over the last place in the same room (a stress run moves a
/// hundred thousand children about).
fn set_place(place: &mut String, at: &str) {
    place.clear();
    place.push_str(at);
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

/// The one action every role has whatever the protocol: recording a decision not to act, with
/// its rationale in the note. It meets no duty; it goes into the chronology and the debrief.
pub const NO_ACTION: &str = "record_decision_not_to_act";

/// A filled-in form as one chronology line: every field written, then any required field left
/// empty.
pub fn form_record(form: &crate::protocol::Form, fields: &[(String, String)]) -> String {
    let value = |id: &str| {
        fields
            .iter()
            .find(|(f, _)| f == id)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let written: Vec<String> = form
        .fields
        .iter()
        .filter_map(|f| value(&f.id).map(|v| format!("{}: {v}", f.label)))
        .collect();
    let blank: Vec<&str> = form
        .fields
        .iter()
        .filter(|f| f.required && value(&f.id).is_none())
        .map(|f| f.label.as_str())
        .collect();
    let mut text = format!("{}:", form.name);
    if written.is_empty() {
        text += " nothing written";
    } else {
        text += &format!(" {}", written.join("; "));
    }
    if !blank.is_empty() {
        text += &format!(" — REQUIRED BUT LEFT EMPTY: {}", blank.join("; "));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(at: Nanos, seq: u64) -> Item {
        Item {
            key: Item::key(at, seq),
            what: Agendum::DueCheck {
                child: 0,
                duty: seq as u32,
            },
        }
    }

    /// Items scheduled minutes, days and years ahead (past the ring of hours, into its map), some
    /// while others are being taken out, each come out when they are the earliest, as from one
    /// priority queue. (As in the engine, nothing is scheduled before the last item taken out.)
    #[test]
    fn the_agenda_gives_everything_in_time_order_however_far_ahead_it_was_scheduled() {
        let mut agenda = Agenda::default();
        let mut reference = BinaryHeap::new();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (mut now, mut seq, mut taken, mut far) = (0, 0u64, 0, 0);
        for round in 0..4000 {
            for _ in 0..rng.random_range(0..4) {
                let ahead = match rng.random_range(0..10) {
                    0 => rng.random_range(0..3 * 365 * 24) * NANOS_PER_HOUR,
                    1..=3 => rng.random_range(0..72) * NANOS_PER_HOUR,
                    _ => rng.random_range(0..120) * NANOS_PER_MINUTE,
                };
                far += usize::from(ahead >= NEAR_HOURS * NANOS_PER_HOUR);
                seq += 1;
                agenda.push(item(now + ahead, seq));
                reference.push(Reverse(Item::key(now + ahead, seq)));
            }
            // Now and then the clock jumps a year: the far years come near.
            if round % 1000 == 999 {
                now += 365 * 24 * NANOS_PER_HOUR;
            }
            // Some fifty items stay in: the far ones come out when the clock reaches them.
            while agenda.len > 50
                && rng.random_range(0..3) > 0
                && let Some(next) = agenda.pop()
            {
                assert_eq!(Some(next.key), reference.pop().map(|Reverse(k)| k), "item {taken}");
                now = now.max(next.at());
                taken += 1;
            }
        }
        while let Some(next) = agenda.pop() {
            assert_eq!(Some(next.key), reference.pop().map(|Reverse(k)| k), "item {taken}");
            taken += 1;
        }
        assert!(reference.is_empty(), "items lost");
        assert_eq!(agenda.len, 0);
        assert!(
            taken > 5000 && far > 100,
            "{taken} items, {far} of them over a year ahead"
        );
    }
}
