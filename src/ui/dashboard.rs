//! The stress dashboard: a policy team sets a protocol (and a revision to compare), a caseload
//! and a few overrides, runs the stress test on a background thread, and reads the headline
//! figures and charts side by side.
//!
//! The run is [`stress::run`], the same runner as `safe-return stress`: the same parameters and
//! seed give the same numbers. The screen is a plain egui function over [`Dashboard`], so
//! egui_kittest can drive it without a window.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bevy_egui::egui::{self, Color32, RichText};
use egui_plot::{Bar, BarChart, GridInput, GridMark, HLine, Line, LineStyle, Plot, PlotPoints, Points};

use crate::caseload::stress::{self, Estimate, ProtocolResult, StressOptions, Summary};
use crate::caseload::sweep::{self, SweepSpec, SweepSummary};
use crate::caseload::{self, Caseload, LoadedCaseload};
use crate::diag::Diagnostics;
use crate::protocol::{Protocol, load_protocol};

/// The role whose staffing the dashboard lets a team vary.
pub const RHI_ROLE: &str = "rhi_worker";

/// Rules in the compliance chart.
pub const CHART_RULES: usize = 15;

/// Roles in the workload chart (the busiest).
const CHART_ROLES: usize = 6;

const RED: Color32 = Color32::from_rgb(190, 40, 40);
/// Amber for warnings: readable on the light background.
const AMBER: Color32 = Color32::from_rgb(160, 100, 0);

/// One colour per protocol (baseline, revision), as in the HTML report.
const PROTOCOL_COLOURS: [Color32; 2] = [Color32::from_rgb(31, 111, 178), Color32::from_rgb(224, 123, 0)];

/// One colour per role, as in the HTML report.
const ROLE_COLOURS: [Color32; 8] = [
    Color32::from_rgb(31, 111, 178),
    Color32::from_rgb(224, 123, 0),
    Color32::from_rgb(42, 157, 58),
    Color32::from_rgb(192, 57, 43),
    Color32::from_rgb(123, 79, 160),
    Color32::from_rgb(140, 86, 75),
    Color32::from_rgb(212, 69, 155),
    Color32::from_rgb(95, 107, 109),
];

/// Everything a run needs, checked: what [`Dashboard::prepare`] builds from the fields.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub protocols: Vec<Arc<Protocol>>,
    pub caseload: LoadedCaseload,
    pub options: StressOptions,
}

/// A run in progress on a background thread.
struct Running {
    /// Simulated days done so far, all replications and protocols together.
    progress: Arc<AtomicU64>,
    total: u64,
    cancel: Arc<AtomicBool>,
    started: Instant,
    handle: JoinHandle<Outcome>,
}

/// What a background run brings back.
enum Outcome {
    Stress(Box<Summary>),
    Sweep(Result<Box<SweepSummary>, String>),
}

/// Unwinds a run the user stopped (see [`Dashboard::cancel`]).
struct Cancelled;

/// The dashboard's state: the settings as typed, the run in progress and the last result.
pub struct Dashboard {
    /// Protocol ids found under `assets/protocols/` (offered in the pickers).
    pub protocol_ids: Vec<String>,
    /// Caseload files found under `assets/caseloads/` (offered in the picker).
    pub caseload_files: Vec<PathBuf>,
    /// The protocol: an id under `assets/protocols/` or a file.
    pub protocol: String,
    /// A second protocol run on the same children and episodes (`None`: just one).
    pub compare: Option<String>,
    /// The caseload file; empty for the built-in defaults.
    pub caseload: String,
    /// Overrides as typed; blank keeps the caseload's own value.
    pub children: String,
    pub days: String,
    /// Blank: 10, as the CLI.
    pub replications: String,
    /// Blank: 1, as the CLI.
    pub seed: String,
    /// Workers in the caseload's `rhi_worker` staffing entry; blank keeps the caseload's (scaled
    /// with the children when the caseload says so).
    pub rhi_workers: String,
    /// The caseload's `lapsing_duties_start` (a share of the time allowed); blank keeps the
    /// caseload's.
    pub lapsing_start: String,
    /// Strategy meetings that can be held at once (the caseload's `strategy_meeting_slots`);
    /// blank keeps the caseload's.
    pub meeting_slots: String,
    /// What a staffing sweep varies: the strategy-meeting slots (true) or the RHI workers.
    pub sweep_slots: bool,
    /// Staffing sweep: the numbers of RHI workers (or slots) to try, as typed (`1-6`, `2,4,8`).
    pub sweep_levels: String,
    /// The share of the RHI workers' duties to meet in time; blank: 95 %.
    pub sweep_target: String,
    /// The last finished staffing sweep.
    pub sweep: Option<SweepSummary>,
    /// Where the last sweep was saved (or why it could not be).
    pub sweep_saved: String,
    /// Problems with the settings or files, shown in red.
    pub errors: Vec<String>,
    /// What in the caseload is allowed but probably not meant (the run goes ahead), in amber.
    pub warnings: Vec<String>,
    /// A line about the last run (finished, stopped).
    pub status: String,
    /// The last finished run.
    pub result: Option<Summary>,
    /// Where the last report was saved (or why it could not be).
    pub saved: String,
    /// Folder reports are saved under (a subfolder per run).
    pub report_dir: PathBuf,
    running: Option<Running>,
}

impl Default for Dashboard {
    fn default() -> Self {
        Self::new()
    }
}

fn ron_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "ron"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default()
}

fn diagnostics(d: &Diagnostics) -> Vec<String> {
    d.0.iter().map(|e| e.to_string()).collect()
}

/// A whole number from a field: `Ok(None)` when blank.
/// The settings field for the caseload's `lapsing_duties_start`.
/// The staffing sweep's box for the numbers to try.
const LEVELS_LABEL: &str = "Numbers to try";

const LAPSING_LABEL: &str = "Start \u{201c}if still missing\u{201d} duties at";

fn whole(field: &str, text: &str, min: u64, max: u64, range: &str) -> Result<Option<u64>, String> {
    let t = text.trim().replace([',', '_', ' '], "");
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u64>() {
        Ok(n) if n >= min && n <= max => Ok(Some(n)),
        Ok(_) => Err(format!("{field}: {range}, not {}", text.trim())),
        Err(_) => Err(format!("{field}: `{}` is not a whole number", text.trim())),
    }
}

/// A share from 0 to 1 as typed (`0.5`, `50%`); blank is none.
fn share(field: &str, text: &str) -> Result<Option<f64>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let (number, scale) = match t.strip_suffix('%') {
        Some(p) => (p.trim(), 100.0),
        None => (t, 1.0),
    };
    match number.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&(v / scale)) => Ok(Some(v / scale)),
        Ok(_) => Err(format!("{field}: a share runs from 0 to 1 (0 % to 100 %), not {t}")),
        Err(_) => Err(format!("{field}: `{t}` is not a number")),
    }
}

