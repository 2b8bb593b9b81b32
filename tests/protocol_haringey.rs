//! London Borough of Haringey, Missing Children Protocol (June 2021): practice points.

use safe_return::protocol::{Deadline, Facts, LegalStatus, Placement, Rag, Strength, Trigger, load_protocol};

fn load() -> safe_return::protocol::Protocol {
    load_protocol(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/protocols/haringey-2021.ron"
    )))
    .unwrap()
    .protocol
}

fn at_home(age: i64) -> Facts {
    Facts {
        age,
        legal_status: vec![LegalStatus::NoStatus],
        placement: Some(Placement::Home),
        ..Default::default()
    }
}

fn in_foster_care(age: i64) -> Facts {
    Facts {
        age,
        legal_status: vec![LegalStatus::S31],
        placement: Some(Placement::Foster),
        ..Default::default()
    }
}

#[test]
fn any_child_aged_12_or_under_whose_whereabouts_are_unknown_is_missing() {
    let p = load();
    for child in [at_home(12), at_home(7), in_foster_care(12)] {
        assert_eq!(p.classify(&child).unwrap().category, "missing");
        // "Absent" is only for a child aged 13 or over.
        assert!(p.forbids_category(&child, "absent").is_some());
    }
}

#[test]
fn child_of_13_or_over_away_without_concern_is_absent() {
    let p = load();
    let child = Facts {
        hours_away: 3.0,
        ..at_home(13)
    };
    assert_eq!(p.classify(&child).unwrap().category, "absent");
    assert!(p.forbids_category(&child, "absent").is_none());
    // 6.2 applies to children missing from home or care alike.
    let in_care = Facts {
        hours_away: 3.0,
        ..in_foster_care(15)
    };
    assert_eq!(p.classify(&in_care).unwrap().category, "absent");
}

#[test]
fn out_of_character_absence_or_risk_of_harm_is_missing_straight_away() {
    let p = load();
    let child = Facts {
        hours_away: 1.0,
        risk_factors: vec!["out_of_character".into()],
        ..at_home(15)
    };
    assert_eq!(p.classify(&child).unwrap().category, "missing");
    let harm = Facts {
        hours_away: 1.0,
        risk_factors: vec!["risk_of_harm".into()],
        ..in_foster_care(16)
    };
    assert_eq!(p.classify(&harm).unwrap().category, "missing");
}

#[test]
fn absent_child_with_no_contact_for_24_hours_becomes_missing_and_must_be_reported() {
    let p = load();
    let child = Facts {
        hours_away: 24.0,
        ..at_home(15)
    };
    assert_eq!(p.classify(&child).unwrap().category, "missing");

    let home = p.rule("hg.defs.absent-to-missing-report-home").unwrap();
    assert_eq!(home.trigger, Trigger::MissingFor(24.0));
    assert_eq!(home.role, "parent_carer");
    assert_eq!(home.action, "report_to_police");
    assert_eq!(home.strength, Strength::Must);
    let care = p.rule("hg.defs.absent-to-missing-report-care").unwrap();
    assert_eq!(care.role, "placement_provider");
}

#[test]
fn child_whose_whereabouts_are_known_cannot_be_missing() {
    let p = load();
    let home = Facts {
        whereabouts_known: true,
        ..at_home(10)
    };
    assert_eq!(p.classify(&home).unwrap().category, "not_missing");
    assert!(p.forbids_category(&home, "missing").is_some());

    let in_care = Facts {
        whereabouts_known: true,
        ..in_foster_care(14)
    };
    assert_eq!(p.classify(&in_care).unwrap().category, "unauthorised_absence");
}

