//! Learning records on the command line: the flags `run` takes to make them, and
//! `safe-return records send|status`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::records::clock::Clock;
use crate::records::config::{self, Settings};
use crate::records::lrs::{self, send_queue};
use crate::records::queue::Queue;
use crate::records::statements::{DEFAULT_PASS_MARK, Session, check_trainee};
use crate::records::validate;
use crate::scenario::{Decisions, LoadedScenario};
use crate::scoring::Report;

/// `run`'s learning-record flags.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct RecordArgs {
    /// The trainee's account name in the records: a pseudonym the trainer chooses, such as T-07
    /// (default: `trainee-` and 8 characters of the session's id). Also written as `trainee` in
    /// the --json debrief. Nothing else about the trainee is recorded.
    #[arg(long, value_name = "NAME")]
    pub trainee: Option<String>,
    /// Send the session's learning records (xAPI statements) to this LRS endpoint, such as
    /// https://lrs.example.org/xAPI/. They are queued on disk first; an LRS that is down loses
    /// nothing (`safe-return records send` tries again). Credentials come from the settings file
    /// or SAFE_RETURN_LRS_USERNAME and SAFE_RETURN_LRS_PASSWORD, never from the command line.
    #[arg(long, value_name = "URL")]
    pub lrs: Option<String>,
    /// Write the session's learning records to this file as JSON lines (one statement a line).
    #[arg(long, value_name = "FILE")]
    pub xapi: Option<PathBuf>,
    /// Folder the statements wait in until the LRS has them (default: SAFE_RETURN_RECORDS_DIR,
    /// the settings file's records_dir, else records/ in the user's data folder).
    #[arg(long, value_name = "DIR")]
    pub records_dir: Option<PathBuf>,
    /// The learning records settings file (default: SAFE_RETURN_LRS_CONFIG, else
    /// learning-records.ron in the user's configuration folder).
    #[arg(long, value_name = "FILE")]
    pub lrs_config: Option<PathBuf>,
    /// Per cent needed to pass, 0 to 100 (default: the scenario's pass_mark, else 80).
    #[arg(long, value_name = "PERCENT", value_parser = percent, allow_negative_numbers = true)]
    pub pass_mark: Option<f64>,
    /// Use this registration (a UUID) for the session instead of a new one: for demonstrations
    /// and tests. The same registration and events give the same statement ids.
    #[arg(long, value_name = "UUID", value_parser = registration)]
    pub registration: Option<Uuid>,
}

/// A pass mark: `80`, `80%` or `72.5`, from 0 to 100.
pub fn percent(s: &str) -> Result<f64, String> {
    let t = s.trim().trim_end_matches('%').trim();
    match t.parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(v),
        Ok(v) => Err(format!("{v} is out of range: give 0 to 100 (per cent)")),
        Err(_) => Err(format!(
            "`{}` is not a number of per cent, such as 80",
            s.escape_debug()
        )),
    }
}

pub fn registration(s: &str) -> Result<Uuid, String> {
    Uuid::try_parse(s.trim()).map_err(|_| {
        format!(
            "`{}` is not a UUID, such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301",
            s.escape_debug()
        )
    })
}

/// Everything a run needs to record its session, checked before the run.
#[derive(Clone)]
pub struct Recording {
    session: Session,
    settings: Settings,
    clock: Clock,
    started: DateTime<Utc>,
    endpoint: Option<String>,
    xapi: Option<PathBuf>,
    queue_dir: PathBuf,
}

fn refuse(flag: &str, why: impl std::fmt::Display) -> ExitCode {
    eprintln!("{flag}: {why}");
    ExitCode::from(2)
}

/// Where a session's records go, from the flags (checked: the clock, the settings file, the LRS
/// address, the --xapi file's folder).
pub struct Destinations {
    pub clock: Clock,
    pub settings: Settings,
    pub endpoint: Option<String>,
    pub queue_dir: PathBuf,
}

