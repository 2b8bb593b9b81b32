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

// ------------------------------------------------------------------ episodes run through the engine

use std::sync::Arc;

use safe_return::sim::Status;
use safe_return::sim::engine::{ActionParams, Engine, Happening};

mod episodes;
use episodes::{child, leaves_for, protocol, t};

/// An engine under Havering `id` from 10:00 on Monday 4 March 2024; the trainee plays `trainee`
/// (none: every role acts by the book).
fn engine(id: &str, trainee: Option<&str>) -> Engine {
    let mut e = Engine::new(Arc::new(protocol(id)), t("2024-03-04 10:00"), 7);
    e.automation.trainee_role = trainee.map(String::from);
    e
}

/// A child of `age` who leaves at 12:00 that Monday, whereabouts known from the start or not.
fn leaves(
    e: &mut Engine,
    age: i32,
    status: Vec<LegalStatus>,
    placement: Placement,
    factors: &[&str],
    known: bool,
) -> usize {
    let mut profile = child("Test Child", 2024 - age, status, placement);
    profile.risk_factors = factors.iter().map(|f| f.to_string()).collect();
    let c = e.add_child(profile, "placement", vec![]);
    e.schedule(t("2024-03-04 12:00"), c, leaves_for("town", known));
    c
}

fn act(e: &mut Engine, c: usize, at: &str, role: &str, action: &str) {
    e.schedule_action(t(at), c, role, action, ActionParams::default(), true);
}

fn classify(e: &mut Engine, c: usize, at: &str, role: &str, action: &str, category: &str) {
    let params = ActionParams {
        category: Some(category.into()),
        ..Default::default()
    };
    e.schedule_action(t(at), c, role, action, params, true);
}

fn found(e: &mut Engine, c: usize, at: &str) {
    e.schedule(
        t(at),
        c,
        Happening::Located {
            at: "town".into(),
            note: String::new(),
        },
    );
}

fn back(e: &mut Engine, c: usize, at: &str) {
    e.schedule(t(at), c, Happening::Returned { note: String::new() });
}

/// The rules the trainee broke for child `c` (a prohibition's id, or `classification`).
fn wrongful(e: &Engine, c: usize) -> Vec<String> {
    e.obligations
        .iter()
        .filter(|o| o.child == c && o.status == Status::Wrongful)
        .map(|o| o.rule.clone())
        .collect()
}

/// Statuses of the duties under `rule` that arose for child `c` (not those that did not apply).
fn duties(e: &Engine, c: usize, rule: &str) -> Vec<Status> {
    e.obligations
        .iter()
        .filter(|o| o.child == c && o.rule == rule && o.status != Status::NotApplicable)
        .map(|o| o.status)
        .collect()
}

/// Item 4: the placement applies the definitions. Noting a child in care whose whereabouts
/// cannot be established as "absent" is wrong ("Anyone whose whereabouts cannot be established
/// will be considered as missing"); identifying her as missing is right. With her whereabouts
/// known from the start she is absent, and calling her missing is the mistake.
#[test]
fn a_placement_that_notes_a_child_whose_whereabouts_are_unknown_as_absent_acts_wrongfully() {
    for id in ["havering-2023-05", "havering-2023-10"] {
        let p = protocol(id);
        assert!(p.actions_for_role("placement_provider").contains(&"classify_absence"));
        for (known, category, broke) in [
            (false, "absent", Some("hv.absent.not-while-whereabouts-unknown")),
            (false, "missing", None),
            (true, "absent", None),
            (true, "missing", Some("classification")),
        ] {
            let mut e = engine(id, Some("placement_provider"));
            let c = leaves(&mut e, 14, vec![LegalStatus::S31], Placement::Residential, &[], known);
            classify(
                &mut e,
                c,
                "2024-03-04 12:45",
                "placement_provider",
                "classify_absence",
                category,
            );
            e.run_until(t("2024-03-04 14:00"));
            let w = wrongful(&e, c);
            assert_eq!(
                w,
                broke.map(String::from).into_iter().collect::<Vec<_>>(),
                "{id}: whereabouts known {known}, noted {category}"
            );
        }
    }
}