impl Dashboard {
    /// Write the last result as `safe-return stress --out` would: CSV tables, the JSON summary
    /// and the HTML report, in a folder named after the protocols and seed.
    pub fn save_report(&mut self) {
        let Some(s) = &self.result else { return };
        let ids: Vec<&str> = s.protocols.iter().map(|p| p.id.as_str()).collect();
        let dir = self.report_dir.join(crate::paths::file_name_part(&format!(
            "{}-seed{}",
            ids.join("-vs-"),
            s.caseload.seed
        )));
        self.saved = match crate::caseload::report::write_all(s, &dir) {
            Ok(files) => format!("Saved {} files in {}", files.len(), dir.display()),
            Err(e) => format!("Could not save the report in {}: {e}", dir.display()),
        };
    }

    /// Write the last staffing sweep as `safe-return stress --sweep … --out` would (`sweep.csv`,
    /// `sweep.json`, `sweep.html`), in a folder named after the protocols, role and seed.
    pub fn save_sweep(&mut self) {
        let Some(s) = &self.sweep else { return };
        let ids: Vec<&str> = s.protocols.iter().map(|p| p.id.as_str()).collect();
        let dir = self.report_dir.join(crate::paths::file_name_part(&format!(
            "{}-{}-sweep-seed{}",
            ids.join("-vs-"),
            s.role,
            s.caseload.seed
        )));
        self.sweep_saved = match sweep::write_all(s, &dir) {
            Ok(files) => format!("Saved {} files in {}", files.len(), dir.display()),
            Err(e) => format!("Could not save the sweep in {}: {e}", dir.display()),
        };
    }

    /// Protocols and caseloads from the project's folders; Havering May-23 against its Oct-23
    /// revision on the borough-2000 caseload where those are there.
    pub fn new() -> Self {
        let protocol_ids: Vec<String> = ron_files(&crate::paths::protocols_dir())
            .iter()
            .map(|p| stem(p))
            .collect();
        let caseload_files = ron_files(&crate::paths::caseloads_dir());
        let pick = |want: &str| protocol_ids.iter().find(|id| *id == want).cloned();
        let protocol = pick("havering-2023-05")
            .or_else(|| protocol_ids.first().cloned())
            .unwrap_or_else(|| "havering-2023-05".into());
        let compare = pick("havering-2023-10").filter(|c| *c != protocol);
        let caseload = caseload_files
            .iter()
            .find(|p| stem(p) == "borough-2000")
            .or(caseload_files.first())
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        Dashboard {
            protocol_ids,
            caseload_files,
            protocol,
            compare,
            caseload,
            children: String::new(),
            days: String::new(),
            replications: "10".into(),
            seed: "1".into(),
            rhi_workers: String::new(),
            lapsing_start: String::new(),
            meeting_slots: String::new(),
            sweep_slots: false,
            sweep_levels: String::new(),
            sweep_target: String::new(),
            sweep: None,
            sweep_saved: String::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            status: String::new(),
            result: None,
            saved: String::new(),
            report_dir: std::env::temp_dir().join("safe-return-stress-reports"),
            running: None,
        }
    }

