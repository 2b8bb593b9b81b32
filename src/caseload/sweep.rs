//! Staffing sweeps: the same caseload, seed and replications run with one role's rota at several
//! sizes, under a protocol (and its revision), to see how many workers each needs for the role's
//! duties to be met in time.
//!
//! Every level sees the same children and episodes (the caseload's children and episodes do not
//! depend on staffing), so the differences between levels are the staffing's alone.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::LoadedCaseload;
use super::report::{COLOURS, chart_frame, esc, est_cols, legend_line, pct, round_top, thousands};
use super::stress::{self, CaseloadInfo, Estimate, RunInfo, StressOptions, r4};
use crate::protocol::Protocol;

/// Most levels in one sweep (each is a whole stress run).
pub const MAX_LEVELS: usize = 20;

/// What `--sweep` varies instead of a role's workers: the caseload's strategy-meeting slots.
pub const MEETING_SLOTS: &str = "strategy_meeting_slots";

/// What to sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    pub role: String,
    /// Workers at each level, ascending, each once.
    pub levels: Vec<u64>,
    /// The share of the role's duties to be met in time (0 to 1).
    pub target: f64,
}

impl SweepSpec {
    /// Whether this sweeps the strategy-meeting slots (not a role's workers).
    pub fn is_slots(&self) -> bool {
        self.role == MEETING_SLOTS
    }

    /// What a level counts, one and many: `worker(s)` or `slot(s)`.
    pub fn unit(&self) -> (&'static str, &'static str) {
        match self.is_slots() {
            true => ("slot", "slots"),
            false => ("worker", "workers"),
        }
    }

    /// The caseload at `n` workers (or slots), or why it cannot be.
    pub fn caseload_at(&self, cl: &LoadedCaseload, n: u64, protocols: &[&Protocol]) -> Result<LoadedCaseload, String> {
        match self.is_slots() {
            true => cl.clone().with_meeting_slots(n),
            false => cl.clone().with_workers(&self.role, n, protocols),
        }
    }

    /// Parse `ROLE=N1,N2,…` (ranges `A-B` allowed: `rhi_worker=1-6`); levels are sorted and
    /// repeats dropped. Errors in words.
    pub fn parse(text: &str, target: f64) -> Result<Self, String> {
        let Some((role, list)) = text.split_once('=') else {
            return Err(format!(
                "write the role and the numbers of workers to try, such as rhi_worker=1,2,3,4 or rhi_worker=1-6, not `{text}`"
            ));
        };
        let role = role.trim();
        if role.is_empty() {
            return Err(format!(
                "name the role before `=` (such as rhi_worker=1-6), not `{text}`"
            ));
        }
        let mut levels = Vec::new();
        for part in list.split(',').map(str::trim) {
            if part.is_empty() {
                return Err(format!("an empty number of workers in `{text}`"));
            }
            let (a, b) = match part.split_once('-') {
                Some((a, b)) if !a.trim().is_empty() => (a.trim(), b.trim()),
                _ => (part, part),
            };
            let num = |s: &str| -> Result<u64, String> {
                match s.parse::<u64>() {
                    Ok(n) if (1..=super::MAX_WORKERS as u64).contains(&n) => Ok(n),
                    Ok(n) => Err(format!("from 1 to 100,000 workers on a rota, not {n}")),
                    Err(_) if s.starts_with('-') => Err(format!("workers cannot be negative ({s})")),
                    Err(_) => Err(format!("`{s}` is not a whole number of workers")),
                }
            };
            let (a, b) = (num(a)?, num(b)?);
            if b < a {
                return Err(format!("the range {part} runs backwards: write {b}-{a}"));
            }
            if b - a >= MAX_LEVELS as u64 {
                return Err(format!(
                    "at most {MAX_LEVELS} levels in a sweep, and {part} alone has {}",
                    b - a + 1
                ));
            }
            levels.extend(a..=b);
        }
        levels.sort_unstable();
        levels.dedup();
        if levels.len() > MAX_LEVELS {
            return Err(format!(
                "at most {MAX_LEVELS} levels in a sweep (each is a whole stress run), not {}",
                levels.len()
            ));
        }
        Ok(SweepSpec {
            role: role.to_string(),
            levels,
            target,
        })
    }
}

