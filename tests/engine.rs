//! Behaviour of the engine and the headless runner a trainer would notice.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use safe_return::protocol::{LegalStatus, Placement, load_protocol};
use safe_return::scenario::{Decisions, load_decisions, load_scenario, run};
use safe_return::sim::Status;
use safe_return::sim::engine::{ActionParams, ChildProfile, Engine, Happening, Phase, RoleBehaviour};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}
fn engine(protocol: &str, start: &str) -> Engine {
    let p = load_protocol(&root().join(format!("assets/protocols/{protocol}.ron")))
        .unwrap()
        .protocol;
    Engine::new(Arc::new(p), t(start), 7)
}
fn child(age_years_at_2024: i32, status: Vec<LegalStatus>, placement: Placement) -> ChildProfile {
    ChildProfile {
        name: "Test Child".into(),
        date_of_birth: NaiveDate::from_ymd_opt(2024 - age_years_at_2024, 1, 1).unwrap(),
        legal_status: status,
        placement,
        out_of_borough: false,
        placed_here_by_other_authority: false,
        risk_factors: vec![],
    }
}
/// A role staffed as a stress caseload would staff it: `latency` minutes (least, most) to set
/// about a duty, `workers` on the rota (none: no limit), `service` minutes a duty.
fn staffed(latency: (f64, f64), workers: Option<u32>, service: f64, office_hours_only: bool) -> RoleBehaviour {
    RoleBehaviour {
        latency_min_minutes: latency.0,
        latency_max_minutes: latency.1,
        compliance: 1.0,
        workers,
        service_minutes: service,
        office_hours_only,
    }
}
fn leaves() -> Happening {
    Happening::Leaves {
        to: "town".into(),
        note: String::new(),
        whereabouts_known: false,
        last_seen_hours_before: None,
    }
}

#[test]
fn west_mercia_child_in_care_is_unauthorised_absence_then_missing_at_six_hours() {
    let mut e = engine("west-mercia-2014", "2024-03-04 10:00");
    let c = e.add_child(
        child(15, vec![LegalStatus::S20], Placement::Foster),
        "placement",
        vec![],
    );
    e.schedule(t("2024-03-04 12:00"), c, leaves());
    e.run_until(t("2024-03-04 13:00"));
    assert_eq!(
        e.children[c].episode.as_ref().unwrap().category.as_deref(),
        Some("unauthorised_absence")
    );
    e.run_until(t("2024-03-04 18:01"));
    assert_eq!(
        e.children[c].episode.as_ref().unwrap().category.as_deref(),
        Some("missing"),
        "missing after 6 hours away"
    );
    assert!(
        e.log
            .iter()
            .any(|l| l.kind == "classification" && l.text.contains("was unauthorised_absence"))
    );
}

#[test]
fn haringey_eleven_year_old_whose_whereabouts_are_unknown_is_missing_not_absent() {
    let mut e = engine("haringey-2021", "2024-03-04 10:00");
    let c = e.add_child(
        child(11, vec![LegalStatus::NoStatus], Placement::Home),
        "placement",
        vec![],
    );
    e.schedule(t("2024-03-04 16:00"), c, leaves());
    e.run_until(t("2024-03-04 16:05"));
    assert_eq!(
        e.children[c].episode.as_ref().unwrap().category.as_deref(),
        Some("missing")
    );
}

/// The first duty that arose under this rule.
fn first_duty<'a>(e: &'a Engine, rule: &str) -> &'a safe_return::sim::engine::Obligation {
    e.obligations
        .iter()
        .find(|o| o.rule == rule)
        .unwrap_or_else(|| panic!("no duty under {rule}"))
}

/// A 14-year-old in residential care (care order) under `protocol`, who leaves at 12:00 on
/// Monday 4 March 2024; the trainee plays `trainee` (none: every role acts by the book).
fn in_care_child_leaves(protocol: &str, trainee: Option<&str>) -> (Engine, usize) {
    in_care_child_leaves_again(protocol, trainee, vec![])
}
/// The same, for a child who went missing before at the times in `history`.
fn in_care_child_leaves_again(protocol: &str, trainee: Option<&str>, history: Vec<NaiveDateTime>) -> (Engine, usize) {
    let mut e = engine(protocol, "2024-03-04 10:00");
    e.automation.trainee_role = trainee.map(String::from);
    let c = e.add_child(
        child(14, vec![LegalStatus::S31], Placement::Residential),
        "placement",
        history,
    );
    e.schedule(t("2024-03-04 12:00"), c, leaves());
    (e, c)
}
/// Bromley's weekly strategy meetings are for a child who "goes missing repeatedly": one who
/// went missing in January too.
fn bromley_repeat_runner(trainee: Option<&str>) -> (Engine, usize) {
    in_care_child_leaves_again("bromley-2020", trainee, vec![t("2024-01-15 20:00")])
}
fn found(e: &mut Engine, c: usize, at: NaiveDateTime) {
    e.schedule(
        at,
        c,
        Happening::Located {
            at: "town".into(),
            note: String::new(),
        },
    );
}

/// Whether a duty under `rule` arose for child `c`.
fn has_duty(e: &Engine, c: usize, rule: &str) -> bool {
    e.obligations.iter().any(|o| o.child == c && o.rule == rule)
}

#[test]
fn havering_gives_each_child_leaving_the_duties_their_status_and_placement_call_for() {
    // Four children in one run leave at the same minute: the rules set off by their leaving ask
    // about their legal status and who placed them, so each gets a different set of duties.
    let mut e = engine("havering-2023-10", "2024-03-04 10:00");
    let at_home = e.add_child(child(14, vec![LegalStatus::NoStatus], Placement::Home), "home", vec![]);
    let in_care = e.add_child(
        child(14, vec![LegalStatus::S31], Placement::Residential),
        "placement",
        vec![],
    );
    let mut placed = child(15, vec![LegalStatus::S20], Placement::Foster);
    placed.placed_here_by_other_authority = true;
    let placed_here = e.add_child(placed, "placement", vec![]);
    // (Havering: "UASC who go missing immediately after coming into care" — the risk factor
    // `newly_in_care` stands for it.)
    let mut newly = child(16, vec![LegalStatus::Uasc], Placement::SemiIndependent);
    newly.risk_factors = vec!["newly_in_care".into()];
    let uasc = e.add_child(newly, "placement", vec![]);
    for c in [at_home, in_care, placed_here, uasc] {
        e.schedule(t("2024-03-04 12:00"), c, leaves());
    }
    e.run_until(t("2024-03-04 12:01"));

    // A child living at home: the parents search before reporting; no placement records.
    assert!(has_duty(&e, at_home, "hv.home.parent-search-before-report"));
    assert!(!has_duty(&e, at_home, "hv.placement.written-records"));
    // A looked-after child of this borough: the placement keeps records and makes the enquiries
    // of Appendix E, not those for children placed here by another authority (Appendix F).
    assert!(has_duty(&e, in_care, "hv.placement.written-records"));
    assert!(has_duty(&e, in_care, "hv.appx-e.enquiries-before-report"));
    assert!(!has_duty(&e, in_care, "hv.appx-f.enquiries-before-report"));
    assert!(!has_duty(&e, in_care, "hv.home.parent-search-before-report"));
    // Placed here by another authority: Appendix F, not Appendix E.
    assert!(has_duty(&e, placed_here, "hv.appx-f.enquiries-before-report"));
    assert!(!has_duty(&e, placed_here, "hv.appx-e.enquiries-before-report"));
    assert!(has_duty(&e, placed_here, "hv.placement.written-records"));
    // Only the unaccompanied asylum-seeking child is treated as possibly trafficked.
    assert!(has_duty(&e, uasc, "hv.uasc.treat-as-trafficked"));
    for c in [at_home, in_care, placed_here] {
        assert!(!has_duty(&e, c, "hv.uasc.treat-as-trafficked"), "child {c}");
    }
}

