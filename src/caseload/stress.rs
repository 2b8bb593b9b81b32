//! Stress runs: replications of a caseload under one protocol or two (baseline and revision),
//! in parallel, aggregated into means with 95 % confidence intervals.
//!
//! Reproducible whatever the number of threads: replication `i` draws its caseload and its
//! engine's randomness from streams fixed by `(seed, i)` alone (see [`super::generate`]), every
//! protocol of a comparison sees the same children and episodes in replication `i`, and results
//! are combined in replication order.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use super::generate::{self, Plan};
use super::numbers::thousands;
use super::{LoadedCaseload, Staff};
use crate::protocol::{Deadline, Protocol, Rule, Trigger};
use crate::sim::engine::{Engine, RuleTally, StaffStats};

/// What to run.
#[derive(Debug, Clone)]
pub struct StressOptions {
    pub replications: u64,
    pub seed: u64,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
}

impl Default for StressOptions {
    fn default() -> Self {
        StressOptions {
            replications: 10,
            seed: 1,
            threads: None,
        }
    }
}

/// The raw results of one replication under one protocol.
#[derive(Debug, Clone, Serialize)]
pub struct Replication {
    pub episodes: u64,
    pub events: u64,
    /// By rule, in protocol order.
    pub rules: Vec<RuleTally>,
    /// Actions done per role (protocol order) per week of the horizon.
    pub workload: Vec<Vec<u64>>,
    /// Strategy meetings held per week: actions `hold_…strategy_meeting…` that met a duty (a
    /// second meeting for a duty already met is not counted).
    pub meetings: Vec<u64>,
    /// All strategy-meeting work per week (request, hold, attend, record…).
    pub meeting_actions: Vec<u64>,
    /// Duties set off by repeat-episode thresholds (`EpisodeCount` rules).
    pub escalations: u64,
    /// Children who crossed any repeat-episode threshold of the protocol in the horizon.
    pub children_escalated: u64,
    /// Children crossing each threshold (in `ProtocolInfo::thresholds` order).
    pub thresholds: Vec<u64>,
    /// Children by episodes in the horizon (see `EPISODE_BUCKETS`).
    pub episodes_per_child: Vec<u64>,
    /// Strategy meetings that took a slot, minutes they waited for one in all, and minutes of
    /// slot time they took (all 0 where the caseload sets no slots).
    pub slot_bookings: u64,
    /// Meetings held in a slot (ended before the run did).
    pub slot_meetings_held: u64,
    pub slot_wait_minutes: f64,
    pub slot_office_wait_minutes: f64,
    pub slot_minutes_booked: f64,
    /// Bookings of each role's workers (protocol order; zero for a role acting by the book).
    pub staff: Vec<crate::sim::engine::StaffStats>,
    /// Per role (protocol order): its duties open at the end of each week (arisen, not yet
    /// settled), from the rule tallies as they stand then.
    pub open_weekly: Vec<Vec<u64>>,
    /// Per role: minutes of its workers' time booked in each week (a staffed role's demand on
    /// its rota; zero for a role acting by the book).
    pub booked_weekly: Vec<Vec<f64>>,
}

/// Buckets of the episodes-per-child histogram: (label, least, most).
pub const EPISODE_BUCKETS: [(&str, u64, u64); 8] = [
    ("0", 0, 0),
    ("1", 1, 1),
    ("2", 2, 2),
    ("3", 3, 3),
    ("4-5", 4, 5),
    ("6-10", 6, 10),
    ("11-20", 11, 20),
    ("21+", 21, u64::MAX),
];

/// What the aggregation needs to know of a protocol, worked out once.
#[derive(Debug, Clone)]
pub struct ProtocolInfo {
    pub protocol: Arc<Protocol>,
    /// Strategy-meeting action ids, and which of them hold a meeting.
    pub meeting_actions: Vec<String>,
    pub held_actions: Vec<String>,
    /// Distinct (episodes, within days) repeat-episode thresholds.
    pub thresholds: Vec<(i64, i64)>,
}

impl ProtocolInfo {
    pub fn new(protocol: Arc<Protocol>) -> Self {
        let meeting_actions: Vec<String> = protocol
            .actions
            .iter()
            .filter(|a| a.id.contains("strategy_meeting"))
            .map(|a| a.id.clone())
            .collect();
        let held_actions = meeting_actions
            .iter()
            .filter(|a| a.starts_with("hold_"))
            .cloned()
            .collect();
        let mut thresholds = Vec::new();
        for r in &protocol.rules {
            if let Trigger::EpisodeCount { episodes, within_days } = r.trigger
                && !thresholds.contains(&(episodes, within_days))
            {
                thresholds.push((episodes, within_days));
            }
        }
        ProtocolInfo {
            protocol,
            meeting_actions,
            held_actions,
            thresholds,
        }
    }
}

fn weeks(cl: &LoadedCaseload) -> usize {
    (cl.caseload.horizon_days.max(1) as usize).div_ceil(7)
}

/// Whole weeks in the horizon (a last part-week is left out of weekly series and peaks).
fn full_weeks(cl: &LoadedCaseload) -> usize {
    (cl.caseload.horizon_days.max(1) as usize / 7).max(1)
}

/// Weeks in the horizon, part-weeks counted as parts (for "a week" averages).
fn weeks_exact(cl: &LoadedCaseload) -> f64 {
    cl.caseload.horizon_days.max(1) as f64 / 7.0
}

/// Run one replication's plan under one protocol. `record_children`: keep every obligation
/// and log line of the first so many children (for the event-log export; 0 for none, the
/// results are the same either way); `tick` is called after each simulated day.
/// `last_use`: the plan is not needed again, so its children move into the engine.
pub fn run_plan(
    info: &ProtocolInfo,
    cl: &LoadedCaseload,
    plan: &mut Plan,
    last_use: bool,
    engine_seed: u64,
    record_children: usize,
    mut tick: impl FnMut(u64),
) -> (Replication, Engine) {
    // A private copy of the protocol: engines on other threads then share no reference counts.
    let protocol = Arc::new((*info.protocol).clone());
    let mut e = Engine::with_options(
        protocol.clone(),
        plan.start,
        engine_seed,
        crate::sim::engine::SimOptions::stress(record_children),
    );
    e.automation = cl.automation(&info.held_actions);
    if last_use {
        plan.move_children(&mut e);
    } else {
        plan.add_children(&mut e);
    }
    let plan = &*plan;
    let nweeks = weeks(cl);
    let roles: Vec<&str> = protocol.roles.iter().map(|r| r.id.as_str()).collect();
    let mut workload = vec![vec![0u64; nweeks]; roles.len()];
    let mut last_role = vec![0u64; roles.len()];
    let mut meetings = vec![0u64; nweeks];
    let mut meeting_actions = vec![0u64; nweeks];
    let (mut last_held, mut last_meet) = (0u64, 0u64);
    // Duties open at each week's end, by role; minutes booked on each staffed role's rota.
    let rule_role: Vec<Option<usize>> = protocol
        .rules
        .iter()
        .map(|r| roles.iter().position(|x| *x == r.role))
        .collect();
    let staffed: Vec<usize> = (0..roles.len())
        .filter(|&i| cl.caseload.staffing.iter().any(|s| s.role == roles[i]))
        .collect();
    let mut open_weekly = vec![vec![0u64; nweeks]; roles.len()];
    let mut booked_weekly = vec![vec![0f64; nweeks]; roles.len()];
    let mut last_booked = vec![0f64; roles.len()];
    let horizon = cl.caseload.horizon_days.max(1) as u64;
    plan.run(&mut e, |day, e| {
        let w = ((day.max(1) - 1) as usize / 7).min(nweeks - 1);
        for (i, r) in roles.iter().enumerate() {
            let n = e.role_actions_done(r);
            workload[i][w] += n - last_role[i];
            last_role[i] = n;
        }
        for &i in &staffed {
            let booked = e.staff_stats(roles[i]).minutes_booked;
            booked_weekly[i][w] += booked - last_booked[i];
            last_booked[i] = booked;
        }
        // A snapshot at each week's end (and at the end of the run): duties arisen and not yet
        // settled, less those waiting for their role to be told (never told, not a backlog).
        if day % 7 == 0 || day == horizon {
            let mut open = vec![0u64; roles.len()];
            for (k, t) in e.tallies.iter().enumerate() {
                if let Some(i) = rule_role[k] {
                    let settled = t.met + t.late + t.missed + t.cancelled + t.outstanding + t.never_told;
                    open[i] += t.fired.saturating_sub(settled).saturating_sub(e.waiting_untold(k));
                }
            }
            for (i, n) in open.into_iter().enumerate() {
                open_weekly[i][w] = n;
            }
        }
        let held: u64 = info.held_actions.iter().map(|a| e.action_meeting_duties_count(a)).sum();
        let meet: u64 = info.meeting_actions.iter().map(|a| e.action_done_count(a)).sum();
        meetings[w] += held - last_held;
        meeting_actions[w] += meet - last_meet;
        (last_held, last_meet) = (held, meet);
        tick(day);
    });
    let escalations = protocol
        .rules
        .iter()
        .zip(&e.tallies)
        .filter(|(r, _)| matches!(r.trigger, Trigger::EpisodeCount { .. }))
        .map(|(_, t)| t.fired)
        .sum();
    // Episodes in the horizon and repeat-episode thresholds crossed, child by child.
    let mut episodes_per_child = vec![0u64; EPISODE_BUCKETS.len()];
    let mut thresholds = vec![0u64; info.thresholds.len()];
    let mut children_escalated = 0;
    let mut starts = Vec::new();
    for c in &e.children {
        starts.clear();
        starts.extend(c.history.iter().copied());
        if let Some(ep) = &c.episode {
            starts.push(ep.left_at);
        }
        let n = starts.iter().filter(|t| **t >= plan.start).count() as u64;
        let b = EPISODE_BUCKETS
            .iter()
            .position(|(_, lo, hi)| n >= *lo && n <= *hi)
            .expect("buckets cover every count");
        episodes_per_child[b] += 1;
        let mut any = false;
        for (k, (count, days)) in info.thresholds.iter().enumerate() {
            let window = chrono::Duration::days(*days);
            let crossed = starts.iter().enumerate().any(|(i, t)| {
                *t >= plan.start && starts[..=i].iter().filter(|s| **s >= *t - window).count() as i64 >= *count
            });
            if crossed {
                thresholds[k] += 1;
                any = true;
            }
        }
        children_escalated += any as u64;
    }
    let rep = Replication {
        episodes: e.episodes_started,
        events: e.events_processed,
        rules: e.tallies.clone(),
        workload,
        meetings,
        meeting_actions,
        escalations,
        children_escalated,
        thresholds,
        episodes_per_child,
        slot_bookings: e.slot_bookings,
        slot_meetings_held: e.slot_meetings_held,
        slot_wait_minutes: e.slot_wait_minutes,
        slot_office_wait_minutes: e.slot_office_wait_minutes,
        staff: roles.iter().map(|r| e.staff_stats(r)).collect(),
        slot_minutes_booked: e.slot_minutes_booked,
        open_weekly,
        booked_weekly,
    };
    (rep, e)
}

