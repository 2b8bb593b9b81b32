//! West Mercia Joint Protocol for Reporting Missing Children and Young People, V8.1 (December 2014):
//! the practice points a West Mercia practitioner would check.

use safe_return::protocol::{Deadline, Facts, LegalStatus, Placement, RiskLevel, Strength, Trigger, load_protocol};

fn load() -> safe_return::protocol::Protocol {
    load_protocol(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/protocols/west-mercia-2014.ron"
    )))
    .unwrap()
    .protocol
}

fn in_foster_care(hours_away: f64) -> Facts {
    Facts {
        age: 14,
        legal_status: vec![LegalStatus::S31],
        placement: Some(Placement::Foster),
        hours_away,
        ..Default::default()
    }
}

fn at_home(hours_away: f64) -> Facts {
    Facts {
        age: 14,
        legal_status: vec![LegalStatus::NoStatus],
        placement: Some(Placement::Home),
        hours_away,
        ..Default::default()
    }
}

fn category(p: &safe_return::protocol::Protocol, f: &Facts) -> String {
    p.classify(f).expect("every child gets a category").category.clone()
}

fn rule<'p>(p: &'p safe_return::protocol::Protocol, id: &str) -> &'p safe_return::protocol::Rule {
    p.rule(id).unwrap_or_else(|| panic!("rule {id} is missing"))
}

#[test]
fn child_in_care_is_never_absent() {
    let p = load();
    // 3.5.1 "Absent will not apply to children in care"; 8.3 "should never be categorised as 'Absent'".
    let f = Facts {
        risk: Some(RiskLevel::NoApparentRisk),
        ..in_foster_care(1.0)
    };
    assert!(p.forbids_category(&f, "absent").is_some());
    assert_ne!(category(&p, &f), "absent");
    // ...and the police may not give a child in care the "no apparent risk" grading.
    assert!(p.forbids_grade(&f, RiskLevel::NoApparentRisk).is_some());
    // A child at home can be absent.
    assert!(p.forbids_category(&at_home(1.0), "absent").is_none());
}

#[test]
fn child_in_care_away_without_authorisation_is_unauthorised_absence_up_to_six_hours() {
    let p = load();
    // 3.4.1: unauthorised absence "only applies to children in care for a period of up to 6 hours".
    assert_eq!(category(&p, &in_foster_care(2.0)), "unauthorised_absence");
    let known = Facts {
        whereabouts_known: true,
        ..in_foster_care(3.0)
    };
    assert_eq!(category(&p, &known), "unauthorised_absence");
    // 6.16: after 6 hours the care provider should contact the police: the child is missing.
    assert_eq!(category(&p, &in_foster_care(6.0)), "missing");
    assert!(
        p.forbids_category(&in_foster_care(7.0), "unauthorised_absence")
            .is_some()
    );
    let r = rule(&p, "wm.care.six-hours-contact-police");
    assert_eq!(r.trigger, Trigger::MissingFor(6.0));
    assert_eq!(r.action, "report_to_police");
}

#[test]
fn unauthorised_absence_is_not_for_children_at_home() {
    let p = load();
    assert!(p.forbids_category(&at_home(1.0), "unauthorised_absence").is_some());
}

#[test]
fn child_at_home_absent_for_six_hours_without_contact_is_missing() {
    let p = load();
    let absent = Facts {
        risk: Some(RiskLevel::NoApparentRisk),
        ..at_home(2.0)
    };
    assert_eq!(category(&p, &absent), "absent");
    // 5.5 / process map: "Any child who is Unauthorised Absent for 6 hours without contact should be
    // automatically judged to be Missing"; 3.5.2 six hours is the absolute maximum for absent.
    let six = Facts {
        hours_away: 6.0,
        ..absent
    };
    assert_eq!(category(&p, &six), "missing");
    assert!(p.forbids_category(&six, "absent").is_some());
    // Police conclude absent cases within 6 hours.
    assert_eq!(
        rule(&p, "wm.police.absent-concluded-within-6h").deadline,
        Deadline::Hours(6)
    );
}

