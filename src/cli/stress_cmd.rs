//! `safe-return stress` and `safe-return bench`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use super::{Command, bad_input, load_or_exit, print_json};
use crate::caseload::HORIZON_RANGE;
use crate::caseload::stress::{self, ProtocolInfo, StressOptions};
use crate::caseload::sweep::{self, SweepSpec};
use crate::caseload::{self, Caseload, LoadedCaseload, MAX_CHILDREN, MAX_HORIZON_DAYS, MIN_HORIZON_DAYS, ocel, report};
use crate::diag::{Diagnostics, io_words};
use crate::protocol::Protocol;

/// Most replications in one run: 10,000 synthetic years already narrow an interval a hundredfold
/// against one (more only takes longer and holds more results in memory).
pub const MAX_REPLICATIONS: u64 = 10_000;
/// Most worker threads: more than any machine this runs on has cores. Far more threads than
/// cores only slows a run down (and the system may refuse to start them).
pub const MAX_THREADS: usize = 256;

/// Memory a stress run holds besides its replications (the program, protocols, results).
pub const MEMORY_BASE_BYTES: u64 = 32 << 20;
/// Memory one replication holds per child under one protocol, whatever the days: the child, its
/// planned episodes and the engine's state (measured: about 850 bytes a child with the default
/// year of warm-up and a 30-day horizon; docs/stress-tests.md, "Memory").
pub const BYTES_PER_CHILD: u64 = 700;
/// …and per child per 1,000 simulated days (warm-up and horizon), counted up to
/// `DAYS_THAT_GROW`: the history of episodes and, under a protocol with a `knowledge` section,
/// the duties waiting for a role to be told, which a child holds until their next episode
/// (measured 7 December 2026: about 2.4 KB a child for a year's warm-up and a year, Havering
/// October 2023; docs/stress-tests.md, "Memory").
pub const BYTES_PER_CHILD_PER_1000_DAYS: u64 = 2100;
/// Days beyond this add little (measured: 20,000 children over 1,500 days hold less than a
/// year's 100,000 children a child).
pub const DAYS_THAT_GROW: u64 = 730;
/// A second protocol (`--compare`) adds this share (in %) to a replication's memory: its
/// children are copied for the first protocol's run and moved for the second's.
pub const COMPARE_EXTRA_PERCENT: u64 = 45;

/// The memory a stress run needs, in bytes: `parallel` replications at once (the threads, or
/// fewer where there are fewer replications), each with `children` over `days` simulated days
/// (warm-up and horizon), under `protocols` protocols.
pub fn memory_needed(children: u64, days: u64, protocols: usize, parallel: u64) -> u64 {
    let mut per_child = BYTES_PER_CHILD + BYTES_PER_CHILD_PER_1000_DAYS * days.min(DAYS_THAT_GROW) / 1000;
    if protocols > 1 {
        per_child += per_child * COMPARE_EXTRA_PERCENT / 100;
    }
    MEMORY_BASE_BYTES.saturating_add(parallel.saturating_mul(children).saturating_mul(per_child))
}

/// Bytes in words: `850 MB`, `10.6 GB`.
fn bytes_words(b: u64) -> String {
    if b < 1_000_000_000 {
        format!("{} MB", b.div_ceil(1_000_000))
    } else {
        format!("{:.1} GB", b as f64 / 1e9)
    }
}