/// Every replication under every protocol: `result[p][i]` is protocol `p`, replication `i`.
/// `tick` is called after every simulated day of every run (from worker threads).
pub fn run_all(
    infos: &[ProtocolInfo],
    cl: &LoadedCaseload,
    opts: &StressOptions,
    tick: &(dyn Fn() + Sync),
    cancel: &AtomicBool,
) -> Vec<Vec<Replication>> {
    let work = |i: u64| -> Vec<Replication> {
        if cancel.load(Ordering::Relaxed) {
            return Vec::new();
        }
        let mut plan = generate::plan(cl, opts.seed, i);
        let seed = generate::engine_seed(opts.seed, i);
        let n = infos.len();
        infos
            .iter()
            .enumerate()
            .map(|(k, info)| run_plan(info, cl, &mut plan, k + 1 == n, seed, 0, |_| tick()).0)
            .collect()
    };
    let by_rep: Vec<Vec<Replication>> = match opts.threads {
        Some(1) => (0..opts.replications).map(work).collect(),
        _ => {
            let mut b = rayon::ThreadPoolBuilder::new();
            if let Some(t) = opts.threads {
                b = b.num_threads(t);
            }
            // Where the system will not give the threads, run on this one: the results are the
            // same whatever the threads, only slower.
            match b.build() {
                Ok(pool) => pool.install(|| (0..opts.replications).into_par_iter().map(work).collect()),
                Err(_) => (0..opts.replications).map(work).collect(),
            }
        }
    };
    let mut out = vec![Vec::with_capacity(by_rep.len()); infos.len()];
    for reps in by_rep {
        for (p, r) in reps.into_iter().enumerate() {
            out[p].push(r);
        }
    }
    out
}

/// A mean over replications with its 95 % confidence interval (Student's t; none for one
/// replication).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

/// Two-sided 97.5 % quantiles of Student's t for 1–30 degrees of freedom.
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
    2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

fn t975(df: usize) -> f64 {
    match df {
        0 => f64::NAN,
        1..=30 => T975[df - 1],
        31..=40 => 2.021,
        41..=60 => 2.000,
        61..=120 => 1.980,
        _ => 1.960,
    }
}

/// Rounded for reports (4 decimal places).
pub fn r4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl Estimate {
    /// The mean of the replications' values with its 95 % interval (Student's t). Every quantity
    /// estimated here is a count, a time or a share, never below 0: nor is the interval's lower
    /// end (a few replications with a rare event would otherwise give "late 55.7 (-18.3–129.6)").
    pub fn of(values: &[f64]) -> Self {
        let mut e = Self::of_change(values);
        e.lo = e.lo.map(|x| if x <= 0.0 { 0.0 } else { x });
        e
    }
    /// The mean with its 95 % interval, which may go below 0: for a change (revision minus
    /// baseline, replication by replication).
    pub fn of_change(values: &[f64]) -> Self {
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n.max(1) as f64;
        if n < 2 {
            return Estimate {
                mean: r4(mean),
                lo: None,
                hi: None,
            };
        }
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
        let half = t975(n - 1) * (var / n as f64).sqrt();
        Estimate {
            mean: r4(mean),
            lo: Some(r4(mean - half)),
            hi: Some(r4(mean + half)),
        }
    }
    /// A change with its sign and interval, scaled by `k`: `+2.7 (+1.9 to +3.5)`.
    pub fn change_text(&self, k: f64, decimals: usize) -> String {
        // A value that rounds to nothing is written +0.0, never -0.0.
        let signed = |x: f64| {
            let t = format!("{:+.*}", decimals, x * k);
            match t.trim_start_matches(['+', '-']).chars().all(|c| c == '0' || c == '.') {
                true => format!("+{}", &t[1..]),
                false => t,
            }
        };
        match (self.lo, self.hi) {
            (Some(lo), Some(hi)) => format!("{} ({} to {})", signed(self.mean), signed(lo), signed(hi)),
            _ => signed(self.mean),
        }
    }
    /// A share: the interval is kept within 0 and 1.
    pub fn of_share(values: &[f64]) -> Self {
        let mut e = Self::of(values);
        e.lo = e.lo.map(|x| x.clamp(0.0, 1.0));
        e.hi = e.hi.map(|x| x.clamp(0.0, 1.0));
        e
    }
    pub fn of_counts(values: impl Iterator<Item = u64>) -> Self {
        let v: Vec<f64> = values.map(|x| x as f64).collect();
        Self::of(&v)
    }
    /// `12.3 (11.8–12.9)`, or just the mean.
    pub fn text(&self, decimals: usize) -> String {
        match (self.lo, self.hi) {
            (Some(lo), Some(hi)) => format!("{:.*} ({:.*}–{:.*})", decimals, self.mean, decimals, lo, decimals, hi),
            _ => format!("{:.*}", decimals, self.mean),
        }
    }
}

/// One rule's results.
#[derive(Debug, Clone, Serialize)]
pub struct RuleResult {
    pub id: String,
    /// The rule in a sentence, in the protocol's own names (see `Protocol::rule_text`).
    pub what: String,
    /// Where it comes from: document and section ("havering-2023-10, Appendix H").
    pub citation: String,
    /// The document's own words.
    pub quote: String,
    pub role: String,
    pub action: String,
    pub trigger: String,
    pub deadline: String,
    /// The rule sets a time limit (its duties can be late).
    #[serde(skip)]
    pub timed: bool,
    pub strength: String,
    /// Obligations per replication.
    pub fired: Estimate,
    pub met: Estimate,
    pub late: Estimate,
    pub missed: Estimate,
    pub cancelled: Estimate,
    /// Still open when the run ended (not yet due, or no time limit and not yet done): left out
    /// of compliance; a large share is a backlog.
    pub outstanding: Estimate,
    /// Never done because nobody told the role of the child (the handovers between agencies
    /// stopped before it): left out of compliance; staffing cannot change it.
    pub never_told: Estimate,
    /// Met in time as a share of those that fell due (met + late + missed); replications where
    /// none fell due are left out.
    pub compliance: Option<Estimate>,
    /// Hours past the deadline, on average, of those done late.
    pub mean_late_hours: Option<Estimate>,
    /// Minutes waiting for a free worker, on average, of those done.
    pub mean_queue_wait_minutes: Option<Estimate>,
    /// For a rule not always met in time: what in the caseload's staffing most likely makes it
    /// late or missed, in words (see `likely_cause`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub likely_cause: Option<String>,
}

