//! Corpora of bad scenarios and bad decision scripts: what a run would refuse or choke on is
//! refused by validation first, at `file:line:col: field: message`, with exit status 2.
//!
//! - `tests/bad_scenarios/NAME.ron` has exactly one defect; `NAME.expected` holds the exact
//!   stderr of `safe-return scenario validate tests/bad_scenarios/NAME.ron` (run from the crate
//!   root). `valid_base.ron.ok` is the valid scenario every case is derived from; every `.ron.ok`
//!   there validates.
//! - `tests/bad_decisions/NAME.ron` is a decision script for that scenario with one defect;
//!   `NAME.expected` holds the exact stderr of `safe-return run
//!   tests/bad_scenarios/valid_base.ron.ok --decisions tests/bad_decisions/NAME.ron`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{ROOT, bin, scratch};

const SCENARIOS: &str = "tests/bad_scenarios";
const DECISIONS: &str = "tests/bad_decisions";
const BASE: &str = "tests/bad_scenarios/valid_base.ron.ok";

/// Relative paths (`DIR/NAME.ron`) of every case in `dir`, sorted.
fn cases(dir: &str) -> Vec<String> {
    let full = Path::new(ROOT).join(dir);
    let mut out: Vec<String> = fs::read_dir(&full)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", full.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_str().expect("UTF-8 file name")))
        .collect();
    out.sort();
    out
}

fn trim_lines(s: &str) -> String {
    s.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

/// Run each case and compare exit status 2 and stderr with `NAME.expected`.
fn check_corpus(dir: &str, run: impl Fn(&str) -> Output) {
    let mut failures = Vec::new();
    for rel in cases(dir) {
        let expected_path: PathBuf = Path::new(ROOT).join(rel.trim_end_matches(".ron").to_string() + ".expected");
        let expected = match fs::read_to_string(&expected_path) {
            Ok(s) => trim_lines(&s),
            Err(e) => {
                failures.push(format!("{rel}: cannot read {}: {e}", expected_path.display()));
                continue;
            }
        };
        let out = run(&rel);
        let stderr = trim_lines(&String::from_utf8_lossy(&out.stderr));
        if out.status.code() != Some(2) {
            failures.push(format!(
                "{rel}: expected exit code 2, got {:?}\n  stderr: {stderr}",
                out.status.code()
            ));
        } else if stderr != expected {
            failures.push(format!(
                "{rel}: stderr differs\n  expected:\n{expected}\n  actual:\n{stderr}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn validate(rel: &str) -> Output {
    bin(&["scenario", "validate", rel])
}

fn run_with(decisions: &str) -> Output {
    bin(&["run", BASE, "--decisions", decisions])
}

#[test]
fn corpora_are_large_enough() {
    let n = cases(SCENARIOS).len();
    assert!(n >= 15, "expected at least 15 bad scenario cases, found {n}");
    let n = cases(DECISIONS).len();
    assert!(n >= 10, "expected at least 10 bad decision-script cases, found {n}");
}

#[test]
fn every_bad_scenario_fails_validation_with_expected_stderr() {
    check_corpus(SCENARIOS, validate);
}

#[test]
fn every_bad_decision_script_is_refused_by_run_with_expected_stderr() {
    check_corpus(DECISIONS, run_with);
}

#[test]
fn the_valid_scenarios_validate_and_run() {
    for rel in [BASE, "tests/bad_scenarios/born_after_2100.ron.ok"] {
        let out = validate(rel);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{rel} should validate\n  stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = bin(&["run", rel, "--decisions", "tests/bad_decisions/valid_base.ron.ok"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{rel} should run with the valid script\n  stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("Score:"));
    }
}

/// `scenario validate` checks the decision scripts beside a scenario too: a bad tool answer in
/// `flawed.ron` fails it, at the answer's place.
#[test]
fn scenario_validate_checks_the_scripts_beside_it() {
    let dir = scratch("bad-scripts-beside");
    fs::create_dir_all(&dir).unwrap();
    fs::copy(Path::new(ROOT).join(BASE), dir.join("scenario.ron")).unwrap();
    let script = fs::read_to_string(Path::new(ROOT).join("tests/bad_decisions/score_not_allowed.ron")).unwrap();
    fs::write(dir.join("flawed.ron"), &script).unwrap();
    let out = bin(&["scenario", "validate", dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    let line = script.lines().position(|l| l.contains("(\"under_14\", 7)")).unwrap() + 1;
    assert!(
        stderr.contains(&format!("flawed.ron:{line}:")) && stderr.contains("item `under_14` scores 3"),
        "expected the bad answer at line {line}:\n{stderr}"
    );
}