    /// Check the settings and load the files; every problem found, as lines to show.
    pub fn prepare(&self) -> Result<Prepared, Vec<String>> {
        let mut errors = Vec::new();
        let mut take = |r: Result<Option<u64>, String>| {
            r.unwrap_or_else(|e| {
                errors.push(e);
                None
            })
        };
        let children = take(whole("Children", &self.children, 1, 10_000_000, "from 1 to 10,000,000"));
        let days = take(whole(
            "Days",
            &self.days,
            caseload::MIN_HORIZON_DAYS as u64,
            caseload::MAX_HORIZON_DAYS as u64,
            caseload::HORIZON_RANGE,
        ));
        let replications = take(whole(
            "Replications",
            &self.replications,
            1,
            1000,
            "run from 1 to 1,000 replications",
        ))
        .unwrap_or(10);
        let seed = take(whole("Seed", &self.seed, 0, u64::MAX, "any whole number")).unwrap_or(1);
        let rhi = take(whole(
            "RHI workers",
            &self.rhi_workers,
            1,
            100_000,
            "at least 1 (the protocols give return home interview workers duties) and at most 100,000",
        ));
        let slots = take(whole(
            "Strategy-meeting slots",
            &self.meeting_slots,
            1,
            100_000,
            "from 1 to 100,000 meetings at once",
        ));
        let lapsing = share(LAPSING_LABEL, &self.lapsing_start).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        if self.protocol.trim().is_empty() {
            errors.push("Protocol: choose one".into());
        }
        let mut names = vec![self.protocol.trim()];
        if let Some(c) = self.compare.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            names.push(c);
        }
        let files: Vec<_> = names.iter().map(|n| crate::paths::protocol_arg(n)).collect();
        let mut protocols = Vec::new();
        for f in names.iter().zip(&files).filter(|(n, _)| !n.is_empty()).map(|(_, f)| f) {
            match load_protocol(f) {
                Ok(lp) => protocols.push(Arc::new(lp.protocol)),
                Err(d) => errors.extend(diagnostics(&d)),
            }
        }
        // The caseload is checked against the protocols: it waits for them to load.
        if protocols.len() < names.iter().filter(|n| !n.is_empty()).count() {
            return Err(errors);
        }
        // A draft that kept its protocol's id is shown under its file's name as well.
        let files: Vec<&Path> = files.iter().map(|f| f.as_path()).collect();
        stress::label_apart(&mut protocols, &files);
        let refs: Vec<&Protocol> = protocols.iter().map(|p| &**p).collect();
        let path = self.caseload.trim();
        let loaded = if path.is_empty() {
            caseload::check_in_memory(&Caseload::default(), &refs)
        } else {
            caseload::load_caseload(Path::new(path), &refs)
        };
        let mut cl = match loaded {
            Ok(cl) if errors.is_empty() => cl,
            Ok(_) => return Err(errors),
            Err(d) => {
                errors.extend(diagnostics(&d));
                return Err(errors);
            }
        };
        // The same order as the CLI: children (scaling staff), then days; then the RHI workers.
        if let Some(n) = children {
            cl = cl.with_children(n);
        }
        if let Some(d) = days {
            cl = cl.with_days(d);
        }
        if let Some(w) = rhi {
            cl = match cl.with_workers(RHI_ROLE, w, &refs) {
                Ok(cl) => cl,
                Err(e) => return Err(vec![format!("RHI workers: {e}")]),
            };
        }
        if let Some(v) = lapsing {
            cl = cl.with_lapsing_start(v);
        }
        if let Some(n) = slots {
            cl = match cl.with_meeting_slots(n) {
                Ok(cl) => cl,
                Err(e) => return Err(vec![format!("Strategy-meeting slots: {e}")]),
            };
        }
        if rhi.is_some() || lapsing.is_some() || slots.is_some() {
            // The edited caseload goes through the same checks as a file.
            if let Err(d) = caseload::check_in_memory(&cl.caseload, &refs) {
                return Err(d
                    .0
                    .iter()
                    .map(|e| format!("after the overrides: {}", e.message))
                    .collect());
            }
        }
        Ok(Prepared {
            protocols,
            caseload: cl,
            options: StressOptions {
                replications,
                seed,
                threads: None,
            },
        })
    }

    /// Check the settings and start a run on a background thread. Problems go to `errors`.
    pub fn start(&mut self) {
        if self.running.is_some() {
            return;
        }
        self.errors.clear();
        self.warnings.clear();
        self.status.clear();
        let p = match self.prepare() {
            Ok(p) => p,
            Err(e) => {
                self.errors = e;
                return;
            }
        };
        self.warnings.clone_from(&p.caseload.warnings);
        let total = stress::total_days(p.protocols.len(), &p.caseload, &p.options);
        self.spawn(total, move |tick| {
            Outcome::Stress(Box::new(stress::run(&p.protocols, &p.caseload, &p.options, tick)))
        });
    }

    /// The staffing sweep as typed: what it varies, the numbers to try and the target.
    pub fn sweep_spec(&self) -> Result<SweepSpec, Vec<String>> {
        let mut errors = Vec::new();
        let target = share("Sweep target", &self.sweep_target)
            .unwrap_or_else(|e| {
                errors.push(e);
                None
            })
            .unwrap_or(0.95);
        let levels = self.sweep_levels.trim();
        let what = if self.sweep_slots { "slots" } else { "RHI workers" };
        if levels.is_empty() {
            errors.push(format!(
                "{LEVELS_LABEL}: give the numbers of {what} to try, such as 1-6 or 2,4,8"
            ));
        }
        if !self.sweep_slots && !self.rhi_workers.trim().is_empty() {
            errors.push("RHI workers: leave it blank for a sweep of the RHI workers (the sweep sets them)".into());
        }
        if self.sweep_slots && !self.meeting_slots.trim().is_empty() {
            errors.push("Strategy-meeting slots: leave it blank for a sweep of the slots (the sweep sets them)".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let swept = if self.sweep_slots {
            sweep::MEETING_SLOTS
        } else {
            RHI_ROLE
        };
        SweepSpec::parse(&format!("{swept}={levels}"), target).map_err(|e| vec![format!("{LEVELS_LABEL}: {e}")])
    }

    /// Check the settings and start a staffing sweep on a background thread (as `safe-return
    /// stress --sweep rhi_worker=…`). Problems go to `errors`.
    pub fn start_sweep(&mut self) {
        if self.running.is_some() {
            return;
        }
        self.errors.clear();
        self.warnings.clear();
        self.status.clear();
        let spec = self.sweep_spec();
        let prepared = self.prepare();
        let (spec, p) = match (spec, prepared) {
            (Ok(spec), Ok(p)) => (spec, p),
            (spec, prepared) => {
                self.errors = spec.err().unwrap_or_default();
                self.errors.extend(prepared.err().unwrap_or_default());
                return;
            }
        };
        self.warnings.clone_from(&p.caseload.warnings);
        let total = sweep::total_days(p.protocols.len(), &p.caseload, &p.options, &spec);
        self.spawn(total, move |tick| {
            Outcome::Sweep(sweep::run(&p.protocols, &p.caseload, &p.options, &spec, tick).map(Box::new))
        });
    }

    /// Run `job` on a background thread, counting `total` simulated days; `job` is given the
    /// tick to call after each (which stops it when the user presses Stop).
    fn spawn(&mut self, total: u64, job: impl FnOnce(&(dyn Fn() + Sync)) -> Outcome + Send + 'static) {
        let progress = Arc::new(AtomicU64::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (pr, ca) = (progress.clone(), cancel.clone());
        let spawned = std::thread::Builder::new()
            .name("stress-dashboard".into())
            .spawn(move || {
                let tick = || {
                    pr.fetch_add(1, Ordering::Relaxed);
                    if ca.load(Ordering::Relaxed) {
                        // Stop every worker at its next simulated day. `resume_unwind` runs no
                        // panic hook, so nothing is printed; `poll` recognises the payload.
                        std::panic::resume_unwind(Box::new(Cancelled));
                    }
                };
                job(&tick)
            });
        match spawned {
            Ok(handle) => {
                self.running = Some(Running {
                    progress,
                    total,
                    cancel,
                    started: Instant::now(),
                    handle,
                })
            }
            Err(e) => self.errors.push(format!("cannot start the stress run: {e}")),
        }
    }

    /// Whether a run is in progress.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Simulated days done and to do, while a run is in progress.
    pub fn progress(&self) -> Option<(u64, u64)> {
        self.running
            .as_ref()
            .map(|r| (r.progress.load(Ordering::Relaxed).min(r.total), r.total))
    }

    /// Ask the run in progress to stop (it does so within a simulated day).
    pub fn cancel(&mut self) {
        if let Some(r) = &self.running {
            r.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Collect a finished run, if there is one (never blocks).
    pub fn poll(&mut self) {
        if self.running.as_ref().is_some_and(|r| r.handle.is_finished()) {
            self.wait_for_result();
        }
    }

    /// Block until the run in progress ends, and collect it (for tests and scripts).
    pub fn wait_for_result(&mut self) {
        let Some(r) = self.running.take() else { return };
        let joined = r.handle.join();
        let secs = r.started.elapsed().as_secs_f64();
        match joined {
            Ok(Outcome::Stress(summary)) => {
                self.status = format!(
                    "Finished in {secs:.1} s: {} episodes and {} engine events simulated.",
                    thousands(summary.episodes as f64),
                    thousands(summary.events as f64)
                );
                self.result = Some(*summary);
            }
            Ok(Outcome::Sweep(Ok(summary))) => {
                self.status = format!(
                    "Staffing sweep finished in {secs:.1} s: {} levels, {} episodes and {} engine events simulated.",
                    summary.levels.len(),
                    thousands(summary.episodes as f64),
                    thousands(summary.events as f64)
                );
                self.sweep = Some(*summary);
            }
            Ok(Outcome::Sweep(Err(why))) => self.errors.push(format!("{LEVELS_LABEL}: {why}")),
            Err(payload) if payload.is::<Cancelled>() => {
                self.status = format!("Stopped after {secs:.1} s; the previous results (if any) are still shown.");
            }
            Err(payload) => {
                let why = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown cause".into());
                self.errors.push(format!("the stress run failed: {why}"));
            }
        }
    }
}

impl Drop for Dashboard {
    /// Leaving the dashboard stops a run in progress rather than letting it use the cores.
    fn drop(&mut self) {
        self.cancel();
    }
}

/// A share as a percentage with its interval: `87.5 (84.0–91.0) %` (as in the reports).
pub use crate::caseload::report::pct as percent;
use crate::caseload::report::{opt as opt_text, thousands};

/// The RHI workers' results under one protocol (none when it has no RHI duties).
pub fn rhi(p: &ProtocolResult) -> Option<&stress::RoleResult> {
    p.roles.iter().find(|r| r.id == RHI_ROLE)
}

/// One row of the headline table.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadlineRow {
    pub label: &'static str,
    /// One cell per protocol, as shown ("x (a–b)").
    pub cells: Vec<String>,
    /// Revision minus baseline, where two protocols ran.
    pub change: Option<String>,
}

/// The headline table: each figure per protocol, means per replication with 95 % intervals.
pub fn headline(s: &Summary) -> Vec<HeadlineRow> {
    let ps = &s.protocols;
    let two = ps.len() == 2;
    let diff = |f: &dyn Fn(&ProtocolResult) -> Option<f64>, fmt: &dyn Fn(f64) -> String| {
        if !two {
            return None;
        }
        match (f(&ps[0]), f(&ps[1])) {
            (Some(a), Some(b)) => Some(fmt(b - a)),
            _ => Some("—".into()),
        }
    };
    let row = |label, f: &dyn Fn(&ProtocolResult) -> String, change| HeadlineRow {
        label,
        cells: ps.iter().map(f).collect(),
        change,
    };
    let plain = |d: f64| signed(d, 1);
    // A headline measure's change paired by replication, with its interval (`—` where the two
    // protocols cannot be compared on it).
    let paired = |measure: &str| -> Option<String> {
        let cmp = s.comparison.as_ref()?;
        Some(
            cmp.changes
                .iter()
                .find(|c| c.measure == measure)
                .map_or_else(|| "—".into(), crate::caseload::report::change_text),
        )
    };
    let mut rows = vec![
        row(
            "Episodes",
            &|p| p.episodes.text(0),
            diff(&|p| Some(p.episodes.mean), &|d| signed(d, 0)),
        ),
        row(
            "Duties met in time",
            &|p| percent(&p.compliance),
            paired("duties_met_in_time"),
        ),
        row(
            "  … of the staffed roles",
            &|p| percent(&p.compliance_staffed),
            paired("duties_met_in_time_staffed_roles"),
        ),
        row(
            "Duties still open at the end",
            &|p| p.outstanding.text(0),
            paired("duties_open_at_end"),
        ),
        row(
            "Strategy meetings a week",
            &|p| p.strategy_meetings_per_week.text(1),
            paired("strategy_meetings_per_week"),
        ),
        row(
            "Strategy-meeting actions a week",
            &|p| p.strategy_meeting_actions_per_week.text(1),
            diff(&|p| Some(p.strategy_meeting_actions_per_week.mean), &plain),
        ),
        row(
            "Escalation duties (repeat-episode rules)",
            &|p| p.escalations.text(1),
            paired("escalation_duties"),
        ),
        row(
            "Children over a repeat threshold",
            &|p| match p.thresholds.is_empty() {
                true => "— (none set)".into(),
                false => p.children_escalated.text(1),
            },
            paired("children_over_a_repeat_threshold"),
        ),
        row(
            "Episodes per child",
            &|p| p.episodes_per_child.text(2),
            diff(&|p| Some(p.episodes_per_child.mean), &|d| signed(d, 2)),
        ),
        row(
            "Wait for a strategy-meeting slot (minutes)",
            &|p| crate::caseload::report::slot_text(p, &|m| opt_text(&m.mean_wait_minutes, 1)),
            diff(
                &|p| {
                    p.meeting_slots
                        .as_ref()
                        .and_then(|m| m.mean_wait_minutes)
                        .map(|e| e.mean)
                },
                &plain,
            ),
        ),
        row(
            "RHI workers on the rota",
            &|p| {
                rhi(p)
                    .and_then(|r| r.workers)
                    .map(|w| w.to_string())
                    .unwrap_or_else(|| "—".into())
            },
            None,
        ),
        row(
            "RHI duties arising a week",
            &|p| rhi(p).map(|r| r.duties_per_week.text(1)).unwrap_or_else(|| "—".into()),
            diff(&|p| rhi(p).map(|r| r.duties_per_week.mean), &plain),
        ),
        row(
            "RHI workers busy (share of time on duty)",
            &|p| rhi(p).map(|r| percent(&r.utilisation)).unwrap_or_else(|| "—".into()),
            diff(&|p| rhi(p).and_then(|r| r.utilisation).map(|e| e.mean * 100.0), &|d| {
                format!("{} points", signed(d, 1))
            }),
        ),
        row(
            "RHI actions a week",
            &|p| rhi(p).map(|r| r.actions_per_week.text(1)).unwrap_or_else(|| "—".into()),
            diff(&|p| rhi(p).map(|r| r.actions_per_week.mean), &plain),
        ),
        row(
            "Mean RHI queue wait (minutes)",
            &|p| opt_text(&rhi(p).and_then(|r| r.mean_queue_wait_minutes), 1),
            diff(
                &|p| rhi(p).and_then(|r| r.mean_queue_wait_minutes).map(|e| e.mean),
                &plain,
            ),
        ),
        row(
            "RHI duties late",
            &|p| rhi(p).map(|r| r.late.text(1)).unwrap_or_else(|| "—".into()),
            diff(&|p| rhi(p).map(|r| r.late.mean), &plain),
        ),
        row(
            "RHI duties missed",
            &|p| rhi(p).map(|r| r.missed.text(1)).unwrap_or_else(|| "—".into()),
            diff(&|p| rhi(p).map(|r| r.missed.mean), &plain),
        ),
        row(
            "RHI duties still open at the end",
            &|p| rhi(p).map(|r| r.outstanding.text(1)).unwrap_or_else(|| "—".into()),
            diff(&|p| rhi(p).map(|r| r.outstanding.mean), &plain),
        ),
    ];
    if s.caseload.strategy_meeting_slots.is_none() {
        rows.retain(|r| !r.label.contains("meeting slot"));
    }
    rows
}

/// A change with its sign, `+1.5` or `-0.3`; no sign when it rounds to nothing.
fn signed(d: f64, decimals: usize) -> String {
    let t = format!("{:.*}", decimals, d.abs());
    if t.chars().all(|c| c == '0' || c == '.') {
        t
    } else if d < 0.0 {
        format!("-{t}")
    } else {
        format!("+{t}")
    }
}

fn rule_compliance(p: &ProtocolResult, id: &str) -> Option<Estimate> {
    p.rules.iter().find(|r| r.id == id).and_then(|r| r.compliance)
}

/// The rules in the compliance chart, top first: with two protocols, those whose share met in
/// time differs most between them (then the worst of the rest not always met in time); with one, the worst.
pub fn chart_rules(s: &Summary, n: usize) -> Vec<String> {
    let ids = s.rules_worst_first();
    let worst = |id: &str| s.worst_compliance(id);
    let by_worst = |a: &&str, b: &&str| worst(a).total_cmp(&worst(b)).then_with(|| a.cmp(b));
    let mut out: Vec<&str> = Vec::new();
    if let [a, b] = &s.protocols[..] {
        let change = |id: &str| match (rule_compliance(a, id), rule_compliance(b, id)) {
            (Some(x), Some(y)) => (y.mean - x.mean).abs(),
            _ => 0.0,
        };
        let mut differing: Vec<&str> = ids.iter().copied().filter(|id| change(id) > 1e-9).collect();
        differing.sort_by(|x, y| change(y).total_cmp(&change(x)).then_with(|| by_worst(x, y)));
        out.extend(differing.into_iter().take(n));
    }
    // The rest: rules not always met in time (one met whenever it fell due says nothing here).
    let mut rest: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| !out.contains(id) && worst(id) < 0.999)
        .collect();
    rest.sort_by(by_worst);
    let room = n.saturating_sub(out.len());
    out.extend(rest.into_iter().take(room));
    out.into_iter().map(String::from).collect()
}

/// Roles in the workload chart: the busiest under either protocol.
fn busiest_roles(s: &Summary) -> Vec<String> {
    let mut top: Vec<(&str, f64)> = Vec::new();
    for p in &s.protocols {
        for r in &p.roles {
            match top.iter_mut().find(|(id, _)| *id == r.id) {
                Some(t) => t.1 = t.1.max(r.actions_per_week.mean),
                None => top.push((&r.id, r.actions_per_week.mean)),
            }
        }
    }
    top.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    top.into_iter()
        .take(CHART_ROLES)
        .map(|(id, _)| id.to_string())
        .collect()
}

/// Roles on the caseload's rota with a queue wait under either protocol.
fn queued_roles(s: &Summary) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for p in &s.protocols {
        for r in &p.roles {
            if r.workers.is_some() && r.mean_queue_wait_minutes.is_some() && !ids.contains(&r.id) {
                ids.push(r.id.clone());
            }
        }
    }
    ids
}

/// Draw the dashboard into `ui`. Returns true when the user asks to go back to the scenarios.
pub fn draw(ui: &mut egui::Ui, d: &mut Dashboard) -> bool {
    d.poll();
    let mut back = false;
    egui::CentralPanel::default().show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading("Stress dashboard — protocols on a synthetic caseload");
            if ui.button("Back to scenarios").clicked() {
                back = true;
            }
        });
        ui.label(
            "Run a protocol, and a revision beside it, over many synthetic children and episodes, with the \
             staff the caseload gives each role; see where duties slip and where work piles up. The numbers \
             are those of `safe-return stress` with the same settings.",
        );
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("dashboard")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                settings(ui, d);
                problems(ui, d);
                if d.sweep.is_some() {
                    ui.separator();
                    ui.horizontal(|ui| {
                        if ui
                            .button("Save the sweep (CSV table, JSON, HTML with charts)")
                            .clicked()
                        {
                            d.save_sweep();
                        }
                        if !d.sweep_saved.is_empty() {
                            ui.label(&d.sweep_saved);
                        }
                    });
                }
                if let Some(s) = &d.sweep {
                    sweep_results(ui, s);
                }
                if d.result.is_some() {
                    ui.separator();
                    ui.horizontal(|ui| {
                        if ui
                            .button("Save the report (CSV tables, JSON summary, HTML with charts)")
                            .clicked()
                        {
                            d.save_report();
                        }
                        if !d.saved.is_empty() {
                            ui.label(&d.saved);
                        }
                    });
                }
                if let Some(s) = &d.result {
                    results(ui, s);
                }
            });
    });
    if d.is_running() {
        // Keep polling the run; a delayed repaint lets tests settle between frames.
        ui.ctx().request_repaint_after(Duration::from_millis(100));
    }
    back
}

