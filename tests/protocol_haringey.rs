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
