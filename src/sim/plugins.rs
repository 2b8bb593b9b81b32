//! Bevy plugins over the engine: a clock (pause, speed 1×–3600×, step to next event, run as fast
//! as the CPU allows) and entities mirroring the children, people and places so the board, tests
//! and diagnostics can query them. Only bevy_ecs/bevy_app/bevy_time: no rendering here.

use bevy_app::{App, Plugin, Update};
use bevy_diagnostic::{Diagnostic, DiagnosticPath, Diagnostics, RegisterDiagnostic};
use bevy_ecs::prelude::*;
use bevy_time::Time;
use chrono::{Duration, NaiveDateTime};

use super::engine::{Engine, Phase};

/// The engine as a resource.
#[derive(Resource)]
pub struct SimEngine(pub Engine);

/// How the simulated clock moves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClockMode {
    /// Driven by real time times `speed`.
    RealTime,
    /// As fast as the CPU allows, up to the given moment.
    FastForward(NaiveDateTime),
}

#[derive(Resource, Debug, Clone)]
pub struct SimClock {
    pub paused: bool,
    /// Simulated seconds per real second: 1 to 3600.
    pub speed: f64,
    pub mode: ClockMode,
    /// Do not run past this moment (the scenario's end).
    pub end: NaiveDateTime,
    /// Pause when the clock reaches one of these (decision prompts).
    pub pause_points: Vec<NaiveDateTime>,
    /// Set when the clock stopped at a pause point; the app shows the prompt.
    pub paused_at_prompt: Option<NaiveDateTime>,
}

impl SimClock {
    pub const SPEEDS: [f64; 4] = [1.0, 60.0, 600.0, 3600.0];

    pub fn new(end: NaiveDateTime) -> Self {
        SimClock {
            paused: true,
            speed: 60.0,
            mode: ClockMode::RealTime,
            end,
            pause_points: Vec::new(),
            paused_at_prompt: None,
        }
    }
    pub fn set_speed(&mut self, speed: f64) {
        self.speed = speed.clamp(1.0, 3600.0);
    }
}

/// A child on the board.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct ChildToken {
    pub index: usize,
    pub name: String,
    pub phase: Phase,
    pub place: String,
    pub category: Option<String>,
}

/// A person (carer, officer, social worker…) on the board.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct PersonToken {
    pub name: String,
    pub role: String,
    pub place: String,
}

/// A place on the board.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct PlaceMarker {
    pub id: String,
    pub name: String,
    pub x: f32,
    pub y: f32,
}

/// Clock and engine stepping.
pub struct ClockPlugin;

/// The simulation's systems (clock, engine, mirrored entities), as one set so they can be timed.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimSystems;

impl Plugin for ClockPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(
            Update,
            (advance_clock, mirror_children, move_people_to_duties)
                .chain()
                .in_set(SimSystems),
        );
    }
}

/// Bevy diagnostic: wall-clock milliseconds the simulation systems took this frame.
pub const SIM_STEP_MS: DiagnosticPath = DiagnosticPath::const_new("safe_return/sim_step_ms");

/// Measures [`SimSystems`] every frame into the [`SIM_STEP_MS`] diagnostic (read it from Bevy's
/// `DiagnosticsStore`). `history` is how many frames the diagnostic keeps.
pub struct SimDiagnosticsPlugin {
    pub history: usize,
}

impl Default for SimDiagnosticsPlugin {
    fn default() -> Self {
        SimDiagnosticsPlugin { history: 120 }
    }
}

/// When this frame's simulation systems started (a measurement of the program, not sim time).
#[derive(Resource, Default)]
struct SimStepStarted(Option<std::time::Instant>);

impl Plugin for SimDiagnosticsPlugin {
    fn build(&self, app: &mut App) {
        app.register_diagnostic(
            Diagnostic::new(SIM_STEP_MS)
                .with_suffix(" ms")
                .with_max_history_length(self.history),
        )
        .init_resource::<SimStepStarted>()
        .add_systems(Update, start_sim_step_timer.before(SimSystems))
        .add_systems(Update, record_sim_step_time.after(SimSystems));
    }
}

fn start_sim_step_timer(mut started: ResMut<SimStepStarted>) {
    started.0 = Some(std::time::Instant::now());
}

fn record_sim_step_time(started: Res<SimStepStarted>, mut diagnostics: Diagnostics) {
    if let Some(t0) = started.0 {
        diagnostics.add_measurement(&SIM_STEP_MS, || t0.elapsed().as_secs_f64() * 1000.0);
    }
}

