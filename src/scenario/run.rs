//! The one headless runner: tests, the CLI and the app all play scenarios through it.

use super::{Decisions, LoadedScenario};
use crate::scoring::{self, Report};
use crate::sim::engine::{Engine, Happening};

/// Build an engine with the scenario's child, script and the trainee's decisions scheduled.
pub fn prepare(sc: &LoadedScenario, decisions: &Decisions, seed: u64) -> Engine {
    let mut e = Engine::new(sc.protocol.clone(), sc.start, seed);
    e.automation.trainee_role = Some(sc.scenario.trainee_role.clone());
    e.automation.withheld = sc
        .scenario
        .withheld
        .iter()
        .map(|w| (w.role.clone(), w.action.clone()))
        .collect();
    for p in &sc.scenario.places {
        e.place_names.insert(p.id.clone(), p.name.clone());
    }
    for m in &sc.scenario.cast {
        e.people_names.entry(m.role.clone()).or_insert_with(|| m.name.clone());
    }
    let child = e.add_child(sc.scenario.child.clone(), "placement", sc.previous.clone());
    for ev in &sc.scenario.events {
        let h = if ev.if_done.is_some() || ev.unless_done.is_some() {
            Happening::Conditional {
                if_done: ev.if_done.clone(),
                unless_done: ev.unless_done.clone(),
                then: Box::new(ev.event.clone()),
            }
        } else {
            ev.event.clone()
        };
        e.schedule(sc.at(ev.at_hours), child, h);
    }
    for d in &decisions.actions {
        e.schedule_action(
            sc.at(d.at_hours),
            child,
            &sc.scenario.trainee_role,
            &d.action,
            d.params(),
            true,
        );
    }
    e
}

/// Build an engine for a live exercise: the scenario's child and script, with the roles people
/// play (`played`) left to them — none of their acts is automated, and every other role, the
/// scenario's trainee role included when nobody takes it, acts by the book.
pub fn prepare_exercise(sc: &LoadedScenario, played: &[String], seed: u64) -> Engine {
    let mut e = prepare(sc, &Decisions::default(), seed);
    e.automation.trainee_role = None;
    e.automation.played = played.to_vec();
    for role in played {
        for action in sc.protocol.actions_for_role(role) {
            e.automation.withheld.push((role.clone(), action.to_string()));
        }
    }
    e
}

/// Run a scenario to its end with these decisions and score it.
pub fn run(sc: &LoadedScenario, decisions: &Decisions, seed: u64) -> Report {
    let mut e = prepare(sc, decisions, seed);
    e.finish(sc.end());
    scoring::report(sc, &e, seed)
}

/// The reference decisions: what the trainee's role does when it acts by the book (every duty
/// done promptly), found by letting the engine play that role too.
pub fn by_the_book(sc: &LoadedScenario, seed: u64) -> Decisions {
    let mut e = prepare(sc, &Decisions::default(), seed);
    e.automation.trainee_role = None;
    e.finish(sc.end());
    let role = &sc.scenario.trainee_role;
    let mut actions = Vec::new();
    for (at, _, r, a, _) in &e.actions_done {
        if r == role {
            let hours = (*at - sc.start).num_minutes() as f64 / 60.0;
            let grade = if sc
                .protocol
                .action(a)
                .is_some_and(|x| x.effects.contains(&crate::protocol::Effect::GradesRisk))
            {
                Some(crate::sim::engine::by_the_book_grade(&e_facts_at(sc, *at)))
            } else {
                None
            };
            // A judgement says what it judges: the protocol's own category for the child then.
            let category = sc
                .protocol
                .action(a)
                .is_some_and(|x| x.effects.contains(&crate::protocol::Effect::Classifies))
                .then(|| {
                    e.children.first().and_then(|c| c.episode.as_ref()).and_then(|ep| {
                        ep.transitions
                            .iter()
                            .rev()
                            .filter(|(t, _)| t <= at)
                            .find_map(|(_, what)| what.strip_prefix("classified ").map(String::from))
                    })
                })
                .flatten();
            let hours = (hours * 100.0).round() / 100.0;
            if actions
                .iter()
                .any(|d: &super::Decision| d.action == *a && (hours - d.at_hours).abs() < 1e-9)
            {
                continue; // one action meets every open duty to do it
            }
            actions.push(super::Decision {
                at_hours: hours,
                action: a.clone(),
                category,
                grade,
                note: None,
                answers: vec![],
                fields: vec![],
            });
        }
    }
    Decisions { actions }
}

fn e_facts_at(sc: &LoadedScenario, at: chrono::NaiveDateTime) -> crate::protocol::Facts {
    crate::protocol::Facts {
        age: sc.scenario.child.age_at(at),
        risk_factors: sc.scenario.child.risk_factors.clone(),
        ..Default::default()
    }
}

impl Decisions {
    /// RON text with one decision per line, as authors write it.
    pub fn to_ron(&self) -> String {
        let mut s = String::from("#![enable(implicit_some)]\nDecisions(\n    actions: [\n");
        for d in &self.actions {
            s += &format!("        (at_hours: {:?}, action: {:?}", d.at_hours, d.action);
            if let Some(c) = &d.category {
                s += &format!(", category: {c:?}");
            }
            if let Some(g) = d.grade {
                s += &format!(", grade: {g:?}");
            }
            if let Some(n) = &d.note {
                s += &format!(", note: {n:?}");
            }
            if !d.answers.is_empty() {
                s += &format!(", answers: {:?}", d.answers);
            }
            s += "),\n";
        }
        s + "    ],\n)\n"
    }
}
