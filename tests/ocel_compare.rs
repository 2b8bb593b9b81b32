//! The event log of a comparison (`stress --compare --ocel`), read as a process miner would:
//! both versions in one log, never mixed, and PM4Py's answer to a conformance question equal to
//! the tool's own figure.
//!
//! One run serves both tests: Havering May 2023 against October 2023 on 300 children of the
//! borough for 90 days from 1 April 2024 (no change of the clocks inside it: a span across one is
//! an hour longer or shorter in written instants than on the simulation's clock), one
//! replication, every child logged, so that the log holds the whole of what the summary counts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

mod common;
use common::{BIN, ROOT, scratch};

const VERSIONS: [&str; 2] = ["havering-2023-05", "havering-2023-10"];

/// The comparison's log and its summary, made once.
fn run() -> &'static (PathBuf, Value, Value) {
    static RUN: OnceLock<(PathBuf, Value, Value)> = OnceLock::new();
    RUN.get_or_init(|| {
        let file = scratch("ocel-compare.json");
        let out = Command::new(BIN)
            .args([
                "stress",
                "--protocol",
                VERSIONS[0],
                "--compare",
                VERSIONS[1],
                "--caseload",
                "borough-2000",
                "--children",
                "300",
                "--days",
                "90",
                "--replications",
                "1",
                "--threads",
                "1",
                "--json",
                "--ocel",
                file.to_str().unwrap(),
                "--ocel-children",
                "300",
            ])
            .current_dir(ROOT)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
        let log: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        (file, log, summary)
    })
}

