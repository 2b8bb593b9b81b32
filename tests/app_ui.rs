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

/// Choose a scenario in the picker as a person does: scroll the list to it, then click it.
fn pick(h: &mut Harness<'static, UiModel>, title: &str) {
    h.get_by_label(title).scroll_to_me();
    h.run();
    h.get_by_label(title).click();
    h.run();
    let chosen = h.state().scenarios[h.state().selected]
        .loaded
        .as_ref()
        .map(|s| s.scenario.title.clone());
    assert_eq!(chosen.ok().as_deref(), Some(title), "the picker chose another scenario");
}

#[test]
fn trainee_plays_the_elm_lodge_scenario_by_clicking_and_scores_full_marks() {
    let dir = temp("play");
    let mut h = harness(UiModel::new(dir.join("autosave.ron")));
    pick(&mut h, "Friday night at Elm Lodge");
    h.run();
    h.get_by_label("Assessment (hidden until debrief)").click();
    h.run();
    h.get_by_label("Start scenario").click();
    h.run();
    assert_eq!(h.state().screen, Screen::Play);
    assert_eq!(h.state().session.as_ref().unwrap().mode, Mode::Assessment);

    let sc = h.state().session.as_ref().unwrap().scenario.clone();
    let book = load_decisions(&root().join("scenarios/havering-care-residential/by-the-book.ron"), &sc).unwrap();
    for (i, d) in book.actions.iter().enumerate() {
        h.state_mut().session.as_mut().unwrap().advance_to_hours(d.at_hours);
        h.run();
        let name = sc.protocol.action(&d.action).unwrap().name.clone();
        // (The list scrolls: bring the button into view as a trainee would.)
        h.get_by_label(&name).scroll_to_me();
        h.run();
        h.get_by_label(&name).click();
        h.run();
        let done = h.state().session.as_ref().unwrap().decisions.actions.len();
        assert_eq!(done, i + 1, "the click on `{name}` at {} h was not taken", d.at_hours);
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
    pick(&mut h, "Friday night at Elm Lodge");
    h.run();
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
        pick(&mut h, "Friday night at Elm Lodge");
        h.run();
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
    // Practice mode gives feedback as you go.
    assert!(
        s.settled()
            .iter()
            .any(|(st, name, _, _)| *st == safe_return::sim::Status::Met && name == "Notify the IRO")
    );
    h.run();
    h.get_by_label("Feedback so far");
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
    pick(&mut h, "Friday night at Elm Lodge");
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

#[test]
fn a_parent_fills_in_the_police_report_form_and_the_chronology_keeps_it() {
    let dir = temp("form");
    let mut h = harness(UiModel::new(dir.join("autosave.ron")));
    pick(&mut h, "Tuesday, 3.45 pm: Daniel hasn't come home");
    h.run();
    h.get_by_label("Start scenario").click();
    h.run();
    h.state_mut().session.as_mut().unwrap().advance_to_hours(1.0);
    h.run();
    h.get_by_label("   Form: Information to share when referring a child missing from home to the police")
        .click();
    h.run();
    let field = h.get_by_label("Description of the child including their clothing. (required)");
    field.focus();
    field.type_text("Slim, dark hair, navy school blazer, red trainers");
    h.run();
    let field = h.get_by_label("Details of where the child was last seen and with whom. (required)");
    field.focus();
    field.type_text("Bus stop by the school at 3.20 pm, with two older boys");
    h.run();
    h.get_by_label_contains("5 required field(s) still empty");
    let report = h
        .query_by_label("Report the child missing to the police (999 if at immediate risk, otherwise 101)  (due)")
        .unwrap_or_else(|| {
            h.get_by_label("Report the child missing to the police (999 if at immediate risk, otherwise 101)")
        });
    report.click();
    h.run();
    let s = h.state().session.as_ref().unwrap();
    let d = s.decisions.actions.last().expect("the report is recorded");
    assert_eq!(d.action, "report_to_police");
    assert!(d.fields.contains(&(
        "description".into(),
        "Slim, dark hair, navy school blazer, red trainers".into()
    )));
    let form = s
        .engine
        .log
        .iter()
        .find(|l| l.kind == "form")
        .expect("form in the chronology");
    assert!(
        form.text
            .contains("Details of where the child was last seen and with whom.: Bus stop by the school")
    );
    assert!(
        form.text.contains("REQUIRED BUT LEFT EMPTY: A recent photograph."),
        "{}",
        form.text
    );
    // Shown in the chronology panel, and saved.
    h.get_by_label_contains("REQUIRED BUT LEFT EMPTY: A recent photograph.");
    let saved = safe_return::ui::model::read_autosave(&dir.join("autosave.ron")).unwrap();
    assert_eq!(saved.decisions.actions.last().unwrap().fields, d.fields);
    // Other agencies' by-the-book actions can be hidden, leaving the inbox.
    // (The social worker hears of Daniel only once MASH passes the police report on; the other
    // carer, with him from the start, is already searching.)
    let others = "[action] Anyone else caring for the child without parental responsibility: Search and make enquiries to locate the child";
    assert!(h.query_by_label_contains(others).is_some());
    h.get_by_label("Inbox only: messages, events and my own actions")
        .click();
    h.run();
    assert!(h.query_by_label_contains(others).is_none());
    h.get_by_label_contains("REQUIRED BUT LEFT EMPTY: A recent photograph.");
}

#[test]
fn a_demonstration_plays_the_by_the_book_script_to_full_marks() {
    let dir = temp("demo");
    let mut m = UiModel::new(dir.join("autosave.ron"));
    assert!(m.select("havering-care-residential"));
    let sc = m.scenarios[m.selected].loaded.clone().unwrap();
    let book = load_decisions(&root().join("scenarios/havering-care-residential/by-the-book.ron"), &sc).unwrap();
    m.start_demo(book.clone());
    m.session.as_mut().unwrap().speed = 3600.0;
    // Frames of a tenth of a second until the scenario ends.
    let mut frames = 0;
    while !m.session.as_ref().unwrap().ended() {
        let s = m.session.as_mut().unwrap();
        if s.demo.is_none() && s.prompt.is_some() {
            // After the script, a trainer clicks "Continue" at each decision point.
            s.prompt = None;
            s.paused = false;
        }
        m.tick(0.1);
        frames += 1;
        assert!(frames < 100_000, "the demonstration never ends");
    }
    let s = m.session.as_ref().unwrap();
    assert!(s.demo.is_none(), "every scripted decision was done");
    let done: Vec<(f64, &str)> = s
        .decisions
        .actions
        .iter()
        .map(|d| (d.at_hours, d.action.as_str()))
        .collect();
    let want: Vec<(f64, &str)> = book.actions.iter().map(|d| (d.at_hours, d.action.as_str())).collect();
    assert_eq!(done, want);
    m.end_and_debrief();
    assert_eq!(m.report.as_ref().unwrap().score.percent, 100.0);
}

#[test]
fn killing_the_app_process_mid_scenario_loses_nothing_and_it_resumes() {
    if std::env::var_os("DISPLAY").is_none() {
        eprintln!("skipped: no DISPLAY (CI runs this under Xvfb)");
        return;
    }
    let dir = temp("kill");
    let save = dir.join("autosave.ron");
    let _ = std::fs::remove_file(&save);
    let book_file = root().join("scenarios/havering-care-residential/by-the-book.ron");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_safe-return"))
        .args(["play", "havering-care-residential", "--speed", "3600", "--demo"])
        .arg(&book_file)
        .env("SAFE_RETURN_AUTOSAVE", &save)
        .env("XDG_RUNTIME_DIR", &dir)
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the app has done some of the script (each decision is autosaved as it is made).
    let t0 = std::time::Instant::now();
    let done = loop {
        if let Some(s) = safe_return::ui::model::read_autosave(&save)
            && s.decisions.actions.len() >= 12
        {
            break s.decisions.actions.len();
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the app exited early: {status}");
        }
        assert!(t0.elapsed().as_secs() < 240, "the app made no progress");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    child.kill().unwrap(); // SIGKILL: no chance to save anything more
    child.wait().unwrap();
    let saved = safe_return::ui::model::read_autosave(&save).expect("the autosave survives the kill");
    assert!(saved.decisions.actions.len() >= done);

    // Reopening offers to resume; every decision made before the kill is there.
    let mut h = harness(UiModel::new(save.clone()));
    h.get_by_label_contains("You have an unfinished session: Friday night at Elm Lodge");
    h.get_by_label("Resume saved session").click();
    h.run();
    let sc = h.state().session.as_ref().unwrap().scenario.clone();
    let book = load_decisions(&book_file, &sc).unwrap();
    let n = h.state().session.as_ref().unwrap().decisions.actions.len();
    assert_eq!(n, saved.decisions.actions.len());
    let kept: Vec<&str> = h
        .state()
        .session
        .as_ref()
        .unwrap()
        .decisions
        .actions
        .iter()
        .map(|d| d.action.as_str())
        .collect();
    let want: Vec<&str> = book.actions[..n].iter().map(|d| d.action.as_str()).collect();
    assert_eq!(kept, want);
    // Finish the rest of the script by hand: full marks, as if never interrupted.
    for d in &book.actions[n..] {
        let s = h.state_mut().session.as_mut().unwrap();
        s.advance_to_hours(d.at_hours);
        s.act(&d.action);
    }
    h.get_by_label("End and debrief").click();
    h.run();
    assert_eq!(h.state().report.as_ref().unwrap().score.percent, 100.0);
}

#[test]
fn a_decision_not_to_act_needs_a_rationale_and_goes_into_the_chronology() {
    let dir = temp("noact");
    let mut h = harness(UiModel::new(dir.join("autosave.ron")));
    pick(&mut h, "Friday night at Elm Lodge");
    h.run();
    h.get_by_label("Start scenario").click();
    h.run();
    h.state_mut().session.as_mut().unwrap().advance_to_hours(2.0);
    h.run();
    // Without a rationale the button does nothing.
    h.get_by_label("Record a decision not to act").click();
    h.run();
    assert!(h.state().session.as_ref().unwrap().decisions.actions.is_empty());
    let note = h.get_by_label("Note / rationale:");
    note.focus();
    note.type_text("Police already searching the park; calling the carer again at 21:00");
    h.run();
    assert_eq!(
        h.state().session.as_ref().unwrap().note,
        "Police already searching the park; calling the carer again at 21:00"
    );
    h.get_by_label("Record a decision not to act").click();
    h.run();
    let s = h.state().session.as_ref().unwrap();
    let d = s.decisions.actions.last().expect("recorded");
    assert_eq!(d.action, "record_decision_not_to_act");
    assert_eq!(
        d.note.as_deref(),
        Some("Police already searching the park; calling the carer again at 21:00")
    );
    assert!(s.engine.log.iter().any(|l| l.kind == "trainee"
        && l.text == "Decided not to act — \"Police already searching the park; calling the carer again at 21:00\""));
    h.get_by_label_contains("Decided not to act — \"Police already searching the park");
}

#[test]
fn the_stress_dashboard_opens_from_the_picker_and_comes_back() {
    let dir = temp("dash");
    let mut h = harness(UiModel::new(dir.join("autosave.ron")));
    h.get_by_label("Stress-test a protocol revision (policy teams)").click();
    h.run();
    assert_eq!(h.state().screen, Screen::Stress);
    h.get_by_label("Stress dashboard — protocols on a synthetic caseload");
    h.get_by_label("Run stress test");
    h.get_by_label("Back to scenarios").click();
    h.run();
    assert_eq!(h.state().screen, Screen::Picker);
}

#[test]
fn a_judgement_waits_for_its_answer_before_it_is_recorded() {
    // West Mercia, the carer: "Make the judgement on the category of absence" is taken only once a
    // category is chosen, and is recorded with it.
    let dir = temp("judgement");
    let mut h = harness(UiModel::new(dir.join("autosave.ron")));
    pick(&mut h, "\"I'm at Kyle's and I'm staying\"");
    h.run();
    h.get_by_label("Start scenario").click();
    h.run();
    h.state_mut().session.as_mut().unwrap().advance_to_hours(1.75);
    h.run();
    let judge = "Make the judgement on the category of absence (unauthorised absence / absent / missing / absconded)";
    let click_judge = |h: &mut Harness<'static, UiModel>| {
        h.get_by_role_and_label(bevy_egui::egui::accesskit::Role::Button, &format!("{judge}  (due)"))
            .click();
        h.run();
    };
    click_judge(&mut h);
    assert!(
        h.state().session.as_ref().unwrap().decisions.actions.is_empty(),
        "no category yet"
    );
    h.get_by_label("(choose the category below first)");
    h.get_by_label("Unauthorised absence (away from placement without authorisation)")
        .click();
    h.run();
    click_judge(&mut h);
    let d = &h.state().session.as_ref().unwrap().decisions.actions;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].category.as_deref(), Some("unauthorised_absence"));
}