/// One protocol at one level: how the swept role fared.
#[derive(Debug, Clone, Serialize)]
pub struct SweepPoint {
    pub protocol: String,
    /// The role's duties with a time limit met in time, as a share of those that fell due (none:
    /// none fell due). Duties with no time limit are never late: a backlog of them shows in
    /// `open_at_end` and `rules_with_backlog` instead.
    pub met_in_time: Option<Estimate>,
    /// The role's duties done late, and missed, per replication.
    pub late: Estimate,
    pub missed: Estimate,
    /// The role's duties still open when the run ended, per replication.
    pub open_at_end: Estimate,
    /// The role's duties arising a week.
    pub duties_per_week: Estimate,
    /// Minutes waited in line for a free worker (or meeting slot), on average, and then for
    /// office hours (nights and weekends, where the role or the slots keep office hours): more
    /// workers shorten the first, not the second.
    pub mean_queue_wait_minutes: Option<Estimate>,
    pub mean_wait_for_office_hours_minutes: Option<Estimate>,
    /// Share of the workers' time on duty spent on actions.
    pub busy: Option<Estimate>,
    /// The role's rules left with a backlog (see `stress::has_backlog`).
    pub rules_with_backlog: Vec<String>,
    /// The role's rules met in time less often than the target, worst first.
    pub rules_below_target: Vec<RuleBelow>,
    /// All the staffed roles' duties met in time, and all rules', for context.
    pub duties_met_in_time_staffed_roles: Option<Estimate>,
    pub duties_met_in_time: Option<Estimate>,
}

impl SweepPoint {
    /// Meets the target: the role's duties met in time at or above it on average, **each** of the
    /// swept rules with a time limit too (the weakest decides: a pool can clear the target on
    /// duties in time by construction while every 72-hour interview is below it), and no backlog.
    pub fn meets(&self, target: f64) -> bool {
        self.rules_with_backlog.is_empty()
            && self.rules_below_target.is_empty()
            && self.met_in_time.is_some_and(|m| m.mean + 1e-9 >= target)
    }
}

/// One of the swept role's rules met in time less often than the target.
#[derive(Debug, Clone, Serialize)]
pub struct RuleBelow {
    pub rule: String,
    /// Met in time, as a share of the duties that fell due (mean).
    pub met_in_time: f64,
    /// What in the staffing most likely keeps it late (see `stress::likely_cause`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub likely_cause: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SweepLevel {
    pub workers: u64,
    /// In the order of `SweepSummary::protocols`.
    pub protocols: Vec<SweepPoint>,
}