#[test]
fn mash_completes_the_risk_assessment_record_by_rag_rating() {
    let p = load();
    let by_rag = |rag: Rag| p.risk.mash_rag.iter().find(|m| m.rag == rag).unwrap().response;
    assert_eq!(by_rag(Rag::Red), Deadline::Hours(4));
    assert_eq!(by_rag(Rag::Amber), Deadline::Hours(24));
    assert_eq!(by_rag(Rag::Green), Deadline::Hours(72));
    let all = p.rule("hg.defs.risk-assess-missing-72h").unwrap();
    assert_eq!(all.deadline, Deadline::Hours(72));
    // 14.1: the record is due by the rating: the shortest limit that applies to the child.
    let due_for = |rating: Option<&str>| {
        let child = Facts {
            risk_factors: rating.map(String::from).into_iter().collect(),
            ..at_home(14)
        };
        p.rules
            .iter()
            .filter(|r| {
                r.trigger == Trigger::NotificationReceived("mash".into())
                    && r.action == "complete_risk_assessment"
                    && r.when.holds(&child)
            })
            .map(|r| r.deadline)
            .collect::<Vec<_>>()
    };
    assert_eq!(due_for(None), vec![Deadline::Hours(72)], "Green");
    assert!(due_for(Some("mash_rag_amber")).contains(&Deadline::Hours(24)));
    assert!(due_for(Some("mash_rag_red")).contains(&Deadline::Hours(4)));
    assert!(!due_for(Some("mash_rag_red")).contains(&Deadline::Hours(24)));
}

#[test]
fn return_interview_within_72_hours_by_someone_not_involved_in_the_childs_care() {
    let p = load();
    let r = p.rule("hg.rhi.within-72h").unwrap();
    assert_eq!(r.trigger, Trigger::Returned);
    assert_eq!(r.role, "rhi_worker");
    assert_eq!(r.deadline, Deadline::Hours(72));
    assert_eq!(r.strength, Strength::Should);
    assert!(p.forbids_action(&at_home(14), "rhi_by_direct_carer").is_some());
    assert!(
        p.forbids_action(&in_foster_care(14), "rhi_by_placement_line_management")
            .is_some()
    );
    // The child must always be seen on their own.
    assert_eq!(p.rule("hg.rhi.seen-alone").unwrap().strength, Strength::Must);
}

#[test]
fn return_interview_for_any_episode_contradicts_24_hour_referral_for_children_in_care() {
    let p = load();
    let any = p.rule("hg.rhi.offer").unwrap();
    let cla = p.rule("hg.care.rhi-referral-24h").unwrap();
    assert_eq!(cla.trigger, Trigger::MissingFor(24.0));
    assert_eq!(cla.action, "refer_to_missing_coordinator");
    assert!(any.note.as_deref().unwrap().contains("hg.care.rhi-referral-24h"));
    assert!(cla.note.as_deref().unwrap().starts_with("Contradicts hg.rhi.offer"));
}

#[test]
fn health_alert_must_be_initiated_yet_strategy_meeting_only_considers_it() {
    let p = load();
    let must = p.rule("hg.health.alert").unwrap();
    assert_eq!(must.role, "health");
    assert_eq!(must.strength, Strength::Must);
    let consider = p.rule("hg.strategy.consider-health-alert").unwrap();
    assert_eq!(consider.trigger, Trigger::Done("hold_strategy_meeting".into()));
    assert!(
        must.note
            .as_deref()
            .unwrap()
            .contains("hg.strategy.consider-health-alert")
    );
    assert!(consider.note.as_deref().unwrap().contains("hg.health.alert"));
}

#[test]
fn strategy_discussion_at_five_days_and_meetings_at_least_six_weekly() {
    let p = load();
    assert_eq!(
        p.rule("hg.mash.five-days-strategy").unwrap().trigger,
        Trigger::MissingFor(120.0)
    );
    let six = p.rule("hg.absence.six-weekly-strategy").unwrap();
    assert_eq!(six.deadline, Deadline::Days(42));
    assert_eq!(six.repeat.as_ref().unwrap().every, Deadline::Days(42));
}

#[test]
fn three_missing_episodes_in_six_months_is_threshold_level_three() {
    let p = load();
    let step = &p.risk.ladders[0].steps[0];
    assert_eq!((step.episodes, step.within_days), (3, 183));
    let r = p.rule("hg.mash.repeat-level-three").unwrap();
    let repeat = Facts {
        episode_ages_days: vec![0.0, 40.0, 150.0],
        ..at_home(14)
    };
    let older = Facts {
        episode_ages_days: vec![0.0, 40.0, 200.0],
        ..at_home(14)
    };
    assert!(r.when.holds(&repeat));
    assert!(!r.when.holds(&older));
}

