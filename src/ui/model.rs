//! The app's state, free of Bevy: a trainee's play session over the engine, autosave and resume.
//! The egui screens draw it; the Bevy app hosts it; tests drive it without a window.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::diag::Diagnostics;
use crate::protocol::{Effect, Form, RiskLevel};
use crate::scenario::{Decision, Decisions, LoadedScenario, load_scenario, run};
use crate::scoring::{self, Report};
use crate::sim::engine::{Engine, Phase, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    /// Upcoming deadlines and feedback shown as you go.
    Practice,
    /// Hidden until the debrief.
    Assessment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Picker,
    Play,
    Debrief,
    /// The stress dashboard for policy teams.
    Stress,
}

/// What is saved as the trainee acts: enough to rebuild the session exactly.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Autosave {
    pub scenario: PathBuf,
    pub title: String,
    pub mode: Mode,
    pub seed: u64,
    pub hours: f64,
    pub decisions: Decisions,
}

/// One trainee playing one scenario.
pub struct PlaySession {
    pub scenario: LoadedScenario,
    pub engine: Engine,
    pub decisions: Decisions,
    pub mode: Mode,
    pub seed: u64,
    pub paused: bool,
    pub speed: f64,
    /// Prompt being shown (index into the scenario's prompts).
    pub prompt: Option<usize>,
    prompts_seen: usize,
    /// Form state.
    pub note: String,
    pub grade: Option<RiskLevel>,
    pub category: Option<String>,
    /// Assessment-tool answers being filled in: item id → score.
    pub answers: Vec<(String, i64)>,
    /// Forms being filled in: action id → one text per field of the action's form.
    pub forms: BTreeMap<String, Vec<String>>,
    /// Demonstration: a decision script the app plays as if a trainee clicked it.
    pub demo: Option<VecDeque<Decision>>,
    /// The chronology shows only messages, events and the trainee's own actions (not what other
    /// agencies did by the book).
    pub inbox_only: bool,
}

impl PlaySession {
    pub fn new(scenario: LoadedScenario, mode: Mode, seed: u64) -> Self {
        let decisions = Decisions::default();
        let engine = run::prepare(&scenario, &decisions, seed);
        PlaySession {
            scenario,
            engine,
            decisions,
            mode,
            seed,
            paused: true,
            speed: 600.0,
            prompt: None,
            prompts_seen: 0,
            note: String::new(),
            grade: None,
            category: None,
            answers: Vec::new(),
            forms: BTreeMap::new(),
            demo: None,
            inbox_only: false,
        }
    }

    /// The form the protocol attaches to an action, if any.
    pub fn form_of(&self, action: &str) -> Option<&Form> {
        let p = &self.scenario.protocol;
        let id = p.action(action)?.form.as_deref()?;
        p.risk.forms.iter().find(|f| f.id == id)
    }

    /// The texts being written into an action's form (one per field).
    pub fn form_values(&mut self, action: &str) -> Option<(Form, &mut Vec<String>)> {
        let form = self.form_of(action)?.clone();
        let values = self.forms.entry(action.to_string()).or_default();
        values.resize(form.fields.len(), String::new());
        Some((form, values))
    }

    /// Required fields of an action's form that are still empty.
    pub fn form_missing(&self, action: &str) -> Vec<String> {
        let Some(form) = self.form_of(action) else {
            return Vec::new();
        };
        let values = self.forms.get(action);
        form.fields
            .iter()
            .enumerate()
            .filter(|(i, f)| f.required && values.and_then(|v| v.get(*i)).is_none_or(|v| v.trim().is_empty()))
            .map(|(_, f)| f.label.clone())
            .collect()
    }

    /// Rebuild a session from saved decisions, replaying to where it was.
    pub fn resume(save: &Autosave) -> Result<Self, Diagnostics> {
        let sc = load_scenario(&save.scenario)?;
        let mut s = PlaySession::new(sc, save.mode, save.seed);
        s.decisions = save.decisions.clone();
        s.engine = run::prepare(&s.scenario, &s.decisions, s.seed);
        let to = s.scenario.at(save.hours);
        s.engine.run_until(to);
        s.prompts_seen = s
            .scenario
            .scenario
            .prompts
            .iter()
            .filter(|p| s.scenario.at(p.at_hours) <= to)
            .count();
        Ok(s)
    }

