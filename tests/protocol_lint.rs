//! `protocol lint` as a policy officer meets it: contradictions across thresholds, roles and
//! triggers, each reported once with all its rules, and deadlines that give more time than the
//! document's own words.

use safe_return::protocol::lint::{Finding, LintReport, lint};
use safe_return::protocol::parse_protocol;

fn shipped(name: &str) -> String {
    std::fs::read_to_string(format!("{}/assets/protocols/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn lint_text(name: &str, src: &str) -> LintReport {
    let lp = parse_protocol(std::path::Path::new(name), src).unwrap_or_else(|e| panic!("{e:?}"));
    lint(&lp, &[])
}

/// `src` with the first `from` after `id: "RULE"` replaced by `to`.
fn edit(src: &str, rule: &str, from: &str, to: &str) -> String {
    let at = src
        .find(&format!("id: \"{rule}\""))
        .unwrap_or_else(|| panic!("no rule {rule}"));
    let d = at + src[at..].find(from).unwrap_or_else(|| panic!("no `{from}` in {rule}"));
    format!("{}{to}{}", &src[..d], &src[d + from.len()..])
}

fn naming<'a>(report: &'a LintReport, kind: &str, rule: &str) -> Vec<&'a Finding> {
    report
        .of_kind(kind)
        .into_iter()
        .filter(|f| f.rules.iter().any(|r| r == rule))
        .collect()
}

#[test]
fn havering_police_five_working_days_is_reported_against_the_7th_day() {
    // Appendix E: "Police timescale is for the strategy meeting to be held within 5 working days
    // of the request being received" — a request at 48 hours plus 5 working days can run past
    // "held by the 7th day". The police's meeting is the social worker's (held together), so it
    // is the same duty, on a different trigger: one finding with the day-7, day-5 and 72-hour
    // meetings, not a second one.
    let report = lint_text("havering-2023-05.ron", &shipped("havering-2023-05.ron"));
    let found = naming(&report, "conflicting_deadlines", "hv.appx-e.police-5-working-days");
    assert_eq!(found.len(), 1, "{:?}", report.of_kind("conflicting_deadlines"));
    for id in ["hv.appx-e.hold-by-day-7", "hv.strategy.appx-g.hold-by-day-5"] {
        assert!(found[0].rules.iter().any(|r| r == id), "{:?}", found[0].rules);
    }
    assert_eq!(report.of_kind("conflicting_deadlines").len(), 1);
    // The message says when each falls due counted from the leaving: the police's can run to
    // more than 9 days.
    assert!(
        found[0].message.contains("due 7 days after the child left"),
        "{}",
        found[0].message
    );
    assert!(found[0].message.contains("to 9 days"), "{}", found[0].message);
}

#[test]
fn the_director_told_at_24_hours_for_children_in_care_and_at_72_for_all_is_one_contradiction() {
    // Bromley 9.5 "The Director must be notified of all Children Looked After who have been
    // missing for more than 24-hours" beside 9.2 "… notification of all children who are missing
    // for more than 72 hours": for a child in care both apply, one notification meets both, and
    // they give it by different times.
    let report = lint_text("bromley-2020.ron", &shipped("bromley-2020.ron"));
    let found = naming(&report, "conflicting_deadlines", "br.cla.dcs-24h");
    assert_eq!(found.len(), 1, "{:?}", report.of_kind("conflicting_deadlines"));
    assert!(
        found[0].rules.iter().any(|r| r == "br.cla.dcs-72h"),
        "{:?}",
        found[0].rules
    );
    assert!(
        found[0].message.contains("25 h") && found[0].message.contains("73 h"),
        "{}",
        found[0].message
    );
    assert_eq!(found[0].citations.len(), 2);
}

#[test]
fn the_same_threshold_rule_in_two_passages_is_no_contradiction_but_a_different_threshold_is() {
    // Havering's 48-hour request for a strategy meeting appears in two passages with the same
    // time: nothing to reconcile. Move one to 72 hours and it is a contradiction.
    let src = shipped("havering-2023-05.ron");
    let report = lint_text("havering-2023-05.ron", &src);
    assert!(naming(&report, "conflicting_deadlines", "hv.appx-e.request-strategy-48h").is_empty());
    let moved = edit(
        &src,
        "hv.appx-e.request-strategy-48h",
        "MissingFor(48)",
        "MissingFor(72)",
    );
    let report = lint_text("havering-2023-05.ron", &moved);
    let found = naming(&report, "conflicting_deadlines", "hv.appx-e.request-strategy-48h");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].rules.iter().any(|r| r == "hv.strategy.request-48h"),
        "{:?}",
        found[0].rules
    );
}

