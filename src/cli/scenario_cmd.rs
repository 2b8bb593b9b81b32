use std::path::Path;
use std::process::ExitCode;

use super::{ScenarioCmd, bad_input, print_json};
use crate::diag::Diagnostics;
use crate::paths;
use crate::scenario::{Decisions, load_decisions, load_scenario, run};

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
                        if ok {
                            println!(
                                "{}: ok ({}, {} as {}, {} events)",
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
        ScenarioCmd::ByTheBook { scenario, seed } => {
            let sc = match load_scenario(&paths::scenario_file(scenario)) {
                Ok(sc) => sc,
                Err(d) => return bad_input(&d),
            };
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

pub fn run_scenario(arg: &str, decisions: Option<&Path>, seed: u64, json: bool, markdown: Option<&Path>) -> ExitCode {
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
    let report = run::run(&sc, &d, seed);
    if json {
        print_json(&report);
    } else {
        print!("{}", report.to_text());
    }
    if let Some(m) = markdown
        && let Err(e) = std::fs::write(m, report.to_markdown())
    {
        eprintln!("{}: cannot write the debrief: {e}", m.display());
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