#[test]
fn police_grade_a_missing_child_high_or_medium_never_low() {
    let p = load();
    // 8.6 "This will always be High or, Medium."
    for f in [in_foster_care(8.0), at_home(8.0)] {
        assert!(p.forbids_grade(&f, RiskLevel::Low).is_some());
        assert!(p.forbids_grade(&f, RiskLevel::High).is_none());
        assert!(p.forbids_grade(&f, RiskLevel::Medium).is_none());
    }
    let high = Facts {
        risk: Some(RiskLevel::High),
        ..in_foster_care(0.5)
    };
    assert_eq!(category(&p, &high), "missing");
}

#[test]
fn young_person_on_remand_who_leaves_is_an_absconder_reported_without_delay() {
    let p = load();
    let f = Facts {
        age: 16,
        legal_status: vec![LegalStatus::Remanded],
        placement: Some(Placement::Residential),
        ..Default::default()
    };
    assert_eq!(category(&p, &f), "absconder");
    let r = rule(&p, "wm.absconder.report-without-delay");
    assert_eq!(r.trigger, Trigger::ClassifiedAs("absconder".into()));
    assert_eq!(r.deadline, Deadline::Immediately);
    assert_eq!(r.strength, Strength::Must);
}

#[test]
fn missing_on_an_external_activity_police_are_told_immediately() {
    let p = load();
    // 6.13: "This must be undertaken immediately and not be delayed until the group has returned".
    let r = rule(&p, "wm.care.activity.police-immediately");
    assert_eq!(r.deadline, Deadline::Immediately);
    let on_trip = Facts {
        risk_factors: vec!["external_activity".into()],
        ..in_foster_care(0.0)
    };
    assert!(r.when.holds(&on_trip));
    assert!(!r.when.holds(&in_foster_care(0.0)));
}

#[test]
fn risk_assessment_within_72_hours_of_an_emergency_placement() {
    let p = load();
    let r = rule(&p, "wm.placement.risk-assessment");
    assert_eq!(r.trigger, Trigger::PlacementStarted);
    assert_eq!(r.deadline, Deadline::Hours(72));
    assert_eq!(r.action, "complete_risk_assessment");
    let form = p.risk.forms.iter().find(|f| f.id == "wm-risk-assessment").unwrap();
    assert!(form.fields.iter().any(|f| f.id == "missing_never_absent"));
}

#[test]
fn return_interview_completed_within_72_hours_of_return() {
    let p = load();
    let r = rule(&p, "wm.rhi.within-72h");
    assert_eq!(r.trigger, Trigger::Returned);
    assert_eq!(r.deadline, Deadline::Hours(72));
    // 12.7 Children's Society criteria include two or more missing episodes.
    assert!(p.risk.rhi_criteria.iter().any(|c| c.id == "two_or_more_episodes"));
    assert_eq!(p.risk.rhi_criteria.len(), 7);
}

#[test]
fn three_episodes_in_90_days_calls_an_inter_agency_meeting_within_a_week() {
    let p = load();
    let r = rule(&p, "wm.prevention.level1-meeting");
    assert_eq!(
        r.trigger,
        Trigger::EpisodeCount {
            episodes: 3,
            within_days: 90
        }
    );
    assert_eq!(r.deadline, Deadline::Days(7));
    assert_eq!(r.role, "misper_unit");
    let ladder = &p.risk.ladders[0];
    let steps: Vec<(i64, i64)> = ladder.steps.iter().map(|s| (s.episodes, s.within_days)).collect();
    assert_eq!(steps, vec![(3, 90), (4, 365), (7, 365), (10, 365)]);
}

#[test]
fn home_with_more_than_twenty_episodes_a_year_gets_an_organisational_review() {
    let p = load();
    let t = p
        .risk
        .establishment_thresholds
        .iter()
        .find(|t| t.id == "wm-establishment-organisational-review")
        .unwrap();
    assert_eq!((t.episodes, t.within_days), (21, 365));
}

// ------------------------------------------------------------------ episodes run through the engine

use std::sync::Arc;

use safe_return::sim::Status;
use safe_return::sim::engine::{ActionParams, Engine, Happening};

mod episodes;
use episodes::{child, leaves_for, protocol, t};

/// West Mercia from 10:00 on Monday 4 March 2024; the trainee plays `trainee` (none: every role
/// acts by the book).
fn engine(trainee: Option<&str>) -> Engine {
    let mut e = Engine::new(Arc::new(protocol("west-mercia-2014")), t("2024-03-04 10:00"), 7);
    e.automation.trainee_role = trainee.map(String::from);
    e
}

