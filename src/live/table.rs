//! One table of a live exercise: a scenario played by several people, each taking one of its
//! agencies, on one clock the facilitator runs. Free of I/O: the server (and tests) drive it.
//!
//! Roles nobody takes act by the book. A role someone takes is never automated: its duties wait
//! for that person, who learns of the child only when the protocol's handovers tell the role
//! (`knowledge`), and sees in the inbox only what the role has been told.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::protocol::{Effect, RiskLevel};
use crate::scenario::{Decision, LoadedScenario, run};
use crate::scoring::{self, Report};
use crate::sim::engine::Engine;

/// A person at the table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Seat {
    /// The seat's secret: the browser keeps it to come back to the same seat after a reload.
    pub token: String,
    pub name: String,
    pub role: String,
}

/// One decision a participant made, with the rationale they gave.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LiveDecision {
    /// The seat's display name.
    pub by: String,
    pub role: String,
    /// The exact simulated moment (the decision's `at_hours` is rounded to the hundredth).
    pub at: NaiveDateTime,
    #[serde(flatten)]
    pub decision: Decision,
}

/// Something the facilitator puts into the exercise ("A journalist rings the home asking about
/// Daniel"): to every seat, or to one agency.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Inject {
    pub at: NaiveDateTime,
    /// The agency it is for; none: everyone.
    pub to: Option<String>,
    pub text: String,
}

/// What is written to disk after every change: enough to rebuild the table exactly.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Journal {
    pub scenario: std::path::PathBuf,
    pub code: String,
    pub seed: u64,
    pub seats: Vec<Seat>,
    /// Roles taken when the clock started (fixed from then on).
    pub played: Vec<String>,
    pub started: bool,
    /// Simulated hours since the scenario's start.
    pub hours: f64,
    pub decisions: Vec<LiveDecision>,
    #[serde(default)]
    pub injects: Vec<Inject>,
    /// Simulated seconds per real second.
    #[serde(default = "default_speed")]
    pub speed: f64,
    /// The learning records' registration of this table (one session, every seat in it).
    #[serde(default = "random_registration")]
    pub registration: uuid::Uuid,
    /// When the facilitator first started the clock (real time, for the learning records).
    #[serde(default)]
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Practice (feedback as duties settle) or assessment (hidden until the debrief).
    #[serde(default = "yes")]
    pub practice: bool,
}

fn yes() -> bool {
    true
}

/// A new random registration (xAPI's session id).
pub fn random_registration() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rand::random()).into_uuid()
}

fn default_speed() -> f64 {
    DEFAULT_SPEED
}

/// The clock's speeds: simulated seconds per real second.
pub const MIN_SPEED: f64 = 1.0;
pub const MAX_SPEED: f64 = 3600.0;
/// Ten simulated minutes a real second: an evening in a few minutes, with time to talk.
pub const DEFAULT_SPEED: f64 = 600.0;

/// Why a participant's message was refused, in words for them.
pub type Refusal = String;

/// A decision as a participant sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Act {
    pub action: String,
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub grade: Option<RiskLevel>,
    /// The action's form: field id → what was written.
    #[serde(default)]
    pub fields: Vec<(String, String)>,
}

pub struct Table {
    pub code: String,
    pub scenario: LoadedScenario,
    pub seed: u64,
    pub engine: Engine,
    pub seats: Vec<Seat>,
    pub played: Vec<String>,
    pub decisions: Vec<LiveDecision>,
    pub injects: Vec<Inject>,
    pub started: bool,
    pub running: bool,
    /// Practice: each participant sees their agency's duties and feedback as they settle.
    /// Assessment (false): hidden until the debrief.
    pub practice: bool,
    pub registration: uuid::Uuid,
    /// When the clock was first started, in real time (set by the host, which has the clock).
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The learning records of the ended table have been made.
    pub recorded: bool,
    /// Simulated seconds per real second while running (1× to 3600×).
    pub speed: f64,
    /// When each playable role was told of the child (simulated time), in `playable_roles`
    /// order.
    told_at: Vec<Option<NaiveDateTime>>,
    /// Simulated milliseconds owed by the clock (real time not yet turned into a step).
    carry_ms: f64,
    /// The scenario's end reached and its duties settled (`Engine::finish`).
    finished: bool,
    /// The roles people may take.
    playable: Vec<String>,
}