/// The memory a run may use: `SAFE_RETURN_MEMORY_MB` where set (a shared machine), else what
/// the system says is available (`MemAvailable` in `/proc/meminfo`, Linux); none where unknown.
fn memory_available() -> Result<Option<(u64, &'static str)>, String> {
    if let Ok(v) = std::env::var("SAFE_RETURN_MEMORY_MB") {
        let mb: u64 = whole_number(&v).map_err(|why| format!("SAFE_RETURN_MEMORY_MB: {why}"))?;
        return Ok(Some((mb.saturating_mul(1_000_000), "SAFE_RETURN_MEMORY_MB")));
    }
    let Ok(info) = std::fs::read_to_string("/proc/meminfo") else {
        return Ok(None);
    };
    let kb = info
        .lines()
        .find(|l| l.starts_with("MemAvailable:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse::<u64>().ok());
    Ok(kb.map(|kb| (kb * 1024, "MemAvailable in /proc/meminfo")))
}

/// Before a run: where the replications at once would need more memory than there is, run
/// fewer at once (fewer threads, saying so: the results are the same); where one replication
/// alone would, refuse, saying how many children fit.
fn fit_in_memory(cl: &LoadedCaseload, protocols: usize, opts: &mut StressOptions) -> Result<(), ExitCode> {
    let (available, source) = match memory_available() {
        Ok(Some(a)) => a,
        Ok(None) => return Ok(()),
        Err(why) => {
            eprintln!("{why}");
            return Err(ExitCode::from(2));
        }
    };
    let c = &cl.caseload;
    let children = c.children.max(0) as u64;
    let days = (c.horizon_days.max(0) + c.warm_up_days.max(0)) as u64;
    let parallel = (stress::thread_count(opts) as u64).min(opts.replications).max(1);
    let need = memory_needed(children, days, protocols, parallel);
    if need <= available {
        return Ok(());
    }
    let one = memory_needed(children, days, protocols, 1);
    if one > available {
        let per_child = (one - MEMORY_BASE_BYTES) / children.max(1);
        let fit = available.saturating_sub(MEMORY_BASE_BYTES) / per_child.max(1);
        eprintln!(
            "--children: {children} children over {days} simulated days (warm-up and horizon) need about {} of \
             memory for one replication, and {} is available ({source}): use at most about {fit} children, or fewer days",
            bytes_words(one),
            bytes_words(available)
        );
        return Err(ExitCode::from(2));
    }
    let fit = (available - MEMORY_BASE_BYTES) / (one - MEMORY_BASE_BYTES);
    eprintln!(
        "note: {parallel} replications at once need about {} of memory, and {} is available ({source}): running \
         {fit} at once (--threads {fit}); the results are the same, only slower",
        bytes_words(need),
        bytes_words(available)
    );
    opts.threads = Some(fit as usize);
    Ok(())
}

fn usage_error(flag: &str, message: &str) -> ExitCode {
    eprintln!("{flag}: {message}");
    ExitCode::from(2)
}

/// Parse a whole number given to an option, with messages a reader who is not a programmer can
/// act on (clap prints them after the option's name).
pub fn whole_number<T: TryFrom<u64>>(s: &str) -> Result<T, String> {
    let t = s.trim();
    let too_large = || format!("number too large ({t})");
    if let Ok(n) = t.parse::<u64>() {
        return T::try_from(n).map_err(|_| too_large());
    }
    if t.starts_with('-') && t[1..].parse::<f64>().is_ok() {
        return Err(format!("cannot be negative ({t})"));
    }
    let digits = t.strip_prefix('+').unwrap_or(t);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(too_large());
    }
    let plain: String = t.chars().filter(|c| !matches!(c, ',' | '_' | ' ')).collect();
    if plain != t && plain.parse::<u64>().is_ok() {
        return Err(format!("write the number without separators: {plain}, not {t}"));
    }
    if t.parse::<f64>().is_ok() {
        return Err(format!("a whole number is needed, not {t}"));
    }
    Err(format!("a whole number is needed, not `{t}`"))
}

/// Parse `ROLE=N` for `--workers`.
pub fn role_workers(s: &str) -> Result<(String, u64), String> {
    let Some((role, n)) = s.split_once('=') else {
        return Err(format!(
            "write the role and its workers, such as rhi_worker=3, not `{s}`"
        ));
    };
    let role = role.trim();
    if role.is_empty() {
        return Err(format!("name the role before `=` (such as rhi_worker=3), not `{s}`"));
    }
    let n: u64 = whole_number(n)?;
    if n == 0 || n > caseload::MAX_WORKERS as u64 {
        return Err(format!("from 1 to 100,000 workers on a rota, not {n}"));
    }
    Ok((role.to_string(), n))
}

/// Parse a share: `0.95` or `95%`, from 0 to 1.
pub fn share(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (number, scale) = match t.strip_suffix('%') {
        Some(p) => (p.trim(), 100.0),
        None => (t, 1.0),
    };
    match number.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&(v / scale)) => Ok(v / scale),
        Ok(_) => Err(format!("a share runs from 0 to 1 (0% to 100%), not {t}")),
        Err(_) => Err(format!(
            "a share is a number from 0 to 1 (such as 0.95 or 95%), not `{t}`"
        )),
    }
}

