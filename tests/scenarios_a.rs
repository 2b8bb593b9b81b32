//! Training scenarios, set A: a child missing from home (Haringey), whereabouts known but not
//! missing (West Mercia), a remanded child who absconds (West Mercia) and a child who declines the
//! return home interview (Bromley). Each reference script scores full marks; each flawed script
//! loses marks exactly where a practitioner went wrong.

use safe_return::scenario::run::run;
use safe_return::scenario::{load_decisions, load_scenario};
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

/// What the protocol classified the child as, in order.
fn classifications(r: &Report) -> Vec<String> {
    r.timeline
        .iter()
        .filter(|t| t.kind == "classification")
        .map(|t| t.text.clone())
        .collect()
}

fn statuses(r: &Report, s: Status) -> Vec<String> {
    let mut v: Vec<String> = r
        .obligations
        .iter()
        .filter(|o| o.status == s)
        .map(|o| o.rule.clone())
        .collect();
    v.sort();
    v
}

// ------------------------------------------------------------------ haringey-home-eleven

#[test]
fn haringey_home_eleven_by_the_book_scores_full_marks() {
    let r = play("haringey-home-eleven", "by-the-book.ron");
    assert_eq!(r.score.percent, 100.0, "{}", r.to_text());
}

#[test]
fn haringey_home_eleven_an_eleven_year_old_is_missing_at_once_not_absent() {
    let r = play("haringey-home-eleven", "by-the-book.ron");
    let c = classifications(&r);
    assert_eq!(
        c.first().map(String::as_str),
        Some("Daniel Achterberg is Missing"),
        "{c:?}"
    );
    assert!(!c.iter().any(|t| t.contains("Absent")), "{c:?}");
    let at = r.timeline.iter().find(|t| t.kind == "classification").unwrap();
    assert_eq!(
        at.hours, 0.75,
        "missing from the moment he is overdue, not after 24 hours"
    );
    // The moment he is overdue (3.45 pm) the parent's report falls due within the hour.
    let report = ob(&r, "hg.home.parent-reports");
    assert_eq!(report.fired_at, "2024-03-12T15:45");
    assert_eq!(report.due_at.as_deref(), Some("2024-03-12T16:45"));
    assert_eq!(report.status, Status::Met);
    // The 999 rule is for a child at immediate risk; nothing here says Daniel is.
    assert_eq!(ob(&r, "hg.home.immediate-risk-999").status, Status::NotApplicable);
}

#[test]
fn haringey_home_eleven_flawed_reports_late_and_never_records_the_incident_number() {
    let r = play("haringey-home-eleven", "flawed.ron");
    let report = ob(&r, "hg.home.parent-reports");
    assert_eq!(report.status, Status::Late, "{}", r.to_text());
    assert!(report.feedback.starts_with("Late by 1 h:"), "{}", report.feedback);
    let info = ob(&r, "hg.home.share-information");
    assert_eq!(info.status, Status::Late);
    assert!(info.feedback.starts_with("Late by 1 h:"), "{}", info.feedback);
    assert_eq!(ob(&r, "hg.home.record-incident-number").status, Status::Missed);
    assert_eq!(ob(&r, "hg.home.parents-search").status, Status::Met);
    assert_eq!(statuses(&r, Status::Wrongful), Vec::<String>::new());
    assert_eq!(r.score.percent, 50.0, "{}", r.to_text());
}

// ------------------------------------------------------------------ west-mercia-whereabouts-known

#[test]
fn west_mercia_whereabouts_known_by_the_book_scores_full_marks() {
    let r = play("west-mercia-whereabouts-known", "by-the-book.ron");
    assert_eq!(r.score.percent, 100.0, "{}", r.to_text());
}

