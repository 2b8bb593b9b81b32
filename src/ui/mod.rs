//! The trainee app (feature `gui`): Bevy hosts the board (drawn with gizmos) and bevy_egui the
//! overlay. All state lives in [`model::UiModel`]; the screens are plain egui functions.

pub mod dashboard;
pub mod model;
pub mod screens;

use std::path::PathBuf;
use std::process::ExitCode;

use bevy::color::palettes::css;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};
use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass, egui};

use crate::cli::{Cli, Command};
use crate::sim::engine::Phase;
use crate::sim::plugins::SIM_STEP_MS;
use bevy::diagnostic::{Diagnostic, Diagnostics, DiagnosticsStore, RegisterDiagnostic};
use model::{Mode, Screen, UiModel};

#[derive(Resource)]
pub struct App(pub UiModel);

/// Where each cast member's token is drawn now (it travels towards where their duties take them).
#[derive(Resource, Default)]
struct BoardMotion(std::collections::HashMap<usize, Vec2>);

#[derive(Resource, Default)]
struct ScreenshotPlan {
    path: Option<PathBuf>,
    frame: u32,
}

/// Open the app window. Returns when the window closes.
pub fn launch(cli: &Cli) -> ExitCode {
    let mut model = UiModel::new(model::autosave_path());
    let (scenario, mode, demo, speed, records) = match &cli.command {
        Some(Command::Play {
            scenario,
            assessment,
            demo,
            speed,
            records,
        }) => (
            Some(scenario.clone()),
            if *assessment { Mode::Assessment } else { Mode::Practice },
            demo.clone(),
            *speed,
            Some(records.clone()),
        ),
        _ => (cli.scenario.clone(), Mode::Practice, None, 600.0, None),
    };
    model.mode = mode;
    if matches!(cli.command, Some(Command::Dashboard)) {
        model.screen = Screen::Stress;
        if cli.screenshot.is_some() {
            // A screenshot of the dashboard shows results: run its default settings first.
            let mut d = dashboard::Dashboard::new();
            d.start();
            d.wait_for_result();
            model.dashboard = Some(d);
        }
    }
    if let Some(id) = &scenario {
        let id = std::path::Path::new(id)
            .file_name()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or(id.clone());
        if model.select(&id) {
            // The learning-record flags are checked before the window opens (bad input: exit 2).
            if let Some(args) = &records
                && let Ok(sc) = &model.scenarios[model.selected].loaded
            {
                match crate::cli::prepare_records(args, sc) {
                    Ok(r) => model.records = r,
                    Err(code) => return code,
                }
            }
            let script = demo.as_ref().map(|f| {
                let sc = model.scenarios[model.selected]
                    .loaded
                    .clone()
                    .expect("selected scenarios load");
                crate::scenario::load_decisions(f, &sc)
            });
            match script {
                Some(Ok(d)) => model.start_demo(d),
                Some(Err(e)) => {
                    model.errors.push(e.to_string());
                    model.start();
                }
                None => model.start(),
            }
            if let Some(s) = model.session.as_mut() {
                s.speed = speed.clamp(1.0, 3600.0);
            }
        } else {
            model.errors.push(format!(
                "no scenario `{id}` under {}",
                crate::paths::scenarios_dir().display()
            ));
        }
    }
    if cli.screenshot.is_some() {
        // A screenshot shows a scenario in motion: move to its first events.
        if let Some(s) = model.session.as_mut() {
            for _ in 0..4 {
                s.next_event();
                s.prompt = None;
            }
        }
    }
    let mut app = bevy::app::App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title: "Safe Return".into(),
            resolution: (1280u32, 800u32).into(),
            ..default()
        }),
        ..default()
    }))
    .add_plugins(EguiPlugin::default())
    .insert_resource(ClearColor(Color::srgb(0.95, 0.95, 0.93)))
    .insert_resource(App(model))
    .insert_resource(ScreenshotPlan {
        path: cli.screenshot.clone(),
        frame: 0,
    })
    .register_diagnostic(Diagnostic::new(SIM_STEP_MS).with_suffix(" ms"))
    .init_resource::<BoardMotion>()
    .add_systems(Startup, setup_camera)
    .add_systems(
        Update,
        (
            keyboard_shortcuts,
            advance_session,
            show_sim_step_time,
            draw_board,
            take_screenshot,
        )
            .chain(),
    )
    .add_systems(EguiPrimaryContextPass, draw_overlay);
    app.run();
    ExitCode::SUCCESS
}

fn setup_camera(mut commands: Commands) {
    commands.spawn(Camera2d);
}

