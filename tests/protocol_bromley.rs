//! Bromley Safeguarding Children Partnership, Missing Children Protocol 2020: practice points.

use safe_return::protocol::{
    Deadline, Facts, LegalStatus, Placement, Rag, RiskLevel, Strength, Trigger, load_protocol,
};

fn load() -> safe_return::protocol::Protocol {
    load_protocol(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/protocols/bromley-2020.ron"
    )))
    .unwrap()
    .protocol
}

fn looked_after_foster(age: i64) -> Facts {
    Facts {
        age,
        legal_status: vec![LegalStatus::S31],
        placement: Some(Placement::Foster),
        ..Default::default()
    }
}

fn answers(items: &[(&str, i64)]) -> Vec<(String, i64)> {
    items.iter().map(|(id, s)| (id.to_string(), *s)).collect()
}

#[test]
fn absent_category_is_no_longer_used() {
    let p = load();
    let child = Facts {
        age: 15,
        ..Default::default()
    };
    assert!(p.forbids_category(&child, "absent").is_some());
    assert!(p.forbids_category(&looked_after_foster(12), "absent").is_some());
}

#[test]
fn child_whose_whereabouts_are_known_is_neither_missing_nor_reported() {
    let p = load();
    let child = Facts {
        age: 14,
        whereabouts_known: true,
        ..Default::default()
    };
    assert_eq!(p.classify(&child).unwrap().category, "not_missing");
    assert!(p.forbids_category(&child, "missing").is_some());
    assert!(p.forbids_action(&child, "report_to_police").is_some());
}

#[test]
fn looked_after_child_away_with_whereabouts_known_is_an_unauthorised_absence() {
    let p = load();
    let known = Facts {
        whereabouts_known: true,
        ..looked_after_foster(15)
    };
    assert_eq!(p.classify(&known).unwrap().category, "unauthorised_absence");

    let known_at_risk = Facts {
        risk_factors: vec!["cse".into()],
        ..known.clone()
    };
    assert_eq!(
        p.classify(&known_at_risk).unwrap().category,
        "unauthorised_absence_high_risk"
    );

    let unknown = looked_after_foster(15);
    assert_eq!(p.classify(&unknown).unwrap().category, "missing");
}

#[test]
fn return_home_interview_should_take_place_within_72_hours_of_being_found() {
    let p = load();
    let r = p.rule("br.rhi.within-72h").unwrap();
    assert_eq!(r.trigger, Trigger::Located);
    assert_eq!(r.role, "rhi_worker");
    assert_eq!(r.deadline, Deadline::Hours(72));
    assert_eq!(r.strength, Strength::Should);
    // ... and is arranged as soon as the Missing Co-ordinator's referral arrives.
    let arrange = p.rule("br.rhi.arrange-on-referral").unwrap();
    assert_eq!(arrange.trigger, Trigger::NotificationReceived("rhi_worker".into()));
    assert_eq!(arrange.deadline, Deadline::Immediately);
}

#[test]
fn strategy_meeting_within_24_hours_clashes_with_first_available_working_day() {
    let p = load();
    let early = p.rule("br.strategy.early-24h").unwrap();
    let cla = p.rule("br.cla.strategy-first-working-day").unwrap();
    assert_eq!(early.deadline, Deadline::Hours(24));
    assert_eq!(early.strength, Strength::Must);
    assert_eq!(cla.deadline, Deadline::FirstWorkingDay);
    assert!(
        early
            .note
            .as_deref()
            .unwrap()
            .contains("br.cla.strategy-first-working-day")
    );
    assert!(cla.note.as_deref().unwrap().contains("br.strategy.early-24h"));
}

#[test]
fn director_is_told_at_24_hours_in_one_place_and_72_hours_in_another() {
    let p = load();
    let at_24 = p.rule("br.cla.dcs-24h").unwrap();
    let at_72 = p.rule("br.cla.dcs-72h").unwrap();
    assert_eq!(at_24.trigger, Trigger::MissingFor(24.0));
    assert_eq!(at_72.trigger, Trigger::MissingFor(72.0));
    assert!(at_24.note.as_deref().unwrap().starts_with("Contradicts br.cla.dcs-72h"));
    assert!(at_72.note.as_deref().unwrap().starts_with("Contradicts br.cla.dcs-24h"));
    // At 48 hours the Director considers advising the Deputy Chief Executive.
    let dce = p.rule("br.cla.dcs-advise-deputy-chief-executive").unwrap();
    assert_eq!(dce.trigger, Trigger::MissingFor(48.0));
    assert_eq!(dce.role, "ad_dcs");
}

