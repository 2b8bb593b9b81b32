//! Export one run as an OCEL 2.0 object-centric event log (JSON), for process-mining tools
//! (pm4py, OCπ, Celonis…).
//!
//! Objects:
//! - `child`: age, legal status, placement, out of borough, risk factors.
//! - `episode`: number, and category over time (from each classification); related to its child
//!   (`episode of`).
//! - `obligation` (a duty): `rule`, `action`, `protocol` (the protocol's id), the rule's citation
//!   (`document`, the source document's title, and `section`), `strength` (`must` or `should`),
//!   `time_limit` (the rule's, in words: "72 h", "no time limit"), `deadline` (a time; only where
//!   there is one), `status` (time-varying: `open` when the duty arises, then its final value when
//!   it settles) and, at the settle time, `reason` and `queue_wait_minutes`. Related to the role
//!   that owes it (`owed by`), the child (`concerns`) and the episode it arose in (`arises in`).
//! - `role`: name, agency, `protocol` (the protocol's id) and `protocol_title`: the log names the
//!   protocol it was run under on every role (and every duty).
//!
//! Events:
//! - each episode's happenings: `child leaves`, `whereabouts known`, `child found`,
//!   `child returns`, `episode closed`;
//! - `classified`: attributes `category` (id), `category_name` and, on a change,
//!   `previous_category` (id);
//! - `duty arises`, for every duty;
//! - one event type per action, named by the action's readable name (the protocol's `name`; the
//!   id is the attribute `action`), related to the duties it met (`meets`);
//! - the other ends of a duty: `deadline missed` (at the deadline), `duty not done by the end`
//!   (missed with no time limit: at the end of the run), `duty cancelled` (when it was cancelled:
//!   the child found, the episode closed, the interview declined…), `duty still open at the end`
//!   (not yet due, or in hand, when the run ended: at the end of the run), `met by an earlier act`
//!   (at once when it arose: an act done since the moment the rule counts from, before the duty
//!   existed), `done before its window opened` (an act before a window that opens later, none in
//!   it: at the end of the run), `duty withdrawn` (its classification superseded: the child reclassified),
//!   `duty does not apply`
//!   (a trainee's duty whose conditions did not hold) and `wrongful action` (a trainee's act the
//!   protocol forbids).
//!
//! So every duty has exactly one closing event, at the time its final `status` takes effect: the
//! act that met it (met or late), or one of the events above.
//!
//! Qualifiers (event to object) mean the same on every event type: the child is `child`, the
//! episode `episode`, the duty `duty` on its own events and `meets` on the act that met it, the
//! role `owed by` on duty events and `done by` on action events. An action is related to the
//! episode of the duties it met (each, if they differ); an action that met none, and a
//! classification, to the child's episode open at the time (from its leaving to its closing).
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
//! later time), so a tool that sorts by time sees the events in the order they happened.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use serde::Serialize;

use super::LoadedCaseload;
use super::generate::{self, Plan};
use super::stress::{ProtocolInfo, run_plan};
use crate::protocol::Strength;
use crate::sim::engine::{Engine, Status};

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

fn decl(name: &str, attrs: &[(&str, &str)]) -> TypeDecl {
    TypeDecl {
        name: name.into(),
        attributes: attrs
            .iter()
            .map(|(n, k)| AttrDecl {
                name: n.to_string(),
                kind: k.to_string(),
            })
            .collect(),
    }
}

fn rel(id: impl Into<String>, q: &str) -> Rel {
    Rel {
        object_id: id.into(),
        qualifier: q.into(),
    }
}

fn attr(name: &str, value: impl Into<serde_json::Value>) -> EventAttr {
    EventAttr {
        name: name.into(),
        value: value.into(),
    }
}

fn oattr(name: &str, value: impl Into<serde_json::Value>, t: NaiveDateTime) -> ObjectAttr {
    ObjectAttr {
        name: name.into(),
        value: value.into(),
        time: ts(t),
    }
}