pub fn destinations(args: &RecordArgs) -> Result<Destinations, ExitCode> {
    let clock = Clock::from_env().map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })?;
    let settings = config::load(args.lrs_config.as_deref()).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })?;
    let endpoint = match &args.lrs {
        Some(u) => Some(lrs::endpoint(u).map_err(|why| refuse("--lrs", why))?),
        None => None,
    };
    if let Some(x) = &args.xapi
        && let Err(why) = super::stress_cmd::prepare_out_file(x, "statements.jsonl")
    {
        return Err(refuse("--xapi", why));
    }
    let queue_dir = config::records_dir(args.records_dir.as_deref(), &settings);
    Ok(Destinations {
        clock,
        settings,
        endpoint,
        queue_dir,
    })
}

/// Check the record flags before the run (so bad input prints nothing else). `None` when the
/// run makes no records (neither --lrs nor --xapi).
pub fn prepare(args: &RecordArgs, sc: &LoadedScenario) -> Result<Option<Recording>, ExitCode> {
    if let Some(t) = &args.trainee
        && let Err(why) = check_trainee(t)
    {
        return Err(refuse("--trainee", why));
    }
    if args.trainee.as_deref().is_some_and(|t| t.contains('@')) {
        eprintln!(
            "--trainee: note: `{}` looks like an email address; records are meant to hold a pseudonym \
             (such as T-07) and nothing that names the trainee",
            args.trainee.as_deref().unwrap_or_default().escape_debug()
        );
    }
    if args.lrs.is_none() && args.xapi.is_none() {
        for (given, flag) in [
            (args.records_dir.is_some(), "--records-dir"),
            (args.registration.is_some(), "--registration"),
        ] {
            if given {
                return Err(refuse(flag, "makes sense only with --lrs URL or --xapi FILE"));
            }
        }
        return Ok(None);
    }
    let Destinations {
        clock,
        settings,
        endpoint,
        queue_dir,
    } = destinations(args)?;
    let pass_mark = args.pass_mark.or(sc.scenario.pass_mark).unwrap_or(DEFAULT_PASS_MARK);
    let reg = args
        .registration
        .unwrap_or_else(|| uuid::Builder::from_random_bytes(rand::random()).into_uuid());
    let session = Session::new(reg, args.trainee.as_deref(), &settings, pass_mark);
    Ok(Some(Recording {
        session,
        started: clock.now(),
        settings,
        clock,
        endpoint,
        xapi: args.xapi.clone(),
        queue_dir,
    }))
}

/// After the run: make the statements, write them (--xapi) and queue and send them (--lrs).
/// Sending that fails is told, not fatal: the statements wait in the queue.
pub fn record(r: &Recording, sc: &LoadedScenario, decisions: &Decisions, report: &Report) -> ExitCode {
    let (code, message) = deliver(r, sc, decisions, report);
    // On the command line the statements file speaks for itself; the LRS and errors are told.
    if !message.is_empty() && (r.endpoint.is_some() || code != ExitCode::SUCCESS) {
        eprintln!("{message}");
    }
    code
}

