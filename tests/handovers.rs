//! Who knows what, when: agencies learn of a missing child through the acts that tell them (the
//! carer's report to the police, the police notification to MASH, MASH's to the social worker),
//! and roles acting by the book never act on what nobody has told them.

use std::path::Path;

use chrono::NaiveDateTime;
use safe_return::protocol::load_protocol;
use safe_return::scenario::{Decisions, load_decisions, load_scenario, run};
use safe_return::sim::engine::{Engine, LogEntry, Status};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A scenario played with its by-the-book decisions: the engine after the run.
fn played(name: &str) -> Engine {
    let dir = Path::new(ROOT).join("scenarios").join(name);
    let sc = load_scenario(&dir.join("scenario.ron")).expect("scenario loads");
    let d: Decisions = load_decisions(&dir.join("by-the-book.ron"), &sc).expect("decisions load");
    let mut e = run::prepare(&sc, &d, 1);
    e.finish(sc.end());
    e
}

fn first(e: &Engine, f: impl Fn(&LogEntry) -> bool) -> Option<&LogEntry> {
    e.log.iter().find(|l| f(l))
}

/// When a role first acts for the child (by the role's name as the chronology gives it).
fn first_act_by(e: &Engine, who: &str) -> Option<NaiveDateTime> {
    first(e, |l| l.kind == "action" && l.who.starts_with(who)).map(|l| l.at)
}

#[test]
fn in_daniels_case_mash_and_the_practitioners_act_only_after_the_police_pass_the_report_on() {
    // Haringey, "Daniel hasn't come home": his mother rings 101. The police share the missing
    // report with MASH; MASH's checks with partner agencies are how a practitioner working with
    // the family hears of it. Nobody acts before they are told.
    let e = played("haringey-home-eleven");
    let reported = first(&e, |l| l.kind == "handover" && l.text.contains("Police (accepting"))
        .expect("the report tells the police")
        .at;
    let to_mash = first(&e, |l| {
        l.kind == "handover" && l.text.contains("Multi-Agency Safeguarding Hub (MASH)")
    })
    .expect("the police tell MASH");
    assert!(to_mash.who.contains("Police"), "{}", to_mash.who);
    assert!(to_mash.at >= reported);
    let mash_acts = first_act_by(&e, "Multi-Agency Safeguarding Hub").expect("MASH acts");
    assert!(
        mash_acts >= to_mash.at,
        "MASH acts at {mash_acts}, told at {}",
        to_mash.at
    );
    let told_practitioner = first(&e, |l| {
        l.kind == "handover" && l.text.contains("Any agency / practitioner")
    })
    .expect("MASH's checks tell the practitioner")
    .at;
    let practitioner_acts = first_act_by(&e, "Any agency / practitioner").expect("the practitioner acts");
    assert!(practitioner_acts >= told_practitioner && told_practitioner > reported);
}

#[test]
fn a_social_worker_hears_through_mash_and_never_before_the_police_report() {
    // Havering, a child in residential care: the placement reports to the police, the police
    // share the Merlin with MASH, MASH opens the episode and notifies the social worker.
    let e = played("havering-care-residential");
    let report = first(&e, |l| l.kind == "handover" && l.text.contains("Police (101"))
        .expect("report")
        .at;
    let sw_told = first(&e, |l| {
        l.kind == "handover" && l.text.contains("Allocated social worker")
    })
    .expect("the social worker is told");
    assert!(
        sw_told.at > report,
        "told at {} after the report at {report}",
        sw_told.at
    );
    assert!(sw_told.who.starts_with("MASH"), "told by {}", sw_told.who);
}

#[test]
fn a_child_back_before_anyone_reported_her_never_reaches_the_return_interview_service() {
    // Havering October 2023: a child leaves her children's home and is back ten minutes later,
    // before the placement's report to the police falls due. Nobody passes the episode on, so
    // the RHI worker's duties are not done — and say why, rather than being marked missed.
    let p = load_protocol(&Path::new(ROOT).join("assets/protocols/havering-2023-10.ron"))
        .expect("protocol")
        .protocol;
    let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    let mut e = Engine::new(std::sync::Arc::new(p), t("2024-03-04 09:00"), 1);
    let c = e.add_child(
        safe_return::sim::engine::ChildProfile {
            name: "Test child".into(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(2009, 5, 1).unwrap(),
            legal_status: vec![safe_return::protocol::LegalStatus::S31],
            placement: safe_return::protocol::Placement::Residential,
            out_of_borough: false,
            placed_here_by_other_authority: false,
            risk_factors: vec![],
        },
        "placement",
        vec![],
    );
    use safe_return::sim::engine::Happening;
    e.schedule(
        t("2024-03-04 12:00"),
        c,
        Happening::Leaves {
            to: "park".into(),
            note: String::new(),
            whereabouts_known: false,
            last_seen_hours_before: None,
        },
    );
    e.schedule(
        t("2024-03-04 12:05"),
        c,
        Happening::Located {
            at: "park".into(),
            note: String::new(),
        },
    );
    e.schedule(t("2024-03-04 12:10"), c, Happening::Returned { note: String::new() });
    e.finish(t("2024-03-09 12:00"));
    let rhi: Vec<_> = e.obligations.iter().filter(|o| o.role == "rhi_worker").collect();
    assert!(!rhi.is_empty(), "return interview duties arise on her return");
    for o in rhi {
        assert_eq!(o.status, Status::NotApplicable, "{}: {}", o.rule, o.reason);
        assert!(o.reason.contains("nobody told"), "{}", o.reason);
    }
    assert!(
        !e.log.iter().any(|l| l.kind == "handover" && l.text.contains("RHI")),
        "nobody told the RHI worker"
    );
    let ri = e
        .protocol
        .rules
        .iter()
        .position(|r| r.id == "hv.rhi.offer-72h")
        .expect("the 72-hour offer");
    assert_eq!(e.tallies[ri].never_told, 1, "tallied apart");
    assert_eq!(e.tallies[ri].missed, 0);
}
