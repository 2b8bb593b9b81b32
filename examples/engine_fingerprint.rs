//! A fingerprint of everything a user can see from the engine: run it before and after a change
//! that must not change behaviour (an optimisation, the engine split into modules), and diff.
//!
//! ```text
//! cargo run --release --no-default-features --example engine_fingerprint > /tmp/before.txt
//! # … the change …
//! cargo run --release --no-default-features --example engine_fingerprint > /tmp/after.txt
//! diff /tmp/before.txt /tmp/after.txt && echo unchanged
//! ```
//!
//! It prints only what the command line writes, made through the same library functions, so it
//! does not depend on the engine's internals:
//! - every `scenarios/*/` played with each decision script beside `scenario.ron` (and with no
//!   decisions): the report as `run --json` prints it and the Markdown debrief (`run --markdown`),
//!   and the reference decisions `scenario by-the-book` derives;
//! - stress runs of the five protocols on three shipped caseloads (`borough-2000`, `stretched-rhi`,
//!   `stretched-meetings`) made small as `--children 1000 --days 180 --replications 3` would,
//!   and one two-protocol comparison (`--compare`): the summary JSON (`stress --json`), the text
//!   report, and a digest of each file `--out` writes (their figures are the JSON's). Each runs
//!   with 1 and then 2 threads: the 1-thread output is printed, then both outputs' digests and
//!   whether they are byte-identical (`1 and 2 threads: identical`, or `DIFFERENT`);
//! - a staffing sweep (`stress --sweep rhi_worker=1,3`) the same way;
//! - an OCEL 2.0 event log (`stress --ocel --ocel-children 40`): its size and a digest of its
//!   bytes (it is megabytes), and counts by object and event type.
//!
//! Each part starts with a line `== kind name`, so a diff shows where a change is. Measurements
//! of the run itself (wall time, events per second, peak memory, threads) are set to zero before
//! printing, and the caseload's file is named relative to the project folder: the output is the
//! same on every machine and every run (`cmp` two runs). A release build runs it in seconds and
//! prints some 7 MB.
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use safe_return::caseload::stress::{self, ProtocolInfo, RunInfo, StressOptions, Summary};
use safe_return::caseload::sweep::{self, SweepSpec, SweepSummary};
use safe_return::caseload::{self, LoadedCaseload, ocel, report};
use safe_return::protocol::{Protocol, load_protocol};
use safe_return::scenario::{Decisions, load_decisions, load_scenario, run};
use safe_return::{paths, scoring};

/// The protocols stress runs use: all five.
const PROTOCOLS: [&str; 5] = [
    "havering-2023-05",
    "havering-2023-10",
    "haringey-2021",
    "bromley-2020",
    "west-mercia-2014",
];
/// The shipped caseloads, made small: children, days and replications per run.
const CASELOADS: [&str; 3] = ["borough-2000.ron", "stretched-rhi.ron", "stretched-meetings.ron"];
const CHILDREN: u64 = 1000;
const DAYS: u64 = 180;
const REPLICATIONS: u64 = 3;
const SEED: u64 = 1;
/// Children in the event log.
const OCEL_CHILDREN: usize = 40;

/// A 64-bit FNV-1a digest: every step is a bijection of the state, so changing any one byte
/// changes it (and a chance collision elsewhere is one in 2⁶⁴).
fn digest(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x} ({} bytes)", bytes.len())
}

/// `print_json`'s format: pretty JSON and a newline.
fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).expect("serialisable") + "\n"
}

fn protocol(id: &str) -> Arc<Protocol> {
    let f = paths::protocol_file(id).unwrap_or_else(|e| panic!("{e}"));
    Arc::new(load_protocol(&f).unwrap_or_else(|d| panic!("{d}")).protocol)
}

fn shipped_caseload(name: &str, protocols: &[Arc<Protocol>]) -> LoadedCaseload {
    let refs: Vec<&Protocol> = protocols.iter().map(|p| &**p).collect();
    let path = paths::root().join("assets").join("caseloads").join(name);
    caseload::load_caseload(&path, &refs)
        .unwrap_or_else(|d| panic!("{d}"))
        .with_children(CHILDREN)
        .with_days(DAYS)
}

fn opts(threads: usize) -> StressOptions {
    StressOptions {
        replications: REPLICATIONS,
        seed: SEED,
        threads: Some(threads),
    }
}

/// What differs between runs and machines, made the same: the run's measurements, and the
/// caseload file's folder.
fn steady_run() -> RunInfo {
    RunInfo {
        wall_seconds: 0.0,
        peak_rss_bytes: None,
        threads: 0,
        events_per_second: 0.0,
    }
}

fn steady_file(file: &mut Option<String>) {
    if let Some(f) = file {
        let name = Path::new(f).file_name().map(|n| n.to_string_lossy().into_owned());
        *file = name.map(|n| format!("assets/caseloads/{n}"));
    }
}

/// The files `--out` writes, in the order written, as digests (their figures are the JSON's).
fn out_files(dir: &Path, write: impl FnOnce(&Path) -> std::io::Result<Vec<PathBuf>>) -> String {
    let _ = std::fs::remove_dir_all(dir);
    let files = write(dir).expect("writes the report files");
    let mut o = String::new();
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&f).expect("reads back");
        writeln!(o, "-- file {name}: {}", digest(&bytes)).unwrap();
    }
    let _ = std::fs::remove_dir_all(dir);
    o
}

fn render_stress(mut s: Summary, dir: &Path) -> String {
    s.run = steady_run();
    steady_file(&mut s.caseload.file);
    let mut o = format!("-- json\n{}-- text\n{}", json(&s), report::to_text(&s));
    o += &out_files(dir, |d| report::write_all(&s, d));
    o
}

