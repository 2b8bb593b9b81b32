//! Building the log: each run's objects and events (see the module's comment for what they are).

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDateTime;

use super::{AttrDecl, Event, EventAttr, Object, ObjectAttr, Ocel, Rel, TypeDecl, ts};
use crate::caseload::generate::Plan;
use crate::protocol::Strength;
use crate::sim::engine::{Engine, Status};

/// The time OCEL 2.0 gives an object attribute that does not change (a static value).
const STATIC: &str = "1970-01-01T00:00:00+00:00";

/// The episode lifecycle's event types.
const EPISODE_EVENTS: [&str; 5] = [
    "child leaves",
    "whereabouts known",
    "child found",
    "child returns",
    "episode closed",
];

/// The event types that end a duty (other than the act that meets it).
const DUTY_ENDS: [&str; 10] = [
    "done before its window opened",
    "met by an earlier act",
    "duty withdrawn",
    "deadline missed",
    "duty not done by the end",
    "duty cancelled",
    "duty still open at the end",
    "duty does not apply",
    "role never told",
    "wrongful action",
];

/// The objects and events of the runs added so far.
#[derive(Default)]
pub(super) struct Parts {
    objects: Vec<Object>,
    /// Each run's events in its own order (acts, then the duty ends at the same time); sorted by
    /// time, stably, when the log is finished.
    events: Vec<(NaiveDateTime, Event)>,
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

/// An object attribute that changes over time (its value from `t` on).
fn oattr(name: &str, value: impl Into<serde_json::Value>, t: NaiveDateTime) -> ObjectAttr {
    ObjectAttr {
        name: name.into(),
        value: value.into(),
        time: ts(t),
    }
}

/// An object attribute that does not change.
fn fixed(name: &str, value: impl Into<serde_json::Value>) -> ObjectAttr {
    ObjectAttr {
        name: name.into(),
        value: value.into(),
        time: STATIC.into(),
    }
}

/// An event of the run under `protocol` (its id is given when the log is finished).
fn event(
    kind: &str,
    t: NaiveDateTime,
    protocol: &str,
    mut attributes: Vec<EventAttr>,
    relationships: Vec<Rel>,
) -> (NaiveDateTime, Event) {
    attributes.push(attr("protocol", protocol));
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

/// Every event type that is not an action's.
fn is_lifecycle(kind: &str) -> bool {
    EPISODE_EVENTS.contains(&kind) || DUTY_ENDS.contains(&kind) || kind == "duty arises" || kind == "classified"
}

/// A duty never done because nobody told its role of the child (the handovers between agencies
/// stopped before it): the engine settles it "not applicable", saying so.
fn never_told(o: &crate::sim::engine::Obligation) -> bool {
    o.status == Status::NotApplicable && o.reason.contains("nobody told")
}

/// What a duty's final status is called in the log: `never told` for a duty whose role was never
/// told of the child, `open` for one still open when the run ended (the engine calls both "not
/// applicable"; stress runs tally them apart).
fn final_status(o: &crate::sim::engine::Obligation) -> &'static str {
    match o.status {
        Status::NotApplicable if never_told(o) => "never told",
        Status::NotApplicable if !o.reason.starts_with("does not apply") => "open",
        s => s.label(),
    }
}

impl Parts {
    /// Add a run with records kept (for the children it kept them for), its objects named with
    /// `label` (`child:label/C000001`).
    pub(super) fn add_run(&mut self, plan: &Plan, e: &Engine, label: &str) {
        let kept = e.record_children().min(e.children.len());
        let p = &e.protocol;
        let start = plan.start;
        let end = plan.end;
        let objects = &mut self.objects;
        let events = &mut self.events;
        let child_id = |c: usize| format!("child:{label}/{}", e.children[c].profile.name);
        let role_id = |r: &str| format!("role:{label}/{r}");
        let rule_id = |r: &str| format!("rule:{label}/{r}");
        let doc_title = |doc: &str| {
            p.documents
                .iter()
                .find(|d| d.id == doc)
                .map_or_else(|| doc.to_string(), |d| d.title.clone())
        };
        for r in &p.roles {
            objects.push(Object {
                id: role_id(&r.id),
                kind: "role".into(),
                attributes: vec![
                    fixed("name", r.name.clone()),
                    fixed("agency", format!("{:?}", r.agency)),
                    fixed("protocol", label),
                    fixed("protocol_title", p.title.clone()),
                ],
                relationships: vec![],
            });
        }
        // Rules with a duty in the log (a tool drops objects no event relates to).
        let fired: BTreeSet<usize> = e.obligations.iter().map(|o| o.rule_index).collect();
        for r in fired.iter().filter_map(|&i| p.rules.get(i)) {
            let strength = match r.strength {
                Strength::Must => "must",
                Strength::Should => "should",
            };
            objects.push(Object {
                id: rule_id(&r.id),
                kind: "rule".into(),
                attributes: vec![
                    fixed("rule", r.id.clone()),
                    fixed("what", p.rule_text(r)),
                    fixed("role", r.role.clone()),
                    fixed("action", r.action.clone()),
                    fixed("protocol", label),
                    fixed("document", doc_title(&r.citation.doc)),
                    fixed("section", r.citation.section.clone()),
                    fixed("quote", r.citation.words()),
                    fixed("strength", strength),
                    fixed("time_limit", r.deadline.label()),
                ],
                relationships: vec![rel(role_id(&r.role), "owed by")],
            });
        }
        for (c, ch) in e.children.iter().enumerate().take(kept) {
            let pr = &ch.profile;
            objects.push(Object {
                id: child_id(c),
                kind: "child".into(),
                attributes: vec![
                    fixed("age", pr.age_at(start)),
                    fixed(
                        "legal_status",
                        pr.legal_status
                            .iter()
                            .map(|s| format!("{s:?}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    fixed("placement", format!("{:?}", pr.placement)),
                    fixed("out_of_borough", pr.out_of_borough),
                    fixed("risk_factors", pr.risk_factors.join(", ")),
                    fixed("protocol", label),
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
        let ep_id = |c: usize, n: u32| format!("episode:{label}/{}/{}", e.children[c].profile.name, n);
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
                attributes: vec![fixed("number", number)],
                relationships: vec![rel(child_id(c), "episode of")],
            });
            let mut happen = |kind: &str, m: i64| {
                if at(m) <= end {
                    let rels = vec![rel(child_id(c), "child"), rel(id.clone(), "episode")];
                    events.push(event(kind, at(m), label, vec![], rels));
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
        // The episode a duty belongs to: the one open when it arose, else (set off by the
        // closing, or by an act after it) the child's last episode begun before then.
        let episode_before = |c: usize, t: NaiveDateTime| -> Option<u32> {
            episodes_of
                .get(c)?
                .iter()
                .rev()
                .find(|(left, _, _)| *left <= t)
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
            events.push(event("classified", l.at, label, attrs, rels));
        }
        // Obligations, the duties' events but the acts, and which duties each act met.
        let mut ends: Vec<(NaiveDateTime, Event)> = Vec::new();
        let mut met_by: HashMap<usize, Vec<usize>> = HashMap::new();
        // Acts by (child, action, time), for a met duty whose act the engine did not note.
        let mut acts_at: HashMap<(usize, &str, NaiveDateTime), usize> = HashMap::new();
        for (k, (t, c, _, action, _)) in e.actions_done.iter().enumerate() {
            acts_at.entry((*c, action.as_str(), *t)).or_insert(k);
        }
        // The episode each duty belongs to, by duty (0: none).
        let mut duty_episode: Vec<u32> = Vec::with_capacity(e.obligations.len());
        for (i, o) in e.obligations.iter().enumerate() {
            let id = format!("duty:{label}/{i}");
            let episode = match o.episode {
                0 => episode_before(o.child, o.fired_at).unwrap_or(0),
                n => n,
            };
            duty_episode.push(episode);
            let mut o2o = vec![rel(role_id(&o.role), "owed by"), rel(child_id(o.child), "concerns")];
            let mut e2o = vec![
                rel(id.clone(), "duty"),
                rel(role_id(&o.role), "owed by"),
                rel(child_id(o.child), "child"),
            ];
            if episode > 0 {
                o2o.push(rel(ep_id(o.child, episode), "arises in"));
                e2o.push(rel(ep_id(o.child, episode), "episode"));
            }
            let has_rule = p.rules.get(o.rule_index).is_some();
            if has_rule {
                o2o.push(rel(rule_id(&o.rule), "instance of"));
            }
            let mut attrs = vec![fixed("rule", o.rule.clone()), fixed("status", final_status(o))];
            if let Some(d) = o.due_at {
                attrs.push(fixed("deadline", ts(d)));
            }
            // When the final status took effect, and the event that ends the duty (none for one
            // met: the act is that event).
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
                // The engine notes when it cancelled a duty; a log from records without that
                // time falls back on the deadline (or the end of the run).
                Status::Cancelled => (
                    Some(o.settled_at.or(o.due_at).unwrap_or(end).min(end)),
                    Some("duty cancelled"),
                ),
                Status::NotApplicable if o.reason.starts_with("does not apply") => {
                    (Some(o.fired_at), Some("duty does not apply"))
                }
                // Settled when the child's next episode began, or at the end of the run.
                Status::NotApplicable if never_told(o) => {
                    (Some(o.settled_at.unwrap_or(end).min(end)), Some("role never told"))
                }
                Status::NotApplicable => (Some(end), Some("duty still open at the end")),
                Status::Wrongful => (Some(o.fired_at), Some("wrongful action")),
                Status::Withdrawn => (Some(o.settled_at.unwrap_or(end).min(end)), Some("duty withdrawn")),
                Status::Early => (
                    Some(o.settled_at.unwrap_or(end).min(end)),
                    Some("done before its window opened"),
                ),
            };
            // A duty still open at the end has no settled time: its closing event only marks
            // where the log stops.
            if let Some(t) = settled.filter(|_| final_status(o) != "open") {
                attrs.push(fixed("settled", ts(t)));
            }
            if !o.reason.is_empty() {
                attrs.push(fixed("reason", o.reason.clone()));
            }
            attrs.push(fixed("queue_wait_minutes", o.queue_wait_minutes));
            objects.push(Object {
                id: id.clone(),
                kind: "obligation".into(),
                attributes: attrs,
                relationships: o2o,
            });
            if o.status != Status::Wrongful {
                let mut rels = e2o.clone();
                if has_rule {
                    rels.push(rel(rule_id(&o.rule), "rule"));
                }
                events.push(event("duty arises", o.fired_at, label, vec![], rels));
            }
            if let (Some(t), Some(kind)) = (settled, end_kind) {
                ends.push(event(kind, t, label, vec![attr("reason", o.reason.clone())], e2o));
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
        // Activities: the role and the action in words ("RHI worker: Offer a return home
        // interview"), with the ids added where two pairs would share a name or one would be
        // taken for a lifecycle event.
        let pairs: BTreeSet<(&str, &str)> = e
            .actions_done
            .iter()
            .map(|(_, _, role, action, _)| (role.as_str(), action.as_str()))
            .collect();
        let words = |role: &str, action: &str| {
            let who = p.role(role).map_or(role, |r| r.name.as_str());
            let what = p.action(action).map_or(action, |a| a.name.as_str());
            format!("{who}: {what}")
        };
        let mut uses: HashMap<String, usize> = HashMap::new();
        for (role, action) in &pairs {
            *uses.entry(words(role, action)).or_default() += 1;
        }
        let activity: HashMap<(&str, &str), String> = pairs
            .iter()
            .map(|&(role, action)| {
                let w = words(role, action);
                let name = match uses[&w] == 1 && !is_lifecycle(&w) {
                    true => w,
                    false => format!("{w} ({role}, {action})"),
                };
                ((role, action), name)
            })
            .collect();
        for (k, (t, c, role, action, by_trainee)) in e.actions_done.iter().enumerate() {
            let mut rels = vec![rel(child_id(*c), "child"), rel(role_id(role), "done by")];
            let met = met_by.get(&k).map_or(&[][..], |v| &v[..]);
            let mut episodes: Vec<u32> = Vec::new();
            for &i in met {
                let n = duty_episode[i];
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
                rels.push(rel(format!("duty:{label}/{i}"), "meets"));
            }
            let attrs = vec![attr("action", action.clone()), attr("by_trainee", *by_trainee)];
            let name = &activity[&(role.as_str(), action.as_str())];
            events.push(event(name, *t, label, attrs, rels));
        }
        // At one time, an act comes before the duties it ends by cancelling them.
        events.extend(ends);
    }

    /// The log: events in time order (stably: a run's own order at one time, runs in the order
    /// added), numbered `e1`, `e2`…, and every type declared.
    pub(super) fn finish(self) -> Ocel {
        let mut events = self.events;
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
                    "duty arises" => &[("protocol", "string")],
                    "classified" => &[
                        ("category", "string"),
                        ("category_name", "string"),
                        ("previous_category", "string"),
                        ("protocol", "string"),
                    ],
                    k if EPISODE_EVENTS.contains(&k) => &[("protocol", "string")],
                    k if DUTY_ENDS.contains(&k) => &[("reason", "string"), ("protocol", "string")],
                    _ => &[("action", "string"), ("by_trainee", "boolean"), ("protocol", "string")],
                };
                decl(&k, attrs)
            })
            .collect();
        Ocel {
            object_types: vec![
                decl(
                    "rule",
                    &[
                        ("rule", "string"),
                        ("what", "string"),
                        ("role", "string"),
                        ("action", "string"),
                        ("protocol", "string"),
                        ("document", "string"),
                        ("section", "string"),
                        ("quote", "string"),
                        ("strength", "string"),
                        ("time_limit", "string"),
                    ],
                ),
                decl(
                    "child",
                    &[
                        ("age", "integer"),
                        ("legal_status", "string"),
                        ("placement", "string"),
                        ("out_of_borough", "boolean"),
                        ("risk_factors", "string"),
                        ("protocol", "string"),
                    ],
                ),
                decl("episode", &[("number", "integer"), ("category", "string")]),
                decl(
                    "obligation",
                    &[
                        ("rule", "string"),
                        ("status", "string"),
                        ("deadline", "time"),
                        ("settled", "time"),
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
            objects: self.objects,
            events,
        }
    }
}