fn protocol_combo(ui: &mut egui::Ui, salt: &str, ids: &[String], value: &mut String) {
    egui::ComboBox::from_id_salt(salt)
        .selected_text(value.as_str())
        .width(220.0)
        .show_ui(ui, |ui| {
            for id in ids {
                ui.selectable_value(value, id.clone(), id);
            }
        });
}

fn field(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str, note: &str) {
    let l = ui.label(label);
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(value)
                .hint_text(hint.to_string())
                .desired_width(110.0),
        )
        .labelled_by(l.id);
        if !note.is_empty() {
            ui.label(RichText::new(note).weak());
        }
    });
    ui.end_row();
}

fn settings(ui: &mut egui::Ui, d: &mut Dashboard) {
    let running = d.is_running();
    ui.add_enabled_ui(!running, |ui| {
        egui::Grid::new("dashboard_settings")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                ui.label("Protocol");
                protocol_combo(ui, "dash_protocol", &d.protocol_ids, &mut d.protocol);
                ui.end_row();

                ui.label("Compare with");
                let mut cmp = d.compare.clone().unwrap_or_default();
                egui::ComboBox::from_id_salt("dash_compare")
                    .selected_text(if cmp.is_empty() { "none" } else { cmp.as_str() })
                    .width(220.0)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut cmp, String::new(), "none");
                        for id in &d.protocol_ids {
                            ui.selectable_value(&mut cmp, id.clone(), id);
                        }
                    });
                d.compare = (!cmp.is_empty()).then_some(cmp);
                ui.end_row();

                let l = ui.label("Caseload");
                ui.horizontal(|ui| {
                    let shown = if d.caseload.trim().is_empty() {
                        "built-in defaults".to_string()
                    } else {
                        stem(Path::new(d.caseload.trim()))
                    };
                    egui::ComboBox::from_id_salt("dash_caseload")
                        .selected_text(shown)
                        .width(220.0)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut d.caseload, String::new(), "built-in defaults");
                            for f in &d.caseload_files {
                                ui.selectable_value(&mut d.caseload, f.display().to_string(), stem(f));
                            }
                        });
                    ui.add(
                        egui::TextEdit::singleline(&mut d.caseload)
                            .hint_text("or a caseload file (RON)")
                            .desired_width(380.0),
                    )
                    .labelled_by(l.id);
                });
                ui.end_row();

                field(
                    ui,
                    "Children",
                    &mut d.children,
                    "as the caseload",
                    "staff scale with it",
                );
                field(ui, "Days", &mut d.days, "as the caseload", "7 (a week) to 3,660");
                field(
                    ui,
                    "Replications",
                    &mut d.replications,
                    "10",
                    "more give narrower intervals",
                );
                field(ui, "Seed", &mut d.seed, "1", "same seed, same numbers");
                field(
                    ui,
                    "RHI workers",
                    &mut d.rhi_workers,
                    "as the caseload",
                    "return home interview workers on the rota",
                );
                field(
                    ui,
                    LAPSING_LABEL,
                    &mut d.lapsing_start,
                    "as the caseload",
                    "share of the time allowed: 0 at once, 0.5 halfway (duties that lapse if the child is found)",
                );
                field(
                    ui,
                    "Strategy-meeting slots",
                    &mut d.meeting_slots,
                    "as the caseload",
                    "meetings that can be held at once (an hour each, in office hours, unless the caseload says otherwise)",
                );
                ui.label("Staffing sweep of");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut d.sweep_slots, false, "RHI workers");
                    ui.radio_value(&mut d.sweep_slots, true, "strategy-meeting slots");
                });
                ui.end_row();
                field(
                    ui,
                    LEVELS_LABEL,
                    &mut d.sweep_levels,
                    "such as 1-6",
                    "for a staffing sweep: a whole run for each number (up to 20)",
                );
                field(
                    ui,
                    "Sweep target",
                    &mut d.sweep_target,
                    "95%",
                    "share of the swept duties to meet in time (the RHI workers', or every strategy meeting's)",
                );
            });
    });
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!running, egui::Button::new(RichText::new("Run stress test").size(16.0)))
            .clicked()
        {
            d.start();
        }
        if ui
            .add_enabled(
                !running,
                egui::Button::new(RichText::new("Run staffing sweep").size(16.0)),
            )
            .on_hover_text(
                "How many RHI workers (or strategy-meeting slots) each protocol needs: one run per number in \
                 “Numbers to try”",
            )
            .clicked()
        {
            d.start_sweep();
        }
        if running && ui.button("Stop").clicked() {
            d.cancel();
        }
        if let Some((done, total)) = d.progress() {
            let f = if total == 0 { 0.0 } else { done as f32 / total as f32 };
            ui.add(egui::ProgressBar::new(f).desired_width(360.0).text(format!(
                "{} of {} simulated days",
                thousands(done as f64),
                thousands(total as f64)
            )));
        } else if !d.status.is_empty() {
            ui.label(&d.status);
        }
    });
}