    pub fn hours(&self) -> f64 {
        (self.engine.now - self.scenario.start).num_minutes() as f64 / 60.0
    }
    pub fn ended(&self) -> bool {
        self.engine.now >= self.scenario.end()
    }

    /// Hours since the child went missing, while away.
    pub fn hours_missing(&self) -> Option<f64> {
        let ep = self.engine.children.first()?.episode.as_ref()?;
        (ep.phase == Phase::Away).then(|| (self.engine.now - ep.left_at).num_minutes() as f64 / 60.0)
    }

    /// Move the clock forward by simulated seconds, stopping at the next prompt.
    pub fn advance(&mut self, sim_seconds: f64) {
        if self.paused || self.ended() {
            return;
        }
        let mut target =
            (self.engine.now + Duration::milliseconds((sim_seconds * 1000.0) as i64)).min(self.scenario.end());
        // A conditional prompt is shown only if its condition holds when its time comes (on
        // what the trainee has done by then); one that does not hold is passed by.
        while let Some(p) = self.scenario.scenario.prompts.get(self.prompts_seen) {
            let at = self.scenario.at(p.at_hours);
            if at > target {
                break;
            }
            self.engine.run_until(at);
            self.prompts_seen += 1;
            if self.scenario.prompt_shown(p, &self.engine) {
                target = at;
                self.paused = true;
                self.prompt = Some(self.prompts_seen - 1);
                break;
            }
        }
        self.engine.run_until(target);
        if self.ended() {
            self.paused = true;
        }
    }

    /// Run the clock to `hours` after the start, dismissing prompts on the way.
    pub fn advance_to_hours(&mut self, hours: f64) {
        let target = self.scenario.at(hours);
        while self.engine.now < target && !self.ended() {
            self.paused = false;
            self.prompt = None;
            self.advance((target - self.engine.now).num_seconds() as f64);
        }
        self.prompt = None;
        self.paused = true;
    }

    /// Jump to the next scheduled happening (or prompt).
    pub fn next_event(&mut self) {
        let next = self.engine.next_time().unwrap_or(self.scenario.end());
        let secs = (next - self.engine.now).num_seconds().max(1) as f64;
        let was = self.paused;
        self.paused = false;
        self.advance(secs);
        if self.prompt.is_none() {
            self.paused = was;
        }
    }

    /// Actions open to the trainee's role: every action a rule asks of that role, the ones with
    /// open duties first.
    pub fn available_actions(&self) -> Vec<(String, String, bool)> {
        let p = &self.scenario.protocol;
        let role = &self.scenario.scenario.trainee_role;
        let mut v: Vec<(String, String, bool)> = Vec::new();
        for action in p.actions_for_role(role) {
            let open = self
                .engine
                .obligations
                .iter()
                .any(|o| o.action == action && o.role == *role && o.status == Status::Open);
            let name = p.action(action).map_or(action.to_string(), |a| a.name.clone());
            v.push((action.to_string(), name, open));
        }
        v.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
        v
    }

    /// Record a decision not to act, with the note as its rationale (nothing happens without one).
    pub fn decide_not_to_act(&mut self) -> Option<Autosave> {
        if self.note.trim().is_empty() {
            return None;
        }
        Some(self.act(crate::sim::engine::NO_ACTION))
    }

    pub fn action_effects(&self, action: &str) -> Vec<Effect> {
        self.scenario
            .protocol
            .action(action)
            .map(|a| a.effects.clone())
            .unwrap_or_default()
    }