/// The summary's figures for one rule under one protocol: (fired, met, late, missed).
fn figures(summary: &Value, protocol: &str, rule: &str) -> (u64, u64, u64, u64) {
    let p = summary["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == protocol)
        .unwrap_or_else(|| panic!("{protocol} not in the summary"));
    let r = p["rules"].as_array().unwrap().iter().find(|r| r["id"] == rule).unwrap();
    let n = |k: &str| r[k]["mean"].as_f64().unwrap() as u64;
    (n("fired"), n("met"), n("late"), n("missed"))
}

/// The protocol an object belongs to, from its id (`duty:havering-2023-05/12`).
fn protocol_of(id: &str) -> &str {
    let (_, rest) = id.split_once(':').unwrap_or_else(|| panic!("{id} has no type"));
    rest.split('/').next().unwrap()
}

#[test]
fn both_versions_are_in_the_log_and_never_mix() {
    let (_, log, summary) = run();
    let objects: HashMap<&str, &Value> = log["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["id"].as_str().unwrap(), o))
        .collect();
    // Every object is one version's; the same 300 children under each.
    let mut children: HashMap<&str, usize> = HashMap::new();
    let mut duties: HashMap<(&str, &str), u64> = HashMap::new();
    for (id, o) in &objects {
        let p = protocol_of(id);
        assert!(VERSIONS.contains(&p), "{id}");
        if o["type"] == "child" {
            *children.entry(p).or_default() += 1;
        }
        if o["type"] == "obligation" {
            let rule = o["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["name"] == "rule")
                .unwrap();
            *duties.entry((p, rule["value"].as_str().unwrap())).or_default() += 1;
        }
        for r in o["relationships"].as_array().unwrap() {
            assert_eq!(
                protocol_of(r["objectId"].as_str().unwrap()),
                p,
                "{id} relates across versions"
            );
        }
    }
    assert_eq!(children[VERSIONS[0]], 300);
    assert_eq!(children[VERSIONS[1]], 300);
    assert!(
        objects.contains_key("child:havering-2023-05/C000001")
            && objects.contains_key("child:havering-2023-10/C000001")
    );
    // Every event says its version, and relates only to that version's objects.
    let mut events: HashMap<&str, usize> = HashMap::new();
    for e in log["events"].as_array().unwrap() {
        let p = e["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "protocol")
            .unwrap_or_else(|| panic!("{} does not say its protocol", e["id"]))["value"]
            .as_str()
            .unwrap();
        *events.entry(p).or_default() += 1;
        for r in e["relationships"].as_array().unwrap() {
            assert_eq!(protocol_of(r["objectId"].as_str().unwrap()), p, "{}", e["id"]);
        }
    }
    assert!(events[VERSIONS[0]] > 1000 && events[VERSIONS[1]] > 1000, "{events:?}");
    // Each version's duties are its own run's: as many of each rule as the summary counts.
    for p in VERSIONS {
        let protocol = summary["protocols"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == p)
            .unwrap();
        for r in protocol["rules"].as_array().unwrap() {
            let id = r["id"].as_str().unwrap();
            let logged = duties.get(&(p, id)).copied().unwrap_or(0);
            assert_eq!(logged, r["fired"]["mean"].as_f64().unwrap() as u64, "{p} {id}");
        }
    }
    // The versions differ in their rules (October added some): the log shows it.
    assert!(
        duties
            .keys()
            .any(|(p, r)| *p == VERSIONS[1] && !duties.contains_key(&(VERSIONS[0], *r)))
    );
}

/// Whether this Python imports PM4Py.
fn has_pm4py(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import pm4py"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The Python that has PM4Py: `$SAFE_RETURN_PYTHON` (`.ci/run` sets it), else the virtual
/// environment `.ci/run` makes (`target/pm4py-venv`, or under `$CARGO_TARGET_DIR`), else
/// `python3` on the PATH. Missing in CI (`CI` or `SAFE_RETURN_PYTHON` set) is a failure with the
/// reason; missing elsewhere skips the test with a note saying how to run it.
fn python() -> Option<PathBuf> {
    let given = std::env::var_os("SAFE_RETURN_PYTHON")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let candidates: Vec<PathBuf> = match &given {
        Some(p) => vec![p.clone()],
        None => {
            let mut v = vec![Path::new(ROOT).join("target/pm4py-venv/bin/python3")];
            if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
                v.push(PathBuf::from(dir).join("pm4py-venv/bin/python3"));
            }
            if let Some(path) = std::env::var_os("PATH") {
                v.extend(std::env::split_paths(&path).map(|d| d.join("python3")));
            }
            v
        }
    };
    if let Some(p) = candidates.into_iter().find(|p| p.is_file() && has_pm4py(p)) {
        return Some(p);
    }
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty()) || given.is_some();
    let why = format!(
        "the process-mining test needs PM4Py: run .ci/run (it makes target/pm4py-venv with PM4Py \
         and sets SAFE_RETURN_PYTHON), or `python3 -m venv target/pm4py-venv && \
         target/pm4py-venv/bin/pip install pm4py`; no Python with PM4Py found{}",
        given
            .map(|g| format!(" at SAFE_RETURN_PYTHON={}", g.display()))
            .unwrap_or_default()
    );
    if in_ci {
        panic!("{why}");
    }
    eprintln!("SKIPPED: {why}");
    None
}

#[test]
fn pm4py_reads_the_log_and_finds_the_tools_share_of_interviews_offered_within_72_hours() {
    let Some(python) = python() else {
        return;
    };
    let (file, _, summary) = run();
    let rule = "hv.rhi.offer-72h";
    let out = Command::new(&python)
        .args([
            &format!("{ROOT}/tests/ocel_pm4py.py"),
            file.to_str().unwrap(),
            rule,
            "72",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let answer: Value =
        serde_json::from_str(stdout.lines().last().unwrap()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    for p in VERSIONS {
        let a = &answer[p];
        let (fired, met, late, missed) = figures(summary, p, rule);
        let n = |k: &str| a[k].as_u64().unwrap_or_else(|| panic!("{p} {k}: {a}"));
        // PM4Py's answer, timed from the events, is the tool's figure.
        assert_eq!(n("fell_due"), met + late + missed, "{p}: {a}");
        assert_eq!(n("within"), met, "{p}: {a}");
        assert!(
            met > 50 && late > 0,
            "{p}: {met} met, {late} late: the question is not exercised"
        );
        // The objects table PM4Py builds shows each duty's final status, not "open" for all.
        let table = &a["table"];
        assert_eq!(table["met"].as_u64(), Some(met), "{p}: {a}");
        assert_eq!(table["late"].as_u64(), Some(late), "{p}: {a}");
        assert_eq!(table["missed"].as_u64(), Some(missed), "{p}: {a}");
        assert!(table["open"].as_u64().unwrap() < fired / 10, "{p}: {a}");
        assert_eq!(n("no_episode"), 0, "{p}: a duty of {rule} with no episode");
    }
}