#[test]
fn senior_oversight_for_children_in_care_missing_24_hours_and_three_months() {
    let p = load();
    let ad = p.rule("hg.absence.ad-notified-24h").unwrap();
    assert_eq!(ad.trigger, Trigger::MissingFor(24.0));
    assert_eq!(ad.role, "head_of_safeguarding");
    assert!(ad.when.holds(&in_foster_care(15)));
    assert!(!ad.when.holds(&at_home(15)));
    let review = p.rule("hg.absence.ad-three-month-review").unwrap();
    assert_eq!(review.trigger, Trigger::MissingFor(2184.0));
    assert_eq!(review.role, "ad_dcs");
}

// ------------------------------------------------------------------ re-read against the document

mod episodes;
use episodes::{child, leaves_for, protocol, t};
use safe_return::sim::Status;
use safe_return::sim::engine::{ActionParams, Engine, Happening};
use std::sync::Arc;

/// A Haringey child of `born` with this status and placement, leaving at 12:00 on Monday 4
/// March 2024 (whereabouts unknown), with the trainee in `trainee`.
fn haringey_child_leaves(
    born: i32,
    status: Vec<LegalStatus>,
    placement: Placement,
    risk_factors: &[&str],
    trainee: Option<&str>,
) -> (Engine, usize) {
    let mut e = Engine::new(Arc::new(protocol("haringey-2021")), t("2024-03-04 10:00"), 7);
    e.automation.trainee_role = trainee.map(String::from);
    let mut profile = child("Test Child", born, status, placement);
    profile.risk_factors = risk_factors.iter().map(|s| s.to_string()).collect();
    let c = e.add_child(profile, "placement", vec![]);
    e.schedule(t("2024-03-04 12:00"), c, leaves_for("town", false));
    (e, c)
}

fn duties<'a>(e: &'a Engine, rule: &str) -> Vec<&'a safe_return::sim::engine::Obligation> {
    e.obligations.iter().filter(|o| o.rule == rule).collect()
}

fn wrongful(e: &Engine) -> Vec<String> {
    e.obligations
        .iter()
        .filter(|o| o.status == Status::Wrongful)
        .map(|o| o.rule.clone())
        .collect()
}

#[test]
fn a_15_year_old_at_immediate_risk_or_feared_to_come_to_significant_harm_is_missing_at_once_not_absent() {
    // 6.2: missing where "the context suggests the person may be … at risk of harm"; absent only
    // where the absence "does not raise concern for their immediate safety".
    let p = load();
    for factor in ["significant_harm", "immediate_risk"] {
        let child = Facts {
            hours_away: 0.5,
            risk_factors: vec![factor.into()],
            ..at_home(15)
        };
        assert_eq!(p.classify(&child).unwrap().category, "missing", "{factor}");
    }
    // Without a concern she is absent for up to 24 hours.
    let no_concern = Facts {
        hours_away: 0.5,
        ..at_home(15)
    };
    assert_eq!(p.classify(&no_concern).unwrap().category, "absent");
}

#[test]
fn a_child_absent_then_missing_is_risk_assessed_within_72_hours_of_going_away_not_96() {
    // 6.1: "All absent and missing children should be risk assessed within 72 hours". A
    // 15-year-old at home absent at noon on Monday becomes missing at 24 hours: the assessment is
    // still due at noon on Thursday, once.
    let (mut e, _) = haringey_child_leaves(2009, vec![LegalStatus::NoStatus], Placement::Home, &[], None);
    e.run_until(t("2024-03-05 13:00"));
    let ra = duties(&e, "hg.defs.risk-assess-missing-72h");
    assert_eq!(ra.len(), 1, "{ra:?}");
    assert_eq!(ra[0].due_at, Some(t("2024-03-07 12:00")));
    assert!(load().rule("hg.defs.risk-assess-absent-72h").is_none());
}