/// A full-time post's hours a week: above 0, at most 168 (the hours in a week).
pub fn post_hours(s: &str) -> Result<f64, String> {
    let t = s.trim();
    match t.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 168.0 => Ok(v),
        _ => Err(format!(
            "a full-time post's hours a week, above 0 and at most 168 (such as 37), not `{t}`"
        )),
    }
}

/// The stress options' limits, checked before anything runs.
fn check_stress_flags(
    children: Option<u64>,
    days: Option<u64>,
    replications: u64,
    threads: Option<usize>,
    ocel_children: usize,
) -> Result<(), ExitCode> {
    check_children("--children", children)?;
    if let Some(d) = days
        && (d < MIN_HORIZON_DAYS as u64 || d > MAX_HORIZON_DAYS as u64)
    {
        return Err(usage_error("--days", HORIZON_RANGE));
    }
    check_replications(replications, 1)?;
    check_threads(threads, " (leave it out to use one per core)")?;
    if ocel_children == 0 {
        return Err(usage_error(
            "--ocel-children",
            "the event log needs at least one child (1 up to the number of children)",
        ));
    }
    if ocel_children as u64 > MAX_CHILDREN as u64 {
        return Err(usage_error(
            "--ocel-children",
            &format!("at most 10,000,000 children in the event log, not {ocel_children}"),
        ));
    }
    Ok(())
}

fn check_children(flag: &str, children: Option<u64>) -> Result<(), ExitCode> {
    match children {
        Some(0) => Err(usage_error(flag, "there must be at least one child")),
        Some(n) if n > MAX_CHILDREN as u64 => Err(usage_error(
            flag,
            &format!("{n} children is more than this tool simulates (at most 10,000,000)"),
        )),
        _ => Ok(()),
    }
}

fn check_replications(replications: u64, least: u64) -> Result<(), ExitCode> {
    if replications < least {
        return Err(usage_error("--replications", "run at least one replication"));
    }
    if replications > MAX_REPLICATIONS {
        return Err(usage_error(
            "--replications",
            &format!("at most 10,000 replications, not {replications} (100 already give a narrow interval)"),
        ));
    }
    Ok(())
}

/// `hint`: what to do instead of asking for too many (may be empty).
fn check_threads(threads: Option<usize>, hint: &str) -> Result<(), ExitCode> {
    match threads {
        Some(0) => Err(usage_error("--threads", "use at least one thread")),
        Some(t) if t > MAX_THREADS => Err(usage_error("--threads", &format!("at most 256 threads, not {t}{hint}"))),
        _ => Ok(()),
    }
}

/// Where the nearest existing folder above `path` is not a folder, say so.
fn blocked_ancestor(path: &Path) -> Option<String> {
    let existing = path
        .ancestors()
        .skip(1)
        .find(|a| !a.as_os_str().is_empty() && a.exists())?;
    (!existing.is_dir()).then(|| format!("{} is a file, not a folder", existing.display()))
}

