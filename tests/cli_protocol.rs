//! The protocol commands as a policy officer uses them: validate, lint, diff, show.

use std::process::Command;

fn sr(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_safe-return"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

const ALL: [&str; 5] = [
    "assets/protocols/havering-2023-05.ron",
    "assets/protocols/havering-2023-10.ron",
    "assets/protocols/haringey-2021.ron",
    "assets/protocols/bromley-2020.ron",
    "assets/protocols/west-mercia-2014.ron",
];

#[test]
fn all_five_protocols_validate() {
    let mut args = vec!["protocol", "validate"];
    args.extend(ALL);
    let (code, out, err) = sr(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().filter(|l| l.contains(": ok (")).count(), 5);
}

#[test]
fn every_rule_cites_its_own_document_with_a_short_quote() {
    for f in ALL {
        let p =
            safe_return::protocol::load_protocol(std::path::Path::new(&format!("{}/{f}", env!("CARGO_MANIFEST_DIR"))))
                .unwrap()
                .protocol;
        assert!(p.rules.len() >= 40, "{f} encodes {} rules", p.rules.len());
        for r in &p.rules {
            assert_eq!(r.citation.doc, p.id, "{}", r.id);
            assert!(
                !r.citation.section.is_empty() && r.citation.quote.chars().count() <= 300,
                "{}",
                r.id
            );
        }
    }
}

#[test]
fn lint_json_reports_bromley_score_bands_overlapping_at_30_with_citations() {
    let (code, out, _) = sr(&["protocol", "lint", "assets/protocols/bromley-2020.ron", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = v["findings"].as_array().unwrap();
    let overlap = f
        .iter()
        .find(|x| x["kind"] == "score_band_overlap")
        .expect("overlap found");
    assert!(
        overlap["message"]
            .as_str()
            .unwrap()
            .contains("a total of 30 falls in both")
    );
    assert_eq!(overlap["citations"].as_array().unwrap().len(), 2);
    for k in ["kind", "severity", "rules", "citations", "message"] {
        assert!(overlap.get(k).is_some());
    }
    // A 24-hour meeting for children with particular concerns (9.1) beside the looked-after
    // child's first-working-day meeting (9.2) is not a contradiction: the concerns narrow who the
    // earlier one is for. The one contradiction is the Director's notification (9.5 at 24 hours
    // for children looked after, 9.2 at 72 hours for all).
    let conflicts: Vec<_> = f.iter().filter(|x| x["kind"] == "conflicting_deadlines").collect();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let rules = conflicts[0]["rules"].as_array().unwrap();
    assert!(
        rules.iter().all(|r| r.as_str().unwrap().starts_with("br.cla.dcs-")),
        "{rules:?}"
    );
}

#[test]
fn lint_reports_one_contradiction_once_with_all_its_rules() {
    // Havering May-23: the strategy meeting by day 7 (three passages), by day 5 and at 72 hours
    // (Appendix G) — one contradiction naming all five rules, not a finding per pair; and the
    // debrief with no time limit beside the timed safe-and-well checks is no conflict.
    let (_, out, _) = sr(&["protocol", "lint", "assets/protocols/havering-2023-05.ron", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "conflicting_deadlines")
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    let rules: Vec<&str> = found[0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    for id in [
        "hv.strategy.hold-by-day-7",
        "hv.strategy.appx-g.hold-by-day-5",
        "hv.strategy.appx-g.meeting-at-72h",
    ] {
        assert!(rules.contains(&id), "{rules:?}");
    }
    assert!(!rules.contains(&"hv.return.debrief"), "{rules:?}");
    assert_eq!(found[0]["citations"].as_array().unwrap().len(), rules.len());
}

#[test]
fn one_passage_grading_its_own_deadlines_is_not_a_conflict() {
    // Haringey 14.1: "Red 4 hours, Amber 24 hours, Green 72 hours" — three rules, one passage:
    // the lint finds nothing to reconcile (Bromley's two passages, above, it does).
    let (code, out, _) = sr(&["protocol", "lint", "assets/protocols/haringey-2021.ron", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let conflicts: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "conflicting_deadlines")
        .collect();
    assert!(conflicts.is_empty(), "{conflicts:?}");
}

#[test]
fn havering_diff_shows_what_the_october_revision_changed() {
    let (code, out, _) = sr(&[
        "protocol",
        "diff",
        "assets/protocols/havering-2023-05.ron",
        "assets/protocols/havering-2023-10.ron",
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let added: Vec<&str> = v["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert!(added.len() >= 10, "{added:?}");
    assert!(
        added.iter().any(|r| r.contains("oyster")),
        "Oct-23 adds registering the Oyster card: {added:?}"
    );
    let changed = v["changed"].as_array().unwrap();
    let rhi = changed
        .iter()
        .find(|c| c["rule"] == "hv.rhi.independent-72h")
        .expect("RHI wording changed");
    assert!(
        rhi["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "citation.quote" && f["new"].as_str().unwrap().contains("Conversation"))
    );
    // Declarations whose only change is the citation's document are not reported.
    assert!(
        !v["other"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["what"] == "category" && o["change"] == "changed")
    );
    // Each added rule keeps the document's own strength: "should" is not promoted to "must".
    let strength = |id: &str| {
        v["added"].as_array().unwrap().iter().find(|r| r["rule"] == id).unwrap()["strength"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(strength("hv.info.accessible-information"), "should");
    let (_, text, _) = sr(&[
        "protocol",
        "diff",
        "assets/protocols/havering-2023-05.ron",
        "assets/protocols/havering-2023-10.ron",
    ]);
    assert!(
        text.contains("hv.info.accessible-information: social_worker should share_accessible_information"),
        "{text}"
    );
}

#[test]
fn show_prints_a_trainers_summary_in_markdown() {
    let (code, out, _) = sr(&[
        "protocol",
        "show",
        "assets/protocols/west-mercia-2014.ron",
        "--markdown",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("# "));
    assert!(out.contains("## Roles"));
    assert!(out.contains("| Rule | Who | Must do | By | For | Source |"));
    // West Mercia has no action done together; Havering's strategy meeting is one.
    assert!(!out.contains("## Done together"));
    let (code, out, _) = sr(&["protocol", "show", "assets/protocols/havering-2023-10.ron"]);
    assert_eq!(code, 0);
    let together = out.split("Done together").nth(1).expect("a Done together section");
    assert!(together.contains("- Hold the Missing Strategy Meeting"), "{together}");
}

#[test]
fn lint_of_a_file_with_an_undeclared_role_is_an_error_finding_and_exit_2() {
    let (code, out, _) = sr(&[
        "protocol",
        "lint",
        "tests/bad_protocols/unknown_role_in_rule.ron",
        "--json",
    ]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "undeclared_role" && f["severity"] == "error")
    );
}

#[test]
fn a_protocol_file_that_cannot_be_read_is_said_in_plain_words() {
    // No such file, a folder, text that is not UTF-8: each named with its place, no system jargon.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/stress-test-files");
    std::fs::create_dir_all(&dir).unwrap();
    let latin1 = dir.join("latin1-protocol.ron");
    std::fs::write(&latin1, b"Protocol(\n    id: \"caf\xe9\",\n)\n").unwrap();
    let cases = [
        (
            "assets/protocols/no-such.ron".to_string(),
            "no-such.ron:1:1: cannot read protocol file: there is no such file or folder",
        ),
        (
            "assets/protocols".to_string(),
            "protocols:1:1: cannot read protocol file: it is a folder, not a file",
        ),
        (
            latin1.display().to_string(),
            "latin1-protocol.ron:2:13: the file is not UTF-8 text (first bad byte at line 2, column 13)",
        ),
    ];
    for (file, want) in cases {
        let (code, _, err) = sr(&["protocol", "validate", &file]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(want), "want `{want}` in:\n{err}");
        assert!(!err.contains("os error") && !err.contains("panicked"), "{err}");
    }
}

#[test]
fn lint_warns_that_a_threshold_with_no_time_limit_can_never_be_late() {
    // Havering Appendix E: at 48 hours missing the social worker notifies senior management —
    // encoded with no time limit, a notification at 50 hours would score as in time. (The
    // shipped file gives it its time, `Immediately`; a copy with no limit is warned about.)
    let src = std::fs::read_to_string(format!(
        "{}/assets/protocols/havering-2023-05.ron",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let at = src.find("id: \"hv.appx-e.notify-senior-management\"").unwrap();
    let d = at + src[at..].find("deadline: Immediately").unwrap();
    let edited = format!(
        "{}deadline: NoLimit{}",
        &src[..d],
        &src[d + "deadline: Immediately".len()..]
    );
    let dir = std::env::temp_dir().join(format!("safe-return-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("havering-no-limit.ron");
    std::fs::write(&file, edited).unwrap();
    let (_, out, _) = sr(&["protocol", "lint", file.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "threshold_without_limit")
        .collect();
    assert!(
        found
            .iter()
            .any(|f| f["rules"][0] == "hv.appx-e.notify-senior-management"
                && f["message"].as_str().unwrap().contains("can never be late")),
        "{found:?}"
    );
    // A rule with a real time limit is not reported.
    assert!(
        !found.iter().any(|f| f["rules"][0] == "hv.appx-e.hold-by-day-7"),
        "{found:?}"
    );
}