/// A rule with no time limit whose duties are this share or more still open at the end of the
/// run, having waited an hour or more for a worker on average, has a backlog.
pub const BACKLOG_SHARE: f64 = 0.1;

/// Whether a rule's duties were left in a backlog: a rule with no time limit with
/// `BACKLOG_SHARE` or more of its duties still open at the end, having waited an hour or more for
/// a worker on average. (Not duties whose worker was on the way when a short run ended; and only
/// a duty with no time limit can wait unseen: one with a deadline that waits too long is late or
/// missed.)
pub fn has_backlog(rule: &Rule, r: &RuleResult) -> bool {
    let backlog = match r.fired.mean > 0.0 {
        true => r.outstanding.mean / r.fired.mean,
        false => 0.0,
    };
    let wait = r.mean_queue_wait_minutes.as_ref().map_or(0.0, |w| w.mean);
    matches!(rule.deadline, Deadline::NoLimit) && backlog >= BACKLOG_SHARE && wait >= 60.0
}

/// What in the staffing most likely keeps a rule's duties from being met in time (or leaves a
/// backlog of them open at the end), in words, or none where nothing in it explains it (a role
/// acting by the book, say). Every cause that applies is given, the one that costs the most
/// minutes first, separated by "; ". `rule` is the rule, `staff` its role's staffing as run
/// (none: the role acts by the book), `slots` the caseload's strategy-meeting slots where the
/// rule's action holds a meeting and the caseload limits them, with the minutes a meeting waited
/// in line for one on average, `r` the rule's results.
pub fn likely_cause(
    rule: &Rule,
    staff: Option<&Staff>,
    slots: Option<(&super::MeetingSlotsConfig, f64)>,
    r: &RuleResult,
) -> Option<String> {
    // Slots that kept no meeting waiting in line explain a wait only by their office hours.
    let (slots, slots_idle) = match slots {
        Some((m, in_line)) => (Some(m), in_line < 1.0),
        None => (None, false),
    };
    let late_or_missed = r.compliance.as_ref().is_some_and(|c| c.mean < 0.999);
    let backlog = match r.fired.mean > 0.0 {
        true => r.outstanding.mean / r.fired.mean,
        false => 0.0,
    };
    let wait = r.mean_queue_wait_minutes.as_ref().map_or(0.0, |w| w.mean);
    let has_backlog = has_backlog(rule, r);
    if !late_or_missed && !has_backlog {
        return None;
    }
    if staff.is_none() && slots.is_none() {
        return None;
    }
    let allowed = match rule.deadline {
        Deadline::Immediately => Some(60.0),
        Deadline::Minutes(m) => Some(m as f64),
        Deadline::Hours(h) => Some(h as f64 * 60.0),
        Deadline::Days(d) => Some(d as f64 * 1440.0),
        _ => None,
    };
    let deadline = match rule.deadline {
        Deadline::Immediately => "an hour (\"immediately\")".to_string(),
        ref d => d.label(),
    };
    let role = &r.role;
    let staff_words = |s: &Staff| match s.office_hours_only {
        true => format!("{} on the rota, in office hours only", thousands(s.workers as f64)),
        false => format!("{} on the rota", thousands(s.workers as f64)),
    };
    // (minutes it costs a duty, the words), sorted below.
    let mut causes: Vec<(f64, String)> = Vec::new();
    if late_or_missed && let Some(s) = staff {
        let (lo, hi, work) = (
            s.latency_min_minutes,
            s.latency_max_minutes.max(s.latency_min_minutes),
            s.service_minutes,
        );
        if let Some(a) = allowed
            && lo + work > a
        {
            causes.push((
                lo + work - a,
                format!(
                    "never in time as staffed: {role} takes at least {} min to start on a duty and do it ({} min to start, {} min to do); the rule allows {deadline}",
                    thousands(lo + work),
                    thousands(lo),
                    thousands(work)
                ),
            ));
        } else if s.office_hours_only && allowed.is_some_and(|a| a < 16.0 * 60.0) {
            causes.push((
                // A duty arising in the evening waits the night (about 16 hours) or a weekend.
                8.0 * 60.0,
                format!(
                    "{role} works in office hours only: a duty arising after hours waits for the next working day; the rule allows {deadline}"
                ),
            ));
        } else if let Some(a) = allowed
            && hi + work > a
        {
            causes.push((
                ((lo + hi) / 2.0 + work - a).max(1.0),
                format!(
                    "often late as staffed: {role} takes {}–{} min to start on a duty and {} min to do it; the rule allows {deadline}",
                    thousands(lo),
                    thousands(hi),
                    thousands(work)
                ),
            ));
        }
    }
    if late_or_missed && let Some(m) = slots {
        if let Some(a) = allowed
            && m.minutes > a
        {
            causes.push((
                m.minutes - a,
                format!(
                    "never in time with these slots: a strategy meeting takes {} min; the rule allows {deadline}",
                    thousands(m.minutes)
                ),
            ));
        } else if m.office_hours_only
            && allowed.is_some_and(|a| a < 16.0 * 60.0)
            && !staff.is_some_and(|s| s.office_hours_only)
        {
            causes.push((
                8.0 * 60.0,
                format!(
                    "strategy meetings are held in office hours only: one due after hours waits for the next working day; the rule allows {deadline}"
                ),
            ));
        }
    }
    let open_words = |share: f64| {
        format!(
            "{} % of these duties were still open when the run ended",
            (share * 100.0).round()
        )
    };
    if wait >= 1.0 {
        let still = match has_backlog {
            true => format!("; {}", open_words(backlog)),
            false => String::new(),
        };
        // (For a role in office hours only, the wait includes nights and weekends.)
        let words = match (staff, slots.filter(|_| !slots_idle)) {
            (None, None) if slots.is_some_and(|m| m.office_hours_only) => format!(
                "waiting for office hours: {} on average (strategy meetings are held in office hours only; no meeting waited for a slot)",
                fmt_min(wait)
            ),
            (None, None) => String::new(),
            (Some(s), None) if slots.is_some_and(|m| m.office_hours_only) && !s.office_hours_only => format!(
                "waiting for a free worker or for office hours: {} on average ({role}: {}; strategy meetings are held in office hours only; no meeting waited for a slot)",
                fmt_min(wait),
                staff_words(s)
            ),
            (Some(s), None) => format!(
                "waiting for {}: {} on average ({role}: {})",
                if s.office_hours_only {
                    "a free worker or for office hours"
                } else {
                    "a free worker"
                },
                fmt_min(wait),
                staff_words(s)
            ),
            (None, Some(m)) => format!(
                "waiting for a strategy-meeting slot: {} on average ({})",
                fmt_min(wait),
                slots_words(m)
            ),
            (Some(s), Some(m)) => format!(
                "waiting for a free worker or a strategy-meeting slot: {} on average ({role}: {}; {})",
                fmt_min(wait),
                staff_words(s),
                slots_words(m)
            ),
        };
        if !words.is_empty() {
            causes.push((wait, format!("{words}{still}")));
        }
    }
    if let Some(s) = staff
        && late_or_missed
        && s.compliance < 1.0
        && r.missed.mean > r.late.mean
    {
        causes.push((0.0, format!("{role} does a duty only with chance {}", s.compliance)));
    }
    // Largest first; a stable sort keeps the order above among equals.
    causes.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    (!causes.is_empty()).then(|| causes.into_iter().map(|(_, w)| w).collect::<Vec<_>>().join("; "))
}

/// Minutes, thousands separated, with hours or days beside a long wait: `1,807 min (30 h)`.
/// A wait in the unit people would say it in: `45 min`, `17 h`, `112 days`.
pub fn wait_short(m: f64) -> String {
    if m >= 2.0 * 1440.0 {
        format!("{} days", thousands(m / 1440.0))
    } else if m >= 120.0 {
        format!("{} h", thousands(m / 60.0))
    } else {
        format!("{} min", thousands(m))
    }
}

pub fn fmt_min(m: f64) -> String {
    let n = thousands(m);
    if m >= 2.0 * 1440.0 {
        format!("{n} min ({} days)", thousands(m / 1440.0))
    } else if m >= 120.0 {
        format!("{n} min ({} h)", thousands(m / 60.0))
    } else {
        format!("{n} min")
    }
}

