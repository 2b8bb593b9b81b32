//! Training scenarios, set C: stories where the verdict turns on the engine's newer judgements —
//! a West Mercia carer who rings the police before the six-hour mark, a Bromley girl whose
//! whereabouts are known from the start, and a Bromley police grading the social worker must
//! challenge. Each reference script scores full marks; each flawed script loses marks where a
//! practitioner went wrong. Also: conditional prompts appear only when their condition held.

use safe_return::scenario::run::run;
use safe_return::scenario::{Decision, Decisions, load_decisions, load_scenario};
use safe_return::scoring::{ObligationReport, Report};
use safe_return::sim::Status;

fn dir(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn play(name: &str, decisions: &str) -> Report {
    let sc = load_scenario(&dir(name).join("scenario.ron")).unwrap();
    let d = load_decisions(&dir(name).join(decisions), &sc).unwrap();
    run(&sc, &d, 1)
}

/// The trainee's one obligation under this rule (panics with the report if there is not exactly one).
fn ob<'a>(r: &'a Report, rule: &str) -> &'a ObligationReport {
    let found: Vec<&ObligationReport> = r.obligations.iter().filter(|o| o.rule == rule).collect();
    assert_eq!(found.len(), 1, "expected one obligation {rule}:\n{}", r.to_text());
    found[0]
}

/// Rules with at least one obligation in this status (each rule once, sorted).
fn rules_with(r: &Report, s: Status) -> Vec<String> {
    let mut v: Vec<String> = r
        .obligations
        .iter()
        .filter(|o| o.status == s)
        .map(|o| o.rule.clone())
        .collect();
    v.sort();
    v.dedup();
    v
}

fn classifications(r: &Report) -> Vec<String> {
    r.timeline
        .iter()
        .filter(|t| t.kind == "classification")
        .map(|t| t.text.clone())
        .collect()
}

/// The hours of the prompts the trainee was shown.
fn prompt_hours(r: &Report) -> Vec<f64> {
    r.prompts.iter().map(|p| p.hours).collect()
}

// ------------------------------------------------------------------ west-mercia-early-report

#[test]
fn early_report_by_the_book_scores_full_marks() {
    let r = play("west-mercia-early-report", "by-the-book.ron");
    assert_eq!(r.score.percent, 100.0, "{}", r.to_text());
    assert_eq!(
        (r.protocol.as_str(), r.role.as_str()),
        ("west-mercia-2014", "placement_provider")
    );
}

#[test]
fn early_report_the_five_hour_call_meets_the_six_hour_duty() {
    let r = play("west-mercia-early-report", "by-the-book.ron");
    let six = ob(&r, "wm.care.six-hours-contact-police");
    // The duty arises at 1 am (six hours after she left at 7 pm); the call was at 11 pm.
    assert_eq!(six.fired_at, "2024-09-15T01:00", "{}", r.to_text());
    assert_eq!(six.done_at.as_deref(), Some("2024-09-14T23:00"));
    assert_eq!(six.status, Status::Met);
    assert!(six.feedback.contains("done before the duty arose"), "{}", six.feedback);
    // The same call is the report of a missing child once she is classified missing.
    let report = ob(&r, "wm.care.report-missing");
    assert_eq!(
        (report.status, report.done_at.as_deref()),
        (Status::Met, Some("2024-09-14T23:00"))
    );
}

#[test]
fn early_report_flawed_rings_late_calls_it_an_unauthorised_absence_and_sits_on_the_concern() {
    let r = play("west-mercia-early-report", "flawed.ron");
    assert!(r.score.percent < 100.0, "{}", r.to_text());
    let six = ob(&r, "wm.care.six-hours-contact-police");
    assert_eq!(six.status, Status::Late, "{}", r.to_text());
    assert!(six.feedback.starts_with("Late by 1 h:"), "{}", six.feedback);
    assert_eq!(six.done_at.as_deref(), Some("2024-09-15T03:00"));
    assert_eq!(
        rules_with(&r, Status::Wrongful),
        vec!["wm.unauthorised-absence-at-most-six-hours"]
    );
    assert_eq!(rules_with(&r, Status::Missed), vec!["wm.care.report-crime-concerns"]);
    assert_eq!(rules_with(&r, Status::Late), vec!["wm.care.six-hours-contact-police"]);
}

