//! The headless command line: `safe-return …`. Exit 0 on success, 1 when a check finds
//! problems of substance (lint errors), 2 on bad input.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::diag::Diagnostics;
use crate::protocol;

mod cohort_cmd;
mod host_cmd;
mod protocol_cmd;
mod records_cmd;
mod scenario_cmd;
mod stress_cmd;

pub use records_cmd::{RecordArgs, Recording, deliver as deliver_records, prepare as prepare_records};

#[derive(Parser, Debug)]
#[command(
    name = "safe-return",
    version,
    about = "Rehearse and stress-test safeguarding protocols for children missing from home or care"
)]
pub struct Cli {
    /// Render a few frames of the app, save a PNG here and exit (with the gui feature).
    #[arg(long, global = false)]
    pub screenshot: Option<PathBuf>,
    /// Scenario to open (with --screenshot, or to start the app on it).
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

// Parsed once per run: the size of the largest variant (`stress`, with its many options) costs
// nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check, lint, compare and print protocol files.
    #[command(subcommand)]
    Protocol(ProtocolCmd),
    /// Check scenario files.
    #[command(subcommand)]
    Scenario(ScenarioCmd),
    /// Run a scenario to its end headlessly and print the score report.
    Run {
        /// A folder name under scenarios/, a scenario folder, or a scenario.ron file.
        scenario: String,
        /// The trainee's decisions (RON); without it the trainee does nothing.
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// Play a live table headlessly: ROLE played by the decision script FILE, each decision
        /// at its time (repeatable, one script a role; roles not named act by the book). Prints
        /// each played role's debrief. See docs/live-exercises.md.
        #[arg(long, value_name = "ROLE=FILE", value_parser = scenario_cmd::play_arg)]
        play: Vec<(String, PathBuf)>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
        /// Also write the debrief as Markdown here.
        #[arg(long)]
        markdown: Option<PathBuf>,
        /// Learning records (xAPI) of the session: see docs/learning-records.md.
        #[command(flatten)]
        records: RecordArgs,
    },
    /// Learning records waiting for the LRS: send them, or say what waits.
    #[command(subcommand)]
    Records(RecordsCmd),
    /// How a group of trainees did, rule by rule (met, late, missed, wrongful), per role and per
    /// scenario: from a folder of JSON debriefs (`run … --json`), a file of statements
    /// (`run … --xapi`), or an LRS (its xAPI endpoint, https://…).
    Cohort {
        /// A folder of debriefs, a statements file, or an LRS endpoint.
        source: String,
        /// Print CSV (one row per rule per scenario) instead of text.
        #[arg(long)]
        csv: bool,
        /// Also write the view as a self-contained HTML page with a bar chart.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// The learning records settings file (credentials and activity base for an LRS).
        #[arg(long, value_name = "FILE")]
        lrs_config: Option<PathBuf>,
    },
    /// Host a live exercise: people join from a browser with their table's code, each playing
    /// one agency; roles nobody takes act by the book; the facilitator runs each table's clock
    /// from the facilitator page (its address is printed). Stops with Ctrl-C.
    Host {
        /// Scenarios (a folder name under scenarios/, a scenario folder, or a scenario.ron file):
        /// one table each.
        scenarios: Vec<String>,
        /// Tables of each scenario (1 to 20), each with its own code and clock.
        #[arg(long, default_value_t = 1)]
        tables: usize,
        /// The address to listen on: 127.0.0.1 lets only this computer join; 0.0.0.0 lets the
        /// room's network in.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The port (0: any free one; the address is printed).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// No window: the facilitator uses the facilitator page (the only console for now).
        #[arg(long)]
        headless: bool,
        /// Assessment: participants see no feedback on their duties until the debrief (practice,
        /// the default, shows each duty as it settles).
        #[arg(long)]
        assessment: bool,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder for each table's journal, written after every change (default:
        /// safe-return/exercises in the user's data folder).
        #[arg(long, value_name = "DIR")]
        journal: Option<PathBuf>,
        /// Pick a table up where it was, from its journal file (repeatable).
        #[arg(long, value_name = "FILE")]
        resume: Vec<PathBuf>,
        /// Learning records (xAPI) of each table when it ends: each participant under their
        /// display name (see docs/learning-records.md).
        #[command(flatten)]
        records: RecordArgs,
    },
    /// Measure the board's simulation systems: N children on the clock at 3600×, per-frame cost.
    BenchBoard {
        #[arg(long, default_value_t = 200)]
        children: usize,
        #[arg(long, default_value_t = 600)]
        frames: u32,
    },
    /// Stress-test a protocol (or compare two) on a synthetic caseload: replications in
    /// parallel, compliance, workload, queues, meetings and escalations with 95 % intervals.
    Stress {
        /// Protocol file (or id under assets/protocols/): the baseline.
        #[arg(long)]
        protocol: String,
        /// A second protocol (the revision) to run on the same children and episodes.
        #[arg(long)]
        compare: Option<String>,
        /// Caseload file (RON); without it the built-in borough defaults.
        #[arg(long)]
        caseload: Option<PathBuf>,
        /// Override the number of children, 1 to 10,000,000 (staff scale with it unless the
        /// caseload says not). A run needs about 1 KB of memory a child for each replication
        /// running at once: fewer run at once where memory is short.
        #[arg(long, value_parser = stress_cmd::whole_number::<u64>, allow_negative_numbers = true)]
        children: Option<u64>,
        /// Override the horizon in days, 7 to 3,660.
        #[arg(long, value_parser = stress_cmd::whole_number::<u64>, allow_negative_numbers = true)]
        days: Option<u64>,
        /// Replications, 1 to 10,000.
        #[arg(long, default_value_t = 10, value_parser = stress_cmd::whole_number::<u64>, allow_negative_numbers = true)]
        replications: u64,
        #[arg(long, default_value_t = 1, value_parser = stress_cmd::whole_number::<u64>, allow_negative_numbers = true)]
        seed: u64,
        /// Worker threads, 1 to 256 (default: one per core); results do not depend on it.
        #[arg(long, value_parser = stress_cmd::whole_number::<usize>, allow_negative_numbers = true)]
        threads: Option<usize>,
        /// Write CSV tables, summary.json, report.html and the one-page summary.html here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the JSON summary to stdout (and no progress bar).
        #[arg(long)]
        json: bool,
        /// Also write an OCEL 2.0 event log of replication 0 (under each protocol run, kept apart;
        /// records kept).
        #[arg(long)]
        ocel: Option<PathBuf>,
        /// Children in the event log (the first N of replication 0), 1 to 10,000,000.
        #[arg(long, default_value_t = 500, value_parser = stress_cmd::whole_number::<usize>, allow_negative_numbers = true)]
        ocel_children: usize,
        /// Workers on a role's rota, as ROLE=N (such as rhi_worker=3), 1 to 100,000; may be given
        /// for several roles. Overrides the caseload (after --children).
        #[arg(long, value_name = "ROLE=N", value_parser = stress_cmd::role_workers, allow_negative_numbers = true)]
        workers: Vec<(String, u64)>,
        /// When "if still missing" duties given more than a day are set about, as a share of the
        /// time allowed, 0 to 1 (such as 0.5 or 50%); overrides the caseload's
        /// lapsing_duties_start.
        #[arg(long, value_name = "SHARE", value_parser = stress_cmd::share, allow_negative_numbers = true)]
        lapsing_start: Option<f64>,
        /// Strategy meetings that can be held at once, 1 to 100,000 (overrides the caseload's
        /// strategy_meeting_slots; meetings of 60 minutes in office hours unless the caseload says
        /// otherwise).
        #[arg(long, value_name = "N", value_parser = stress_cmd::whole_number::<u64>, allow_negative_numbers = true)]
        meeting_slots: Option<u64>,
        /// Staffing sweep: run once per number of workers on ROLE's rota, such as rhi_worker=1-6
        /// or rhi_worker=2,4,8 (up to 20 levels), or per number of meeting slots
        /// (strategy_meeting_slots=1-4), and report how many each protocol needs.
        #[arg(long, value_name = "ROLE=N1,N2,…")]
        sweep: Option<String>,
        /// With --sweep: the share of the swept duties with a time limit to meet in time, above 0
        /// and at most 1 (such as 0.95 or 95%; default 0.95).
        #[arg(long, value_name = "SHARE", value_parser = stress_cmd::share, allow_negative_numbers = true)]
        target: Option<f64>,
        /// With --sweep: where an answer rests on noise (its 95 % interval reaches below the
        /// target), run again with twice the replications, up to MAX (2 to 10,000), until it does not.
        #[arg(long, value_name = "MAX", value_parser = stress_cmd::whole_number::<u64>, allow_negative_numbers = true)]
        until_clear: Option<u64>,
        /// Hours in a full-time post's week, above 0 and at most 168, for the staff hours turned
        /// into full-time posts (default 37).
        #[arg(long, value_name = "HOURS", value_parser = stress_cmd::post_hours, allow_negative_numbers = true)]
        post_hours: Option<f64>,
        /// The share of a post's hours spent on casework, above 0 and at most 1 (such as 0.8 or
        /// 80%; default 0.8): the rest goes on leave, training, supervision and travel.
        #[arg(long, value_name = "SHARE", value_parser = stress_cmd::share, allow_negative_numbers = true)]
        casework_share: Option<f64>,
    },
    /// Benchmark the engine: the national caseload at several sizes, and replications of a borough.
    Bench {
        /// Caseload sizes to run, each 1 to 10,000,000 (default 1,000, 10,000, 100,000 and
        /// 140,000 children).
        #[arg(long, num_args = 1.., value_parser = stress_cmd::whole_number::<u64>, allow_negative_numbers = true)]
        children: Vec<u64>,
        /// Protocol (default havering-2023-10).
        #[arg(long, default_value = "havering-2023-10")]
        protocol: String,
        /// Replications of the borough caseload, up to 10,000 (0 to skip).
        #[arg(long, default_value_t = 100, value_parser = stress_cmd::whole_number::<u64>, allow_negative_numbers = true)]
        replications: u64,
        /// Threads for the borough replications, 1 to 256.
        #[arg(long, default_value_t = 2, value_parser = stress_cmd::whole_number::<usize>, allow_negative_numbers = true)]
        threads: usize,
        #[arg(long)]
        json: bool,
    },
    /// Open the app on the stress dashboard (policy teams: a protocol and its revision, side by side).
    Dashboard,
    /// Open the app on one scenario.
    Play {
        scenario: String,
        /// Assessment mode: deadlines and feedback hidden until the debrief.
        #[arg(long)]
        assessment: bool,
        /// Demonstrate a decision script (e.g. the scenario's by-the-book.ron): the app does each
        /// decision at its time, as if a trainee clicked it, and autosaves as it goes.
        #[arg(long, value_name = "DECISIONS")]
        demo: Option<PathBuf>,
        /// Clock speed to start at: simulated seconds per real second (1, 60, 600 or 3600).
        #[arg(long, default_value_t = 600.0)]
        speed: f64,
        /// Learning records (xAPI) of the session, made at the debrief (see
        /// docs/learning-records.md); the debrief says whether they were sent or wait.
        #[command(flatten)]
        records: RecordArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum ScenarioCmd {
    /// Check scenario files (and decision scripts beside them and under roles/ROLE/); errors as
    /// path:line:col: message.
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List every scenario under scenarios/.
    List,
    /// Print the by-the-book decisions for a scenario's trainee role (RON), for authors.
    ByTheBook {
        scenario: String,
        /// Another role people may play in the scenario (for its roles/ROLE/by-the-book.ron):
        /// what it does by the book when every agency does.
        #[arg(long)]
        role: Option<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand, Debug)]
pub enum RecordsCmd {
    /// Send every queued statement to its LRS (or to --lrs); what fails waits for next time.
    Send {
        /// Send to this LRS endpoint instead of the one each batch was queued for.
        #[arg(long, value_name = "URL")]
        lrs: Option<String>,
        #[arg(long, value_name = "DIR")]
        records_dir: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        lrs_config: Option<PathBuf>,
    },
    /// What waits to be sent: how many statements, the oldest, for which LRS, the last error.
    Status {
        #[arg(long, value_name = "DIR")]
        records_dir: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        lrs_config: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProtocolCmd {
    /// Check protocol files; each error as path:line:col: message.
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Look for contradictions, gaps and rules that cannot fire.
    Lint {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Rules added, removed and changed between two versions.
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// A printable summary: roles, rules grouped by trigger, deadlines.
    Show {
        file: PathBuf,
        #[arg(long)]
        markdown: bool,
    },
    /// A review pack for the protocol's owner to sign off: every rule with its quote, notes and
    /// findings, in the order an episode meets them (index.html and review.md in DIR).
    Review {
        file: PathBuf,
        /// Folder to write the pack to (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// Bad input: print the errors and return exit code 2.
pub fn bad_input(d: &Diagnostics) -> ExitCode {
    eprintln!("{d}");
    ExitCode::from(2)
}

pub fn load_or_exit(path: &std::path::Path) -> Result<protocol::LoadedProtocol, ExitCode> {
    protocol::load_protocol(path).map_err(|d| bad_input(&d))
}

/// Run a parsed command line. `None` means no subcommand: the caller opens the app.
pub fn run(cli: &Cli) -> Option<ExitCode> {
    let cmd = cli.command.as_ref()?;
    Some(match cmd {
        Command::Protocol(p) => protocol_cmd::run(p),
        Command::Scenario(s) => scenario_cmd::run(s),
        Command::Run {
            scenario,
            decisions,
            play,
            seed,
            json,
            markdown,
            records,
        } if !play.is_empty() => scenario_cmd::run_played(
            scenario,
            play,
            decisions.as_deref(),
            *seed,
            *json,
            markdown.as_deref(),
            records,
        ),
        Command::Run {
            scenario,
            decisions,
            seed,
            json,
            markdown,
            records,
            ..
        } => scenario_cmd::run_scenario(
            scenario,
            decisions.as_deref(),
            *seed,
            *json,
            markdown.as_deref(),
            records,
        ),
        Command::Records(RecordsCmd::Send {
            lrs,
            records_dir,
            lrs_config,
        }) => records_cmd::send(lrs.as_deref(), records_dir.as_deref(), lrs_config.as_deref()),
        Command::Records(RecordsCmd::Status {
            records_dir,
            lrs_config,
            json,
        }) => records_cmd::status(records_dir.as_deref(), lrs_config.as_deref(), *json),
        Command::Cohort {
            source,
            csv,
            html,
            lrs_config,
        } => cohort_cmd::cohort(source, *csv, html.as_deref(), lrs_config.as_deref()),
        Command::Host { .. } => host_cmd::host(cmd),
        Command::BenchBoard { children, frames } => scenario_cmd::bench_board(*children, *frames),
        Command::Stress { .. } => stress_cmd::stress(cmd),
        Command::Bench { .. } => stress_cmd::bench(cmd),
        Command::Play { .. } | Command::Dashboard => return None,
    })
}

pub fn print_json<T: serde::Serialize>(v: &T) {
    use std::io::Write;
    let text = serde_json::to_string_pretty(v).expect("serialisable");
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = writeln!(std::io::stdout(), "{text}");
}