/// One role's load.
#[derive(Debug, Clone, Serialize)]
pub struct RoleResult {
    pub id: String,
    pub name: String,
    /// Workers on the rota (`None`: not limited).
    pub workers: Option<i64>,
    /// The role's duties met in time, as a share of those that fell due (as `RuleResult::compliance`,
    /// over all the role's rules; none where none fell due).
    pub compliance: Option<Estimate>,
    /// The same over the role's rules with a time limit only (a duty with none is never late,
    /// so it would make the share look better than the deadlines are kept).
    pub compliance_timed: Option<Estimate>,
    pub actions: Estimate,
    pub actions_per_week: Estimate,
    pub busiest_week: Estimate,
    /// Minutes waiting for a free worker, on average, of the role's duties done (for a role in
    /// office hours only, the wait for office hours included).
    pub mean_queue_wait_minutes: Option<Estimate>,
    /// For a staffed role: minutes a booking waited for a free worker alone, and then for
    /// office hours, on average (none for a role acting by the book, or with no booking).
    pub mean_wait_for_worker_minutes: Option<Estimate>,
    pub mean_wait_for_office_hours_minutes: Option<Estimate>,
    pub late: Estimate,
    pub missed: Estimate,
    /// The role's duties still open when the run ended (see `RuleResult::outstanding`).
    pub outstanding: Estimate,
    /// Duties arising for the role a week (the demand; `actions_per_week` is what was done).
    pub duties_per_week: Estimate,
    /// For a staffed role: the share of its workers' time on duty (office hours, or round the
    /// clock) booked for duties, at `service_minutes` each — duties that lapsed before the worker
    /// got to them included, as the worker was held for them (none for a role acting by the book).
    pub utilisation: Option<Estimate>,
    /// Mean actions per week, week by week.
    pub weekly: Vec<f64>,
    /// Mean duties of the role open at the end of each week (arisen, not yet met, missed or
    /// cancelled): a backlog shows as a rising line.
    pub open_weekly: Vec<f64>,
    /// For a staffed role: hours of its workers' time booked a week (the work asked of the rota,
    /// duties that lapsed before a worker got to them included), in all and week by week, and
    /// the hours its workers are on duty each week (workers × office hours on working days, or
    /// round the clock); none, and empty, for a role acting by the book.
    pub booked_hours_per_week: Option<Estimate>,
    pub booked_hours_weekly: Vec<f64>,
    pub capacity_hours_weekly: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThresholdResult {
    pub episodes: i64,
    pub within_days: i64,
    pub children: Estimate,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bucket {
    pub episodes: String,
    pub children: Estimate,
}

/// Everything about one protocol's runs.
#[derive(Debug, Clone, Serialize)]
pub struct ProtocolResult {
    pub id: String,
    pub title: String,
    pub episodes: Estimate,
    pub events: Estimate,
    /// All rules together: met in time as a share of the duties that fell due.
    pub compliance: Option<Estimate>,
    /// The same for the rules of the roles the caseload staffs (with latency, capacity and
    /// compliance): the others act by the book and meet every duty in time by construction.
    pub compliance_staffed: Option<Estimate>,
    /// Duties still open when the run ended, all rules together (see `RuleResult::outstanding`).
    pub outstanding: Estimate,
    pub rules: Vec<RuleResult>,
    pub roles: Vec<RoleResult>,
    pub strategy_meetings_per_week: Estimate,
    pub strategy_meeting_actions_per_week: Estimate,
    /// Mean meetings held, week by week.
    pub strategy_meetings_weekly: Vec<f64>,
    pub escalations: Estimate,
    pub children_escalated: Estimate,
    pub thresholds: Vec<ThresholdResult>,
    pub episodes_per_child: Estimate,
    pub episodes_per_child_histogram: Vec<Bucket>,
    /// How the strategy-meeting slots were used (none where the caseload sets no slots or the
    /// protocol holds no strategy meetings).
    pub meeting_slots: Option<MeetingSlotResult>,
    /// The duties to hold a strategy meeting, all roles' together (none where the protocol holds
    /// no strategy meetings).
    pub meeting_duties: Option<DutyGroup>,
    /// The headline measures replication by replication (for paired changes; not written out).
    #[serde(skip)]
    pub per_replication: Vec<Headline>,
    /// Each rule's duties (met, late, missed), replication by replication, in `rules`' order:
    /// for measures over a set of rules only a comparison knows (the rules both versions share).
    #[serde(skip)]
    pub per_replication_rules: Vec<Vec<(u64, u64, u64)>>,
}

/// A group of duties (such as every duty to hold a strategy meeting), per replication.
#[derive(Debug, Clone, Serialize)]
pub struct DutyGroup {
    /// Met in time, as a share of those that fell due (none where none fell due).
    pub compliance: Option<Estimate>,
    /// The same over the duties with a time limit only.
    pub compliance_timed: Option<Estimate>,
    pub late: Estimate,
    pub missed: Estimate,
    pub outstanding: Estimate,
    pub duties_per_week: Estimate,
    /// Minutes waited for a free worker (or meeting slot), on average, of those done.
    pub mean_queue_wait_minutes: Option<Estimate>,
}

/// The strategy-meeting slots under one protocol.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingSlotResult {
    pub slots: i64,
    pub minutes: f64,
    pub office_hours_only: bool,
    /// Meetings that took a slot, a week.
    pub meetings_per_week: Estimate,
    /// Minutes a meeting waited in line for a free slot, on average (none where no meeting
    /// took one); then minutes it waited for office hours, where slots keep them.
    pub mean_wait_minutes: Option<Estimate>,
    pub mean_office_hours_wait_minutes: Option<Estimate>,
    /// The share of the slots' time (office hours, or round the clock) that meetings took.
    pub busy: Estimate,
}

/// A caseload's meeting slots in words: "2 strategy-meeting slots of 60 min, in office hours".
pub fn slots_words(m: &super::MeetingSlotsConfig) -> String {
    format!(
        "{} strategy-meeting slot{} of {} min{}",
        thousands(m.slots as f64),
        if m.slots == 1 { "" } else { "s" },
        thousands(m.minutes),
        if m.office_hours_only { ", in office hours" } else { "" }
    )
}

/// One replication's headline measures (`None`: nothing fell due).
#[derive(Debug, Clone, Copy, Default)]
pub struct Headline {
    pub compliance: Option<f64>,
    pub compliance_staffed: Option<f64>,
    pub strategy_meetings_per_week: f64,
    pub escalations: f64,
    pub children_escalated: f64,
    pub outstanding: f64,
}

fn mean_of(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

fn some_est(v: Vec<f64>) -> Option<Estimate> {
    (!v.is_empty()).then(|| Estimate::of(&v))
}

fn some_share(v: Vec<f64>) -> Option<Estimate> {
    (!v.is_empty()).then(|| Estimate::of_share(&v))
}

/// Aggregate one protocol's replications.
pub fn aggregate(info: &ProtocolInfo, cl: &LoadedCaseload, reps: &[Replication]) -> ProtocolResult {
    let p = &info.protocol;
    let nweeks = full_weeks(cl);
    let per_week_of = weeks_exact(cl);
    let rules = p
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let t = |f: &dyn Fn(&RuleTally) -> u64| Estimate::of_counts(reps.iter().map(|x| f(&x.rules[i])));
            let compliance: Vec<f64> = reps
                .iter()
                .map(|x| &x.rules[i])
                .filter(|t| t.met + t.late + t.missed > 0)
                .map(|t| t.met as f64 / (t.met + t.late + t.missed) as f64)
                .collect();
            let late_hours: Vec<f64> = reps
                .iter()
                .map(|x| &x.rules[i])
                .filter(|t| t.late > 0)
                .map(|t| t.late_hours_total / t.late as f64)
                .collect();
            let waits: Vec<f64> = reps
                .iter()
                .map(|x| &x.rules[i])
                .filter(|t| t.met + t.late > 0)
                .map(|t| t.queue_wait_minutes_total / (t.met + t.late) as f64)
                .collect();
            RuleResult {
                id: r.id.clone(),
                what: p.rule_text(r),
                citation: format!("{}, {}", r.citation.doc, r.citation.section),
                quote: r.citation.words(),
                role: r.role.clone(),
                action: r.action.clone(),
                trigger: p.trigger_text(&r.trigger),
                deadline: r.deadline.label(),
                timed: r.deadline != crate::protocol::Deadline::NoLimit,
                strength: format!("{:?}", r.strength),
                fired: t(&|t| t.fired),
                met: t(&|t| t.met),
                late: t(&|t| t.late),
                missed: t(&|t| t.missed),
                cancelled: t(&|t| t.cancelled),
                outstanding: t(&|t| t.outstanding),
                never_told: t(&|t| t.never_told),
                compliance: some_share(compliance),
                mean_late_hours: some_est(late_hours),
                mean_queue_wait_minutes: some_est(waits),
                likely_cause: None,
            }
        })
        .collect::<Vec<_>>();
    // Met in time as a share of what fell due, over the rules `take` picks, replication by
    // replication (none where nothing fell due).
    let share_met = |take: &dyn Fn(&Rule) -> bool| -> Vec<Option<f64>> {
        reps.iter()
            .map(|x| {
                let (m, l, s) = p
                    .rules
                    .iter()
                    .zip(&x.rules)
                    .filter(|(r, _)| take(r))
                    .fold((0, 0, 0), |a, (_, t)| (a.0 + t.met, a.1 + t.late, a.2 + t.missed));
                (m + l + s > 0).then(|| m as f64 / (m + l + s) as f64)
            })
            .collect()
    };
    let overall = share_met(&|_| true);
    let staffed = share_met(&|r| cl.caseload.staffing.iter().any(|s| s.role == r.role));
    let per_replication: Vec<Headline> = reps
        .iter()
        .enumerate()
        .map(|(i, x)| Headline {
            compliance: overall[i],
            compliance_staffed: staffed[i],
            strategy_meetings_per_week: x.meetings.iter().sum::<u64>() as f64 / per_week_of,
            escalations: x.escalations as f64,
            children_escalated: x.children_escalated as f64,
            outstanding: x.rules.iter().map(|t| t.outstanding).sum::<u64>() as f64,
        })
        .collect();
    // Minutes on duty over the horizon: office hours on working days, or round the clock.
    let cal = crate::sim::calendar::Calendar::for_protocol(p);
    let days = cl.caseload.horizon_days.max(0);
    let working = (0..days)
        .filter(|k| cal.is_working_day(cl.start + chrono::Duration::days(*k)))
        .count();
    let office_minutes = working as f64 * cal.office_end.saturating_sub(cal.office_start) as f64 * 60.0;
    let all_minutes = days as f64 * 1440.0;
    let staff_of = |role: &str| cl.caseload.staffing.iter().find(|s| s.role == role);
    let roles = p
        .roles
        .iter()
        .enumerate()
        .filter(|(_, r)| p.rules.iter().any(|x| x.role == r.id))
        .map(|(ri, r)| {
            let mine: Vec<usize> = p
                .rules
                .iter()
                .enumerate()
                .filter(|(_, x)| x.role == r.id)
                .map(|(i, _)| i)
                .collect();
            let sum =
                |x: &Replication, f: &dyn Fn(&RuleTally) -> f64| mine.iter().map(|i| f(&x.rules[*i])).sum::<f64>();
            let waits: Vec<f64> = reps
                .iter()
                .filter(|x| sum(x, &|t| (t.met + t.late) as f64) > 0.0)
                .map(|x| sum(x, &|t| t.queue_wait_minutes_total) / sum(x, &|t| (t.met + t.late) as f64))
                .collect();
            let weekly: Vec<f64> = (0..nweeks)
                .map(|w| {
                    r4(mean_of(
                        &reps.iter().map(|x| x.workload[ri][w] as f64).collect::<Vec<_>>(),
                    ))
                })
                .collect();
            // A staffed role's minutes per booking, replication by replication.
            let per_booking = |minutes: fn(&StaffStats) -> f64| {
                staff_of(&r.id).and_then(|_| {
                    some_est(
                        reps.iter()
                            .filter(|x| x.staff[ri].bookings > 0)
                            .map(|x| minutes(&x.staff[ri]) / x.staff[ri].bookings as f64)
                            .collect(),
                    )
                })
            };
            let series = |f: &dyn Fn(&Replication, usize) -> f64| -> Vec<f64> {
                (0..nweeks)
                    .map(|w| r4(mean_of(&reps.iter().map(|x| f(x, w)).collect::<Vec<_>>())))
                    .collect()
            };
            let staff = staff_of(&r.id);
            // Hours on duty in each week of the horizon (a last part-week is left out).
            let capacity_hours_weekly: Vec<f64> = staff.map_or_else(Vec::new, |st| {
                (0..nweeks)
                    .map(|w| {
                        let hours: f64 = (0..7)
                            .map(|d| cl.start + chrono::Duration::days((7 * w + d) as i64))
                            .map(|day| match st.office_hours_only {
                                true if cal.is_working_day(day) => {
                                    cal.office_end.saturating_sub(cal.office_start) as f64
                                }
                                true => 0.0,
                                false => 24.0,
                            })
                            .sum();
                        r4(hours * st.workers.max(0) as f64)
                    })
                    .collect()
            });
            RoleResult {
                open_weekly: series(&|x, w| x.open_weekly[ri].get(w).copied().unwrap_or(0) as f64),
                booked_hours_per_week: staff.map(|_| {
                    Estimate::of(
                        &reps
                            .iter()
                            .map(|x| x.staff[ri].minutes_booked / 60.0 / per_week_of)
                            .collect::<Vec<_>>(),
                    )
                }),
                booked_hours_weekly: match staff {
                    Some(_) => series(&|x, w| x.booked_weekly[ri].get(w).copied().unwrap_or(0.0) / 60.0),
                    None => Vec::new(),
                },
                capacity_hours_weekly,
                id: r.id.clone(),
                name: r.name.clone(),
                workers: cl.caseload.staffing.iter().find(|s| s.role == r.id).map(|s| s.workers),
                compliance: some_share(share_met(&|x| x.role == r.id).into_iter().flatten().collect()),
                compliance_timed: some_share(
                    share_met(&|x| x.role == r.id && !matches!(x.deadline, Deadline::NoLimit))
                        .into_iter()
                        .flatten()
                        .collect(),
                ),
                actions: Estimate::of_counts(reps.iter().map(|x| x.workload[ri].iter().sum())),
                actions_per_week: Estimate::of(
                    &reps
                        .iter()
                        .map(|x| x.workload[ri].iter().sum::<u64>() as f64 / per_week_of)
                        .collect::<Vec<_>>(),
                ),
                busiest_week: Estimate::of_counts(
                    reps.iter().map(|x| x.workload[ri].iter().copied().max().unwrap_or(0)),
                ),
                mean_queue_wait_minutes: some_est(waits),
                mean_wait_for_worker_minutes: per_booking(|st| st.wait_for_worker_minutes),
                mean_wait_for_office_hours_minutes: per_booking(|st| st.wait_for_office_hours_minutes),
                late: Estimate::of(&reps.iter().map(|x| sum(x, &|t| t.late as f64)).collect::<Vec<_>>()),
                missed: Estimate::of(&reps.iter().map(|x| sum(x, &|t| t.missed as f64)).collect::<Vec<_>>()),
                outstanding: Estimate::of(
                    &reps
                        .iter()
                        .map(|x| sum(x, &|t| t.outstanding as f64))
                        .collect::<Vec<_>>(),
                ),
                duties_per_week: Estimate::of(
                    &reps
                        .iter()
                        .map(|x| sum(x, &|t| t.fired as f64) / per_week_of)
                        .collect::<Vec<_>>(),
                ),
                utilisation: staff_of(&r.id).map(|st| {
                    let on_duty = match st.office_hours_only {
                        true => office_minutes,
                        false => all_minutes,
                    } * st.workers.max(1) as f64;
                    Estimate::of_share(
                        &reps
                            .iter()
                            .map(|x| (x.staff[ri].minutes_booked / on_duty.max(1.0)).min(1.0))
                            .collect::<Vec<_>>(),
                    )
                }),
                weekly,
            }
        })
        .collect::<Vec<_>>();
    let per_week = |f: &dyn Fn(&Replication) -> &Vec<u64>| {
        Estimate::of(
            &reps
                .iter()
                .map(|x| f(x).iter().sum::<u64>() as f64 / per_week_of)
                .collect::<Vec<_>>(),
        )
    };
    let mut rules = rules;
    let meeting_duties = (!info.held_actions.is_empty()).then(|| {
        let mine: Vec<usize> = p
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| info.held_actions.contains(&r.action))
            .map(|(i, _)| i)
            .collect();
        let sum = |x: &Replication, f: &dyn Fn(&RuleTally) -> f64| mine.iter().map(|i| f(&x.rules[*i])).sum::<f64>();
        let per_rep = |f: &dyn Fn(&Replication) -> f64| Estimate::of(&reps.iter().map(f).collect::<Vec<_>>());
        DutyGroup {
            compliance: some_share(
                share_met(&|r| info.held_actions.contains(&r.action))
                    .into_iter()
                    .flatten()
                    .collect(),
            ),
            compliance_timed: some_share(
                share_met(&|r| info.held_actions.contains(&r.action) && !matches!(r.deadline, Deadline::NoLimit))
                    .into_iter()
                    .flatten()
                    .collect(),
            ),
            late: per_rep(&|x| sum(x, &|t| t.late as f64)),
            missed: per_rep(&|x| sum(x, &|t| t.missed as f64)),
            outstanding: per_rep(&|x| sum(x, &|t| t.outstanding as f64)),
            duties_per_week: per_rep(&|x| sum(x, &|t| t.fired as f64) / per_week_of),
            mean_queue_wait_minutes: some_est(
                reps.iter()
                    .filter(|x| sum(x, &|t| (t.met + t.late) as f64) > 0.0)
                    .map(|x| sum(x, &|t| t.queue_wait_minutes_total) / sum(x, &|t| (t.met + t.late) as f64))
                    .collect(),
            ),
        }
    });
    let meeting_slots = cl
        .caseload
        .strategy_meeting_slots
        .as_ref()
        .filter(|_| !info.held_actions.is_empty())
        .map(|m| {
            let on_duty = match m.office_hours_only {
                true => office_minutes,
                false => all_minutes,
            } * m.slots.max(1) as f64;
            let per_booking = |f: &dyn Fn(&Replication) -> f64| -> Option<Estimate> {
                some_est(
                    reps.iter()
                        .filter(|x| x.slot_bookings > 0)
                        .map(|x| f(x) / x.slot_bookings as f64)
                        .collect(),
                )
            };
            MeetingSlotResult {
                slots: m.slots,
                minutes: m.minutes,
                office_hours_only: m.office_hours_only,
                meetings_per_week: Estimate::of(
                    &reps
                        .iter()
                        .map(|x| x.slot_meetings_held as f64 / per_week_of)
                        .collect::<Vec<_>>(),
                ),
                mean_wait_minutes: per_booking(&|x| x.slot_wait_minutes),
                mean_office_hours_wait_minutes: per_booking(&|x| x.slot_office_wait_minutes),
                busy: Estimate::of_share(
                    &reps
                        .iter()
                        .map(|x| (x.slot_minutes_booked / on_duty.max(1.0)).min(1.0))
                        .collect::<Vec<_>>(),
                ),
            }
        });
    for (rule, r) in p.rules.iter().zip(rules.iter_mut()) {
        let staff = cl.caseload.staffing.iter().find(|s| s.role == rule.role);
        let slots = cl
            .caseload
            .strategy_meeting_slots
            .as_ref()
            .filter(|_| info.held_actions.contains(&rule.action))
            .map(|m| {
                let in_line = meeting_slots
                    .as_ref()
                    .and_then(|x| x.mean_wait_minutes)
                    .map_or(0.0, |w| w.mean);
                (m, in_line)
            });
        r.likely_cause = likely_cause(rule, staff, slots, r);
    }
    let children = cl.caseload.children.max(1) as f64;
    ProtocolResult {
        id: p.id.clone(),
        title: p.full_title(),
        episodes: Estimate::of_counts(reps.iter().map(|x| x.episodes)),
        events: Estimate::of_counts(reps.iter().map(|x| x.events)),
        compliance: some_share(overall.into_iter().flatten().collect()),
        compliance_staffed: some_share(staffed.into_iter().flatten().collect()),
        outstanding: Estimate::of(&per_replication.iter().map(|h| h.outstanding).collect::<Vec<_>>()),
        rules,
        roles,
        strategy_meetings_per_week: per_week(&|x| &x.meetings),
        strategy_meeting_actions_per_week: per_week(&|x| &x.meeting_actions),
        strategy_meetings_weekly: (0..nweeks)
            .map(|w| r4(mean_of(&reps.iter().map(|x| x.meetings[w] as f64).collect::<Vec<_>>())))
            .collect(),
        escalations: Estimate::of_counts(reps.iter().map(|x| x.escalations)),
        children_escalated: Estimate::of_counts(reps.iter().map(|x| x.children_escalated)),
        thresholds: info
            .thresholds
            .iter()
            .enumerate()
            .map(|(k, (episodes, within_days))| ThresholdResult {
                episodes: *episodes,
                within_days: *within_days,
                children: Estimate::of_counts(reps.iter().map(|x| x.thresholds[k])),
            })
            .collect(),
        episodes_per_child: Estimate::of(
            &reps
                .iter()
                .map(|x| {
                    EPISODE_BUCKETS
                        .iter()
                        .zip(&x.episodes_per_child)
                        .map(|((_, lo, hi), n)| {
                            // Bucket midpoints, except the open-ended last bucket's floor.
                            let mid = if *hi == u64::MAX {
                                *lo as f64
                            } else {
                                (*lo + *hi) as f64 / 2.0
                            };
                            mid * *n as f64
                        })
                        .sum::<f64>()
                        / children
                })
                .collect::<Vec<_>>(),
        ),
        episodes_per_child_histogram: EPISODE_BUCKETS
            .iter()
            .enumerate()
            .map(|(b, (label, _, _))| Bucket {
                episodes: label.to_string(),
                children: Estimate::of_counts(reps.iter().map(|x| x.episodes_per_child[b])),
            })
            .collect(),
        meeting_slots,
        meeting_duties,
        per_replication,
        per_replication_rules: reps
            .iter()
            .map(|x| x.rules.iter().map(|t| (t.met, t.late, t.missed)).collect())
            .collect(),
    }
}