/// Check `--out DIR` before the run: a folder there, or one that can be made, that we may write in.
/// Makes the folder.
fn prepare_out_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!("{} is a file, not a folder", dir.display()));
    }
    if let Some(why) = blocked_ancestor(dir) {
        return Err(format!("cannot make the folder {}: {why}", dir.display()));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make the folder {}: {}", dir.display(), io_words(&e)))?;
    let probe = dir.join(".safe-return-write-check");
    std::fs::File::create(&probe)
        .map_err(|e| format!("cannot write in the folder {}: {}", dir.display(), io_words(&e)))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Check an output file (`--ocel FILE`, `run --markdown FILE`) before the run: not a folder, in
/// a folder that exists or can be made, and writable. Makes the folder. `example`: a file name
/// to suggest where a folder was given.
pub(super) fn prepare_out_file(path: &Path, example: &str) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!(
            "{} is a folder, not a file (give a file name, such as {})",
            path.display(),
            path.join(example).display()
        ));
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent {
        if parent.exists() && !parent.is_dir() {
            return Err(format!("{} is a file, not a folder", parent.display()));
        }
        if let Some(why) = blocked_ancestor(parent) {
            return Err(format!("cannot make the folder {}: {why}", parent.display()));
        }
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot make the folder {}: {}", parent.display(), io_words(&e)))?;
    }
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("cannot write {}: {}", path.display(), io_words(&e)))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// Each protocol given as `(flag, id, file name or path)`, with the file it was read from; one
/// not found is a usage error for its flag listing the protocols there are.
fn load_protocols(args: &[(&str, &str)]) -> Result<Vec<(Arc<Protocol>, PathBuf)>, ExitCode> {
    args.iter()
        .map(|(flag, a)| match crate::paths::resolve_protocol(a) {
            Ok(file) => load_or_exit(&file).map(|lp| (Arc::new(lp.protocol), file)),
            Err(why) => Err(usage_error(flag, &why)),
        })
        .collect()
}

