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