/// Space: pause/play · 1–4: speeds 1×, 60×, 600×, 3600× · N: next event · +/-: UI scale.
fn keyboard_shortcuts(keys: Res<ButtonInput<KeyCode>>, mut app: ResMut<App>, mut contexts: EguiContexts) {
    let typing = contexts
        .ctx_mut()
        .map(|c| c.egui_wants_keyboard_input())
        .unwrap_or(false);
    if typing {
        return;
    }
    let m = &mut app.0;
    if keys.just_pressed(KeyCode::Equal) {
        m.ui_scale = (m.ui_scale + 0.1).min(2.0);
    }
    if keys.just_pressed(KeyCode::Minus) {
        m.ui_scale = (m.ui_scale - 0.1).max(0.6);
    }
    let Some(s) = m.session.as_mut().filter(|_| m.screen == Screen::Play) else {
        return;
    };
    if keys.just_pressed(KeyCode::Space) {
        s.paused = !s.paused;
        s.prompt = None;
    }
    for (k, sp) in [
        (KeyCode::Digit1, 1.0),
        (KeyCode::Digit2, 60.0),
        (KeyCode::Digit3, 600.0),
        (KeyCode::Digit4, 3600.0),
    ] {
        if keys.just_pressed(k) {
            s.speed = sp;
        }
    }
    if keys.just_pressed(KeyCode::KeyN) {
        s.next_event();
    }
}

/// Real time × speed moves the simulated clock (auto-pausing at decision prompts); the time
/// this takes is Bevy's `SIM_STEP_MS` diagnostic, shown in the clock bar.
fn advance_session(time: Res<Time>, mut app: ResMut<App>, mut diagnostics: Diagnostics) {
    let t0 = std::time::Instant::now();
    app.0.tick(time.delta_secs_f64());
    diagnostics.add_measurement(&SIM_STEP_MS, || t0.elapsed().as_secs_f64() * 1000.0);
}

/// Copy the smoothed simulation-step time into the model for the clock bar.
fn show_sim_step_time(store: Res<DiagnosticsStore>, mut app: ResMut<App>) {
    app.0.sim_step_ms = store.get(&SIM_STEP_MS).and_then(|d| d.smoothed());
}