/// One rule side by side under the baseline and the revision.
#[derive(Debug, Clone, Serialize)]
pub struct RuleComparison {
    pub id: String,
    /// `both`, `baseline only` (removed in the revision) or `revision only` (added).
    pub in_protocols: String,
    pub baseline_compliance: Option<Estimate>,
    pub revision_compliance: Option<Estimate>,
    pub baseline_fired: Option<Estimate>,
    pub revision_fired: Option<Estimate>,
    /// Revision minus baseline, in compliance points (mean).
    pub compliance_change: Option<f64>,
    /// The same, paired replication by replication, with its 95 % interval (for a rule in both,
    /// where duties fell due under both; no interval from one replication).
    pub paired_change: Option<Estimate>,
    /// For a rule in both: what the revision changed in it ("deadline: Hours(72) → Hours(24)"),
    /// leaving out its citation and note; empty if nothing.
    pub changed: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleComparison {
    pub id: String,
    /// The role's name in each protocol (the same id may name different posts in two boroughs'
    /// protocols: Bromley's `ad_dcs` is the Director, Haringey's an Assistant Director).
    pub baseline_name: Option<String>,
    pub revision_name: Option<String>,
    pub baseline_actions_per_week: Option<Estimate>,
    pub revision_actions_per_week: Option<Estimate>,
    pub change_per_week: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub baseline: String,
    pub revision: String,
    pub rules_added: Vec<String>,
    pub rules_removed: Vec<String>,
    /// Rules in both whose trigger, condition, role, action, deadline, strength, repeat or
    /// lapsing the revision changed (see `RuleComparison::changed`).
    pub rules_changed: Vec<String>,
    pub rules: Vec<RuleComparison>,
    pub roles: Vec<RoleComparison>,
    pub compliance_change: Option<f64>,
    pub strategy_meetings_per_week_change: f64,
    pub escalations_change: f64,
    /// Rules in both protocols (by id). None: two different protocols, compared as wholes.
    pub rules_shared: usize,
    /// Headline measures, revision minus baseline, paired replication by replication (the two
    /// protocols run on the same children and episodes), with 95 % intervals. The first, where
    /// the two share timed rules, is the headline: duties met in time on the rules with a time
    /// limit that both versions have (`duties_met_in_time_shared_timed_rules`), so that rules
    /// added or removed — above all duties with no time limit, which can never be late — do not
    /// move it by their mere number.
    pub changes: Vec<MeasureChange>,
    /// Rules both versions have, with a time limit in both.
    pub shared_timed_rules: usize,
    /// Duties met in time on those rules, each version (none where none fell due).
    pub baseline_shared_timed: Option<Estimate>,
    pub revision_shared_timed: Option<Estimate>,
    /// Duties a run (the caseload's horizon) under the rules only the revision has, with a time
    /// limit and without; and the same for the rules only the baseline has.
    pub added_duties_timed: f64,
    pub added_duties_untimed: f64,
    pub removed_duties_timed: f64,
    pub removed_duties_untimed: f64,
}

/// A headline measure's change from the baseline to the revision.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureChange {
    /// As in `summary.csv`: `duties_met_in_time`, `duties_met_in_time_staffed_roles`,
    /// `strategy_meetings_per_week`, `escalation_duties`, `children_over_a_repeat_threshold`,
    /// `duties_open_at_end`.
    pub measure: String,
    /// Revision minus baseline (shares as fractions: 0.027 is 2.7 points).
    pub change: Estimate,
}

