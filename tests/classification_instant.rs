//! A child is classified once from all the facts of an instant: an absence that starts with the
//! whereabouts known is never "missing" for a moment; duties of a classification the protocol
//! later supersedes are withdrawn, saying why, not left open.

use std::sync::Arc;

use safe_return::protocol::{LegalStatus, Placement};
use safe_return::sim::Status;
use safe_return::sim::engine::{Engine, Happening};

mod episodes;
use episodes::{child, protocol, t};

/// Bromley: a 15-year-old in foster care (care order); every role acts by the book.
fn bromley() -> (Engine, usize) {
    let mut e = Engine::new(Arc::new(protocol("bromley-2020")), t("2024-03-04 10:00"), 7);
    let c = e.add_child(
        child("Test Child", 2009, vec![LegalStatus::S31], Placement::Foster),
        "placement",
        vec![],
    );
    (e, c)
}

/// Bromley 5: a looked-after child "whose whereabouts are known" staying somewhere without
/// permission is an unauthorised absence, and "should not be reported to the police as missing".
/// Staying at her aunt's, location confirmed from the start: never missing, not reported.
#[test]
fn a_child_whose_whereabouts_are_known_from_the_start_is_never_missing() {
    let (mut e, c) = bromley();
    e.schedule(
        t("2024-03-04 19:00"),
        c,
        Happening::Leaves {
            to: "aunts".into(),
            note: String::new(),
            whereabouts_known: true,
            last_seen_hours_before: None,
        },
    );
    e.finish(t("2024-03-05 19:00"));
    let ep = e.children[c].episode.as_ref().unwrap();
    assert_eq!(ep.category.as_deref(), Some("unauthorised_absence"));
    assert!(
        !ep.transitions.iter().any(|(_, w)| w == "classified missing"),
        "{:?}",
        ep.transitions
    );
    assert!(
        !e.obligations.iter().any(|o| o.action == "report_to_police"),
        "nobody is asked to report her: {:?}",
        e.obligations
            .iter()
            .filter(|o| o.action == "report_to_police")
            .collect::<Vec<_>>()
    );
    assert!(
        !e.actions_done.iter().any(|a| a.3 == "report_to_police"),
        "nobody reported her to the police"
    );
}

/// The same child missing (whereabouts unknown) at 19:00; at 20:00 her foster carer learns she
/// is at her aunt's. The duties being missing set off and nobody had done yet are withdrawn, with
/// the reclassification as the reason; none is missed.
#[test]
fn duties_of_a_superseded_classification_are_withdrawn_with_the_reason() {
    let (mut e, c) = bromley();
    e.automation.trainee_role = Some("social_worker".into());
    e.schedule(
        t("2024-03-04 19:00"),
        c,
        Happening::Leaves {
            to: "town".into(),
            note: String::new(),
            whereabouts_known: false,
            last_seen_hours_before: None,
        },
    );
    e.schedule(
        t("2024-03-04 20:00"),
        c,
        Happening::WhereaboutsKnown {
            at: "aunts".into(),
            note: String::new(),
        },
    );
    e.finish(t("2024-03-06 19:00"));
    let of_missing: Vec<_> = e
        .obligations
        .iter()
        .filter(|o| {
            e.protocol.rule(&o.rule).is_some_and(
                |r| matches!(&r.trigger, safe_return::protocol::Trigger::ClassifiedAs(c) if c == "missing"),
            ) && o.role == "social_worker"
        })
        .collect();
    assert!(
        !of_missing.is_empty(),
        "being missing set the social worker's duties off"
    );
    for o in &of_missing {
        assert_ne!(o.status, Status::Missed, "{o:?}");
    }
    let withdrawn: Vec<_> = of_missing.iter().filter(|o| o.status == Status::Withdrawn).collect();
    assert!(!withdrawn.is_empty(), "{of_missing:?}");
    for o in withdrawn {
        assert!(
            o.reason.contains("reclassified as") && o.reason.contains("at 20:00"),
            "{}",
            o.reason
        );
    }
}

/// Bromley 9.2 / 9.5: "record all CLA missing episodes exceeding 24 hours", "the Director must be
/// notified of all Children Looked After who have been missing for more than 24-hours". A girl
/// at her aunt's, whereabouts known, for 30 hours is an unauthorised absence, not a missing
/// episode: neither duty arises. A girl missing for 30 hours gets both.
#[test]
fn an_unauthorised_absence_past_24_hours_is_not_a_missing_episode_to_record() {
    for (known, expected) in [(true, false), (false, true)] {
        let (mut e, c) = bromley();
        e.schedule(
            t("2024-03-04 19:00"),
            c,
            Happening::Leaves {
                to: "aunts".into(),
                note: String::new(),
                whereabouts_known: known,
                last_seen_hours_before: None,
            },
        );
        e.finish(t("2024-03-06 01:00"));
        for rule in ["br.cla.record-over-24h", "br.cla.dcs-24h"] {
            assert_eq!(
                e.obligations.iter().any(|o| o.rule == rule),
                expected,
                "whereabouts known: {known}, {rule}"
            );
        }
    }
}

/// A child who comes back of her own accord was not found: the timeline says she is back, never
/// that she "is found at" her foster home.
#[test]
fn a_child_back_of_her_own_accord_is_not_said_to_be_found() {
    let (mut e, c) = bromley();
    e.schedule(t("2024-03-04 19:00"), c, episodes::leaves_for("town", false));
    e.schedule(
        t("2024-03-04 22:00"),
        c,
        Happening::Returned {
            note: "walks in at ten".into(),
        },
    );
    e.finish(t("2024-03-05 12:00"));
    assert!(!e.log.iter().any(|l| l.text.contains("is found at")), "{:?}", e.log);
    assert!(e.log.iter().any(|l| l.text.contains("walks in at ten")), "{:?}", e.log);
}
