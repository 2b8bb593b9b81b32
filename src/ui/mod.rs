//! The trainee app (feature `gui`): Bevy hosts the board (drawn with gizmos) and bevy_egui the
//! overlay. All state lives in [`model::UiModel`]; the screens are plain egui functions.

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
use model::{Mode, Screen, UiModel};

#[derive(Resource)]
pub struct App(pub UiModel);

#[derive(Resource, Default)]
struct ScreenshotPlan {
    path: Option<PathBuf>,
    frame: u32,
}

/// Open the app window. Returns when the window closes.
pub fn launch(cli: &Cli) -> ExitCode {
    let mut model = UiModel::new(model::autosave_path());
    let (scenario, mode) = match &cli.command {
        Some(Command::Play { scenario, assessment }) => (
            Some(scenario.clone()),
            if *assessment { Mode::Assessment } else { Mode::Practice },
        ),
        _ => (cli.scenario.clone(), Mode::Practice),
    };
    model.mode = mode;
    if let Some(id) = &scenario {
        let id = std::path::Path::new(id)
            .file_name()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or(id.clone());
        if model.select(&id) {
            model.start();
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
    .add_systems(Startup, setup_camera)
    .add_systems(
        Update,
        (keyboard_shortcuts, advance_session, draw_board, take_screenshot).chain(),
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

/// Real time × speed moves the simulated clock (auto-pausing at decision prompts).
fn advance_session(time: Res<Time>, mut app: ResMut<App>) {
    let m = &mut app.0;
    if m.screen != Screen::Play {
        return;
    }
    if let Some(s) = m.session.as_mut() {
        let dt = time.delta_secs_f64() * s.speed;
        s.advance(dt);
    }
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
fn draw_board(mut gizmos: Gizmos, app: Res<App>, windows: Query<&Window>) {
    let m = &app.0;
    let Some(s) = m.session.as_ref().filter(|_| m.screen == Screen::Play) else {
        return;
    };
    let Ok(w) = windows.single() else { return };
    // The board sits between the side panels (left 330, right 380 logical px) and under the top bar.
    let (bw, bh) = ((w.width() - 760.0).max(200.0), (w.height() - 140.0).max(200.0));
    let cx = (330.0 - 380.0) / 2.0;
    let cy = -50.0;
    let pos = |x: f32, y: f32| Vec2::new(cx + (x / 100.0 - 0.5) * bw, cy + (0.5 - y / 100.0) * bh);
    let places = &s.scenario.scenario.places;
    let at = |id: &str| places.iter().find(|p| p.id == id).map(|p| pos(p.x, p.y));
    gizmos.rect_2d(
        Isometry2d::from_translation(Vec2::new(cx, cy)),
        Vec2::new(bw + 20.0, bh + 20.0),
        css::DARK_GRAY,
    );
    for p in places {
        let c = pos(p.x, p.y);
        gizmos
            .circle_2d(Isometry2d::from_translation(c), 26.0, css::STEEL_BLUE)
            .resolution(48);
        gizmos.text_2d(
            Isometry2d::from_translation(c + Vec2::new(0.0, -40.0)),
            &ascii(&p.name),
            11.0,
            Vec2::ZERO,
            css::BLACK,
        );
    }
    // People at their places; those with an open duty move towards the office or the child.
    let open: Vec<&str> = s
        .engine
        .obligations
        .iter()
        .filter(|o| o.status == crate::sim::Status::Open)
        .map(|o| o.role.as_str())
        .collect();
    let meeting = s
        .engine
        .obligations
        .iter()
        .any(|o| o.status == crate::sim::Status::Open && o.action.contains("strategy_meeting"));
    for (i, c) in s.scenario.scenario.cast.iter().enumerate() {
        let home = at(&c.place).unwrap_or(Vec2::ZERO);
        let target = if meeting && open.contains(&c.role.as_str()) {
            at("office").unwrap_or(home)
        } else {
            home
        };
        let offset = Vec2::new(((i % 4) as f32 - 1.5) * 12.0, 14.0 + (i / 4) as f32 * 12.0);
        gizmos.circle_2d(Isometry2d::from_translation(target + offset), 5.0, css::DARK_GREEN);
    }
    let child = &s.engine.children[0];
    match child.episode.as_ref().map(|e| e.phase) {
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
                Isometry2d::from_translation(p + Vec2::new(0.0, 22.0)),
                "last seen",
                10.0,
                Vec2::ZERO,
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
