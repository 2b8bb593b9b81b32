//! Learning records against a real LRS: Ralph (`ralph runserver -b fs`, credentials made with
//! `ralph auth`) on a free loopback port. Statements posted are read back whole; the LRS stopped
//! mid-session and started again loses nothing and duplicates nothing; the cohort read from the
//! LRS is the cohort read from the same statements on disk.
//!
//! Needs `ralph` (see `ralph()`): missing in CI is a failure; elsewhere the tests say they skip.

mod xapi_support;

use std::collections::BTreeSet;

use serde_json::Value;
use xapi_support::*;

const SCENARIO: &str = "havering-care-residential";

fn ids(v: &[Value]) -> BTreeSet<String> {
    v.iter().map(|s| s["id"].as_str().unwrap().to_string()).collect()
}

/// Run a session to the LRS (and to a file), with the credentials from the environment.
fn session(dir: &Scratch, lrs: &str, reg: &str, trainee: &str, script: &str, file: &str) -> (i32, String) {
    let records = dir.s("records");
    let decisions = format!("{ROOT}/scenarios/{SCENARIO}/{script}");
    let x = dir.s(file);
    let out = run_in(
        dir,
        &[
            "run",
            SCENARIO,
            "--decisions",
            &decisions,
            "--lrs",
            lrs,
            "--xapi",
            &x,
            "--records-dir",
            &records,
            "--registration",
            reg,
            "--trainee",
            trainee,
        ],
        &[
            ("SAFE_RETURN_LRS_USERNAME", USER),
            ("SAFE_RETURN_LRS_PASSWORD", PASSWORD),
        ],
    );
    (out.status.code().unwrap_or(-1), text(&out.stderr))
}

#[test]
fn statements_posted_are_read_back_whole_and_the_cohort_agrees() {
    let Some(exe) = ralph() else { return };
    // Small pages: reading back follows `more` links.
    let lrs = Ralph::start(exe, 20);
    let dir = Scratch::new("lrs-read");
    let (code, err) = session(&dir, &lrs.endpoint(), REG_A, "T-07", "flawed.ron", "a.jsonl");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("statements sent to"), "{err}");
    let (code, err) = session(&dir, &lrs.endpoint(), REG_B, "T-08", "by-the-book.ron", "b.jsonl");
    assert_eq!(code, 0, "{err}");
    let mut written = lines(&dir.path("a.jsonl"));
    written.extend(lines(&dir.path("b.jsonl")));
    assert!(written.len() > 40, "more than two pages");

    let stored = lrs.statements();
    assert_eq!(stored.len(), written.len());
    assert_eq!(ids(&stored), ids(&written));
    for s in &stored {
        let problems = safe_return::records::validate::statement(s);
        assert!(problems.is_empty(), "{problems:?}");
        let mine = written.iter().find(|w| w["id"] == s["id"]).unwrap();
        for k in ["actor", "verb", "object", "result", "context", "timestamp"] {
            assert_eq!(s.get(k), mine.get(k), "{k} of {}", s["id"]);
        }
    }
    // The queue is empty once the LRS has them.
    let records = dir.s("records");
    let out = run_in(&dir, &["records", "status", "--records-dir", &records, "--json"], &[]);
    let st: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(st["batches"], 0);
    assert!(st["last_error"].is_null());

    // The cohort from the LRS is the cohort from the files.
    std::fs::create_dir_all(dir.path("files")).unwrap();
    let mut all = std::fs::read_to_string(dir.path("a.jsonl")).unwrap();
    all += &std::fs::read_to_string(dir.path("b.jsonl")).unwrap();
    std::fs::write(dir.path("all.jsonl"), all).unwrap();
    let env = [
        ("SAFE_RETURN_LRS_USERNAME", USER),
        ("SAFE_RETURN_LRS_PASSWORD", PASSWORD),
    ];
    let from_lrs = run_in(&dir, &["cohort", &lrs.endpoint(), "--csv"], &env);
    assert_eq!(from_lrs.status.code(), Some(0), "{}", text(&from_lrs.stderr));
    let from_file = run_in(&dir, &["cohort", &dir.s("all.jsonl"), "--csv"], &[]);
    assert_eq!(from_file.status.code(), Some(0), "{}", text(&from_file.stderr));
    assert_eq!(text(&from_lrs.stdout), text(&from_file.stdout));
    let t = text(&run_in(&dir, &["cohort", &lrs.endpoint()], &env).stdout);
    assert!(t.starts_with("Cohort: 2 attempts by 2 trainees"), "{t}");

    // Wrong credentials: refused in words.
    let bad = run_in(
        &dir,
        &["cohort", &lrs.endpoint()],
        &[
            ("SAFE_RETURN_LRS_USERNAME", USER),
            ("SAFE_RETURN_LRS_PASSWORD", "wrong"),
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("refused the credentials (HTTP 401)"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn an_lrs_stopped_mid_run_and_restarted_loses_nothing_and_duplicates_nothing() {
    let Some(exe) = ralph() else { return };
    let mut lrs = Ralph::start(exe, 100);
    let dir = Scratch::new("lrs-restart");
    let (code, err) = session(&dir, &lrs.endpoint(), REG_A, "T-07", "flawed.ron", "a.jsonl");
    assert_eq!(code, 0, "{err}");
    let first = lrs.statements().len();

    // Down: the second session is played all the same, and waits.
    lrs.stop();
    let (code, err) = session(&dir, &lrs.endpoint(), REG_B, "T-08", "by-the-book.ron", "b.jsonl");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("cannot connect to the LRS") && err.contains("wait in"),
        "{err}"
    );
    let records = dir.s("records");
    let status = || -> Value {
        let out = run_in(&dir, &["records", "status", "--records-dir", &records, "--json"], &[]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let waiting = lines(&dir.path("b.jsonl")).len();
    assert_eq!(status()["statements"], waiting);

    // Up again: `records send` delivers them, once.
    lrs.restart();
    let env = [
        ("SAFE_RETURN_LRS_USERNAME", USER),
        ("SAFE_RETURN_LRS_PASSWORD", PASSWORD),
    ];
    let out = run_in(&dir, &["records", "send", "--records-dir", &records], &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("Sent {waiting} statements (1 sessions)")),
        "{}",
        text(&out.stdout)
    );
    let stored = lrs.statements();
    assert_eq!(stored.len(), first + waiting);
    assert_eq!(ids(&stored).len(), stored.len(), "no statement twice");
    assert_eq!(status()["batches"], 0);
    assert!(status()["last_error"].is_null(), "the error no longer stands");

    // The first session sent again (same registration, same clock): recorded once.
    let (code, err) = session(&dir, &lrs.endpoint(), REG_A, "T-07", "flawed.ron", "a2.jsonl");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("statements sent to"), "{err}");
    assert_eq!(lrs.statements().len(), first + waiting);
}
