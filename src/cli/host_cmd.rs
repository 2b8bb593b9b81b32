//! `safe-return host`: load the scenarios (or journals), then serve the exercise.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{Command, bad_input};
use crate::diag::Diagnostics;
use crate::live::records::LiveRecords;
use crate::live::{Host, Journal, Table, server};
use crate::paths;
use crate::scenario::{LoadedScenario, load_scenario};

/// Where journals go unless `--journal` says: `$XDG_DATA_HOME/safe-return/exercises`, else
/// `~/.local/share/safe-return/exercises`, else `exercises` here.
pub fn default_journal_dir() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
    match base {
        Some(b) => b.join("safe-return").join("exercises"),
        None => PathBuf::from("exercises"),
    }
}

fn scenario(arg: &str) -> Result<LoadedScenario, Diagnostics> {
    let file = paths::scenario_file(arg);
    if !file.is_file() {
        return Err(Diagnostics::single(
            &file,
            1,
            1,
            format!("no scenario `{arg}` (looked for {})", file.display()),
        ));
    }
    load_scenario(&file)
}

fn journal(path: &Path) -> Result<(Journal, LoadedScenario), Diagnostics> {
    let text = crate::diag::read_source(path, "journal")?;
    let j: Journal = serde_json::from_str(&text)
        .map_err(|e| Diagnostics::single(path, e.line(), e.column(), format!("not a table's journal: {e}")))?;
    let sc = load_scenario(&j.scenario)?;
    Ok((j, sc))
}

pub fn host(cmd: &Command) -> ExitCode {
    let Command::Host {
        scenarios,
        tables,
        bind,
        port,
        headless,
        assessment,
        seed,
        journal: journal_dir,
        resume,
        records,
    } = cmd
    else {
        unreachable!("host_cmd::host is called for `host` only")
    };
    if !(1..=20).contains(tables) {
        eprintln!("--tables: {tables} is out of range (1 to 20)");
        return ExitCode::from(2);
    }
    if scenarios.is_empty() && resume.is_empty() {
        eprintln!("host: name at least one scenario (or --resume a table's journal)");
        return ExitCode::from(2);
    }
    let records = match live_records(records) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut loaded = Vec::new();
    for s in scenarios {
        match scenario(s) {
            Ok(sc) => loaded.push(sc),
            Err(d) => return bad_input(&d),
        }
    }
    let mut resumed = Vec::new();
    for r in resume {
        match journal(r) {
            Ok(x) => resumed.push(x),
            Err(d) => return bad_input(&d),
        }
    }
    let mut host = Host::new(&loaded, *tables, *seed, &mut rand::rng());
    for t in host.tables.iter_mut() {
        t.practice = !assessment;
    }
    for (j, sc) in &resumed {
        if host.table(&j.code).is_some() {
            eprintln!("--resume: two tables with the code {}", j.code);
            return ExitCode::from(2);
        }
        host.tables.push(Table::restore(j, sc.clone()));
    }
    host.journal_dir = Some(journal_dir.clone().unwrap_or_else(default_journal_dir));
    if !headless && cfg!(feature = "gui") {
        println!(
            "(The facilitator's console in the app is not built yet: run the exercise from the facilitator page.)"
        );
    }
    match server::serve(
        host,
        server::Options {
            bind: *bind,
            port: *port,
            records,
        },
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("host: cannot serve on {bind}:{port}: {e}");
            ExitCode::from(2)
        }
    }
}

fn refuse(flag: &str, why: impl std::fmt::Display) -> ExitCode {
    eprintln!("{flag}: {why}");
    ExitCode::from(2)
}

/// The learning-record flags of `host`, checked before anything is served.
fn live_records(args: &super::RecordArgs) -> Result<Option<LiveRecords>, ExitCode> {
    if args.trainee.is_some() {
        return Err(refuse(
            "--trainee",
            "in a live exercise each participant is recorded under the display name they join with",
        ));
    }
    if args.registration.is_some() {
        return Err(refuse(
            "--registration",
            "each table of a live exercise has its own registration",
        ));
    }
    if args.lrs.is_none() && args.xapi.is_none() {
        if args.records_dir.is_some() {
            return Err(refuse(
                "--records-dir",
                "makes sense only with --lrs URL or --xapi FILE",
            ));
        }
        return Ok(None);
    }
    let super::records_cmd::Destinations {
        clock,
        settings,
        endpoint,
        queue_dir,
    } = super::records_cmd::destinations(args)?;
    Ok(Some(LiveRecords {
        settings,
        clock,
        endpoint,
        xapi: args.xapi.clone(),
        queue_dir,
        pass_mark: args.pass_mark,
    }))
}
