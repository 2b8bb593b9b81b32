//! Bromley Safeguarding Children Partnership, Missing Children Protocol 2020: practice points.

use safe_return::protocol::{
    Deadline, Facts, LegalStatus, Placement, Rag, RiskLevel, Strength, Trigger, load_protocol,
};

fn load() -> safe_return::protocol::Protocol {
    load_protocol(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/protocols/bromley-2020.ron"
    )))
    .unwrap()
    .protocol
}

fn looked_after_foster(age: i64) -> Facts {
    Facts {
        age,
        legal_status: vec![LegalStatus::S31],
        placement: Some(Placement::Foster),
        ..Default::default()
    }
}

fn answers(items: &[(&str, i64)]) -> Vec<(String, i64)> {
    items.iter().map(|(id, s)| (id.to_string(), *s)).collect()
}

#[test]
fn absent_category_is_no_longer_used() {
    let p = load();
    let child = Facts {
        age: 15,
        ..Default::default()
    };
    assert!(p.forbids_category(&child, "absent").is_some());
    assert!(p.forbids_category(&looked_after_foster(12), "absent").is_some());
}

#[test]
fn child_whose_whereabouts_are_known_is_neither_missing_nor_reported() {
    let p = load();
    let child = Facts {
        age: 14,
        whereabouts_known: true,
        ..Default::default()
    };
    assert_eq!(p.classify(&child).unwrap().category, "not_missing");
    assert!(p.forbids_category(&child, "missing").is_some());
    assert!(p.forbids_action(&child, "report_to_police").is_some());
}

#[test]
fn looked_after_child_away_with_whereabouts_known_is_an_unauthorised_absence() {
    let p = load();
    let known = Facts {
        whereabouts_known: true,
        ..looked_after_foster(15)
    };
    assert_eq!(p.classify(&known).unwrap().category, "unauthorised_absence");

    let known_at_risk = Facts {
        risk_factors: vec!["cse".into()],
        ..known.clone()
    };
    assert_eq!(
        p.classify(&known_at_risk).unwrap().category,
        "unauthorised_absence_high_risk"
    );

    let unknown = looked_after_foster(15);
    assert_eq!(p.classify(&unknown).unwrap().category, "missing");
}

#[test]
fn return_home_interview_should_take_place_within_72_hours_of_being_found() {
    let p = load();
    let r = p.rule("br.rhi.within-72h").unwrap();
    assert_eq!(r.trigger, Trigger::Located);
    assert_eq!(r.role, "rhi_worker");
    assert_eq!(r.deadline, Deadline::Hours(72));
    assert_eq!(r.strength, Strength::Should);
    // ... and is arranged as soon as the Missing Co-ordinator's referral arrives.
    let arrange = p.rule("br.rhi.arrange-on-referral").unwrap();
    assert_eq!(arrange.trigger, Trigger::NotificationReceived("rhi_worker".into()));
    assert_eq!(arrange.deadline, Deadline::Immediately);
}

#[test]
fn strategy_meeting_within_24_hours_clashes_with_first_available_working_day() {
    let p = load();
    let early = p.rule("br.strategy.early-24h").unwrap();
    let cla = p.rule("br.cla.strategy-first-working-day").unwrap();
    assert_eq!(early.deadline, Deadline::Hours(24));
    assert_eq!(early.strength, Strength::Must);
    assert_eq!(cla.deadline, Deadline::FirstWorkingDay);
    assert!(
        early
            .note
            .as_deref()
            .unwrap()
            .contains("br.cla.strategy-first-working-day")
    );
    assert!(cla.note.as_deref().unwrap().contains("br.strategy.early-24h"));
}

#[test]
fn director_is_told_at_24_hours_in_one_place_and_72_hours_in_another() {
    let p = load();
    let at_24 = p.rule("br.cla.dcs-24h").unwrap();
    let at_72 = p.rule("br.cla.dcs-72h").unwrap();
    assert_eq!(at_24.trigger, Trigger::MissingFor(24.0));
    assert_eq!(at_72.trigger, Trigger::MissingFor(72.0));
    assert!(at_24.note.as_deref().unwrap().starts_with("Contradicts br.cla.dcs-72h"));
    assert!(at_72.note.as_deref().unwrap().starts_with("Contradicts br.cla.dcs-24h"));
    // At 48 hours the Director considers advising the Deputy Chief Executive.
    let dce = p.rule("br.cla.dcs-advise-deputy-chief-executive").unwrap();
    assert_eq!(dce.trigger, Trigger::MissingFor(48.0));
    assert_eq!(dce.role, "ad_dcs");
}