/// Longest a display name may be, in characters.
pub const NAME_MAX: usize = 40;
/// Longest a rationale or a form field may be, in characters.
pub const TEXT_MAX: usize = 2000;

impl Table {
    pub fn new(code: String, scenario: LoadedScenario, seed: u64) -> Self {
        let playable = scenario.playable_roles();
        let engine = run::prepare_exercise(&scenario, &[], seed);
        Table {
            code,
            scenario,
            seed,
            engine,
            seats: Vec::new(),
            played: Vec::new(),
            decisions: Vec::new(),
            injects: Vec::new(),
            started: false,
            running: false,
            practice: true,
            registration: random_registration(),
            started_at: None,
            recorded: false,
            speed: DEFAULT_SPEED,
            told_at: Vec::new(),
            carry_ms: 0.0,
            finished: false,
            playable,
        }
    }

    pub fn title(&self) -> &str {
        &self.scenario.scenario.title
    }

    /// The roles people may take (`LoadedScenario::playable_roles`, worked out once: the clock
    /// asks at every step who has been told).
    pub fn playable_roles(&self) -> &[String] {
        &self.playable
    }

    pub fn role_name(&self, role: &str) -> String {
        self.scenario
            .protocol
            .role(role)
            .map_or(role.to_string(), |r| r.name.clone())
    }

    /// Simulated hours since the scenario's start.
    pub fn hours(&self) -> f64 {
        (self.engine.now - self.scenario.start).num_minutes() as f64 / 60.0
    }

    pub fn ended(&self) -> bool {
        self.engine.now >= self.scenario.end()
    }