/// The fewest workers tried that meet the target, per protocol.
#[derive(Debug, Clone, Serialize)]
pub struct Enough {
    pub protocol: String,
    /// None: no level tried meets it (or the protocol gives the role no duties that fell due).
    pub workers: Option<u64>,
    /// The answer in words.
    pub text: String,
    /// The answer does not rest on noise: the 95 % interval at the answer stays at or above the
    /// target (false with one replication, or where it reaches below).
    pub clear: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProtocolTitle {
    pub id: String,
    pub title: String,
}

/// The whole sweep (`sweep.json`).
#[derive(Debug, Clone, Serialize)]
pub struct SweepSummary {
    /// The role whose workers were varied, or `strategy_meeting_slots`.
    pub role: String,
    /// What a level counts: `workers`, or `slots` for `strategy_meeting_slots` (the levels'
    /// `workers` field then holds slots).
    pub unit: String,
    /// The role's name in the first protocol that has it ("Strategy-meeting slots" for slots).
    pub role_name: String,
    pub target: f64,
    /// The caseload as run at the first level (the swept role's workers change level by level).
    pub caseload: CaseloadInfo,
    pub protocols: Vec<ProtocolTitle>,
    pub levels: Vec<SweepLevel>,
    pub enough: Vec<Enough>,
    pub children: i64,
    /// Episodes and engine events, all levels, replications and protocols together.
    pub episodes: u64,
    pub events: u64,
    #[serde(flatten)]
    pub run: RunInfo,
}

/// Days simulated by a sweep (for progress bars).
pub fn total_days(protocols: usize, cl: &LoadedCaseload, opts: &StressOptions, spec: &SweepSpec) -> u64 {
    spec.levels.len() as u64 * stress::total_days(protocols, cl, opts)
}

/// Run the sweep. Every level is checked before any runs: a role the protocols do not have, or
/// one neither the caseload nor the defaults staff, is an error in words.
pub fn run(
    protocols: &[Arc<Protocol>],
    cl: &LoadedCaseload,
    opts: &StressOptions,
    spec: &SweepSpec,
    tick: &(dyn Fn() + Sync),
) -> Result<SweepSummary, String> {
    let t0 = std::time::Instant::now();
    let refs: Vec<&Protocol> = protocols.iter().map(|p| &**p).collect();
    if spec.levels.is_empty() {
        return Err("give at least one number of workers".into());
    }
    let caseloads = spec
        .levels
        .iter()
        .map(|n| spec.caseload_at(cl, *n, &refs))
        .collect::<Result<Vec<_>, _>>()?;
    let infos: Vec<stress::ProtocolInfo> = protocols.iter().cloned().map(stress::ProtocolInfo::new).collect();
    // The swept rules: the role's, or every rule holding a strategy meeting.
    let swept = |k: usize, rule: &crate::protocol::Rule| match spec.is_slots() {
        true => infos[k].held_actions.contains(&rule.action),
        false => rule.role == spec.role,
    };
    let mut levels = Vec::new();
    let (mut episodes, mut events) = (0, 0);
    let mut first_info = None;
    for (n, cl) in spec.levels.iter().zip(&caseloads) {
        let s = stress::run(protocols, cl, opts, tick);
        episodes += s.episodes;
        events += s.events;
        let points = s
            .protocols
            .iter()
            .zip(protocols)
            .enumerate()
            .map(|(k, (p, protocol))| {
                let zero = Estimate::of(&[0.0]);
                let rules_with_backlog = protocol
                    .rules
                    .iter()
                    .zip(&p.rules)
                    .filter(|(rule, r)| swept(k, rule) && stress::has_backlog(rule, r))
                    .map(|(rule, _)| rule.id.clone())
                    .collect();
                let mut rules_below_target: Vec<RuleBelow> = protocol
                    .rules
                    .iter()
                    .zip(&p.rules)
                    .filter(|(rule, _)| swept(k, rule))
                    .map(|(_, r)| r)
                    .filter_map(|r| {
                        r.compliance.filter(|c| c.mean + 1e-9 < spec.target).map(|c| RuleBelow {
                            rule: r.id.clone(),
                            met_in_time: c.mean,
                            likely_cause: r.likely_cause.clone(),
                        })
                    })
                    .collect();
                rules_below_target.sort_by(|a, b| a.met_in_time.total_cmp(&b.met_in_time));
                // The swept duties as a group, the wait and how busy: the meeting duties and the
                // slots', or the role's.
                let (group, wait, office, busy) = match spec.is_slots() {
                    true => {
                        let slots = p.meeting_slots.as_ref();
                        (
                            p.meeting_duties.clone(),
                            slots.and_then(|m| m.mean_wait_minutes),
                            slots.and_then(|m| m.mean_office_hours_wait_minutes),
                            slots.map(|m| m.busy),
                        )
                    }
                    false => {
                        let role = p.roles.iter().find(|r| r.id == spec.role);
                        (
                            role.map(|r| stress::DutyGroup {
                                compliance: r.compliance,
                                compliance_timed: r.compliance_timed,
                                late: r.late,
                                missed: r.missed,
                                outstanding: r.outstanding,
                                duties_per_week: r.duties_per_week,
                                mean_queue_wait_minutes: r.mean_queue_wait_minutes,
                            }),
                            role.and_then(|r| r.mean_wait_for_worker_minutes),
                            role.and_then(|r| r.mean_wait_for_office_hours_minutes),
                            role.and_then(|r| r.utilisation),
                        )
                    }
                };
                let g = group.as_ref();
                SweepPoint {
                    protocol: p.id.clone(),
                    met_in_time: g.and_then(|d| d.compliance_timed),
                    late: g.map_or(zero, |d| d.late),
                    missed: g.map_or(zero, |d| d.missed),
                    open_at_end: g.map_or(zero, |d| d.outstanding),
                    duties_per_week: g.map_or(zero, |d| d.duties_per_week),
                    mean_queue_wait_minutes: wait,
                    mean_wait_for_office_hours_minutes: office,
                    busy,
                    rules_with_backlog,
                    rules_below_target,
                    duties_met_in_time_staffed_roles: p.compliance_staffed,
                    duties_met_in_time: p.compliance,
                }
            })
            .collect();
        levels.push(SweepLevel {
            workers: *n,
            protocols: points,
        });
        first_info.get_or_insert(s.caseload);
    }
    let role_name = match spec.is_slots() {
        true => "Strategy-meeting slots".to_string(),
        false => protocols
            .iter()
            .find_map(|p| p.role(&spec.role).map(|r| r.name.clone()))
            .unwrap_or_else(|| spec.role.clone()),
    };
    let enough = protocols
        .iter()
        .enumerate()
        .map(|(k, p)| enough(&p.id, &role_name, spec, &levels, k, infos[k].held_actions.is_empty()))
        .collect();
    let wall = t0.elapsed().as_secs_f64();
    Ok(SweepSummary {
        role: spec.role.clone(),
        unit: spec.unit().1.into(),
        role_name,
        target: spec.target,
        caseload: first_info.expect("at least one level"),
        protocols: protocols
            .iter()
            .map(|p| ProtocolTitle {
                id: p.id.clone(),
                title: p.full_title(),
            })
            .collect(),
        levels,
        enough,
        children: cl.caseload.children,
        episodes,
        events,
        run: RunInfo {
            wall_seconds: r4(wall),
            peak_rss_bytes: stress::peak_rss_bytes(),
            threads: stress::thread_count(opts),
            events_per_second: (events as f64 / wall.max(1e-9)).round(),
        },
    })
}

fn unit_word(spec: &SweepSpec, n: u64) -> &'static str {
    if n == 1 { spec.unit().0 } else { spec.unit().1 }
}