/// `play --xapi` (or `--lrs`): the session's learning records are made at the debrief, off the
/// app's drawing thread, and the debrief says what became of them.
#[test]
fn the_debrief_says_the_learning_records_were_written() {
    let dir = temp("records");
    let file = dir.join("statements.jsonl");
    let mut h = harness(UiModel::new(dir.join("autosave.ron")));
    pick(&mut h, "Friday night at Elm Lodge");
    let sc = h.state().scenarios[h.state().selected].loaded.clone().unwrap();
    let args = safe_return::cli::RecordArgs {
        xapi: Some(file.clone()),
        trainee: Some("T-07".into()),
        ..Default::default()
    };
    h.state_mut().records = safe_return::cli::prepare_records(&args, &sc).expect("good flags");
    h.get_by_label("Start scenario").click();
    h.run();
    h.state_mut().end_and_debrief();
    h.run();
    for _ in 0..100 {
        if h.state().records_status.lock().unwrap().contains("written") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    h.run();
    h.get_by_label_contains("statements written to");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.lines().count() > 2, "{text}");
    assert!(
        text.contains("\"T-07\""),
        "the trainee's account name is on the statements"
    );
}

/// Bad learning-record flags on `play` are refused before the window opens (exit 2).
#[test]
fn play_refuses_bad_record_flags_before_the_window_opens() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_safe-return"))
        .args([
            "play",
            "havering-care-residential",
            "--trainee",
            "",
            "--xapi",
            "/tmp/sr-ui-x.jsonl",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--trainee: give a name"), "{err}");
}