/// `--caseload` given as an id under `assets/caseloads/`, a file name there, or a path.
fn resolve_caseload(arg: &Path) -> Result<PathBuf, ExitCode> {
    if arg.exists() {
        return Ok(arg.to_path_buf());
    }
    crate::paths::resolve_caseload(&arg.to_string_lossy()).map_err(|why| usage_error("--caseload", &why))
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
        workers,
        lapsing_start,
        meeting_slots,
        sweep,
        target,
        until_clear,
        post_hours,
        casework_share,
    } = cmd
    else {
        unreachable!("stress arguments")
    };
    if let Err(code) = check_stress_flags(*children, *days, *replications, *threads, *ocel_children) {
        return code;
    }
    if casework_share.is_some_and(|x| x <= 0.0) {
        return usage_error(
            "--casework-share",
            "a share above 0 is needed (such as 0.8): a post with no time on casework does none of it",
        );
    }
    if sweep.is_some() && (post_hours.is_some() || casework_share.is_some()) {
        return usage_error(
            if post_hours.is_some() {
                "--post-hours"
            } else {
                "--casework-share"
            },
            "full-time posts are worked out in a stress run's reports, not a sweep's: leave out --sweep, \
             and give --workers ROLE=N for the staffing to report on",
        );
    }
    if sweep.is_none() && until_clear.is_some() {
        return usage_error(
            "--until-clear",
            "adding replications until the answer is clear is for a staffing sweep: give --sweep ROLE=N1,N2,… as well",
        );
    }
    if let Some(max) = until_clear
        && !(*max >= (*replications).max(2) && *max <= MAX_REPLICATIONS)
    {
        return usage_error(
            "--until-clear",
            &format!(
                "the most replications to run to, from {} (the replications given, and at least 2) to {}, not {max}",
                (*replications).max(2),
                report::thousands(MAX_REPLICATIONS as f64)
            ),
        );
    }
    if sweep.is_none() && target.is_some() {
        return usage_error(
            "--target",
            "a target is for a staffing sweep: give --sweep ROLE=N1,N2,… as well",
        );
    }
    let target = target.unwrap_or(0.95);
    if target <= 0.0 {
        return usage_error(
            "--target",
            "a target above 0 is needed (such as 0.95): every level meets a target of 0",
        );
    }
    let sweep = match sweep.as_deref().map(|t| SweepSpec::parse(t, target)).transpose() {
        Ok(s) => s,
        Err(why) => return usage_error("--sweep", &why),
    };
    if let Some(spec) = &sweep {
        if ocel_path.is_some() {
            return usage_error(
                "--ocel",
                "an event log is of one run, and --sweep makes several: leave out --sweep, and give \
                 --workers ROLE=N for the level to log",
            );
        }
        if workers.iter().any(|(r, _)| *r == spec.role) {
            return usage_error(
                "--workers",
                &format!("`{}` is the role --sweep varies: leave it out of --workers", spec.role),
            );
        }
    }
    for (i, (role, _)) in workers.iter().enumerate() {
        if workers[..i].iter().any(|(r, _)| r == role) {
            return usage_error("--workers", &format!("`{role}` is given twice"));
        }
    }
    let mut flags = vec![("--protocol", protocol.as_str())];
    if let Some(c) = compare {
        flags.push(("--compare", c));
    }
    let (mut protocols, files): (Vec<_>, Vec<_>) = match load_protocols(&flags) {
        Ok(p) => p.into_iter().unzip(),
        Err(code) => return code,
    };
    let files: Vec<&Path> = files.iter().map(|f| f.as_path()).collect();
    if let Some(note) = stress::label_apart(&mut protocols, &files) {
        eprintln!("note: {note}");
    }
    let caseload = match caseload.as_deref().map(resolve_caseload).transpose() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut cl = match load_caseload(caseload.as_deref(), &protocols) {
        Ok(c) => c,
        Err(code) => return code,
    };
    for w in &cl.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(n) = children {
        cl = cl.with_children(*n);
    }
    if let Some(d) = days {
        cl = cl.with_days(*d);
    }
    let refs: Vec<&Protocol> = protocols.iter().map(|p| &**p).collect();
    for (role, n) in workers {
        cl = match cl.with_workers(role, *n, &refs) {
            Ok(cl) => cl,
            Err(why) => return usage_error("--workers", &why),
        };
    }
    if let Some(v) = lapsing_start {
        cl = cl.with_lapsing_start(*v);
    }
    if let Some(n) = meeting_slots {
        cl = match cl.with_meeting_slots(*n) {
            Ok(cl) => cl,
            Err(why) => return usage_error("--meeting-slots", &why),
        };
    }
    if let Some(spec) = &sweep {
        // Every level is checked before anything runs.
        if let Err(why) = spec.caseload_at(&cl, spec.levels[0], &refs) {
            return usage_error("--sweep", &why);
        }
        if spec.is_slots() && meeting_slots.is_some() {
            return usage_error(
                "--meeting-slots",
                "the strategy-meeting slots are what --sweep varies: leave out --meeting-slots",
            );
        }
    }
    let mut opts = StressOptions {
        replications: *replications,
        seed: *seed,
        threads: *threads,
    };
    if let Err(code) = fit_in_memory(&cl, protocols.len(), &mut opts) {
        return code;
    }
    // Outputs are checked (and their folders made) before the run, not after it.
    if let Some(dir) = out
        && let Err(why) = prepare_out_dir(dir)
    {
        return usage_error("--out", &why);
    }
    if let Some(path) = ocel_path
        && let Err(why) = prepare_out_file(path, "log.ocel.json")
    {
        return usage_error("--ocel", &why);
    }
    if let Some(spec) = &sweep {
        return run_sweep(&protocols, &cl, &opts, spec, out.as_deref(), *json, *until_clear);
    }
    let bar = progress(stress::total_days(protocols.len(), &cl, &opts), *json);
    let tick = || bar.inc(1);
    let mut summary = stress::run(&protocols, &cl, &opts, &tick);
    bar.finish_and_clear();
    let a = &mut summary.assumptions;
    a.post_hours_per_week = post_hours.unwrap_or(a.post_hours_per_week);
    a.casework_share = casework_share.unwrap_or(a.casework_share);
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
                eprintln!("{}: cannot write the report: {}", dir.display(), io_words(&e));
                return ExitCode::from(1);
            }
        }
    }
    if let Some(path) = ocel_path {
        // Every protocol run, named as the reports name it (a draft that kept its baseline's id
        // by its file's name too), on the same children.
        let infos: Vec<ProtocolInfo> = protocols.iter().map(|p| ProtocolInfo::new(p.clone())).collect();
        let runs: Vec<(&ProtocolInfo, &str)> = infos
            .iter()
            .zip(&summary.protocols)
            .map(|(i, r)| (i, r.id.as_str()))
            .collect();
        let (log, n) = ocel::export_all(&runs, &cl, *seed, *ocel_children);
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
                        runs.iter().map(|r| r.1).collect::<Vec<_>>().join(" and "),
                        log.events.len(),
                        log.objects.len()
                    );
                }
            }
            Err(e) => {
                eprintln!("{}: cannot write the event log: {}", path.display(), io_words(&e));
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

/// `stress --sweep`: every level, then the sweep's report (text, or JSON), and its files in `out`.
fn run_sweep(
    protocols: &[Arc<Protocol>],
    cl: &LoadedCaseload,
    opts: &StressOptions,
    spec: &SweepSpec,
    out: Option<&Path>,
    json: bool,
    until_clear: Option<u64>,
) -> ExitCode {
    let mut opts = opts.clone();
    let summary = loop {
        let bar = progress(sweep::total_days(protocols.len(), cl, &opts, spec), json);
        let tick = || bar.inc(1);
        let result = sweep::run(protocols, cl, &opts, spec, &tick);
        bar.finish_and_clear();
        let summary = match result {
            Ok(s) => s,
            Err(why) => return usage_error("--sweep", &why),
        };
        // --until-clear: twice the replications while an answer rests on noise, up to MAX.
        let Some(max) = until_clear else {
            break summary;
        };
        if summary.enough.iter().all(|e| e.clear) || opts.replications >= max {
            if !json {
                let clear = summary.enough.iter().all(|e| e.clear);
                eprintln!(
                    "--until-clear: {} replications{}",
                    opts.replications,
                    if clear {
                        ": every answer is clear"
                    } else {
                        ": the most allowed; an answer still rests on noise"
                    }
                );
            }
            break summary;
        }
        opts.replications = (opts.replications * 2).min(max);
        if !json {
            eprintln!(
                "--until-clear: an answer rests on noise; running again with {} replications",
                opts.replications
            );
        }
    };
    if let Some(dir) = out {
        match sweep::write_all(&summary, dir) {
            Ok(files) => {
                if !json {
                    for f in files {
                        eprintln!("wrote {}", f.display());
                    }
                }
            }
            Err(e) => {
                eprintln!("{}: cannot write the report: {}", dir.display(), io_words(&e));
                return ExitCode::from(1);
            }
        }
    }
    if json {
        print_json(&summary);
    } else {
        print!("{}", sweep::to_text(&summary));
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
    let path = crate::paths::caseloads_dir().join(name);
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
    if let Err(code) = check_threads(Some(*threads), "") {
        return code;
    }
    if let Err(code) = check_replications(*replications, 0) {
        return code;
    }
    for n in children {
        if let Err(code) = check_children("--children", Some(*n)) {
            return code;
        }
    }
    let protocols: Vec<Arc<Protocol>> = match load_protocols(&[("--protocol", protocol)]) {
        Ok(p) => p.into_iter().map(|(p, _)| p).collect(),
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
    // The largest size, on one thread, must fit in memory (checked before anything runs).
    if let Some(&largest) = sizes.last() {
        let mut one = StressOptions {
            replications: 1,
            seed: 1,
            threads: Some(1),
        };
        if let Err(code) = fit_in_memory(&national.clone().with_children(largest), 1, &mut one) {
            return code;
        }
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
