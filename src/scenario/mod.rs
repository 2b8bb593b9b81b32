//! Scenarios as data: a child, a cast, places, a scripted timeline and decision prompts, played
//! against one protocol with the trainee in one role. See `docs/scenario-authoring.md`.

pub mod run;
pub mod validate;

pub use validate::{check_decisions, check_role_decisions};

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
    /// The roles people may take in a live exercise: the scenario's `playable_roles` (the
    /// trainee's role first), else its trainee role, then every role of its cast that the
    /// protocol asks something of, each once.
    pub fn playable_roles(&self) -> Vec<String> {
        let sc = &self.scenario;
        let p = &self.protocol;
        let mut v = vec![sc.trainee_role.clone()];
        if !sc.playable_roles.is_empty() {
            // The trainee's role first, then as the author listed them.
            v.extend(sc.playable_roles.iter().filter(|r| **r != sc.trainee_role).cloned());
            return v;
        }
        for m in &sc.cast {
            if !v.contains(&m.role) && p.role(&m.role).is_some() && !p.actions_for_role(&m.role).is_empty() {
                v.push(m.role.clone());
            }
        }
        v
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

/// Load and check the decision script of one role of a live exercise (`roles/ROLE/…`, `run
/// --play ROLE=FILE`): checked as a trainee's script is, and for what a live table would refuse
/// of that role (`check_role_decisions`).
pub fn load_role_decisions(path: &Path, sc: &LoadedScenario, role: &str) -> Result<Decisions, Diagnostics> {
    let src = crate::diag::read_source(path, "decisions")?;
    let d: Decisions = parse_ron(path, &src)?;
    let spans = SpanMap::scan(&src);
    let mut c = Collector::new(path, &spans);
    check_role_decisions(&d, sc, role, &mut c);
    c.finish()?;
    Ok(d)
}

/// The place of `field` (`actions[3]`) in a decision script, for an error found after loading
/// it (a live table's refusal): `path:line:col: field: message`, or line 1 where the file
/// cannot be read again.
pub fn locate(path: &Path, field: &str, message: impl std::fmt::Display) -> Diagnostics {
    let src = std::fs::read_to_string(path).unwrap_or_default();
    let spans = SpanMap::scan(&src);
    let mut c = Collector::new(path, &spans);
    c.err(field, message);
    c.finish().err().unwrap_or_default()
}

/// The decision scripts of the roles people may play, kept beside the scenario as
/// `roles/ROLE/NAME.ron`: each role folder's `.ron` files, in name order; and the errors found on
/// the way (a folder whose name is not a role people may play in the scenario, a folder that
/// cannot be read).
pub fn role_scripts(sc: &LoadedScenario) -> (Vec<(String, PathBuf)>, Diagnostics) {
    let dir = sc.dir().join("roles");
    let mut out = Vec::new();
    let mut errors = Diagnostics::default();
    if !dir.is_dir() {
        return (out, errors);
    }
    let mut error = |p: &Path, message: String| {
        errors.0.push(crate::diag::SourceError {
            path: p.to_path_buf(),
            line: 1,
            col: 1,
            message,
        })
    };
    let list = |d: &Path| -> std::io::Result<Vec<PathBuf>> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        v.sort();
        Ok(v)
    };
    let roles = match list(&dir) {
        Ok(v) => v,
        Err(e) => {
            error(&dir, format!("cannot read the folder: {}", crate::diag::io_words(&e)));
            return (out, errors);
        }
    };
    let playable = sc.playable_roles();
    for r in roles.into_iter().filter(|p| p.is_dir()) {
        let role = r
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if !playable.contains(&role) {
            error(
                &r,
                format!(
                    "`{}` is not a role people may play in this scenario (playable_roles: {})",
                    role.escape_debug(),
                    playable.join(", ")
                ),
            );
            continue;
        }
        match list(&r) {
            Ok(files) => out.extend(
                files
                    .into_iter()
                    .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "ron"))
                    .map(|f| (role.clone(), f)),
            ),
            Err(e) => error(&r, format!("cannot read the folder: {}", crate::diag::io_words(&e))),
        }
    }
    (out, errors)
}
