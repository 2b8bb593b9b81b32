//! `safe-return stress` and `safe-return bench`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use super::{Command, bad_input, load_or_exit, print_json};
use crate::caseload::stress::{self, ProtocolInfo, StressOptions};
use crate::caseload::{self, Caseload, LoadedCaseload, ocel, report};
use crate::diag::Diagnostics;
use crate::protocol::Protocol;

/// Where the shipped caseloads live.
pub fn caseloads_dir() -> PathBuf {
    crate::paths::root().join("assets").join("caseloads")
}

fn usage_error(flag: &str, message: &str) -> ExitCode {
    eprintln!("{flag}: {message}");
    ExitCode::from(2)
}

fn load_protocols(args: &[&str]) -> Result<Vec<Arc<Protocol>>, ExitCode> {
    args.iter()
        .map(|a| load_or_exit(&crate::paths::protocol_arg(a)).map(|lp| Arc::new(lp.protocol)))
        .collect()
}

fn load_caseload(path: Option<&Path>, protocols: &[Arc<Protocol>]) -> Result<LoadedCaseload, ExitCode> {
    let refs: Vec<&Protocol> = protocols.iter().map(|p| &**p).collect();
    match path {
        Some(p) => caseload::load_caseload(p, &refs).map_err(|d| bad_input(&d)),
        None => caseload::check_in_memory(&Caseload::default(), &refs).map_err(|d| bad_input(&d)),
    }
}

fn progress(total: u64, hidden: bool) -> ProgressBar {
    if hidden || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} simulated days, {eta} left")
    {
        bar.set_style(style);
    }
    bar
}

pub fn stress(cmd: &Command) -> ExitCode {
    let Command::Stress {
        protocol,
        compare,
        caseload,
        children,
        days,
        replications,
        seed,
        threads,
        out,
        json,
        ocel: ocel_path,
        ocel_children,
    } = cmd
    else {
        unreachable!("stress arguments")
    };
    let mut names = vec![protocol.as_str()];
    if let Some(c) = compare {
        names.push(c);
    }
    let protocols = match load_protocols(&names) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut cl = match load_caseload(caseload.as_deref(), &protocols) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Some(n) = children {
        if *n == 0 {
            return usage_error("--children", "there must be at least one child");
        }
        cl = cl.with_children(*n);
    }
    if let Some(d) = days {
        if *d == 0 || *d > 3660 {
            return usage_error("--days", "the horizon runs from 1 day to 3,660 (ten years)");
        }
        cl = cl.with_days(*d);
    }
    if *replications == 0 {
        return usage_error("--replications", "run at least one replication");
    }
    if *threads == Some(0) {
        return usage_error("--threads", "use at least one thread");
    }
    let opts = StressOptions {
        replications: *replications,
        seed: *seed,
        threads: *threads,
    };
    let bar = progress(stress::total_days(protocols.len(), &cl, &opts), *json);
    let tick = || bar.inc(1);
    let summary = stress::run(&protocols, &cl, &opts, &tick);
    bar.finish_and_clear();
    if let Some(dir) = out {
        match report::write_all(&summary, dir) {
            Ok(files) => {
                if !*json {
                    for f in files {
                        eprintln!("wrote {}", f.display());
                    }
                }
            }
            Err(e) => {
                eprintln!("{}: cannot write the report: {e}", dir.display());
                return ExitCode::from(1);
            }
        }
    }
    if let Some(path) = ocel_path {
        let info = ProtocolInfo::new(protocols[0].clone());
        let (log, n) = ocel::export(&info, &cl, *seed, *ocel_children);
        let written = std::fs::File::create(path).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            serde_json::to_writer(&mut w, &log).map_err(std::io::Error::other)?;
            std::io::Write::flush(&mut w)
        });
        match written {
            Ok(()) => {
                if !*json {
                    eprintln!(
                        "wrote {} (OCEL 2.0: replication 0 under {}, {n} children, {} events, {} objects)",
                        path.display(),
                        protocols[0].id,
                        log.events.len(),
                        log.objects.len()
                    );
                }
            }
            Err(e) => {
                eprintln!("{}: cannot write the event log: {e}", path.display());
                return ExitCode::from(1);
            }
        }
    }
    if *json {
        print_json(&summary);
    } else {
        print!("{}", report::to_text(&summary));
    }
    ExitCode::SUCCESS
}

