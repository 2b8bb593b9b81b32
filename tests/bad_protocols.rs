//! Corpus of bad protocol files: each `tests/bad_protocols/NAME.ron` has exactly one defect and
//! `NAME.expected` holds the exact stderr of `safe-return protocol validate tests/bad_protocols/NAME.ron`
//! (run from the crate root). `valid_base.ron.ok` is the valid protocol every case is derived from.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_safe-return");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const DIR: &str = "tests/bad_protocols";

fn validate(rel: &str) -> Output {
    Command::new(BIN)
        .args(["protocol", "validate", rel])
        .current_dir(ROOT)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"))
}

/// Relative paths (`tests/bad_protocols/NAME.ron`) of every case, sorted.
fn cases() -> Vec<String> {
    let dir = Path::new(ROOT).join(DIR);
    let mut out: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| {
            let name = p.file_name().unwrap().to_str().expect("UTF-8 file name");
            format!("{DIR}/{name}")
        })
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

#[test]
fn corpus_is_large_enough() {
    let n = cases().len();
    assert!(n >= 20, "expected at least 20 bad protocol cases, found {n}");
}

#[test]
fn every_bad_protocol_fails_with_expected_stderr() {
    let mut failures = Vec::new();
    for rel in cases() {
        let expected_path: PathBuf = Path::new(ROOT).join(rel.trim_end_matches(".ron").to_string() + ".expected");
        let expected = match fs::read_to_string(&expected_path) {
            Ok(s) => trim_lines(&s),
            Err(e) => {
                failures.push(format!("{rel}: cannot read {}: {e}", expected_path.display()));
                continue;
            }
        };
        let out = validate(&rel);
        let stderr = trim_lines(&String::from_utf8_lossy(&out.stderr));
        if out.status.code() != Some(2) {
            failures.push(format!(
                "{rel}: expected exit code 2, got {:?}\n  stderr: {stderr}",
                out.status.code()
            ));
            continue;
        }
        if stderr != expected {
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

#[test]
fn valid_base_validates() {
    let rel = format!("{DIR}/valid_base.ron.ok");
    let out = validate(&rel);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{rel} should validate cleanly\n  stdout: {}\n  stderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        trim_lines(&String::from_utf8_lossy(&out.stderr)).is_empty(),
        "{rel}: unexpected stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
