//! The engine never panics or wraps on values at the edge of its clock (loaders refuse them
//! first: see `docs/protocol-authoring.md`, "Limits"); what slips through is held at the bound.

use std::sync::Arc;

use safe_return::protocol::{Deadline, LegalStatus, Placement, Trigger};
use safe_return::sim::engine::{ChildProfile, Engine, Happening};

mod episodes;
use episodes::{leaves_for, protocol, t};

fn west_mercia() -> safe_return::protocol::Protocol {
    protocol("west-mercia-2014")
}

fn child() -> ChildProfile {
    episodes::child("Test Child", 2009, vec![LegalStatus::S20], Placement::Residential)
}

fn leaves() -> Happening {
    leaves_for("town", false)
}

/// "Missing for 3,000,000 hours" used to wrap in the nanosecond arithmetic and fire the
/// moment the child left; it must not fire within the run at all.
#[test]
fn a_threshold_of_millions_of_hours_never_fires_in_a_short_run() {
    let mut p = west_mercia();
    let i = p
        .rules
        .iter()
        .position(|r| r.id == "wm.care.six-hours-contact-police")
        .unwrap();
    p.rules[i].trigger = Trigger::MissingFor(3_000_000_000.0);
    p.rules[i].deadline = Deadline::Days(i64::MAX / 2);
    let mut e = Engine::new(Arc::new(p), t("2024-03-04 10:00"), 7);
    let c = e.add_child(child(), "placement", vec![]);
    e.schedule(t("2024-03-04 12:00"), c, leaves());
    e.finish(t("2024-03-06 12:00"));
    assert!(
        !e.obligations
            .iter()
            .any(|o| o.rule == "wm.care.six-hours-contact-police"),
        "a threshold beyond the clock fired: {:?}",
        e.obligations
            .iter()
            .find(|o| o.rule == "wm.care.six-hours-contact-police")
    );
}

/// A huge deadline is held at the clock's bound, not wrapped into the past.
#[test]
fn a_huge_deadline_is_not_wrapped_into_the_past() {
    let mut p = west_mercia();
    for r in &mut p.rules {
        r.deadline = Deadline::Hours(i64::MAX / 3);
    }
    let mut e = Engine::new(Arc::new(p), t("2024-03-04 10:00"), 7);
    let c = e.add_child(child(), "placement", vec![]);
    e.schedule(t("2024-03-04 12:00"), c, leaves());
    e.finish(t("2024-03-05 12:00"));
    for o in &e.obligations {
        if let Some(due) = o.due_at {
            assert!(
                due > o.fired_at,
                "{} due {due} before it arose at {}",
                o.rule,
                o.fired_at
            );
        }
    }
}

/// Whereabouts reported before the child has left (a script out of order) are ignored, not a
/// crash.
#[test]
fn whereabouts_before_leaving_do_not_crash_the_run() {
    let mut e = Engine::new(Arc::new(west_mercia()), t("2024-03-04 10:00"), 7);
    let c = e.add_child(child(), "placement", vec![]);
    e.schedule(
        t("2024-03-04 11:00"),
        c,
        Happening::Located {
            at: "town".into(),
            note: String::new(),
        },
    );
    e.schedule(t("2024-03-04 12:00"), c, leaves());
    e.finish(t("2024-03-05 12:00"));
    assert!(
        e.children[c].episode.is_some(),
        "the later leaving still starts an episode"
    );
}