/// The staffing sweep: how many RHI workers each protocol needs, a chart of the share met in
/// time against the workers, and the figures level by level.
fn sweep_results(ui: &mut egui::Ui, s: &SweepSummary) {
    let c = &s.caseload;
    ui.heading(format!("Staffing sweep — {}", s.role_name));
    ui.label(format!(
        "{} children (synthetic), {} days, {} replications from seed {} at each number of workers; every level \
         runs on the same children and episodes, so the differences are the staffing's. Means per replication \
         with 95 % intervals.",
        thousands(c.children as f64),
        c.horizon_days,
        c.replications,
        c.seed
    ));
    ui.label(
        RichText::new(format!(
            "Fewest {} for {:.0} % of the duties in time, with no backlog:",
            s.unit,
            s.target * 100.0
        ))
        .strong(),
    );
    for e in &s.enough {
        ui.label(&e.text);
    }
    ui.add_space(6.0);
    chart_heading(
        ui,
        &format!("Duties met in time by the number of {}", s.unit),
        &format!(
            "{} done by their deadline, as a share of those that fell due; whiskers show 95 % intervals; the \
             red dashed line is the target.",
            crate::caseload::report::upper_first(s.duties_words())
        ),
    );
    ui.horizontal_wrapped(|ui| {
        ui.label("Legend:");
        for (k, p) in s.protocols.iter().enumerate() {
            let key = if k == 0 { Key::Solid } else { Key::Dashed };
            key_entry(ui, PROTOCOL_COLOURS[k % PROTOCOL_COLOURS.len()], key, &p.id);
            ui.add_space(12.0);
        }
        key_entry(ui, RED, Key::Dashed, &format!("target {:.0} %", s.target * 100.0));
    });
    let ink = ui.visuals().text_color();
    let plot = still(Plot::new("dash_sweep"))
        .height(260.0)
        .include_y(0.0)
        .include_y(100.0)
        .x_axis_label(match s.is_slots() {
            true => "strategy meetings that can be held at once".to_string(),
            false => format!("{} on the rota", s.role),
        })
        .y_axis_label("% met in time")
        .x_grid_spacer(whole_marks);
    plot.show(ui, |pu| {
        pu.hline(
            HLine::new("target", s.target * 100.0)
                .color(RED)
                .style(LineStyle::Dashed { length: 8.0 }),
        );
        for (k, p) in s.protocols.iter().enumerate() {
            let colour = PROTOCOL_COLOURS[k % PROTOCOL_COLOURS.len()];
            let pts: Vec<[f64; 2]> = s
                .levels
                .iter()
                .filter_map(|l| l.protocols[k].met_in_time.map(|m| [l.workers as f64, m.mean * 100.0]))
                .collect();
            pu.line(
                Line::new(p.id.clone(), PlotPoints::new(pts.clone()))
                    .color(colour)
                    .style(line_style(k))
                    .width(2.0),
            );
            pu.points(Points::new("", PlotPoints::new(pts)).color(colour).radius(3.0));
            for (i, l) in s.levels.iter().enumerate() {
                if let Some(Estimate {
                    lo: Some(lo),
                    hi: Some(hi),
                    ..
                }) = l.protocols[k].met_in_time
                {
                    let x = l.workers as f64;
                    pu.line(whisker(
                        ink,
                        &format!("sweep{k}"),
                        i,
                        vec![[x, lo * 100.0], [x, hi * 100.0]],
                    ));
                }
            }
        }
    });
    for (k, p) in s.protocols.iter().enumerate() {
        ui.label(RichText::new(format!("{} — {}", p.id, p.title)).strong());
        egui::Grid::new(("dashboard_sweep", k))
            .striped(true)
            .num_columns(9)
            .spacing([14.0, 3.0])
            .show(ui, |ui| {
                for h in [
                    if s.is_slots() { "Slots" } else { "Workers" },
                    "Met in time",
                    "Late per replication",
                    "Missed per replication",
                    "Open at the end",
                    if s.is_slots() {
                        "Wait for a slot"
                    } else {
                        "Wait for a worker"
                    },
                    "Then for office hours",
                    "Busy",
                    "Backlog in",
                ] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for l in &s.levels {
                    let x = &l.protocols[k];
                    ui.label(l.workers.to_string());
                    ui.label(percent(&x.met_in_time));
                    ui.label(thousands(x.late.mean));
                    ui.label(thousands(x.missed.mean));
                    ui.label(thousands(x.open_at_end.mean));
                    ui.label(
                        x.mean_queue_wait_minutes
                            .map_or("—".into(), |w| stress::wait_short(w.mean)),
                    );
                    ui.label(
                        x.mean_wait_for_office_hours_minutes
                            .map_or("—".into(), |w| stress::wait_short(w.mean)),
                    );
                    ui.label(x.busy.map_or("—".into(), |b| format!("{:.0} %", b.mean * 100.0)));
                    ui.label(if x.rules_with_backlog.is_empty() {
                        "—".to_string()
                    } else {
                        x.rules_with_backlog.join(", ")
                    });
                    ui.end_row();
                }
            });
        ui.add_space(6.0);
    }
}