/// One benchmark measurement.
#[derive(Debug, Serialize)]
pub struct BenchRow {
    pub run: String,
    pub children: i64,
    pub replications: u64,
    pub threads: usize,
    pub episodes: u64,
    pub events: u64,
    pub wall_seconds: f64,
    pub events_per_second: f64,
    pub peak_rss_bytes: Option<u64>,
}

/// Start a new peak-memory measurement (Linux: writing 5 to `clear_refs` resets `VmHWM`).
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn shipped_caseload(name: &str, protocols: &[Arc<Protocol>]) -> Result<LoadedCaseload, ExitCode> {
    let path = caseloads_dir().join(name);
    if !path.is_file() {
        return Err(bad_input(&Diagnostics::single(
            &path,
            1,
            1,
            "the shipped caseload is missing (run from the project folder or set SAFE_RETURN_HOME)",
        )));
    }
    load_caseload(Some(&path), protocols)
}

fn measure(run: &str, protocols: &[Arc<Protocol>], cl: &LoadedCaseload, opts: &StressOptions) -> BenchRow {
    let fresh = reset_peak_rss();
    let t0 = Instant::now();
    let s = stress::run(protocols, cl, opts, &|| {});
    let wall = t0.elapsed().as_secs_f64();
    BenchRow {
        run: run.into(),
        children: cl.caseload.children,
        replications: opts.replications,
        threads: stress::thread_count(opts),
        episodes: s.episodes,
        events: s.events,
        wall_seconds: stress::r4(wall),
        events_per_second: (s.events as f64 / wall.max(1e-9)).round(),
        peak_rss_bytes: s.run.peak_rss_bytes.filter(|_| fresh),
    }
}

/// The machine a benchmark runs on, in words: processor, logical CPUs, and the load average
/// before the runs (another busy process slows them down). Linux reports all three; elsewhere
/// what is known.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown processor".into());
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .map(|l| format!(", load average {l} (1, 5, 15 min)"))
        .unwrap_or_default();
    format!("machine: {cpu}, {cpus} logical CPUs{load}")
}

pub fn bench(cmd: &Command) -> ExitCode {
    let Command::Bench {
        children,
        protocol,
        replications,
        threads,
        json,
    } = cmd
    else {
        unreachable!("bench arguments")
    };
    if *threads == 0 {
        return usage_error("--threads", "use at least one thread");
    }
    let protocols = match load_protocols(&[protocol]) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let national = match shipped_caseload("national.ron", &protocols) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut sizes = if children.is_empty() {
        vec![1_000, 10_000, 100_000, 140_000]
    } else {
        children.clone()
    };
    sizes.sort_unstable();
    if sizes.contains(&0) {
        return usage_error("--children", "there must be at least one child");
    }
    let mut rows = Vec::new();
    let one = StressOptions {
        replications: 1,
        seed: 1,
        threads: Some(1),
    };
    if !*json {
        println!("{}", machine());
        println!(
            "{:<34} {:>9} {:>5} {:>4} {:>9} {:>11} {:>9} {:>12} {:>9}",
            "run", "children", "reps", "thr", "episodes", "events", "wall s", "events/s", "peak MB"
        );
    }
    let show = |r: &BenchRow| {
        println!(
            "{:<34} {:>9} {:>5} {:>4} {:>9} {:>11} {:>9.3} {:>12.0} {:>9}",
            r.run,
            r.children,
            r.replications,
            r.threads,
            r.episodes,
            r.events,
            r.wall_seconds,
            r.events_per_second,
            r.peak_rss_bytes
                .map(|b| format!("{:.0}", b as f64 / 1_048_576.0))
                .unwrap_or_else(|| "—".into())
        );
    };
    for n in sizes {
        let cl = national.clone().with_children(n);
        let row = measure(
            &format!("national caseload, {} days", cl.caseload.horizon_days),
            &protocols,
            &cl,
            &one,
        );
        if !*json {
            show(&row);
        }
        rows.push(row);
    }
    if *replications > 0 {
        let borough = match shipped_caseload("borough-2000.ron", &protocols) {
            Ok(c) => c,
            Err(code) => return code,
        };
        let opts = StressOptions {
            replications: *replications,
            seed: 1,
            threads: Some(*threads),
        };
        let row = measure("borough-2000 replications", &protocols, &borough, &opts);
        if !*json {
            show(&row);
        }
        rows.push(row);
    }
    if *json {
        print_json(&rows);
    }
    ExitCode::SUCCESS
}