    /// The trainee does an action now. Returns the autosave to write.
    pub fn act(&mut self, action: &str) -> Autosave {
        let fields = match self.form_of(action).cloned() {
            Some(form) => {
                let values = self.forms.remove(action).unwrap_or_default();
                form.fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.id.clone(), values.get(i).cloned().unwrap_or_default()))
                    .collect()
            }
            None => Vec::new(),
        };
        let d = Decision {
            at_hours: (self.hours() * 100.0).round() / 100.0,
            action: action.to_string(),
            category: self
                .category
                .take()
                .filter(|_| self.action_effects(action).contains(&Effect::Classifies)),
            grade: self
                .grade
                .take()
                .filter(|_| self.action_effects(action).contains(&Effect::GradesRisk)),
            note: Some(std::mem::take(&mut self.note)).filter(|n| !n.trim().is_empty()),
            answers: std::mem::take(&mut self.answers),
            fields,
        };
        self.act_decision(d)
    }

    /// Do one decision now, exactly as written (the demonstration and `act` use it).
    pub fn act_decision(&mut self, mut d: Decision) -> Autosave {
        d.at_hours = (self.hours() * 100.0).round() / 100.0;
        let role = self.scenario.scenario.trainee_role.clone();
        self.engine
            .schedule_action(self.engine.now, 0, &role, &d.action, d.params(), true);
        self.engine.run_until(self.engine.now);
        self.decisions.actions.push(d);
        self.autosave()
    }

    /// Demonstration: move the clock by `sim_seconds` (prompts are shown and passed), doing each
    /// scripted decision when its time comes. Returns the autosaves to write, one per decision.
    pub fn demo_step(&mut self, sim_seconds: f64) -> Vec<Autosave> {
        let mut saves = Vec::new();
        let Some(queue) = self.demo.as_ref() else {
            return saves;
        };
        let next_at = queue.front().map(|d| self.scenario.at(d.at_hours));
        let budget_end = self.engine.now + Duration::milliseconds((sim_seconds * 1000.0) as i64);
        let target = next_at.map_or(budget_end, |t| t.min(budget_end));
        if target > self.engine.now && !self.ended() {
            self.prompt = None;
            self.paused = false;
            self.advance((target - self.engine.now).num_milliseconds() as f64 / 1000.0);
        }
        while let Some(d) = self.demo.as_mut().and_then(|q| {
            q.front()
                .filter(|d| self.scenario.at(d.at_hours) <= self.engine.now)
                .cloned()
        }) {
            self.demo.as_mut().map(|q| q.pop_front());
            saves.push(self.act_decision(d));
        }
        if self.demo.as_ref().is_some_and(|q| q.is_empty()) {
            // The script is done: the clock runs on to show how the episode ends.
            self.demo = None;
            self.paused = false;
        }
        saves
    }

    pub fn autosave(&self) -> Autosave {
        Autosave {
            scenario: self.scenario.path.clone(),
            title: self.scenario.scenario.title.clone(),
            mode: self.mode,
            seed: self.seed,
            hours: self.hours(),
            decisions: self.decisions.clone(),
        }
    }

    /// An action's name as the protocol words it.
    pub fn action_name(&self, action: &str) -> String {
        self.scenario
            .protocol
            .action(action)
            .map(|a| a.name.clone())
            .unwrap_or(action.to_string())
    }

    /// Open duties of the trainee with their due times, soonest first.
    pub fn upcoming(&self) -> Vec<(Option<NaiveDateTime>, String, String)> {
        let role = &self.scenario.scenario.trainee_role;
        let mut v: Vec<_> = self
            .engine
            .obligations
            .iter()
            .filter(|o| &o.role == role && o.status == Status::Open)
            .map(|o| {
                let name = self.action_name(&o.action);
                (o.due_at, name, o.rule.clone())
            })
            .collect();
        v.sort_by_key(|(d, n, _)| (d.is_none(), *d, n.clone()));
        v
    }

    /// The trainee's duties settled so far (practice-mode feedback), latest first:
    /// (status, action name, rule id, why).
    pub fn settled(&self) -> Vec<(Status, String, String, String)> {
        let role = &self.scenario.scenario.trainee_role;
        let mut v: Vec<_> = self
            .engine
            .obligations
            .iter()
            .filter(|o| &o.role == role && o.status != Status::Open && o.status != Status::NotApplicable)
            .map(|o| {
                let name = self.action_name(&o.action);
                (o.done_at.or(o.due_at), o.status, name, o.rule.clone(), o.reason.clone())
            })
            .collect();
        v.sort_by(|a, b| b.0.cmp(&a.0).then(a.3.cmp(&b.3)));
        v.into_iter().map(|(_, s, n, r, w)| (s, n, r, w)).collect()
    }

    /// Finish the scenario (with what the trainee did) and score it.
    pub fn finish(&self) -> Report {
        run::run(&self.scenario, &self.decisions, self.seed)
    }

    /// A new session replaying only the decisions before `index`, stopped at that moment.
    pub fn replay_from(&self, index: usize) -> PlaySession {
        let at = self
            .decisions
            .actions
            .get(index)
            .map(|d| d.at_hours)
            .unwrap_or(self.hours());
        let save = Autosave {
            decisions: Decisions {
                actions: self.decisions.actions[..index.min(self.decisions.actions.len())].to_vec(),
            },
            hours: at,
            ..self.autosave()
        };
        let mut s = PlaySession::new(self.scenario.clone(), self.mode, self.seed);
        s.decisions = save.decisions.clone();
        s.engine = run::prepare(&s.scenario, &s.decisions, s.seed);
        s.engine.run_until(s.scenario.at(at));
        s.prompts_seen = s.scenario.scenario.prompts.iter().filter(|p| p.at_hours <= at).count();
        s
    }
}