/// The police decide whether a child reported to them is to be investigated as missing. A
/// 13-year-old at home is never "absent": that word is for a child in care.
#[test]
fn police_who_call_a_child_missing_from_home_absent_act_wrongfully() {
    for (known, category, broke) in [
        (false, "absent", Some("hv.absent.not-while-whereabouts-unknown")),
        (true, "absent", Some("hv.absent.only-children-in-care")),
        (false, "missing", None),
    ] {
        let mut e = engine("havering-2023-10", Some("police_call_handler"));
        let c = leaves(&mut e, 13, vec![LegalStatus::NoStatus], Placement::Home, &[], known);
        classify(
            &mut e,
            c,
            "2024-03-04 13:00",
            "police_call_handler",
            "decide_missing_investigation",
            category,
        );
        e.run_until(t("2024-03-04 14:00"));
        assert_eq!(
            wrongful(&e, c),
            broke.map(String::from).into_iter().collect::<Vec<_>>(),
            "whereabouts known {known}, called {category}"
        );
    }
}

/// "If there is a concern the child may be at significant risk of harm … police must also be
/// notified … This must not be confused with reporting a child missing." A placement that makes a
/// missing report for a child absent at a known address breaks it; reporting a child whose
/// whereabouts are unknown is its duty.
#[test]
fn a_missing_report_for_a_child_absent_at_a_known_address_is_the_confusion_the_protocol_warns_of() {
    for (known, broke) in [(true, true), (false, false)] {
        let mut e = engine("havering-2023-05", Some("placement_provider"));
        let c = leaves(&mut e, 15, vec![LegalStatus::S20], Placement::Foster, &[], known);
        act(&mut e, c, "2024-03-04 13:00", "placement_provider", "report_to_police");
        e.run_until(t("2024-03-04 14:00"));
        assert_eq!(
            wrongful(&e, c).contains(&"hv.absent.not-a-missing-report".to_string()),
            broke,
            "whereabouts known {known}: {:?}",
            wrongful(&e, c)
        );
    }
}

/// A Missing Strategy Meeting "must be held by the 7th day if the child has not been located":
/// for a missing child. A child in care staying at a known address is absent, not missing: no
/// missing strategy meeting is asked for; one whose whereabouts become known after a day has
/// the meeting duty withdrawn.
#[test]
fn a_child_in_care_absent_at_a_known_address_needs_no_missing_strategy_meeting() {
    for id in ["havering-2023-05", "havering-2023-10"] {
        let mut e = engine(id, Some("social_worker"));
        let absent = leaves(&mut e, 14, vec![LegalStatus::S31], Placement::Foster, &[], true);
        let missing = leaves(&mut e, 14, vec![LegalStatus::S31], Placement::Foster, &[], false);
        let later = leaves(&mut e, 14, vec![LegalStatus::S31], Placement::Foster, &[], false);
        e.schedule(
            t("2024-03-05 12:00"),
            later,
            Happening::WhereaboutsKnown {
                at: "town".into(),
                note: String::new(),
            },
        );
        e.finish(t("2024-03-13 12:00"));
        for rule in ["hv.strategy.hold-by-day-7", "hv.strategy.appx-g.hold-by-day-5"] {
            assert_eq!(duties(&e, absent, rule), vec![], "{id} {rule}: absent");
            assert_eq!(duties(&e, missing, rule), vec![Status::Missed], "{id} {rule}: missing");
            assert_eq!(
                duties(&e, later, rule),
                vec![Status::Withdrawn],
                "{id} {rule}: known later"
            );
        }
    }
}

