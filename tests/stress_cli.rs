//! `safe-return stress` with bad input: every mistake ends with exit status 2 and a message that
//! names the file, line, column and field (or the option), never with a crash, a wrapped-round
//! number or an hour-long run.

use std::path::Path;
use std::process::Output;

mod common;
use common::{ROOT, bin, scratch};

/// A tiny run: quick even when the input is accepted.
const TINY: [&str; 6] = ["--replications", "1", "--children", "50", "--days", "7"];

/// The path as the program prints it (relative to the project folder, where it runs).
fn rel(path: &Path) -> String {
    path.strip_prefix(ROOT).unwrap().to_str().unwrap().to_string()
}

/// Run `stress` under Havering October 2023 with a tiny run and these arguments.
fn stress(extra: &[&str]) -> Output {
    let mut args = vec!["stress", "--protocol", "havering-2023-10"];
    args.extend_from_slice(extra);
    bin(&args)
}

/// Exit 2, no panic, and every `expected` text in the error output.
fn refused(out: &Output, expected: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "exit 2 expected; stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "no panic:\n{stderr}");
    assert!(!stderr.contains("os error"), "no raw system errors:\n{stderr}");
    for e in expected {
        assert!(stderr.contains(e), "expected `{e}` in:\n{stderr}");
    }
    stderr
}

/// Write a caseload (text or bytes), run it, and expect `path:` + each of `expected`.
fn bad_caseload(name: &str, contents: impl AsRef<[u8]>, expected: &[&str]) -> String {
    let path = scratch(&format!("cli-{name}"));
    std::fs::write(&path, contents).expect("write caseload");
    let rel = rel(&path);
    let mut args = vec!["--caseload", rel.as_str()];
    args.extend_from_slice(&TINY);
    let out = stress(&args);
    let want: Vec<String> = expected.iter().map(|e| format!("{rel}:{e}")).collect();
    let want: Vec<&str> = want.iter().map(String::as_str).collect();
    refused(&out, &want)
}

fn caseload(body: &str) -> String {
    format!("Caseload(\n{body}\n)\n")
}

fn staffing(entry: &str) -> String {
    caseload(&format!("    name: \"t\",\n    staffing: [\n        {entry},\n    ],"))
}

#[test]
fn warm_up_beyond_ten_years_is_refused() {
    for days in ["100000000", "1000000000000000"] {
        bad_caseload(
            "warm-up.ron",
            caseload(&format!("    warm_up_days: {days},")),
            &[&format!(
                "2:5: warm_up_days: the warm-up is at most ten years (3,660 days), not {days} days"
            )],
        );
    }
}

#[test]
fn infinite_or_huge_episode_times_are_refused() {
    bad_caseload(
        "known-inf.ron",
        caseload("    episodes: (whereabouts_known_after_hours: inf),"),
        &["2:16: episodes.whereabouts_known_after_hours: at most a year (8,760 hours), not inf"],
    );
    bad_caseload(
        "close-inf.ron",
        caseload("    episodes: (close_after_return_days: inf),"),
        &["2:16: episodes.close_after_return_days: at most a year (365 days), not inf"],
    );
    bad_caseload(
        "huge-episodes.ron",
        caseload("    episodes: (median_hours: 1e300, max_days: 1e300, return_after_found_hours: 1e300),"),
        &[
            "2:16: episodes.median_hours: the median time away is at most a year (8,760 hours), not 1e300",
            "2:37: episodes.max_days: the longest episode is at most a year (365 days), not 1e300",
            "2:54: episodes.return_after_found_hours: at most a year (8,760 hours), not 1e300",
        ],
    );
}

#[test]
fn huge_or_infinite_staff_times_are_refused() {
    bad_caseload(
        "latency-huge.ron",
        staffing("(role: \"rhi_worker\", workers: 5, latency_min_minutes: 1e12, latency_max_minutes: 1e12)"),
        &[
            "4:42: staffing[0].latency_min_minutes: at most a year (525,600 minutes), not 1e12",
            "4:69: staffing[0].latency_max_minutes: at most a year (525,600 minutes), not 1e12",
        ],
    );
    bad_caseload(
        "service-inf.ron",
        staffing("(role: \"rhi_worker\", workers: 5, service_minutes: inf)"),
        &["4:42: staffing[0].service_minutes: at most a year (525,600 minutes), not inf"],
    );
    bad_caseload(
        "latency-reversed.ron",
        staffing("(role: \"rhi_worker\", workers: 5, latency_min_minutes: 480, latency_max_minutes: 60)"),
        &["4:68: staffing[0].latency_max_minutes: the longest latency (60) is below the shortest (480)"],
    );
}