fn event(kind: &str, t: NaiveDateTime, attributes: Vec<EventAttr>, relationships: Vec<Rel>) -> (NaiveDateTime, Event) {
    (
        t,
        Event {
            id: String::new(),
            kind: kind.into(),
            time: ts(t),
            attributes,
            relationships,
        },
    )
}

/// The episode lifecycle's event types.
const EPISODE_EVENTS: [&str; 5] = [
    "child leaves",
    "whereabouts known",
    "child found",
    "child returns",
    "episode closed",
];

/// The event types that end a duty (other than the act that meets it).
const DUTY_ENDS: [&str; 9] = [
    "done before its window opened",
    "met by an earlier act",
    "duty withdrawn",
    "deadline missed",
    "duty not done by the end",
    "duty cancelled",
    "duty still open at the end",
    "duty does not apply",
    "wrongful action",
];

/// Every event type that is not an action's.
fn is_lifecycle(kind: &str) -> bool {
    EPISODE_EVENTS.contains(&kind) || DUTY_ENDS.contains(&kind) || kind == "duty arises" || kind == "classified"
}

/// Run replication 0 of the caseload (its first `max_children` children, with every record
/// kept) under one protocol and build its event log. Returns the log and how many children it
/// covers.
pub fn export(info: &ProtocolInfo, cl: &LoadedCaseload, seed: u64, max_children: usize) -> (Ocel, usize) {
    let mut plan = generate::plan(cl, seed, 0);
    let n = plan.children.len().min(max_children.max(1));
    // The whole replication runs (so queues and waits are those of the real run); records are
    // kept for the first `n` children only.
    let (_, engine) = run_plan(info, cl, &mut plan, false, generate::engine_seed(seed, 0), n, |_| {});
    (build(&plan, &engine), n)
}