/// Move the engine forward by real time × speed, or to the next event when fast-forwarding.
pub fn advance_clock(time: Res<Time>, mut clock: ResMut<SimClock>, mut sim: ResMut<SimEngine>) {
    if clock.paused {
        return;
    }
    let engine = &mut sim.0;
    let target = match clock.mode {
        ClockMode::RealTime => {
            let secs = time.delta_secs_f64() * clock.speed;
            engine.now + Duration::milliseconds((secs * 1000.0) as i64)
        }
        ClockMode::FastForward(until) => match engine.next_time() {
            Some(t) if t <= until => t,
            _ => until,
        },
    };
    let mut target = target.min(clock.end);
    // Stop at the first prompt on the way.
    if let Some(p) = clock
        .pause_points
        .iter()
        .copied()
        .filter(|p| *p > engine.now && *p <= target)
        .min()
    {
        target = p;
        clock.paused = true;
        clock.paused_at_prompt = Some(p);
    }
    engine.run_until(target);
    if engine.now >= clock.end {
        clock.paused = true;
    }
    if let ClockMode::FastForward(until) = clock.mode
        && engine.now >= until
    {
        clock.paused = true;
        clock.mode = ClockMode::RealTime;
    }
}

/// Keep child tokens in step with the engine.
pub fn mirror_children(mut commands: Commands, sim: Res<SimEngine>, mut q: Query<&mut ChildToken>) {
    let engine = &sim.0;
    let mut seen = vec![false; engine.children.len()];
    for mut tok in &mut q {
        let Some(c) = engine.children.get(tok.index) else {
            continue;
        };
        seen[tok.index] = true;
        let phase = c.episode.as_ref().map(|e| e.phase).unwrap_or(Phase::AtPlacement);
        let category = c.episode.as_ref().and_then(|e| e.category.clone());
        if tok.phase != phase || tok.place != c.place || tok.category != category {
            tok.phase = phase;
            tok.place = c.place.clone();
            tok.category = category;
        }
    }
    for (i, c) in engine.children.iter().enumerate() {
        if !seen[i] {
            commands.spawn(ChildToken {
                index: i,
                name: c.profile.name.clone(),
                phase: c.episode.as_ref().map(|e| e.phase).unwrap_or(Phase::AtPlacement),
                place: c.place.clone(),
                category: None,
            });
        }
    }
}

/// People go where their open duties take them: officers to where the child was last seen,
/// meeting attendees to the office; back home when nothing is open.
pub fn move_people_to_duties(sim: Res<SimEngine>, mut q: Query<&mut PersonToken>, children: Query<&ChildToken>) {
    let engine = &sim.0;
    let child_place = children
        .iter()
        .next()
        .map(|c| c.place.clone())
        .unwrap_or_else(|| "placement".into());
    for mut p in &mut q {
        let open: Vec<&str> = engine
            .obligations
            .iter()
            .filter(|o| o.role == p.role && o.status == super::Status::Open)
            .map(|o| o.action.as_str())
            .collect();
        let target = if open.iter().any(|a| a.contains("meeting") || a.contains("review")) {
            "office".to_string()
        } else if open
            .iter()
            .any(|a| a.contains("search") || a.contains("safe_and_well") || a.contains("locate"))
        {
            child_place.clone()
        } else {
            String::new()
        };
        if !target.is_empty() && p.place != target {
            p.place = target;
        }
    }
}

/// Build a headless app around an engine (tests, CLI and the app's simulation share it).
pub fn headless_app(engine: Engine, end: NaiveDateTime) -> App {
    let mut app = App::new();
    app.add_plugins(bevy_time::TimePlugin);
    app.insert_resource(SimClock::new(end));
    app.insert_resource(SimEngine(engine));
    app.add_plugins(ClockPlugin);
    app
}

/// Fast-forward the app to the end, one event batch per update.
pub fn run_headless(app: &mut App) {
    let end = app.world().resource::<SimClock>().end;
    {
        let mut clock = app.world_mut().resource_mut::<SimClock>();
        clock.mode = ClockMode::FastForward(end);
        clock.paused = false;
        clock.pause_points.clear();
    }
    loop {
        app.update();
        let now = app.world().resource::<SimEngine>().0.now;
        if now >= end {
            break;
        }
        app.world_mut().resource_mut::<SimClock>().paused = false;
        app.world_mut().resource_mut::<SimClock>().mode = ClockMode::FastForward(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sim_step_diagnostic_records_one_measurement_per_frame() {
        let protocol = crate::protocol::load_protocol(&crate::paths::protocols_dir().join("havering-2023-10.ron"))
            .expect("protocol")
            .protocol;
        let start = chrono::NaiveDate::from_ymd_opt(2024, 3, 1)
            .unwrap()
            .and_hms_opt(18, 0, 0)
            .unwrap();
        let engine = Engine::new(std::sync::Arc::new(protocol), start, 1);
        let mut app = headless_app(engine, start + Duration::days(2));
        app.add_plugins(SimDiagnosticsPlugin { history: 50 });
        app.world_mut().resource_mut::<SimClock>().paused = false;
        for _ in 0..7 {
            app.update();
        }
        let store = app.world().resource::<bevy_diagnostic::DiagnosticsStore>();
        let d = store.get(&SIM_STEP_MS).expect("registered");
        assert_eq!(d.history_len(), 7);
        assert!(d.values().all(|v| *v >= 0.0));
    }
}