#[test]
fn looked_after_13_year_old_with_history_of_running_away_scores_blue_then_green() {
    let p = load();
    let tool = p.tool("bromley-mrat").unwrap();
    // Under 14 (3) + looked after (2) + previous history of running away (2) = 7: no concerns.
    let base = answers(&[("under_14", 3), ("looked_after", 2), ("history_of_running_away", 2)]);
    let total = tool.total(&base).unwrap();
    assert_eq!(total, 7);
    assert_eq!(tool.band(total).unwrap().rag, Rag::Blue);

    // Now missing over 24 hours (3) and known to associate with risky adults (2): 12, vulnerable to missing.
    let mut more = base.clone();
    more.extend(answers(&[("missing_duration_frequency", 3), ("risky_associates", 2)]));
    let total = tool.total(&more).unwrap();
    assert_eq!(total, 12);
    let band = tool.band(total).unwrap();
    assert_eq!(band.rag, Rag::Green);
    assert!(band.response.contains("preventative work"));
}

#[test]
fn risk_tool_bands_are_as_written_and_30_counts_as_amber() {
    let p = load();
    let tool = p.tool("bromley-mrat").unwrap();
    assert_eq!(tool.band(9).unwrap().rag, Rag::Blue);
    assert_eq!(tool.band(10).unwrap().rag, Rag::Green);
    assert_eq!(tool.band(29).unwrap().rag, Rag::Green);
    // "10 - 30" and "30 - 50" both contain 30; the more serious band wins.
    assert_eq!(
        tool.bands
            .iter()
            .filter(|b| 30 >= b.min && b.max.is_none_or(|m| 30 <= m))
            .count(),
        2
    );
    assert_eq!(tool.band(30).unwrap().rag, Rag::Amber);
    assert_eq!(tool.band(50).unwrap().rag, Rag::Amber);
    let red = tool.band(51).unwrap();
    assert_eq!(red.rag, Rag::Red);
    assert_eq!(red.max, None);
    assert!(red.response.contains("strategy meeting"));
}

#[test]
fn risk_tool_has_every_item_and_two_or_three_items_cannot_score_one() {
    let p = load();
    let tool = p.tool("bromley-mrat").unwrap();
    assert_eq!(tool.sections.len(), 8);
    assert_eq!(tool.sections.iter().map(|s| s.items.len()).sum::<usize>(), 69);
    assert_eq!(tool.max_total(), 125);
    assert!(tool.total(&answers(&[("sexual_exploitation", 1)])).is_err());
    assert_eq!(
        tool.total(&answers(&[("sexual_exploitation", 3), ("trafficking", 2)]))
            .unwrap(),
        5
    );
    assert!(tool.total(&answers(&[("not_an_item", 1)])).is_err());
}

#[test]
fn missing_uasc_under_18_keeps_looked_after_status() {
    let p = load();
    let uasc = Facts {
        age: 16,
        legal_status: vec![LegalStatus::Uasc],
        placement: Some(Placement::SemiIndependent),
        ..Default::default()
    };
    assert!(p.forbids_action(&uasc, "remove_looked_after_status").is_some());
    let lac_review = p.rule("br.uasc.lac-review-16-17").unwrap();
    assert!(lac_review.when.holds(&uasc));
    assert_eq!(lac_review.role, "iro");
}

#[test]
fn high_risk_child_outstanding_after_72_hours_goes_to_the_nca_bureau() {
    let p = load();
    let r = p.rule("br.police.high.nca-72h").unwrap();
    assert_eq!(r.trigger, Trigger::MissingFor(72.0));
    let high = Facts {
        risk: Some(RiskLevel::High),
        ..looked_after_foster(15)
    };
    let medium = Facts {
        risk: Some(RiskLevel::Medium),
        ..looked_after_foster(15)
    };
    assert!(r.when.holds(&high));
    assert!(!r.when.holds(&medium));
    let grades: Vec<RiskLevel> = p.risk.police_grades.iter().map(|g| g.level).collect();
    assert_eq!(grades, vec![RiskLevel::High, RiskLevel::Medium, RiskLevel::Low]);
}