/// Build the log from a run with records kept (for the children it kept them for).
pub fn build(plan: &Plan, e: &Engine) -> Ocel {
    let kept = e.record_children.min(e.children.len());
    let p = &e.protocol;
    let start = plan.start;
    let end = plan.end;
    let child_id = |c: usize| format!("child:{}", e.children[c].profile.name);
    let mut objects = Vec::new();
    for r in &p.roles {
        objects.push(Object {
            id: format!("role:{}", r.id),
            kind: "role".into(),
            attributes: vec![
                oattr("name", r.name.clone(), start),
                oattr("agency", format!("{:?}", r.agency), start),
                oattr("protocol", p.id.clone(), start),
                oattr("protocol_title", p.title.clone(), start),
            ],
            relationships: vec![],
        });
    }
    for (c, ch) in e.children.iter().enumerate().take(kept) {
        let pr = &ch.profile;
        objects.push(Object {
            id: child_id(c),
            kind: "child".into(),
            attributes: vec![
                oattr("age", pr.age_at(start), start),
                oattr(
                    "legal_status",
                    pr.legal_status
                        .iter()
                        .map(|s| format!("{s:?}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    start,
                ),
                oattr("placement", format!("{:?}", pr.placement), start),
                oattr("out_of_borough", pr.out_of_borough, start),
                oattr("risk_factors", pr.risk_factors.join(", "), start),
            ],
            relationships: vec![],
        });
    }
    // Episodes: the plan's, numbered as the engine numbers them (after earlier episodes).
    let mut next_number: Vec<u32> = e
        .children
        .iter()
        .map(|c| c.history.iter().filter(|t| **t < start).count() as u32)
        .collect();
    // By child: (left, closed, number) of each episode.
    let mut episodes_of: Vec<Vec<(NaiveDateTime, NaiveDateTime, u32)>> = vec![Vec::new(); kept];
    // Where each episode's object is in `objects`, by (child, number).
    let mut episode_object: HashMap<(usize, u32), usize> = HashMap::new();
    let mut events: Vec<(NaiveDateTime, Event)> = Vec::new();
    let ep_id = |c: usize, n: u32| format!("episode:{}/{}", e.children[c].profile.name, n);
    let at = |m: i64| start + chrono::Duration::minutes(m);
    for pe in plan.episodes.iter().filter(|pe| (pe.child as usize) < kept) {
        let c = pe.child as usize;
        next_number[c] += 1;
        let number = next_number[c];
        episodes_of[c].push((at(pe.leave), at(pe.close), number));
        let id = ep_id(c, number);
        episode_object.insert((c, number), objects.len());
        objects.push(Object {
            id: id.clone(),
            kind: "episode".into(),
            attributes: vec![oattr("number", number, at(pe.leave))],
            relationships: vec![rel(child_id(c), "episode of")],
        });
        let mut happen = |kind: &str, m: i64| {
            if at(m) <= end {
                let rels = vec![rel(child_id(c), "child"), rel(id.clone(), "episode")];
                events.push(event(kind, at(m), vec![], rels));
            }
        };
        happen(EPISODE_EVENTS[0], pe.leave);
        if let Some(k) = pe.known {
            happen(EPISODE_EVENTS[1], k);
        }
        if let Some(f) = pe.found {
            happen(EPISODE_EVENTS[2], f);
        }
        happen(EPISODE_EVENTS[3], pe.back);
        happen(EPISODE_EVENTS[4], pe.close);
    }
    // The child's episode open at `t`: left at or before it, closed at or after it.
    let open_episode = |c: usize, t: NaiveDateTime| -> Option<u32> {
        episodes_of
            .get(c)?
            .iter()
            .rev()
            .find(|(left, closed, _)| *left <= t && t <= *closed)
            .map(|(_, _, n)| *n)
    };
    // Classifications, from the chronology ("C000001 is now <name> (was <id>)").
    let category_id = |name: &str| -> String {
        p.categories
            .iter()
            .find(|c| c.name == name)
            .map_or_else(|| name.to_string(), |c| c.id.clone())
    };
    for l in e.log.iter().filter(|l| l.kind == "classification") {
        let mut rels = vec![rel(child_id(l.child), "child")];
        if let Some(n) = open_episode(l.child, l.at) {
            rels.push(rel(ep_id(l.child, n), "episode"));
        }
        let said = l
            .text
            .strip_prefix(e.children[l.child].profile.name.as_str())
            .unwrap_or(&l.text);
        let (name, was) = match said.strip_prefix(" is now ") {
            Some(rest) => match rest.rsplit_once(" (was ") {
                Some((name, was)) => (name, was.strip_suffix(')')),
                None => (rest, None),
            },
            None => (said.strip_prefix(" is ").unwrap_or(said), None),
        };
        let category = category_id(name);
        // The episode's category over time (an attribute whose value changes, as OCEL allows).
        if let Some(n) = open_episode(l.child, l.at)
            && let Some(&k) = episode_object.get(&(l.child, n))
        {
            objects[k].attributes.push(oattr("category", category.clone(), l.at));
        }
        let mut attrs = vec![attr("category", category), attr("category_name", name)];
        if let Some(w) = was {
            attrs.push(attr("previous_category", w));
        }
        events.push(event("classified", l.at, attrs, rels));
    }
    // Obligations, the duties' events but the acts, and which duties each act met.
    let mut ends: Vec<(NaiveDateTime, Event)> = Vec::new();
    let mut met_by: HashMap<usize, Vec<usize>> = HashMap::new();
    // Acts by (child, action, time), for a met duty whose act the engine did not note.
    let mut acts_at: HashMap<(usize, &str, NaiveDateTime), usize> = HashMap::new();
    for (k, (t, c, _, action, _)) in e.actions_done.iter().enumerate() {
        acts_at.entry((*c, action.as_str(), *t)).or_insert(k);
    }
    let doc_title = |doc: &str| {
        p.documents
            .iter()
            .find(|d| d.id == doc)
            .map_or_else(|| doc.to_string(), |d| d.title.clone())
    };
    for (i, o) in e.obligations.iter().enumerate() {
        let id = format!("duty:{i}");
        let episode = (o.episode > 0).then(|| ep_id(o.child, o.episode));
        let mut o2o = vec![
            rel(format!("role:{}", o.role), "owed by"),
            rel(child_id(o.child), "concerns"),
        ];
        let mut e2o = vec![
            rel(id.clone(), "duty"),
            rel(format!("role:{}", o.role), "owed by"),
            rel(child_id(o.child), "child"),
        ];
        if let Some(ep) = &episode {
            o2o.push(rel(ep.clone(), "arises in"));
            e2o.push(rel(ep.clone(), "episode"));
        }
        let rule = p.rules.get(o.rule_index);
        let mut attrs = vec![
            oattr("rule", o.rule.clone(), o.fired_at),
            oattr("action", o.action.clone(), o.fired_at),
            oattr("protocol", p.id.clone(), o.fired_at),
        ];
        if let Some(r) = rule {
            attrs.push(oattr("document", doc_title(&r.citation.doc), o.fired_at));
            attrs.push(oattr("section", r.citation.section.clone(), o.fired_at));
            let strength = match r.strength {
                Strength::Must => "must",
                Strength::Should => "should",
            };
            attrs.push(oattr("strength", strength, o.fired_at));
            attrs.push(oattr("time_limit", r.deadline.label(), o.fired_at));
        }
        if let Some(d) = o.due_at {
            attrs.push(oattr("deadline", ts(d), o.fired_at));
        }
        // When the final status took effect, and the event that ends the duty (none for one met:
        // the act is that event).
        let (settled, end_kind): (Option<NaiveDateTime>, Option<&str>) = match o.status {
            Status::Open => (None, None),
            // Done before it arose (since the moment the rule counts from): met as it arose.
            Status::Met if o.done_at.is_some_and(|d| d < o.fired_at) => {
                (Some(o.fired_at), Some("met by an earlier act"))
            }
            Status::Met | Status::Late => (o.done_at.or(o.settled_at), None),
            Status::Missed => match o.due_at {
                Some(d) => (Some(d.min(end)), Some("deadline missed")),
                None => (Some(end), Some("duty not done by the end")),
            },
            // The engine notes when it cancelled a duty; a log from records without that time
            // falls back on the deadline (or the end of the run).
            Status::Cancelled => (
                Some(o.settled_at.or(o.due_at).unwrap_or(end).min(end)),
                Some("duty cancelled"),
            ),
            Status::NotApplicable if o.reason.starts_with("does not apply") => {
                (Some(o.fired_at), Some("duty does not apply"))
            }
            Status::NotApplicable => (Some(end), Some("duty still open at the end")),
            Status::Wrongful => (Some(o.fired_at), Some("wrongful action")),
            Status::Withdrawn => (Some(o.settled_at.unwrap_or(end).min(end)), Some("duty withdrawn")),
            Status::Early => (
                Some(o.settled_at.unwrap_or(end).min(end)),
                Some("done before its window opened"),
            ),
        };
        if o.status != Status::Wrongful {
            attrs.push(oattr("status", Status::Open.label(), o.fired_at));
        }
        if let Some(t) = settled {
            if o.status != Status::Open {
                attrs.push(oattr("status", o.status.label(), t));
            }
            if !o.reason.is_empty() {
                attrs.push(oattr("reason", o.reason.clone(), t));
            }
            attrs.push(oattr("queue_wait_minutes", o.queue_wait_minutes, t));
        }
        objects.push(Object {
            id: id.clone(),
            kind: "obligation".into(),
            attributes: attrs,
            relationships: o2o,
        });
        if o.status != Status::Wrongful {
            events.push(event(
                "duty arises",
                o.fired_at,
                vec![attr("rule", o.rule.clone())],
                e2o.clone(),
            ));
        }
        if let (Some(t), Some(kind)) = (settled, end_kind) {
            let attrs = vec![attr("rule", o.rule.clone()), attr("reason", o.reason.clone())];
            ends.push(event(kind, t, attrs, e2o));
        }
        if matches!(o.status, Status::Met | Status::Late) && end_kind.is_none() {
            let act = o
                .met_by
                .or_else(|| acts_at.get(&(o.child, o.action.as_str(), o.done_at?)).copied());
            if let Some(k) = act {
                met_by.entry(k).or_default().push(i);
            }
        }
    }
    // Action types: the action's readable name, or `name (id)` where two actions (or an action
    // and a lifecycle event) share one.
    let mut names: HashMap<&str, usize> = HashMap::new();
    for a in &p.actions {
        *names.entry(a.name.as_str()).or_default() += 1;
    }
    let activity = |action: &str| -> String {
        match p.action(action) {
            Some(a) if names.get(a.name.as_str()) == Some(&1) && !is_lifecycle(&a.name) => a.name.clone(),
            Some(a) => format!("{} ({})", a.name, a.id),
            None => action.to_string(),
        }
    };
    for (k, (t, c, role, action, by_trainee)) in e.actions_done.iter().enumerate() {
        let mut rels = vec![rel(child_id(*c), "child"), rel(format!("role:{role}"), "done by")];
        let met = met_by.get(&k).map_or(&[][..], |v| &v[..]);
        let mut episodes: Vec<u32> = Vec::new();
        for &i in met {
            let n = e.obligations[i].episode;
            if n > 0 && !episodes.contains(&n) {
                episodes.push(n);
            }
        }
        if episodes.is_empty()
            && let Some(n) = open_episode(*c, *t)
        {
            episodes.push(n);
        }
        for n in episodes {
            rels.push(rel(ep_id(*c, n), "episode"));
        }
        for i in met {
            rels.push(rel(format!("duty:{i}"), "meets"));
        }
        let attrs = vec![attr("action", action.clone()), attr("by_trainee", *by_trainee)];
        events.push(event(&activity(action), *t, attrs, rels));
    }
    // At one time, an act comes before the duties it ends by cancelling them.
    events.extend(ends);
    events.sort_by_key(|(t, _)| *t);
    let mut event_types: Vec<String> = Vec::new();
    let events: Vec<Event> = events
        .into_iter()
        .enumerate()
        .map(|(i, (_, mut ev))| {
            ev.id = format!("e{}", i + 1);
            if !event_types.contains(&ev.kind) {
                event_types.push(ev.kind.clone());
            }
            ev
        })
        .collect();
    let event_types = event_types
        .into_iter()
        .map(|k| {
            let attrs: &[(&str, &str)] = match k.as_str() {
                "duty arises" => &[("rule", "string")],
                "classified" => &[
                    ("category", "string"),
                    ("category_name", "string"),
                    ("previous_category", "string"),
                ],
                k if EPISODE_EVENTS.contains(&k) => &[],
                k if DUTY_ENDS.contains(&k) => &[("rule", "string"), ("reason", "string")],
                _ => &[("action", "string"), ("by_trainee", "boolean")],
            };
            decl(&k, attrs)
        })
        .collect();
    Ocel {
        object_types: vec![
            decl(
                "child",
                &[
                    ("age", "integer"),
                    ("legal_status", "string"),
                    ("placement", "string"),
                    ("out_of_borough", "boolean"),
                    ("risk_factors", "string"),
                ],
            ),
            decl("episode", &[("number", "integer"), ("category", "string")]),
            decl(
                "obligation",
                &[
                    ("rule", "string"),
                    ("action", "string"),
                    ("protocol", "string"),
                    ("document", "string"),
                    ("section", "string"),
                    ("strength", "string"),
                    ("time_limit", "string"),
                    ("deadline", "time"),
                    ("status", "string"),
                    ("reason", "string"),
                    ("queue_wait_minutes", "float"),
                ],
            ),
            decl(
                "role",
                &[
                    ("name", "string"),
                    ("agency", "string"),
                    ("protocol", "string"),
                    ("protocol_title", "string"),
                ],
            ),
        ],
        event_types,
        objects,
        events,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::caseload::load_caseload;
    use crate::sim::engine::Status;

    fn setup() -> (ProtocolInfo, LoadedCaseload) {
        let p = crate::protocol::load_protocol(&crate::paths::protocols_dir().join("havering-2023-10.ron"))
            .expect("protocol loads")
            .protocol;
        let path = crate::paths::root().join("assets/caseloads/stretched-rhi.ron");
        let mut cl = load_caseload(&path, &[&p]).expect("caseload loads");
        cl.caseload.horizon_days = 60;
        (ProtocolInfo::new(Arc::new(p)), cl)
    }

    /// Waits for the one RHI worker, in minutes, over the kept duties of the RHI worker.
    fn rhi_waits(e: &Engine) -> f64 {
        e.obligations
            .iter()
            .filter(|o| o.role == "rhi_worker" && matches!(o.status, Status::Met | Status::Late))
            .map(|o| o.queue_wait_minutes)
            .sum()
    }

    /// Replication 0 of a seed, run keeping no records and again keeping them for the first
    /// `kept` children.
    struct Runs {
        info: ProtocolInfo,
        cl: LoadedCaseload,
        plan: Plan,
        engine_seed: u64,
        plain: crate::caseload::stress::Replication,
        /// The engine of the run keeping records.
        kept: Engine,
    }

    /// `Runs` of `seed`, checking that keeping records changes nothing in the results.
    fn without_and_with_records(seed: u64, kept: usize) -> Runs {
        let (info, cl) = setup();
        let engine_seed = generate::engine_seed(seed, 0);
        let mut plan = generate::plan(&cl, seed, 0);
        let (plain, _) = run_plan(&info, &cl, &mut plan, false, engine_seed, 0, |_| {});
        let (with, e) = run_plan(&info, &cl, &mut plan, false, engine_seed, kept, |_| {});
        assert_eq!(
            serde_json::to_string(&plain).unwrap(),
            serde_json::to_string(&with).unwrap()
        );
        Runs {
            info,
            cl,
            plan,
            engine_seed,
            plain,
            kept: e,
        }
    }

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a time")
    }

    #[test]
    fn uk_times_carry_the_offset_in_force_then() {
        // Winter and summer.
        assert_eq!(ts(local("2024-01-15 12:00")), "2024-01-15T12:00:00+00:00");
        assert_eq!(ts(local("2024-07-01 09:30")), "2024-07-01T09:30:00+01:00");
        // 2024: clocks forward on Sunday 31 March, back on Sunday 27 October.
        assert_eq!(last_sunday(2024, 3), NaiveDate::from_ymd_opt(2024, 3, 31).unwrap());
        assert_eq!(last_sunday(2024, 10), NaiveDate::from_ymd_opt(2024, 10, 27).unwrap());
        assert_eq!(ts(local("2024-03-31 00:59")), "2024-03-31T00:59:00+00:00");
        assert_eq!(ts(local("2024-03-31 02:00")), "2024-03-31T02:00:00+01:00");
        assert_eq!(ts(local("2024-03-30 02:00")), "2024-03-30T02:00:00+00:00");
        // The skipped hour is written as the moment the clocks went forward.
        assert_eq!(ts(local("2024-03-31 01:00")), "2024-03-31T02:00:00+01:00");
        assert_eq!(ts(local("2024-03-31 01:59")), "2024-03-31T02:00:00+01:00");
        // The repeated hour is taken in summer time (its first occurrence).
        assert_eq!(ts(local("2024-10-27 00:59")), "2024-10-27T00:59:00+01:00");
        assert_eq!(ts(local("2024-10-27 01:30")), "2024-10-27T01:30:00+01:00");
        assert_eq!(ts(local("2024-10-27 02:00")), "2024-10-27T02:00:00+00:00");
        assert_eq!(ts(local("2024-10-26 02:00")), "2024-10-26T02:00:00+01:00");
        // 2025: 30 March and 26 October (31 March 2025 is a Monday).
        assert_eq!(last_sunday(2025, 3), NaiveDate::from_ymd_opt(2025, 3, 30).unwrap());
        assert_eq!(last_sunday(2025, 10), NaiveDate::from_ymd_opt(2025, 10, 26).unwrap());
        assert_eq!(ts(local("2025-03-30 01:13")), "2025-03-30T02:00:00+01:00");
        assert_eq!(ts(local("2025-03-31 01:13")), "2025-03-31T01:13:00+01:00");
        assert_eq!(ts(local("2025-10-26 03:00")), "2025-10-26T03:00:00+00:00");
        // A month whose last day is a Sunday: 31 March 2030 / 31 October 2027.
        assert_eq!(last_sunday(2027, 10), NaiveDate::from_ymd_opt(2027, 10, 31).unwrap());
        assert_eq!(last_sunday(2030, 3), NaiveDate::from_ymd_opt(2030, 3, 31).unwrap());
    }

    #[test]
    fn written_instants_never_run_backwards() {
        // Minute by minute through both changes of 2024, the written instants do not go back.
        let instant = |t: NaiveDateTime| {
            let (l, off) = uk_local(t);
            l - chrono::Duration::hours(off as i64)
        };
        for day in ["2024-03-30 22:00", "2024-10-26 22:00"] {
            let mut t = local(day);
            let mut last = instant(t);
            for _ in 0..8 * 60 {
                t += chrono::Duration::minutes(1);
                assert!(instant(t) >= last, "{t}");
                last = instant(t);
            }
        }
    }

    #[test]
    fn a_stress_run_gives_what_a_run_keeping_every_record_gives() {
        // Stress runs take shortcuts (no records, plain acts off the agenda, misses settled at
        // the deadline); a run keeping every record takes none. The results must be the same.
        let Runs {
            plain: fast, kept: e, ..
        } = without_and_with_records(3, usize::MAX);
        assert!(e.obligations.len() as u64 >= fast.rules.iter().map(|t| t.fired).sum::<u64>());
        assert!(
            fast.rules.iter().any(|t| t.late > 0),
            "the one RHI worker makes some duties late"
        );
    }

    #[test]
    fn the_event_log_is_of_the_real_run_with_its_queues() {
        // Keeping records for some children changes nothing in the results.
        let Runs {
            info,
            cl,
            plan,
            engine_seed: seed,
            kept: e,
            ..
        } = without_and_with_records(1, 40);
        assert!(!e.obligations.is_empty() && e.obligations.iter().all(|o| o.child < 40));
        assert!(e.log.iter().all(|l| l.child < 40));
        // Those 40 children share the one RHI worker with the 1,960 others: they wait longer
        // than they would with the worker to themselves.
        let mut alone = generate::plan(&cl, 1, 0);
        alone.children.truncate(40);
        alone.episodes.retain(|p| p.child < 40);
        let (_, by_themselves) = run_plan(&info, &cl, &mut alone, true, seed, 40, |_| {});
        assert!(
            rhi_waits(&e) > 2.0 * rhi_waits(&by_themselves),
            "in the run {} min, alone {} min",
            rhi_waits(&e),
            rhi_waits(&by_themselves)
        );
        let log = build(&plan, &e);
        let children = log.objects.iter().filter(|o| o.kind == "child").count();
        assert_eq!(children, 40);
    }
}
