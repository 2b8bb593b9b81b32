//! A live table played without the web: each played role by its decision script, every decision
//! at its time, in time order across the roles, through `Table::act` exactly as a participant's
//! page sends it; roles nobody plays act by the book (`safe-return run SCENARIO --play ROLE=FILE`).
//! A rehearsal of a room's exercise, and the way tests play several agencies together.

use serde::Serialize;

use super::debrief::{self, Debrief};
use super::table::{Act, Table};
use crate::scenario::{Decisions, LoadedScenario};
use crate::scoring::Report;

/// Why a table could not be played from its scripts.
#[derive(Debug, Clone, PartialEq)]
pub enum PlayError {
    /// A role that is not the protocol's, or that people may not play in this scenario (`script`:
    /// which of the scripts given).
    Role { script: usize, message: String },
    /// The table refused a decision of a script, as it would refuse a participant's act.
    Refused {
        script: usize,
        /// The decision's place in its script (`actions[decision]`).
        decision: usize,
        message: String,
    },
}

impl std::fmt::Display for PlayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlayError::Role { message, .. } => write!(f, "{message}"),
            PlayError::Refused { decision, message, .. } => write!(f, "actions[{decision}]: {message}"),
        }
    }
}

impl std::error::Error for PlayError {}

/// Whether people may play `role` in this scenario: the reason in words where they may not.
pub fn check_role(sc: &LoadedScenario, role: &str) -> Result<(), String> {
    let p = &sc.protocol;
    let playable = sc.playable_roles();
    if playable.iter().any(|r| r == role) {
        return Ok(());
    }
    let list = playable.join(", ");
    if p.role(role).is_none() {
        let ids: Vec<&str> = playable.iter().map(String::as_str).collect();
        return Err(format!(
            "`{}` is not a role of protocol `{}`{}: the roles people may play in `{}` are {list}",
            role.escape_debug(),
            p.id,
            crate::diag::did_you_mean(role, &ids),
            sc.id
        ));
    }
    Err(format!(
        "the {} (`{role}`) is not a role people may play in `{}`: its playable roles are {list}",
        p.role(role).map_or(role, |r| r.name.as_str()),
        sc.id
    ))
}

/// A decision of a script that waited for its role to be told of the child (made later than its
/// time, or never).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Held {
    /// Which script (in the order given) and which of its decisions (`actions[decision]`).
    #[serde(skip)]
    pub script: usize,
    pub decision: usize,
    pub action: String,
    /// The time the script gives (hours into the scenario).
    pub at_hours: f64,
    /// When it was made: the moment the role was told; none: the role was never told.
    pub made_hours: Option<f64>,
}

/// Play a table to the scenario's end: each `(role, script)` one seat playing that role, each
/// decision at its time (`at_hours`), the decisions of all scripts in time order (at the same
/// time, in the order the scripts are given, each script in its own order). Every role not
/// given acts by the book.
///
/// A played role learns of the child only through the protocol's handovers, and a person cannot
/// act on what they have not been told: once the child has left, a decision of a role nobody has
/// told of her yet waits, and is made the moment the role is told (after a late report, the
/// police act when the report reaches them) — or never, where nobody tells the role. Such
/// decisions are returned, with when each was made.
///
/// Refused, with the script and decision, where a role may not be played here, is given twice,
/// or the table refuses a decision (not that role's act, a required field empty, a grading
/// missing…): nothing is half-played.
pub fn play_scripts(
    sc: &LoadedScenario,
    scripts: &[(String, Decisions)],
    seed: u64,
) -> Result<(Table, Vec<Held>), PlayError> {
    let mut t = Table::new("PLAY".into(), sc.clone(), seed);
    for (i, (role, _)) in scripts.iter().enumerate() {
        check_role(sc, role).map_err(|message| PlayError::Role { script: i, message })?;
        if scripts[..i].iter().any(|(r, _)| r == role) {
            return Err(PlayError::Role {
                script: i,
                message: format!("`{role}` is played twice: give one script for each role"),
            });
        }
        let name: String = role.chars().take(super::table::NAME_MAX).collect();
        t.join(&name, role, token(i))
            .map_err(|message| PlayError::Role { script: i, message })?;
    }
    t.start();
    let roles: Vec<&str> = scripts.iter().map(|(r, _)| r.as_str()).collect();
    // Each script's next decision, and whether it waits for its role to be told.
    let mut next = vec![0usize; scripts.len()];
    let mut waiting = vec![false; scripts.len()];
    let mut held: Vec<Held> = Vec::new();
    let untold = |t: &Table, role: &str| t.engine.children[0].episode.is_some() && t.told_at(role).is_none();
    loop {
        for (i, w) in waiting.iter_mut().enumerate() {
            if *w && !untold(&t, roles[i]) {
                *w = false;
            }
        }
        // The earliest decision of a script not waiting (ties: the scripts' order).
        let pick = (0..scripts.len())
            .filter(|&i| !waiting[i])
            .filter_map(|i| scripts[i].1.actions.get(next[i]).map(|x| (x.at_hours, i)))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let any_waiting = waiting.iter().any(|w| *w);
        let told_one = |t: &Table| (0..roles.len()).any(|i| waiting[i] && !untold(t, roles[i]));
        let Some((at, i)) = pick else {
            if any_waiting && t.advance_until(sc.scenario.duration_hours, told_one) {
                continue;
            }
            break;
        };
        if t.advance_until(at, told_one) {
            continue; // a waiting role was told before this decision's time: it goes first
        }
        let j = next[i];
        let x = &scripts[i].1.actions[j];
        if untold(&t, roles[i]) {
            waiting[i] = true;
            continue;
        }
        let refused = |message: String| PlayError::Refused {
            script: i,
            decision: j,
            message,
        };
        if !x.answers.is_empty() {
            return Err(refused(
                "a live table's acts carry no tool answers: leave the answers out".into(),
            ));
        }
        let act = Act {
            action: x.action.clone(),
            rationale: x.note.clone().unwrap_or_default(),
            category: x.category.clone(),
            grade: x.grade,
            fields: x.fields.clone(),
        };
        t.act(&token(i), act).map_err(refused)?;
        let now = t.hours();
        if now > x.at_hours + 0.005 {
            held.push(Held {
                script: i,
                decision: j,
                action: x.action.clone(),
                at_hours: x.at_hours,
                made_hours: Some((now * 100.0).round() / 100.0),
            });
        }
        next[i] += 1;
    }
    // What the roles never told never did.
    for (i, (_, d)) in scripts.iter().enumerate() {
        for (j, x) in d.actions.iter().enumerate().skip(next[i]) {
            held.push(Held {
                script: i,
                decision: j,
                action: x.action.clone(),
                at_hours: x.at_hours,
                made_hours: None,
            });
        }
    }
    t.advance_to_hours(sc.scenario.duration_hours);
    Ok((t, held))
}