// ------------------------------------------------------------------ re-read against the document

mod episodes;
use episodes::{child, leaves_for, protocol, t};
use safe_return::sim::Status;
use safe_return::sim::engine::{ActionParams, Engine, Obligation};
use std::sync::Arc;

/// A Bromley child of 14 in residential care (care order) leaving at `at` (whereabouts known or
/// not), with the trainee in `trainee`.
fn child_in_care_leaves(at: &str, known: bool, risk_factors: &[&str], trainee: Option<&str>) -> (Engine, usize) {
    let mut e = Engine::new(Arc::new(protocol("bromley-2020")), t("2024-03-04 08:00"), 7);
    e.automation.trainee_role = trainee.map(String::from);
    let mut profile = child("Test Child", 2010, vec![LegalStatus::S31], Placement::Residential);
    profile.risk_factors = risk_factors.iter().map(|s| s.to_string()).collect();
    let c = e.add_child(profile, "placement", vec![]);
    e.schedule(t(at), c, leaves_for("town", known));
    (e, c)
}

fn duties<'a>(e: &'a Engine, rule: &str) -> Vec<&'a Obligation> {
    e.obligations.iter().filter(|o| o.rule == rule).collect()
}

fn wrongful(e: &Engine) -> Vec<String> {
    e.obligations
        .iter()
        .filter(|o| o.status == Status::Wrongful)
        .map(|o| o.rule.clone())
        .collect()
}

/// The trainee in `role` classifies the child as `category` an hour after she leaves.
fn classified_by(role: &str, known: bool, category: &str) -> Vec<String> {
    let (mut e, c) = child_in_care_leaves("2024-03-04 12:00", known, &[], Some(role));
    let params = ActionParams {
        category: Some(category.into()),
        ..Default::default()
    };
    e.schedule_action(t("2024-03-04 13:00"), c, role, "classify_absence", params, true);
    e.run_until(t("2024-03-04 14:00"));
    wrongful(&e)
}

#[test]
fn the_police_calling_a_missing_child_absent_is_wrongful_calling_her_missing_is_not() {
    // 5: "the 'absent' category will no longer be used and there is now a single definition of
    // 'missing'", and the police "are ultimately responsible for deciding whether to categorise a
    // child as missing" (br.police.classify).
    assert!(classified_by("police_call_handler", false, "absent").contains(&"br.no-absent-category".to_string()));
    assert!(classified_by("police_call_handler", false, "missing").is_empty());
    assert_eq!(load().rule("br.police.classify").unwrap().strength, Strength::Must);
}

#[test]
fn the_carer_calling_a_child_at_her_aunts_missing_is_wrongful_away_without_authorisation_is_not() {
    // 9.5: "If the child's whereabouts are known or suspected … These children should NOT be
    // classified as missing nor reported to the Police."
    let w = classified_by("placement_provider", true, "missing");
    assert!(w.contains(&"br.whereabouts-known-not-missing".to_string()), "{w:?}");
    assert!(classified_by("placement_provider", true, "unauthorised_absence").is_empty());
    assert!(classified_by("placement_provider", true, "absent").contains(&"br.no-absent-category".to_string()));
}

#[test]
fn a_child_in_care_whose_whereabouts_are_suspected_is_not_missing_and_not_reported() {
    // 9.5: "known or suspected": suspected (not confirmed) is no more missing than known.
    let p = load();
    let suspected = Facts {
        risk_factors: vec!["whereabouts_suspected".into()],
        ..looked_after_foster(15)
    };
    assert_eq!(p.classify(&suspected).unwrap().category, "unauthorised_absence");
    assert!(p.forbids_category(&suspected, "missing").is_some());
    assert!(p.forbids_action(&suspected, "report_to_police").is_some());
    let at_home = Facts {
        age: 15,
        risk_factors: vec!["whereabouts_suspected".into()],
        ..Default::default()
    };
    assert_eq!(p.classify(&at_home).unwrap().category, "not_missing");
    // Whereabouts unknown and unsuspected: missing, and reported.
    assert_eq!(p.classify(&looked_after_foster(15)).unwrap().category, "missing");
    assert!(p.forbids_action(&looked_after_foster(15), "report_to_police").is_none());
}