fn problems(ui: &mut egui::Ui, d: &Dashboard) {
    if !d.warnings.is_empty() {
        ui.add_space(4.0);
        ui.label(RichText::new("Check the caseload").strong().color(AMBER));
        for w in &d.warnings {
            ui.label(RichText::new(w).monospace().color(AMBER));
        }
    }
    if d.errors.is_empty() {
        return;
    }
    ui.add_space(4.0);
    ui.label(RichText::new("Cannot run: fix these first").strong().color(RED));
    for e in &d.errors {
        ui.label(RichText::new(e).monospace().color(RED));
    }
}

fn results(ui: &mut egui::Ui, s: &Summary) {
    let c = &s.caseload;
    ui.heading("Results");
    ui.label(format!(
        "{}. Means per replication with 95 % confidence intervals, written “mean (low–high)”.",
        c.describe()
    ));
    ui.add_space(4.0);
    headline_table(ui, s);
    if let Some(cmp) = &s.comparison {
        ui.label(format!(
            "{} → {}: {}. Changes are paired by replication (the same children and episodes under both), with 95 % intervals.",
            cmp.baseline,
            cmp.revision,
            cmp.rule_overlap()
        ));
    }
    ui.add_space(8.0);
    compliance_chart(ui, s);
    ui.add_space(8.0);
    workload_chart(ui, s);
    ui.add_space(8.0);
    meetings_chart(ui, s);
    ui.add_space(8.0);
    queue_chart(ui, s);
}

fn headline_table(ui: &mut egui::Ui, s: &Summary) {
    let two = s.protocols.len() == 2;
    egui::Grid::new("dashboard_headline")
        .striped(true)
        .num_columns(s.protocols.len() + 1 + two as usize)
        .spacing([18.0, 4.0])
        .show(ui, |ui| {
            ui.label("");
            for (k, p) in s.protocols.iter().enumerate() {
                ui.label(
                    RichText::new(format!("■ {}", p.id))
                        .strong()
                        .color(PROTOCOL_COLOURS[k % PROTOCOL_COLOURS.len()]),
                )
                .on_hover_text(&p.title);
            }
            if two {
                ui.label(RichText::new("Change").strong());
            }
            ui.end_row();
            for r in headline(s) {
                ui.label(RichText::new(r.label).strong());
                for c in &r.cells {
                    ui.label(c);
                }
                if two {
                    ui.label(r.change.unwrap_or_default());
                }
                ui.end_row();
            }
        });
}