/// What the revision changed in each rule the two protocols share, by rule id: the fields that
/// change what a role must do, as `field: old → new` (a new citation or note alone is no change).
pub fn rule_changes(a: &Protocol, b: &Protocol) -> Vec<(String, Vec<String>)> {
    crate::protocol::diff::diff(a, b)
        .changed
        .into_iter()
        .filter_map(|c| {
            let fields: Vec<String> = c
                .fields
                .iter()
                .filter(|f| !f.field.starts_with("citation.") && f.field != "note")
                .map(|f| format!("{}: {} → {}", f.field, f.old, f.new))
                .collect();
            (!fields.is_empty()).then_some((c.rule, fields))
        })
        .collect()
}

/// Two protocols compared under one id (a draft revision edited from a copy keeps its id) would
/// be told apart nowhere in a report: the revision is then shown under its file's name as well.
/// Returns what was done, in words, for the user to see.
pub fn label_apart(protocols: &mut [Arc<Protocol>], files: &[&Path]) -> Option<String> {
    let [a, b] = protocols else {
        return None;
    };
    if a.id != b.id {
        return None;
    }
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    let same_name = files.len() == 2 && name(files[0]) == name(files[1]);
    let label = match files.get(1).and_then(|f| name(f)) {
        Some(n) if !same_name => format!("{} ({n})", b.id),
        _ => format!("{} (revision)", b.id),
    };
    let note = format!(
        "both protocols are called `{}`: the revision{} is shown as `{label}`",
        a.id,
        files.get(1).map(|f| format!(" ({})", f.display())).unwrap_or_default()
    );
    let mut renamed = (**b).clone();
    renamed.id = label;
    *b = Arc::new(renamed);
    Some(note)
}

