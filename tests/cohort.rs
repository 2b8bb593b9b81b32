//! The cohort view as a trainer uses it: a folder of debriefs (`run --json`) counted rule by
//! rule, the duties most often missed, per role and per scenario, as text, CSV and an HTML page;
//! text from debriefs escaped in each; bad debriefs named by file, line and column.

mod xapi_support;

use std::collections::BTreeMap;

use serde_json::Value;
use xapi_support::*;

/// Debriefs of several trainees in `dir/debriefs`: (scenario, script, trainee).
fn cohort_folder(dir: &Scratch) -> std::path::PathBuf {
    let folder = dir.path("debriefs");
    std::fs::create_dir_all(&folder).unwrap();
    let plays = [
        ("havering-care-residential", Some("flawed.ron"), Some("T-01")),
        ("havering-care-residential", Some("by-the-book.ron"), Some("T-02")),
        ("havering-care-residential", None, Some("T-03")),
        ("west-mercia-early-report", Some("flawed.ron"), Some("T-01")),
        ("west-mercia-early-report", Some("by-the-book.ron"), None),
    ];
    for (i, (scenario, script, trainee)) in plays.iter().enumerate() {
        let mut args = vec!["run".to_string(), scenario.to_string(), "--json".into()];
        if let Some(s) = script {
            args.extend(["--decisions".into(), format!("{ROOT}/scenarios/{scenario}/{s}")]);
        }
        if let Some(t) = trainee {
            args.extend(["--trainee".into(), t.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run_in(dir, &args, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        std::fs::write(folder.join(format!("{i:02}-{scenario}.json")), &out.stdout).unwrap();
    }
    folder
}

fn debriefs(folder: &std::path::Path) -> Vec<Value> {
    let mut files: Vec<_> = std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
        .iter()
        .map(|f| serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap())
        .collect()
}

fn bucket(status: &str) -> &'static str {
    match status {
        "met" => "met",
        "late" => "late",
        "missed" | "open" => "missed",
        "wrongful" => "wrongful",
        "early" => "early",
        _ => "not_counted",
    }
}

#[test]
fn each_rule_is_counted_per_scenario_as_the_debriefs_say() {
    let dir = Scratch::new("cohort-count");
    let folder = cohort_folder(&dir);
    let src = folder.display().to_string();
    let out = run_in(&dir, &["cohort", &src, "--csv"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv_text = text(&out.stdout);

    // What the debriefs themselves say, counted here.
    let mut expected: BTreeMap<(String, String), BTreeMap<&str, u64>> = BTreeMap::new();
    for d in debriefs(&folder) {
        for o in d["obligations"].as_array().unwrap() {
            let key = (
                d["scenario"].as_str().unwrap().to_string(),
                o["rule"].as_str().unwrap().to_string(),
            );
            *expected
                .entry(key)
                .or_default()
                .entry(bucket(o["status"].as_str().unwrap()))
                .or_default() += 1;
        }
    }
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "scenario",
            "protocol",
            "role",
            "rule",
            "citation",
            "duties",
            "met",
            "late",
            "missed",
            "wrongful",
            "early",
            "not_counted",
            "attempts"
        ]
    );
    let mut rows = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let want = &expected[&(rec[0].to_string(), rec[3].to_string())];
        for (col, name) in [
            (6, "met"),
            (7, "late"),
            (8, "missed"),
            (9, "wrongful"),
            (10, "early"),
            (11, "not_counted"),
        ] {
            assert_eq!(
                rec[col].parse::<u64>().unwrap(),
                want.get(name).copied().unwrap_or(0),
                "{} {name}",
                &rec[3]
            );
        }
        assert_eq!(rec[5].parse::<u64>().unwrap(), want.values().sum::<u64>());
        rows += 1;
    }
    assert_eq!(rows, expected.len());
    assert!(
        expected.values().any(|c| c.contains_key("missed")),
        "the cohort misses something"
    );
}

#[test]
fn the_text_view_leads_with_the_duties_most_often_missed() {
    let dir = Scratch::new("cohort-text");
    let folder = cohort_folder(&dir);
    let src = folder.display().to_string();
    let out = run_in(&dir, &["cohort", &src], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    // Five debriefs; four named trainees (T-01 twice) and one unnamed.
    assert!(t.starts_with("Cohort: 5 attempts by 4 trainees from "), "{t}");

    let mut missed: BTreeMap<(String, String), u64> = BTreeMap::new();
    for d in debriefs(&folder) {
        for o in d["obligations"].as_array().unwrap() {
            if bucket(o["status"].as_str().unwrap()) == "missed" {
                *missed
                    .entry((
                        d["protocol"].as_str().unwrap().into(),
                        o["rule"].as_str().unwrap().into(),
                    ))
                    .or_default() += 1;
            }
        }
    }
    let most = missed.values().max().copied().unwrap();
    let first_line = t
        .lines()
        .skip_while(|l| *l != "Duties most often missed")
        .nth(1)
        .unwrap();
    assert!(
        first_line.starts_with("  1. ") && first_line.contains(&format!(": missed {most} of ")),
        "{first_line}"
    );
    let (protocol, rule) = missed.iter().find(|(_, n)| **n == most).unwrap().0;
    assert!(t.contains(&format!("{protocol} / {rule}")), "{t}");
    // Each rule with its citation; per role and per scenario.
    assert!(t.contains("\n    cites havering-2023-10, "), "{t}");
    let by_role = t.split("\nBy role\n").nth(1).unwrap();
    assert!(
        by_role.contains("  social_worker  (havering-2023-10): 3 attempts, 3 trainees, mean score "),
        "{by_role}"
    );
    assert!(
        by_role.contains("  placement_provider  (west-mercia-2014): 2 attempts, 2 trainees"),
        "{by_role}"
    );
    let by_scenario = t.split("\nBy scenario\n").nth(1).unwrap();
    assert!(by_scenario.contains("  west-mercia-early-report  ("), "{by_scenario}");

    // The same folder, the same view.
    let again = run_in(&dir, &["cohort", &src], &[]);
    assert_eq!(again.stdout, out.stdout);
}

#[test]
fn the_html_page_is_self_contained_with_a_bar_per_rule() {
    let dir = Scratch::new("cohort-html");
    let folder = cohort_folder(&dir);
    let src = folder.display().to_string();
    let page = dir.s("out/cohort.html");
    let out = run_in(&dir, &["cohort", &src, "--html", &page], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg") && html.contains("</svg>"));
    // Nothing fetched from elsewhere: no scripts, links or images.
    for bad in ["<script", "<link", "<img", "src=", "href="] {
        assert!(!html.contains(bad), "{bad}");
    }
    let rules_with_scored_duties = {
        let mut set = std::collections::BTreeSet::new();
        for d in debriefs(&folder) {
            for o in d["obligations"].as_array().unwrap() {
                if bucket(o["status"].as_str().unwrap()) != "not_counted" {
                    set.insert((
                        d["protocol"].as_str().unwrap().to_string(),
                        o["rule"].as_str().unwrap().to_string(),
                    ));
                }
            }
        }
        set
    };
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    let bars = svg.matches("text-anchor=\"end\"").count();
    assert_eq!(bars, rules_with_scored_duties.len());
    let again = dir.s("again.html");
    run_in(&dir, &["cohort", &src, "--html", &again], &[]);
    assert_eq!(std::fs::read(&page).unwrap(), std::fs::read(&again).unwrap());
}

#[test]
fn text_from_debriefs_is_escaped_in_every_view() {
    let dir = Scratch::new("cohort-escape");
    let folder = dir.path("debriefs");
    std::fs::create_dir_all(&folder).unwrap();
    let evil = "<script>alert(1)</script>";
    let debrief = serde_json::json!({
        "trainee": "=HYPERLINK(\"http://x\")",
        "scenario": "s1", "title": evil, "protocol": "p1", "role": "r1", "seed": 1,
        "score": {"earned": 0.0, "possible": 10.0, "percent": 0.0},
        "obligations": [{
            "rule": "=cmd|' /C calc'!A0", "citation": format!("{evil} \u{1b}[31mred"), "role": "r1", "action": "a",
            "fired_at": "2024-01-01T00:00", "due_at": null, "done_at": null, "status": "missed", "points": 0.0,
            "feedback": "Missed."
        }],
        "others": [], "timeline": []
    });
    std::fs::write(folder.join("a.json"), serde_json::to_string_pretty(&debrief).unwrap()).unwrap();
    let src = folder.display().to_string();
    let page = dir.s("c.html");
    let out = run_in(&dir, &["cohort", &src, "--html", &page], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stdout).contains('\u{1b}'),
        "no terminal escape sequences pass"
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<script"));
    assert!(html.contains("&lt;script&gt;"));
    let out = run_in(&dir, &["cohort", &src, "--csv"], &[]);
    let csv_text = text(&out.stdout);
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let rec = r.records().next().unwrap().unwrap();
    assert_eq!(&rec[3], "'=cmd|' /C calc'!A0");
}

#[test]
fn bad_sources_are_named_by_file_line_and_column() {
    let dir = Scratch::new("cohort-bad");
    let folder = dir.path("debriefs");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("a.json"), "{\n  \"scenario\": \"x\",\n  \"score\": 3\n}\n").unwrap();
    std::fs::write(folder.join("b.json"), "{ not json").unwrap();
    std::fs::write(folder.join("notes.txt"), "ignored").unwrap();
    let src = folder.display().to_string();
    let out = run_in(&dir, &["cohort", &src], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("a.json:3:12: not a debrief written by `safe-return run … --json`: invalid type"),
        "{err}"
    );
    assert!(err.contains("b.json:1:3: not a debrief"), "{err}");
    assert!(out.stdout.is_empty());
    let missing = dir.s("nowhere");
    let out = run_in(&dir, &["cohort", &missing], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("nowhere:1:1: there is no such folder or file"));
    // A file of statements with a broken line.
    std::fs::write(dir.path("s.jsonl"), "{}\n{oops\n").unwrap();
    let f = dir.s("s.jsonl");
    let out = run_in(&dir, &["cohort", &f], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("s.jsonl:2:2: not a statement"),
        "{}",
        text(&out.stderr)
    );
    // An empty folder: nothing to count, said so.
    let empty = dir.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = run_in(&dir, &["cohort", &empty.display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("Nothing to count yet."));
}

#[test]
fn statements_written_by_runs_give_the_cohort_of_their_debriefs() {
    let dir = Scratch::new("cohort-xapi");
    let folder = dir.path("debriefs");
    std::fs::create_dir_all(&folder).unwrap();
    let mut all = String::new();
    for (i, (script, trainee, reg)) in [("flawed.ron", "T-01", REG_A), ("by-the-book.ron", "T-02", REG_B)]
        .iter()
        .enumerate()
    {
        let d = format!("{ROOT}/scenarios/havering-care-residential/{script}");
        let x = dir.s(&format!("{i}.jsonl"));
        let out = run_in(
            &dir,
            &[
                "run",
                "havering-care-residential",
                "--decisions",
                &d,
                "--json",
                "--trainee",
                trainee,
                "--xapi",
                &x,
                "--registration",
                reg,
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(0));
        std::fs::write(folder.join(format!("{i}.json")), &out.stdout).unwrap();
        all += &std::fs::read_to_string(&x).unwrap();
    }
    // Written twice: each statement still counts once.
    std::fs::write(dir.path("all.jsonl"), format!("{all}{all}")).unwrap();
    let a = run_in(&dir, &["cohort", &folder.display().to_string(), "--csv"], &[]);
    let b = run_in(&dir, &["cohort", &dir.s("all.jsonl"), "--csv"], &[]);
    assert_eq!(b.status.code(), Some(0), "{}", text(&b.stderr));
    assert_eq!(text(&a.stdout), text(&b.stdout));
}
