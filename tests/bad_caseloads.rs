//! Corpus of bad caseloads: each `tests/bad_caseloads/NAME.ron` has exactly one defect and
//! `NAME.expected` holds the exact stderr of `safe-return stress --protocol havering-2023-10
//! --caseload tests/bad_caseloads/NAME.ron` (run from the crate root): refused before the run,
//! with exit status 2 and the allowed range. `valid_late_century.ron.ok` runs.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_safe-return");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

const DIR: &str = "tests/bad_caseloads";

fn stress(caseload: &str, extra: &[&str]) -> Output {
    Command::new(BIN)
        .args(["stress", "--protocol", "havering-2023-10", "--caseload", caseload])
        .args(extra)
        .current_dir(ROOT)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"))
}

fn trim_lines(s: &str) -> String {
    s.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

#[test]
fn every_bad_caseload_is_refused_with_expected_stderr() {
    let mut cases: Vec<String> = fs::read_dir(Path::new(ROOT).join(DIR))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| format!("{DIR}/{}", p.file_name().unwrap().to_str().unwrap()))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 7,
        "expected at least 7 bad caseloads, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for rel in cases {
        let expected_path = Path::new(ROOT).join(rel.trim_end_matches(".ron").to_string() + ".expected");
        let expected = trim_lines(&fs::read_to_string(&expected_path).unwrap_or_default());
        // A tiny run, should a case be let through by mistake.
        let out = stress(&rel, &["--replications", "1"]);
        let stderr = trim_lines(&String::from_utf8_lossy(&out.stderr));
        if out.status.code() != Some(2) || stderr != expected {
            failures.push(format!(
                "{rel}: exit {:?}\n  expected:\n{expected}\n  actual:\n{stderr}",
                out.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_caseload_starting_late_in_the_allowed_range_runs() {
    let out = stress(
        &format!("{DIR}/valid_late_century.ron.ok"),
        &["--replications", "1", "--children", "50", "--days", "7"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
