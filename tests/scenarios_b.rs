//! Training scenarios, set B: a Havering child placed out of borough, a West Mercia repeat runner
//! crossing the first escalation step, a Bromley child missing for three weeks, and a Haringey
//! unaccompanied asylum-seeking child at risk of trafficking. Each reference script scores full
//! marks; each flawed script loses marks where a practitioner went wrong.

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

/// Every obligation of the trainee under this rule, in the order they arose.
fn all<'a>(r: &'a Report, rule: &str) -> Vec<&'a ObligationReport> {
    r.obligations.iter().filter(|o| o.rule == rule).collect()
}

/// What the protocol classified the child as, in order, with the hour it happened.
fn classifications(r: &Report) -> Vec<(f64, String)> {
    r.timeline
        .iter()
        .filter(|t| t.kind == "classification")
        .map(|t| (t.hours, t.text.clone()))
        .collect()
}

/// Rules with at least one obligation in this status (each rule once, sorted).
fn rules_with(r: &Report, s: Status) -> Vec<String> {
    let mut v: Vec<String> = r
        .obligations
        .iter()
        .filter(|o| o.status == s)
        .map(|o| o.rule.clone())
        .collect();
    v.sort();
    v.dedup();
    v
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

// ------------------------------------------------------------------ havering-out-of-borough

#[test]
fn havering_out_of_borough_by_the_book_scores_full_marks() {
    let r = play("havering-out-of-borough", "by-the-book.ron");
    assert_eq!(r.score.percent, 100.0, "{}", r.to_text());
    assert_eq!(r.protocol, "havering-2023-05");
    assert_eq!(r.role, "social_worker");
}

#[test]
fn havering_out_of_borough_kai_is_missing_and_the_strategy_meeting_is_requested_at_once() {
    let r = play("havering-out-of-borough", "by-the-book.ron");
    let c = classifications(&r);
    assert_eq!(c, vec![(0.5, "Kai Brennan is Missing".to_string())], "{c:?}");
    // A Havering child placed out of borough: the request does not wait for the 48-hour mark.
    let oob = ob(&r, "hv.sw.request-strategy-out-of-borough");
    assert_eq!(oob.status, Status::Met, "{}", r.to_text());
    assert_eq!(oob.done_at.as_deref(), Some("2023-06-15T16:45"));
    // The in-borough 48-hour request still arises once he has been gone two days.
    let at48 = ob(&r, "hv.strategy.request-48h");
    assert_eq!(at48.fired_at, "2023-06-17T15:30");
    assert_eq!(at48.status, Status::Met);
    // The home-only duty does not apply to a child in care.
    assert_eq!(
        ob(&r, "hv.sw.home.contact-parent-same-day").status,
        Status::NotApplicable
    );
    assert_eq!(ob(&r, "hv.sw.care.contact-placement-same-day").status, Status::Met);
}

#[test]
fn havering_out_of_borough_appendix_f_is_for_other_authorities_children_not_kai() {
    // Appendix F (OOB LAC flowchart) covers children of other authorities placed in Havering; Kai
    // is Havering's own child placed elsewhere, so none of its duties arise for anyone.
    let r = play("havering-out-of-borough", "by-the-book.ron");
    assert!(
        !r.obligations
            .iter()
            .chain(r.others.iter())
            .any(|o| o.rule.starts_with("hv.appx-f.")),
        "{}",
        r.to_text()
    );
    // Appendix E (missing from care) does apply: he is looked after.
    assert_eq!(ob(&r, "hv.appx-e.notify-iro").status, Status::Met);
    assert_eq!(ob(&r, "hv.appx-e.notify-senior-management").status, Status::Met);
}

#[test]
fn havering_out_of_borough_flawed_calls_the_home_next_day_and_lets_mum_decline_the_rhi() {
    let r = play("havering-out-of-borough", "flawed.ron");
    assert!(r.score.percent < 100.0, "{}", r.to_text());

    let call = ob(&r, "hv.sw.care.contact-placement-same-day");
    assert_eq!(call.status, Status::Late, "{}", r.to_text());
    assert!(call.feedback.starts_with("Late by 9 h:"), "{}", call.feedback);
    assert_eq!(call.done_at.as_deref(), Some("2023-06-16T09:00"));

    // Social media checks reach police only on Friday evening, after they chase them: late for the
    // strategy discussion she held on Thursday evening.
    let social = ob(&r, "hv.strategy.appx-g.example.social-media-24h");
    assert_eq!(social.status, Status::Late, "{}", r.to_text());
    assert!(social.feedback.starts_with("Late by 30 min:"), "{}", social.feedback);
    assert!(
        r.timeline
            .iter()
            .any(|t| t.kind == "message" && t.text.contains("We haven't had his social media accounts")),
        "police chase the accounts when they have not had them"
    );
    // The meeting the police are asked for within five working days of her first request is the
    // one she held that evening; the one asked for at 48 hours lapses when Kai is found.
    let police: Vec<Status> = r
        .others
        .iter()
        .filter(|o| o.rule == "hv.appx-e.police-5-working-days")
        .map(|o| o.status)
        .collect();
    assert_eq!(police, vec![Status::Met, Status::Cancelled], "{}", r.to_text());

    let w = ob(&r, "hv.rhi.parent-cannot-decline");
    assert_eq!(w.status, Status::Wrongful);
    assert!(
        w.feedback
            .contains("cannot decline an RHI on behalf of the young person"),
        "{}",
        w.feedback
    );

    assert_eq!(
        rules_with(&r, Status::Late),
        strings(&[
            "hv.strategy.appx-g.example.social-media-24h",
            "hv.sw.care.contact-placement-same-day",
        ])
    );
    // Kai's disclosure to his key worker on Sunday morning calls for a strategy meeting at once:
    // she leaves it to the return interview.
    let disclosure = ob(&r, "hv.rhi.disclosure-strategy-meeting");
    assert_eq!(disclosure.status, Status::Missed, "{}", r.to_text());
    assert!(
        disclosure.feedback.contains("child discloses harm"),
        "{}",
        disclosure.feedback
    );
    assert_eq!(
        rules_with(&r, Status::Missed),
        strings(&[
            "hv.appx-e.update-care-plan",
            "hv.care-plan.update-after-episode",
            "hv.rhi.disclosure-strategy-meeting"
        ])
    );
    assert_eq!(
        rules_with(&r, Status::Wrongful),
        strings(&["hv.rhi.parent-cannot-decline"])
    );
    // What the trainee got right stays right.
    assert_eq!(ob(&r, "hv.sw.request-strategy-out-of-borough").status, Status::Met);
}

// ------------------------------------------------------------------ west-mercia-repeat-runner

#[test]
fn west_mercia_repeat_runner_by_the_book_scores_full_marks() {
    let r = play("west-mercia-repeat-runner", "by-the-book.ron");
    assert_eq!(r.score.percent, 100.0, "{}", r.to_text());
}

#[test]
fn west_mercia_repeat_runner_is_an_unauthorised_absence_for_six_hours_then_missing_never_absent() {
    let r = play("west-mercia-repeat-runner", "by-the-book.ron");
    let c = classifications(&r);
    assert_eq!(c.len(), 2, "{c:?}");
    assert_eq!(c[0].0, 1.0);
    assert!(c[0].1.contains("Unauthorised absence"), "{c:?}");
    assert_eq!(c[1].0, 7.0, "six hours after she left");
    assert!(c[1].1.contains("is now Missing"), "{c:?}");
    assert!(!c.iter().any(|(_, t)| t.contains("Absent")), "{c:?}");
}

#[test]
fn west_mercia_repeat_runner_third_episode_in_90_days_starts_the_escalation_ladder() {
    let r = play("west-mercia-repeat-runner", "by-the-book.ron");
    let level1: Vec<&ObligationReport> = r
        .others
        .iter()
        .filter(|o| o.rule == "wm.prevention.level1-meeting")
        .collect();
    assert_eq!(level1.len(), 1, "{:#?}", r.others);
    assert_eq!(level1[0].role, "misper_unit");
    assert_eq!(level1[0].fired_at, "2015-03-13T19:00", "fires when she leaves");
    assert_eq!(level1[0].due_at.as_deref(), Some("2015-03-20T19:00"), "within a week");
    assert!(r.others.iter().any(|o| o.rule == "wm.intro.repeat-risk-assessment"));
    // Children's Services chairs the meeting the co-ordinator arranges.
    assert!(
        r.others
            .iter()
            .any(|o| o.rule == "wm.prevention.chaired-by-childrens-services")
    );
    // Three episodes this year, not four: the higher steps are not reached.
    for higher in [
        "wm.prevention.level2-meeting",
        "wm.prevention.level3-meeting",
        "wm.prevention.beyond-level3-smt",
    ] {
        assert!(!r.others.iter().any(|o| o.rule == higher), "{higher}");
    }
    // The social worker keeps the IRO informed while she is missing and when she is found.
    assert_eq!(ob(&r, "wm.care.inform-iro").status, Status::Met);
    assert_eq!(ob(&r, "wm.care.inform-iro-when-found").status, Status::Met);
    // The care plan is written once Chloe is back (17:30 Saturday), not while she is still at the flat.
    for rule in [
        "wm.principles.interventions-in-care-plan",
        "wm.principles.interventions-informed-by-rhi",
    ] {
        let o = ob(&r, rule);
        assert_eq!(o.status, Status::Met, "{rule}");
        assert!(
            o.done_at.as_deref().is_some_and(|d| d > "2015-03-14T17:30"),
            "{rule}: {:?}",
            o.done_at
        );
    }
}

#[test]
fn west_mercia_repeat_runner_flawed_calls_her_absent_names_her_as_in_care_and_leaves_the_iro_out() {
    let r = play("west-mercia-repeat-runner", "flawed.ron");
    assert!(r.score.percent < 100.0, "{}", r.to_text());

    let absent = ob(&r, "wm.no-absent-for-children-in-care");
    assert_eq!(absent.status, Status::Wrongful, "{}", r.to_text());
    assert!(absent.feedback.contains("classified as absent"), "{}", absent.feedback);
    // Calling her absent does not change what the protocol says she is.
    let c = classifications(&r);
    assert!(!c.iter().any(|(_, t)| t.contains("Absent")), "{c:?}");

    let media = ob(&r, "wm.media.not-identified-as-in-care");
    assert_eq!(media.status, Status::Wrongful);

    assert_eq!(
        rules_with(&r, Status::Wrongful),
        strings(&[
            "wm.media.not-identified-as-in-care",
            "wm.no-absent-for-children-in-care"
        ])
    );
    assert_eq!(
        rules_with(&r, Status::Missed),
        strings(&[
            "wm.care.inform-iro",
            "wm.principles.interventions-in-care-plan",
            "wm.principles.interventions-informed-by-rhi",
        ])
    );
    // Told the IRO when she was found, so that duty is met.
    assert_eq!(ob(&r, "wm.care.inform-iro-when-found").status, Status::Met);
}

// ------------------------------------------------------------------ bromley-long-term-missing

#[test]
fn bromley_long_term_missing_by_the_book_scores_full_marks() {
    let r = play("bromley-long-term-missing", "by-the-book.ron");
    assert_eq!(r.score.percent, 100.0, "{}", r.to_text());
}

#[test]
fn bromley_long_term_missing_weekly_meetings_recur_until_he_is_found() {
    let r = play("bromley-long-term-missing", "by-the-book.ron");
    let c = classifications(&r);
    assert_eq!(c, vec![(1.5, "Tyrone Askew is Missing".to_string())], "{c:?}");

    // First meeting: within 24 hours (exploitation concerns) and by the first working day (CLA).
    assert_eq!(ob(&r, "br.strategy.early-24h").status, Status::Met);
    assert_eq!(ob(&r, "br.cla.strategy-first-working-day").status, Status::Met);

    // Long-term missing: a meeting is due every week from the police report until he is found.
    let weekly = all(&r, "br.exceptional.weekly-meetings");
    let fired: Vec<&str> = weekly.iter().map(|o| o.fired_at.as_str()).collect();
    assert_eq!(
        fired,
        vec![
            "2020-10-05T18:45",
            "2020-10-12T18:45",
            "2020-10-19T18:45",
            "2020-10-26T18:45"
        ]
    );
    let st: Vec<Status> = weekly.iter().map(|o| o.status).collect();
    assert_eq!(&st[..3], &[Status::Met, Status::Met, Status::Met], "{}", r.to_text());
    // The fourth is due after he is found: met if a meeting happens first, otherwise no longer needed.
    assert!(matches!(st[3], Status::Met | Status::Cancelled), "{st:?}");

    // The Director hears of it at 24 hours (and again at 72), the Head of Safeguarding at once.
    assert_eq!(ob(&r, "br.cla.dcs-24h").status, Status::Met);
    assert_eq!(ob(&r, "br.cla.dcs-72h").status, Status::Met);
    assert_eq!(ob(&r, "br.cla.inform-head-of-safeguarding").status, Status::Met);
    assert!(
        all(&r, "br.strategy.weekly")
            .iter()
            .all(|o| o.status != Status::Missed && o.status != Status::Late),
        "{}",
        r.to_text()
    );
    // The meetings she holds are real ones: days apart, never two in a day, none after the episode
    // is closed (670 h).
    let held: Vec<f64> = r
        .timeline
        .iter()
        .filter(|t| t.kind == "trainee" && t.text.starts_with("Hold a (missing) strategy meeting"))
        .map(|t| t.hours)
        .collect();
    assert!(held.len() >= 3, "{held:?}");
    assert!(held.windows(2).all(|w| w[1] - w[0] >= 24.0), "{held:?}");
    assert!(held.iter().all(|h| *h < 670.0), "{held:?}");
}

#[test]
fn bromley_long_term_missing_flawed_lets_the_weekly_meetings_lapse_and_names_him_as_looked_after() {
    let r = play("bromley-long-term-missing", "flawed.ron");
    assert!(r.score.percent < 100.0, "{}", r.to_text());

    // The third weekly meeting (the week from 19 October) never happens.
    let weekly = all(&r, "br.exceptional.weekly-meetings");
    let st: Vec<Status> = weekly.iter().map(|o| o.status).collect();
    assert_eq!(
        st,
        vec![Status::Met, Status::Met, Status::Missed, Status::Cancelled],
        "{}",
        r.to_text()
    );
    assert_eq!(weekly[2].due_at.as_deref(), Some("2020-10-26T18:45"));
    assert!(
        weekly[2]
            .feedback
            .starts_with("Missed: Hold a (missing) strategy meeting"),
        "{}",
        weekly[2].feedback
    );
    // Every weekly-review duty that goes unmet is one that fell due after the 13 October review.
    let reviews = all(&r, "br.strategy.weekly");
    let lapsed: Vec<&ObligationReport> = reviews.iter().copied().filter(|o| o.status == Status::Missed).collect();
    assert!(!lapsed.is_empty(), "{}", r.to_text());
    assert!(
        lapsed
            .iter()
            .all(|o| o.due_at.as_deref().is_some_and(|d| d > "2020-10-19T18:00")),
        "{}",
        r.to_text()
    );

    let media = ob(&r, "br.media-not-identified-as-lac");
    assert_eq!(media.status, Status::Wrongful);
    assert_eq!(
        rules_with(&r, Status::Wrongful),
        strings(&["br.media-not-identified-as-lac"])
    );
    assert_eq!(
        rules_with(&r, Status::Missed),
        strings(&[
            "br.exceptional.weekly-meetings",
            "br.ra.missing-workspace-located",
            "br.strategy.weekly",
        ])
    );
    // The Director told on day 6: late for both the 24-hour and the 72-hour notification. The
    // episode recorded and the plan updated the morning after each threshold, not as it passed:
    // late too ("at 24 hours" is due at once, within the hour).
    assert_eq!(
        rules_with(&r, Status::Late),
        strings(&[
            "br.cla.dcs-24h",
            "br.cla.dcs-72h",
            "br.cla.record-over-24h",
            "br.lac.plan-update-48h"
        ])
    );
}

// ------------------------------------------------------------------ haringey-uasc-trafficking

#[test]
fn haringey_uasc_trafficking_by_the_book_scores_full_marks() {
    let r = play("haringey-uasc-trafficking", "by-the-book.ron");
    assert_eq!(r.score.percent, 100.0, "{}", r.to_text());
}

#[test]
fn haringey_uasc_trafficking_he_is_missing_at_once_and_the_uasc_duties_arise() {
    let r = play("haringey-uasc-trafficking", "by-the-book.ron");
    let c = classifications(&r);
    assert_eq!(c, vec![(2.0, "Sirak Tewelde is Missing".to_string())], "{c:?}");
    assert!(!c.iter().any(|(_, t)| t.contains("Absent")), "{c:?}");

    let ho = ob(&r, "hg.uasc.home-office");
    assert_eq!(ho.status, Status::Met);
    assert_eq!(ho.fired_at, "2021-09-15T19:00");
    assert_eq!(ob(&r, "hg.uasc.nrm-referral").status, Status::Met);
    // The missing risk assessment record: within 72 hours of his going missing.
    let ra = ob(&r, "hg.care.risk-assessment-72h");
    assert_eq!(ra.due_at.as_deref(), Some("2021-09-18T19:00"));
    assert_eq!(ra.status, Status::Met);
    // Missing more than five days: a strategy meeting.
    assert_eq!(ob(&r, "hg.mash.five-days-strategy").status, Status::Met);
}

#[test]
fn haringey_uasc_trafficking_flawed_ends_his_looked_after_status_and_skips_home_office_and_nrm() {
    let r = play("haringey-uasc-trafficking", "flawed.ron");
    assert!(r.score.percent < 100.0, "{}", r.to_text());

    let w = ob(&r, "hg.uasc-retain-looked-after-status");
    assert_eq!(w.status, Status::Wrongful, "{}", r.to_text());
    assert!(
        w.feedback.contains("retain their status of Looked After"),
        "{}",
        w.feedback
    );

    for rule in ["hg.care.risk-assessment-72h", "hg.defs.risk-assess-missing-72h"] {
        let ra = ob(&r, rule);
        assert_eq!(ra.status, Status::Late, "{rule}");
        assert!(ra.feedback.starts_with("Late by 18 h:"), "{}", ra.feedback);
    }
    assert_eq!(
        rules_with(&r, Status::Missed),
        strings(&["hg.uasc.home-office", "hg.uasc.nrm-referral"])
    );
    assert_eq!(
        rules_with(&r, Status::Wrongful),
        strings(&["hg.uasc-retain-looked-after-status"])
    );
    // Considering the NRM at the strategy meeting is not the same as referring him.
    assert_eq!(ob(&r, "hg.uasc.nrm-referral").status, Status::Missed);
}

#[test]
fn meetings_held_by_the_book_fall_in_office_hours_not_at_two_in_the_morning() {
    // West Mercia's intervention meeting ("within 7 days") was chaired at 02:00 on a Saturday, and
    // Havering's strategy meeting on Kai's disclosure held by the police unit at 00:22: a role acting
    // by the book now holds a meeting with time to spare at the next opening of office hours.
    for (scenario, meeting) in [
        ("west-mercia-repeat-runner", "Chair and record the intervention meeting"),
        ("havering-out-of-borough", "Hold the Missing Strategy Meeting"),
    ] {
        let r = play(scenario, "by-the-book.ron");
        let held: Vec<&str> = r
            .timeline
            .iter()
            .filter(|t| t.kind == "action" && t.text.starts_with(meeting))
            .map(|t| t.at.as_str())
            .collect();
        assert!(!held.is_empty(), "{scenario}: {}", r.to_text());
        for at in held {
            let t = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M").unwrap();
            use chrono::{Datelike, Timelike};
            let weekday = t.weekday().num_days_from_monday() < 5;
            assert!(weekday && (9..17).contains(&t.hour()), "{scenario}: {meeting} at {at}");
        }
    }
}