#[test]
fn a_later_duty_that_asks_for_another_act_is_no_contradiction() {
    // Bromley: the Director told at 24 hours (children in care) and at 72 hours (all). Made to
    // count only from its own threshold (a second notification), the 72-hour one asks for
    // another act, which no earlier notification meets: nothing to reconcile.
    let src = shipped("bromley-2020.ron");
    let later = edit(
        &src,
        "br.cla.dcs-72h",
        "deadline: Immediately,",
        "deadline: Immediately, anchor: Trigger,",
    );
    let report = lint_text("bromley-2020.ron", &later);
    assert!(
        naming(&report, "conflicting_deadlines", "br.cla.dcs-72h").is_empty(),
        "{:?}",
        report.of_kind("conflicting_deadlines")
    );
}

#[test]
fn next_working_day_for_the_documents_72_hours_is_more_time_than_it_gives() {
    // Haringey 22.0: "The return interview should be carried out no later than 72 hours of the
    // child's return." Three working days from a Friday run to Wednesday's close: flagged.
    let src = shipped("haringey-2021.ron");
    let clean = lint_text("haringey-2021.ron", &src);
    assert!(
        clean.of_kind("deadline_grace").is_empty(),
        "{:?}",
        clean.of_kind("deadline_grace")
    );
    let id = "hg.rhi.within-72h";
    let slack = edit(&src, id, "deadline: Hours(72)", "deadline: WorkingDays(3)");
    let report = lint_text("haringey-2021.ron", &slack);
    let found = naming(&report, "deadline_grace", id);
    assert_eq!(found.len(), 1, "{:?}", report.findings);
    assert!(found[0].message.contains("72 hours"), "{}", found[0].message);
    // 72 hours as "3 days" is the same time: nothing to say.
    let same = edit(&src, id, "deadline: Hours(72)", "deadline: Days(3)");
    assert!(naming(&lint_text("haringey-2021.ron", &same), "deadline_grace", id).is_empty());
}

#[test]
fn a_threshold_given_a_working_day_more_is_flagged() {
    // Bromley 9.5: "The Director must be notified of all Children Looked After who have been
    // missing for more than 24-hours." The document's time is the threshold; the next working
    // day after it is up to three days and more later.
    let src = shipped("bromley-2020.ron");
    let slack = edit(
        &src,
        "br.cla.dcs-24h",
        "deadline: Immediately",
        "deadline: FirstWorkingDay",
    );
    let report = lint_text("bromley-2020.ron", &slack);
    let found = naming(&report, "deadline_grace", "br.cla.dcs-24h");
    assert_eq!(found.len(), 1, "{:?}", report.findings);
    assert!(found[0].message.contains("at 24 hours missing"), "{}", found[0].message);
}

#[test]
fn immediately_in_the_quote_encoded_as_hours_is_flagged() {
    let src = shipped("west-mercia-2014.ron");
    let slack = edit(
        &src,
        "wm.care.activity.police-immediately",
        "deadline: Immediately",
        "deadline: Hours(6)",
    );
    let report = lint_text("west-mercia-2014.ron", &slack);
    let found = naming(&report, "deadline_grace", "wm.care.activity.police-immediately");
    assert_eq!(found.len(), 1, "{:?}", report.findings);
    assert!(found[0].message.contains("\"immediately\""), "{}", found[0].message);
    // "must not be delayed until the group has returned" is no wait.
    assert!(report.of_kind("wait_read_as_deadline").is_empty());
}

#[test]
fn a_wait_the_document_sets_written_as_a_deadline_is_flagged() {
    // Havering: "The Missing report will not be transferred to the BCU MISPer Unit until 48
    // hours after the report has been created" — shipped as a window that opens at 48 hours;
    // written as a 48-hour deadline it would make the transfer late that the text requires.
    let src = shipped("havering-2023-05.ron");
    let id = "hv.police.transfer-misper-48h";
    assert!(
        lint_text("havering-2023-05.ron", &src)
            .of_kind("wait_read_as_deadline")
            .is_empty()
    );
    let wrong = edit(&src, id, "opens_after_hours: 48,", "");
    let wrong = edit(&wrong, id, "deadline: Immediately", "deadline: Hours(48)");
    let report = lint_text("havering-2023-05.ron", &wrong);
    let found = naming(&report, "wait_read_as_deadline", id);
    assert_eq!(found.len(), 1, "{:?}", report.findings);
    assert!(found[0].message.contains("opens_after_hours"), "{}", found[0].message);
}
