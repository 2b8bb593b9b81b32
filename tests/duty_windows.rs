//! Duty windows: an act done early (before the duty arose, after the moment the rule counts
//! from) meets the duty; an act before that moment does not; a duty that counts from its own
//! trigger is not met by what came before it.

use std::sync::Arc;

use safe_return::protocol::{LegalStatus, Placement};
use safe_return::sim::Status;
use safe_return::sim::engine::{Engine, Happening, Obligation};

mod episodes;
use episodes::{child, leaves_for, protocol, t};

/// A child of `age` in `placement` who leaves at 12:00 on Monday 4 March 2024 under
/// `protocol`; the trainee plays `trainee`.
fn leaves(
    protocol_id: &str,
    trainee: &str,
    age: i32,
    status: Vec<LegalStatus>,
    placement: Placement,
) -> (Engine, usize) {
    let mut e = Engine::new(Arc::new(protocol(protocol_id)), t("2024-03-04 10:00"), 7);
    e.automation.trainee_role = Some(trainee.into());
    let c = e.add_child(child("Test Child", 2024 - age, status, placement), "placement", vec![]);
    e.schedule(t("2024-03-04 12:00"), c, leaves_for("town", false));
    (e, c)
}

fn duty<'a>(e: &'a Engine, rule: &str) -> &'a Obligation {
    e.obligations.iter().find(|o| o.rule == rule).unwrap_or_else(|| {
        panic!(
            "no duty under {rule}: {:?}",
            e.obligations.iter().map(|o| &o.rule).collect::<Vec<_>>()
        )
    })
}

fn act(e: &mut Engine, c: usize, at: &str, role: &str, action: &str) {
    e.schedule_action(t(at), c, role, action, Default::default(), true);
}

/// West Mercia 6.16: "Where a child has been deemed to be Unauthorised Absent for 6 hours the
/// care provider should contact the police." A residential carer who rings at 5 hours (17:00)
/// has done it: the duty that arises at 6 hours is met, not missed.
#[test]
fn a_carer_who_reports_at_five_hours_meets_the_six_hour_rule() {
    let (mut e, c) = leaves(
        "west-mercia-2014",
        "placement_provider",
        15,
        vec![LegalStatus::S20],
        Placement::Residential,
    );
    act(&mut e, c, "2024-03-04 17:00", "placement_provider", "report_to_police");
    e.finish(t("2024-03-05 12:00"));
    let six = duty(&e, "wm.care.six-hours-contact-police");
    assert_eq!(six.status, Status::Met, "{six:?}");
    assert_eq!(six.done_at, Some(t("2024-03-04 17:00")), "met by the report at 17:00");
    assert!(six.reason.contains("before the duty arose"), "{}", six.reason);
    assert!(
        !e.obligations
            .iter()
            .any(|o| o.role == "placement_provider" && o.action == "report_to_police" && o.status == Status::Missed),
        "no report duty missed: {:?}",
        e.obligations
            .iter()
            .filter(|o| o.action == "report_to_police")
            .collect::<Vec<_>>()
    );
}

/// A report at exactly 6 hours (18:00), the moment the duty arises, meets it too.
#[test]
fn a_report_at_exactly_six_hours_meets_the_six_hour_rule() {
    let (mut e, c) = leaves(
        "west-mercia-2014",
        "placement_provider",
        15,
        vec![LegalStatus::S20],
        Placement::Residential,
    );
    act(&mut e, c, "2024-03-04 18:00", "placement_provider", "report_to_police");
    e.finish(t("2024-03-05 12:00"));
    assert_eq!(duty(&e, "wm.care.six-hours-contact-police").status, Status::Met);
}

/// Haringey: a 14-year-old in care absent for 24 hours is missing and the placement reports to
/// the police. A carer who reported at 20 hours has done so.
#[test]
fn haringey_report_before_twenty_four_hours_meets_the_threshold_duty() {
    let (mut e, c) = leaves(
        "haringey-2021",
        "placement_provider",
        14,
        vec![LegalStatus::S31],
        Placement::Foster,
    );
    act(&mut e, c, "2024-03-05 08:00", "placement_provider", "report_to_police");
    e.finish(t("2024-03-06 12:00"));
    let d = duty(&e, "hg.defs.absent-to-missing-report-care");
    assert_eq!(d.status, Status::Met, "{d:?}");
    assert_eq!(d.done_at, Some(t("2024-03-05 08:00")));
}

/// Havering Appendix E: a looked-after child missing 48 hours; the social worker notifies
/// senior management. Done at 40 hours, it is met when the 48-hour mark comes.
#[test]
fn havering_senior_management_told_at_forty_hours_meets_the_forty_eight_hour_duty() {
    let (mut e, c) = leaves(
        "havering-2023-05",
        "social_worker",
        14,
        vec![LegalStatus::S31],
        Placement::Foster,
    );
    act(
        &mut e,
        c,
        "2024-03-06 04:00",
        "social_worker",
        "notify_senior_management",
    );
    e.finish(t("2024-03-07 12:00"));
    let d = duty(&e, "hv.appx-e.notify-senior-management");
    assert_eq!(d.status, Status::Met, "{d:?}");
    assert_eq!(d.done_at, Some(t("2024-03-06 04:00")));
}

