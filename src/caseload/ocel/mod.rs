//! Export stress runs as an OCEL 2.0 object-centric event log (JSON), for process-mining tools
//! (pm4py, OCπ, Celonis…). One log can hold several protocols run on the same children
//! (`stress --compare --ocel`): every object's id names the protocol it was run under, and every
//! event says it (`protocol`), so the two runs never mix.
//!
//! Objects (ids `type:protocol/…`):
//! - `rule` (`rule:havering-2023-10/hv.rhi.offer-72h`): the rule's metadata, once — `rule`
//!   (its id), `what` (in words), `role`, `action`, `protocol`, the citation (`document`,
//!   `section`, `quote`), `strength` (`must` or `should`) and `time_limit` ("72 h", "no time
//!   limit"). Related to the role that owes its duties (`owed by`).
//! - `role`: `name`, `agency`, `protocol` (id) and `protocol_title`.
//! - `child`: age, legal status, placement, out of borough, risk factors, `protocol`.
//! - `episode`: number, and category over time (from each classification); related to its child
//!   (`episode of`).
//! - `obligation` (a duty): `rule` (the rule's id), and its outcome — `status` (the final one:
//!   `met`, `late`, `missed`, `cancelled`, `withdrawn`, `early`, `never told` for a duty whose
//!   role nobody told of the child, or `open` for a duty still open when the run ended), `settled` (when that status took effect; none for one still open),
//!   `deadline` (where there is one), `reason` and `queue_wait_minutes`. These are static values
//!   (OCEL's time 1970-01-01), so a tool's table of objects shows the outcome; the duty's course
//!   in time is its events. Related to its rule (`instance of`), the role that owes it
//!   (`owed by`), the child (`concerns`) and the episode it belongs to (`arises in`: the one open
//!   when it arose, or for a duty set off by the episode's closing, or by an act after it, the
//!   child's episode just ended).
//!
//! Events (each with the attribute `protocol`):
//! - each episode's happenings: `child leaves`, `whereabouts known`, `child found`,
//!   `child returns`, `episode closed`;
//! - `classified`: attributes `category` (id), `category_name` and, on a change,
//!   `previous_category` (id);
//! - `duty arises`, for every duty (related to its rule as `rule`);
//! - one event type per role and action, named by both in words ("RHI worker: Offer a return
//!   home interview"; the ids are the attribute `action` and the `done by` role), related to the
//!   duties it met (`meets`): two roles' acts never share an activity;
//! - the other ends of a duty: `deadline missed` (at the deadline), `duty not done by the end`
//!   (missed with no time limit: at the end of the run), `duty cancelled` (when it was cancelled:
//!   the child found, the episode closed, the interview declined…), `duty still open at the end`
//!   (not yet due, or in hand, when the run ended: at the end of the run), `met by an earlier act`
//!   (at once when it arose: an act done since the moment the rule counts from, before the duty
//!   existed), `done before its window opened` (an act before a window that opens later, none in
//!   it: at the end of the run), `duty withdrawn` (its classification superseded: the child
//!   reclassified), `role never told` (nobody told the role of the child, the handovers between
//!   agencies stopping before it: when the child's next episode began, or at the end of the
//!   run), `duty does not apply` (a trainee's duty whose conditions did not hold) and
//!   `wrongful action` (a trainee's act the protocol forbids).
//!
//! So every duty has exactly one closing event, at the time its final `status` took effect
//! (`settled`): the act that met it (met or late), or one of the events above.
//!
//! Qualifiers (event to object) mean the same on every event type: the child is `child`, the
//! episode `episode`, the duty `duty` on its own events and `meets` on the act that met it, the
//! role `owed by` on duty events and `done by` on action events, the rule `rule`. An action is
//! related to the episode of the duties it met (each, if they differ); an action that met none,
//! and a classification, to the child's episode open at the time (from its leaving to its
//! closing).
//!
//! Times: the simulation's clock is UK local wall-clock time with no daylight saving (every day
//! has 24 hours). Each time is written with the Europe/London offset in force at that local time:
//! `+01:00` in British Summer Time (from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
//! last Sunday of October), `+00:00` otherwise. Two local hours need a rule:
//! - the hour the clocks skip (01:00–01:59 on the last Sunday of March) does not exist: a time in
//!   it is written as the moment the clocks went forward, `02:00:00+01:00` (01:00 UTC);
//! - the hour that happens twice (01:00–01:59 on the last Sunday of October) is taken as its first
//!   occurrence, in summer time (`+01:00`).
//!
//! Both keep the written instants in the order of the simulation's times (never earlier for a
//! later time), so a tool that sorts by time sees the events in the order they happened. (A span
//! across a change of the clocks is an hour longer or shorter in written instants than on the
//! simulation's clock, which judges deadlines.)

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use serde::Serialize;