fn chart_heading(ui: &mut egui::Ui, title: &str, note: &str) {
    ui.label(RichText::new(title).heading());
    if !note.is_empty() {
        ui.label(RichText::new(note).weak());
    }
}

/// How a legend entry is drawn: a filled box (bars), a solid or a dashed line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Box,
    Solid,
    Dashed,
}

/// A legend entry: a sample of the mark in its colour, then its words.
fn key_entry(ui: &mut egui::Ui, colour: Color32, key: Key, words: &str) {
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(28.0, 12.0), egui::Sense::hover());
        let p = ui.painter();
        let stroke = egui::Stroke::new(2.5, colour);
        match key {
            Key::Box => {
                p.rect_filled(
                    egui::Rect::from_center_size(rect.center(), egui::vec2(12.0, 12.0)),
                    2.0,
                    colour,
                );
            }
            Key::Solid => {
                p.line_segment([rect.left_center(), rect.right_center()], stroke);
            }
            Key::Dashed => {
                p.extend(egui::Shape::dashed_line(
                    &[rect.left_center(), rect.right_center()],
                    stroke,
                    6.0,
                    4.0,
                ));
            }
        }
        ui.label(words);
    });
}

/// The protocols' legend in a row: one colour per protocol.
fn protocol_legend(ui: &mut egui::Ui, s: &Summary, lines: bool) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Legend:");
        for (k, p) in s.protocols.iter().enumerate() {
            let key = match (lines, k) {
                (false, _) => Key::Box,
                (true, 0) => Key::Solid,
                (true, _) => Key::Dashed,
            };
            key_entry(ui, PROTOCOL_COLOURS[k % PROTOCOL_COLOURS.len()], key, &p.id);
            ui.add_space(12.0);
        }
    });
}

/// Marks at whole numbers only (categories on an axis).
fn whole_marks(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    let (lo, hi) = (lo.ceil() as i64, hi.floor() as i64);
    if hi < lo || hi - lo > 500 {
        return Vec::new();
    }
    (lo..=hi)
        .map(|v| GridMark {
            value: v as f64,
            step_size: 1.0,
        })
        .collect()
}

fn category<'a>(names: &'a [String]) -> impl Fn(GridMark, &std::ops::RangeInclusive<f64>) -> String + 'a {
    move |m, _| {
        let i = m.value.round();
        if (m.value - i).abs() > 1e-6 || i < 0.0 {
            return String::new();
        }
        names.get(i as usize).cloned().unwrap_or_default()
    }
}

/// Charts that stay put: the page scrolls under the mouse wheel, not the chart.
fn still(plot: Plot<'_>) -> Plot<'_> {
    plot.allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_crosshair(false)
}

/// A 95 % interval as a thin whisker in the text colour (no legend entry).
fn whisker(ink: Color32, salt: &str, i: usize, points: Vec<[f64; 2]>) -> Line<'static> {
    Line::new("", PlotPoints::new(points))
        .id(egui::Id::new((salt, i)))
        .color(ink)
        .width(1.2)
}

fn compliance_chart(ui: &mut egui::Ui, s: &Summary) {
    let ids = chart_rules(s, CHART_RULES);
    let note = if s.protocols.len() == 2 {
        format!(
            "The {} rules whose duties are met in time most differently under the two protocols (then the \
             worst of the rest not always met in time), as a share of the duties that fell due; whiskers show \
             95 % intervals.",
            ids.len()
        )
    } else {
        format!(
            "The {} rules with the lowest share of duties met in time; whiskers show 95 % intervals.",
            ids.len()
        )
    };
    chart_heading(ui, "Duties met in time, by rule", &note);
    if ids.is_empty() {
        ui.label(match s.rules_worst_first().is_empty() {
            true => "No duty fell due in this run.",
            false => "Every duty that fell due was met in time.",
        });
        return;
    }
    protocol_legend(ui, s, false);
    let n = s.protocols.len().max(1);
    let rows = ids.len();
    // Top row first: rule i sits at y = rows - 1 - i.
    let names: Vec<String> = (0..rows).map(|y| ids[rows - 1 - y].clone()).collect();
    let bar_w = 0.8 / n as f64;
    let mut charts = Vec::new();
    let mut whiskers = Vec::new();
    let mut values = Vec::new();
    for (k, p) in s.protocols.iter().enumerate() {
        let colour = PROTOCOL_COLOURS[k % PROTOCOL_COLOURS.len()];
        let mut bars = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let Some(e) = rule_compliance(p, id) else { continue };
            let y = (rows - 1 - i) as f64 + ((n - 1) as f64 / 2.0 - k as f64) * bar_w;
            bars.push(
                Bar::new(y, e.mean * 100.0)
                    .width(bar_w * 0.95)
                    .name(format!("{id} — {}", p.id))
                    .fill(colour.gamma_multiply(0.75))
                    .stroke(egui::Stroke::new(1.0, colour)),
            );
            if let (Some(lo), Some(hi)) = (e.lo, e.hi) {
                whiskers.push(vec![[lo * 100.0, y], [hi * 100.0, y]]);
            }
            // The figure itself at the end of the bar (or of its whisker).
            values.push((e.hi.unwrap_or(e.mean).max(e.mean) * 100.0 + 1.0, y, e.mean * 100.0));
        }
        charts.push(BarChart::new(p.id.clone(), bars).horizontal().color(colour));
    }
    let ink = ui.visuals().strong_text_color();
    let plot = still(Plot::new("dash_compliance"))
        .height(50.0 + 26.0 * rows as f32)
        .include_x(0.0)
        .include_x(108.0)
        .include_y(-0.6)
        .include_y(rows as f64 - 0.4)
        .x_axis_label("duties met in time (%)")
        .x_axis_formatter(|m, _| {
            if (0.0..=100.0).contains(&m.value) {
                format!("{:.0}%", m.value)
            } else {
                String::new()
            }
        })
        .y_grid_spacer(whole_marks)
        .y_axis_formatter(category(&names))
        .y_axis_min_width(120.0);
    plot.show(ui, |pu| {
        for c in charts {
            pu.bar_chart(c);
        }
        for (i, w) in whiskers.into_iter().enumerate() {
            pu.line(whisker(ink, "dash_compliance_ci", i, w));
        }
        for (i, (x, y, v)) in values.into_iter().enumerate() {
            pu.text(
                egui_plot::Text::new(
                    "",
                    egui_plot::PlotPoint::new(x, y),
                    RichText::new(format!("{v:.1}")).small(),
                )
                .id(egui::Id::new(("dash_compliance_value", i)))
                .anchor(egui::Align2::LEFT_CENTER),
            );
        }
    });
    likely_causes(ui, s, &ids);
}