#[test]
fn early_report_prompts_follow_what_the_carer_did() {
    // By the book: the call is made at 5 h, so "the Control Room has your report" is asked and
    // "you have not rung the police" is not.
    let r = play("west-mercia-early-report", "by-the-book.ron");
    assert_eq!(prompt_hours(&r), vec![3.0, 4.75, 5.25, 14.5], "{:?}", r.prompts);
    // Flawed: no call by 5.25 h, so the other way round.
    let r = play("west-mercia-early-report", "flawed.ron");
    assert_eq!(prompt_hours(&r), vec![3.0, 4.75, 7.0, 14.5], "{:?}", r.prompts);
    // The Control Room's message is only for a carer who rang.
    assert!(!r.timeline.iter().any(|t| t.text.contains("we have Mia's details")));
}

// ------------------------------------------------------------------ bromley-aunts-house

#[test]
fn aunts_house_by_the_book_scores_full_marks() {
    let r = play("bromley-aunts-house", "by-the-book.ron");
    assert_eq!(r.score.percent, 100.0, "{}", r.to_text());
    assert_eq!(
        (r.protocol.as_str(), r.role.as_str()),
        ("bromley-2020", "social_worker")
    );
}

#[test]
fn aunts_house_leah_is_never_missing_and_nobody_reports_her() {
    let r = play("bromley-aunts-house", "by-the-book.ron");
    let c = classifications(&r);
    assert_eq!(
        c,
        vec!["Leah Carmody is Away from placement without authorisation (unauthorised absence)".to_string()],
        "{c:?}"
    );
    // Nobody — the carer, the police, anyone acting by the book — reports her missing.
    assert!(
        !r.timeline
            .iter()
            .any(|t| t.text.starts_with("Report the child missing")),
        "{:#?}",
        r.timeline
    );
    // No missing-child duty arises for anyone.
    assert!(
        !r.obligations
            .iter()
            .chain(r.others.iter())
            .any(|o| o.rule == "br.police.grade-risk" || o.rule == "br.iro.informed-missing"),
        "{}",
        r.to_text()
    );
    assert_eq!(ob(&r, "br.iro.informed-unauthorised-absence").status, Status::Met);
    assert_eq!(ob(&r, "br.known-whereabouts.decide-unauthorised").status, Status::Met);
}

#[test]
fn aunts_house_flawed_reports_her_missing_and_decides_nothing() {
    let r = play("bromley-aunts-house", "flawed.ron");
    assert!(r.score.percent < 50.0, "{}", r.to_text());
    assert_eq!(
        rules_with(&r, Status::Wrongful),
        vec!["br.whereabouts-known-not-reported"]
    );
    let missed = rules_with(&r, Status::Missed);
    for rule in [
        "br.known-whereabouts.decide-unauthorised",
        "br.iro.informed-unauthorised-absence",
    ] {
        assert!(missed.contains(&rule.to_string()), "{rule} not missed: {missed:?}");
    }
    // The story answers the report: the police message is only for one who rang, as is the prompt.
    assert!(
        r.timeline
            .iter()
            .any(|t| t.text.contains("we've taken a missing report"))
    );
    assert_eq!(prompt_hours(&r), vec![1.5, 2.0, 3.0]);
    assert_eq!(
        prompt_hours(&play("bromley-aunts-house", "by-the-book.ron")),
        vec![1.5, 2.0]
    );
}

// ------------------------------------------------------------------ bromley-police-grade-low

#[test]
fn police_grade_low_by_the_book_scores_full_marks() {
    let r = play("bromley-police-grade-low", "by-the-book.ron");
    assert_eq!(r.score.percent, 100.0, "{}", r.to_text());
    let esc = ob(&r, "br.exceptional.escalate-disagreement");
    assert_eq!(esc.status, Status::Met);
    assert_eq!(esc.done_at.as_deref(), Some("2024-11-08T19:15"));
}