#[test]
fn duties_set_off_while_missing_are_cancelled_when_the_child_is_found_early() {
    let (mut e, c) = in_care_child_leaves("havering-2023-10", Some("social_worker"));
    found(&mut e, c, t("2024-03-04 20:00"));
    e.finish(t("2024-03-12 12:00"));
    let day7 = first_duty(&e, "hv.strategy.hold-by-day-7");
    assert_eq!(
        day7.status,
        Status::Cancelled,
        "a 7-day strategy meeting is not needed for a child found after 8 hours"
    );
    assert_eq!(e.children[c].episode.as_ref().unwrap().phase, Phase::Located);
}

/// Strategy meetings held for a Havering child in care who goes missing, when nobody plays a
/// role (everyone acts by the book), found `found_after_hours` after leaving.
fn meetings_held(found_after_hours: i64) -> Vec<(NaiveDateTime, String)> {
    let (mut e, c) = in_care_child_leaves("havering-2023-10", None);
    found(
        &mut e,
        c,
        t("2024-03-04 12:00") + chrono::Duration::hours(found_after_hours),
    );
    e.finish(t("2024-03-20 12:00"));
    e.actions_done
        .iter()
        .filter(|a| a.3 == "hold_strategy_meeting")
        .map(|a| (a.0, a.2.clone()))
        .collect()
}

#[test]
fn a_meeting_due_by_day_seven_if_still_missing_is_not_held_for_a_child_back_the_same_evening() {
    // "…held by the 7th day if the child has not been located": a by-the-book social worker
    // sets about it halfway through the time allowed (72 hours → 36 h), not within minutes.
    let held = meetings_held(8);
    assert!(
        held.iter().all(|(_, role)| role != "social_worker"),
        "no social-work strategy meeting for a child found after 8 hours: {held:?}"
    );
}

#[test]
fn a_child_missing_four_days_gets_the_meeting_in_time_and_only_once() {
    let (mut e, c) = in_care_child_leaves("havering-2023-10", None);
    found(&mut e, c, t("2024-03-08 12:00"));
    e.finish(t("2024-03-20 12:00"));
    // The 72-hour, day-5 and day-7 meeting duties are all met by one meeting, held in time
    // for the first of them (between 36 and 72 hours after she left).
    for rule in [
        "hv.strategy.appx-g.meeting-at-72h",
        "hv.strategy.appx-g.hold-by-day-5",
        "hv.strategy.hold-by-day-7",
    ] {
        let o = first_duty(&e, rule);
        assert_eq!(o.status, Status::Met, "{rule}: {}", o.reason);
    }
    let sw: Vec<NaiveDateTime> = e
        .actions_done
        .iter()
        .filter(|a| a.2 == "social_worker" && a.3 == "hold_strategy_meeting")
        .map(|a| a.0)
        .collect();
    assert_eq!(sw.len(), 1, "one meeting, not one per duty: {sw:?}");
    assert!(
        sw[0] >= t("2024-03-06 00:00") && sw[0] <= t("2024-03-07 12:00"),
        "{sw:?}"
    );
    // The shorter a child is away, the fewer meetings: none for a child back in 8 hours.
    assert!(meetings_held(8).len() < meetings_held(96).len());
}

#[test]
fn an_automated_act_whose_duties_were_all_met_already_is_not_done_again() {
    // Several Havering rules ask the RHI worker to record their work after each offer: one act
    // meets them all, and the acts planned for the others find nothing left to do.
    let (mut e, c) = in_care_child_leaves("havering-2023-10", None);
    e.schedule(t("2024-03-05 12:00"), c, Happening::Returned { note: String::new() });
    e.finish(t("2024-03-20 12:00"));
    let duties = e.obligations.iter().filter(|o| o.action == "record_rhi_work").count();
    let acts: Vec<NaiveDateTime> = e
        .actions_done
        .iter()
        .filter(|a| a.3 == "record_rhi_work")
        .map(|a| a.0)
        .collect();
    assert!(duties >= 2, "{duties}");
    assert!(acts.len() < duties, "{} acts for {duties} duties", acts.len());
    let mut once = acts.clone();
    once.dedup();
    assert_eq!(once, acts, "never twice at the same moment: {acts:?}");
}

#[test]
fn an_rhi_worker_who_hears_a_disclosure_follows_safeguarding_procedures_at_once_however_busy() {
    // Havering Appendix H: "If any safeguarding concerns are raised/disclosures made ensure
    // safeguarding procedures are followed without delay." One RHI worker, office hours only, who
    // takes one to eight hours to set about new work: the interview waits for that, but what the
    // interview itself sets off for the same worker within the hour is done straight after it.
    // (As in stress runs, a child with `significant_harm` discloses harm in the interview.)
    let mut e = engine("havering-2023-10", "2024-03-04 10:00");
    e.automation
        .roles
        .insert("rhi_worker".into(), staffed((60.0, 480.0), Some(1), 30.0, true));
    e.automation.disclosing_risk_factor = Some("significant_harm".into());
    let mut profile = child(14, vec![LegalStatus::S31], Placement::Residential);
    profile.risk_factors = vec!["significant_harm".into()];
    let c = e.add_child(profile, "placement", vec![]);
    e.schedule(t("2024-03-04 12:00"), c, leaves());
    e.schedule(t("2024-03-05 12:00"), c, Happening::Returned { note: String::new() });
    e.finish(t("2024-03-20 12:00"));
    let interview = e
        .actions_done
        .iter()
        .find(|a| a.2 == "rhi_worker" && a.3 == "complete_rhi")
        .map(|a| a.0)
        .expect("the return interview is held");
    for rule in [
        "hv.rhi.appx-h.disclosure-safeguarding",
        "hv.rhi.appx-h.escalate-without-delay",
    ] {
        let o = first_duty(&e, rule);
        assert_eq!(o.status, Status::Met, "{rule}: {}", o.reason);
        let done = o.done_at.expect("done");
        assert!(
            done >= interview && done - interview <= chrono::Duration::hours(1),
            "{rule}: done at {done}, the interview ended at {interview}"
        );
        assert_eq!(o.queue_wait_minutes, 0.0, "{rule}: no wait for a worker");
    }
    // The interview is still new work for the worker: it waited at least the hour to be set about.
    let offer = first_duty(&e, "hv.rhi.offer-72h");
    assert!(
        interview - offer.fired_at >= chrono::Duration::hours(1),
        "{interview} vs {}",
        offer.fired_at
    );
}