/// Where autosaves go: `$SAFE_RETURN_AUTOSAVE`, else `$XDG_DATA_HOME/safe-return/autosave.ron`,
/// else `~/.local/share/safe-return/autosave.ron`.
pub fn autosave_path() -> PathBuf {
    if let Ok(p) = std::env::var("SAFE_RETURN_AUTOSAVE") {
        return PathBuf::from(p);
    }
    let base = std::env::var("XDG_DATA_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| ".".into())).join(".local/share"));
    base.join("safe-return").join("autosave.ron")
}

/// Write the autosave atomically (write a temporary file, then rename), so a kill mid-write
/// never leaves a broken save.
pub fn write_autosave(path: &Path, save: &Autosave) -> std::io::Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    let tmp = path.with_extension("ron.tmp");
    let text = ron::ser::to_string_pretty(save, ron::ser::PrettyConfig::default()).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, path)
}

pub fn read_autosave(path: &Path) -> Option<Autosave> {
    let text = std::fs::read_to_string(path).ok()?;
    ron::from_str(&text).ok()
}

/// A scenario as listed in the picker (or the error that stops it loading).
pub struct ScenarioEntry {
    pub path: PathBuf,
    pub loaded: Result<LoadedScenario, Diagnostics>,
}

/// Everything the app shows.
pub struct UiModel {
    pub screen: Screen,
    pub scenarios: Vec<ScenarioEntry>,
    pub selected: usize,
    pub mode: Mode,
    pub session: Option<PlaySession>,
    pub report: Option<Report>,
    pub autosave_file: PathBuf,
    pub resume: Option<Autosave>,
    /// Errors to show in the error panel (bad files); the app keeps running.
    pub errors: Vec<String>,
    pub status: String,
    pub ui_scale: f32,
    pub export_dir: PathBuf,
    /// The simulation's time per frame (Bevy diagnostic, smoothed), when the app measures it.
    pub sim_step_ms: Option<f64>,
    /// The free area between the play screen's panels (egui points), where the board is drawn.
    pub board_rect: Option<bevy_egui::egui::Rect>,
    /// The stress dashboard (made when first opened).
    pub dashboard: Option<super::dashboard::Dashboard>,
    /// Learning records of the session (`play --lrs` / `--xapi`), made at the debrief.
    pub records: Option<crate::cli::Recording>,
    /// What became of them, shown on the debrief ("sent", "waiting"); filled in by the thread
    /// that sends them, so a slow LRS never holds the app up.
    pub records_status: std::sync::Arc<std::sync::Mutex<String>>,
}

impl UiModel {
    pub fn new(autosave_file: PathBuf) -> Self {
        Self::with_scenarios(crate::paths::all_scenarios(), autosave_file)
    }

    /// A model listing these scenario files (a file that fails to load shows in the error panel).
    pub fn with_scenarios(files: Vec<PathBuf>, autosave_file: PathBuf) -> Self {
        let scenarios: Vec<ScenarioEntry> = files
            .into_iter()
            .map(|p| ScenarioEntry {
                loaded: load_scenario(&p),
                path: p,
            })
            .collect();
        let errors = scenarios
            .iter()
            .filter_map(|s| s.loaded.as_ref().err().map(|e| e.to_string()))
            .collect();
        let resume = read_autosave(&autosave_file);
        UiModel {
            screen: Screen::Picker,
            scenarios,
            selected: 0,
            mode: Mode::Practice,
            session: None,
            report: None,
            autosave_file,
            resume,
            errors,
            status: String::new(),
            ui_scale: 1.0,
            export_dir: std::env::temp_dir().join("safe-return-exports"),
            sim_step_ms: None,
            board_rect: None,
            dashboard: None,
            records: None,
            records_status: Default::default(),
        }
    }