pub fn compare(a: &ProtocolResult, b: &ProtocolResult, changes: &[(String, Vec<String>)]) -> Comparison {
    // The headline: duties met in time on the timed rules both versions have, paired.
    let shared_timed: Vec<&str> = a
        .rules
        .iter()
        .filter(|r| r.timed && b.rules.iter().any(|x| x.id == r.id && x.timed))
        .map(|r| r.id.as_str())
        .collect();
    let shared = (!shared_timed.is_empty()).then(|| {
        let (x, y) = (share_met_over(a, &shared_timed), share_met_over(b, &shared_timed));
        let each = |v: &[Option<f64>]| some_est(v.iter().flatten().copied().collect());
        let d: Vec<f64> = x.iter().zip(&y).filter_map(|(p, q)| Some((*q)? - (*p)?)).collect();
        let change = (!d.is_empty()).then(|| MeasureChange {
            measure: "duties_met_in_time_shared_timed_rules".into(),
            change: Estimate::of_change(&d),
        });
        (each(&x), each(&y), change)
    });
    let shared = shared.and_then(|(x, y, c)| Some((x, y, c?)));
    let mut ids: Vec<&str> = a.rules.iter().map(|r| r.id.as_str()).collect();
    for r in &b.rules {
        if !ids.contains(&r.id.as_str()) {
            ids.push(&r.id);
        }
    }
    let rules = ids
        .iter()
        .map(|id| {
            let x = a.rules.iter().find(|r| r.id == *id);
            let y = b.rules.iter().find(|r| r.id == *id);
            RuleComparison {
                id: id.to_string(),
                in_protocols: match (x, y) {
                    (Some(_), Some(_)) => "both",
                    (Some(_), None) => "baseline only",
                    _ => "revision only",
                }
                .into(),
                baseline_compliance: x.and_then(|r| r.compliance),
                revision_compliance: y.and_then(|r| r.compliance),
                baseline_fired: x.map(|r| r.fired),
                revision_fired: y.map(|r| r.fired),
                compliance_change: match (x.and_then(|r| r.compliance), y.and_then(|r| r.compliance)) {
                    (Some(p), Some(q)) => Some(r4(q.mean - p.mean)),
                    _ => None,
                },
                changed: changes
                    .iter()
                    .find(|(r, _)| r == id)
                    .map(|(_, f)| f.clone())
                    .unwrap_or_default(),
                paired_change: match (x, y) {
                    (Some(_), Some(_)) => {
                        let (p, q) = (share_met_over(a, &[id]), share_met_over(b, &[id]));
                        let d: Vec<f64> = p.iter().zip(&q).filter_map(|(p, q)| Some((*q)? - (*p)?)).collect();
                        (!d.is_empty()).then(|| Estimate::of_change(&d))
                    }
                    _ => None,
                },
            }
        })
        .collect();
    let mut role_ids: Vec<&str> = a.roles.iter().map(|r| r.id.as_str()).collect();
    for r in &b.roles {
        if !role_ids.contains(&r.id.as_str()) {
            role_ids.push(&r.id);
        }
    }
    let roles = role_ids
        .iter()
        .map(|id| {
            let rx = a.roles.iter().find(|r| r.id == *id);
            let ry = b.roles.iter().find(|r| r.id == *id);
            let (x, y) = (rx.map(|r| r.actions_per_week), ry.map(|r| r.actions_per_week));
            RoleComparison {
                id: id.to_string(),
                baseline_name: rx.map(|r| r.name.clone()),
                revision_name: ry.map(|r| r.name.clone()),
                baseline_actions_per_week: x,
                revision_actions_per_week: y,
                change_per_week: Some(r4(y.map_or(0.0, |e| e.mean) - x.map_or(0.0, |e| e.mean))),
            }
        })
        .collect();
    Comparison {
        baseline: a.id.clone(),
        revision: b.id.clone(),
        rules_added: b
            .rules
            .iter()
            .filter(|r| !a.rules.iter().any(|x| x.id == r.id))
            .map(|r| r.id.clone())
            .collect(),
        rules_removed: a
            .rules
            .iter()
            .filter(|r| !b.rules.iter().any(|x| x.id == r.id))
            .map(|r| r.id.clone())
            .collect(),
        rules_changed: changes.iter().map(|(r, _)| r.clone()).collect(),
        rules,
        roles,
        compliance_change: match (a.compliance, b.compliance) {
            (Some(p), Some(q)) => Some(r4(q.mean - p.mean)),
            _ => None,
        },
        strategy_meetings_per_week_change: r4(b.strategy_meetings_per_week.mean - a.strategy_meetings_per_week.mean),
        escalations_change: r4(b.escalations.mean - a.escalations.mean),
        rules_shared: a.rules.iter().filter(|r| b.rules.iter().any(|x| x.id == r.id)).count(),
        changes: shared
            .as_ref()
            .map(|(_, _, change)| change.clone())
            .into_iter()
            .chain(paired_changes(a, b))
            .collect(),
        shared_timed_rules: shared_timed.len(),
        baseline_shared_timed: shared.as_ref().and_then(|(x, _, _)| *x),
        revision_shared_timed: shared.as_ref().and_then(|(_, y, _)| *y),
        added_duties_timed: only(b, a, true),
        added_duties_untimed: only(b, a, false),
        removed_duties_timed: only(a, b, true),
        removed_duties_untimed: only(a, b, false),
    }
}

/// Duties met in time over the rules `ids` (by id), replication by replication (none where none
/// fell due in it).
fn share_met_over(p: &ProtocolResult, ids: &[&str]) -> Vec<Option<f64>> {
    let idx: Vec<usize> = ids
        .iter()
        .filter_map(|id| p.rules.iter().position(|r| r.id == *id))
        .collect();
    p.per_replication_rules
        .iter()
        .map(|reps| {
            let (m, l, s) = idx
                .iter()
                .filter_map(|&i| reps.get(i))
                .fold((0, 0, 0), |a, t| (a.0 + t.0, a.1 + t.1, a.2 + t.2));
            (m + l + s > 0).then(|| m as f64 / (m + l + s) as f64)
        })
        .collect()
}

/// Mean duties a run under the rules `of` has and `other` lacks, with a time limit (`with`) or
/// without.
fn only(of: &ProtocolResult, other: &ProtocolResult, with: bool) -> f64 {
    r4(of
        .rules
        .iter()
        .filter(|r| r.timed == with && !other.rules.iter().any(|x| x.id == r.id))
        .map(|r| r.fired.mean)
        .sum())
}

impl Comparison {
    /// How the two protocols' rules overlap, in words: "116 rules in both, 29 added in
    /// havering-2023-10, 23 removed",
    /// or, for two protocols with no rule id in common, "the two protocols share no rule: they are
    /// compared as wholes (119 rules against 127)".
    pub fn rule_overlap(&self) -> String {
        match self.rules_shared {
            0 => format!(
                "the two protocols share no rule: they are compared as wholes ({} rules against {})",
                self.rules_removed.len(),
                self.rules_added.len()
            ),
            n => format!(
                "{n} rules in both ({} changed), {} added in {}, {} removed",
                self.rules_changed.len(),
                self.rules_added.len(),
                self.revision,
                self.rules_removed.len()
            ),
        }
    }