/// The fewest workers tried that meet the target under protocol `k`, in words.
/// `no_meetings`: the protocol holds no strategy meetings.
fn enough(id: &str, role_name: &str, spec: &SweepSpec, levels: &[SweepLevel], k: usize, no_meetings: bool) -> Enough {
    let target = format!("{:.0} %", spec.target * 100.0);
    let points: Vec<(u64, &SweepPoint)> = levels.iter().map(|l| (l.workers, &l.protocols[k])).collect();
    if points.iter().all(|(_, p)| p.met_in_time.is_none()) {
        return Enough {
            clear: true,
            protocol: id.into(),
            workers: None,
            text: match (spec.is_slots(), no_meetings) {
                (true, true) => {
                    format!("{id}: the protocol holds no strategy meetings: slots make no difference to it")
                }
                (true, false) => {
                    format!("{id}: no duty with a time limit to hold a strategy meeting fell due in this caseload")
                }
                (false, _) => {
                    format!("{id}: none of the duties with a time limit it gives {role_name} fell due in this caseload")
                }
            },
        };
    }
    match points.iter().find(|(_, p)| p.meets(spec.target)) {
        Some((n, p)) => {
            let m = p.met_in_time.expect("meets has a share");
            let low = m.lo.is_some_and(|lo| lo < spec.target);
            let mut text = format!(
                "{id}: {} {} {}: {} of {} met in time, no backlog",
                thousands(*n as f64),
                unit_word(spec, *n),
                match (*n == spec.levels[0], *n == 1) {
                    (true, true) => format!("(the fewest tried) reaches {target}"),
                    (true, false) => format!("(the fewest tried) reach {target}"),
                    (false, true) => format!("reaches {target}"),
                    (false, false) => format!("reach {target}"),
                },
                pct(&p.met_in_time),
                if spec.is_slots() {
                    "its duties to hold a meeting (with a time limit)"
                } else {
                    "its duties with a time limit"
                },
            );
            if m.lo.is_none() {
                text += " (one replication: no interval to judge it by; run three or more)";
            } else if low {
                text += " (the 95 % interval reaches below the target: run more replications to be sure)";
            }
            // A gap below: a smaller number between the one before and this one was not tried.
            if let Some(before) = spec.levels.iter().copied().filter(|l| l < n).max()
                && before + 1 < *n
            {
                text += &format!(
                    " (no number between {} and {} was tried: fewer may do)",
                    thousands(before as f64),
                    thousands(*n as f64)
                );
            }
            Enough {
                clear: m.lo.is_some() && !low,
                protocol: id.into(),
                workers: Some(*n),
                text,
            }
        }
        None => {
            let (n, last) = points.last().expect("levels");
            let why = match last.rules_with_backlog.is_empty() {
                true => format!("{} met in time", pct(&last.met_in_time)),
                false => format!(
                    "{} met in time, and a backlog in {}",
                    pct(&last.met_in_time),
                    last.rules_with_backlog.join(", ")
                ),
            };
            // What holds it down with the most workers tried: the worst rule, and why.
            let held = match last.rules_below_target.first() {
                Some(r) => format!(
                    "; held down by {} ({:.1} % in time{})",
                    r.rule,
                    r.met_in_time * 100.0,
                    r.likely_cause.as_ref().map(|c| format!(": {c}")).unwrap_or_default()
                ),
                None => String::new(),
            };
            // Where the most tried did no better than the fewest, more will not either: say
            // what holds it down instead (nights and weekends, or the roles' own pace).
            let (n0, first) = points[0];
            let flat = match (first.met_in_time, last.met_in_time) {
                (Some(a), Some(b)) => points.len() > 1 && (b.mean - a.mean).abs() < 0.005,
                _ => false,
            };
            let flat = match flat {
                true => {
                    let in_line = last.mean_queue_wait_minutes.map_or(0.0, |w| w.mean);
                    let office = last.mean_wait_for_office_hours_minutes.map_or(0.0, |w| w.mean);
                    let what = if office > in_line {
                        format!(
                            "the wait is for office hours ({} on average, against {} in line): the hours kept, not the number, hold it down",
                            stress::wait_short(office),
                            stress::wait_short(in_line)
                        )
                    } else {
                        "the number is not what holds it down".to_string()
                    };
                    format!(
                        ". More {} made no difference ({} with {}, {} with {}): {what}",
                        spec.unit().1,
                        pct(&first.met_in_time),
                        thousands(n0 as f64),
                        pct(&last.met_in_time),
                        thousands(*n as f64)
                    )
                }
                false => String::new(),
            };
            // Clearly not reached: the interval at the most tried stays below the target, or a
            // rule with a time limit is below it.
            let clear = !last.rules_below_target.is_empty()
                || !last.rules_with_backlog.is_empty()
                || last
                    .met_in_time
                    .is_some_and(|m| m.hi.is_some_and(|hi| hi < spec.target));
            Enough {
                clear,
                protocol: id.into(),
                workers: None,
                text: format!(
                    "{id}: not reached with up to {} {}: {why}{held}{flat}",
                    thousands(*n as f64),
                    unit_word(spec, *n)
                ),
            }
        }
    }
}