#[test]
fn workers_beyond_the_cap_are_refused_not_wrapped() {
    bad_caseload(
        "workers-2-32.ron",
        staffing("(role: \"rhi_worker\", workers: 4294967296)"),
        &["4:30: staffing[0].workers: at most 100,000 workers on one role, not 4294967296"],
    );
}

#[test]
fn children_option_is_capped_at_ten_million() {
    for n in ["100000000000", "18446744073709551615", "10000001"] {
        let out = stress(&["--replications", "1", "--days", "7", "--children", n]);
        refused(
            &out,
            &[&format!(
                "--children: {n} children is more than this tool simulates (at most 10,000,000)"
            )],
        );
    }
    let out = stress(&["--replications", "1", "--days", "7", "--children", "0"]);
    refused(&out, &["--children: there must be at least one child"]);
    let out = stress(&["--replications", "1", "--days", "7", "--children", "-5"]);
    refused(&out, &["--children", "cannot be negative (-5)"]);
}

#[test]
fn replications_threads_days_and_event_log_size_are_capped() {
    let out = stress(&["--children", "50", "--days", "7", "--replications", "1000000000000"]);
    refused(
        &out,
        &["--replications: at most 10,000 replications, not 1000000000000"],
    );
    let out = stress(&[&TINY[..], &["--threads", "100000"]].concat());
    refused(&out, &["--threads: at most 256 threads, not 100000"]);
    let out = stress(&["--replications", "1", "--children", "50", "--days", "4000"]);
    refused(
        &out,
        &["--days: the horizon runs from 7 days (a week: workload is counted in whole weeks) to 3,660 (ten years)"],
    );
    let log = scratch("cli-zero.ocel.json");
    let _ = std::fs::remove_file(&log);
    let out = stress(&[&TINY[..], &["--ocel", log.to_str().unwrap(), "--ocel-children", "0"]].concat());
    refused(&out, &["--ocel-children: the event log needs at least one child"]);
    assert!(!log.exists(), "no event log written");
}