#[test]
fn west_mercia_whereabouts_known_is_an_unauthorised_absence_not_missing() {
    let r = play("west-mercia-whereabouts-known", "by-the-book.ron");
    let c = classifications(&r);
    assert_eq!(c.len(), 1, "{c:?}");
    assert!(c[0].contains("Unauthorised absence"), "{c:?}");
    assert!(
        !c.iter().any(|t| t.contains("Missing") || t.contains("Absent (")),
        "{c:?}"
    );
    // No duty to report her missing ever arises while she is away with her whereabouts known.
    assert!(
        !r.obligations
            .iter()
            .any(|o| o.action == "report_to_police" && o.status != Status::NotApplicable),
        "{}",
        r.to_text()
    );
}

#[test]
fn west_mercia_whereabouts_known_flawed_calls_her_absent_and_sits_on_a_concern() {
    let r = play("west-mercia-whereabouts-known", "flawed.ron");
    let w = ob(&r, "wm.no-absent-for-children-in-care");
    assert_eq!(w.status, Status::Wrongful, "{}", r.to_text());
    assert!(w.feedback.contains("classified as absent"), "{}", w.feedback);
    assert_eq!(
        statuses(&r, Status::Wrongful),
        vec!["wm.no-absent-for-children-in-care".to_string()]
    );
    assert_eq!(
        statuses(&r, Status::Missed),
        vec![
            "wm.care.report-crime-concerns".to_string(),
            "wm.care.return-arranged-by-provider".to_string(),
        ],
        "{}",
        r.to_text()
    );
    // The carer's wrong label does not change what the protocol says she is.
    let c = classifications(&r);
    assert!(c.iter().all(|t| t.contains("Unauthorised absence")), "{c:?}");
    // (Her call to confirm the return to police meets no duty: they were never told she was gone.)
    assert!(
        r.obligations
            .iter()
            .filter(|o| o.rule == "wm.care.confirm-return")
            .all(|o| o.status == Status::NotApplicable)
    );
    assert_eq!(r.score.earned, 30.0, "{}", r.to_text());
}

// ------------------------------------------------------------------ west-mercia-remand-abscond

#[test]
fn west_mercia_remand_abscond_by_the_book_scores_full_marks() {
    let r = play("west-mercia-remand-abscond", "by-the-book.ron");
    assert_eq!(r.score.percent, 100.0, "{}", r.to_text());
}

#[test]
fn west_mercia_remand_abscond_a_remanded_child_is_an_absconder_from_the_first_minute() {
    let r = play("west-mercia-remand-abscond", "by-the-book.ron");
    let c = classifications(&r);
    assert_eq!(c, vec!["Tyler Mason is Absconded".to_string()], "{c:?}");
    let report = ob(&r, "wm.absconder.report-without-delay");
    assert_eq!(report.fired_at, "2024-09-08T15:00");
    assert_eq!(report.due_at.as_deref(), Some("2024-09-08T16:00"));
    assert_eq!(ob(&r, "wm.absconder.missing-person-form").status, Status::Met);
}

#[test]
fn west_mercia_remand_abscond_flawed_treats_him_as_an_unauthorised_absence_and_reports_late() {
    let r = play("west-mercia-remand-abscond", "flawed.ron");
    let w = ob(&r, "classification");
    assert_eq!(w.status, Status::Wrongful, "{}", r.to_text());
    assert!(
        w.feedback
            .contains("classified as Unauthorised absence (away from placement without authorisation); under this protocol the child is Absconded"),
        "{}",
        w.feedback
    );
    let report = ob(&r, "wm.absconder.report-without-delay");
    assert_eq!(report.status, Status::Late);
    assert!(report.feedback.starts_with("Late by 2 h:"), "{}", report.feedback);
    assert_eq!(
        statuses(&r, Status::Missed),
        vec!["wm.care.report-crime-concerns".to_string()],
        "{}",
        r.to_text()
    );
    assert_eq!(
        statuses(&r, Status::Late),
        vec!["wm.absconder.report-without-delay".to_string()]
    );
    assert_eq!(statuses(&r, Status::Wrongful), vec!["classification".to_string()]);
}

// ------------------------------------------------------------------ bromley-declines-rhi

#[test]
fn bromley_declines_rhi_by_the_book_scores_full_marks() {
    let r = play("bromley-declines-rhi", "by-the-book.ron");
    assert_eq!(r.score.percent, 100.0, "{}", r.to_text());
}

