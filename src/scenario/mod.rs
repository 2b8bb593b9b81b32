//! Scenarios as data: a child, a cast, places, a scripted timeline and decision prompts, played
//! against one protocol with the trainee in one role. See `docs/scenario-authoring.md`.

pub mod run;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::diag::{Collector, Diagnostics, parse_ron};
use crate::protocol::spans::SpanMap;
use crate::protocol::{LoadedProtocol, Protocol, RiskLevel};
use crate::sim::engine::{ActionParams, ChildProfile, Happening};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub title: String,
    pub summary: String,
    pub learning_objectives: Vec<String>,
    /// Protocol id: `assets/protocols/<id>.ron`.
    pub protocol: String,
    /// The role the trainee plays (a role the protocol declares).
    pub trainee_role: String,
    /// Minutes a trainee should allow.
    #[serde(default = "default_minutes")]
    pub estimated_minutes: u32,
    /// Simulated start, `YYYY-MM-DDTHH:MM`.
    pub start: String,
    /// How long the scenario runs, in simulated hours.
    pub duration_hours: f64,
    pub child: ChildProfile,
    /// Start times of earlier episodes, `YYYY-MM-DDTHH:MM` (for repeat-episode thresholds).
    #[serde(default)]
    pub previous_episodes: Vec<String>,
    pub places: Vec<PlaceDecl>,
    pub cast: Vec<CastMember>,
    pub events: Vec<ScriptedEvent>,
    #[serde(default)]
    pub prompts: Vec<Prompt>,
}

