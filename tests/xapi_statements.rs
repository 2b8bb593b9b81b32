//! Learning records as a trainer meets them: `run --xapi` writes one statement when the session
//! starts, one per decision, one per settled duty of the trainee's role and one on completion;
//! every statement keeps xAPI 1.0.3's rules; the same session gives the same statements; bad
//! flags are refused before anything runs.

mod xapi_support;

use serde_json::Value;
use xapi_support::*;

const SCENARIO: &str = "havering-care-residential";

/// The flawed script with a rationale and a form field on one decision.
fn decisions(dir: &Scratch) -> String {
    let text = std::fs::read_to_string(format!("{ROOT}/scenarios/{SCENARIO}/flawed.ron")).unwrap();
    let from = r#"(at_hours: 119.0, action: "offer_rhi")"#;
    assert!(text.contains(from), "flawed.ron changed: update this test");
    let text = text.replace(
        from,
        r#"(at_hours: 119.0, action: "offer_rhi", note: "she asked for a woman", fields: [("call_or_text", "text")])"#,
    );
    let path = dir.path("decisions.ron");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Run the scenario with `--json` and `--xapi`; the report and the statements.
fn play(dir: &Scratch, extra: &[&str]) -> (Value, Vec<Value>) {
    let d = decisions(dir);
    let out_file = dir.s("statements.jsonl");
    let mut args = vec![
        "run",
        SCENARIO,
        "--decisions",
        &d,
        "--json",
        "--xapi",
        &out_file,
        "--registration",
        REG_A,
    ];
    args.extend(extra);
    let out = run_in(dir, &args, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    (report, lines(&dir.path("statements.jsonl")))
}

fn ext<'a>(v: &'a Value, name: &str) -> &'a Value {
    &v[format!("https://safe-return.invalid/extensions/{name}")]
}