use super::LoadedCaseload;
use super::generate::{self, Plan};
use super::stress::{ProtocolInfo, run_plan};
use crate::sim::engine::Engine;

mod build;

#[derive(Debug, Serialize)]
pub struct Ocel {
    #[serde(rename = "objectTypes")]
    pub object_types: Vec<TypeDecl>,
    #[serde(rename = "eventTypes")]
    pub event_types: Vec<TypeDecl>,
    pub objects: Vec<Object>,
    pub events: Vec<Event>,
}

#[derive(Debug, Serialize)]
pub struct TypeDecl {
    pub name: String,
    pub attributes: Vec<AttrDecl>,
}

#[derive(Debug, Serialize)]
pub struct AttrDecl {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Serialize)]
pub struct Object {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub attributes: Vec<ObjectAttr>,
    pub relationships: Vec<Rel>,
}

#[derive(Debug, Serialize)]
pub struct ObjectAttr {
    pub name: String,
    pub value: serde_json::Value,
    pub time: String,
}

#[derive(Debug, Serialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub time: String,
    pub attributes: Vec<EventAttr>,
    pub relationships: Vec<Rel>,
}

#[derive(Debug, Serialize)]
pub struct EventAttr {
    pub name: String,
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rel {
    #[serde(rename = "objectId")]
    pub object_id: String,
    pub qualifier: String,
}

/// The last Sunday of a month that has 31 days (March, October).
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let last = NaiveDate::from_ymd_opt(year, month, 31).expect("a month of 31 days");
    last - chrono::Duration::days(last.weekday().num_days_from_sunday() as i64)
}

/// A UK local wall-clock time as written in the log: the local time and its offset from UTC in
/// hours (1 in British Summer Time, else 0). A time in the hour the clocks skip becomes the
/// moment they went forward (02:00, summer time); one in the hour that happens twice is taken in
/// summer time (its first occurrence). See the module's comment.
pub fn uk_local(t: NaiveDateTime) -> (NaiveDateTime, i32) {
    let year = t.year();
    let one = NaiveTime::from_hms_opt(1, 0, 0).expect("01:00");
    let two = NaiveTime::from_hms_opt(2, 0, 0).expect("02:00");
    // In local time, summer time runs from 02:00 on the last Sunday of March (01:00 UTC, when
    // 01:00 GMT becomes 02:00 BST) to 02:00 BST on the last Sunday of October (01:00 UTC).
    let spring = last_sunday(year, 3);
    let autumn = last_sunday(year, 10);
    let (gap_start, bst_start) = (spring.and_time(one), spring.and_time(two));
    let bst_end = autumn.and_time(two);
    if t >= gap_start && t < bst_start {
        (bst_start, 1)
    } else if t >= bst_start && t < bst_end {
        (t, 1)
    } else {
        (t, 0)
    }
}

/// A simulation time as an ISO 8601 instant with its UK offset (`+01:00` or `+00:00`).
pub fn ts(t: NaiveDateTime) -> String {
    let (local, offset) = uk_local(t);
    format!("{}+{offset:02}:00", local.format("%Y-%m-%dT%H:%M:%S"))
}

/// Run replication 0 of the caseload (its first `max_children` children, with every record
/// kept) under one protocol and build its event log. Returns the log and how many children it
/// covers.
pub fn export(info: &ProtocolInfo, cl: &LoadedCaseload, seed: u64, max_children: usize) -> (Ocel, usize) {
    let name = info.protocol.id.clone();
    export_all(&[(info, name.as_str())], cl, seed, max_children)
}

/// Run replication 0 under each protocol, on the same children and episodes, and log them all
/// in one log: each run's objects are named with its label (the protocol's id, or the name the
/// reports give it where two runs share an id).
pub fn export_all(
    runs: &[(&ProtocolInfo, &str)],
    cl: &LoadedCaseload,
    seed: u64,
    max_children: usize,
) -> (Ocel, usize) {
    let mut plan = generate::plan(cl, seed, 0);
    let n = plan.children.len().min(max_children.max(1));
    let mut parts = build::Parts::default();
    for (info, label) in runs {
        // The whole replication runs (so queues and waits are those of the real run); records
        // are kept for the first `n` children only.
        let (_, engine) = run_plan(info, cl, &mut plan, false, generate::engine_seed(seed, 0), n, |_| {});
        parts.add_run(&plan, &engine, label);
    }
    (parts.finish(), n)
}

/// Build the log from a run with records kept (for the children it kept them for).
pub fn build(plan: &Plan, e: &Engine) -> Ocel {
    let mut parts = build::Parts::default();
    parts.add_run(plan, e, &e.protocol.id);
    parts.finish()
}

#[cfg(test)]
mod tests;
