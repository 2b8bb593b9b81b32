//! Havering Safeguarding Children Partnership, Missing from home or care protocol 2023 - 2025:
//! practice points from the May 2023 version and what the October 2023 revision changed.

use safe_return::protocol::{Deadline, Facts, LegalStatus, Placement, Strength, Trigger, load_protocol};

fn load(file: &str) -> safe_return::protocol::Protocol {
    let path = format!("{}/assets/protocols/{file}", env!("CARGO_MANIFEST_DIR"));
    load_protocol(std::path::Path::new(&path)).unwrap().protocol
}

fn may() -> safe_return::protocol::Protocol {
    load("havering-2023-05.ron")
}

fn oct() -> safe_return::protocol::Protocol {
    load("havering-2023-10.ron")
}

fn child_in_care(age: i64) -> Facts {
    Facts {
        age,
        legal_status: vec![LegalStatus::S31],
        placement: Some(Placement::Residential),
        ..Default::default()
    }
}

#[test]
fn child_in_care_whose_whereabouts_are_known_is_absent_not_missing() {
    for p in [may(), oct()] {
        let known = Facts {
            whereabouts_known: true,
            ..child_in_care(15)
        };
        assert_eq!(p.classify(&known).unwrap().category, "absent");

        let at_home_known = Facts {
            age: 15,
            whereabouts_known: true,
            ..Default::default()
        };
        assert_eq!(p.classify(&at_home_known).unwrap().category, "not_missing");

        // "Anyone whose whereabouts cannot be established will be considered as missing".
        assert_eq!(p.classify(&child_in_care(15)).unwrap().category, "missing");
        let at_home = Facts {
            age: 9,
            ..Default::default()
        };
        assert_eq!(p.classify(&at_home).unwrap().category, "missing");
    }
}

#[test]
fn absent_children_must_be_monitored_daily_until_they_return() {
    let p = may();
    let r = p.rule("hv.absent.monitor-daily").unwrap();
    assert_eq!(r.trigger, Trigger::ClassifiedAs("absent".into()));
    assert_eq!(r.deadline, Deadline::Days(1));
    let repeat = r.repeat.as_ref().unwrap();
    assert_eq!(repeat.every, Deadline::Days(1));
    assert_eq!(repeat.until, Trigger::Returned);
}

#[test]
fn rhi_must_be_offered_within_72_hours_of_return() {
    for p in [may(), oct()] {
        let r = p.rule("hv.rhi.offer-72h").unwrap();
        assert_eq!(r.trigger, Trigger::Returned);
        assert_eq!(r.role, "rhi_worker");
        assert_eq!(r.action, "offer_rhi");
        assert_eq!(r.deadline, Deadline::Hours(72));
        assert_eq!(r.strength, Strength::Must);
        // The parent/carer cannot decline an RHI on behalf of the young person.
        assert!(p.forbids_action(&child_in_care(14), "decline_rhi_for_child").is_some());
    }
}

#[test]
fn strategy_meeting_by_day_7_contradicts_appendix_g_day_5_and_72_hours() {
    let p = may();
    let day7 = p.rule("hv.strategy.hold-by-day-7").unwrap();
    let day5 = p.rule("hv.strategy.appx-g.hold-by-day-5").unwrap();
    let at72 = p.rule("hv.strategy.appx-g.meeting-at-72h").unwrap();
    assert_eq!(day7.deadline, Deadline::Days(7));
    assert_eq!(day5.deadline, Deadline::Days(5));
    assert_eq!(at72.deadline, Deadline::Hours(72));
    assert!(
        day7.note
            .as_deref()
            .unwrap()
            .contains("hv.strategy.appx-g.hold-by-day-5")
    );
    assert!(day5.note.as_deref().unwrap().contains("hv.strategy.hold-by-day-7"));
    // The request (form 87a) follows 48 hours missing.
    assert_eq!(
        p.rule("hv.strategy.request-48h").unwrap().trigger,
        Trigger::MissingFor(48.0)
    );
}

#[test]
fn strategy_meetings_repeat_weekly_until_the_child_is_located() {
    let p = may();
    let weekly = p.rule("hv.strategy.weekly-until-located").unwrap();
    assert_eq!(weekly.trigger, Trigger::MissingFor(168.0));
    let repeat = weekly.repeat.as_ref().unwrap();
    assert_eq!(repeat.every, Deadline::Days(7));
    assert_eq!(repeat.until, Trigger::Located);
    // Appendix G starts the weekly reviews once the child is missing past five days.
    let appx_g = p.rule("hv.strategy.appx-g.weekly-after-5-days").unwrap();
    assert_eq!(appx_g.trigger, Trigger::MissingFor(120.0));
}

