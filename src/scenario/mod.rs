//! Scenarios as data: a child, a cast, places, a scripted timeline and decision prompts, played
//! against one protocol with the trainee in one role. See `docs/scenario-authoring.md`.

pub mod run;
pub mod validate;

pub use validate::check_decisions;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDateTime;
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
    /// By-the-book acts of roles nobody plays that are left undone in this story (another
    /// agency's mistake: the Head of Safeguarding does not tell the Assistant Director).
    #[serde(default)]
    pub withheld: Vec<Withheld>,
    /// The roles people may play in a live exercise (`safe-return host`), the trainee's role
    /// among them. Empty: the trainee's role, then every role of the cast the protocol asks
    /// something of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub playable_roles: Vec<String>,
    /// Per cent a trainee needs to pass (the learning records' `success`), 0 to 100; the
    /// trainer's `--pass-mark` overrides it. Without either it is 80.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_mark: Option<f64>,
}

/// A role's by-the-book act that the story leaves undone.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Withheld {
    /// A role of the protocol (not the trainee's).
    pub role: String,
    /// An action of the protocol that role does not do by the book here.
    pub action: String,
    /// Why, in the story (for the author and the trainer).
    #[serde(default)]
    pub note: Option<String>,
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
    /// Shown only if the trainee has done this action by then.
    #[serde(default)]
    pub if_done: Option<String>,
    /// Shown only if the trainee has not done this action by then.
    #[serde(default)]
    pub unless_done: Option<String>,
}

impl Prompt {
    /// Whether the prompt is shown, given what the trainee has done by its time (`done(action)`).
    pub fn holds(&self, done: impl Fn(&str) -> bool) -> bool {
        self.if_done.as_deref().is_none_or(&done) && self.unless_done.as_deref().is_none_or(|a| !done(a))
    }
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
    /// Whether a prompt is shown in this run: its condition held at its time, on what the
    /// trainee had done by then (an engine that has run at least that far).
    pub fn prompt_shown(&self, p: &Prompt, e: &crate::sim::engine::Engine) -> bool {
        let at = self.at(p.at_hours);
        p.holds(|a| {
            e.actions_done
                .iter()
                .any(|(t, _, _, x, by_trainee)| *by_trainee && *t <= at && x == a)
        })
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
    let protocol_path =
        crate::paths::protocol_file(&scenario.protocol).map_err(|_| validate::bad_id_message(&scenario.protocol));
    let protocol_path = match protocol_path {
        Ok(p) => p,
        Err(why) => {
            c.err("protocol", why);
            PathBuf::new()
        }
    };
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
    let (start, previous) = validate::check_scenario(&scenario, lp.as_ref().map(|lp| &lp.protocol), &mut c);
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