/// An act in an earlier episode does not meet a duty of this one: the window opens when the
/// child left this time.
#[test]
fn an_act_from_an_earlier_episode_does_not_meet_this_one() {
    let (mut e, c) = leaves(
        "west-mercia-2014",
        "placement_provider",
        15,
        vec![LegalStatus::S20],
        Placement::Residential,
    );
    act(&mut e, c, "2024-03-04 13:00", "placement_provider", "report_to_police");
    e.schedule(
        t("2024-03-04 14:00"),
        c,
        Happening::Located {
            at: "town".into(),
            note: String::new(),
        },
    );
    e.schedule(t("2024-03-04 15:00"), c, Happening::Returned { note: String::new() });
    // Away again the next morning; nobody reports this time.
    e.schedule(
        t("2024-03-05 09:00"),
        c,
        Happening::Leaves {
            to: "town".into(),
            note: String::new(),
            whereabouts_known: false,
            last_seen_hours_before: None,
        },
    );
    e.finish(t("2024-03-06 09:00"));
    let second: Vec<_> = e
        .obligations
        .iter()
        .filter(|o| o.rule == "wm.care.six-hours-contact-police" && o.fired_at >= t("2024-03-05 09:00"))
        .collect();
    assert_eq!(second.len(), 1, "{second:?}");
    assert_eq!(second[0].status, Status::Missed, "{:?}", second[0]);
}

/// A duty that counts from its own trigger (West Mercia 12.5: report harm disclosed in the
/// return interview) is not met by an earlier act of the same kind.
#[test]
fn a_duty_counted_from_its_trigger_is_not_met_by_an_earlier_act() {
    let p = protocol("west-mercia-2014");
    let early: Vec<_> = p
        .rules
        .iter()
        .filter(|r| r.window_anchor() == safe_return::protocol::Anchor::Left)
        .map(|r| r.id.as_str())
        .collect();
    assert!(early.contains(&"wm.care.six-hours-contact-police"));
    for r in &p.rules {
        if matches!(
            r.trigger,
            safe_return::protocol::Trigger::DisclosedTo(_) | safe_return::protocol::Trigger::Returned
        ) || r.repeat.is_some()
        {
            assert!(!early.contains(&r.id.as_str()), "{} counts from its trigger", r.id);
        }
    }
}

/// Havering Appendix E: "Young person still missing at 48 hours – 87a to be completed
/// requesting a Missing Strategy Meeting". A threshold is due at once when it is reached (within
/// the hour): the 87a at 50 hours is late by an hour, not "some time, ever"; at 40 hours it is met.
#[test]
fn havering_87a_at_fifty_hours_is_late_and_at_forty_is_met() {
    for (at, status) in [("2024-03-06 14:00", Status::Late), ("2024-03-06 04:00", Status::Met)] {
        let (mut e, c) = leaves(
            "havering-2023-05",
            "social_worker",
            14,
            vec![LegalStatus::S31],
            Placement::Foster,
        );
        act(&mut e, c, at, "social_worker", "request_strategy_meeting");
        e.finish(t("2024-03-07 12:00"));
        let d = duty(&e, "hv.appx-e.request-strategy-48h");
        assert_eq!(d.status, status, "87a at {at}: {d:?}");
        assert_eq!(d.due_at, Some(t("2024-03-06 13:00")), "due within the hour of 48 hours");
        if status == Status::Late {
            assert!(d.reason.contains("1 h after the deadline"), "{}", d.reason);
        }
    }
}

/// Havering: "The Missing report will not be transferred to the BCU MISPer Unit until 48 hours
/// after the report has been created." The window opens 48 hours after the report: a transfer at
/// 30 hours is early (possible, no points) unless done again in the window; one at 48.5 hours is
/// met; none at all is missed.
#[test]
fn a_transfer_before_the_window_opens_is_early_and_in_it_is_met() {
    let cases: [(&[&str], Status); 4] = [
        (&["2024-03-05 18:00"], Status::Early),
        (&["2024-03-06 12:30"], Status::Met),
        (&["2024-03-05 18:00", "2024-03-06 12:30"], Status::Met),
        (&[], Status::Missed),
    ];
    for (acts, status) in cases {
        let (mut e, c) = leaves(
            "havering-2023-05",
            "response_officer",
            14,
            vec![LegalStatus::S31],
            Placement::Foster,
        );
        // Reported at 12:00 Monday, when she left (the placement reports at once).
        e.schedule_action(
            t("2024-03-04 12:00"),
            c,
            "placement_provider",
            "report_to_police",
            Default::default(),
            false,
        );
        for at in acts {
            act(&mut e, c, at, "response_officer", "transfer_to_misper_unit");
        }
        e.finish(t("2024-03-08 12:00"));
        let d = duty(&e, "hv.police.transfer-misper-48h");
        assert_eq!(d.status, status, "transfers at {acts:?}: {d:?}");
        assert_eq!(
            d.due_at,
            Some(t("2024-03-06 13:00")),
            "due within the hour of the window opening"
        );
        if status == Status::Early {
            assert!(d.reason.contains("before its window opened"), "{}", d.reason);
        }
    }
}