#[test]
fn a_session_makes_one_statement_per_event_and_each_keeps_xapis_rules() {
    let dir = Scratch::new("events");
    let (report, statements) = play(&dir, &["--trainee", "T-07"]);
    let duties = report["obligations"].as_array().unwrap();
    let n_decisions = std::fs::read_to_string(dir.path("decisions.ron"))
        .unwrap()
        .matches("at_hours:")
        .count();
    assert_eq!(statements.len(), 1 + n_decisions + duties.len() + 1);
    for s in &statements {
        let problems = safe_return::records::validate::statement(s);
        assert!(problems.is_empty(), "{problems:?}\n{s:#}");
        // The trainee is an account with the trainer's name for them, and nothing else.
        assert_eq!(
            s["actor"],
            serde_json::json!({"objectType": "Agent", "account": {"homePage": "https://safe-return.invalid/", "name": "T-07"}})
        );
        assert_eq!(s["context"]["registration"], REG_A);
        assert_eq!(s["timestamp"], "2026-01-01T10:00:00.000Z");
        assert_eq!(
            s["context"]["contextActivities"]["grouping"][0]["id"],
            "https://safe-return.invalid/protocols/havering-2023-10"
        );
    }
    let mut ids: Vec<&str> = statements.iter().map(|s| s["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), statements.len(), "statement ids are distinct");
    assert!(
        statements
            .iter()
            .all(|s| s["id"].as_str().unwrap().as_bytes()[14] == b'5'),
        "UUID v5 ids"
    );

    // First and last: the session starting and completing the scenario.
    let (first, last) = (&statements[0], statements.last().unwrap());
    assert_eq!(first["verb"]["id"], "http://adlnet.gov/expapi/verbs/initialized");
    assert_eq!(
        first["object"]["id"],
        format!("https://safe-return.invalid/scenarios/{SCENARIO}")
    );
    assert_eq!(last["verb"]["id"], "http://adlnet.gov/expapi/verbs/completed");
    assert_eq!(last["object"]["id"], first["object"]["id"]);
    let score = &report["score"];
    assert_eq!(last["result"]["score"]["raw"], score["earned"]);
    assert_eq!(last["result"]["score"]["max"], score["possible"]);
    assert_eq!(last["result"]["score"]["min"], 0.0);
    let pct = score["percent"].as_f64().unwrap();
    assert!((last["result"]["score"]["scaled"].as_f64().unwrap() - pct / 100.0).abs() < 1e-9);
    assert_eq!(last["result"]["success"], pct >= 80.0);
    assert_eq!(last["result"]["duration"], "PT0S");

    // The decision with a rationale and a form.
    let rhi = statements
        .iter()
        .find(|s| s["object"]["id"].as_str().unwrap().ends_with("/actions/offer_rhi"))
        .expect("the offer_rhi decision");
    assert_eq!(rhi["verb"]["id"], "http://adlnet.gov/expapi/verbs/interacted");
    assert_eq!(rhi["result"]["response"], "she asked for a woman");
    assert_eq!(
        ext(&rhi["result"]["extensions"], "fields"),
        &serde_json::json!({"call_or_text": "text"})
    );
    assert_eq!(ext(&rhi["context"]["extensions"], "simulated-hours"), 119.0);

    // One statement per duty, in the report's order, with its status, rule and citation.
    let duty_statements: Vec<&Value> = statements
        .iter()
        .filter(|s| !ext(&s["result"]["extensions"], "status").is_null())
        .collect();
    assert_eq!(duty_statements.len(), duties.len());
    for (s, d) in duty_statements.iter().zip(duties) {
        let rx = &s["result"]["extensions"];
        assert_eq!(ext(rx, "status"), &d["status"]);
        assert_eq!(ext(rx, "rule"), &d["rule"]);
        assert_eq!(ext(rx, "citation"), &d["citation"]);
        assert!(
            s["object"]["id"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/rules/{}", d["rule"].as_str().unwrap()))
        );
        let verb = match d["status"].as_str().unwrap() {
            "met" | "late" | "early" => "http://adlnet.gov/expapi/verbs/completed",
            "missed" | "wrongful" => "http://adlnet.gov/expapi/verbs/failed",
            _ => "https://w3id.org/xapi/adl/verbs/waived",
        };
        assert_eq!(s["verb"]["id"], verb, "{}", d["status"]);
        assert_eq!(
            s["result"]["success"].as_bool(),
            match d["status"].as_str().unwrap() {
                "met" => Some(true),
                "late" | "early" | "missed" | "wrongful" => Some(false),
                _ => None,
            }
        );
    }
    // The flawed script leaves some duties undone.
    assert!(duties.iter().any(|d| d["status"] == "missed" || d["status"] == "late"));
    // The debrief names the trainee too, for the cohort view.
    assert_eq!(report["trainee"], "T-07");
}

#[test]
fn the_same_session_gives_byte_identical_statements() {
    let a = Scratch::new("same-a");
    let b = Scratch::new("same-b");
    play(&a, &["--trainee", "T-07"]);
    play(&b, &["--trainee", "T-07"]);
    let read = |d: &Scratch| std::fs::read(d.path("statements.jsonl")).unwrap();
    assert_eq!(read(&a), read(&b));
    // Another registration: other ids, same content otherwise.
    let c = Scratch::new("same-c");
    let d = decisions(&c);
    let out = run_in(
        &c,
        &[
            "run",
            SCENARIO,
            "--decisions",
            &d,
            "--xapi",
            &c.s("s.jsonl"),
            "--registration",
            REG_B,
            "--trainee",
            "T-07",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let other = lines(&c.path("s.jsonl"));
    let first = lines(&a.path("statements.jsonl"));
    assert_eq!(other.len(), first.len());
    assert!(other.iter().zip(&first).all(|(x, y)| x["id"] != y["id"]));
}

#[test]
fn the_pass_mark_comes_from_the_trainer_then_the_scenario_then_80() {
    let dir = Scratch::new("pass");
    let (report, s) = play(&dir, &["--pass-mark", "95%"]);
    let pct = report["score"]["percent"].as_f64().unwrap();
    assert!(
        (80.0..95.0).contains(&pct),
        "the flawed script scores {pct}: update this test"
    );
    let last = s.last().unwrap();
    assert_eq!(last["result"]["success"], false);
    assert_eq!(ext(&last["result"]["extensions"], "pass-mark"), 95.0);
    let (_, s) = play(&dir, &[]);
    assert_eq!(s.last().unwrap()["result"]["success"], true);
    // Without --trainee: a pseudonym from the registration.
    assert_eq!(s[0]["actor"]["account"]["name"], "trainee-3f2504e0");

    // A scenario's own pass mark, when the trainer sets none.
    let sc_dir = dir.path("scenario");
    std::fs::create_dir_all(&sc_dir).unwrap();
    let original = std::fs::read_to_string(format!("{ROOT}/scenarios/{SCENARIO}/scenario.ron")).unwrap();
    let at = original.rfind(')').unwrap();
    let with_mark = format!("{}    pass_mark: 90,\n{}", &original[..at], &original[at..]);
    std::fs::write(sc_dir.join("scenario.ron"), &with_mark).unwrap();
    let d = decisions(&dir);
    let x = dir.s("own.jsonl");
    let sc = sc_dir.display().to_string();
    let out = run_in(&dir, &["run", &sc, "--decisions", &d, "--xapi", &x], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let last = lines(&dir.path("own.jsonl")).pop().unwrap();
    assert_eq!(ext(&last["result"]["extensions"], "pass-mark"), 90.0);
    assert_eq!(last["result"]["success"], false);
    // Out of range in the scenario: refused where it is written.
    std::fs::write(
        sc_dir.join("scenario.ron"),
        with_mark.replace("pass_mark: 90", "pass_mark: 190"),
    )
    .unwrap();
    let out = run_in(&dir, &["run", &sc, "--xapi", &x], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("scenario.ron:") && err.contains(": pass_mark: 190 is out of range"),
        "{err}"
    );
}

#[test]
fn the_partnerships_base_names_every_activity() {
    let dir = Scratch::new("base");
    std::fs::write(
        dir.path("lr.ron"),
        "LearningRecords(\n    activity_base: \"https://learning.havering.example/sr\",\n    account_home_page: \"https://learning.havering.example/\",\n)\n",
    )
    .unwrap();
    let cfg = dir.s("lr.ron");
    let (_, s) = play(&dir, &["--lrs-config", &cfg]);
    for st in &s {
        assert!(
            st["object"]["id"]
                .as_str()
                .unwrap()
                .starts_with("https://learning.havering.example/sr/")
        );
        assert_eq!(st["actor"]["account"]["homePage"], "https://learning.havering.example/");
        for k in st["context"]["extensions"].as_object().unwrap().keys() {
            assert!(k.starts_with("https://learning.havering.example/sr/extensions/"), "{k}");
        }
    }
}

#[test]
fn bad_record_flags_are_refused_before_the_run() {
    let dir = Scratch::new("bad");
    let x = dir.s("s.jsonl");
    std::fs::write(
        dir.path("bad.ron"),
        "LearningRecords(\n    activity_base: \"learning.example\",\n    tries: 0,\n)\n",
    )
    .unwrap();
    std::fs::write(dir.path("typo.ron"), "LearningRecords(\n    usernme: \"x\",\n)\n").unwrap();
    let bad_cfg = dir.s("bad.ron");
    let typo_cfg = dir.s("typo.ron");
    let folder = dir.s("");
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec!["--xapi", &x, "--trainee", ""],
            vec![],
            "--trainee: give a name of 1 to 64 characters",
        ),
        (
            vec!["--xapi", &x, "--trainee", "a\u{1b}[2Jb"],
            vec![],
            "--trainee: a name cannot hold",
        ),
        (
            vec!["--xapi", &x, "--pass-mark", "120"],
            vec![],
            "120 is out of range: give 0 to 100",
        ),
        (
            vec!["--xapi", &x, "--pass-mark", "most"],
            vec![],
            "is not a number of per cent",
        ),
        (vec!["--xapi", &x, "--registration", "42"], vec![], "is not a UUID"),
        (
            vec!["--lrs", "https://key:secret@lrs.example/xAPI/"],
            vec![],
            "never in the address",
        ),
        (
            vec!["--lrs", "lrs.example/xAPI"],
            vec![],
            "--lrs: `lrs.example/xAPI` is not a web address",
        ),
        (
            vec!["--records-dir", &x],
            vec![],
            "--records-dir: makes sense only with --lrs URL or --xapi FILE",
        ),
        (
            vec!["--xapi", &x],
            vec![("SAFE_RETURN_CLOCK", "tomorrow")],
            "SAFE_RETURN_CLOCK: `tomorrow` is not a time",
        ),
        (
            vec!["--xapi", &x, "--lrs-config", &bad_cfg],
            vec![],
            "bad.ron:2:5: activity_base: `learning.example` is not a web address",
        ),
        (
            vec!["--xapi", &x, "--lrs-config", &bad_cfg],
            vec![],
            "bad.ron:3:5: tries: 0 is out of range",
        ),
        (
            vec!["--xapi", &x],
            vec![("SAFE_RETURN_LRS_CONFIG", &typo_cfg)],
            "typo.ron:2:5",
        ),
        (vec!["--xapi", &folder], vec![], "--xapi: "),
    ];
    for (flags, env, expected) in cases {
        let mut args = vec!["run", SCENARIO];
        args.extend(&flags);
        let out = run_in(&dir, &args, &env);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(expected), "{flags:?}: expected {expected:?} in {err}");
        assert!(out.stdout.is_empty(), "{flags:?}: nothing printed before the refusal");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(!dir.path("s.jsonl").exists());
}