fn discloses(to: Option<&str>, concern: bool) -> Happening {
    Happening::Discloses {
        text: "says an older man asked her to hold a bag for money".into(),
        concern,
        to: to.map(String::from),
    }
}

#[test]
fn a_disclosure_of_harm_calls_for_a_strategy_meeting_at_once_and_one_of_no_harm_calls_for_nothing() {
    // Havering: "If any safeguarding concerns are raised/disclosures made it is imperative to ensure
    // that safeguarding procedures are followed without delay. This must include facilitating
    // Missing Strategy meetings." The trainee plays the social worker; the child is back on
    // Tuesday and tells the RHI worker on Wednesday at 4 pm.
    for (concern, expected) in [(true, true), (false, false)] {
        let (mut e, c) = in_care_child_leaves("havering-2023-10", Some("social_worker"));
        e.schedule(t("2024-03-05 12:00"), c, Happening::Returned { note: String::new() });
        e.schedule(t("2024-03-06 16:00"), c, discloses(Some("rhi_worker"), concern));
        e.finish(t("2024-03-06 18:00"));
        assert_eq!(
            has_duty(&e, c, "hv.rhi.disclosure-strategy-meeting"),
            expected,
            "concern: {concern}"
        );
        if expected {
            let o = first_duty(&e, "hv.rhi.disclosure-strategy-meeting");
            assert_eq!(o.role, "social_worker");
            assert_eq!(o.fired_at, t("2024-03-06 16:00"));
            assert_eq!(o.due_at, Some(t("2024-03-06 17:00")), "immediately: within the hour");
            assert_eq!(o.status, Status::Missed, "the trainee did nothing: {}", o.reason);
        }
    }
}

#[test]
fn a_disclosure_after_the_episode_is_closed_belongs_to_no_episode_and_sets_nothing_off() {
    let (mut e, c) = in_care_child_leaves("havering-2023-10", Some("social_worker"));
    e.schedule(t("2024-03-05 12:00"), c, Happening::Returned { note: String::new() });
    e.schedule(t("2024-03-08 12:00"), c, Happening::CloseEpisode);
    e.schedule(t("2024-03-09 16:00"), c, discloses(Some("rhi_worker"), true));
    e.finish(t("2024-03-09 18:00"));
    assert!(!has_duty(&e, c, "hv.rhi.disclosure-strategy-meeting"));
    assert!(
        e.log.iter().any(|l| l.kind == "disclosure"),
        "what was said is still in the chronology"
    );
}

#[test]
fn a_return_interview_where_nothing_is_disclosed_asks_no_one_to_report_a_disclosure() {
    // West Mercia 12.5: "If during the Return Interview discussion information is disclosed
    // concerning harm to or from the young person then the staff member needs to take the relevant
    // steps to report this". Every role acts by the book.
    // What the child tells the carers instead is theirs to act on, not the interviewer's.
    for (told, disclosed) in [
        (None, false),
        (Some("rhi_worker"), true),
        (Some("placement_provider"), false),
    ] {
        let (mut e, c) = in_care_child_leaves("west-mercia-2014", None);
        e.schedule(t("2024-03-05 12:00"), c, Happening::Returned { note: String::new() });
        if told.is_some() {
            e.schedule(t("2024-03-06 16:00"), c, discloses(told, true));
        }
        e.finish(t("2024-03-12 12:00"));
        assert!(
            e.actions_done
                .iter()
                .any(|a| a.2 == "rhi_worker" && a.3 == "complete_rhi"),
            "the return interview is held either way"
        );
        assert_eq!(has_duty(&e, c, "wm.rhi.report-disclosure"), disclosed, "told: {told:?}");
        if disclosed {
            let o = first_duty(&e, "wm.rhi.report-disclosure");
            assert_eq!(o.status, Status::Met, "{}", o.reason);
        }
    }
}

#[test]
fn the_worker_told_of_a_disclosure_acts_on_it_straight_away_one_told_second_hand_waits_for_office_hours() {
    // Havering: "If any safeguarding concerns are raised/disclosures made it is imperative to ensure
    // that safeguarding procedures are followed without delay." One social worker, office hours
    // only, who takes one to eight hours to set about new work. The child discloses on Saturday
    // night: told to the social worker (on an out-of-hours visit), the strategy meeting is requested
    // within the hour; told to the carers, the request waits for Monday.
    let mut waits = Vec::new();
    for to in ["social_worker", "placement_provider"] {
        let (mut e, c) = in_care_child_leaves("havering-2023-10", None);
        e.automation
            .roles
            .insert("social_worker".into(), staffed((60.0, 480.0), Some(1), 30.0, true));
        e.schedule(t("2024-03-05 12:00"), c, Happening::Returned { note: String::new() });
        e.schedule(t("2024-03-09 22:00"), c, discloses(Some(to), true));
        e.finish(t("2024-03-20 12:00"));
        let o = first_duty(&e, "hv.rhi.disclosure-strategy-meeting");
        waits.push((o.status, o.done_at.expect("done in the end")));
    }
    assert_eq!(waits[0].0, Status::Met);
    assert!(waits[0].1 <= t("2024-03-09 23:00"), "done at {}", waits[0].1);
    assert_eq!(waits[1].0, Status::Late);
    assert!(waits[1].1 >= t("2024-03-11 09:00"), "done at {}", waits[1].1);
}