impl SweepSummary {
    /// Whether this swept the strategy-meeting slots (not a role's workers).
    pub fn is_slots(&self) -> bool {
        self.role == MEETING_SLOTS
    }

    /// The duties swept, in words.
    pub fn duties_words(&self) -> &'static str {
        match self.is_slots() {
            true => "the duties to hold a strategy meeting",
            false => "the role's duties",
        }
    }
}

/// A busy share: whole percent, but never 100 % for one short of it.
fn busy_text(b: f64) -> String {
    let p = b * 100.0;
    if (99.5..100.0).contains(&p) {
        format!("{:.1} %", p.min(99.9))
    } else {
        format!("{p:.0} %")
    }
}

fn minutes_text(e: &Option<Estimate>) -> String {
    e.map(|e| e.text(0)).unwrap_or_else(|| "—".into())
}

/// The terminal report.
pub fn to_text(s: &SweepSummary) -> String {
    let mut o = String::new();
    let c = &s.caseload;
    let _ = writeln!(
        o,
        "Staffing sweep: {} (`{}`) at {} {}",
        s.role_name,
        s.role,
        s.levels
            .iter()
            .map(|l| thousands(l.workers as f64))
            .collect::<Vec<_>>()
            .join(", "),
        match (s.levels.len() == 1 && s.levels[0].workers == 1, s.is_slots()) {
            (true, true) => "slot",
            (false, true) => "slots",
            (true, false) => "worker",
            (false, false) => "workers",
        }
    );
    let _ = writeln!(
        o,
        "Caseload {}: {} children (synthetic), {} days from {}, {} replication{} from seed {}; every level runs on the same children and episodes",
        if c.name.is_empty() { "(built-in)" } else { &c.name },
        thousands(c.children as f64),
        c.horizon_days,
        c.start,
        c.replications,
        if c.replications == 1 { "" } else { "s" },
        c.seed
    );
    let _ = writeln!(
        o,
        "Target: {:.0} % of {} with a time limit met in time (of those that fell due), with no backlog",
        s.target * 100.0,
        s.duties_words()
    );
    for (k, p) in s.protocols.iter().enumerate() {
        let _ = writeln!(o, "\n{} — {}", p.id, p.title);
        let _ = writeln!(
            o,
            "  {:>7}  {:<22} {:>9} {:>9} {:>11} {:>9} {:>9} {:>7}  backlog",
            s.unit, "met in time", "late", "missed", "open at end", "wait", "+ office", "busy"
        );
        for l in &s.levels {
            let x = &l.protocols[k];
            let _ = writeln!(
                o,
                "  {:>7}  {:<22} {:>9} {:>9} {:>11} {:>9} {:>9} {:>7}  {}",
                thousands(l.workers as f64),
                pct(&x.met_in_time),
                thousands(x.late.mean),
                thousands(x.missed.mean),
                thousands(x.open_at_end.mean),
                x.mean_queue_wait_minutes
                    .map_or("—".into(), |w| stress::wait_short(w.mean)),
                x.mean_wait_for_office_hours_minutes
                    .map_or("—".into(), |w| stress::wait_short(w.mean)),
                x.busy.map_or("—".into(), |b| busy_text(b.mean)),
                match x.rules_with_backlog.len() {
                    0 => "—".to_string(),
                    1 => format!("1 rule ({})", x.rules_with_backlog[0]),
                    n => format!("{n} rules"),
                }
            );
        }
    }
    let _ = writeln!(
        o,
        "\n(met in time: {} with a time limit; late, missed, open at end: {} per replication; wait: in \
         line {}, on average; + office: then for office hours (nights and weekends: more {} do not shorten \
         it); busy: {}; backlog: rules with a tenth or more of their duties still waiting at the end — \
         sweep.csv and sweep.json name them)",
        s.duties_words(),
        s.duties_words(),
        if s.is_slots() {
            "for a free slot"
        } else {
            "for a free worker"
        },
        s.unit,
        if s.is_slots() {
            "share of the slots' time that meetings took"
        } else {
            "share of the workers' time on duty booked for duties"
        }
    );
    if s.is_slots() {
        let _ = writeln!(
            o,
            "(Slots keep office hours unless the caseload says otherwise, so even many slots are not \
             the same as no limit: meetings still wait for office hours. Compare with a run without \
             --sweep for the caseload as it is.)"
        );
    }
    if c.replications == 1 {
        let _ = writeln!(
            o,
            "(One replication: no intervals; run three or more before deciding on staff.)"
        );
    }
    let _ = writeln!(
        o,
        "\nFewest {} of those tried for {:.0} % in time with no backlog:",
        s.unit,
        s.target * 100.0
    );
    for e in &s.enough {
        let _ = writeln!(o, "  {}", e.text);
    }
    let _ = writeln!(
        o,
        "\n{} episodes, {} events, all levels together, in {:.2} s",
        thousands(s.episodes as f64),
        thousands(s.events as f64),
        s.run.wall_seconds
    );
    o
}