fn draw_overlay(mut contexts: EguiContexts, mut app: ResMut<App>) -> Result {
    let ctx = contexts.ctx_mut()?;
    ctx.set_zoom_factor(app.0.ui_scale);
    let mut ui = egui::Ui::new(
        ctx.clone(),
        "overlay".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
    screens::draw(&mut ui, &mut app.0);
    Ok(())
}

/// The board: places, the people at them, the child (gone while missing, with a last-seen cross).
fn draw_board(
    mut gizmos: Gizmos,
    app: Res<App>,
    windows: Query<&Window>,
    time: Res<Time>,
    mut motion: ResMut<BoardMotion>,
) {
    let m = &app.0;
    let Some(s) = m.session.as_ref().filter(|_| m.screen == Screen::Play) else {
        return;
    };
    let Ok(w) = windows.single() else { return };
    // The board fills the area the egui panels leave free (egui points × UI scale = logical
    // pixels; Bevy's 2D world has its origin at the window centre, y up).
    let z = m.ui_scale;
    let free = m.board_rect.unwrap_or(egui::Rect::from_min_max(
        egui::pos2(340.0, 70.0),
        egui::pos2(900.0, 800.0),
    ));
    let (left, top) = (free.min.x * z, free.min.y * z);
    let (bw, bh) = (
        (free.width() * z - 220.0).max(120.0),
        (free.height() * z - 110.0).max(120.0),
    );
    let cx = left + free.width() * z / 2.0 - w.width() / 2.0;
    let cy = w.height() / 2.0 - (top + free.height() * z / 2.0);
    let pos = |x: f32, y: f32| Vec2::new(cx + (x / 100.0 - 0.5) * bw, cy + (0.5 - y / 100.0) * bh);
    let places = &s.scenario.scenario.places;
    let at = |id: &str| places.iter().find(|p| p.id == id).map(|p| pos(p.x, p.y));
    gizmos.rect_2d(
        Isometry2d::from_translation(Vec2::new(cx, cy)),
        Vec2::new(bw + 200.0, bh + 90.0),
        css::DARK_GRAY,
    );
    // Legend: shapes and words, not colour alone.
    let lx = cx - (bw + 200.0) / 2.0 + 14.0;
    let ly = cy - (bh + 90.0) / 2.0 + 14.0;
    // Each marker, then its word; the next marker after the word (gizmo text is about 0.75 ×
    // its size a character wide).
    let mut x = lx;
    for (text, marker) in [("police", 0), ("professionals", 1), ("child", 2), ("last seen", 3)] {
        let at = Isometry2d::from_translation(Vec2::new(x, ly));
        match marker {
            0 => {
                gizmos.circle_2d(at, 5.0, css::NAVY);
            }
            1 => {
                gizmos.circle_2d(at, 5.0, css::DARK_GREEN);
            }
            2 => {
                gizmos.circle_2d(at, 9.0, css::ORANGE_RED);
            }
            _ => gizmos.cross_2d(at, 12.0, css::CRIMSON),
        }
        // Clear of the marker: circles of radius 5 and 9, a cross of arms 12.
        let gap = [10.0, 10.0, 14.0, 18.0][marker];
        gizmos.text_2d(
            Isometry2d::from_translation(Vec2::new(x + gap, ly)),
            text,
            10.0,
            Vec2::new(-0.5, 0.0),
            css::DIM_GRAY,
        );
        x += gap + text.len() as f32 * 10.0 * 0.75 + 22.0;
    }
    for p in places {
        let c = pos(p.x, p.y);
        gizmos
            .circle_2d(Isometry2d::from_translation(c), 26.0, css::STEEL_BLUE)
            .resolution(48);
        // The name is centred under its place but kept inside the board's frame (a long name
        // at the edge would run under the side panels). Gizmo text is about 0.75 × its size a
        // character wide.
        let name = ascii(&p.name);
        let half = name.chars().count() as f32 * 11.0 * 0.75 / 2.0;
        let (lo, hi) = (
            cx - (bw + 200.0) / 2.0 + 6.0 + half,
            cx + (bw + 200.0) / 2.0 - 6.0 - half,
        );
        let x = if lo <= hi { c.x.clamp(lo, hi) } else { cx };
        gizmos.text_2d(
            Isometry2d::from_translation(Vec2::new(x, c.y - 40.0)),
            &name,
            11.0,
            Vec2::ZERO,
            css::BLACK,
        );
    }
    // People go where their open duties take them and travel there across the board: police to
    // where the child was last seen (or found), meeting attendees to the office; home otherwise.
    let child = &s.engine.children[0];
    let phase = child.episode.as_ref().map(|e| e.phase);
    let open: Vec<(&str, &str)> = s
        .engine
        .obligations
        .iter()
        .filter(|o| o.status == crate::sim::Status::Open && o.due_at.is_none_or(|d| d >= s.engine.now))
        .map(|o| (o.role.as_str(), o.action.as_str()))
        .collect();
    let dt = time.delta_secs().min(0.1);
    for (i, c) in s.scenario.scenario.cast.iter().enumerate() {
        let home = at(&c.place).unwrap_or(Vec2::ZERO);
        let duties: Vec<&str> = open.iter().filter(|(r, _)| *r == c.role).map(|(_, a)| *a).collect();
        let police = s
            .scenario
            .protocol
            .role(&c.role)
            .is_some_and(|r| r.agency == crate::protocol::Agency::Police);
        let target = if duties.iter().any(|a| a.contains("meeting")) {
            at("office").unwrap_or(home)
        } else if police && matches!(phase, Some(Phase::Away) | Some(Phase::Located)) && !duties.is_empty() {
            at(&child.place).unwrap_or(home)
        } else {
            home
        };
        let offset = Vec2::new(((i % 4) as f32 - 1.5) * 12.0, 14.0 + (i / 4) as f32 * 12.0);
        let goal = target + offset;
        // Travel at a steady pace on screen rather than jumping.
        let pos = motion.0.entry(i).or_insert(goal);
        let step = 160.0 * dt;
        let gap = goal - *pos;
        *pos = if gap.length() <= step {
            goal
        } else {
            *pos + gap.normalize() * step
        };
        let colour = if police { css::NAVY } else { css::DARK_GREEN };
        gizmos.circle_2d(Isometry2d::from_translation(*pos), 5.0, colour);
        if gap.length() > 1.0 {
            gizmos.line_2d(*pos, goal, css::LIGHT_GRAY);
        }
    }
    match phase {
        Some(Phase::Away) => {
            // Missing: the token is gone; a cross marks where the child was last seen.
            let last = s
                .engine
                .log
                .iter()
                .rev()
                .find(|l| l.kind == "event" && (l.text.contains(" seen at ") || l.text.contains(" leaves")))
                .map(|_| child.place.as_str())
                .unwrap_or("placement");
            let p = at(last).unwrap_or(Vec2::ZERO);
            gizmos.cross_2d(Isometry2d::from_translation(p), 14.0, css::CRIMSON);
            gizmos.text_2d(
                Isometry2d::from_translation(p + Vec2::new(12.0, 10.0)),
                "last seen",
                10.0,
                Vec2::new(-0.5, 0.0),
                css::CRIMSON,
            );
        }
        _ => {
            let p = at(&child.place).or_else(|| at("placement")).unwrap_or(Vec2::ZERO);
            gizmos
                .circle_2d(Isometry2d::from_translation(p), 9.0, css::ORANGE_RED)
                .resolution(24);
        }
    }
}

fn ascii(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii() { c } else { '-' }).collect()
}

/// `--screenshot PATH`: render some frames, save the window, exit.
fn take_screenshot(mut commands: Commands, mut plan: ResMut<ScreenshotPlan>, mut exit: MessageWriter<AppExit>) {
    let Some(path) = plan.path.clone() else { return };
    plan.frame += 1;
    if plan.frame == 30 {
        commands.spawn(Screenshot::primary_window()).observe(save_to_disk(path));
    }
    if plan.frame == 60 {
        exit.write(AppExit::Success);
    }
}
