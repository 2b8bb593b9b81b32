//! The trainee app driven by its widget labels (egui_kittest), and its screenshot under Xvfb.
#![cfg(feature = "gui")]

use std::path::PathBuf;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use safe_return::scenario::load_decisions;
use safe_return::ui::model::{Mode, Screen, UiModel};
use safe_return::ui::screens::draw;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sr-ui-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
fn harness(model: UiModel) -> Harness<'static, UiModel> {
    Harness::builder()
        .with_size([1280.0, 900.0])
        .build_ui_state(|ui, m: &mut UiModel| draw(ui, m), model)
}

#[test]
fn trainee_plays_the_elm_lodge_scenario_by_clicking_and_scores_full_marks() {
    let dir = temp("play");
    let mut h = harness(UiModel::new(dir.join("autosave.ron")));
    h.get_by_label("Friday night at Elm Lodge").click();
    h.run();
    h.get_by_label("Assessment (hidden until debrief)").click();
    h.run();
    h.get_by_label("Start scenario").click();
    h.run();
    assert_eq!(h.state().screen, Screen::Play);
    assert_eq!(h.state().session.as_ref().unwrap().mode, Mode::Assessment);

    let sc = h.state().session.as_ref().unwrap().scenario.clone();
    let book = load_decisions(&root().join("scenarios/havering-care-residential/by-the-book.ron"), &sc).unwrap();
    for d in &book.actions {
        h.state_mut().session.as_mut().unwrap().advance_to_hours(d.at_hours);
        h.run();
        let name = sc.protocol.action(&d.action).unwrap().name.clone();
        h.get_by_label(&name).click();
        h.run();
    }
    assert_eq!(
        h.state().session.as_ref().unwrap().decisions.actions.len(),
        book.actions.len()
    );
    h.get_by_label("End and debrief").click();
    h.run();
    assert_eq!(h.state().screen, Screen::Debrief);
    let r = h.state().report.clone().unwrap();
    assert_eq!(r.score.percent, 100.0, "{}", r.to_text());
    h.get_by_label_contains("(100%)");
}

#[test]
fn a_late_rhi_offer_shows_as_late_in_the_debrief() {
    let dir = temp("late");
    let mut h = harness(UiModel::new(dir.join("autosave.ron")));
    h.get_by_label("Friday night at Elm Lodge").click();
    h.get_by_label("Start scenario").click();
    h.run();
    h.state_mut().session.as_mut().unwrap().advance_to_hours(119.0);
    h.run();
    // Practice mode marks actions with an open duty.
    h.get_by_label("Offer a return home interview  (due)").click();
    h.run();
    h.get_by_label("End and debrief").click();
    h.run();
    let r = h.state().report.clone().unwrap();
    let rhi = r
        .obligations
        .iter()
        .find(|o| o.rule == "hv.strategy.appx-g.example.rhi-72h")
        .unwrap();
    assert!(rhi.feedback.starts_with("Late by 5 h"), "{}", rhi.feedback);
    h.get_by_label_contains("Late by 5 h");
    h.get_by_label("Export Markdown and JSON").click();
    h.run();
    assert!(h.state().status.starts_with("Saved "), "{}", h.state().status);
}

#[test]
fn a_killed_session_is_offered_for_resume_with_every_action_kept() {
    let dir = temp("resume");
    let save = dir.join("autosave.ron");
    let _ = std::fs::remove_file(&save);
    {
        let mut h = harness(UiModel::new(save.clone()));
        h.get_by_label("Friday night at Elm Lodge").click();
        h.get_by_label("Start scenario").click();
        h.run();
        h.state_mut().session.as_mut().unwrap().advance_to_hours(3.0);
        h.run();
        h.get_by_label("Notify the IRO  (due)").click();
        h.run();
        h.state_mut().session.as_mut().unwrap().advance_to_hours(5.0);
        h.run();
        h.get_by_label("Inform the schools involved that the child is missing / found  (due)")
            .click();
        h.run();
        // The harness is dropped here without any shutdown: as if the app was killed.
    }
    let mut h = harness(UiModel::new(save.clone()));
    h.get_by_label("Resume saved session").click();
    h.run();
    let s = h.state().session.as_ref().expect("resumed");
    assert_eq!(h.state().screen, Screen::Play);
    let acts: Vec<&str> = s.decisions.actions.iter().map(|d| d.action.as_str()).collect();
    assert_eq!(acts, ["notify_iro", "notify_school"]);
    assert!((s.hours() - 5.0).abs() < 0.01, "resumed at {} h", s.hours());
    assert!(
        s.engine
            .log
            .iter()
            .any(|l| l.kind == "trainee" && l.text.contains("IRO"))
    );
}

#[test]
fn a_malformed_scenario_shows_in_the_error_panel_and_the_app_keeps_going() {
    let dir = temp("bad");
    let bad = dir.join("broken").join("scenario.ron");
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::write(&bad, "Scenario(\n  title: \"Broken\",\n  summary: 12,\n)").unwrap();
    let good = root().join("scenarios/havering-care-residential/scenario.ron");
    let mut h = harness(UiModel::with_scenarios(
        vec![bad.clone(), good],
        dir.join("autosave.ron"),
    ));
    h.run();
    h.get_by_label("Problems in files");
    h.get_by_label_contains("scenario.ron:3:11: summary: expected text in double quotes here");
    h.get_by_label("Friday night at Elm Lodge").click();
    h.run();
    h.get_by_label("Start scenario").click();
    h.run();
    assert_eq!(h.state().screen, Screen::Play);
}

#[test]
fn screenshot_renders_a_non_blank_window() {
    if std::env::var_os("DISPLAY").is_none() {
        eprintln!("skipped: no DISPLAY (CI runs this under Xvfb)");
        return;
    }
    let out = temp("shot").join("shot.png");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_safe-return"))
        .args(["--screenshot", out.to_str().unwrap(), "havering-care-residential"])
        .env("SAFE_RETURN_AUTOSAVE", temp("shot").join("autosave.ron"))
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success());
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&out).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = &buf[..info.buffer_size()];
    let step = info.color_type.samples();
    let mut colours = std::collections::HashSet::new();
    for p in px.chunks(step) {
        colours.insert(p[..3].to_vec());
    }
    assert!(info.width >= 1000 && info.height >= 700);
    assert!(colours.len() > 50, "only {} colours: blank window?", colours.len());
}
