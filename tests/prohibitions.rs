//! Prohibitions scoped by role: "only the Assistant Director or above may end a placement" binds
//! the social worker and spares the Assistant Director; roles acting by the book never break one.

use std::sync::Arc;

use safe_return::protocol::{Citation, Condition, Forbidden, LegalStatus, Placement, Prohibition, Protocol};
use safe_return::sim::Status;
use safe_return::sim::engine::Engine;

mod episodes;
use episodes::{child, leaves_for, protocol, t};

/// A 14-year-old in foster care (care order) who leaves at 12:00 on Monday 4 March 2024.
fn leaves(p: Protocol, trainee: Option<&str>) -> (Engine, usize) {
    let mut e = Engine::new(Arc::new(p), t("2024-03-04 10:00"), 7);
    e.automation.trainee_role = trainee.map(String::from);
    let c = e.add_child(
        child("Test Child", 2010, vec![LegalStatus::S31], Placement::Foster),
        "placement",
        vec![],
    );
    e.schedule(t("2024-03-04 12:00"), c, leaves_for("town", false));
    (e, c)
}

fn wrongful(e: &Engine) -> Vec<String> {
    e.obligations
        .iter()
        .filter(|o| o.status == Status::Wrongful)
        .map(|o| o.rule.clone())
        .collect()
}

/// Havering: "The decision to end a placement for a missing child can only be made by the
/// Assistant Director or above." A social worker who ends the placement of a child missing for
/// 13 weeks acts wrongfully; the Assistant Director doing so does not.
#[test]
fn only_the_assistant_director_may_end_the_placement_of_a_missing_child() {
    for (role, is_wrong) in [("social_worker", true), ("ad_dcs", false)] {
        let (mut e, c) = leaves(protocol("havering-2023-05"), Some(role));
        e.schedule_action(
            t("2024-06-03 12:00"),
            c,
            role,
            "end_placement",
            Default::default(),
            true,
        );
        e.run_until(t("2024-06-04 12:00"));
        let w = wrongful(&e);
        assert_eq!(
            w.contains(&"hv.placement-end.ad-or-above-only".to_string()),
            is_wrong,
            "{role}: {w:?}"
        );
    }
    // Nobody is asked to decide on ending every placement at 12 weeks (the document asks for no
    // such decision unless one is required).
    let p = protocol("havering-2023-05");
    assert!(p.rules.iter().all(|r| r.action != "end_placement"));
    // The social worker is offered the act, so that the mistake can be made in the app.
    assert!(p.actions_for_role("social_worker").contains(&"end_placement"));
}

/// A prohibition binding the placement, with nobody playing it: acting by the book it never
/// reports (its duties to are not applicable, saying why), and a trainee in that role who reports
/// is wrongful. Sparing the placement instead, it reports as before.
#[test]
fn roles_acting_by_the_book_never_break_a_prohibition() {
    let with = |roles: Vec<String>, except: Vec<String>| {
        let mut p = protocol("west-mercia-2014");
        p.prohibitions.push(Prohibition {
            id: "test.placement-not-to-report".into(),
            forbids: Forbidden::Action("report_to_police".into()),
            when: Condition::default(),
            citation: Citation {
                doc: "west-mercia-2014".into(),
                section: "test".into(),
                quote: "a test prohibition".into(),
            },
            roles,
            except,
            note: None,
        });
        p
    };
    let bound = with(vec!["placement_provider".into()], vec![]);
    let (mut e, c) = leaves(bound.clone(), None);
    e.finish(t("2024-03-05 12:00"));
    assert!(
        !e.actions_done
            .iter()
            .any(|a| a.2 == "placement_provider" && a.3 == "report_to_police"),
        "the placement reported although forbidden"
    );
    let theirs: Vec<_> = e
        .obligations
        .iter()
        .filter(|o| o.role == "placement_provider" && o.action == "report_to_police")
        .collect();
    assert!(!theirs.is_empty());
    for o in &theirs {
        assert_eq!(o.status, Status::NotApplicable, "{o:?}");
        assert!(o.reason.contains("forbids"), "{}", o.reason);
    }
    let (mut e, c2) = leaves(bound, Some("placement_provider"));
    e.schedule_action(
        t("2024-03-04 13:00"),
        c2,
        "placement_provider",
        "report_to_police",
        Default::default(),
        true,
    );
    e.finish(t("2024-03-05 12:00"));
    assert!(wrongful(&e).contains(&"test.placement-not-to-report".to_string()));
    let _ = c;

    let spared = with(vec![], vec!["placement_provider".into()]);
    let (mut e, _) = leaves(spared, None);
    e.finish(t("2024-03-05 12:00"));
    assert!(
        e.actions_done
            .iter()
            .any(|a| a.2 == "placement_provider" && a.3 == "report_to_police")
    );
}

/// Bromley: MASH screens every contact with the risk tool, and the social worker completes the
/// missing risk assessment — one action. "Following completion, this risk assessment form must be
/// sent to the … ATLAS Team" is the social worker's form: MASH's screening does not ask her to
/// send it again; her own assessment does.
#[test]
fn a_done_trigger_can_say_whose_act_sets_it_off() {
    for (who, expected) in [("mash", false), ("social_worker", true)] {
        let (mut e, c) = leaves(protocol("bromley-2020"), Some("social_worker"));
        e.schedule_action(
            t("2024-03-04 14:00"),
            c,
            who,
            "complete_risk_assessment",
            Default::default(),
            who == "social_worker",
        );
        e.run_until(t("2024-03-04 16:00"));
        let arose: Vec<_> = e
            .obligations
            .iter()
            .filter(|o| o.rule == "br.mrat.send-to-atlas" && o.fired_at == t("2024-03-04 14:00"))
            .collect();
        assert_eq!(!arose.is_empty(), expected, "{who}: {arose:?}");
    }
}
