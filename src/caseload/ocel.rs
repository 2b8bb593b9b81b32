//! Export one run as an OCEL 2.0 object-centric event log (JSON), for process-mining tools
//! (pm4py, OCπ, Celonis…).
//!
//! Objects: children, episodes, obligations (duties) and roles. Events: each episode's
//! happenings (leaves, whereabouts known, found, returns, closed), classifications, every duty
//! arising, every action done (related to the duties it meets) and every deadline missed.
//! Clock times are the simulation's own (UK local time); they are written with a `Z` because
//! the format asks for a zone.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::LoadedCaseload;
use super::generate::{self, Plan};
use super::stress::{ProtocolInfo, run_plan};
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

fn ts(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
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
                ObjectAttr {
                    name: "name".into(),
                    value: r.name.clone().into(),
                    time: ts(start),
                },
                ObjectAttr {
                    name: "agency".into(),
                    value: format!("{:?}", r.agency).into(),
                    time: ts(start),
                },
            ],
            relationships: vec![],
        });
    }
    for (c, ch) in e.children.iter().enumerate().take(kept) {
        let pr = &ch.profile;
        let attr = |name: &str, value: serde_json::Value| ObjectAttr {
            name: name.into(),
            value,
            time: ts(start),
        };
        objects.push(Object {
            id: child_id(c),
            kind: "child".into(),
            attributes: vec![
                attr("age", pr.age_at(start).into()),
                attr(
                    "legal_status",
                    pr.legal_status
                        .iter()
                        .map(|s| format!("{s:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                        .into(),
                ),
                attr("placement", format!("{:?}", pr.placement).into()),
                attr("out_of_borough", pr.out_of_borough.into()),
                attr("risk_factors", pr.risk_factors.join(", ").into()),
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
    let mut episode_starts: Vec<Vec<(NaiveDateTime, u32)>> = vec![Vec::new(); kept];
    let mut events: Vec<(NaiveDateTime, Event)> = Vec::new();
    let ep_id = |c: usize, n: u32| format!("episode:{}/{}", e.children[c].profile.name, n);
    let at = |m: i64| start + chrono::Duration::minutes(m);
    for pe in plan.episodes.iter().filter(|pe| (pe.child as usize) < kept) {
        let c = pe.child as usize;
        next_number[c] += 1;
        let number = next_number[c];
        episode_starts[c].push((at(pe.leave), number));
        let id = ep_id(c, number);
        objects.push(Object {
            id: id.clone(),
            kind: "episode".into(),
            attributes: vec![ObjectAttr {
                name: "number".into(),
                value: number.into(),
                time: ts(at(pe.leave)),
            }],
            relationships: vec![rel(child_id(c), "episode of")],
        });
        let mut happen = |kind: &str, m: i64| {
            if at(m) <= end {
                events.push((
                    at(m),
                    Event {
                        id: String::new(),
                        kind: kind.into(),
                        time: ts(at(m)),
                        attributes: vec![],
                        relationships: vec![rel(child_id(c), "child"), rel(id.clone(), "episode")],
                    },
                ));
            }
        };
        happen("child leaves", pe.leave);
        if let Some(k) = pe.known {
            happen("whereabouts known", k);
        }
        if let Some(f) = pe.found {
            happen("child found", f);
        }
        happen("child returns", pe.back);
        happen("episode closed", pe.close);
    }
    let episode_at = |c: usize, t: NaiveDateTime| -> Option<u32> {
        episode_starts
            .get(c)?
            .iter()
            .rev()
            .find(|(s, _)| *s <= t)
            .map(|(_, n)| *n)
    };
    // Classifications, from the chronology.
    for l in e.log.iter().filter(|l| l.kind == "classification") {
        let mut rels = vec![rel(child_id(l.child), "child")];
        if let Some(n) = episode_at(l.child, l.at) {
            rels.push(rel(ep_id(l.child, n), "episode"));
        }
        events.push((
            l.at,
            Event {
                id: String::new(),
                kind: "classified".into(),
                time: ts(l.at),
                attributes: vec![EventAttr {
                    name: "text".into(),
                    value: l.text.clone().into(),
                }],
                relationships: rels,
            },
        ));
    }
    // Obligations and the events around them.
    let mut met_by: HashMap<(usize, &str, &str, NaiveDateTime), Vec<usize>> = HashMap::new();
    for (i, o) in e.obligations.iter().enumerate() {
        let id = format!("duty:{i}");
        let episode = (o.episode > 0).then(|| ep_id(o.child, o.episode));
        let mut rels = vec![
            rel(format!("role:{}", o.role), "owed by"),
            rel(child_id(o.child), "concerns"),
        ];
        if let Some(ep) = &episode {
            rels.push(rel(ep.clone(), "arises in"));
        }
        let mut attrs = vec![
            ObjectAttr {
                name: "rule".into(),
                value: o.rule.clone().into(),
                time: ts(o.fired_at),
            },
            ObjectAttr {
                name: "action".into(),
                value: o.action.clone().into(),
                time: ts(o.fired_at),
            },
            ObjectAttr {
                name: "status".into(),
                value: o.status.label().into(),
                time: ts(o.done_at.or(o.due_at).unwrap_or(end).min(end)),
            },
        ];
        if let Some(d) = o.due_at {
            attrs.push(ObjectAttr {
                name: "deadline".into(),
                value: ts(d).into(),
                time: ts(o.fired_at),
            });
        }
        objects.push(Object {
            id: id.clone(),
            kind: "obligation".into(),
            attributes: attrs,
            relationships: rels.clone(),
        });
        if o.status == Status::Wrongful {
            continue;
        }
        let mut duty_rels = vec![rel(id.clone(), "duty")];
        duty_rels.extend(rels.iter().cloned());
        events.push((
            o.fired_at,
            Event {
                id: String::new(),
                kind: "duty arises".into(),
                time: ts(o.fired_at),
                attributes: vec![EventAttr {
                    name: "rule".into(),
                    value: o.rule.clone().into(),
                }],
                relationships: duty_rels.clone(),
            },
        ));
        if o.status == Status::Missed {
            let t = o.due_at.unwrap_or(end).min(end);
            events.push((
                t,
                Event {
                    id: String::new(),
                    kind: "deadline missed".into(),
                    time: ts(t),
                    attributes: vec![EventAttr {
                        name: "rule".into(),
                        value: o.rule.clone().into(),
                    }],
                    relationships: duty_rels,
                },
            ));
        }
        if let Some(done) = o.done_at
            && matches!(o.status, Status::Met | Status::Late)
        {
            met_by
                .entry((o.child, o.role.as_str(), o.action.as_str(), done))
                .or_default()
                .push(i);
        }
    }
    for (t, c, role, action, by_trainee) in &e.actions_done {
        let mut rels = vec![rel(child_id(*c), "child"), rel(format!("role:{role}"), "done by")];
        if let Some(n) = episode_at(*c, *t) {
            rels.push(rel(ep_id(*c, n), "episode"));
        }
        if let Some(ids) = met_by.get(&(*c, role.as_str(), action.as_str(), *t)) {
            for i in ids {
                rels.push(rel(format!("duty:{i}"), "meets"));
            }
        }
        let name = p.action(action).map(|a| a.name.clone()).unwrap_or_default();
        events.push((
            *t,
            Event {
                id: String::new(),
                kind: action.clone(),
                time: ts(*t),
                attributes: vec![
                    EventAttr {
                        name: "name".into(),
                        value: name.into(),
                    },
                    EventAttr {
                        name: "by_trainee".into(),
                        value: (*by_trainee).into(),
                    },
                ],
                relationships: rels,
            },
        ));
    }
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
                "duty arises" | "deadline missed" => &[("rule", "string")],
                "classified" => &[("text", "string")],
                "child leaves" | "whereabouts known" | "child found" | "child returns" | "episode closed" => &[],
                _ => &[("name", "string"), ("by_trainee", "boolean")],
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
            decl("episode", &[("number", "integer")]),
            decl(
                "obligation",
                &[
                    ("rule", "string"),
                    ("action", "string"),
                    ("status", "string"),
                    ("deadline", "time"),
                ],
            ),
            decl("role", &[("name", "string"), ("agency", "string")]),
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