/// "If the child is allocated to the Early Help Service or is not open to any services, the MASH
/// team will monitor the missing episode … and progress any requirement for a strategy meeting":
/// a 13-year-old not known to services, still missing at 48 hours, is MASH's to refer, not a
/// social worker's; a child in need at home is the social worker's.
#[test]
fn mash_not_a_social_worker_requests_the_meeting_for_a_child_not_open_to_services() {
    let mut e = engine("havering-2023-10", None);
    let unknown = leaves(&mut e, 13, vec![LegalStatus::NoStatus], Placement::Home, &[], false);
    let open = leaves(&mut e, 13, vec![LegalStatus::ChildInNeed], Placement::Home, &[], false);
    e.finish(t("2024-03-06 14:00"));
    for rule in ["hv.sw.home.request-strategy-48h", "hv.strategy.request-48h"] {
        assert_eq!(duties(&e, unknown, rule), vec![], "{rule}: not open to services");
        assert_eq!(duties(&e, open, rule), vec![Status::Met], "{rule}: a child in need");
    }
    assert_eq!(
        duties(&e, unknown, "hv.mash.not-open-request-strategy"),
        vec![Status::Met]
    );
    assert_eq!(duties(&e, open, "hv.mash.not-open-request-strategy"), vec![]);
}

/// The RHI "must be offered to every child within 72 hours"; "it is the young person's choice
/// when to speak". An RHI worker who offers it the day after the return and holds it on day 6,
/// when the young person is ready, has done nothing late.
#[test]
fn the_rhi_is_offered_within_72_hours_and_held_when_the_young_person_chooses() {
    for id in ["havering-2023-05", "havering-2023-10"] {
        let p = protocol(id);
        assert!(
            p.rules
                .iter()
                .filter(|r| r.action == "complete_rhi")
                .all(|r| r.deadline == Deadline::NoLimit),
            "{id}: no deadline for holding the interview"
        );
        let mut e = engine(id, Some("rhi_worker"));
        let c = leaves(&mut e, 14, vec![LegalStatus::S31], Placement::Residential, &[], false);
        found(&mut e, c, "2024-03-05 10:00");
        back(&mut e, c, "2024-03-05 12:00");
        act(&mut e, c, "2024-03-06 10:00", "rhi_worker", "offer_rhi");
        act(&mut e, c, "2024-03-10 15:00", "rhi_worker", "complete_rhi");
        e.finish(t("2024-03-14 12:00"));
        for rule in [
            "hv.rhi.offer-72h",
            "hv.rhi.appx-h.offer-72h-of-return",
            "hv.rhi.undertake",
        ] {
            assert_eq!(duties(&e, c, rule), vec![Status::Met], "{id} {rule}");
        }
        let late: Vec<_> = e
            .obligations
            .iter()
            .filter(|o| o.role == "rhi_worker" && o.status == Status::Late)
            .map(|o| &o.rule)
            .collect();
        assert!(late.is_empty(), "{id}: {late:?}");
    }
}

/// When the young person declines, "the RHI Worker needs to record this on LCS and discuss with
/// their line manager"; the interview is no longer owed.
#[test]
fn a_declined_rhi_is_recorded_on_lcs_and_no_longer_owed() {
    let mut e = engine("havering-2023-10", Some("rhi_worker"));
    let c = leaves(&mut e, 15, vec![LegalStatus::S20], Placement::Foster, &[], false);
    back(&mut e, c, "2024-03-05 12:00");
    act(&mut e, c, "2024-03-05 15:00", "rhi_worker", "offer_rhi");
    e.schedule(t("2024-03-05 16:00"), c, Happening::DeclinesInterview);
    act(
        &mut e,
        c,
        "2024-03-05 17:00",
        "rhi_worker",
        "discuss_decline_with_manager",
    );
    e.finish(t("2024-03-08 12:00"));
    assert_eq!(duties(&e, c, "hv.rhi.appx-h.declined-record"), vec![Status::Missed]);
    assert_eq!(
        duties(&e, c, "hv.rhi.appx-h.declined-discuss-with-manager"),
        vec![Status::Met]
    );
    assert_eq!(duties(&e, c, "hv.rhi.undertake"), vec![Status::Cancelled]);
}