#[test]
fn bromleys_weekly_strategy_meetings_are_held_each_week_in_time_by_social_workers_who_are_slow_to_start() {
    // Bromley 9.1: "Continual multi-agency Strategy Meetings should be held at a minimum of weekly
    // intervals". Social workers who take up to four hours to set about new work still hold a
    // meeting they know is due a week ahead in time; and one meeting is one week's meeting: it
    // does not also count for the week that has just begun.
    let mut e = engine("bromley-2020", "2024-03-04 10:00");
    e.automation
        .roles
        .insert("social_worker".into(), staffed((15.0, 240.0), Some(40), 30.0, false));
    let c = e.add_child(
        child(15, vec![LegalStatus::S31], Placement::Residential),
        "placement",
        vec![t("2024-01-15 20:00")],
    );
    e.schedule(t("2024-03-04 12:00"), c, leaves());
    found(&mut e, c, t("2024-04-08 12:00"));
    e.finish(t("2024-04-10 12:00"));
    let weekly: Vec<_> = e
        .obligations
        .iter()
        .filter(|o| o.rule == "br.strategy.weekly" && matches!(o.status, Status::Met | Status::Late))
        .collect();
    assert!(
        weekly.len() >= 3,
        "five weeks missing: {} weekly meetings",
        weekly.len()
    );
    for o in &weekly {
        assert_eq!(o.status, Status::Met, "due {:?}: {}", o.due_at, o.reason);
    }
    let mut held: Vec<_> = weekly.iter().map(|o| o.done_at).collect();
    held.dedup();
    assert_eq!(held.len(), weekly.len(), "one meeting for each week: {held:?}");
}

#[test]
fn a_duty_with_no_time_limit_left_undone_while_the_child_was_missing_is_missed_not_excused() {
    // Havering, the trainee playing the social worker, who does nothing. Duties with no time
    // limit that matter only while the child is away (plan health assessments "before the child
    // returns or is found") lapse if she is back within the hour; left undone through ten hours
    // of her being missing, they are missed.
    let undone = |found_after_minutes: i64| {
        let (mut e, c) = in_care_child_leaves("havering-2023-10", Some("social_worker"));
        found(
            &mut e,
            c,
            t("2024-03-04 12:00") + chrono::Duration::minutes(found_after_minutes),
        );
        e.finish(t("2024-03-08 12:00"));
        let rule = |id: &str| e.protocol.rule(id).unwrap().clone();
        e.obligations
            .iter()
            .filter(|o| o.role == "social_worker" && o.due_at.is_none() && e.protocol.rule_lapses(&rule(&o.rule)))
            .filter(|o| o.status != Status::NotApplicable)
            .filter(|o| o.fired_at <= t("2024-03-04 12:30"))
            .map(|o| (o.rule.clone(), o.status, o.reason.clone()))
            .collect::<Vec<_>>()
    };
    let ten_hours = undone(600);
    assert!(!ten_hours.is_empty(), "some such duty for the social worker");
    for (rule, status, reason) in &ten_hours {
        assert_eq!(*status, Status::Missed, "{rule}: {reason}");
        assert!(
            reason.contains("the child was still missing after it arose"),
            "{reason}"
        );
    }
    for (rule, status, reason) in undone(30) {
        assert_eq!(status, Status::Cancelled, "{rule}: {reason}");
    }
}

#[test]
fn bromleys_weekly_strategy_meetings_are_only_for_a_child_who_goes_missing_repeatedly() {
    // Bromley 9.1: "If a child goes missing repeatedly, … Continual multi-agency Strategy Meetings
    // should be held at a minimum of weekly intervals". Missing three weeks for the first time:
    // a strategy meeting, but no weekly ones; missing before, in January: weekly meetings too.
    let weekly_meetings = |history: Vec<NaiveDateTime>| {
        let (mut e, c) = in_care_child_leaves_again("bromley-2020", None, history);
        found(&mut e, c, t("2024-03-25 12:00"));
        e.finish(t("2024-03-26 12:00"));
        assert!(
            has_duty(&e, c, "br.cla.strategy-same-working-day"),
            "a first strategy meeting either way"
        );
        e.obligations.iter().filter(|o| o.rule == "br.strategy.weekly").count()
    };
    assert_eq!(weekly_meetings(vec![]), 0, "first time missing");
    assert!(weekly_meetings(vec![t("2024-01-15 20:00")]) >= 2, "missing again");
}

/// Bromley, the trainee playing the social worker: the child in care leaves at 12:00 and the
/// trainee scores the Missing Risk Assessment Tool at 13:00 with these answers.
fn bromley_risk_tool_scored(items: &[(&str, i64)]) -> (Engine, usize) {
    let (mut e, c) = in_care_child_leaves("bromley-2020", Some("social_worker"));
    let params = ActionParams {
        answers: items.iter().map(|(id, s)| (id.to_string(), *s)).collect(),
        ..Default::default()
    };
    e.schedule_action(
        t("2024-03-04 13:00"),
        c,
        "social_worker",
        "complete_risk_assessment",
        params,
        true,
    );
    found(&mut e, c, t("2024-03-04 18:00"));
    e.finish(t("2024-03-05 12:00"));
    (e, c)
}

#[test]
fn bromleys_risk_tool_scored_amber_calls_for_child_protection_procedures_and_a_strategy_meeting() {
    // Appendix 4, for a score of 30 to 50 (Amber) and over 50 (Red): "Social worker to follow child
    // protection procedures and convene a Missing child protection strategy meeting" — still owed
    // when the child is back that evening. A Green score (10 to 30) asks for neither.
    let amber = [
        ("looked_after", 2),
        ("history_of_running_away", 2),
        ("harmed_while_missing", 2),
        ("mental_health_self_harm", 2),
        ("mental_distress_before_missing", 2),
        ("missing_duration_frequency", 3),
        ("possible_abduction", 3),
        ("risky_associates", 2),
        ("violent_incident_before", 2),
        ("sexual_exploitation", 3),
        ("trafficking", 3),
        ("dangerous_destination", 3),
        ("push_abuse", 2),
        ("feels_unsafe", 2),
    ];
    let (e, c) = bromley_risk_tool_scored(&amber);
    for rule in ["br.mrat.amber-red-strategy-meeting", "br.mrat.amber-red-cp-procedures"] {
        // (MASH's own unscored assessment at 12:45 gives no band: there the rule does not apply.)
        let duties: Vec<_> = e
            .obligations
            .iter()
            .filter(|o| o.child == c && o.rule == rule && o.status != Status::NotApplicable)
            .collect();
        assert_eq!(duties.len(), 1, "{rule}: {duties:?}");
        let o = duties[0];
        assert_eq!(o.fired_at, t("2024-03-04 13:00"), "{rule}: when the tool was scored");
        assert_eq!(
            o.status,
            Status::Missed,
            "{rule}: the trainee did not do it: {}",
            o.reason
        );
    }
    let green = [
        ("looked_after", 2),
        ("history_of_running_away", 2),
        ("missing_duration_frequency", 3),
        ("risky_associates", 2),
        ("sexual_exploitation", 3),
    ];
    let (e, c) = bromley_risk_tool_scored(&green);
    for rule in ["br.mrat.amber-red-strategy-meeting", "br.mrat.amber-red-cp-procedures"] {
        assert!(
            e.obligations
                .iter()
                .filter(|o| o.child == c && o.rule == rule)
                .all(|o| o.status == Status::NotApplicable),
            "{rule} after a Green score"
        );
    }
}