fn token(i: usize) -> String {
    format!("script-{i}")
}

/// One played role's debrief: its duties scored as a single trainee's are, and the decisions of
/// its script that waited for the role to be told of the child.
#[derive(Debug, Serialize)]
pub struct RoleReport {
    pub role: String,
    pub report: Report,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waited: Vec<Held>,
}

/// What a played table comes to: each played role's debrief, and the room's debrief (every
/// agency, when each heard of the child and then acted, the timeline, the decisions).
#[derive(Debug, Serialize)]
pub struct Played {
    pub roles: Vec<RoleReport>,
    pub debrief: Debrief,
}

/// The debriefs of a table played to its end (`held`: as `play_scripts` returned them).
pub fn outcome(t: &Table, held: &[Held]) -> Played {
    let played: Vec<&String> = t.seats.iter().map(|s| &s.role).collect();
    Played {
        roles: t
            .debrief()
            .into_iter()
            .map(|report| RoleReport {
                role: report.role.clone(),
                waited: held
                    .iter()
                    .filter(|h| played.get(h.script).is_some_and(|r| **r == report.role))
                    .cloned()
                    .collect(),
                report,
            })
            .collect(),
        debrief: debrief::build(t),
    }
}

fn hours(x: Option<f64>) -> String {
    x.map_or("never".to_string(), |v| format!("{v} h"))
}

impl Played {
    /// Each played role's score and duties, then when every agency heard of the child and acted.
    pub fn to_text(&self) -> String {
        let d = &self.debrief;
        let mut s = format!("{} — {}\n", d.title, d.protocol);
        s += &format!(
            "Played by script: {}; every other agency by the book.\n",
            self.roles
                .iter()
                .map(|r| r.role.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        for r in &self.roles {
            let rep = &r.report;
            let agency = d.agencies.iter().find(|a| a.role == r.role);
            let name = agency.map_or(r.role.as_str(), |a| a.name.as_str());
            s += &format!(
                "\n{name} (`{}`)\nScore: {} / {} ({}%)\nHeard of the child: {}; first act after that: {}\n",
                r.role,
                rep.score.earned,
                rep.score.possible,
                rep.score.percent,
                hours(agency.and_then(|a| a.told_hours)),
                hours(agency.and_then(|a| a.first_act_hours)),
            );
            let (late, never): (Vec<&Held>, Vec<&Held>) = r.waited.iter().partition(|h| h.made_hours.is_some());
            if !late.is_empty() {
                s += &format!(
                    "Waited to be told: {}\n",
                    late.iter()
                        .map(|h| format!(
                            "{} ({} h in the script, made at {})",
                            h.action,
                            h.at_hours,
                            hours(h.made_hours)
                        ))
                        .collect::<Vec<_>>()
                        .join("; ")
                );
            }
            if !never.is_empty() {
                s += &format!(
                    "Never made (nobody told the role of the child): {}\n",
                    never
                        .iter()
                        .map(|h| format!("{} ({} h)", h.action, h.at_hours))
                        .collect::<Vec<_>>()
                        .join("; ")
                );
            }
            for o in &rep.obligations {
                s += &o.to_text();
            }
        }
        s += &format!(
            "\nWhere the chain waited (hours into the scenario; the child left at {}):\n",
            hours(d.left_hours)
        );
        for a in &d.agencies {
            s += &format!(
                "  {:<40} {:<12} heard {:<10} first acted {}\n",
                a.name.chars().take(40).collect::<String>(),
                if a.players.is_empty() { "by the book" } else { "played" },
                hours(a.told_hours),
                hours(a.first_act_hours)
            );
        }
        s
    }
}