#[test]
fn a_strategy_meeting_on_the_first_available_working_day_is_that_day_in_office_hours() {
    // 9.2: "Ensuring that a Strategy Meeting is arranged on the first available working day". Gone
    // at noon on Monday: Monday. Gone at 7 pm on Monday: by the close of Tuesday.
    let (mut e, _) = child_in_care_leaves("2024-03-04 12:00", false, &[], None);
    e.run_until(t("2024-03-04 13:00"));
    let same = duties(&e, "br.cla.strategy-same-working-day");
    assert_eq!(same.len(), 1);
    assert_eq!(same[0].due_at.map(|d| d.date()), Some(t("2024-03-04 00:00").date()));
    assert!(duties(&e, "br.cla.strategy-first-working-day").is_empty());
    let (mut e, _) = child_in_care_leaves("2024-03-04 19:00", false, &[], None);
    e.run_until(t("2024-03-04 20:00"));
    let next = duties(&e, "br.cla.strategy-first-working-day");
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].due_at, Some(t("2024-03-05 17:00")));
    assert!(duties(&e, "br.cla.strategy-same-working-day").is_empty());
}

#[test]
fn a_media_strategy_is_agreed_before_any_publicity_not_for_every_missing_child_in_care() {
    // 9.7: "decisions to publicise a missing Child Looked After will only be taken after
    // discussions … to agree a media strategy". No publicity: nothing to agree.
    let (mut e, c) = child_in_care_leaves("2024-03-04 12:00", false, &[], None);
    e.finish(t("2024-03-06 12:00"));
    assert!(duties(&e, "br.media.agree-strategy").is_empty());
    // Publicised on Tuesday without a strategy agreed: the Director's part is not done in time.
    let (mut e, c2) = child_in_care_leaves("2024-03-04 12:00", false, &[], Some("ad_dcs"));
    e.schedule_action(
        t("2024-03-05 10:00"),
        c2,
        "misper_unit",
        "publicise_missing_child",
        Default::default(),
        false,
    );
    e.finish(t("2024-03-06 12:00"));
    let d = duties(&e, "br.media.agree-strategy");
    assert_eq!(d.len(), 1);
    assert!(matches!(d[0].status, Status::Missed | Status::Late), "{:?}", d[0]);
    let _ = c;
    // Agreed on Monday evening, publicised on Tuesday: met.
    let (mut e, c3) = child_in_care_leaves("2024-03-04 12:00", false, &[], Some("ad_dcs"));
    e.schedule_action(
        t("2024-03-04 18:00"),
        c3,
        "ad_dcs",
        "agree_media_strategy",
        Default::default(),
        true,
    );
    e.schedule_action(
        t("2024-03-05 10:00"),
        c3,
        "misper_unit",
        "publicise_missing_child",
        Default::default(),
        false,
    );
    e.finish(t("2024-03-06 12:00"));
    assert_eq!(duties(&e, "br.media.agree-strategy")[0].status, Status::Met);
}

#[test]
fn a_green_score_asks_the_social_worker_for_preventative_work_and_other_staff_for_early_help() {
    // Appendix 4: "10 - 30 = Vulnerable to Missing (Green RAG rating) Social Worker to undertake
    // preventative work with the young person / Other staff to refer for early intervention".
    let green = [
        ("looked_after", 2),
        ("history_of_running_away", 2),
        ("missing_duration_frequency", 3),
        ("risky_associates", 2),
        ("sexual_exploitation", 3),
    ];
    for (who, rule, other) in [
        (
            "social_worker",
            "br.mrat.green-preventative-work",
            "br.mrat.green-other-staff-early-intervention",
        ),
        (
            "practitioner",
            "br.mrat.green-other-staff-early-intervention",
            "br.mrat.green-preventative-work",
        ),
    ] {
        let (mut e, c) = child_in_care_leaves("2024-03-04 12:00", false, &[], Some(who));
        let params = ActionParams {
            answers: green.iter().map(|(id, s)| (id.to_string(), *s)).collect(),
            ..Default::default()
        };
        e.schedule_action(t("2024-03-04 13:00"), c, who, "complete_risk_assessment", params, true);
        e.run_until(t("2024-03-04 14:00"));
        let arose = |r: &str| {
            duties(&e, r)
                .iter()
                .any(|o| o.fired_at == t("2024-03-04 13:00") && o.status != Status::NotApplicable)
        };
        assert!(arose(rule), "{who}: {rule}");
        assert!(!arose(other), "{who}: {other}");
        assert!(!arose("br.mrat.amber-red-cp-procedures"), "{who}: green is not amber");
    }
}

