use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{ScenarioCmd, bad_input, print_json};
use crate::diag::Diagnostics;
use crate::paths;
use crate::scenario::{Decisions, load_decisions, load_role_decisions, load_scenario, role_scripts, run};

pub fn run(cmd: &ScenarioCmd) -> ExitCode {
    match cmd {
        ScenarioCmd::Validate { files } => {
            let mut bad = false;
            for f in files {
                let f = if f.is_dir() { f.join("scenario.ron") } else { f.clone() };
                match load_scenario(&f) {
                    Ok(sc) => {
                        // Decision scripts beside it are checked too.
                        let mut ok = true;
                        for name in ["by-the-book.ron", "flawed.ron"] {
                            let d = sc.dir().join(name);
                            if d.is_file()
                                && let Err(e) = load_decisions(&d, &sc)
                            {
                                eprintln!("{e}");
                                ok = false;
                            }
                        }
                        // And each playable role's scripts under roles/ROLE/.
                        let (roles, errors) = role_scripts(&sc);
                        if !errors.is_empty() {
                            eprintln!("{errors}");
                            ok = false;
                        }
                        for (role, d) in &roles {
                            if let Err(e) = load_role_decisions(d, &sc, role) {
                                eprintln!("{e}");
                                ok = false;
                            }
                        }
                        if ok {
                            let scripts = match roles.len() {
                                0 => String::new(),
                                n => format!(", {n} role scripts"),
                            };
                            println!(
                                "{}: ok ({}, {} as {}, {} events{scripts})",
                                f.display(),
                                sc.scenario.title,
                                sc.protocol.id,
                                sc.scenario.trainee_role,
                                sc.scenario.events.len()
                            );
                        } else {
                            bad = true;
                        }
                    }
                    Err(d) => {
                        eprintln!("{d}");
                        bad = true;
                    }
                }
            }
            if bad { ExitCode::from(2) } else { ExitCode::SUCCESS }
        }
        ScenarioCmd::ByTheBook { scenario, role, seed } => {
            let mut sc = match load_scenario(&paths::scenario_file(scenario)) {
                Ok(sc) => sc,
                Err(d) => return bad_input(&d),
            };
            if let Some(role) = role {
                if let Err(why) = crate::live::play::check_role(&sc, role) {
                    eprintln!("--role: {why}");
                    return ExitCode::from(2);
                }
                sc.scenario.trainee_role = role.clone();
            }
            let d = run::by_the_book(&sc, *seed);
            print!("{}", d.to_ron());
            ExitCode::SUCCESS
        }
        ScenarioCmd::List => {
            for f in paths::all_scenarios() {
                match load_scenario(&f) {
                    Ok(sc) => println!(
                        "{:<32} {:<20} {:<22} ~{} min  {}",
                        sc.id,
                        sc.protocol.id,
                        sc.scenario.trainee_role,
                        sc.scenario.estimated_minutes,
                        sc.scenario.title
                    ),
                    Err(d) => eprintln!("{d}"),
                }
            }
            ExitCode::SUCCESS
        }
    }
}

pub fn run_scenario(
    arg: &str,
    decisions: Option<&Path>,
    seed: u64,
    json: bool,
    markdown: Option<&Path>,
    records: &super::RecordArgs,
) -> ExitCode {
    let file = paths::scenario_file(arg);
    if !file.is_file() {
        return bad_input(&Diagnostics::single(
            &file,
            1,
            1,
            format!("no scenario `{arg}` (looked for {})", file.display()),
        ));
    }
    let sc = match load_scenario(&file) {
        Ok(sc) => sc,
        Err(d) => return bad_input(&d),
    };
    let d = match decisions {
        Some(p) => match load_decisions(p, &sc) {
            Ok(d) => d,
            Err(e) => return bad_input(&e),
        },
        None => Decisions::default(),
    };
    // The debrief's file is checked before the run, so nothing is printed and then refused.
    if let Some(m) = markdown
        && let Err(why) = super::stress_cmd::prepare_out_file(m, "debrief.md")
    {
        eprintln!("--markdown: {why}");
        return ExitCode::from(2);
    }
    // The learning records' flags too.
    let recording = match super::records_cmd::prepare(records, &sc) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let report = run::run(&sc, &d, seed);
    if json {
        match &records.trainee {
            // The trainee the trainer named, for the cohort view.
            Some(t) => print_json(&WithTrainee {
                trainee: t,
                report: &report,
            }),
            None => print_json(&report),
        }
    } else {
        print!("{}", report.to_text());
    }
    if let Some(m) = markdown
        && let Err(e) = std::fs::write(m, report.to_markdown())
    {
        eprintln!(
            "{}: cannot write the debrief: {}",
            m.display(),
            crate::diag::io_words(&e)
        );
        return ExitCode::from(2);
    }
    match &recording {
        Some(r) => super::records_cmd::record(r, &sc, &d, &report),
        None => ExitCode::SUCCESS,
    }
}