#[test]
fn agencies_tell_the_parent_to_report_once_the_child_is_missing_not_while_she_is_absent() {
    // 19.1: "If it comes to the attention of any agency that a child is missing, they must advise
    // the parent/carer of their need to report this matter to the police." A 15-year-old absent
    // without concern is not yet missing: no advice is owed until she is, at 24 hours.
    let (mut e, _) = haringey_child_leaves(2009, vec![LegalStatus::NoStatus], Placement::Home, &[], None);
    e.run_until(t("2024-03-05 11:00"));
    assert!(duties(&e, "hg.agencies.advise-report").is_empty());
    e.run_until(t("2024-03-05 12:30"));
    let advice = duties(&e, "hg.agencies.advise-report");
    assert_eq!(advice.len(), 1);
    assert_eq!(advice[0].fired_at, t("2024-03-05 12:00"));
}

#[test]
fn the_72_hour_placement_planning_meeting_is_for_unplanned_placements_only() {
    // 8.1: "When the placements are unplanned there is an expectation that the placement planning
    // meeting should be completed within 72 hours of the first placement start date."
    let p = load();
    let r = p.rule("hg.planning.unplanned-ppm-72h").unwrap();
    assert!(!r.when.holds(&in_foster_care(14)), "a planned placement");
    let unplanned = Facts {
        risk_factors: vec!["unplanned_placement".into()],
        ..in_foster_care(14)
    };
    assert!(r.when.holds(&unplanned));
    assert_eq!(r.deadline, Deadline::Hours(72));
}

#[test]
fn a_child_who_declines_the_interview_is_owed_a_record_of_it_not_a_seen_alone_interview() {
    // 22.2: "The child must always be seen on their own" — in an interview held; "if this has not
    // been possible due to the lack of response or engagement … then this should be recorded".
    let p = load();
    for id in ["hg.rhi.seen-alone", "hg.rhi.consent-to-share"] {
        assert_eq!(p.rule(id).unwrap().trigger, Trigger::InterviewCompleted, "{id}");
    }
    assert_eq!(p.rule("hg.rhi.seen-alone").unwrap().strength, Strength::Must);
    // The record follows the refusal, not every offer.
    assert_eq!(
        p.rule("hg.rhi.record-not-possible").unwrap().trigger,
        Trigger::InterviewDeclined
    );
}

#[test]
fn the_police_calling_a_12_year_old_absent_is_wrongful_calling_her_missing_is_not() {
    // 6.2: "Any child aged 12 or below whose whereabouts cannot be established" is missing; the
    // absent category is for children aged 13 or over. The police determine the definition on the
    // report (hg.police.classify-report).
    for (category, wrong) in [("absent", true), ("missing", false)] {
        let (mut e, c) = haringey_child_leaves(
            2012,
            vec![LegalStatus::NoStatus],
            Placement::Home,
            &[],
            Some("response_officer"),
        );
        let params = ActionParams {
            category: Some(category.into()),
            ..Default::default()
        };
        e.schedule_action(
            t("2024-03-04 13:00"),
            c,
            "response_officer",
            "classify_absence",
            params,
            true,
        );
        e.run_until(t("2024-03-04 14:00"));
        let w = wrongful(&e);
        assert_eq!(
            w.contains(&"hg.absent-only-13-and-over".to_string()),
            wrong,
            "{category}: {w:?}"
        );
        if !wrong {
            assert!(w.is_empty(), "{category}: {w:?}");
        }
    }
    assert!(
        load()
            .actions_for_role("response_officer")
            .contains(&"classify_absence")
    );
}