/// October 2023: ending Child in Care status "must be made by the Assistant Director or above.
/// This step must be discussed with involved multi-agency Partners" — "in the rare occurrence
/// that a decision is required". A child missing 13 weeks asks for no such discussion, and the
/// police need tell the local authority of a deferred report only once they defer it.
#[test]
fn only_ending_care_status_calls_for_a_discussion_with_partners() {
    let mut e = engine("havering-2023-10", None);
    let c = leaves(&mut e, 15, vec![LegalStatus::S31], Placement::Foster, &[], false);
    e.finish(t("2024-06-07 12:00"));
    for rule in [
        "hv.care-status-end.discuss-with-partners",
        "hv.police.inactive-keep-la-informed",
        "hv.placement-end.record-rationale",
    ] {
        assert_eq!(duties(&e, c, rule), vec![], "{rule} at 13 weeks");
    }
    // The Assistant Director ends care status at 13 weeks: discussed the day before, met; an
    // hour after, late.
    for (discussed, status) in [("2024-06-02 12:00", Status::Met), ("2024-06-03 13:00", Status::Late)] {
        let mut e = engine("havering-2023-10", Some("ad_dcs"));
        let c = leaves(&mut e, 15, vec![LegalStatus::S31], Placement::Foster, &[], false);
        act(&mut e, c, discussed, "ad_dcs", "discuss_with_partners");
        act(&mut e, c, "2024-06-03 12:00", "ad_dcs", "end_care_status");
        e.run_until(t("2024-06-04 12:00"));
        assert_eq!(
            duties(&e, c, "hv.care-status-end.discuss-with-partners"),
            vec![status],
            "discussed {discussed}"
        );
        assert!(wrongful(&e, c).is_empty(), "the Assistant Director may");
    }
}

/// "If the decision outcome is to end the placement, then the rationale must be recorded and plan
/// for when the child is found, how a placement will be sought."
#[test]
fn ending_a_missing_childs_placement_calls_for_its_rationale_on_record() {
    let mut e = engine("havering-2023-05", Some("ad_dcs"));
    let c = leaves(&mut e, 15, vec![LegalStatus::S31], Placement::Foster, &[], false);
    act(&mut e, c, "2024-06-03 12:00", "ad_dcs", "end_placement");
    e.finish(t("2024-06-05 12:00"));
    assert_eq!(duties(&e, c, "hv.placement-end.record-rationale"), vec![Status::Missed]);
}

/// "If concerns are raised in relation to children placed by other local authorities in
/// Havering a letter will be written by the Director of Children's Services": not on every
/// return.
#[test]
fn the_director_writes_to_the_placing_authority_only_when_concerns_are_raised() {
    for concern in [false, true] {
        let mut e = engine("havering-2023-05", None);
        let mut profile = child("Test Child", 2009, vec![LegalStatus::S20], Placement::Residential);
        profile.placed_here_by_other_authority = true;
        let c = e.add_child(profile, "placement", vec![]);
        e.schedule(t("2024-03-04 12:00"), c, leaves_for("town", false));
        back(&mut e, c, "2024-03-05 09:00");
        if concern {
            e.schedule(
                t("2024-03-05 15:00"),
                c,
                Happening::Discloses {
                    text: "an adult gave her drugs to carry".into(),
                    concern: true,
                    to: Some("placement_provider".into()),
                },
            );
        }
        e.finish(t("2024-03-08 12:00"));
        assert_eq!(
            duties(&e, c, "hv.dcs.letter-to-placing-authority").len(),
            usize::from(concern),
            "concern raised: {concern}"
        );
    }
}

/// "UASC who go missing immediately after coming into care should be treated as potential
/// victims of trafficking" — not every UASC who goes missing.
#[test]
fn a_uasc_newly_in_care_who_goes_missing_is_treated_as_a_potential_trafficking_victim() {
    let mut e = engine("havering-2023-10", None);
    let newly = leaves(
        &mut e,
        16,
        vec![LegalStatus::Uasc],
        Placement::Foster,
        &["newly_in_care"],
        false,
    );
    let settled = leaves(&mut e, 16, vec![LegalStatus::Uasc], Placement::Foster, &[], false);
    e.run_until(t("2024-03-04 14:00"));
    assert_eq!(duties(&e, newly, "hv.uasc.treat-as-trafficked").len(), 1);
    assert_eq!(duties(&e, settled, "hv.uasc.treat-as-trafficked"), vec![]);
}