#[test]
fn bromleys_iro_hears_of_every_missing_episode_even_one_over_in_an_hour() {
    // Bromley: the IRO "must be informed of all instances of a child being missing": a child back
    // within the hour still has to be reported to the IRO; the strategy meeting lapses.
    let (mut e, c) = in_care_child_leaves("bromley-2020", Some("social_worker"));
    found(&mut e, c, t("2024-03-04 13:00"));
    e.finish(t("2024-03-06 12:00"));
    let iro = first_duty(&e, "br.iro.informed-missing");
    assert_eq!(iro.child, c);
    assert_eq!(iro.status, Status::Missed, "{}", iro.reason);
    assert_eq!(
        first_duty(&e, "br.cla.strategy-same-working-day").status,
        Status::Cancelled
    );
}

#[test]
fn bromleys_social_worker_reports_children_living_at_home_on_a_plan_not_children_in_care() {
    // Bromley 10.8: social workers report missing "all children in families receiving statutory
    // services"; a child in care is reported by the carer.
    let (mut e, c) = in_care_child_leaves("bromley-2020", None);
    e.finish(t("2024-03-04 20:00"));
    assert!(!has_duty(&e, c, "br.unaccounted.report-missing"));
    assert!(has_duty(&e, c, "br.notify.lac-carer-report"));
    let mut e = engine("bromley-2020", "2024-03-04 10:00");
    let c = e.add_child(
        child(13, vec![LegalStatus::ChildProtectionPlan], Placement::Home),
        "home",
        vec![],
    );
    e.schedule(t("2024-03-04 12:00"), c, leaves());
    e.finish(t("2024-03-04 20:00"));
    assert!(has_duty(&e, c, "br.unaccounted.report-missing"));
}

#[test]
fn a_weekly_meeting_held_late_is_that_weeks_meeting_not_also_the_next_weeks() {
    // Bromley, the trainee playing the social worker: the first strategy meeting (held by the
    // police, by the book) starts the weekly ones. The trainee holds the next two hours after it
    // was due, when the second week's duty has already arisen: it is late for the first week, and
    // the second week still needs a meeting of its own.
    let (mut e, c) = bromley_repeat_runner(Some("social_worker"));
    found(&mut e, c, t("2024-03-30 12:00"));
    e.run_until(t("2024-03-05 12:00"));
    let weekly = |e: &Engine| -> Vec<(Option<NaiveDateTime>, Status, String)> {
        e.obligations
            .iter()
            .filter(|o| o.rule == "br.strategy.weekly")
            .map(|o| (o.due_at, o.status, o.reason.clone()))
            .collect()
    };
    let first_due = weekly(&e)[0].0.expect("a deadline");
    let hold = |e: &mut Engine, at: NaiveDateTime| {
        e.schedule_action(
            at,
            c,
            "social_worker",
            "hold_strategy_meeting",
            Default::default(),
            true,
        )
    };
    hold(&mut e, first_due + chrono::Duration::hours(2));
    e.run_until(first_due + chrono::Duration::hours(3));
    let w = weekly(&e);
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!(w[0].1, Status::Late, "{}", w[0].2);
    assert_eq!(w[1].0, Some(first_due + chrono::Duration::days(7)));
    assert_eq!(w[1].1, Status::Open, "the second week's meeting is still to hold");
    hold(&mut e, first_due + chrono::Duration::days(6));
    e.run_until(first_due + chrono::Duration::days(6) + chrono::Duration::hours(1));
    let w = weekly(&e);
    assert_eq!(w[1].1, Status::Met, "{}", w[1].2);
}

#[test]
fn a_duty_with_no_time_limit_still_being_done_when_the_run_ends_is_not_counted_missed() {
    // The run ends five minutes after the child leaves: the roles acting by the book have not yet
    // done what they must do "with no time limit", but they are about it. A role that will not do
    // it at all (compliance 0) has missed it.
    let run = |refuse: Option<&str>| {
        let (mut e, c) = in_care_child_leaves("havering-2023-10", None);
        if let Some(role) = refuse {
            e.automation.roles.insert(
                role.into(),
                RoleBehaviour {
                    compliance: 0.0,
                    ..Default::default()
                },
            );
        }
        e.finish(t("2024-03-04 12:05"));
        e.obligations
            .iter()
            .filter(|o| o.child == c && o.due_at.is_none())
            .map(|o| (o.role.clone(), o.status, o.reason.clone()))
            .collect::<Vec<_>>()
    };
    let by_the_book = run(None);
    assert!(
        by_the_book.iter().any(|(r, _, _)| r == "placement_provider"),
        "the placement's enquiries: {by_the_book:?}"
    );
    for (role, status, reason) in &by_the_book {
        assert_eq!(*status, Status::NotApplicable, "{role}: {reason}");
    }
    let refused = run(Some("placement_provider"));
    assert!(refused.iter().any(|(_, status, _)| *status == Status::Missed));
    for (role, status, reason) in &refused {
        let expected = if role == "placement_provider" {
            Status::Missed
        } else {
            Status::NotApplicable
        };
        assert_eq!(*status, expected, "{role}: {reason}");
    }
}

#[test]
fn in_a_stress_run_each_weeks_meeting_is_held_even_when_the_last_one_came_late() {
    // Bromley's weekly strategy meetings, in a stress run (duties of one kind share an act), with
    // social workers who take nine days to get to anything: each week's meeting comes after the
    // next week's duty has arisen. Every week still gets a meeting of its own — none is left
    // waiting on an act that only meets the week before.
    let p = load_protocol(&root().join("assets/protocols/bromley-2020.ron"))
        .unwrap()
        .protocol;
    let opts = safe_return::sim::engine::SimOptions {
        keep_records: false,
        merge_duplicate_duties: true,
        ..Default::default()
    };
    let mut e = Engine::with_options(Arc::new(p), t("2024-03-04 10:00"), 7, opts);
    e.automation
        .roles
        .insert("social_worker".into(), staffed((12960.0, 12960.0), None, 0.0, false));
    let c = e.add_child(
        child(14, vec![LegalStatus::S31], Placement::Residential),
        "placement",
        vec![t("2024-01-15 20:00")],
    );
    e.schedule(t("2024-03-04 12:00"), c, leaves());
    found(&mut e, c, t("2024-04-13 12:00"));
    e.finish(t("2024-06-01 12:00"));
    let ri = e
        .protocol
        .rules
        .iter()
        .position(|r| r.id == "br.strategy.weekly")
        .unwrap();
    let w = &e.tallies[ri];
    assert!(w.fired >= 4, "{w:?}");
    assert!(w.late >= 3, "nine days to a meeting due in seven: late: {w:?}");
    assert_eq!(w.missed, 0, "every week's meeting held: {w:?}");
}