/// A child of `age` who leaves at 12:00 that Monday (whereabouts known from the start, or not),
/// having gone missing before at the times in `history`.
fn leaves(
    e: &mut Engine,
    age: i32,
    status: Vec<LegalStatus>,
    placement: Placement,
    factors: &[&str],
    known: bool,
    history: Vec<chrono::NaiveDateTime>,
) -> usize {
    let mut profile = child("Test Child", 2024 - age, status, placement);
    profile.risk_factors = factors.iter().map(|f| f.to_string()).collect();
    let c = e.add_child(profile, "placement", history);
    e.schedule(t("2024-03-04 12:00"), c, leaves_for("town", known));
    c
}

fn act(e: &mut Engine, c: usize, at: &str, role: &str, action: &str) {
    e.schedule_action(t(at), c, role, action, ActionParams::default(), true);
}

fn classify(e: &mut Engine, c: usize, at: &str, role: &str, category: &str) {
    let params = ActionParams {
        category: Some(category.into()),
        ..Default::default()
    };
    e.schedule_action(t(at), c, role, "classify_absence", params, true);
}

fn wrongful(e: &Engine, c: usize) -> Vec<String> {
    e.obligations
        .iter()
        .filter(|o| o.child == c && o.status == Status::Wrongful)
        .map(|o| o.rule.clone())
        .collect()
}

fn duties(e: &Engine, c: usize, rule: &str) -> Vec<Status> {
    e.obligations
        .iter()
        .filter(|o| o.child == c && o.rule == rule && o.status != Status::NotApplicable)
        .map(|o| o.status)
        .collect()
}

/// Item 4: the carer judges the category (3.4.3), the police apply the ACPO definitions to a
/// child at home. A child in care is never "absent" (3.5.1), an unauthorised absence lasts at most
/// six hours (3.4.1), and a child at home is never an "unauthorised absence"; the right category
/// is not wrongful.
#[test]
fn a_wrong_category_is_wrongful_and_the_right_one_is_not() {
    let in_care = || (14, vec![LegalStatus::S31], Placement::Residential);
    let at_home = || (13, vec![LegalStatus::NoStatus], Placement::Home);
    type Case = (
        fn() -> (i32, Vec<LegalStatus>, Placement),
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
    );
    let cases: [Case; 7] = [
        (
            in_care,
            "placement_provider",
            "2024-03-04 14:00",
            "absent",
            Some("wm.no-absent-for-children-in-care"),
        ),
        (
            in_care,
            "placement_provider",
            "2024-03-04 14:00",
            "unauthorised_absence",
            None,
        ),
        (
            in_care,
            "placement_provider",
            "2024-03-04 19:00",
            "unauthorised_absence",
            Some("wm.unauthorised-absence-at-most-six-hours"),
        ),
        (in_care, "placement_provider", "2024-03-04 19:00", "missing", None),
        (
            at_home,
            "police_call_handler",
            "2024-03-04 19:00",
            "absent",
            Some("wm.absent-at-most-six-hours"),
        ),
        (
            at_home,
            "parent_carer",
            "2024-03-04 13:00",
            "unauthorised_absence",
            Some("wm.unauthorised-absence-only-for-children-in-care"),
        ),
        (at_home, "police_call_handler", "2024-03-04 19:00", "missing", None),
    ];
    for (who, role, at, category, broke) in cases {
        let (age, status, placement) = who();
        let mut e = engine(Some(role));
        let c = leaves(&mut e, age, status, placement, &[], false, vec![]);
        if role == "police_call_handler" {
            // (Reported by the parent at 12:30, as the book has it.)
            act(&mut e, c, "2024-03-04 12:30", "parent_carer", "report_to_police");
        }
        classify(&mut e, c, at, role, category);
        e.run_until(t("2024-03-04 20:00"));
        assert_eq!(
            wrongful(&e, c),
            broke.map(String::from).into_iter().collect::<Vec<_>>(),
            "{role} calls the child {category} at {at}"
        );
    }
}