    /// Select a scenario by folder name.
    pub fn select(&mut self, id: &str) -> bool {
        match self
            .scenarios
            .iter()
            .position(|s| s.loaded.as_ref().is_ok_and(|l| l.id == id))
        {
            Some(i) => {
                self.selected = i;
                true
            }
            None => false,
        }
    }

    pub fn start(&mut self) {
        let Some(Ok(sc)) = self.scenarios.get(self.selected).map(|s| s.loaded.clone()) else {
            return;
        };
        self.session = Some(PlaySession::new(sc, self.mode, 1));
        self.report = None;
        self.screen = Screen::Play;
        self.save();
    }

    pub fn resume_saved(&mut self) {
        let Some(save) = self.resume.clone() else { return };
        match PlaySession::resume(&save) {
            Ok(s) => {
                self.session = Some(s);
                self.screen = Screen::Play;
            }
            Err(e) => self.errors.push(format!("could not resume the saved session:\n{e}")),
        }
    }

    pub fn act(&mut self, action: &str) {
        if let Some(s) = self.session.as_mut() {
            let save = if action == crate::sim::engine::NO_ACTION {
                s.decide_not_to_act()
            } else {
                Some(s.act(action))
            };
            if let Some(save) = save {
                self.write_save(&save);
            }
        }
    }

    fn write_save(&mut self, save: &Autosave) {
        if let Err(e) = write_autosave(&self.autosave_file, save) {
            self.errors
                .push(format!("{}: cannot autosave: {e}", self.autosave_file.display()));
        }
    }

    /// One frame of `real_seconds`: the clock moves at the session's speed; a demonstration
    /// does its decisions as their times come (each one autosaved, as a trainee's would be).
    pub fn tick(&mut self, real_seconds: f64) {
        if self.screen != Screen::Play {
            return;
        }
        let Some(s) = self.session.as_mut() else { return };
        let sim = real_seconds * s.speed;
        if s.demo.is_some() {
            let saves = s.demo_step(sim);
            for save in saves {
                self.write_save(&save);
            }
        } else {
            s.advance(sim);
        }
    }

    /// Start the selected scenario as a demonstration of a decision script.
    pub fn start_demo(&mut self, decisions: Decisions) {
        self.start();
        if let Some(s) = self.session.as_mut() {
            s.demo = Some(decisions.actions.into_iter().collect());
            s.paused = false;
        }
    }

    pub fn save(&mut self) {
        if let Some(s) = &self.session
            && let Err(e) = write_autosave(&self.autosave_file, &s.autosave())
        {
            self.errors
                .push(format!("{}: cannot autosave: {e}", self.autosave_file.display()));
        }
    }

    pub fn end_and_debrief(&mut self) {
        if let Some(s) = &self.session {
            let report = s.finish();
            if let Some(r) = self.records.clone() {
                let (sc, decisions, rep) = (s.scenario.clone(), s.decisions.clone(), report.clone());
                let status = self.records_status.clone();
                *status.lock().unwrap_or_else(|e| e.into_inner()) = "Learning records: sending…".into();
                std::thread::spawn(move || {
                    let (_, message) = crate::cli::deliver_records(&r, &sc, &decisions, &rep);
                    *status.lock().unwrap_or_else(|e| e.into_inner()) = message;
                });
            }
            self.report = Some(report);
            self.screen = Screen::Debrief;
            self.save();
        }
    }

    pub fn export(&mut self) {
        let Some(r) = &self.report else { return };
        let _ = std::fs::create_dir_all(&self.export_dir);
        let md = self.export_dir.join(format!("{}-debrief.md", r.scenario));
        let js = self.export_dir.join(format!("{}-debrief.json", r.scenario));
        let res = std::fs::write(&md, r.to_markdown())
            .and_then(|_| std::fs::write(&js, serde_json::to_string_pretty(r).unwrap_or_default()));
        self.status = match res {
            Ok(()) => format!("Saved {} and {}", md.display(), js.display()),
            Err(e) => format!("Could not export: {e}"),
        };
    }

    pub fn replay_from(&mut self, index: usize) {
        if let Some(s) = &self.session {
            self.session = Some(s.replay_from(index));
            self.report = None;
            self.screen = Screen::Play;
            self.save();
        }
    }
}

/// Score a finished session, as the debrief shows it.
pub fn score_line(r: &Report) -> String {
    format!(
        "{} / {} points ({}%)",
        r.score.earned, r.score.possible, r.score.percent
    )
}

pub use scoring::points;