    /// A person sits down: a display name and a role the scenario lets people play. Before the
    /// clock starts anyone may take any playable role; after, only a role already played.
    pub fn join(&mut self, name: &str, role: &str, token: String) -> Result<&Seat, Refusal> {
        let name = name.trim();
        if name.is_empty() {
            return Err("Type a display name.".into());
        }
        if name.chars().count() > NAME_MAX {
            return Err(format!("A display name has at most {NAME_MAX} characters."));
        }
        if name.chars().any(char::is_control) {
            return Err("A display name cannot hold line breaks or tabs.".into());
        }
        if !self.playable_roles().iter().any(|r| r == role) {
            return Err(format!(
                "`{role}` is not a role of this exercise: choose one of {}.",
                self.playable_roles()
                    .iter()
                    .map(|r| self.role_name(r))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if self.started && !self.played.iter().any(|r| r == role) {
            return Err(format!(
                "The exercise has started and nobody plays the {}: that agency acts by the book. Join a role already played, or ask the facilitator.",
                self.role_name(role)
            ));
        }
        self.seats.push(Seat {
            token,
            name: name.to_string(),
            role: role.to_string(),
        });
        Ok(self.seats.last().expect("just pushed"))
    }

    pub fn seat(&self, token: &str) -> Option<&Seat> {
        self.seats.iter().find(|s| s.token == token)
    }

    /// The facilitator starts the clock: the roles taken by then are the roles played.
    pub fn start(&mut self) {
        if self.started {
            self.running = true;
            return;
        }
        let mut played: Vec<String> = Vec::new();
        for s in &self.seats {
            if !played.contains(&s.role) {
                played.push(s.role.clone());
            }
        }
        self.played = played;
        self.engine = run::prepare_exercise(&self.scenario, &self.played, self.seed);
        self.told_at = vec![None; self.playable_roles().len()];
        self.started = true;
        self.running = true;
        self.engine.run_until(self.engine.now);
        self.note_told();
    }

    /// Real time passes while the clock runs: `real_seconds` at the table's speed.
    pub fn tick(&mut self, real_seconds: f64) -> bool {
        if !self.running || self.ended() {
            return false;
        }
        self.carry_ms += real_seconds * self.speed * 1000.0;
        let step = self.carry_ms.floor();
        if step < 1.0 {
            return false;
        }
        self.carry_ms -= step;
        let target = (self.engine.now + Duration::milliseconds(step as i64)).min(self.scenario.end());
        self.advance_to(target);
        if self.ended() {
            self.running = false;
        }
        true
    }

    /// Jump to the next thing that happens (or the end).
    pub fn next_event(&mut self) {
        if !self.started {
            return;
        }
        let end = self.scenario.end();
        let next = self.engine.next_time().unwrap_or(end).min(end);
        let target = next.max(self.engine.now + Duration::minutes(1)).min(end);
        self.advance_to(target);
    }

    /// Move the clock to `hours` after the scenario's start (never back, never past the end).
    pub fn advance_to_hours(&mut self, hours: f64) {
        if !self.started {
            return;
        }
        let target = self.scenario.at(hours).min(self.scenario.end());
        self.advance_to(target);
    }

    /// Step the engine to `target`, one happening at a time, so the moment each role is told
    /// is exact.
    fn advance_to(&mut self, target: NaiveDateTime) {
        self.step_to(target, |_| false);
    }

    /// Move the clock towards `hours` after the scenario's start (as `advance_to_hours`), one
    /// happening at a time, stopping at the first moment `stop` holds after a happening (such
    /// as "the police have been told"): returns whether it stopped there, short of `hours`.
    pub fn advance_until(&mut self, hours: f64, stop: impl FnMut(&Table) -> bool) -> bool {
        if !self.started {
            return false;
        }
        let target = self.scenario.at(hours).min(self.scenario.end());
        self.step_to(target, stop)
    }

    fn step_to(&mut self, target: NaiveDateTime, mut stop: impl FnMut(&Table) -> bool) -> bool {
        let mut stopped = false;
        while self.engine.now < target {
            let next = self.engine.next_time().filter(|t| *t < target).unwrap_or(target);
            self.engine.run_until(next.max(self.engine.now));
            self.note_told();
            if next < target && stop(self) {
                stopped = true;
                break;
            }
            if next >= target {
                break;
            }
        }
        if self.ended() && !self.finished {
            self.engine.finish(self.scenario.end());
            self.finished = true;
            self.running = false;
        }
        stopped
    }

    fn note_told(&mut self) {
        if self.engine.children[0].episode.is_none() {
            return;
        }
        for (i, role) in self.playable.iter().enumerate() {
            if self.told_at[i].is_none() && self.engine.knows_of(0, role) {
                self.told_at[i] = Some(self.engine.now);
            }
        }
    }

    /// When the role was told of the child, if it has been.
    pub fn told_at(&self, role: &str) -> Option<NaiveDateTime> {
        self.playable_roles()
            .iter()
            .position(|r| r == role)
            .and_then(|i| self.told_at.get(i).copied().flatten())
    }

    /// A participant acts now. Refused (nothing changes) where the act is not theirs to take or
    /// is not complete.
    pub fn act(&mut self, token: &str, act: Act) -> Result<(), Refusal> {
        let seat = self
            .seat(token)
            .ok_or("You are not seated at this table: join again.")?
            .clone();
        if !self.started {
            return Err("The exercise has not started: wait for the facilitator to start the clock.".into());
        }
        if self.ended() {
            return Err("The exercise has ended.".into());
        }
        let p = self.scenario.protocol.clone();
        let Some(decl) = p.action(&act.action) else {
            return Err(format!("`{}` is not an action of this protocol.", act.action));
        };
        if !p.actions_for_role(&seat.role).contains(&act.action.as_str()) {
            return Err(format!(
                "{} is not something the {} does here.",
                decl.name,
                self.role_name(&seat.role)
            ));
        }
        if act.rationale.chars().count() > TEXT_MAX || act.fields.iter().any(|(_, v)| v.chars().count() > TEXT_MAX) {
            return Err(format!(
                "A rationale or a form field has at most {TEXT_MAX} characters."
            ));
        }
        let category = match (&act.category, decl.effects.contains(&Effect::Classifies)) {
            (Some(c), true) if p.categories.iter().any(|x| &x.id == c) => Some(c.clone()),
            (Some(c), true) => return Err(format!("`{c}` is not a category of this protocol.")),
            (None, true) => return Err(format!("{}: choose the category.", decl.name)),
            (_, false) => None,
        };
        let grade = match (act.grade, decl.effects.contains(&Effect::GradesRisk)) {
            (None, true) => return Err(format!("{}: choose the risk grading.", decl.name)),
            (g, true) => g,
            (_, false) => None,
        };
        let form = decl
            .form
            .as_deref()
            .and_then(|f| p.risk.forms.iter().find(|x| x.id == f));
        let mut fields = Vec::new();
        if let Some(form) = form {
            for (id, _) in &act.fields {
                if !form.fields.iter().any(|f| &f.id == id) {
                    return Err(format!("{} has no field `{id}`.", form.name));
                }
            }
            for f in &form.fields {
                let v = act
                    .fields
                    .iter()
                    .find(|(id, _)| *id == f.id)
                    .map(|(_, v)| v.trim().to_string());
                match v {
                    Some(v) if !v.is_empty() => fields.push((f.id.clone(), v)),
                    _ if f.required => return Err(format!("{}: fill in “{}”.", form.name, f.label)),
                    _ => {}
                }
            }
        }
        let rationale = act.rationale.trim().to_string();
        let d = Decision {
            at_hours: (self.hours() * 100.0).round() / 100.0,
            action: act.action.clone(),
            category,
            grade,
            note: Some(rationale).filter(|r| !r.is_empty()),
            answers: Vec::new(),
            fields,
        };
        let now = self.engine.now;
        self.engine
            .schedule_action(now, 0, &seat.role, &d.action, d.params(), true);
        self.engine.run_until(now);
        self.note_told();
        self.decisions.push(LiveDecision {
            by: seat.name.clone(),
            role: seat.role.clone(),
            at: now,
            decision: d,
        });
        Ok(())
    }

    /// The facilitator sends an inject now, to everyone or to one agency of the exercise.
    pub fn inject(&mut self, to: Option<&str>, text: &str) -> Result<(), Refusal> {
        let text = text.trim();
        if text.is_empty() {
            return Err("Type the inject's text.".into());
        }
        if text.chars().count() > TEXT_MAX {
            return Err(format!("An inject has at most {TEXT_MAX} characters."));
        }
        if let Some(r) = to
            && !self.playable_roles().iter().any(|x| x == r)
        {
            return Err(format!("`{r}` is not an agency of this exercise."));
        }
        self.injects.push(Inject {
            at: self.engine.now,
            to: to.map(str::to_string),
            text: text.to_string(),
        });
        Ok(())
    }

    /// The debrief of each played role: its duties scored as a trainee's are, from one run of
    /// the exercise to the scenario's end.
    pub fn finished(&self) -> bool {
        self.finished
    }

    pub fn debrief(&self) -> Vec<Report> {
        if !self.finished {
            let mut t = Table::restore(&self.journal(), self.scenario.clone());
            t.advance_to(self.scenario.end());
            return t.debrief();
        }
        let e = &self.engine;
        self.played
            .iter()
            .map(|role| {
                let mut sc = self.scenario.clone();
                sc.scenario.trainee_role = role.clone();
                scoring::report(&sc, e, self.seed)
            })
            .collect()
    }

    pub fn journal(&self) -> Journal {
        Journal {
            scenario: self.scenario.path.clone(),
            code: self.code.clone(),
            seed: self.seed,
            seats: self.seats.clone(),
            played: self.played.clone(),
            started: self.started,
            hours: self.hours(),
            decisions: self.decisions.clone(),
            injects: self.injects.clone(),
            speed: self.speed,
            registration: self.registration,
            started_at: self.started_at,
            practice: self.practice,
        }
    }

    /// Rebuild a table from its journal: the same seats, the same decisions at the same
    /// moments, the clock where it was (paused).
    pub fn restore(j: &Journal, scenario: LoadedScenario) -> Self {
        let mut t = Table::new(j.code.clone(), scenario, j.seed);
        t.seats = j.seats.clone();
        if j.started {
            t.played = j.played.clone();
            t.engine = run::prepare_exercise(&t.scenario, &t.played, t.seed);
            t.told_at = vec![None; t.playable_roles().len()];
            t.started = true;
            for d in &j.decisions {
                let at = d.at;
                t.advance_to(at);
                t.engine
                    .schedule_action(at, 0, &d.role, &d.decision.action, d.decision.params(), true);
                t.engine.run_until(at);
                t.note_told();
            }
            let to = t.scenario.at(j.hours).min(t.scenario.end());
            t.advance_to(to);
            t.decisions = j.decisions.clone();
        }
        t.injects = j.injects.clone();
        t.registration = j.registration;
        t.practice = j.practice;
        t.started_at = j.started_at;
        if (MIN_SPEED..=MAX_SPEED).contains(&j.speed) {
            t.speed = j.speed;
        }
        t
    }
}