#[test]
fn bromley_declines_rhi_the_decline_is_recorded_and_shared_with_the_nominated_manager() {
    let r = play("bromley-declines-rhi", "by-the-book.ron");
    assert!(
        r.timeline
            .iter()
            .any(|t| t.text.contains("do not want a return interview"))
    );
    assert!(
        r.obligations
            .iter()
            .any(|o| o.rule == "br.rhi.declined-record" && o.status == Status::Met)
    );
    assert_eq!(ob(&r, "br.rhi.declined-share").status, Status::Met);
    // The nominated manager reviews the declined RHI (not the trainee's duty, but it must follow).
    assert!(
        r.others
            .iter()
            .any(|o| o.rule == "br.rhi.declined-review" && o.status == Status::Met),
        "{:?}",
        r.others.iter().map(|o| &o.rule).collect::<Vec<_>>()
    );
    // Her refusal ends the duty to hold the interview; sharing it opens a second route to her, and
    // the talk at school, within 72 hours, is where she speaks.
    assert_eq!(ob(&r, "br.rhi.within-72h").status, Status::Cancelled);
    assert!(
        r.timeline
            .iter()
            .any(|t| t.kind == "disclosure" && t.text.contains("In a short talk at school"))
    );
}

#[test]
fn bromley_declines_rhi_reasons_recorded_before_she_says_no_are_no_record_of_her_refusal() {
    // Writing "declined" at 9 am, six hours before Sophie refuses, meets nothing: the duty to
    // record her reasons arises when she says no, and is missed if not done then.
    let tmp = std::env::temp_dir().join(format!("sr-early-decline-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let early = tmp.join("early.ron");
    std::fs::write(
        &early,
        "Decisions(actions: [\n  (at_hours: 16.0, action: \"offer_rhi\"),\n  (at_hours: 16.0, action: \"assess_medical_needs\"),\n  (at_hours: 16.05, action: \"record_rhi_declined\"),\n  (at_hours: 16.1, action: \"share_rhi_decline\"),\n])",
    )
    .unwrap();
    let sc = load_scenario(&dir("bromley-declines-rhi").join("scenario.ron")).unwrap();
    let d = load_decisions(&early, &sc).unwrap();
    let r = run(&sc, &d, 1);
    assert_eq!(
        ob(&r, "br.rhi.declined-record").status,
        Status::Missed,
        "{}",
        r.to_text()
    );
    assert!(r.score.percent < 100.0);
}

#[test]
fn bromley_declines_rhi_flawed_offers_late_and_drops_the_decline() {
    let r = play("bromley-declines-rhi", "flawed.ron");
    let offer = ob(&r, "br.rhi.arrange-on-referral");
    assert_eq!(offer.status, Status::Late, "{}", r.to_text());
    assert!(offer.feedback.starts_with("Late by 4 h 15 min:"), "{}", offer.feedback);
    assert_eq!(ob(&r, "br.rhi.offer-all").status, Status::Met);
    assert_eq!(ob(&r, "br.rhi.medical-immediately").status, Status::Missed);
    assert_eq!(ob(&r, "br.rhi.declined-record").status, Status::Missed);
    // Her "no" is respected: the duties to hold the interview end, but the decline must be shared.
    assert_eq!(ob(&r, "br.rhi.within-72h").status, Status::Cancelled);
    assert_eq!(ob(&r, "br.rhi.all-on-return").status, Status::Cancelled);
    // Nothing recorded, so nothing to share: the nominated manager never hears of it.
    assert!(!r.obligations.iter().any(|o| o.rule == "br.rhi.declined-share"));
    // She still said no — but with nothing recorded or shared, nobody found another way to reach her.
    assert!(
        r.timeline
            .iter()
            .any(|t| t.text.contains("do not want a return interview"))
    );
    assert!(!r.timeline.iter().any(|t| t.kind == "disclosure"));
    assert_eq!(statuses(&r, Status::Wrongful), Vec::<String>::new());
}