/// Havering May 2023, the trainee playing the social worker: a child in care away for ten days;
/// the trainee asks for a strategy meeting an hour after she leaves, and holds it at `held_at`
/// hours (or never).
fn may_meeting(held_at: Option<i64>) -> Engine {
    let (mut e, c) = in_care_child_leaves("havering-2023-05", Some("social_worker"));
    let sw = |e: &mut Engine, at: &str, action: &str| {
        e.schedule_action(t(at), c, "social_worker", action, Default::default(), true)
    };
    sw(&mut e, "2024-03-04 13:00", "request_strategy_meeting");
    if let Some(h) = held_at {
        let at = t("2024-03-04 12:00") + chrono::Duration::hours(h);
        e.schedule_action(
            at,
            c,
            "social_worker",
            "hold_strategy_meeting",
            Default::default(),
            true,
        );
    }
    found(&mut e, c, t("2024-03-14 12:00"));
    e.finish(t("2024-03-20 12:00"));
    e
}

#[test]
fn one_strategy_meeting_meets_the_police_duty_to_hold_it_too() {
    // "Police timescale is for the strategy meeting to be held within 5 working days of the
    // request": the meeting the social worker holds the next morning is that meeting.
    let e = may_meeting(Some(20));
    let police = first_duty(&e, "hv.appx-e.police-5-working-days");
    assert_eq!(police.status, Status::Met, "{}", police.reason);
    assert_eq!(police.done_at, Some(t("2024-03-05 08:00")));
    let held_by_police = e
        .actions_done
        .iter()
        .filter(|a| a.2 == "misper_unit" && a.3 == "hold_strategy_meeting")
        .count();
    assert_eq!(held_by_police, 0, "no second meeting");
}

#[test]
fn a_meeting_the_police_hold_does_not_do_the_trainees_part() {
    // The trainee never holds the meeting: the police do, within their five working days, but
    // the social worker's own duty to hold it by day 7 is still missed.
    let e = may_meeting(None);
    assert!(
        e.actions_done
            .iter()
            .any(|a| a.2 == "misper_unit" && a.3 == "hold_strategy_meeting")
    );
    let sw = first_duty(&e, "hv.strategy.hold-by-day-7");
    assert_eq!(sw.status, Status::Missed, "{}", sw.reason);
}

#[test]
fn weekly_strategy_meetings_recur_until_the_child_is_located() {
    let mut e = engine("havering-2023-10", "2024-03-04 10:00");
    let c = e.add_child(
        child(15, vec![LegalStatus::S31], Placement::Residential),
        "placement",
        vec![],
    );
    e.schedule(t("2024-03-04 12:00"), c, leaves());
    e.schedule(
        t("2024-03-29 12:00"),
        c,
        Happening::Located {
            at: "town".into(),
            note: String::new(),
        },
    );
    e.finish(t("2024-04-20 12:00"));
    let weekly: Vec<_> = e
        .obligations
        .iter()
        .filter(|o| o.rule == "hv.strategy.weekly-until-located")
        .collect();
    // Missing 25 days: the weekly meeting duty arises several times, and stops once located.
    assert!(weekly.len() >= 3, "got {}", weekly.len());
    assert!(weekly.iter().all(|o| o.fired_at < t("2024-03-29 12:00")));
    assert!(weekly.iter().any(|o| o.status == Status::Met));
}

#[test]
fn by_the_book_scores_full_marks_and_flawed_shows_its_mistakes() {
    let dir = root().join("scenarios/havering-care-residential");
    let sc = load_scenario(&dir.join("scenario.ron")).unwrap();
    let good = load_decisions(&dir.join("by-the-book.ron"), &sc).unwrap();
    let r = run::run(&sc, &good, 1);
    assert_eq!(r.score.percent, 100.0, "{}", r.to_text());

    let bad = load_decisions(&dir.join("flawed.ron"), &sc).unwrap();
    let r = run::run(&sc, &bad, 1);
    assert!(r.score.percent < 100.0);
    let find = |rule: &str| {
        r.obligations
            .iter()
            .find(|o| o.rule == rule)
            .unwrap_or_else(|| panic!("{rule}"))
    };
    let rhi = find("hv.strategy.appx-g.example.rhi-72h");
    assert_eq!(rhi.status, Status::Late);
    assert!(rhi.feedback.starts_with("Late by 5 h"), "{}", rhi.feedback);
    let call = find("hv.sw.care.contact-placement-same-day");
    assert_eq!(call.status, Status::Late);
    assert!(call.feedback.starts_with("Late by 9 h"), "{}", call.feedback);
    assert_eq!(find("hv.strategy.appx-g.example.grab-pack-24h").status, Status::Missed);
}

#[test]
fn doing_nothing_misses_the_trainees_duties() {
    let dir = root().join("scenarios/havering-care-residential");
    let sc = load_scenario(&dir.join("scenario.ron")).unwrap();
    let r = run::run(&sc, &Decisions::default(), 1);
    assert_eq!(r.score.earned, 0.0);
    assert!(r.obligations.iter().any(|o| o.status == Status::Missed));
    // Others act by the book: the placement reported her missing to police.
    assert!(
        r.others
            .iter()
            .any(|o| o.action == "report_to_police" && o.status == Status::Met)
    );
}