/// "It is the responsibility of the parents or carers to arrange for the child's
/// collection/return": for a child in care, the carer is the placement.
#[test]
fn the_placement_arranges_the_return_of_a_child_in_care_and_the_parent_that_of_a_child_at_home() {
    let mut e = engine("havering-2023-10", None);
    let home = leaves(&mut e, 13, vec![LegalStatus::ChildInNeed], Placement::Home, &[], false);
    let care = leaves(&mut e, 13, vec![LegalStatus::S31], Placement::Foster, &[], false);
    found(&mut e, home, "2024-03-05 09:00");
    found(&mut e, care, "2024-03-05 09:00");
    e.run_until(t("2024-03-05 12:00"));
    let who = |c: usize| -> Vec<String> {
        e.obligations
            .iter()
            .filter(|o| o.child == c && o.action == "arrange_collection")
            .map(|o| o.role.clone())
            .collect()
    };
    assert_eq!(who(home), vec!["parent_carer".to_string()]);
    assert_eq!(who(care), vec!["placement_provider".to_string()]);
}

/// "If concerns are noted by the Social Worker … on receipt of the Merlin relevant safeguarding
/// procedures must be followed and the HaRVA completed or updated": both, for a child with
/// exploitation concerns; neither for a child with none.
#[test]
fn exploitation_concerns_in_the_prevention_interview_call_for_safeguarding_and_the_harva() {
    let mut e = engine("havering-2023-05", Some("social_worker"));
    let cce = leaves(
        &mut e,
        15,
        vec![LegalStatus::S31],
        Placement::Residential,
        &["cce"],
        false,
    );
    let none = leaves(&mut e, 15, vec![LegalStatus::S31], Placement::Residential, &[], false);
    for c in [cce, none] {
        found(&mut e, c, "2024-03-05 09:00");
        back(&mut e, c, "2024-03-05 11:00");
    }
    e.finish(t("2024-03-08 12:00"));
    for rule in ["hv.sw.safeguarding-after-return", "hv.sw.harva-after-return"] {
        assert_eq!(duties(&e, cce, rule), vec![Status::Missed], "{rule}");
        assert_eq!(duties(&e, none, rule), vec![], "{rule}");
    }
}

/// What the document recommends rather than requires is a Should: the photograph on file ("it is
/// very important"), the police debrief ("it is important"), the Philomena steps ("is expected
/// to"), the meeting "at 72 hours" ("87A can be completed … in prep for").
#[test]
fn what_the_protocol_only_recommends_is_a_should() {
    for p in [may(), oct()] {
        for id in [
            "hv.photo.retain-on-file",
            "hv.return.debrief",
            "hv.placement.philomena-before-report",
            "hv.strategy.appx-g.meeting-at-72h",
            "hv.placement.judge-absent-or-missing",
        ] {
            assert_eq!(p.rule(id).unwrap().strength, Strength::Should, "{id}");
        }
        // The "must" duties beside them stay Musts.
        assert_eq!(p.rule("hv.strategy.hold-by-day-7").unwrap().strength, Strength::Must);
        // "Placement Providers are not to contact EDT for over 18 year olds": the placement's bar.
        let edt = p
            .prohibitions
            .iter()
            .find(|x| x.id == "hv.edt.no-contact-over-18")
            .unwrap();
        assert!(edt.binds(Some("placement_provider")));
        assert!(!edt.binds(Some("social_worker")));
    }
}

/// "Placement staff must make all efforts to regularly contact the child during the missing
/// episode": from when she is missing, whether or not the police have been told yet.
#[test]
fn the_placement_keeps_trying_to_reach_a_missing_child_before_any_report_is_made() {
    let mut e = engine("havering-2023-10", Some("placement_provider"));
    let c = leaves(&mut e, 14, vec![LegalStatus::S31], Placement::Residential, &[], false);
    e.run_until(t("2024-03-04 12:30"));
    assert!(
        !e.obligations
            .iter()
            .any(|o| o.child == c && o.action == "share_risk_information"),
        "nobody has reported her yet"
    );
    assert_eq!(duties(&e, c, "hv.placement.contact-child"), vec![Status::Open]);
}