#[test]
fn looked_after_13_year_old_with_history_of_running_away_scores_blue_then_green() {
    let p = load();
    let tool = p.tool("bromley-mrat").unwrap();
    // Under 14 (3) + looked after (2) + previous history of running away (2) = 7: no concerns.
    let base = answers(&[("under_14", 3), ("looked_after", 2), ("history_of_running_away", 2)]);
    let total = tool.total(&base).unwrap();
    assert_eq!(total, 7);
    assert_eq!(tool.band(total).unwrap().rag, Rag::Blue);

    // Now missing over 24 hours (3) and known to associate with risky adults (2): 12, vulnerable to missing.
    let mut more = base.clone();
    more.extend(answers(&[("missing_duration_frequency", 3), ("risky_associates", 2)]));
    let total = tool.total(&more).unwrap();
    assert_eq!(total, 12);
    let band = tool.band(total).unwrap();
    assert_eq!(band.rag, Rag::Green);
    assert!(band.response.contains("preventative work"));
}

#[test]
fn risk_tool_bands_are_as_written_and_30_counts_as_amber() {
    let p = load();
    let tool = p.tool("bromley-mrat").unwrap();
    assert_eq!(tool.band(9).unwrap().rag, Rag::Blue);
    assert_eq!(tool.band(10).unwrap().rag, Rag::Green);
    assert_eq!(tool.band(29).unwrap().rag, Rag::Green);
    // "10 - 30" and "30 - 50" both contain 30; the more serious band wins.
    assert_eq!(
        tool.bands
            .iter()
            .filter(|b| 30 >= b.min && b.max.is_none_or(|m| 30 <= m))
            .count(),
        2
    );
    assert_eq!(tool.band(30).unwrap().rag, Rag::Amber);
    assert_eq!(tool.band(50).unwrap().rag, Rag::Amber);
    let red = tool.band(51).unwrap();
    assert_eq!(red.rag, Rag::Red);
    assert_eq!(red.max, None);
    assert!(red.response.contains("strategy meeting"));
}

#[test]
fn risk_tool_has_every_item_and_two_or_three_items_cannot_score_one() {
    let p = load();
    let tool = p.tool("bromley-mrat").unwrap();
    assert_eq!(tool.sections.len(), 8);
    assert_eq!(tool.sections.iter().map(|s| s.items.len()).sum::<usize>(), 69);
    assert_eq!(tool.max_total(), 125);
    assert!(tool.total(&answers(&[("sexual_exploitation", 1)])).is_err());
    assert_eq!(
        tool.total(&answers(&[("sexual_exploitation", 3), ("trafficking", 2)]))
            .unwrap(),
        5
    );
    assert!(tool.total(&answers(&[("not_an_item", 1)])).is_err());
}

#[test]
fn missing_uasc_under_18_keeps_looked_after_status() {
    let p = load();
    let uasc = Facts {
        age: 16,
        legal_status: vec![LegalStatus::Uasc],
        placement: Some(Placement::SemiIndependent),
        ..Default::default()
    };
    assert!(p.forbids_action(&uasc, "remove_looked_after_status").is_some());
    let lac_review = p.rule("br.uasc.lac-review-16-17").unwrap();
    assert!(lac_review.when.holds(&uasc));
    assert_eq!(lac_review.role, "iro");
}

#[test]
fn high_risk_child_outstanding_after_72_hours_goes_to_the_nca_bureau() {
    let p = load();
    let r = p.rule("br.police.high.nca-72h").unwrap();
    assert_eq!(r.trigger, Trigger::MissingFor(72.0));
    let high = Facts {
        risk: Some(RiskLevel::High),
        ..looked_after_foster(15)
    };
    let medium = Facts {
        risk: Some(RiskLevel::Medium),
        ..looked_after_foster(15)
    };
    assert!(r.when.holds(&high));
    assert!(!r.when.holds(&medium));
    let grades: Vec<RiskLevel> = p.risk.police_grades.iter().map(|g| g.level).collect();
    assert_eq!(grades, vec![RiskLevel::High, RiskLevel::Medium, RiskLevel::Low]);
}
