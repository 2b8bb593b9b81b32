//! Protocols and caseloads given by id, by file name or by path; a wrong one lists what there is
//! and suggests the nearest; a caseload whose staff were sized for other children says so.

use std::path::Path;
use std::process::Output;

mod common;
use common::{ROOT, bin, scratch};

/// A tiny run: quick whatever the caseload.
const TINY: [&str; 6] = ["--replications", "1", "--children", "50", "--days", "7"];

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The ids of the shipped files in `assets/<folder>/`.
fn shipped(folder: &str) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("assets").join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn stress(args: &[&str]) -> Output {
    let mut all = vec!["stress"];
    all.extend_from_slice(args);
    all.extend_from_slice(&TINY);
    bin(&all)
}

fn ran(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0), "exit 0 expected; stderr:\n{}", stderr(out));
    stdout(out)
}

/// Exit 2, no panic, and the message names `flag`, lists every one of `ids` and suggests `nearest`.
fn refused_with_list(out: &Output, flag: &str, ids: &[String], nearest: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "exit 2 expected; stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.starts_with(flag), "the message names {flag}:\n{err}");
    assert!(
        err.contains(&format!("did you mean `{nearest}`?")),
        "suggests {nearest}:\n{err}"
    );
    for id in ids {
        assert!(err.contains(id.as_str()), "lists {id}:\n{err}");
    }
    assert!(!err.contains(":1:1:"), "no place in a file that is not there:\n{err}");
}

#[test]
fn a_mistyped_protocol_lists_the_protocols_and_suggests_the_nearest() {
    let protocols = shipped("protocols");
    assert_eq!(protocols.len(), 5, "{protocols:?}");
    let out = stress(&["--protocol", "havring-2023-10"]);
    refused_with_list(&out, "--protocol", &protocols, "havering-2023-10");
    let out = stress(&["--protocol", "havering-2023-10", "--compare", "havering-2023-1O"]);
    refused_with_list(&out, "--compare", &protocols, "havering-2023-10");
}

#[test]
fn a_protocol_runs_by_id_by_file_name_and_by_path() {
    for arg in [
        "havering-2023-10",
        "havering-2023-10.ron",
        "assets/protocols/havering-2023-10.ron",
    ] {
        let out = ran(&stress(&["--protocol", arg]));
        assert!(
            out.contains("havering-2023-10: Missing from home or care protocol"),
            "{arg}:\n{out}"
        );
    }
    let out = ran(&stress(&[
        "--protocol",
        "havering-2023-05.ron",
        "--compare",
        "havering-2023-10.ron",
    ]));
    assert!(out.contains("havering-2023-05 → havering-2023-10"), "{out}");
}

#[test]
fn a_caseload_runs_by_id_by_file_name_and_by_path_and_a_mistyped_one_is_helped() {
    // The caseload's own name, as the report's first line shows it.
    let text = std::fs::read_to_string(Path::new(ROOT).join("assets/caseloads/stretched-rhi.ron")).unwrap();
    let name = text.split("name: \"").nth(1).and_then(|r| r.split('"').next()).unwrap();
    for arg in [
        "stretched-rhi",
        "stretched-rhi.ron",
        "assets/caseloads/stretched-rhi.ron",
    ] {
        let out = ran(&stress(&["--protocol", "havering-2023-10", "--caseload", arg]));
        assert!(out.starts_with(&format!("Stress test: {name} — ")), "{arg}:\n{out}");
    }
    let caseloads = shipped("caseloads");
    let out = stress(&["--protocol", "havering-2023-10", "--caseload", "strechted-rhi"]);
    refused_with_list(&out, "--caseload", &caseloads, "stretched-rhi");
}

#[test]
fn protocol_subcommands_take_an_id_or_file_name() {
    let by_path = bin(&["protocol", "show", "assets/protocols/havering-2023-10.ron"]);
    let by_path = ran(&by_path);
    for arg in ["havering-2023-10", "havering-2023-10.ron"] {
        assert_eq!(ran(&bin(&["protocol", "show", arg])), by_path, "show {arg}");
    }
    let out = ran(&bin(&["protocol", "validate", "havering-2023-05", "bromley-2020.ron"]));
    assert_eq!(out.matches(": ok (").count(), 2, "{out}");
    let diff = ran(&bin(&["protocol", "diff", "havering-2023-05", "havering-2023-10"]));
    let diff_paths = ran(&bin(&[
        "protocol",
        "diff",
        "assets/protocols/havering-2023-05.ron",
        "assets/protocols/havering-2023-10.ron",
    ]));
    assert_eq!(diff, diff_paths);
    let lint = bin(&["protocol", "lint", "west-mercia-2014"]);
    assert!(!stderr(&lint).contains("cannot read"), "{}", stderr(&lint));
    assert!(stdout(&lint).contains("west-mercia-2014"), "{}", stdout(&lint));

    // A mistyped id: the protocols and the nearest, and the good files are still checked.
    let out = bin(&["protocol", "validate", "havering-2023-05", "havring-2023-10"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no protocol `havring-2023-10`"), "{err}");
    assert!(err.contains("did you mean `havering-2023-10`?"), "{err}");
    assert!(stdout(&out).contains("havering-2023-05.ron: ok"), "{}", stdout(&out));
    let out = bin(&["protocol", "show", "bromly-2020"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `bromley-2020`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_mistyped_name_is_shown_escaped() {
    let out = stress(&["--protocol", "hav\u{1b}[31mering"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

const STAFF_WARNING: &str = "the file gives no `staffing`";

/// Run a caseload file written with `text`; its stderr.
fn caseload_stderr(name: &str, text: &str) -> String {
    let f = scratch(name);
    std::fs::write(&f, text).unwrap();
    let out = bin(&[
        "stress",
        "--protocol",
        "havering-2023-10",
        "--caseload",
        f.to_str().unwrap(),
        "--replications",
        "1",
        "--days",
        "7",
    ]);
    ran(&out);
    stderr(&out)
}

#[test]
fn a_caseload_with_other_children_but_the_default_staff_is_warned_about() {
    let err = caseload_stderr(
        "friendly-small.ron",
        "Caseload(\n    name: \"small\",\n    children: 500,\n)\n",
    );
    let warning = err
        .lines()
        .find(|l| l.contains(STAFF_WARNING))
        .unwrap_or_else(|| panic!("a warning expected:\n{err}"));
    assert!(warning.starts_with("warning: "), "{warning}");
    assert!(
        warning.contains("friendly-small.ron:3:5: children: 500 children"),
        "{warning}"
    );
    assert!(warning.contains("sized for 2,000 children"), "{warning}");
    assert!(warning.contains("add a `staffing` list"), "{warning}");

    // The built-in number of children, or staff of its own: nothing to warn about.
    let err = caseload_stderr("friendly-default.ron", "Caseload(\n    children: 2000,\n)\n");
    assert!(!err.contains(STAFF_WARNING), "{err}");
    let err = caseload_stderr(
        "friendly-staffed.ron",
        "Caseload(\n    children: 500,\n    staffing: [(role: \"rhi_worker\", workers: 2, service_minutes: 30, \
         office_hours_only: true, latency_min_minutes: 60, latency_max_minutes: 480)],\n)\n",
    );
    assert!(!err.contains(STAFF_WARNING), "{err}");
}

#[test]
fn no_shipped_caseload_is_warned_about_its_staff() {
    for id in shipped("caseloads") {
        let out = stress(&["--protocol", "havering-2023-10", "--caseload", &id]);
        ran(&out);
        assert!(!stderr(&out).contains(STAFF_WARNING), "{id}:\n{}", stderr(&out));
    }
}
