//! Strategy-meeting slots: a caseload can say how many strategy meetings can be held at once.
//! Meetings then wait for a slot, fall late, and the report says so — and why.

use serde_json::Value;

mod common;
use common::{bin, scratch};

fn run_json(args: &[&str]) -> Value {
    let mut all = vec!["stress"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = bin(&all);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn mean(v: &Value) -> f64 {
    v["mean"].as_f64().unwrap_or_else(|| panic!("an estimate: {v}"))
}

fn rule<'a>(s: &'a Value, k: usize, id: &str) -> &'a Value {
    s["protocols"][k]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("rule {id}"))
}

const RUN: [&str; 4] = ["--replications", "3", "--days", "120"];

#[test]
fn one_meeting_slot_makes_meetings_wait_and_the_revision_asking_fewer_meetings_relieves_it() {
    let mut args = vec![
        "--protocol",
        "havering-2023-05",
        "--compare",
        "havering-2023-10",
        "--caseload",
        "assets/caseloads/stretched-meetings.ron",
    ];
    args.extend_from_slice(&RUN);
    let one = run_json(&args);
    assert_eq!(one["caseload"]["strategy_meeting_slots"]["slots"], 1);
    let slots = |k: usize| &one["protocols"][k]["meeting_slots"];
    let (may, oct) = (slots(0), slots(1));
    // An hour a meeting, one at a time, in office hours: the May protocol's meetings keep the
    // slot far busier, and wait longer for it, than October's (which asks for fewer).
    assert!(mean(&may["busy"]) > 0.5, "May keeps the slot busy: {may}");
    assert!(mean(&may["busy"]) > mean(&oct["busy"]) + 0.15, "{may} vs {oct}");
    assert!(mean(&may["mean_wait_minutes"]) > mean(&oct["mean_wait_minutes"]));
    assert!(mean(&may["meetings_per_week"]) > mean(&oct["meetings_per_week"]));
    // Every meeting held in a slot is one of the strategy meetings held (one whose child was
    // found while it sat still counts as held).
    for k in 0..2 {
        let held = mean(&one["protocols"][k]["strategy_meetings_per_week"]);
        let in_slots = mean(&slots(k)["meetings_per_week"]);
        assert!(in_slots <= held + 1e-9, "{in_slots} in slots, {held} held");
    }

    // Without a limit on slots, the 72-hour meeting is met in time more often.
    let mut free = vec!["--protocol", "havering-2023-05"];
    free.extend_from_slice(&RUN);
    let unlimited = run_json(&free);
    assert!(unlimited["protocols"][0]["meeting_slots"].is_null());
    let id = "hv.strategy.appx-g.meeting-at-72h";
    let slotted = mean(&rule(&one, 0, id)["compliance"]);
    let open = mean(&rule(&unlimited, 0, id)["compliance"]);
    assert!(
        slotted + 0.05 < open,
        "72-hour meetings in time: {slotted} with one slot, {open} without"
    );
    // And the report says why, naming the slot.
    let why = rule(&one, 0, id)["likely_cause"].as_str().expect("a likely cause");
    assert!(
        why.contains("waiting for a free worker or a strategy-meeting slot")
            && why.contains("1 strategy-meeting slot of 60 min, in office hours"),
        "{why}"
    );
}

#[test]
fn more_meeting_slots_mean_shorter_waits_and_the_option_overrides_the_caseload() {
    let run = |slots: &str| {
        let mut args = vec![
            "--protocol",
            "havering-2023-05",
            "--caseload",
            "assets/caseloads/stretched-meetings.ron",
            "--meeting-slots",
            slots,
        ];
        args.extend_from_slice(&RUN);
        run_json(&args)
    };
    let (one, three) = (run("1"), run("3"));
    assert_eq!(three["caseload"]["strategy_meeting_slots"]["slots"], 3);
    let slots = |s: &Value| s["protocols"][0]["meeting_slots"].clone();
    assert!(mean(&slots(&three)["mean_wait_minutes"]) < mean(&slots(&one)["mean_wait_minutes"]));
    assert!(mean(&slots(&three)["busy"]) < mean(&slots(&one)["busy"]) / 2.0);
    // On the built-in borough, which sets no slots, the option sets meetings of an hour.
    let mut args = vec!["--protocol", "havering-2023-10", "--meeting-slots", "2"];
    args.extend_from_slice(&RUN);
    let s = run_json(&args);
    assert_eq!(s["caseload"]["strategy_meeting_slots"]["minutes"], 60.0);
    assert!(s["protocols"][0]["meeting_slots"]["busy"]["mean"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_protocol_holding_no_strategy_meetings_says_so_beside_the_slots() {
    let out = bin(&[
        "stress",
        "--protocol",
        "west-mercia-2014",
        "--caseload",
        "assets/caseloads/stretched-meetings.ron",
        "--replications",
        "2",
        "--days",
        "20",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("1 strategy-meeting slot of 60 min, in office hours"),
        "{text}"
    );
    assert!(
        text.contains("wait for a meeting slot (min)      — (the protocol holds no strategy meetings)"),
        "{text}"
    );
}

/// `stress` under Havering October 2023 for a week with these arguments: refused with exit 2
/// and every `expected` text in the error output.
fn refused(args: &[&str], expected: &[&str]) {
    let mut all = vec!["stress", "--protocol", "havering-2023-10", "--days", "7"];
    all.extend_from_slice(args);
    let out = bin(&all);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for e in expected {
        assert!(err.contains(e), "expected `{e}` in:\n{err}");
    }
}

#[test]
fn bad_meeting_slots_are_refused_with_file_line_column_and_field() {
    let path = scratch("slots-bad.ron");
    let p = path.to_str().unwrap();
    std::fs::write(
        &path,
        "Caseload(\n    name: \"t\",\n    strategy_meeting_slots: (slots: 0, minutes: -5),\n)\n",
    )
    .unwrap();
    refused(
        &["--caseload", p],
        &[
            ":3:30: strategy_meeting_slots.slots: at least one meeting slot",
            ":3:40: strategy_meeting_slots.minutes: cannot be negative (-5)",
        ],
    );
    std::fs::write(&path, "Caseload(\n    strategy_meeting_slots: (slot: 2),\n)\n").unwrap();
    refused(
        &["--caseload", p],
        &["unknown field `slot` in `strategy_meeting_slots` (did you mean `slots`?)"],
    );
    refused(
        &["--meeting-slots", "0"],
        &["--meeting-slots: from 1 to 100,000 meeting slots, not 0"],
    );
}

#[test]
fn the_report_files_carry_the_slots_and_their_figures() {
    let dir = scratch("slots-out");
    let _ = std::fs::remove_dir_all(&dir);
    let out = bin(&[
        "stress",
        "--protocol",
        "havering-2023-10",
        "--caseload",
        "assets/caseloads/stretched-meetings.ron",
        "--replications",
        "2",
        "--days",
        "30",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("Strategy meetings: 1 strategy-meeting slot of 60 min, in office hours"));
    assert!(html.contains("Wait for a strategy-meeting slot (min)") && html.contains("Strategy-meeting slots busy"));
    let csv = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    for measure in ["strategy_meeting_slot_wait_minutes", "strategy_meeting_slots_busy"] {
        let row = csv
            .lines()
            .find(|l| l.starts_with(&format!("havering-2023-10,{measure},")))
            .unwrap_or_else(|| panic!("{measure} in summary.csv:\n{csv}"));
        let mean: f64 = row.split(',').nth(2).unwrap().parse().unwrap();
        assert!(mean > 0.0, "{row}");
    }
}