#[test]
fn police_grade_low_the_grading_is_the_polices_act_and_the_escalation_duty_arises_from_it() {
    let r = play("bromley-police-grade-low", "flawed.ron");
    // The police grade her Low at 3 h, as the scenario says, and only then: their by-the-book
    // grading is withheld.
    let gradings: Vec<_> = r
        .timeline
        .iter()
        .filter(|t| t.text.starts_with("Grade the risk"))
        .collect();
    assert_eq!(gradings.len(), 1, "{gradings:#?}");
    let g = gradings[0];
    assert_eq!((g.hours, g.kind.as_str()), (3.0, "action"));
    assert_eq!(g.who, "Police (receiving the report, 101)");
    assert!(g.text.contains("Low risk"), "{}", g.text);
    // The duty to escalate arises from that grading, due within the hour.
    let esc = ob(&r, "br.exceptional.escalate-disagreement");
    assert_eq!(esc.fired_at, "2024-11-08T19:00");
    assert_eq!(esc.due_at.as_deref(), Some("2024-11-08T20:00"));
    assert_eq!(esc.status, Status::Missed, "{}", r.to_text());
    // A Low grading sets off the police's low-risk response, not the high-risk one.
    assert!(
        r.others
            .iter()
            .any(|o| o.rule == "br.police.low.proportionate-enquiries")
    );
    assert!(!r.others.iter().any(|o| o.rule == "br.police.high.deploy"));
}

#[test]
fn police_grade_low_flawed_accepts_the_grading_and_ignores_the_disclosure() {
    let r = play("bromley-police-grade-low", "flawed.ron");
    assert!(r.score.percent < 100.0, "{}", r.to_text());
    assert_eq!(
        rules_with(&r, Status::Missed),
        vec![
            "br.exceptional.escalate-disagreement".to_string(),
            "br.principles.cp-procedures-on-disclosure".to_string()
        ]
    );
    assert!(rules_with(&r, Status::Wrongful).is_empty());
}

#[test]
fn police_grade_low_the_story_and_prompts_follow_the_challenge() {
    let good = play("bromley-police-grade-low", "by-the-book.ron");
    let bad = play("bromley-police-grade-low", "flawed.ron");
    assert_eq!(prompt_hours(&good), vec![1.25, 3.25, 4.5, 70.0]);
    assert_eq!(prompt_hours(&bad), vec![1.25, 3.25, 6.0, 70.0]);
    let said = |r: &Report, s: &str| r.timeline.iter().any(|t| t.text.contains(s));
    assert!(said(&good, "thanks for challenging the grading") && !said(&good, "stood down"));
    assert!(said(&bad, "stood down") && !said(&bad, "thanks for challenging the grading"));
}

// ------------------------------------------------------------------ conditional prompts

#[test]
fn a_parent_who_has_not_rung_is_not_told_the_call_handler_is_taking_the_report() {
    let sc = load_scenario(&dir("haringey-home-eleven").join("scenario.ron")).unwrap();
    let text = "The 101 call handler is taking your report";
    let shown = |d: &Decisions| run(&sc, d, 1).prompts.iter().any(|p| p.text.contains(text));
    assert!(!shown(&Decisions::default()));
    let rang = Decisions {
        actions: vec![Decision {
            at_hours: 0.75,
            action: "report_to_police".into(),
            category: None,
            grade: None,
            note: None,
            answers: vec![],
            fields: vec![],
        }],
    };
    assert!(shown(&rang));
    // Ringing after the prompt's time is too late for it: it held at its time or not at all.
    let late = Decisions {
        actions: vec![Decision {
            at_hours: 2.0,
            ..rang.actions[0].clone()
        }],
    };
    assert!(!shown(&late));
}

#[test]
fn the_debrief_lists_the_decision_points_asked() {
    let r = play("bromley-police-grade-low", "flawed.ron");
    let md = r.to_markdown();
    assert!(md.contains("## Decision points"), "{md}");
    assert!(md.contains("Officers have stood down"), "{md}");
    assert!(!md.contains("re-graded Nadia high risk"), "{md}");
}