/// Make the statements, write them (--xapi), queue and send them (--lrs): the exit status and
/// what to tell the trainee (empty where there is nothing to say). The app calls it off its
/// drawing thread.
pub fn deliver(r: &Recording, sc: &LoadedScenario, decisions: &Decisions, report: &Report) -> (ExitCode, String) {
    let finished = r.clock.now();
    let statements = r.session.for_run(sc, decisions, report, r.started, finished);
    for s in &statements {
        let problems = validate::statement(s);
        if !problems.is_empty() {
            return (
                ExitCode::from(1),
                format!(
                    "learning records: a statement Safe Return made breaks xAPI's rules (nothing was recorded; please report this):\n  {}",
                    problems.join("\n  ")
                ),
            );
        }
    }
    let mut said = String::new();
    if let Some(x) = &r.xapi {
        let mut text = String::new();
        for s in &statements {
            text += &serde_json::to_string(s).expect("serialisable");
            text.push('\n');
        }
        if let Err(e) = std::fs::write(x, text) {
            return (
                ExitCode::from(2),
                format!(
                    "{}: cannot write the statements: {}",
                    x.display(),
                    crate::diag::io_words(&e)
                ),
            );
        }
        said = format!(
            "Learning records: {} statements written to {}.",
            statements.len(),
            x.display()
        );
    }
    let Some(endpoint) = &r.endpoint else {
        return (ExitCode::SUCCESS, said);
    };
    let queue = Queue::new(&r.queue_dir);
    if let Err(e) = queue.push(endpoint, statements, finished) {
        return (ExitCode::from(1), format!("learning records: {e}"));
    }
    let sent = send_queue(&queue, None, Some(endpoint), &r.settings, &r.clock);
    let message = if sent.errors.is_empty() {
        format!(
            "Learning records: {} statements sent to {endpoint} (session {}, trainee {}).",
            sent.sent, r.session.registration, r.session.trainee
        )
    } else {
        format!(
            "Learning records: not all sent: {}\n{} statements wait in {}; `safe-return records send` sends them.",
            sent.errors.join("; "),
            sent.kept,
            queue.dir().display()
        )
    };
    (ExitCode::SUCCESS, [said, message].join(" ").trim().to_string())
}

fn settings_or_exit(file: Option<&Path>) -> Result<Settings, ExitCode> {
    config::load(file).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

/// `records send`: everything queued, each batch to its LRS (or to `--lrs`).
pub fn send(lrs_arg: Option<&str>, records_dir: Option<&Path>, lrs_config: Option<&Path>) -> ExitCode {
    let settings = match settings_or_exit(lrs_config) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let clock = match Clock::from_env() {
        Ok(c) => c,
        Err(e) => return refuse("environment", e),
    };
    let to = match lrs_arg {
        Some(u) => match lrs::endpoint(u) {
            Ok(e) => Some(e),
            Err(why) => return refuse("--lrs", why),
        },
        None => None,
    };
    let queue = Queue::new(&config::records_dir(records_dir, &settings));
    let status = queue.status();
    if status.batches == 0 && status.unreadable.is_empty() {
        println!("Nothing waits in {}.", queue.dir().display());
        return ExitCode::SUCCESS;
    }
    let r = send_queue(&queue, to.as_deref(), None, &settings, &clock);
    println!(
        "Sent {} statements ({} sessions) from {}.",
        r.sent,
        r.batches_sent,
        queue.dir().display()
    );
    if r.errors.is_empty() {
        return ExitCode::SUCCESS;
    }
    for e in &r.errors {
        eprintln!("{e}");
    }
    eprintln!("{} statements still wait; nothing was lost.", r.kept);
    ExitCode::from(1)
}

/// `records status`: what waits, since when, for where, and the last error.
pub fn status(records_dir: Option<&Path>, lrs_config: Option<&Path>, json: bool) -> ExitCode {
    let settings = match settings_or_exit(lrs_config) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let s = Queue::new(&config::records_dir(records_dir, &settings)).status();
    if json {
        super::print_json(&s);
        return ExitCode::SUCCESS;
    }
    let mut out = format!("Records folder: {}\n", s.folder);
    if s.batches == 0 {
        out += "Nothing waits to be sent.\n";
    } else {
        out += &format!(
            "Waiting: {} statements from {} sessions, the oldest queued {}, for {}\n",
            s.statements,
            s.batches,
            s.oldest.as_deref().unwrap_or("-"),
            s.endpoints.join(", ")
        );
    }
    for u in &s.unreadable {
        out += &format!("Cannot read (left in place): {u}\n");
    }
    match &s.log.last_sent_at {
        Some(t) => {
            out += &format!(
                "Last sent: {t} ({} statements sent from this folder in all)\n",
                s.log.sent
            )
        }
        None => out += "Nothing sent from this folder yet.\n",
    }
    if let (Some(e), Some(t)) = (&s.log.last_error, &s.log.last_error_at) {
        out += &format!("Last error ({t}): {}\n", crate::records::cohort::plain(e));
    }
    print!("{out}");
    ExitCode::SUCCESS
}