/// `--play ROLE=FILE`: a role id and a decision script.
pub fn play_arg(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((role, file)) if !role.trim().is_empty() && !file.is_empty() => {
            Ok((role.trim().to_string(), PathBuf::from(file)))
        }
        _ => Err(format!(
            "`{}` is not ROLE=FILE: give a role of the scenario and its decision script, such as \
             police_call_handler=scenarios/NAME/roles/police_call_handler/by-the-book.ron",
            s.escape_debug()
        )),
    }
}

/// `run SCENARIO --play ROLE=FILE …`: a live table played headlessly, each named role by its
/// script, the others by the book; each played role's debrief printed (text or JSON).
pub fn run_played(
    arg: &str,
    play: &[(String, PathBuf)],
    decisions: Option<&Path>,
    seed: u64,
    json: bool,
    markdown: Option<&Path>,
    records: &super::RecordArgs,
) -> ExitCode {
    if decisions.is_some() {
        eprintln!("--decisions plays the trainee alone; with --play give the trainee's script as --play ROLE=FILE too");
        return ExitCode::from(2);
    }
    if records.lrs.is_some() || records.xapi.is_some() || records.trainee.is_some() || records.registration.is_some() {
        eprintln!(
            "--play makes no learning records: a live exercise's records come from `safe-return host` (--lrs, --xapi)"
        );
        return ExitCode::from(2);
    }
    let file = paths::scenario_file(arg);
    if !file.is_file() {
        return bad_input(&Diagnostics::single(
            &file,
            1,
            1,
            format!("no scenario `{arg}` (looked for {})", file.display()),
        ));
    }
    let sc = match load_scenario(&file) {
        Ok(sc) => sc,
        Err(d) => return bad_input(&d),
    };
    let mut scripts = Vec::new();
    let mut bad = false;
    for (i, (role, path)) in play.iter().enumerate() {
        if let Err(why) = crate::live::play::check_role(&sc, role) {
            eprintln!("--play {}={}: {why}", role.escape_debug(), path.display());
            bad = true;
            continue;
        }
        if play[..i].iter().any(|(r, _)| r == role) {
            eprintln!(
                "--play {role}={}: `{role}` is played twice: give one script for each role",
                path.display()
            );
            bad = true;
            continue;
        }
        match load_role_decisions(path, &sc, role) {
            Ok(d) => scripts.push((role.clone(), d)),
            Err(e) => {
                eprintln!("{e}");
                bad = true;
            }
        }
    }
    if bad {
        return ExitCode::from(2);
    }
    if let Some(m) = markdown
        && let Err(why) = super::stress_cmd::prepare_out_file(m, "debrief.md")
    {
        eprintln!("--markdown: {why}");
        return ExitCode::from(2);
    }
    let (table, held) = match crate::live::play_scripts(&sc, &scripts, seed) {
        Ok(t) => t,
        Err(crate::live::PlayError::Refused {
            script,
            decision,
            message,
        }) => {
            return bad_input(&crate::scenario::locate(
                &play[script].1,
                &format!("actions[{decision}]"),
                message,
            ));
        }
        Err(e @ crate::live::PlayError::Role { script, .. }) => {
            eprintln!("--play {}={}: {e}", play[script].0, play[script].1.display());
            return ExitCode::from(2);
        }
    };
    let out = crate::live::play::outcome(&table, &held);
    if json {
        print_json(&out);
    } else {
        print!("{}", out.to_text());
    }
    if let Some(m) = markdown
        && let Err(e) = std::fs::write(m, crate::live::debrief::markdown(&out.debrief))
    {
        eprintln!(
            "{}: cannot write the debrief: {}",
            m.display(),
            crate::diag::io_words(&e)
        );
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// A debrief with the trainee's account name first.
#[derive(serde::Serialize)]
struct WithTrainee<'a> {
    trainee: &'a str,
    #[serde(flatten)]
    report: &'a crate::scoring::Report,
}

/// Per-frame cost of the simulation systems with many children on the board at 3600×, measured
/// over fixed 1/60 s frames (Bevy's manual time strategy), as the app runs them.
pub fn bench_board(children: usize, frames: u32) -> ExitCode {
    use crate::sim::engine::{ChildProfile, Engine, Happening};
    use crate::sim::plugins::{SimClock, headless_app};
    use chrono::Duration;
    let file = paths::scenario_file("havering-care-residential");
    let sc = match load_scenario(&file) {
        Ok(sc) => sc,
        Err(d) => return bad_input(&d),
    };
    let mut e = Engine::new(sc.protocol.clone(), sc.start, 1);
    for i in 0..children {
        let c = e.add_child(
            ChildProfile {
                name: format!("Child {i}"),
                ..sc.scenario.child.clone()
            },
            "placement",
            vec![],
        );
        let at = sc.start + Duration::minutes((i as i64 * 37) % (24 * 60));
        e.schedule(
            at,
            c,
            Happening::Leaves {
                to: "town_centre".into(),
                note: String::new(),
                whereabouts_known: false,
                last_seen_hours_before: None,
            },
        );
        e.schedule(
            at + Duration::hours(20 + (i as i64 % 30)),
            c,
            Happening::Returned { note: String::new() },
        );
    }
    let end = sc.start + Duration::days(30);
    let mut app = headless_app(e, end);
    app.add_plugins(crate::sim::plugins::SimDiagnosticsPlugin {
        history: frames as usize,
    });
    app.insert_resource(bevy_time::TimeUpdateStrategy::ManualDuration(
        std::time::Duration::from_micros(16_667),
    ));
    {
        let mut clock = app.world_mut().resource_mut::<SimClock>();
        clock.paused = false;
        clock.set_speed(3600.0);
    }
    let mut frame_times = Vec::with_capacity(frames as usize);
    for _ in 0..frames {
        let t0 = std::time::Instant::now();
        app.update();
        frame_times.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    // The simulation systems' own time, as Bevy's diagnostics recorded it.
    let store = app.world().resource::<bevy_diagnostic::DiagnosticsStore>();
    let mut times: Vec<f64> = store
        .get(&crate::sim::plugins::SIM_STEP_MS)
        .map(|d| d.values().copied().collect())
        .unwrap_or_default();
    let stats = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
        let pct = |p: f64| v.get(((v.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(0.0);
        (mean, pct(0.5), pct(0.95), pct(1.0))
    };
    let (mean, median, p95, max) = stats(&mut times);
    let (fmean, _, _, fmax) = stats(&mut frame_times);
    let tokens = app
        .world_mut()
        .query::<&crate::sim::plugins::ChildToken>()
        .iter(app.world())
        .count();
    let e = &app.world().resource::<crate::sim::plugins::SimEngine>().0;
    println!(
        "{children} children ({tokens} entities on the board), {} frames at 3600× (1 simulated hour per second)\n\
         simulation systems (Bevy diagnostic {}): mean {mean:.3} ms, median {median:.3} ms, p95 {p95:.3} ms, max {max:.3} ms per frame\n\
         whole app.update(): mean {fmean:.3} ms, max {fmax:.3} ms\n\
         {} events, {} obligations",
        times.len(),
        crate::sim::plugins::SIM_STEP_MS,
        e.events_processed,
        e.obligations.len()
    );
    ExitCode::SUCCESS
}