#[test]
fn strategy_discussions_consider_a_health_alert_and_a_media_strategy_they_need_not_agree_one() {
    // 9.1: "Strategy discussions should also consider: The need to initiate a missing child health
    // alert … Agreements in relation to a Media Strategy" — and communication and the action to
    // locate the child.
    let p = load();
    let after_meeting = |action: &str| {
        p.rules
            .iter()
            .filter(|r| r.trigger == Trigger::Done("hold_strategy_meeting".into()) && r.action == action)
            .count()
    };
    assert_eq!(after_meeting("initiate_health_alert"), 0);
    assert_eq!(after_meeting("agree_media_strategy"), 0);
    for a in [
        "consider_health_alert",
        "consider_media_strategy",
        "agree_communication",
        "agree_actions_to_locate",
    ] {
        assert_eq!(after_meeting(a), 1, "{a}");
    }
    // No media strategy is asked for every missing child in care on the report.
    assert!(
        p.rules
            .iter()
            .all(|r| !(r.action == "agree_media_strategy" && r.trigger == Trigger::ReportedMissing))
    );
}

#[test]
fn expectations_of_parents_and_almost_always_are_should_not_must() {
    // 6.2: "It is expected that parents and carers will take all reasonable and practicable steps to
    // locate a child … and inform the police without delay"; 5: high risk "almost always requires
    // the immediate deployment of police resources".
    let p = load();
    for id in [
        "br.notify.parents-search",
        "br.notify.parents-report",
        "br.police.high.deploy",
    ] {
        assert_eq!(p.rule(id).unwrap().strength, Strength::Should, "{id}");
    }
    // "Without delay" is for the report; the search has no time.
    assert_eq!(p.rule("br.notify.parents-search").unwrap().deadline, Deadline::NoLimit);
    assert_eq!(
        p.rule("br.notify.parents-report").unwrap().deadline,
        Deadline::Immediately
    );
}

#[test]
fn qualifiers_the_text_sets_are_kept_unplanned_placements_grounds_to_suspect_newly_looked_after() {
    let p = load();
    let lac = looked_after_foster(15);
    let with = |f: &str| Facts {
        risk_factors: vec![f.into()],
        ..lac.clone()
    };
    // 9.4: prior assessments shared "in emergency or unplanned placements".
    let share = p.rule("br.placement.share-prior-assessments").unwrap();
    assert!(!share.when.holds(&lac) && share.when.holds(&with("unplanned_placement")));
    // 9.4: a preventative discussion "if there are grounds to suspect that the young person is
    // likely to go missing from their new placement".
    let prevent = p.rule("br.placement.preventative-strategy").unwrap();
    assert!(!prevent.when.holds(&lac) && prevent.when.holds(&with("risk_of_going_missing")));
    // 10.3: asylum-seeking children "who go missing immediately after becoming looked after".
    let uasc = |f: Vec<String>| Facts {
        legal_status: vec![LegalStatus::Uasc],
        risk_factors: f,
        ..lac.clone()
    };
    let traffic = p.rule("br.trafficking.uasc-missing-after-lac").unwrap();
    assert!(!traffic.when.holds(&uasc(vec![])));
    assert!(traffic.when.holds(&uasc(vec!["newly_looked_after".into()])));
    // 9.7: police record their reasons only where they publicise against the LA's wishes.
    let reasons = p.rule("br.media.police-record-reasons").unwrap();
    assert!(!reasons.when.holds(&lac) && reasons.when.holds(&with("publicity_against_la_wishes")));
}