fn default_minutes() -> u32 {
    20
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum PlaceKind {
    Placement,
    FamilyHome,
    School,
    FriendsAddress,
    TownCentre,
    Hospital,
    PoliceStation,
    Office,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlaceDecl {
    pub id: String,
    pub name: String,
    pub kind: PlaceKind,
    /// Position on the board, 0–100 each way.
    pub x: f32,
    pub y: f32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CastMember {
    pub name: String,
    pub role: String,
    /// Where they are at the start (a place id).
    pub place: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScriptedEvent {
    /// Hours after the start.
    pub at_hours: f64,
    pub event: Happening,
    /// Only if the trainee has done this action by then.
    #[serde(default)]
    pub if_done: Option<String>,
    /// Only if the trainee has not done this action by then.
    #[serde(default)]
    pub unless_done: Option<String>,
}

/// A moment where the app pauses and asks the trainee to decide.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Prompt {
    pub at_hours: f64,
    pub text: String,
    /// Rules this decision is about (shown in the debrief).
    #[serde(default)]
    pub rules: Vec<String>,
}

/// The trainee's actions with their simulated times, so a run replays headlessly.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Decisions {
    pub actions: Vec<Decision>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Hours after the scenario start.
    pub at_hours: f64,
    pub action: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub grade: Option<RiskLevel>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub answers: Vec<(String, i64)>,
    /// The action's form, where the protocol names one: field id → what was written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<(String, String)>,
}

impl Decision {
    pub fn params(&self) -> ActionParams {
        ActionParams {
            category: self.category.clone(),
            grade: self.grade,
            note: self.note.clone(),
            answers: self.answers.clone(),
            fields: self.fields.clone(),
        }
    }
}

/// A scenario ready to run: checked, with its protocol loaded.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    pub id: String,
    pub path: PathBuf,
    pub scenario: Scenario,
    pub protocol: Arc<Protocol>,
    pub protocol_path: PathBuf,
    pub start: NaiveDateTime,
    pub previous: Vec<NaiveDateTime>,
}

impl LoadedScenario {
    pub fn end(&self) -> NaiveDateTime {
        self.at(self.scenario.duration_hours)
    }
    pub fn at(&self, hours: f64) -> NaiveDateTime {
        self.start + chrono::Duration::minutes((hours * 60.0).round() as i64)
    }
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

pub fn parse_time(s: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// Load and check a scenario file, and the protocol it names.
pub fn load_scenario(path: &Path) -> Result<LoadedScenario, Diagnostics> {
    let src = crate::diag::read_source(path, "scenario")?;
    let scenario: Scenario = parse_ron(path, &src)?;
    let spans = SpanMap::scan(&src);
    let mut c = Collector::new(path, &spans);
    let protocol_path = crate::paths::protocol_file(&scenario.protocol).unwrap_or_else(|why| {
        c.err("protocol", why);
        PathBuf::new()
    });
    let lp: Option<LoadedProtocol> = if protocol_path.as_os_str().is_empty() {
        None
    } else if protocol_path.is_file() {
        match crate::protocol::load_protocol(&protocol_path) {
            Ok(lp) => Some(lp),
            Err(d) => {
                c.err("protocol", format!("protocol `{}` has errors:\n{d}", scenario.protocol));
                None
            }
        }
    } else {
        c.err(
            "protocol",
            format!(
                "unknown protocol `{}` (no file {})",
                scenario.protocol,
                protocol_path.display()
            ),
        );
        None
    };
    let start = parse_time(&scenario.start);
    if start.is_none() {
        c.err(
            "start",
            format!(
                "`{}` is not a real date and time (write YYYY-MM-DDTHH:MM)",
                scenario.start
            ),
        );
    }
    if !(scenario.duration_hours > 0.0 && scenario.duration_hours <= 24.0 * 366.0) {
        c.err(
            "duration_hours",
            format!("duration must be between 0 and a year, not {}", scenario.duration_hours),
        );
    }
    if scenario.child.date_of_birth > NaiveDate::from_ymd_opt(2100, 1, 1).expect("date")
        || start.is_some_and(|s| scenario.child.date_of_birth > s.date())
    {
        c.err("child.date_of_birth", "the child is born after the scenario starts");
    } else if let Some(s) = start
        && scenario.child.age_at(s) >= 18
    {
        c.err(
            "child.date_of_birth",
            format!(
                "the child is {} at the start; these protocols cover under-18s",
                scenario.child.age_at(s)
            ),
        );
    }
    let mut previous = Vec::new();
    for (i, p) in scenario.previous_episodes.iter().enumerate() {
        match parse_time(p) {
            Some(t) if start.is_none_or(|s| t < s) => previous.push(t),
            Some(_) => c.err(
                &format!("previous_episodes[{i}]"),
                "an earlier episode must be before the start",
            ),
            None => c.err(
                &format!("previous_episodes[{i}]"),
                format!("`{p}` is not a real date and time"),
            ),
        }
    }
    let places: Vec<&str> = scenario.places.iter().map(|p| p.id.as_str()).collect();
    if !places.contains(&"placement") {
        c.err("places", "one place must have id `placement` (where the child lives)");
    }
    for (i, p) in scenario.places.iter().enumerate() {
        if places.iter().filter(|x| **x == p.id).count() > 1 {
            c.err(&format!("places[{i}].id"), format!("duplicate place id `{}`", p.id));
        }
        if !(0.0..=100.0).contains(&p.x) || !(0.0..=100.0).contains(&p.y) {
            c.err(&format!("places[{i}]"), "board positions run from 0 to 100");
        }
    }
    let place_ref = |c: &mut Collector, at: &str, id: &str| {
        if !places.contains(&id) {
            c.err(
                at,
                format!("unknown place `{id}` (declared places: {})", places.join(", ")),
            );
        }
    };
    if let Some(lp) = &lp {
        let p = &lp.protocol;
        let role_ref = |c: &mut Collector, at: &str, r: &str| {
            if p.role(r).is_none() {
                let mut roles: Vec<&str> = p.roles.iter().map(|r| r.id.as_str()).collect();
                roles.sort();
                c.err(
                    at,
                    format!(
                        "unknown role `{r}` in protocol `{}` (its roles: {})",
                        p.id,
                        roles.join(", ")
                    ),
                );
            }
        };
        role_ref(&mut c, "trainee_role", &scenario.trainee_role);
        for (i, m) in scenario.cast.iter().enumerate() {
            role_ref(&mut c, &format!("cast[{i}].role"), &m.role);
        }
        for (i, pr) in scenario.prompts.iter().enumerate() {
            for (j, r) in pr.rules.iter().enumerate() {
                if p.rule(r).is_none() {
                    c.err(
                        &format!("prompts[{i}].rules[{j}]"),
                        format!("unknown rule `{r}` in protocol `{}`", p.id),
                    );
                }
            }
        }
        for (i, e) in scenario.events.iter().enumerate() {
            for (f, a) in [("if_done", &e.if_done), ("unless_done", &e.unless_done)] {
                if let Some(a) = a
                    && p.action(a).is_none()
                {
                    c.err(
                        &format!("events[{i}].{f}"),
                        format!("unknown action `{a}` in protocol `{}`", p.id),
                    );
                }
            }
            if let Happening::Message { from, .. } = &e.event
                && p.role(from).is_none()
                && !scenario.cast.iter().any(|m| &m.name == from)
                && from != &scenario.child.name
            {
                c.err(
                    &format!("events[{i}].event.from"),
                    format!("`{from}` is neither a role of the protocol nor a cast member"),
                );
            }
            if let Happening::Discloses { to: Some(to), .. } = &e.event
                && p.role(to).is_none()
            {
                c.err(
                    &format!("events[{i}].event.to"),
                    format!(
                        "unknown role `{to}` in protocol `{}`{}",
                        p.id,
                        crate::diag::did_you_mean(to, &p.roles.iter().map(|r| r.id.as_str()).collect::<Vec<_>>())
                    ),
                );
            }
        }
    }
    for (i, m) in scenario.cast.iter().enumerate() {
        place_ref(&mut c, &format!("cast[{i}].place"), &m.place);
    }
    let mut last = f64::MIN;
    for (i, e) in scenario.events.iter().enumerate() {
        let at = format!("events[{i}]");
        if e.at_hours < last {
            c.err(
                &format!("{at}.at_hours"),
                format!("events are out of time order: {} h comes after {} h", e.at_hours, last),
            );
        }
        if !(e.at_hours >= 0.0 && e.at_hours <= scenario.duration_hours) {
            c.err(
                &format!("{at}.at_hours"),
                format!(
                    "{} h is outside the scenario (0 to {} h)",
                    e.at_hours, scenario.duration_hours
                ),
            );
        }
        last = last.max(e.at_hours);
        match &e.event {
            Happening::Leaves { to, .. } => place_ref(&mut c, &format!("{at}.event.to"), to),
            Happening::Seen { at: p, .. }
            | Happening::Located { at: p, .. }
            | Happening::WhereaboutsKnown { at: p, .. } => place_ref(&mut c, &format!("{at}.event.at"), p),
            _ => {}
        }
    }
    for (i, pr) in scenario.prompts.iter().enumerate() {
        if !(pr.at_hours >= 0.0 && pr.at_hours <= scenario.duration_hours) {
            c.err(
                &format!("prompts[{i}].at_hours"),
                format!(
                    "{} h is outside the scenario (0 to {} h)",
                    pr.at_hours, scenario.duration_hours
                ),
            );
        }
    }
    c.finish()?;
    let lp = lp.expect("checked above");
    let id = path
        .parent()
        .and_then(|d| d.file_name())
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "scenario".into());
    Ok(LoadedScenario {
        id,
        path: path.to_path_buf(),
        scenario,
        protocol: Arc::new(lp.protocol),
        protocol_path,
        start: start.expect("checked above"),
        previous,
    })
}

/// Load and check a decision script against its scenario.
pub fn load_decisions(path: &Path, sc: &LoadedScenario) -> Result<Decisions, Diagnostics> {
    let src = crate::diag::read_source(path, "decisions")?;
    let d: Decisions = parse_ron(path, &src)?;
    let spans = SpanMap::scan(&src);
    let mut c = Collector::new(path, &spans);
    check_decisions(&d, sc, &mut c);
    c.finish()?;
    Ok(d)
}

pub fn check_decisions(d: &Decisions, sc: &LoadedScenario, c: &mut Collector) {
    let mut last = f64::MIN;
    for (i, a) in d.actions.iter().enumerate() {
        let at = format!("actions[{i}]");
        if !(a.at_hours >= 0.0 && a.at_hours <= sc.scenario.duration_hours) {
            c.err(
                &format!("{at}.at_hours"),
                format!(
                    "{} h is outside the scenario's time span (0 to {} h)",
                    a.at_hours, sc.scenario.duration_hours
                ),
            );
        }
        if a.at_hours < last {
            c.err(
                &format!("{at}.at_hours"),
                format!(
                    "decisions are out of time order: {} h comes after {} h",
                    a.at_hours, last
                ),
            );
        }
        last = last.max(a.at_hours);
        if a.action == crate::sim::engine::NO_ACTION {
            if a.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                c.err(
                    &format!("{at}.action"),
                    "a decision not to act needs its rationale in `note`",
                );
            }
        } else if sc.protocol.action(&a.action).is_none() {
            c.err(
                &format!("{at}.action"),
                format!("unknown action `{}` in protocol `{}`", a.action, sc.protocol.id),
            );
        }
        if let Some(k) = &a.category
            && !sc.protocol.categories.iter().any(|x| &x.id == k)
        {
            c.err(
                &format!("{at}.category"),
                format!("unknown category `{k}` in protocol `{}`", sc.protocol.id),
            );
        }
        // A judgement is scored on what it says: an action that classifies needs the category,
        // and one that does not cannot carry one (nor a grading).
        if let Some(decl) = sc.protocol.action(&a.action) {
            let classifies = decl.effects.contains(&crate::protocol::Effect::Classifies);
            let grades = decl.effects.contains(&crate::protocol::Effect::GradesRisk);
            let ids: Vec<&str> = sc.protocol.categories.iter().map(|x| x.id.as_str()).collect();
            if classifies && a.category.is_none() {
                c.err(
                    &format!("{at}.action"),
                    format!(
                        "`{}` classifies the child: say as what, with `category:` (one of {})",
                        a.action,
                        ids.join(", ")
                    ),
                );
            }
            if !classifies && a.category.is_some() {
                c.err(
                    &format!("{at}.category"),
                    format!("`{}` does not classify the child: leave the category out", a.action),
                );
            }
            if !grades && a.grade.is_some() {
                c.err(
                    &format!("{at}.grade"),
                    format!("`{}` does not grade the risk: leave the grading out", a.action),
                );
            }
        }
        if !a.fields.is_empty() {
            let form = sc
                .protocol
                .action(&a.action)
                .and_then(|x| x.form.as_deref())
                .and_then(|f| sc.protocol.risk.forms.iter().find(|x| x.id == f));
            match form {
                None => c.err(
                    &format!("{at}.fields"),
                    format!("action `{}` has no form to fill in", a.action),
                ),
                Some(form) => {
                    for (j, (f, _)) in a.fields.iter().enumerate() {
                        if !form.fields.iter().any(|x| &x.id == f) {
                            let known: Vec<&str> = form.fields.iter().map(|x| x.id.as_str()).collect();
                            c.err(
                                &format!("{at}.fields[{j}].0"),
                                format!("`{f}` is not a field of {} (fields: {})", form.name, known.join(", ")),
                            );
                        }
                    }
                }
            }
        }
    }
}