/// 14.5: "The intervention meetings should be held within a week of any trigger episode." A third
/// episode in 90 days: the meeting Children's Services chairs five days on is in time; one
/// arranged by the co-ordinator and chaired thirteen days on is late (it was counted a week from
/// the arranging). Police take part in the meeting.
#[test]
fn the_intervention_meeting_is_held_within_a_week_of_the_trigger_episode() {
    for (chaired, status) in [("2024-03-08 10:00", Status::Met), ("2024-03-15 10:00", Status::Late)] {
        let mut e = engine(Some("childrens_services"));
        let c = leaves(
            &mut e,
            14,
            vec![LegalStatus::S31],
            Placement::Residential,
            &[],
            false,
            vec![t("2024-01-10 20:00"), t("2024-02-12 20:00")],
        );
        e.schedule(
            t("2024-03-05 09:00"),
            c,
            Happening::Located {
                at: "town".into(),
                note: String::new(),
            },
        );
        act(&mut e, c, chaired, "childrens_services", "chair_intervention_meeting");
        e.finish(t("2024-03-20 12:00"));
        assert_eq!(
            duties(&e, c, "wm.prevention.chaired-by-childrens-services"),
            vec![status],
            "chaired {chaired}"
        );
        assert_eq!(duties(&e, c, "wm.prevention.police-representation"), vec![Status::Met]);
    }
    // The co-ordinator who arranges it only on day 6 does not buy the chair another week: the
    // meeting is still due a week after the episode began.
    let mut e = engine(Some("misper_unit"));
    let c = leaves(
        &mut e,
        14,
        vec![LegalStatus::S31],
        Placement::Residential,
        &[],
        false,
        vec![t("2024-01-10 20:00"), t("2024-02-12 20:00")],
    );
    act(
        &mut e,
        c,
        "2024-03-10 12:00",
        "misper_unit",
        "arrange_intervention_meeting",
    );
    e.run_until(t("2024-03-10 13:00"));
    let chair: Vec<_> = e
        .obligations
        .iter()
        .filter(|o| o.child == c && o.rule == "wm.prevention.chaired-by-childrens-services")
        .map(|o| o.due_at)
        .collect();
    assert_eq!(chair, vec![Some(t("2024-03-11 12:00"))]);
}

/// 8.7: "Should any safeguarding concerns become apparent the police officer must make an
/// appropriate referral" — not after every safe and well check.
#[test]
fn a_safeguarding_referral_follows_the_safe_and_well_check_only_where_there_are_concerns() {
    let mut e = engine(None);
    let cse = leaves(
        &mut e,
        14,
        vec![LegalStatus::S31],
        Placement::Residential,
        &["cse"],
        false,
        vec![],
    );
    let none = leaves(
        &mut e,
        14,
        vec![LegalStatus::S31],
        Placement::Residential,
        &[],
        false,
        vec![],
    );
    for c in [cse, none] {
        e.schedule(
            t("2024-03-05 09:00"),
            c,
            Happening::Located {
                at: "town".into(),
                note: String::new(),
            },
        );
    }
    e.run_until(t("2024-03-05 12:00"));
    assert_eq!(duties(&e, cse, "wm.police.safeguarding-referral"), vec![Status::Met]);
    assert_eq!(duties(&e, none, "wm.police.safeguarding-referral"), vec![]);
    assert_eq!(duties(&e, none, "wm.police.found-safe-and-well"), vec![Status::Met]);
}

/// 6.21: the carer reports to police "if there are concerns that the child has been the victim
/// of a crime": a child back with nothing said asks for no such report; one who tells her carer
/// about an adult does, and a report made when confirming her return meets it.
#[test]
fn concerns_are_reported_to_police_when_there_are_concerns_not_on_every_return() {
    for (disclosure, reported, want) in [
        (false, false, vec![]),
        (true, false, vec![Status::Missed]),
        (true, true, vec![Status::Met]),
    ] {
        let mut e = engine(Some("placement_provider"));
        let c = leaves(
            &mut e,
            15,
            vec![LegalStatus::S20],
            Placement::Foster,
            &[],
            false,
            vec![],
        );
        e.schedule(t("2024-03-04 16:00"), c, Happening::Returned { note: String::new() });
        if reported {
            act(
                &mut e,
                c,
                "2024-03-04 16:15",
                "placement_provider",
                "report_concerns_to_police",
            );
        }
        if disclosure {
            e.schedule(
                t("2024-03-04 18:00"),
                c,
                Happening::Discloses {
                    text: "an older man bought her drink and offered her a lift".into(),
                    concern: true,
                    to: Some("placement_provider".into()),
                },
            );
        }
        e.schedule(t("2024-03-07 12:00"), c, Happening::CloseEpisode);
        e.finish(t("2024-03-08 12:00"));
        assert_eq!(
            duties(&e, c, "wm.care.report-crime-concerns"),
            want,
            "disclosure {disclosure}, reported at return {reported}"
        );
    }
}