#[test]
fn outputs_are_checked_before_the_run() {
    let file = scratch("cli-not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let out = stress(&[&TINY[..], &["--out", file.to_str().unwrap()]].concat());
    refused(&out, &[&format!("--out: {} is a file, not a folder", file.display())]);
    assert!(out.stdout.is_empty(), "refused before the run: no report");

    let inside = file.join("sub");
    let out = stress(&[&TINY[..], &["--out", inside.to_str().unwrap()]].concat());
    refused(&out, &["--out: cannot make the folder", "is a file, not a folder"]);

    let dir = scratch("cli-a-folder");
    std::fs::create_dir_all(&dir).unwrap();
    let out = stress(&[&TINY[..], &["--ocel", dir.to_str().unwrap()]].concat());
    refused(&out, &[&format!("--ocel: {} is a folder, not a file", dir.display())]);
    assert!(out.stdout.is_empty(), "refused before the run: no report");

    // A folder that is not there yet is made (for the report and for the event log).
    let new = scratch("cli-new-folder");
    let _ = std::fs::remove_dir_all(&new);
    let log = new.join("logs").join("run.ocel.json");
    let out = stress(
        &[
            &TINY[..],
            &[
                "--out",
                new.join("report").to_str().unwrap(),
                "--ocel",
                log.to_str().unwrap(),
                "--ocel-children",
                "5",
            ],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(new.join("report").join("summary.json").is_file());
    assert!(log.is_file());
}

#[test]
fn a_protocol_given_as_the_caseload_is_named_as_one() {
    let out = stress(&[&["--caseload", "assets/protocols/bromley-2020.ron"], &TINY[..]].concat());
    refused(
        &out,
        &[
            "assets/protocols/bromley-2020.ron:4:1: this is not a caseload file: it should start with `Caseload(` (found `Protocol(`: a protocol file)",
        ],
    );
    bad_caseload(
        "caseloads.ron",
        "Caseloads(\n    children: 200,\n)\n",
        &["1:1: this is not a caseload file: it should start with `Caseload(` (found `Caseloads(`)"],
    );
}

#[test]
fn an_empty_file_is_called_empty() {
    for (name, text) in [
        ("empty.ron", ""),
        ("comments.ron", "// nothing here\n\n/* or here */\n"),
    ] {
        bad_caseload(
            name,
            text,
            &["1:1: the file is empty: a caseload starts with `Caseload(`"],
        );
    }
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let path = scratch("cli-bom.ron");
    std::fs::write(&path, "\u{feff}Caseload(\n    name: \"bom\",\n    children: 50,\n)\n").unwrap();
    let rel = rel(&path);
    let out = stress(&[&["--caseload", rel.as_str()], &TINY[..]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Stress test: bom"));
    // And its positions are counted as a reader sees them (the mark takes no column).
    bad_caseload(
        "bom-bad.ron",
        "\u{feff}Caseload(children: -5)\n",
        &["1:10: children: the number of children cannot be negative (-5)"],
    );
}

#[test]
fn malformed_text_is_explained_in_plain_words() {
    bad_caseload(
        "decimal.ron",
        caseload("    children: 200.5,"),
        &["2:18: children: expected a whole number, not 200.5"],
    );
    bad_caseload(
        "percent.ron",
        caseload("    out_of_borough: 40%,"),
        &["2:23: out_of_borough: write a share as a number from 0 to 1: write 0.4, not 40%"],
    );
    bad_caseload(
        "quoted.ron",
        caseload("    placements: [(placement: \"Foster\", share: 1.0)],"),
        &["2:30: placements[0].placement: write Foster without the quotes"],
    );
    bad_caseload(
        "status.ron",
        caseload("    legal_status: [(status: [S99], share: 1.0)],"),
        &["2:30: legal_status[0].status[0]: unknown legal status `S99`: expected one of S20, S31,"],
    );
    bad_caseload(
        "typo.ron",
        caseload("    chldren: 200,"),
        &["2:5: chldren: unknown field `chldren` in the caseload (did you mean `children`?): expected one of name,"],
    );
    bad_caseload(
        "staff-field.ron",
        staffing("(role: \"rhi_worker\", workers: 5, latency: 30)"),
        &["4:42: staffing[0].latency: unknown field `latency` in a staffing entry"],
    );
    bad_caseload(
        "no-workers.ron",
        staffing("(role: \"rhi_worker\")"),
        &["4:28: staffing[0]: missing field `workers` in a staffing entry"],
    );
    bad_caseload(
        "trailing.ron",
        caseload("    children: 200,") + "extra)\n",
        &["4:1: unexpected text after the end of the caseload"],
    );
    bad_caseload(
        "unclosed.ron",
        "Caseload(\n    name: \"t\",\n    children: 200,\n",
        &["3:19: the file ends before the `(` at line 1, column 9 is closed (a `)` is missing)"],
    );
    bad_caseload(
        "too-large.ron",
        caseload("    children: 99999999999999999999,"),
        &["2:15: children: number too large (99999999999999999999)"],
    );
    bad_caseload(
        "unquoted-date.ron",
        caseload("    start: 2024-04-01,"),
        &["2:11: start: expected text in double quotes here: write \"2024-04-01\""],
    );
    bad_caseload(
        "negative-age.ron",
        caseload("    ages: [(min: -1, max: 5, share: 1.0)],"),
        &["2:13: ages[0].min: an age cannot be negative (-1)"],
    );
    bad_caseload(
        "boolean.ron",
        caseload("    scale_staff_with_children: 1,"),
        &["2:31: scale_staff_with_children: expected true or false"],
    );
    bad_caseload(
        "latin1.ron",
        b"Caseload(\n    name: \"t\xff\",\n)\n",
        &["2:13: the file is not UTF-8 text (first bad byte at line 2, column 13)"],
    );
}

#[test]
fn a_folder_given_as_the_caseload_is_named_in_plain_words() {
    let dir = scratch("cli-caseload-folder");
    std::fs::create_dir_all(&dir).unwrap();
    let rel = rel(&dir);
    let out = stress(&[&["--caseload", rel.as_str()], &TINY[..]].concat());
    refused(
        &out,
        &[&format!(
            "{rel}:1:1: cannot read caseload file: it is a folder, not a file"
        )],
    );
}

/// Havering October 2023 with the offer of a return interview due in 24 hours instead of 72: a
/// draft a policy team might edit from a copy, keeping the protocol's id.
fn draft_revision() -> String {
    let text = std::fs::read_to_string(Path::new(ROOT).join("assets/protocols/havering-2023-10.ron")).unwrap();
    let at = text.find("id: \"hv.rhi.offer-72h\"").expect("the rule");
    let d = at + text[at..].find("deadline: Hours(72)").expect("its deadline");
    let draft = format!(
        "{}deadline: Hours(24){}",
        &text[..d],
        &text[d + "deadline: Hours(72)".len()..]
    );
    let path = scratch("draft-rhi-24h.ron");
    std::fs::write(&path, draft).unwrap();
    rel(&path)
}

#[test]
fn a_draft_that_kept_its_protocols_id_is_told_apart_and_its_changed_rule_named() {
    let draft = draft_revision();
    let out_dir = scratch("cli-draft-out");
    let _ = std::fs::remove_dir_all(&out_dir);
    let out = stress(
        &[
            &["--compare", draft.as_str(), "--out", out_dir.to_str().unwrap()][..],
            &["--replications", "1", "--children", "300", "--days", "30"],
        ]
        .concat(),
    );
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("note: both protocols are called `havering-2023-10`: the revision")
            && stderr.contains("is shown as `havering-2023-10 (draft-rhi-24h.ron)`"),
        "{stderr}"
    );
    assert!(stdout.contains("havering-2023-10 (draft-rhi-24h.ron)"), "{stdout}");
    assert!(stdout.contains("rules in both (1 changed), 0 added"), "{stdout}");
    assert!(
        stdout.contains("changed: hv.rhi.offer-72h (deadline: Hours(72) → Hours(24))"),
        "{stdout}"
    );
    let mut csv = csv::Reader::from_path(out_dir.join("comparison.csv")).unwrap();
    let head = csv.headers().unwrap().clone();
    let row = csv
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == "hv.rhi.offer-72h")
        .unwrap();
    let cell = |name: &str| &row[head.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name}"))];
    assert_eq!(cell("what_changed"), "deadline: Hours(72) → Hours(24)", "{row:?}");
    // Each shared rule's change paired by replication, with its interval: a day instead of three
    // for the interview can only lower the share in time.
    let num = |name: &str| {
        cell(name)
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("{name} in {row:?}"))
    };
    assert!(num("change_paired") < 0.0, "{row:?}");
    // (One replication here: no interval, and the reader is told so.)
    assert!(cell("change_lo").is_empty() && cell("change_hi").is_empty(), "{row:?}");
    assert_eq!(
        cell("change_says"),
        "no interval: duties fell due under both in one replication only"
    );
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).unwrap();
    assert!(
        summary.contains("havering-2023-10 (draft-rhi-24h.ron)"),
        "the CSV sides differ too"
    );
    // The chart's legend names each side once, whole, not cut at the edge.
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(
        html.contains("<title>havering-2023-10 (draft-rhi-24h.ron)</title>havering-2023-10 (draft-rhi-24h.ron)</text>"),
        "legend entry for the draft"
    );
}

#[test]
fn a_risk_factor_no_protocol_asks_about_is_warned_of_where_it_is_written() {
    // The protocols write `cse`; "csee" is a slip, "sexual_exploitation" a name none uses. The run
    // goes ahead (a caseload may keep factors for other protocols) but says so.
    let path = scratch("cli-risk-typo.ron");
    std::fs::write(
        &path,
        caseload(
            "    risk_factors: [\n        (factor: \"csee\", share: 0.1),\n        (factor: \"sexual_exploitation\", share: 0.1),\n        (factor: \"county_lines\", share: 0.1),\n    ],",
        ),
    )
    .unwrap();
    let rel = rel(&path);
    let out = stress(&[&["--caseload", rel.as_str()][..], &TINY[..]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "warning: {rel}:3:10: risk_factors[0].factor: no rule of havering-2023-10 asks about `csee`: it changes nothing in this run (did you mean `cse`?)"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("warning: {rel}:4:10: risk_factors[1].factor")),
        "{stderr}"
    );
    assert!(
        stderr.contains("(the risk factors asked about: cce, cse, gangs"),
        "{stderr}"
    );
    // `county_lines` is Bromley's: kept for another protocol, no warning.
    assert!(!stderr.contains("county_lines"), "{stderr}");
}

#[test]
fn a_run_shorter_than_a_week_is_refused() {
    // Workload, meetings a week and the busiest week are counted in whole weeks.
    let out = stress(&["--replications", "1", "--children", "50", "--days", "6"]);
    refused(&out, &["--days: the horizon runs from 7 days"]);
    bad_caseload(
        "three-days.ron",
        caseload("    horizon_days: 3,"),
        &["2:5: horizon_days: the horizon must be at least a week (7 days"],
    );
}