    /// Rules in both protocols whose share met in time moved by half a point or more, most first
    /// (ties by id).
    pub fn rules_moved_most(&self) -> Vec<&RuleComparison> {
        let mut moved: Vec<_> = self
            .rules
            .iter()
            .filter(|r| r.compliance_change.is_some_and(|d| d.abs() >= 0.005))
            .collect();
        moved.sort_by(|x, y| {
            y.compliance_change
                .map(f64::abs)
                .partial_cmp(&x.compliance_change.map(f64::abs))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| x.id.cmp(&y.id))
        });
        moved
    }
}

/// The headline measures' changes, replication by replication. A measure one protocol does not
/// have (children over a repeat threshold, where it sets none) is left out.
fn paired_changes(a: &ProtocolResult, b: &ProtocolResult) -> Vec<MeasureChange> {
    type Pick = fn(&Headline) -> Option<f64>;
    let mut measures: Vec<(&str, Pick)> = vec![
        ("duties_met_in_time", |h| h.compliance),
        ("duties_met_in_time_staffed_roles", |h| h.compliance_staffed),
        ("strategy_meetings_per_week", |h| Some(h.strategy_meetings_per_week)),
        ("escalation_duties", |h| Some(h.escalations)),
    ];
    if !a.thresholds.is_empty() && !b.thresholds.is_empty() {
        measures.push(("children_over_a_repeat_threshold", |h| Some(h.children_escalated)));
    }
    measures.push(("duties_open_at_end", |h| Some(h.outstanding)));
    measures
        .into_iter()
        .filter_map(|(measure, pick)| {
            let d: Vec<f64> = a
                .per_replication
                .iter()
                .zip(&b.per_replication)
                .filter_map(|(x, y)| Some(pick(y)? - pick(x)?))
                .collect();
            (!d.is_empty()).then(|| MeasureChange {
                measure: measure.to_string(),
                change: Estimate::of_change(&d),
            })
        })
        .collect()
}

/// The caseload as run, for reports.
#[derive(Debug, Clone, Serialize)]
pub struct CaseloadInfo {
    pub name: String,
    pub file: Option<String>,
    pub children: i64,
    pub horizon_days: i64,
    pub start: String,
    pub replications: u64,
    pub seed: u64,
    pub staffing: Vec<super::Staff>,
    /// The caseload's `lapsing_duties_start`: the assumption behind the meetings figures.
    pub lapsing_duties_start: f64,
    /// The caseload's strategy-meeting slots (`null`: no limit).
    pub strategy_meeting_slots: Option<super::MeetingSlotsConfig>,
}

impl CaseloadInfo {
    /// A caution where the run goes outside the years whose bank holidays the calendar knows
    /// (2013–2027): there only weekends are days off.
    pub fn calendar_note(&self) -> Option<String> {
        let start = chrono::NaiveDate::parse_from_str(&self.start, "%Y-%m-%d").ok()?;
        let end = start + chrono::Duration::days(self.horizon_days.max(1) - 1);
        use chrono::Datelike;
        (start.year() < 2013 || end.year() > 2027).then(|| {
            "Bank holidays are known for 2013–2027 only: outside those years only weekends are days off.".to_string()
        })
    }

    /// One line saying what was run: "borough — 2,000 children, 365 days from 2024-04-01, 10
    /// replications, seed 1" (and when "if still missing" duties are started, where that is not
    /// the default halfway).
    pub fn describe(&self) -> String {
        let lapsing = if self.lapsing_duties_start == 0.5 {
            String::new()
        } else if self.lapsing_duties_start == 0.0 {
            ", \u{201c}if still missing\u{201d} duties started at once".to_string()
        } else {
            format!(
                ", \u{201c}if still missing\u{201d} duties started {} % of the way through their time",
                (self.lapsing_duties_start * 1000.0).round() / 10.0
            )
        };
        let slots = match &self.strategy_meeting_slots {
            Some(m) => format!(", {}", slots_words(m)),
            None => String::new(),
        };
        format!(
            "{} — {}, {} days from {}, {} replication{}, seed {}{lapsing}{slots}",
            if self.name.is_empty() { "caseload" } else { &self.name },
            super::numbers::counted(self.children as f64, "child", "children"),
            self.horizon_days,
            self.start,
            self.replications,
            if self.replications == 1 { "" } else { "s" },
            self.seed
        )
    }
}

/// Measurements of this run on this machine: they differ between runs, so they are kept apart
/// from the results (which are identical for the same seed, however many threads).
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub wall_seconds: f64,
    /// Peak resident memory of the process (`VmHWM`), where the system reports it.
    pub peak_rss_bytes: Option<u64>,
    pub threads: usize,
    pub events_per_second: f64,
}

/// The whole summary (`summary.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub caseload: CaseloadInfo,
    /// Children per replication.
    pub children: i64,
    /// Episodes simulated, all replications and protocols together.
    pub episodes: u64,
    /// Engine events processed, all replications and protocols together.
    pub events: u64,
    pub protocols: Vec<ProtocolResult>,
    pub comparison: Option<Comparison>,
    /// What turns minutes of work into full-time posts, and the mark a promise is judged by, for
    /// the reports' verdict, staff hours and staffing answer (see `committee::Assumptions`).
    pub assumptions: super::committee::Assumptions,
    /// Written at the top level of the JSON, beside `children`, `episodes` and `events`.
    #[serde(flatten)]
    pub run: RunInfo,
}

impl Summary {
    /// Rules with a share met in time under at least one protocol, worst first (by the lowest
    /// share any protocol gives the rule; ties by id).
    pub fn rules_worst_first(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for p in &self.protocols {
            for r in &p.rules {
                if r.compliance.is_some() && !ids.contains(&r.id.as_str()) {
                    ids.push(&r.id);
                }
            }
        }
        ids.sort_by(|a, b| {
            self.worst_compliance(a)
                .total_cmp(&self.worst_compliance(b))
                .then_with(|| a.cmp(b))
        });
        ids
    }

    /// The lowest mean share met in time any protocol gives a rule (infinity where none has one).
    pub fn worst_compliance(&self, id: &str) -> f64 {
        self.protocols
            .iter()
            .filter_map(|p| p.rules.iter().find(|r| r.id == id).and_then(|r| r.compliance))
            .map(|e| e.mean)
            .fold(f64::INFINITY, f64::min)
    }
}

/// Peak resident set size of this process, from `/proc/self/status` (Linux); none elsewhere.
pub fn peak_rss_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Threads a run will use.
pub fn thread_count(opts: &StressOptions) -> usize {
    opts.threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Run and summarise: the library entry point (the CLI and the app both call this).
pub fn run(
    protocols: &[Arc<Protocol>],
    cl: &LoadedCaseload,
    opts: &StressOptions,
    tick: &(dyn Fn() + Sync),
) -> Summary {
    let t0 = std::time::Instant::now();
    let infos: Vec<ProtocolInfo> = protocols.iter().cloned().map(ProtocolInfo::new).collect();
    let cancel = AtomicBool::new(false);
    let all = run_all(&infos, cl, opts, tick, &cancel);
    let results: Vec<ProtocolResult> = infos.iter().zip(&all).map(|(i, r)| aggregate(i, cl, r)).collect();
    let comparison =
        (results.len() == 2).then(|| compare(&results[0], &results[1], &rule_changes(&protocols[0], &protocols[1])));
    let episodes = all.iter().flatten().map(|r| r.episodes).sum();
    let events: u64 = all.iter().flatten().map(|r| r.events).sum();
    let wall = t0.elapsed().as_secs_f64();
    let c = &cl.caseload;
    Summary {
        caseload: CaseloadInfo {
            name: c.name.clone(),
            file: cl.path.as_ref().map(|p| p.display().to_string()),
            children: c.children,
            horizon_days: c.horizon_days,
            start: cl.start.to_string(),
            replications: opts.replications,
            seed: opts.seed,
            staffing: c.staffing.clone(),
            lapsing_duties_start: c.lapsing_duties_start,
            strategy_meeting_slots: c.strategy_meeting_slots.clone(),
        },
        children: c.children,
        episodes,
        events,
        protocols: results,
        comparison,
        assumptions: Default::default(),
        run: RunInfo {
            wall_seconds: r4(wall),
            peak_rss_bytes: peak_rss_bytes(),
            threads: thread_count(opts),
            events_per_second: (events as f64 / wall.max(1e-9)).round(),
        },
    }
}

/// Days simulated by a run, all replications and protocols together (for progress bars).
pub fn total_days(protocols: usize, cl: &LoadedCaseload, opts: &StressOptions) -> u64 {
    protocols as u64 * opts.replications * cl.caseload.horizon_days.max(0) as u64
}