/// 11.1: publicity "is not routine" — a child graded High calls for no media meeting until
/// someone suggests an appeal. 11.3: in a suspected abduction of a child in care "this decision
/// will be made … by a Police officer of the rank of Superintendent": a duty inspector who decides
/// acts wrongfully, the Superintendent does not, and no one must decide on an appeal at all.
#[test]
fn publicity_is_not_routine_and_only_a_superintendent_decides_it_in_an_abduction() {
    let p = load();
    assert!(p.rules.iter().all(|r| r.action != "decide_media_appeal"));
    let mut e = engine(None);
    let c = leaves(
        &mut e,
        14,
        vec![LegalStatus::S31],
        Placement::Residential,
        &["cse"],
        false,
        vec![],
    );
    e.run_until(t("2024-03-05 12:00"));
    assert_eq!(e.facts(c).risk, Some(RiskLevel::High), "graded High by the book");
    assert_eq!(duties(&e, c, "wm.media.joint-decision"), vec![]);
    act(
        &mut e,
        c,
        "2024-03-05 13:00",
        "placement_provider",
        "propose_media_appeal",
    );
    e.run_until(t("2024-03-05 15:00"));
    assert_eq!(duties(&e, c, "wm.media.joint-decision").len(), 1);

    for (role, broke) in [("duty_inspector", true), ("police_superintendent", false)] {
        let mut e = engine(Some(role));
        let c = leaves(
            &mut e,
            12,
            vec![LegalStatus::S31],
            Placement::Foster,
            &["abduction"],
            false,
            vec![],
        );
        act(&mut e, c, "2024-03-04 15:00", role, "decide_media_appeal");
        e.run_until(t("2024-03-04 17:00"));
        assert_eq!(
            wrongful(&e, c).contains(&"wm.media.abduction-superintendent-decides".to_string()),
            broke,
            "{role}"
        );
    }
}

/// Conditions the text sets that were dropped: "aged 16 or over and is liable to arrest" (3.6.4),
/// "anyone who has care of a child … without parental knowledge or agreement" (3.7), "if the
/// family have any doubts" (process map), "when … episodes are 'anticipated' with the Risk
/// Assessment" (6.3, 6.8). Each stands as a risk factor the scenario gives the child.
#[test]
fn duties_for_some_children_are_not_asked_of_every_child() {
    let p = load();
    let absconder = |factors: Vec<&str>| Facts {
        age: 16,
        legal_status: vec![LegalStatus::Remanded],
        placement: Some(Placement::Residential),
        category: Some("absconder".into()),
        risk_factors: factors.into_iter().map(String::from).collect(),
        ..Default::default()
    };
    let solely = rule(&p, "wm.absconder.16plus-solely-absconder");
    assert!(!solely.when.holds(&absconder(vec![])));
    assert!(solely.when.holds(&absconder(vec!["liable_to_arrest"])));
    for (id, factor, facts) in [
        (
            "wm.harbouring.carer-inform",
            "cared_for_without_parental_agreement",
            at_home(1.0),
        ),
        ("wm.home.seek-police-advice", "status_in_doubt", at_home(1.0)),
        (
            "wm.placement.iro-anticipated-risk",
            "missing_anticipated",
            in_foster_care(0.0),
        ),
        (
            "wm.placement.explain-to-child",
            "missing_anticipated",
            in_foster_care(0.0),
        ),
    ] {
        let r = rule(&p, id);
        assert!(!r.when.holds(&facts), "{id} without {factor}");
        let with = Facts {
            risk_factors: vec![factor.into()],
            ..facts
        };
        assert!(r.when.holds(&with), "{id} with {factor}");
    }
    // A child at home has no care plan to reflect the return interview in.
    assert!(
        !rule(&p, "wm.principles.interventions-informed-by-rhi")
            .when
            .holds(&at_home(0.0))
    );
}