/// Under the compliance chart: for each rule in it, what in the staffing most likely keeps its
/// duties from being met in time (`RuleResult::likely_cause`), named per protocol where the
/// protocols differ.
fn likely_causes(ui: &mut egui::Ui, s: &Summary, ids: &[String]) {
    let mut lines = Vec::new();
    for id in ids {
        let causes: Vec<(&str, &str)> = s
            .protocols
            .iter()
            .filter_map(|p| {
                let r = p.rules.iter().find(|r| &r.id == id)?;
                Some((p.id.as_str(), r.likely_cause.as_deref()?))
            })
            .collect();
        // One line where every protocol gives the same reason; else one per protocol.
        let same = causes.len() == s.protocols.len() && causes.windows(2).all(|w| w[0].1 == w[1].1);
        match causes.first() {
            Some((_, c)) if same => lines.push(format!("{id}: {c}")),
            _ => lines.extend(causes.iter().map(|(p, c)| format!("{id} under {p}: {c}"))),
        }
    }
    if lines.is_empty() {
        return;
    }
    ui.label(RichText::new("Why, as staffed").strong());
    for l in lines {
        ui.label(l);
    }
}

fn week_points(values: &[f64]) -> PlotPoints<'static> {
    values.iter().enumerate().map(|(w, v)| [(w + 1) as f64, *v]).collect()
}

fn line_style(k: usize) -> LineStyle {
    if k == 0 {
        LineStyle::Solid
    } else {
        LineStyle::Dashed { length: 8.0 }
    }
}

fn workload_chart(ui: &mut egui::Ui, s: &Summary) {
    let roles = busiest_roles(s);
    let note = if s.protocols.len() == 2 {
        format!(
            "Actions done per week by the busiest roles (mean over replications), one colour per role; solid \
             lines {}, dashed lines {}.",
            s.protocols[0].id, s.protocols[1].id
        )
    } else {
        "Actions done per week by the busiest roles (mean over replications), one colour per role.".into()
    };
    chart_heading(ui, "Workload per role per week", &note);
    let height = 300.0;
    ui.horizontal_top(|ui| {
        let width = (ui.available_width() - 330.0).max(320.0);
        let plot = still(Plot::new("dash_workload"))
            .width(width)
            .height(height)
            .include_y(0.0)
            .include_x(1.0)
            .x_axis_label("week")
            .y_axis_label("actions");
        plot.show(ui, |pu| {
            for (k, p) in s.protocols.iter().enumerate() {
                for (i, id) in roles.iter().enumerate() {
                    if let Some(r) = p.roles.iter().find(|r| r.id == *id) {
                        pu.line(
                            Line::new(format!("{id} — {}", p.id), week_points(&r.weekly))
                                .color(ROLE_COLOURS[i % ROLE_COLOURS.len()])
                                .style(line_style(k))
                                .width(1.8),
                        );
                    }
                }
            }
        });
        ui.vertical(|ui| {
            ui.label(RichText::new("Legend").strong());
            for (k, p) in s.protocols.iter().enumerate() {
                for (i, id) in roles.iter().enumerate() {
                    if p.roles.iter().any(|r| r.id == *id) {
                        let key = if k == 0 { Key::Solid } else { Key::Dashed };
                        key_entry(
                            ui,
                            ROLE_COLOURS[i % ROLE_COLOURS.len()],
                            key,
                            &format!("{id} — {}", p.id),
                        );
                    }
                }
            }
        });
    });
}

fn meetings_chart(ui: &mut egui::Ui, s: &Summary) {
    chart_heading(
        ui,
        "Strategy meetings per week",
        "Strategy meetings held each week (mean over replications).",
    );
    protocol_legend(ui, s, true);
    let plot = still(Plot::new("dash_meetings"))
        .height(220.0)
        .include_y(0.0)
        .include_x(1.0)
        .x_axis_label("week")
        .y_axis_label("meetings");
    plot.show(ui, |pu| {
        for (k, p) in s.protocols.iter().enumerate() {
            pu.line(
                Line::new(p.id.clone(), week_points(&p.strategy_meetings_weekly))
                    .color(PROTOCOL_COLOURS[k % PROTOCOL_COLOURS.len()])
                    .style(line_style(k))
                    .width(2.0),
            );
        }
    });
}

fn queue_chart(ui: &mut egui::Ui, s: &Summary) {
    let roles = queued_roles(s);
    chart_heading(
        ui,
        "Queue waits",
        "Minutes a duty waits for a free worker, on average, by role on the caseload's rota (time out of office \
         hours counts for roles that keep them); whiskers show 95 % intervals.",
    );
    if roles.is_empty() {
        ui.label("No role on the rota did any work in this run.");
        return;
    }
    protocol_legend(ui, s, false);
    let n = s.protocols.len().max(1);
    let bar_w = 0.8 / n as f64;
    let mut charts = Vec::new();
    let mut whiskers = Vec::new();
    for (k, p) in s.protocols.iter().enumerate() {
        let colour = PROTOCOL_COLOURS[k % PROTOCOL_COLOURS.len()];
        let mut bars = Vec::new();
        for (i, id) in roles.iter().enumerate() {
            let Some(e) = p
                .roles
                .iter()
                .find(|r| r.id == *id)
                .and_then(|r| r.mean_queue_wait_minutes)
            else {
                continue;
            };
            let x = i as f64 + (k as f64 - (n - 1) as f64 / 2.0) * bar_w;
            bars.push(
                Bar::new(x, e.mean)
                    .width(bar_w * 0.95)
                    .name(format!("{id} — {}", p.id))
                    .fill(colour.gamma_multiply(0.75))
                    .stroke(egui::Stroke::new(1.0, colour)),
            );
            if let (Some(lo), Some(hi)) = (e.lo, e.hi) {
                whiskers.push(vec![[x, lo.max(0.0)], [x, hi]]);
            }
        }
        charts.push(BarChart::new(p.id.clone(), bars).vertical().color(colour));
    }
    let ink = ui.visuals().strong_text_color();
    let plot = still(Plot::new("dash_queue"))
        .height(240.0)
        .include_y(0.0)
        .include_x(-0.6)
        .include_x(roles.len() as f64 - 0.4)
        .x_grid_spacer(whole_marks)
        .x_axis_formatter(category(&roles))
        .y_axis_label("minutes");
    plot.show(ui, |pu| {
        for c in charts {
            pu.bar_chart(c);
        }
        for (i, w) in whiskers.into_iter().enumerate() {
            pu.line(whisker(ink, "dash_queue_ci", i, w));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_whole_numbers_and_blank_as_none() {
        assert_eq!(whole("Days", " 30 ", 1, 3660, "r"), Ok(Some(30)));
        assert_eq!(whole("Days", "", 1, 3660, "r"), Ok(None));
        assert_eq!(
            whole("Children", "2,000", 1, 10, "r"),
            Err("Children: r, not 2,000".into())
        );
        assert_eq!(
            whole("Seed", "x1", 0, u64::MAX, "r"),
            Err("Seed: `x1` is not a whole number".into())
        );
    }

    #[test]
    fn shares_read_as_fractions_or_percentages() {
        assert_eq!(share("S", " 0.25 "), Ok(Some(0.25)));
        assert_eq!(share("S", "50%"), Ok(Some(0.5)));
        assert_eq!(share("S", ""), Ok(None));
        assert_eq!(
            share("S", "1.5"),
            Err("S: a share runs from 0 to 1 (0 % to 100 %), not 1.5".into())
        );
        assert_eq!(share("S", "half"), Err("S: `half` is not a number".into()));
    }

    #[test]
    fn the_dashboard_can_live_in_a_bevy_resource() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Dashboard>();
    }
}