fn render_sweep(mut s: SweepSummary, dir: &Path) -> String {
    s.run = steady_run();
    steady_file(&mut s.caseload.file);
    let mut o = format!("-- json\n{}-- text\n{}", json(&s), sweep::to_text(&s));
    o += &out_files(dir, |d| sweep::write_all(&s, d));
    o
}

/// The 1-thread output in full, then whether 2 threads give the same bytes.
fn one_and_two_threads(out: &mut String, heading: &str, run: impl Fn(usize) -> String) {
    let one = run(1);
    let two = run(2);
    writeln!(out, "== {heading}").unwrap();
    out.push_str(&one);
    writeln!(out, "== {heading}: threads").unwrap();
    writeln!(out, "1 thread: {}", digest(one.as_bytes())).unwrap();
    writeln!(out, "2 threads: {}", digest(two.as_bytes())).unwrap();
    let same = if one == two { "identical" } else { "DIFFERENT" };
    writeln!(out, "1 and 2 threads: {same}").unwrap();
}

fn scenarios(out: &mut String) {
    for file in paths::all_scenarios() {
        let sc = load_scenario(&file).unwrap_or_else(|d| panic!("{d}"));
        let mut scripts: Vec<PathBuf> = std::fs::read_dir(sc.dir())
            .expect("scenario folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "ron") && !p.ends_with("scenario.ron"))
            .collect();
        scripts.sort();
        let mut runs: Vec<(String, Decisions)> = vec![("no-decisions".into(), Decisions::default())];
        for p in &scripts {
            let name = p
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            runs.push((name, load_decisions(p, &sc).unwrap_or_else(|d| panic!("{d}"))));
        }
        for (name, d) in &runs {
            let r: scoring::Report = run::run(&sc, d, SEED);
            writeln!(out, "== scenario-json {}/{name}\n{}", sc.id, json(&r)).unwrap();
            writeln!(out, "== scenario-markdown {}/{name}\n{}", sc.id, r.to_markdown()).unwrap();
        }
        let derived = run::by_the_book(&sc, SEED).to_ron();
        writeln!(out, "== scenario-by-the-book-derived {}\n{derived}", sc.id).unwrap();
    }
}

fn stress_runs(out: &mut String, tmp: &Path) {
    for id in PROTOCOLS {
        let protocols = vec![protocol(id)];
        for name in CASELOADS {
            let cl = shipped_caseload(name, &protocols);
            let heading = format!(
                "stress {id} on {name} ({CHILDREN} children, {DAYS} days, {REPLICATIONS} replications, seed {SEED})"
            );
            one_and_two_threads(out, &heading, |t| {
                render_stress(stress::run(&protocols, &cl, &opts(t), &|| {}), tmp)
            });
        }
    }
    let protocols = vec![protocol("havering-2023-05"), protocol("havering-2023-10")];
    let name = CASELOADS[0];
    let cl = shipped_caseload(name, &protocols);
    let heading = format!("stress-compare havering-2023-05 and havering-2023-10 on {name}");
    one_and_two_threads(out, &heading, |t| {
        render_stress(stress::run(&protocols, &cl, &opts(t), &|| {}), tmp)
    });
}

fn sweep_run(out: &mut String, tmp: &Path) {
    let protocols = vec![protocol("havering-2023-10"), protocol("bromley-2020")];
    let name = CASELOADS[0];
    let cl = shipped_caseload(name, &protocols);
    let spec = SweepSpec::parse("rhi_worker=1,3", 0.95).expect("a sweep");
    let heading = format!("sweep rhi_worker=1,3 of havering-2023-10 and bromley-2020 on {name}");
    one_and_two_threads(out, &heading, |t| {
        let s = sweep::run(&protocols, &cl, &opts(t), &spec, &|| {}).expect("the sweep runs");
        render_sweep(s, tmp)
    });
}

fn ocel_log(out: &mut String) {
    let p = protocol("havering-2023-10");
    let name = CASELOADS[1];
    let cl = shipped_caseload(name, std::slice::from_ref(&p));
    let (log, n) = ocel::export(&ProtocolInfo::new(p.clone()), &cl, SEED, OCEL_CHILDREN);
    // As `stress --ocel` writes it: compact JSON.
    let text = serde_json::to_string(&log).expect("serialisable");
    writeln!(
        out,
        "== ocel havering-2023-10 on {name} (first {OCEL_CHILDREN} children)"
    )
    .unwrap();
    // Digests of the parts too, so a diff says which part changed.
    writeln!(out, "children: {n}").unwrap();
    writeln!(out, "log: {}", digest(text.as_bytes())).unwrap();
    writeln!(
        out,
        "objects: {}, {}",
        log.objects.len(),
        digest(serde_json::to_string(&log.objects).expect("serialisable").as_bytes())
    )
    .unwrap();
    writeln!(
        out,
        "events: {}, {}",
        log.events.len(),
        digest(serde_json::to_string(&log.events).expect("serialisable").as_bytes())
    )
    .unwrap();
    let mut kinds: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for o in &log.objects {
        *kinds.entry(("object", &o.kind)).or_default() += 1;
    }
    for e in &log.events {
        *kinds.entry(("event", &e.kind)).or_default() += 1;
    }
    for ((what, kind), count) in kinds {
        writeln!(out, "{what} {kind}: {count}").unwrap();
    }
}

fn main() {
    let tmp = std::env::temp_dir().join(format!("engine-fingerprint-{}", std::process::id()));
    let mut out = String::new();
    scenarios(&mut out);
    stress_runs(&mut out, &tmp);
    sweep_run(&mut out, &tmp);
    ocel_log(&mut out);
    print!("{out}");
}
