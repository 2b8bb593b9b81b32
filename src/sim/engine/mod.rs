//! The deterministic core: an agenda of timed happenings, children moving through missing
//! episodes, protocol rules turned into obligations that end as met, late, missed, cancelled or
//! not applicable. Bevy plugins (`sim::plugins`) drive it on a clock and mirror it into entities;
//! the headless runner drives it as fast as the CPU allows. Time comes from the agenda only.
//!
//! One `Engine`: its state and its making here, its workings in the files beside this one, each
//! an `impl Engine` block along one seam: `time` (the clock inside), `agenda` (what happens next,
//! and the loop that runs it), `happenings` (what is scheduled, and what it does), `episodes`
//! (children and their episodes), `timers` (hours away; classification), `knowing` and
//! `handovers` (who has been told of a child), `triggers` (rules firing), `duties` (obligations
//! arising and settling), `acts` (someone does an action), `automation` (roles nobody plays),
//! `staffing` (rotas), `slots` (strategy-meeting slots), `facts` (what conditions read),
//! `records` (the chronology), `stats` (counts of what was done), `tables` (names as numbers,
//! and what is worked out once per rule).

mod acts;
mod agenda;
mod automation;
mod duties;
mod episodes;
mod facts;
mod handovers;
mod happenings;
mod knowing;
mod records;
mod slots;
mod staffing;
mod stats;
mod tables;
mod time;
mod timers;
mod triggers;

pub use automation::{Automation, RoleBehaviour, by_the_book_grade};
pub use duties::{Obligation, RuleTally, Status};
pub use episodes::{ChildProfile, ChildState, Episode, Phase};
pub use happenings::{ActionParams, Happening};
pub use records::{LogEntry, NO_ACTION, fmt_hours, form_record};
pub use slots::MeetingSlots;
pub use staffing::StaffStats;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::protocol::{Facts, Protocol, Strength, Trigger};
use crate::sim::calendar::Calendar;

use agenda::Agenda;
use automation::LazyAct;
use duties::{ChildDuties, OpenRef};
use facts::OfficeMemo;
use knowing::Knowing;
use slots::SlotQueue;
use staffing::Rota;
use tables::{FxMap, Names, RuleInfo};
use time::{LAST_INSTANT, NANOS_PER_HOUR, Nanos, nanos, timer_span};
use triggers::TriggerKeys;

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
    pub(crate) keep_records: bool,
    /// With `keep_records`, keep them only for the children numbered below this (an event-log
    /// export of part of a stress run: the others run as in any stress run, so the results are
    /// the same).
    pub(crate) record_children: usize,
    /// Stress runs: a role meets all of a child's open duties to do one action with one act, so
    /// duties that repeat one another (several rules asking the same role for the same action)
    /// take one act of a worker's time, not one each. Off by default (scenarios automate every
    /// duty on its own).
    pub(crate) merge_duplicate_duties: bool,
    /// Scenarios: a duty with no time limit that lapses when the child is found is missed, not
    /// cancelled, if it was left undone for an hour or more while the child was away (see
    /// `locate`). Stress runs turn this off: their results do not depend on records being kept.
    pub(crate) miss_undone_while_away: bool,
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
    /// Role numbers of `Automation::played`.
    played: Vec<u32>,
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
pub(super) fn keep_spare<T>(pool: &mut Vec<T>, list: T) {
    if pool.len() < SPARE_LISTS {
        pool.push(list);
    }
}

/// How an engine keeps records and acts, given once when it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimOptions {
    /// Keep every obligation and log line (scenarios) or only tallies (stress runs).
    pub keep_records: bool,
    /// With `keep_records`, keep them only for the children numbered below this (an event-log
    /// export of part of a stress run).
    pub record_children: usize,
    /// A role meets all of a child's open duties to do one action with one act (stress runs).
    pub merge_duplicate_duties: bool,
    /// A duty with no time limit that lapses when the child is found is missed, not cancelled,
    /// if it was left undone for an hour or more while the child was away (scenarios; stress
    /// runs leave it off: their results do not depend on records being kept).
    pub miss_undone_while_away: bool,
}

impl SimOptions {
    /// A scenario: every record kept, each duty automated on its own.
    pub fn scenario() -> Self {
        SimOptions {
            keep_records: true,
            record_children: usize::MAX,
            merge_duplicate_duties: false,
            miss_undone_while_away: true,
        }
    }

    /// A stress run: tallies only, but every record of the first `record_children` children
    /// (an event log); duplicate duties met by one act.
    pub fn stress(record_children: usize) -> Self {
        SimOptions {
            keep_records: record_children > 0,
            record_children,
            merge_duplicate_duties: true,
            miss_undone_while_away: false,
        }
    }
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions::scenario()
    }
}

impl Engine {
    /// How many children's records the engine keeps (all, for a scenario).
    pub fn record_children(&self) -> usize {
        self.record_children
    }
}

impl Engine {
    /// An engine for a scenario (`SimOptions::scenario`).
    pub fn new(protocol: Arc<Protocol>, start: NaiveDateTime, seed: u64) -> Self {
        Engine::with_options(protocol, start, seed, SimOptions::scenario())
    }

    /// An engine keeping records and automating as `opts` says, from the start.
    pub fn with_options(protocol: Arc<Protocol>, start: NaiveDateTime, seed: u64, opts: SimOptions) -> Self {
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
        let calendar = Calendar::for_protocol(&protocol);
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
            keep_records: opts.keep_records,
            record_children: opts.record_children,
            merge_duplicate_duties: opts.merge_duplicate_duties,
            miss_undone_while_away: opts.miss_undone_while_away,
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
            played: Vec::new(),
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

    pub fn strength_of(&self, rule: &str) -> Strength {
        self.protocol.rule(rule).map(|r| r.strength).unwrap_or_default()
    }
}
