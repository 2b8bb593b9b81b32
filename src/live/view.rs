//! What each person's page shows, as JSON: a participant sees only what their role has been
//! told; the facilitator sees everything. The pages escape every text they put on screen.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::table::Table;
use crate::protocol::Effect;
use crate::sim::engine::Status;

#[derive(Debug, Serialize)]
pub struct Clock {
    /// `Mon 14 Oct 21:00`.
    pub now: String,
    pub hours: f64,
    pub started: bool,
    pub running: bool,
    pub ended: bool,
    /// Simulated seconds per real second (60: a minute a second).
    pub speed: f64,
}

#[derive(Debug, Serialize)]
pub struct Line {
    pub at: String,
    pub hours: f64,
    pub kind: String,
    pub who: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct Field {
    pub id: String,
    pub label: String,
    pub required: bool,
}

#[derive(Debug, Serialize)]
pub struct ActionView {
    pub id: String,
    pub name: String,
    /// Asks for a category (the protocol's definitions).
    pub classifies: bool,
    /// Asks for a risk grading.
    pub grades: bool,
    /// The form to fill in, if the protocol attaches one.
    pub form: Option<String>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Serialize)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct DecisionView {
    pub at: String,
    pub hours: f64,
    pub by: String,
    pub role: String,
    pub action: String,
    pub rationale: String,
}

#[derive(Debug, Serialize)]
pub struct ChildView {
    pub name: String,
    pub age: i64,
    pub legal_status: String,
    pub risk_factors: Vec<String>,
}

/// A participant's page.
#[derive(Debug, Serialize)]
pub struct Participant {
    pub code: String,
    pub title: String,
    pub name: String,
    pub role: String,
    pub role_name: String,
    pub clock: Clock,
    /// Whether the role has been told of the missing child yet.
    pub told: bool,
    pub child: Option<ChildView>,
    pub inbox: Vec<Line>,
    pub actions: Vec<ActionView>,
    pub categories: Vec<Choice>,
    pub grades: Vec<Choice>,
    /// This role's decisions (every seat playing it), with rationales.
    pub log: Vec<DecisionView>,
    /// The role's score, once the exercise has ended.
    pub score: Option<f64>,
    /// Practice: the agency's duties since it was told of the child, open ones with their due
    /// time, settled ones with their feedback. Assessment: empty until the end.
    pub practice: bool,
    pub duties: Vec<DutyView>,
}

#[derive(Debug, Serialize)]
pub struct DutyView {
    pub action: String,
    /// open, met, late, missed, early, wrongful, cancelled, withdrawn, not_applicable.
    pub status: String,
    pub due: Option<String>,
    pub feedback: String,
}

#[derive(Debug, Serialize)]
pub struct RoleState {
    pub role: String,
    pub name: String,
    /// Who plays it (display names); empty: it acts by the book.
    pub players: Vec<String>,
    pub told_at: Option<String>,
    pub open: usize,
    pub met: usize,
    pub late: usize,
    pub missed: usize,
    pub wrongful: usize,
}

#[derive(Debug, Serialize)]
pub struct Debrief {
    pub role: String,
    pub name: String,
    pub percent: f64,
    pub earned: f64,
    pub possible: f64,
    /// The role's duties: (rule, status, feedback).
    pub duties: Vec<(String, String, String)>,
}

/// The facilitator's view of one table.
#[derive(Debug, Serialize)]
pub struct Facilitator {
    pub code: String,
    pub title: String,
    pub summary: String,
    pub clock: Clock,
    pub playable: Vec<Choice>,
    pub roles: Vec<RoleState>,
    pub chronology: Vec<Line>,
    pub decisions: Vec<DecisionView>,
    pub debrief: Vec<Debrief>,
}

fn when(t: NaiveDateTime) -> String {
    t.format("%a %d %b %H:%M").to_string()
}

fn clock(t: &Table) -> Clock {
    Clock {
        now: when(t.engine.now),
        hours: (t.hours() * 100.0).round() / 100.0,
        started: t.started,
        running: t.running,
        ended: t.ended(),
        speed: t.speed,
    }
}

fn line(t: &Table, l: &crate::sim::engine::LogEntry) -> Line {
    Line {
        at: when(l.at),
        hours: ((l.at - t.scenario.start).num_minutes() as f64 / 60.0 * 100.0).round() / 100.0,
        kind: l.kind.clone(),
        who: l.who.clone(),
        text: l.text.clone(),
    }
}

fn decisions(t: &Table, role: Option<&str>) -> Vec<DecisionView> {
    let p = &t.scenario.protocol;
    t.decisions
        .iter()
        .filter(|d| role.is_none_or(|r| r == d.role))
        .map(|d| DecisionView {
            at: when(d.at),
            hours: d.decision.at_hours,
            by: d.by.clone(),
            role: t.role_name(&d.role),
            action: p
                .action(&d.decision.action)
                .map_or(d.decision.action.clone(), |a| a.name.clone()),
            rationale: d.decision.note.clone().unwrap_or_default(),
        })
        .collect()
}

/// What the role has been told: its own acts and what is addressed to it at any time; once
/// told of the child, what happens in the episode (the child's movements, messages, handovers,
/// classifications, disclosures). Other agencies' routine acts stay with them. The
/// facilitator's injects for everyone or for this agency; the scenario's prompts for the role
/// the scenario was written for.
fn inbox(t: &Table, role: &str) -> Vec<Line> {
    let name = t.role_name(role);
    let told = t.told_at(role);
    let mut v: Vec<(NaiveDateTime, Line)> = t
        .engine
        .log
        .iter()
        .filter(|l| {
            let mine = l.who == name;
            let shared = matches!(
                l.kind.as_str(),
                "event" | "message" | "handover" | "classification" | "disclosure"
            );
            mine || (shared && told.is_some_and(|at| l.at >= at))
        })
        .map(|l| (l.at, line(t, l)))
        .collect();
    let at = |x: NaiveDateTime| ((x - t.scenario.start).num_minutes() as f64 / 60.0 * 100.0).round() / 100.0;
    for i in t.injects.iter().filter(|i| i.to.as_deref().is_none_or(|r| r == role)) {
        v.push((
            i.at,
            Line {
                at: when(i.at),
                hours: at(i.at),
                kind: "inject".into(),
                who: "Facilitator".into(),
                text: i.text.clone(),
            },
        ));
    }
    let sc = &t.scenario;
    if role == sc.scenario.trainee_role {
        for pr in sc
            .scenario
            .prompts
            .iter()
            .filter(|pr| sc.at(pr.at_hours) <= t.engine.now && sc.prompt_shown(pr, &t.engine))
        {
            let x = sc.at(pr.at_hours);
            v.push((
                x,
                Line {
                    at: when(x),
                    hours: pr.at_hours,
                    kind: "prompt".into(),
                    who: "Prompt".into(),
                    text: pr.text.clone(),
                },
            ));
        }
    }
    // In time order; what happened at one moment in the order it was written.
    v.sort_by_key(|(x, _)| *x);
    v.into_iter().map(|(_, l)| l).collect()
}

/// The agency's duties as it would see them: every one once told of the child, but not those
/// settled because nobody told it (it cannot have known).
fn duties(t: &Table, role: &str) -> Vec<DutyView> {
    let p = &t.scenario.protocol;
    let mut v: Vec<(Option<NaiveDateTime>, DutyView)> = t
        .engine
        .obligations
        .iter()
        .filter(|o| o.role == role && !(o.status == Status::NotApplicable && o.reason.contains("told")))
        .map(|o| {
            let status = match o.status {
                Status::NotApplicable => "not_applicable".to_string(),
                s => format!("{s:?}").to_lowercase(),
            };
            let feedback = if o.status == Status::Open {
                String::new()
            } else {
                crate::scoring::feedback(&t.scenario, o)
            };
            (
                o.due_at,
                DutyView {
                    action: p.action(&o.action).map_or(o.action.clone(), |a| a.name.clone()),
                    status,
                    due: o.due_at.map(when),
                    feedback,
                },
            )
        })
        .collect();
    // Open first, soonest due first; then the settled ones.
    v.sort_by_key(|(due, d)| (d.status != "open", due.is_none(), *due));
    v.into_iter().map(|(_, d)| d).collect()
}

pub fn participant(t: &Table, token: &str) -> Option<Participant> {
    let seat = t.seat(token)?;
    let p = &t.scenario.protocol;
    let told = t.told_at(&seat.role).is_some();
    let c = &t.scenario.scenario.child;
    let child = told.then(|| ChildView {
        name: c.name.clone(),
        age: c.age_at(t.engine.now),
        legal_status: c
            .legal_status
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        risk_factors: c.risk_factors.clone(),
    });
    let actions = p
        .actions_for_role(&seat.role)
        .into_iter()
        .filter_map(|a| p.action(a))
        .map(|a| {
            let form = a.form.as_deref().and_then(|f| p.risk.forms.iter().find(|x| x.id == f));
            ActionView {
                id: a.id.clone(),
                name: a.name.clone(),
                classifies: a.effects.contains(&Effect::Classifies),
                grades: a.effects.contains(&Effect::GradesRisk),
                form: form.map(|f| f.name.clone()),
                fields: form.map_or(Vec::new(), |f| {
                    f.fields
                        .iter()
                        .map(|x| Field {
                            id: x.id.clone(),
                            label: x.label.clone(),
                            required: x.required,
                        })
                        .collect()
                }),
            }
        })
        .collect();
    let score = t.ended().then(|| {
        t.debrief()
            .iter()
            .find(|r| r.role == seat.role)
            .map(|r| r.score.percent)
    });
    Some(Participant {
        code: t.code.clone(),
        title: t.title().to_string(),
        name: seat.name.clone(),
        role: seat.role.clone(),
        role_name: t.role_name(&seat.role),
        clock: clock(t),
        told,
        child,
        inbox: inbox(t, &seat.role),
        actions,
        categories: p
            .categories
            .iter()
            .map(|c| Choice {
                id: c.id.clone(),
                name: c.name.clone(),
            })
            .collect(),
        grades: ["High", "Medium", "Low", "NoApparentRisk"]
            .iter()
            .map(|g| Choice {
                id: g.to_string(),
                name: match *g {
                    "NoApparentRisk" => "No apparent risk".into(),
                    g => g.to_string(),
                },
            })
            .collect(),
        log: decisions(t, Some(&seat.role)),
        score: score.flatten(),
        practice: t.practice,
        duties: if (t.practice || t.ended()) && told {
            duties(t, &seat.role)
        } else {
            Vec::new()
        },
    })
}

pub fn facilitator(t: &Table) -> Facilitator {
    let roles = t
        .playable_roles()
        .iter()
        .map(|r| {
            let mine = t.engine.obligations.iter().filter(|o| &o.role == r);
            let count = |s: Status| mine.clone().filter(|o| o.status == s).count();
            RoleState {
                role: r.clone(),
                name: t.role_name(r),
                players: t
                    .seats
                    .iter()
                    .filter(|s| &s.role == r)
                    .map(|s| s.name.clone())
                    .collect(),
                told_at: t.told_at(r).map(when),
                open: count(Status::Open),
                met: count(Status::Met),
                late: count(Status::Late),
                missed: count(Status::Missed),
                wrongful: count(Status::Wrongful),
            }
        })
        .collect();
    let debrief = if t.ended() {
        t.debrief()
            .into_iter()
            .map(|r| Debrief {
                name: t.role_name(&r.role),
                role: r.role.clone(),
                percent: r.score.percent,
                earned: r.score.earned,
                possible: r.score.possible,
                duties: r
                    .obligations
                    .iter()
                    .map(|o| {
                        (
                            o.rule.clone(),
                            format!("{:?}", o.status).to_lowercase(),
                            o.feedback.clone(),
                        )
                    })
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Facilitator {
        code: t.code.clone(),
        title: t.title().to_string(),
        summary: t.scenario.scenario.summary.clone(),
        clock: clock(t),
        playable: t
            .playable_roles()
            .iter()
            .map(|r| Choice {
                id: r.clone(),
                name: t.role_name(r),
            })
            .collect(),
        roles,
        chronology: t.engine.log.iter().map(|l| line(t, l)).collect(),
        decisions: decisions(t, None),
        debrief,
    }
}