/// `safe-return run SCENARIO --decisions` a script with this text (written to a scratch file
/// called `name`): the exit code and the error output.
fn run_script(scenario: &str, name: &str, text: &str) -> (i32, String) {
    let dir = std::env::temp_dir().join(format!("sr-scripts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join(name);
    std::fs::write(&script, text).unwrap();
    let (code, _, err) = run_json(&["run", scenario, "--decisions", script.to_str().unwrap()]);
    (code, err)
}

fn run_json(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_safe-return"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn same_scenario_decisions_and_seed_give_byte_identical_json() {
    let args = [
        "run",
        "havering-care-residential",
        "--decisions",
        "scenarios/havering-care-residential/flawed.ron",
        "--seed",
        "42",
        "--json",
    ];
    let (c1, a, _) = run_json(&args);
    let (c2, b, _) = run_json(&args);
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(a, b);
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    for k in [
        "scenario",
        "protocol",
        "role",
        "seed",
        "score",
        "obligations",
        "timeline",
    ] {
        assert!(v.get(k).is_some(), "JSON has {k}");
    }
    for k in [
        "rule", "citation", "role", "due_at", "done_at", "status", "points", "feedback",
    ] {
        assert!(v["obligations"][0].get(k).is_some(), "obligation has {k}");
    }
}

#[test]
fn headless_bevy_app_reaches_the_same_result_as_the_runner() {
    use safe_return::sim::plugins::{ChildToken, SimEngine, headless_app, run_headless};
    let dir = root().join("scenarios/havering-care-residential");
    let sc = load_scenario(&dir.join("scenario.ron")).unwrap();
    let d = load_decisions(&dir.join("flawed.ron"), &sc).unwrap();
    let direct = run::run(&sc, &d, 3);
    let mut app = headless_app(run::prepare(&sc, &d, 3), sc.end());
    run_headless(&mut app);
    let mut q = app.world_mut().query::<&ChildToken>();
    let tok = q.iter(app.world()).next().expect("the child is an entity");
    assert_eq!(tok.name, "Jade Marsh");
    let mut e = app.world_mut().remove_resource::<SimEngine>().unwrap().0;
    e.finish(sc.end());
    let via_app = safe_return::scoring::report(&sc, &e, 3);
    assert_eq!(direct, via_app);
}

#[test]
fn bad_scenario_and_decision_files_exit_2_with_positions() {
    let dir = std::env::temp_dir().join(format!("sr-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = std::fs::read_to_string(root().join("scenarios/havering-care-residential/scenario.ron")).unwrap();
    let bad = src
        .replace("trainee_role: \"social_worker\"", "trainee_role: \"wizard\"")
        .replace("to: \"town_centre\"", "to: \"the_moon\"")
        .replace("to: \"rhi_worker\"", "to: \"rhi_wroker\"");
    let f = dir.join("scenario.ron");
    std::fs::write(&f, bad).unwrap();
    let (code, _, err) = run_json(&["scenario", "validate", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains(":13:5: trainee_role: unknown role `wizard`"), "{err}");
    assert!(
        err.contains(":41:39: events[0].event.to: unknown place `the_moon`"),
        "{err}"
    );
    assert!(
        err.contains(
            ":48:144: events[7].event.to: unknown role `rhi_wroker` in protocol `havering-2023-10` (did you mean `rhi_worker`?)"
        ),
        "{err}"
    );
    let (code, _, err) = run_json(&["run", "no-such-scenario"]);
    assert_eq!(code, 2);
    assert!(err.contains("no scenario `no-such-scenario`"), "{err}");
    std::fs::write(
        dir.join("late.ron"),
        "Decisions(actions: [(at_hours: 500.0, action: \"offer_rhi\")])",
    )
    .unwrap();
    let good = root().join("scenarios/havering-care-residential/scenario.ron");
    std::fs::copy(&good, &f).unwrap();
    let (code, _, err) = run_json(&[
        "run",
        f.to_str().unwrap(),
        "--decisions",
        dir.join("late.ron").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("late.ron:1:22: actions[0].at_hours: 500 h is outside the scenario's time span"),
        "{err}"
    );
    // Not a number is no time at all (it must not quietly become hour 0).
    let (code, err) = run_script(
        f.to_str().unwrap(),
        "nan.ron",
        "Decisions(actions: [(at_hours: NaN, action: \"offer_rhi\")])",
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("nan.ron:1:22: actions[0].at_hours: NaN h is outside"),
        "{err}"
    );
}

#[test]
fn a_judgement_in_a_script_says_what_it_judges_and_nothing_else_carries_one() {
    // West Mercia: classifying the absence is scored on the category given; a script that leaves
    // it out, or gives a category to an action that classifies nothing, is refused.
    let (code, err) = run_script(
        "west-mercia-remand-abscond",
        "judgement.ron",
        "Decisions(actions: [\n  (at_hours: 1.0, action: \"classify_absence\"),\n  (at_hours: 1.0, action: \"search_and_enquiries\", category: \"missing\"),\n])",
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("actions[0].action: `classify_absence` classifies the child: say as what, with `category:` (one of missing, absent, unauthorised_absence, absconder)"),
        "{err}"
    );
    assert!(
        err.contains("actions[1].category: `search_and_enquiries` does not classify the child: leave the category out"),
        "{err}"
    );
}

#[test]
fn a_fourth_episode_in_a_year_crosses_west_mercias_level_two_but_not_level_three() {
    let mut e = engine("west-mercia-2014", "2024-06-01 10:00");
    let history = vec![t("2023-09-10 20:00"), t("2024-04-20 20:00"), t("2024-05-15 20:00")];
    let c = e.add_child(
        child(14, vec![LegalStatus::S31], Placement::Residential),
        "placement",
        history,
    );
    e.schedule(t("2024-06-01 21:00"), c, leaves());
    e.run_until(t("2024-06-01 21:30"));
    let fired = |id: &str| e.obligations.iter().any(|o| o.rule == id);
    assert!(fired("wm.prevention.level1-meeting"), "3 episodes within 90 days");
    assert!(fired("wm.prevention.level2-meeting"), "4 episodes within 365 days");
    assert!(!fired("wm.prevention.level3-meeting"), "not 7 within a year");
}

#[test]
fn each_weekly_duty_is_one_chain_however_many_meetings_are_held() {
    let mut e = engine("havering-2023-10", "2024-03-04 10:00");
    let c = e.add_child(
        child(15, vec![LegalStatus::S31], Placement::Residential),
        "placement",
        vec![],
    );
    e.schedule(t("2024-03-04 12:00"), c, leaves());
    e.schedule(
        t("2024-04-01 12:00"),
        c,
        Happening::Located {
            at: "town".into(),
            note: String::new(),
        },
    );
    e.finish(t("2024-04-10 12:00"));
    let weekly = e
        .obligations
        .iter()
        .filter(|o| o.rule == "hv.strategy.weekly-until-located")
        .count();
    // 28 days missing: the first due at day 7 and one a week after while missing — never dozens.
    assert!((3..=5).contains(&weekly), "got {weekly}");
}

#[test]
fn a_parents_police_report_keeps_the_form_haringey_asks_for_and_names_what_was_left_out() {
    let dir = std::env::temp_dir().join(format!("sr-form-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let decisions = dir.join("report.ron");
    std::fs::write(
        &decisions,
        r#"Decisions(actions: [
    (at_hours: 1.0, action: "report_to_police", fields: [
        ("description", "Slim, 4ft 9, navy school blazer, red trainers"),
        ("last_seen", "School gates at 3.20 pm with two older boys"),
    ]),
])"#,
    )
    .unwrap();
    let (code, out, err) = run_json(&[
        "run",
        "haringey-home-eleven",
        "--decisions",
        decisions.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let form = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "form")
        .unwrap_or_else(|| panic!("no form in the timeline: {out}"));
    let text = form["text"].as_str().unwrap();
    assert!(text.starts_with("Information to share when referring a child missing from home to the police:"));
    assert!(text.contains("Description of the child including their clothing.: Slim, 4ft 9, navy school blazer"));
    assert!(
        text.contains("REQUIRED BUT LEFT EMPTY: A recent photograph.;"),
        "{text}"
    );
    assert!(!text.contains("LEFT EMPTY: Description"), "{text}");

    // A field the form does not have is bad input, with its place.
    std::fs::write(
        &decisions,
        "Decisions(actions: [(at_hours: 1.0, action: \"report_to_police\", fields: [(\"shoe_size\", \"4\")])])",
    )
    .unwrap();
    let (code, _, err) = run_json(&[
        "run",
        "haringey-home-eleven",
        "--decisions",
        decisions.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("report.ron:1:75: actions[0].fields[0].0: `shoe_size` is not a field of Information to share"),
        "{err}"
    );
}

#[test]
fn a_scripted_decision_not_to_act_needs_its_rationale() {
    let dir = std::env::temp_dir().join(format!("sr-noact-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("noact.ron");
    std::fs::write(
        &f,
        "Decisions(actions: [(at_hours: 2.0, action: \"record_decision_not_to_act\")])",
    )
    .unwrap();
    let (code, _, err) = run_json(&["run", "havering-care-residential", "--decisions", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("noact.ron:1:37: actions[0].action: a decision not to act needs its rationale in `note`"),
        "{err}"
    );
    std::fs::write(
        &f,
        "Decisions(actions: [(at_hours: 2.0, action: \"record_decision_not_to_act\", note: Some(\"carer is out looking\"))])",
    )
    .unwrap();
    let (code, out, err) = run_json(&[
        "run",
        "havering-care-residential",
        "--decisions",
        f.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Decided not to act — \\\"carer is out looking\\\""),
        "{out}"
    );
}

/// Two Havering children in care leave together at noon on Monday 4 March 2024; one strategy
/// meeting can be held at a time, for `minutes`, in office hours or round the clock. The first
/// child is found on Saturday 9 March; the second `second_found` (or never, within the run).
fn two_children_one_slot(minutes: f64, office_hours_only: bool, second_found: Option<&str>) -> Engine {
    let mut e = engine("havering-2023-10", "2024-03-04 10:00");
    e.automation.meeting_slots = Some(safe_return::sim::engine::MeetingSlots {
        actions: vec!["hold_strategy_meeting".into()],
        slots: 1,
        minutes,
        office_hours_only,
    });
    let mut kids = Vec::new();
    for _ in 0..2 {
        let c = e.add_child(
            child(14, vec![LegalStatus::S31], Placement::Residential),
            "placement",
            vec![],
        );
        e.schedule(t("2024-03-04 12:00"), c, leaves());
        kids.push(c);
    }
    found(&mut e, kids[0], t("2024-03-09 12:00"));
    if let Some(at) = second_found {
        found(&mut e, kids[1], t(at));
    }
    e
}

/// The social workers' strategy meetings held: when each ended, and for which child.
fn social_work_meetings(e: &Engine) -> Vec<(NaiveDateTime, usize)> {
    e.actions_done
        .iter()
        .filter(|x| x.2 == "social_worker" && x.3 == "hold_strategy_meeting")
        .map(|x| (x.0, x.1))
        .collect()
}

/// Ten-hour meetings, round the clock: the meetings held, and the slots booked.
fn meetings_in_one_slot(second_found: Option<&str>) -> (Vec<(NaiveDateTime, usize)>, u64) {
    let mut e = two_children_one_slot(600.0, false, second_found);
    e.finish(t("2024-03-09 11:00"));
    (social_work_meetings(&e), e.slot_bookings)
}

#[test]
fn strategy_meetings_wait_in_line_for_a_meeting_slot_and_one_no_longer_needed_gives_its_turn_up() {
    // Both 72-hour meetings are set about at 36 hours (Wednesday 00:00) and ready 15 minutes
    // later: the first child's meeting takes the slot until 10:15, the second waits for it and
    // ends ten hours after that.
    let (held, booked) = meetings_in_one_slot(None);
    assert_eq!(
        held,
        vec![(t("2024-03-06 10:15"), 0), (t("2024-03-06 20:15"), 1)],
        "first come, first served"
    );
    assert_eq!(booked, 2);
    // Found at 05:00 while waiting: the second meeting is no longer needed, takes no slot, and
    // is not held.
    let (held, booked) = meetings_in_one_slot(Some("2024-03-06 05:00"));
    assert_eq!(held, vec![(t("2024-03-06 10:15"), 0)]);
    assert_eq!(booked, 1);
}

#[test]
fn a_meeting_ready_at_night_waits_for_office_hours_without_holding_a_slot_overnight() {
    // One slot of an hour, in office hours. Both children's 72-hour meetings are ready at 00:15
    // on Wednesday: neither holds the slot through the night; at 09:00 the first takes it and
    // the second follows at 10:00.
    let mut e = two_children_one_slot(60.0, true, None);
    e.finish(t("2024-03-06 23:00"));
    let held = social_work_meetings(&e);
    assert_eq!(held, vec![(t("2024-03-06 10:00"), 0), (t("2024-03-06 11:00"), 1)]);
    // Waiting for office hours is not waiting in line: the first waited none in line, the second
    // an hour.
    assert_eq!(e.slot_bookings, 2);
    assert_eq!(e.slot_wait_minutes, 60.0);
    assert_eq!(e.slot_office_wait_minutes, 2.0 * (8.0 * 60.0 + 45.0));
}

#[test]
fn the_timeline_names_places_and_people_as_the_scenario_does() {
    // Bromley, Sophie: found "in a flat in Anerley" (place id `friends_address`); the social
    // worker's message is from Bola Akande, not `social_worker`.
    let (code, out, err) = run_json(&[
        "run",
        "bromley-declines-rhi",
        "--decisions",
        "scenarios/bromley-declines-rhi/by-the-book.ron",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let timeline = v["timeline"].as_array().unwrap();
    let text = |t: &serde_json::Value| t["text"].as_str().unwrap_or_default().to_string();
    assert!(
        timeline
            .iter()
            .any(|t| text(t).contains("is found at A flat in Anerley")),
        "{timeline:?}"
    );
    assert!(!timeline.iter().any(|t| text(t).contains("friends_address")));
    assert!(
        timeline
            .iter()
            .any(|t| t["kind"] == "message" && t["who"] == "Bola Akande (allocated social worker)"),
        "{timeline:?}"
    );
}

#[test]
fn quotes_in_the_debrief_read_as_words_without_the_sources_bold_markers() {
    // Bromley 8: "Return Home Interviews should take place **within 72 hours** …" in the file.
    let (code, out, err) = run_json(&["run", "bromley-declines-rhi"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("should take place within 72 hours of the child"), "{out}");
    assert!(!out.contains("**"), "{out}");
}
