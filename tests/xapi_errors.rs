//! An LRS that answers with errors (401, 500) or not at all: the trainee's run still ends at
//! once with its debrief, the message says what went wrong in words, and every statement waits
//! in the records folder for `safe-return records send`.

mod xapi_support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use xapi_support::*;

const SCENARIO: &str = "havering-care-residential";

/// Settings with short waits, so the test's LRS that never answers costs seconds, not minutes.
fn settings(dir: &Scratch, tries: u32) -> String {
    std::fs::write(
        dir.path("lr.ron"),
        format!("LearningRecords(\n    username: \"{USER}\",\n    password: \"{PASSWORD}\",\n    timeout_seconds: 1,\n    tries: {tries},\n)\n"),
    )
    .unwrap();
    dir.s("lr.ron")
}

fn run_to(dir: &Scratch, lrs: &FakeLrs, cfg: &str) -> (i32, String, String) {
    let endpoint = lrs.endpoint();
    let records = dir.s("records");
    let out = run_in(
        dir,
        &[
            "run",
            SCENARIO,
            "--lrs",
            &endpoint,
            "--lrs-config",
            cfg,
            "--records-dir",
            &records,
            "--registration",
            REG_A,
        ],
        &[],
    );
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

fn status(dir: &Scratch) -> serde_json::Value {
    let records = dir.s("records");
    let out = run_in(dir, &["records", "status", "--records-dir", &records, "--json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn refused_credentials_are_named_and_the_statements_wait() {
    let dir = Scratch::new("401");
    let lrs = FakeLrs::start(Answer::Status(401));
    let cfg = settings(&dir, 3);
    let (code, out, err) = run_to(&dir, &lrs, &cfg);
    assert_eq!(code, 0, "the trainee's run succeeds: {err}");
    assert!(out.contains("Score:"), "the debrief is printed: {out}");
    assert!(err.contains("refused the credentials (HTTP 401)"), "{err}");
    assert!(err.contains("lr.ron"), "says where the credentials are: {err}");
    assert!(err.contains("records send"), "{err}");
    // Credentials are not worth trying again.
    assert_eq!(lrs.requests.load(Ordering::SeqCst), 1);
    let s = status(&dir);
    assert_eq!(s["batches"], 1);
    assert!(s["statements"].as_u64().unwrap() > 10);
    assert_eq!(s["endpoints"][0], lrs.endpoint());
    assert!(s["last_error"].as_str().unwrap().contains("HTTP 401"));
    assert_eq!(s["oldest"], "2026-01-01T10:00:00.000Z");

    // `records send` says so too, exits 1, and keeps them.
    let records = dir.s("records");
    let out = run_in(
        &dir,
        &["records", "send", "--records-dir", &records, "--lrs-config", &cfg],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("refused the credentials") && err.contains("still wait; nothing was lost"),
        "{err}"
    );
    assert_eq!(status(&dir)["statements"], s["statements"]);
    // And the text status names the error.
    let out = run_in(&dir, &["records", "status", "--records-dir", &records], &[]);
    let t = text(&out.stdout);
    assert!(
        t.contains(&format!("Waiting: {} statements from 1 sessions", s["statements"])),
        "{t}"
    );
    assert!(t.contains("Last error (2026-01-01T10:00:00.000Z): the LRS at"), "{t}");
}

#[test]
fn a_failing_lrs_is_tried_again_then_left_for_later() {
    let dir = Scratch::new("500");
    let lrs = FakeLrs::start(Answer::Status(500));
    let cfg = settings(&dir, 3);
    let (code, _, err) = run_to(&dir, &lrs, &cfg);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("failed (HTTP 500): {\"detail\":\"fake LRS says 500\"} (3 tries)"),
        "{err}"
    );
    assert_eq!(lrs.requests.load(Ordering::SeqCst), 3);
    assert_eq!(status(&dir)["batches"], 1);
}

#[test]
fn an_lrs_that_does_not_answer_costs_its_time_limit_and_nothing_else() {
    let dir = Scratch::new("timeout");
    let lrs = FakeLrs::start(Answer::Silent(Duration::from_secs(30)));
    let cfg = settings(&dir, 2);
    let (code, out, err) = run_to(&dir, &lrs, &cfg);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Score:"));
    assert!(err.contains("did not answer within 1 s (2 tries)"), "{err}");
    assert_eq!(status(&dir)["batches"], 1);
    // Nothing at all listening: in words too.
    let port = free_port();
    let records = dir.s("records");
    let to = format!("http://127.0.0.1:{port}/xAPI/");
    let out = run_in(
        &dir,
        &[
            "records",
            "send",
            "--records-dir",
            &records,
            "--lrs-config",
            &cfg,
            "--lrs",
            &to,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot connect to the LRS at"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(status(&dir)["batches"], 1);
}

#[test]
fn an_empty_queue_has_nothing_to_send() {
    let dir = Scratch::new("empty");
    let records = dir.s("records");
    let out = run_in(&dir, &["records", "send", "--records-dir", &records], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("Nothing waits in"));
    let out = run_in(&dir, &["records", "status", "--records-dir", &records], &[]);
    assert!(text(&out.stdout).contains("Nothing waits to be sent."));
    // A batch file someone broke is named and left alone.
    std::fs::create_dir_all(dir.path("records/queue")).unwrap();
    std::fs::write(dir.path("records/queue/x.json"), "{\n  \"endpoint\": 3\n}").unwrap();
    let out = run_in(&dir, &["records", "status", "--records-dir", &records], &[]);
    let t = text(&out.stdout);
    assert!(
        t.contains("Cannot read (left in place):") && t.contains("x.json:2:"),
        "{t}"
    );
    let out = run_in(&dir, &["records", "send", "--records-dir", &records], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(dir.path("records/queue/x.json").exists());
}