#[test]
fn only_the_police_are_bound_not_to_use_force_or_publish_the_photograph_without_consent() {
    // 21.3 "The Police do not have the power … to use force to take a child into Police
    // Protection"; 7.4 "The police would be required to seek consent from the local authority
    // prior to publishing the photograph in the media".
    let p = load();
    for id in [
        "hg.no-force-into-police-protection",
        "hg.no-media-photo-without-la-consent",
    ] {
        let x = p.prohibitions.iter().find(|x| x.id == id).unwrap();
        assert!(
            x.binds(Some("response_officer")) && x.binds(Some("misper_unit")),
            "{id}"
        );
        assert!(!x.binds(Some("social_worker")), "{id}");
    }
    // Seeking consent is a condition on publishing, not a duty for every high-risk child.
    assert!(p.rule("hg.prevention.media-photo-consent").is_none());
    assert!(p.rules.iter().all(|r| r.action != "seek_la_consent_to_publish_photo"));
}

#[test]
fn repeat_episode_factors_and_level_three_grading_are_for_the_children_the_text_names() {
    let p = load();
    // 13.4 "repeated missing episodes": not a first episode.
    let factors = p.rule("hg.police.repeat-episode-factors").unwrap();
    let first = Facts {
        episode_ages_days: vec![0.0],
        ..at_home(14)
    };
    let again = Facts {
        episode_ages_days: vec![0.0, 60.0],
        ..at_home(14)
    };
    assert!(!factors.when.holds(&first) && factors.when.holds(&again));
    // 14.5 "New referrals to the MASH": not a child in care, already open.
    let level3 = p.rule("hg.mash.repeat-level-three").unwrap();
    let three = |f: Facts| Facts {
        episode_ages_days: vec![0.0, 40.0, 150.0],
        ..f
    };
    assert!(level3.when.holds(&three(at_home(14))));
    assert!(!level3.when.holds(&three(in_foster_care(14))));
    // 11.2: high risk and a multi-agency plan required; 18.5 asks it of every high-risk child with "should".
    let panel = p.rule("hg.panel.high-risk-referral").unwrap();
    assert_eq!(panel.when.risk_factors, vec!["multi_agency_plan_required".to_string()]);
    assert_eq!(
        p.rule("hg.absence.panel-referral-high-risk").unwrap().strength,
        Strength::Should
    );
}

#[test]
fn the_placement_is_recorded_as_to_be_sought_only_where_the_decision_is_to_end_it() {
    // 18.6: "If the decision outcome is to end the placement, then it will be recorded …".
    let p = load();
    let r = p.rule("hg.absence.record-placement-sought").unwrap();
    assert!(!r.when.holds(&in_foster_care(15)));
    let ending = Facts {
        risk_factors: vec!["placement_to_end".into()],
        ..in_foster_care(15)
    };
    assert!(r.when.holds(&ending));
    // The decision itself must be an outcome of the three-month review.
    assert_eq!(
        p.rule("hg.absence.placement-decision").unwrap().strength,
        Strength::Must
    );
}

#[test]
fn a_placing_authority_agrees_who_returns_the_child_once_her_location_is_known_or_suspected() {
    // 17.4: "If the location of the child is known or suspected, the placing authority and
    // placement provider must liaise to agree responsibility for locating and returning the child."
    let (mut e, c) = haringey_child_leaves(
        2008,
        vec![LegalStatus::S31],
        Placement::Residential,
        &["whereabouts_suspected"],
        None,
    );
    e.schedule(
        t("2024-03-04 15:00"),
        c,
        Happening::WhereaboutsKnown {
            at: "friends".into(),
            note: String::new(),
        },
    );
    e.run_until(t("2024-03-04 16:00"));
    for id in [
        "hg.ooa.agree-return-responsibility-suspected",
        "hg.ooa.provider-agree-return-responsibility-suspected",
    ] {
        assert_eq!(duties(&e, id).len(), 1, "{id}");
        assert_eq!(duties(&e, id)[0].fired_at, t("2024-03-04 12:00"), "{id}");
    }
    for id in [
        "hg.ooa.agree-return-responsibility-known",
        "hg.ooa.provider-agree-return-responsibility-known",
    ] {
        assert_eq!(duties(&e, id).len(), 1, "{id}");
        assert_eq!(duties(&e, id)[0].fired_at, t("2024-03-04 15:00"), "{id}");
    }
}