/// An x–y chart of one measure against the workers, a line per protocol with 95 % whiskers,
/// and an optional dashed target line. `share`: values are shares, drawn as 0–100 %.
fn chart(
    s: &SweepSummary,
    title: &str,
    y_label: &str,
    share: bool,
    value: &dyn Fn(&SweepPoint) -> Option<Estimate>,
) -> String {
    let (w, h) = (760.0, 320.0);
    let (left, right, top, bottom) = (60.0, 200.0, 28.0, 40.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let xs: Vec<f64> = s.levels.iter().map(|l| l.workers as f64).collect();
    let (x0, x1) = (xs[0], xs[xs.len() - 1]);
    let xpos = |x: f64| match x1 > x0 {
        true => left + pw * (x - x0) / (x1 - x0),
        false => left + pw / 2.0,
    };
    let scale = if share { 100.0 } else { 1.0 };
    let ymax = match share {
        true => 100.0,
        false => round_top(
            s.levels
                .iter()
                .flat_map(|l| l.protocols.iter().filter_map(value))
                .map(|e| e.hi.unwrap_or(e.mean).max(e.mean))
                .fold(0.0f64, f64::max)
                .max(1.0),
        ),
    };
    let ypos = |v: f64| top + ph - ph * (v * scale / ymax).clamp(0.0, 1.0);
    let mut o = chart_frame(title, (w, h), (left, top, pw, ph), ymax, if share { " %" } else { "" });
    for x in &xs {
        let _ = write!(
            o,
            r#"<text x="{:.1}" y="{}" font-size="10" text-anchor="middle">{x}</text>"#,
            xpos(*x),
            top + ph + 14.0
        );
    }
    let _ = write!(
        o,
        r#"<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text><text x="12" y="{}" font-size="10" transform="rotate(-90 12 {})" text-anchor="middle">{}</text>"#,
        left + pw / 2.0,
        h - 6.0,
        esc(&match s.is_slots() {
            true => "strategy meetings that can be held at once".to_string(),
            false => format!("workers on the rota ({})", s.role_name),
        }),
        top + ph / 2.0,
        top + ph / 2.0,
        esc(y_label)
    );
    if share {
        let y = ypos(s.target);
        let _ = write!(
            o,
            r##"<line x1="{left}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#c0392b" stroke-dasharray="6 4"/><text x="{}" y="{:.1}" font-size="10" fill="#c0392b">target {:.0} %</text>"##,
            left + pw,
            left + pw + 6.0,
            y + 3.0,
            s.target * 100.0
        );
    }
    for (k, p) in s.protocols.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        // The revision dashed: where the two lines coincide, both still show.
        let dash = if k > 0 { r#" stroke-dasharray="6 3""# } else { "" };
        let pts: Vec<(f64, Estimate)> = s
            .levels
            .iter()
            .filter_map(|l| value(&l.protocols[k]).map(|e| (l.workers as f64, e)))
            .collect();
        let line: Vec<String> = pts
            .iter()
            .map(|(x, e)| format!("{:.1},{:.1}", xpos(*x), ypos(e.mean)))
            .collect();
        let _ = write!(
            o,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="1.8"{dash} points="{}"/>"#,
            line.join(" ")
        );
        for (x, e) in &pts {
            let (cx, cy) = (xpos(*x), ypos(e.mean));
            let shown = match share {
                true => format!("{:.1} %", e.mean * 100.0),
                false => format!("{:.1}", e.mean),
            };
            let _ = write!(
                o,
                r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="3" fill="{colour}"><title>{}: {x} — {shown}</title></circle>"#,
                esc(&p.id)
            );
            if let (Some(lo), Some(hi)) = (e.lo, e.hi) {
                let (y1, y2) = (ypos(lo), ypos(hi));
                let _ = write!(
                    o,
                    r#"<line x1="{cx:.1}" y1="{y1:.1}" x2="{cx:.1}" y2="{y2:.1}" stroke="{colour}"/><line x1="{:.1}" y1="{y1:.1}" x2="{:.1}" y2="{y1:.1}" stroke="{colour}"/><line x1="{:.1}" y1="{y2:.1}" x2="{:.1}" y2="{y2:.1}" stroke="{colour}"/>"#,
                    cx - 3.0,
                    cx + 3.0,
                    cx - 3.0,
                    cx + 3.0
                );
            }
        }
        o += &legend_line(left + pw + 10.0, top + 30.0 + 15.0 * k as f64, colour, dash, &p.id);
    }
    o + "</svg>"
}

/// The self-contained HTML page.
pub fn to_html(s: &SweepSummary) -> String {
    let c = &s.caseload;
    let title = format!("Staffing sweep — {} ({})", s.role_name, s.role);
    // The reports' style sheet: A4 print, table headings repeated on every page.
    let mut o = super::report::page_head(&title, "");
    let _ = write!(o, "<h1>{}</h1>", esc(&title));
    let _ = write!(
        o,
        r#"<p class="note">A synthetic caseload: no real child is in it. Caseload {} ({}, {} days from {}), {} replication{} from seed {} at each level; every level runs on the same children and episodes, so the differences are the staffing's. Figures are means per replication with 95 % confidence intervals. “Met in time”: {} with a time limit done by their deadline, as a share of those that fell due (a duty with no time limit is never late); a backlog is a rule with no time limit with a tenth or more of its duties still waiting when the run ended. The wait in line for a free {} is what more {} shorten; the wait for office hours after it (nights and weekends) is not.{}{}</p>"#,
        esc(if c.name.is_empty() { "(built-in)" } else { &c.name }),
        super::report::counted(c.children as f64, "child", "children"),
        c.horizon_days,
        esc(&c.start),
        c.replications,
        if c.replications == 1 { "" } else { "s" },
        c.seed,
        s.duties_words(),
        if s.is_slots() { "slot" } else { "worker" },
        s.unit,
        if s.is_slots() {
            " Slots keep office hours unless the caseload says otherwise, so even many slots are not the same as no limit."
        } else {
            ""
        },
        if c.replications == 1 {
            " One replication: no intervals; run three or more before deciding on staff."
        } else {
            ""
        }
    );
    let _ = write!(
        o,
        "<h2>Fewest {} of those tried for {:.0} % in time, with no backlog</h2><ul>",
        s.unit,
        s.target * 100.0
    );
    for e in &s.enough {
        let _ = write!(o, "<li>{}</li>", esc(&e.text));
    }
    o += "</ul><ul>";
    for p in &s.protocols {
        let _ = write!(o, "<li><b>{}</b>: {}</li>", esc(&p.id), esc(&p.title));
    }
    o += "</ul>";
    o += &chart(
        s,
        &format!("{}: duties met in time", s.role_name),
        "% of the duties that fell due",
        true,
        &|p| p.met_in_time,
    );
    o += &chart(
        s,
        &format!(
            "{}: hours waiting in line for a free {}",
            s.role_name,
            if s.is_slots() { "slot" } else { "worker" }
        ),
        "hours, on average",
        false,
        &|p| {
            p.mean_queue_wait_minutes.map(|w| Estimate {
                mean: w.mean / 60.0,
                lo: w.lo.map(|x| x / 60.0),
                hi: w.hi.map(|x| x / 60.0),
            })
        },
    );
    o += &chart(
        s,
        &format!("{}: duties still open at the end", s.role_name),
        "duties per replication",
        false,
        &|p| Some(p.open_at_end),
    );
    for (k, p) in s.protocols.iter().enumerate() {
        let _ = write!(
            o,
            "<h2>{}</h2><table><thead><tr><th>{}</th><th>Met in time</th><th>Late per replication</th><th>Missed per replication</th><th>Open at the end</th><th>Duties a week</th><th>Wait in line (min)</th><th>Then for office hours (min)</th><th>Busy</th><th>Backlog in</th><th>Staffed roles met in time</th></tr></thead>",
            esc(&p.id),
            super::report::upper_first(&s.unit)
        );
        for l in &s.levels {
            let x = &l.protocols[k];
            let _ = write!(
                o,
                r#"<tr><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td><td class="n">{}</td></tr>"#,
                l.workers,
                esc(&pct(&x.met_in_time)),
                esc(&x.late.text(1)),
                esc(&x.missed.text(1)),
                esc(&x.open_at_end.text(1)),
                esc(&x.duties_per_week.text(1)),
                esc(&minutes_text(&x.mean_queue_wait_minutes)),
                esc(&minutes_text(&x.mean_wait_for_office_hours_minutes)),
                esc(&pct(&x.busy)),
                esc(&if x.rules_with_backlog.is_empty() {
                    "—".into()
                } else {
                    x.rules_with_backlog.join(", ")
                }),
                esc(&pct(&x.duties_met_in_time_staffed_roles))
            );
        }
        o += "</table>";
    }
    let _ = write!(
        o,
        r#"<p class="note">{} episodes and {} engine events, all levels together, in {:.2} s.</p></body></html>"#,
        thousands(s.episodes as f64),
        thousands(s.events as f64),
        s.run.wall_seconds
    );
    o
}

/// Write `sweep.csv`, `sweep.json` and `sweep.html` into `dir`.
pub fn write_all(s: &SweepSummary, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let csv_err = |e: csv::Error| std::io::Error::other(e.to_string());
    let path = dir.join("sweep.csv");
    let mut w = csv::Writer::from_path(&path).map_err(csv_err)?;
    w.write_record(crate::escape::csv_record(&[
        "protocol",
        "role",
        "workers",
        "met_in_time",
        "met_in_time_lo",
        "met_in_time_hi",
        "late",
        "missed",
        "open_at_end",
        "duties_per_week",
        "mean_queue_wait_minutes",
        "mean_wait_for_office_hours_minutes",
        "busy",
        "rules_with_backlog",
        "meets_target",
        "duties_met_in_time_staffed_roles",
        "duties_met_in_time",
    ]))
    .map_err(csv_err)?;
    for l in &s.levels {
        for x in &l.protocols {
            let m = est_cols(&x.met_in_time);
            let opt_mean = |e: &Option<Estimate>| e.map(|e| e.mean.to_string()).unwrap_or_default();
            w.write_record(crate::escape::csv_record(&[
                x.protocol.clone(),
                s.role.clone(),
                l.workers.to_string(),
                m[0].clone(),
                m[1].clone(),
                m[2].clone(),
                x.late.mean.to_string(),
                x.missed.mean.to_string(),
                x.open_at_end.mean.to_string(),
                x.duties_per_week.mean.to_string(),
                opt_mean(&x.mean_queue_wait_minutes),
                opt_mean(&x.mean_wait_for_office_hours_minutes),
                opt_mean(&x.busy),
                x.rules_with_backlog.join(" "),
                x.meets(s.target).to_string(),
                opt_mean(&x.duties_met_in_time_staffed_roles),
                opt_mean(&x.duties_met_in_time),
            ]))
            .map_err(csv_err)?;
        }
    }
    w.flush()?;
    let mut written = vec![path];
    let path = dir.join("sweep.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(s).map_err(std::io::Error::other)? + "\n",
    )?;
    written.push(path);
    let path = dir.join("sweep.html");
    std::fs::write(&path, to_html(s))?;
    written.push(path);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_read_as_lists_and_ranges_sorted_once_each() {
        let s = SweepSpec::parse("rhi_worker=4,1-3, 2", 0.95).expect("parses");
        assert_eq!(s.role, "rhi_worker");
        assert_eq!(s.levels, vec![1, 2, 3, 4]);
    }

    #[test]
    fn bad_levels_say_what_is_wrong() {
        let err = |t: &str| SweepSpec::parse(t, 0.95).expect_err(t);
        assert!(err("rhi_worker").contains("rhi_worker=1,2,3,4"));
        assert!(err("=1,2").contains("name the role"));
        assert!(err("rhi_worker=0,1").contains("not 0"));
        assert!(err("rhi_worker=6-2").contains("write 2-6"));
        assert!(err("rhi_worker=1-50").contains("at most 20 levels"));
        assert!(err("rhi_worker=two").contains("`two` is not a whole number"));
        assert!(err("rhi_worker=1,,2").contains("empty"));
    }
}