#[test]
fn three_episodes_in_three_months_call_for_a_strategy_meeting() {
    let p = may();
    let r = p.rule("hv.strategy.appx-g.three-in-3-months").unwrap();
    assert_eq!(
        r.trigger,
        Trigger::EpisodeCount {
            episodes: 3,
            within_days: 90
        }
    );
    assert_eq!(r.action, "request_strategy_meeting");
    let step = &p.risk.ladders[0].steps[0];
    assert_eq!((step.episodes, step.within_days), (3, 90));
}

#[test]
fn grab_pack_shared_within_72_hours_for_children_in_care_aged_11_and_over() {
    let p = may();
    let r = p.rule("hv.grab-pack.share-72h").unwrap();
    assert_eq!(r.trigger, Trigger::PlacementStarted);
    assert_eq!(r.role, "team_manager");
    assert_eq!(r.deadline, Deadline::Hours(72));
    assert!(r.when.holds(&child_in_care(11)));
    assert!(!r.when.holds(&child_in_care(10)));
}

#[test]
fn placements_do_not_contact_edt_for_over_18s() {
    for p in [may(), oct()] {
        let care_leaver = child_in_care(18);
        assert!(p.forbids_action(&care_leaver, "notify_edt").is_some());
        assert!(p.forbids_action(&child_in_care(17), "notify_edt").is_none());
    }
}

#[test]
fn october_revision_adds_unauthorised_absence_email_schools_and_health() {
    let (old, new) = (may(), oct());
    assert_eq!(new.supersedes.as_deref(), Some("havering-2023-05"));
    // Oct-23 flowchart: the placement emails the social worker about an unauthorised absence.
    assert!(old.rule("hv.appx-e.unauthorised-absence-inform-sw").is_none());
    let ua = new.rule("hv.appx-e.unauthorised-absence-inform-sw").unwrap();
    assert_eq!(ua.trigger, Trigger::ClassifiedAs("absent".into()));
    assert_eq!(ua.role, "placement_provider");
    // Schools are told when the child is missing and when found; health needs are considered.
    for id in [
        "hv.edu.inform-school-missing",
        "hv.edu.inform-school-found",
        "hv.health.needs-while-missing",
    ] {
        assert!(old.rule(id).is_none(), "{id} should be new in Oct-23");
        assert_eq!(new.rule(id).unwrap().strength, Strength::Should);
    }
    // The Oyster Card must now be registered when a child comes into care.
    assert!(old.rule("hv.grab-pack.oyster-card-registered").is_none());
    assert!(new.rule("hv.grab-pack.oyster-card-registered").is_some());
    // Missing episodes are discussed at each LAC review "with all involved Partners".
    assert!(
        !old.rule("hv.iro.lac-review")
            .unwrap()
            .citation
            .quote
            .contains("Partners")
    );
    assert!(
        new.rule("hv.iro.lac-review")
            .unwrap()
            .citation
            .quote
            .contains("with all involved Partners")
    );
}

#[test]
fn october_flowchart_no_longer_states_police_checks_or_48_hour_rhi_review() {
    let (old, new) = (may(), oct());
    let high = old.rule("hv.appx-e.police-check-high-1h").unwrap();
    assert_eq!(high.deadline, Deadline::Hours(1));
    assert_eq!(
        old.rule("hv.appx-e.police-check-medium-24h").unwrap().deadline,
        Deadline::Hours(24)
    );
    assert_eq!(
        old.rule("hv.appx-e.rhi-review-48h.iro").unwrap().deadline,
        Deadline::Hours(48)
    );
    for id in [
        "hv.appx-e.police-check-high-1h",
        "hv.appx-e.police-check-medium-24h",
        "hv.appx-e.rhi-review-48h.iro",
    ] {
        assert!(new.rule(id).is_none(), "{id} is not in the Oct-23 text");
    }
    // Rules in both versions keep their ids and their substance.
    let (a, b) = (
        old.rule("hv.strategy.hold-by-day-7").unwrap(),
        new.rule("hv.strategy.hold-by-day-7").unwrap(),
    );
    assert_eq!(a.deadline, b.deadline);
    assert_eq!(a.citation.quote, b.citation.quote);
    assert_eq!(b.citation.doc, "havering-2023-10");
}
