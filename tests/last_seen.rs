//! "Last seen" earlier than the moment a child was missed: the protocol's hours count from when
//! she was last seen, but nobody can act before she is missed, so no duty falls due before then.

use std::sync::Arc;

use safe_return::protocol::{LegalStatus, Placement};
use safe_return::sim::Status;
use safe_return::sim::engine::{ActionParams, Engine, Happening};

mod common;
mod episodes;
use common::{bin, scratch};
use episodes::{child, protocol, t};

/// West Mercia: a 15-year-old in a children's home, in bed at 10 pm, her bed found empty at 7 am.
/// The home's staff are the trainee; every other role acts by the book.
fn empty_bed_at_seven(last_seen_hours_before: Option<f64>) -> (Engine, usize) {
    let mut e = Engine::new(Arc::new(protocol("west-mercia-2014")), t("2024-03-04 20:00"), 7);
    e.automation.trainee_role = Some("placement_provider".into());
    let c = e.add_child(
        child("Test Child", 2009, vec![LegalStatus::S31], Placement::Residential),
        "placement",
        vec![],
    );
    e.schedule(
        t("2024-03-05 07:00"),
        c,
        Happening::Leaves {
            to: "unknown".into(),
            note: "her bed is empty".into(),
            whereabouts_known: false,
            last_seen_hours_before,
        },
    );
    (e, c)
}

#[test]
fn a_child_last_seen_nine_hours_before_she_was_missed_is_missing_at_once_not_an_unauthorised_absence() {
    // West Mercia: a child in care is an unauthorised absence for up to six hours, then missing.
    // Last seen at 10 pm and missed at 7 am, she has been gone nine hours: missing from the start.
    let (mut e, c) = empty_bed_at_seven(Some(9.0));
    e.run_until(t("2024-03-05 07:01"));
    let ep = e.children[c].episode.as_ref().unwrap();
    assert_eq!(ep.left_at, t("2024-03-04 22:00"));
    assert_eq!(ep.category.as_deref(), Some("missing"), "{:?}", ep.transitions);
    // Missed at seven, without a last-seen time: an unauthorised absence for now.
    let (mut e, c) = empty_bed_at_seven(None);
    e.run_until(t("2024-03-05 07:01"));
    let ep = e.children[c].episode.as_ref().unwrap();
    assert_eq!(ep.category.as_deref(), Some("unauthorised_absence"));
}

#[test]
fn the_six_hour_call_to_the_police_falls_due_within_the_hour_of_missing_her_not_before() {
    // "Missing for 6 hours: contact the police" has passed by the time anyone knows: it arises
    // when she is missed and is due within the hour, so a call at 7.30 meets it.
    let (mut e, c) = empty_bed_at_seven(Some(9.0));
    e.schedule_action(
        t("2024-03-05 07:30"),
        c,
        "placement_provider",
        "report_to_police",
        ActionParams::default(),
        true,
    );
    e.finish(t("2024-03-06 07:00"));
    let duty = e
        .obligations
        .iter()
        .find(|o| o.rule == "wm.care.six-hours-contact-police")
        .expect("the six-hour contact arises");
    assert_eq!(duty.fired_at, t("2024-03-05 07:00"));
    assert_eq!(duty.due_at, Some(t("2024-03-05 08:00")));
    assert_eq!(duty.status, Status::Met, "{}", duty.reason);
    // The chronology says when she was last seen.
    let left = e
        .log
        .iter()
        .find(|l| l.text.contains("leaves"))
        .expect("a leaving line");
    assert!(
        left.text.contains("last seen 9 h earlier, at Mon 22:00"),
        "{}",
        left.text
    );
}

#[test]
fn a_last_seen_time_that_is_not_before_the_child_was_missed_is_refused_with_where() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/west-mercia-early-report/scenario.ron"
    ))
    .unwrap();
    let bad = src.replacen(
        "event: Leaves(to: \"town_centre\",",
        "event: Leaves(last_seen_hours_before: -2.0, to: \"town_centre\",",
        1,
    );
    assert_ne!(bad, src, "the scenario has the leaving this test edits");
    let dir = scratch("last-seen-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("scenario.ron");
    std::fs::write(&file, bad).unwrap();
    let out = bin(&["scenario", "validate", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("scenario.ron:") && err.contains("last_seen_hours_before") && err.contains("more than 0 hours"),
        "{err}"
    );
}
