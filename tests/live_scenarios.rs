//! The multi-agency scenarios played headlessly, each playable role by its decision script
//! (`live::play_scripts`, `safe-return run SCENARIO --play ROLE=FILE`): by the book, every agency
//! scores 100 %; one agency's mistake shows downstream as a wait — the next agency told later —
//! never as a mark against an agency that acted on what it was told; and `run --play` refuses
//! what it cannot play with exit status 2 and a clear message.

use std::fs;
use std::path::{Path, PathBuf};

use safe_return::live::play::{Held, Played, outcome};
use safe_return::live::{Table, play_scripts};
use safe_return::scenario::{Decisions, LoadedScenario, load_decisions, load_role_decisions, load_scenario, run};

mod common;
use common::{ROOT, bin, scratch};

/// The multi-agency scenarios: one for Havering, Bromley and West Mercia.
const SCENARIOS: [(&str, &str); 3] = [
    ("havering-multi-agency", "havering-2023-10"),
    ("bromley-multi-agency", "bromley-2020"),
    ("west-mercia-multi-agency", "west-mercia-2014"),
];

fn scenario(name: &str) -> LoadedScenario {
    load_scenario(&Path::new(ROOT).join("scenarios").join(name).join("scenario.ron")).unwrap()
}

/// A role's script: the trainee's beside the scenario, every other role's under `roles/ROLE/`.
fn script_path(sc: &LoadedScenario, role: &str, which: &str) -> PathBuf {
    if role == sc.scenario.trainee_role {
        sc.dir().join(format!("{which}.ron"))
    } else {
        sc.dir().join("roles").join(role).join(format!("{which}.ron"))
    }
}

fn script(sc: &LoadedScenario, role: &str, which: &str) -> Decisions {
    let p = script_path(sc, role, which);
    load_role_decisions(&p, sc, role).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every playable role by its by-the-book script, but `flawed` by its flawed one.
fn play(sc: &LoadedScenario, flawed: Option<&str>) -> (Table, Vec<Held>, Played) {
    let scripts: Vec<(String, Decisions)> = sc
        .playable_roles()
        .into_iter()
        .map(|r| {
            let which = if flawed == Some(r.as_str()) {
                "flawed"
            } else {
                "by-the-book"
            };
            let d = script(sc, &r, which);
            (r, d)
        })
        .collect();
    let (t, held) = play_scripts(sc, &scripts, 1).unwrap_or_else(|e| panic!("{}: {e}", sc.id));
    let out = outcome(&t, &held);
    (t, held, out)
}

fn percent(out: &Played, role: &str) -> f64 {
    out.roles.iter().find(|r| r.role == role).unwrap().report.score.percent
}

fn told(out: &Played, role: &str) -> Option<f64> {
    out.debrief.agencies.iter().find(|a| a.role == role).unwrap().told_hours
}

/// Why a role is below 100 %: its duties not met, for the failure message.
fn shortfalls(out: &Played, role: &str) -> Vec<String> {
    let r = &out.roles.iter().find(|r| r.role == role).unwrap().report;
    r.obligations
        .iter()
        .filter(|o| {
            !matches!(
                format!("{:?}", o.status).as_str(),
                "Met" | "Cancelled" | "NotApplicable" | "Withdrawn"
            )
        })
        .map(|o| format!("{} {:?}: {}", o.rule, o.status, o.feedback))
        .collect()
}

#[test]
fn each_multi_agency_scenario_offers_three_to_five_roles_each_with_both_scripts() {
    for (name, protocol) in SCENARIOS {
        let sc = scenario(name);
        assert_eq!(sc.protocol.id, protocol, "{name}");
        let roles = sc.playable_roles();
        assert!((3..=5).contains(&roles.len()), "{name}: {roles:?}");
        assert_eq!(roles[0], sc.scenario.trainee_role, "{name}: the trainee's role first");
        for r in &roles {
            for which in ["by-the-book", "flawed"] {
                let d = script(&sc, r, which);
                assert!(!d.actions.is_empty() || which == "flawed", "{name}/{r}/{which}");
            }
        }
        // `scenario validate` checks every one of them.
        let out = bin(&["scenario", "validate", &format!("scenarios/{name}")]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let n = 2 * (roles.len() - 1);
        assert!(stdout.contains(&format!("{n} role scripts")), "{stdout}");
    }
}

#[test]
fn every_agency_played_by_the_book_together_scores_full_marks() {
    for (name, _) in SCENARIOS {
        let sc = scenario(name);
        let (t, held, out) = play(&sc, None);
        assert!(t.ended());
        assert_eq!(out.roles.len(), sc.playable_roles().len(), "{name}: every role played");
        assert!(
            held.is_empty(),
            "{name}: by the book, nobody acts before being told: {held:?}"
        );
        for r in sc.playable_roles() {
            assert_eq!(
                percent(&out, &r),
                100.0,
                "{name}: {r} played by the book scores 100 %: {:?}",
                shortfalls(&out, &r)
            );
            let a = out.debrief.agencies.iter().find(|a| a.role == r).unwrap();
            assert!(a.told_hours.is_some(), "{name}: {r} was told of the child");
            assert!(
                a.first_act_hours.is_some_and(|f| f >= a.told_hours.unwrap()),
                "{name}: {r} acted once told: {a:?}"
            );
            assert_eq!(a.players, vec![r.clone()], "{name}: {r} played by its script");
        }
    }
}

/// One agency's mistakes mark down that agency only: every other agency, acting on what it was
/// told when it was told, keeps full marks — even when it was told late, or never.
#[test]
fn one_agencys_mistakes_mark_down_that_agency_alone() {
    for (name, _) in SCENARIOS {
        let sc = scenario(name);
        for flawed in sc.playable_roles() {
            let (_, _, out) = play(&sc, Some(&flawed));
            assert!(
                percent(&out, &flawed) < 100.0,
                "{name}: the {flawed}'s flawed script loses marks"
            );
            for r in sc.playable_roles().iter().filter(|r| **r != flawed) {
                assert_eq!(
                    percent(&out, r),
                    100.0,
                    "{name}: with the {flawed}'s mistakes, the {r} acted on what it was told: {:?}",
                    shortfalls(&out, r)
                );
            }
        }
    }
}

/// A late report is the next agencies' wait: Ellie's father rings 101 nine and a half hours late,
/// so the police hear of her that much later, act the moment they hear, and keep full marks; MASH
/// hears from the officers as soon as they act.
#[test]
fn a_late_report_shows_as_the_next_agencies_wait() {
    let sc = scenario("havering-multi-agency");
    let (_, _, book) = play(&sc, None);
    let (_, held, late) = play(&sc, Some("parent_carer"));
    let delay = 12.0 - 2.5; // the flawed report at 12 h, the book's at 2.5 h
    for role in ["police_call_handler", "response_officer"] {
        let (b, l) = (told(&book, role).unwrap(), told(&late, role).unwrap());
        assert!(
            (l - b - delay).abs() < 0.01,
            "the {role} is told {delay} h later: {b} h by the book, {l} h after the late report"
        );
    }
    assert_eq!(told(&book, "mash"), Some(3.0));
    assert_eq!(
        told(&late, "mash"),
        Some(12.0),
        "the officers share the Merlin as soon as they hear"
    );
    assert_eq!(told(&late, "police_call_handler"), Some(12.0));
    // The police's decisions waited for the report and were made the moment it came.
    let police: Vec<&Held> = late
        .roles
        .iter()
        .find(|r| r.role == "police_call_handler")
        .unwrap()
        .waited
        .iter()
        .collect();
    assert_eq!(police.len(), 3, "{police:?}");
    assert!(police.iter().all(|h| h.made_hours == Some(12.0)), "{police:?}");
    assert!(
        held.iter().all(|h| h.made_hours.is_some()),
        "everyone was told in the end"
    );
    // The father is marked late; the police, who acted when told, are not.
    let parent = &late.roles.iter().find(|r| r.role == "parent_carer").unwrap().report;
    let report = parent
        .obligations
        .iter()
        .find(|o| o.rule == "hv.home.parent-report-police")
        .unwrap();
    assert_eq!(format!("{:?}", report.status), "Late", "{}", report.feedback);
    assert_eq!(percent(&late, "police_call_handler"), 100.0);
    // The debrief's chain shows the wait: the police heard ten hours after she left.
    let left = late.debrief.left_hours.unwrap();
    assert_eq!(left, 2.0);
}

/// Each scenario's chain shows each agency's wait behind the one that told it late.
#[test]
fn a_late_handover_in_each_scenario_delays_who_it_tells() {
    // (scenario, the flawed role, who it tells, told by the book, told after the mistake)
    let cases = [
        ("bromley-multi-agency", "parent_carer", "police_ppd", 2.0, 8.0),
        ("bromley-multi-agency", "police_ppd", "mash", 2.25, 18.0),
        ("bromley-multi-agency", "police_ppd", "missing_coordinator", 3.0, 18.0),
        ("havering-multi-agency", "response_officer", "mash", 3.0, 37.0),
        ("havering-multi-agency", "response_officer", "rhi_worker", 3.5, 37.0),
        (
            "west-mercia-multi-agency",
            "placement_provider",
            "police_call_handler",
            3.5,
            5.0,
        ),
        (
            "west-mercia-multi-agency",
            "placement_provider",
            "social_worker",
            3.5,
            9.0,
        ),
    ];
    for (name, flawed, role, book_at, late_at) in cases {
        let sc = scenario(name);
        let (_, _, book) = play(&sc, None);
        let (_, _, late) = play(&sc, Some(flawed));
        assert_eq!(told(&book, role), Some(book_at), "{name}: {role} by the book");
        assert_eq!(
            told(&late, role),
            Some(late_at),
            "{name}: {role} after the {flawed}'s mistake"
        );
        assert_eq!(percent(&late, role), 100.0, "{name}: the {role} is not marked down");
    }
    // Told never: MASH never notifies the RHI worker, who is then never marked down for an
    // interview nobody asked of them.
    let sc = scenario("havering-multi-agency");
    let (_, held, out) = play(&sc, Some("mash"));
    assert_eq!(told(&out, "rhi_worker"), None);
    assert_eq!(percent(&out, "rhi_worker"), 100.0);
    let rhi = out.roles.iter().find(|r| r.role == "rhi_worker").unwrap();
    assert!(rhi.report.score.possible == 0.0, "nothing was asked of them");
    assert!(
        !rhi.waited.is_empty() && rhi.waited.iter().all(|h| h.made_hours.is_none()),
        "the RHI worker's decisions were never made: {held:?}"
    );
}

/// The trainee's scripts beside each scenario still play a single trainee as every scenario does.
#[test]
fn the_trainees_scripts_play_alone_too() {
    for (name, _) in SCENARIOS {
        let sc = scenario(name);
        let book = load_decisions(&sc.dir().join("by-the-book.ron"), &sc).unwrap();
        let r = run::run(&sc, &book, 1);
        assert_eq!(r.score.percent, 100.0, "{name}:\n{}", r.to_text());
        let flawed = load_decisions(&sc.dir().join("flawed.ron"), &sc).unwrap();
        let r = run::run(&sc, &flawed, 1);
        assert!(r.score.percent < 100.0, "{name}:\n{}", r.to_text());
    }
}

// ------------------------------------------------------------------ the command line

fn play_args(name: &str, flawed: Option<&str>) -> Vec<String> {
    let sc = scenario(name);
    let mut args = vec!["run".to_string(), name.to_string()];
    for r in sc.playable_roles() {
        let which = if flawed == Some(r.as_str()) {
            "flawed"
        } else {
            "by-the-book"
        };
        let p = script_path(&sc, &r, which);
        let rel = p.strip_prefix(ROOT).unwrap().display().to_string();
        args.push("--play".into());
        args.push(format!("{r}={rel}"));
    }
    args
}

fn sr(args: &[String]) -> (Option<i32>, String, String) {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = bin(&a);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn run_play_prints_each_played_roles_debrief() {
    let mut args = play_args("bromley-multi-agency", Some("police_ppd"));
    let (code, out, err) = sr(&args);
    assert_eq!(code, Some(0), "{err}");
    for (role, score) in [
        ("`parent_carer`", "Score: 20 / 20 (100%)"),
        ("`police_ppd`", "Score: 5 / 10 (50%)"),
        ("`mash`", "Score: 45 / 45 (100%)"),
    ] {
        let at = out.find(role).unwrap_or_else(|| panic!("{role} in\n{out}"));
        assert!(out[at..].contains(score), "{role}: {score}\n{out}");
    }
    assert!(out.contains("[late          ] br.mash.ppd-notify"), "{out}");
    assert!(
        out.contains("Waited to be told: screen_notification (2.5 h in the script, made at 18 h)"),
        "{out}"
    );
    args.push("--json".into());
    let (code, out, err) = sr(&args);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let roles = v["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 5);
    assert_eq!(roles[1]["role"], "police_ppd");
    assert_eq!(roles[1]["report"]["score"]["percent"], 50.0);
    let mash = v["debrief"]["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == "mash")
        .unwrap();
    assert_eq!(mash["told_hours"], 18.0);
    assert_eq!(mash["percent"], 100.0);
}

#[test]
fn run_play_refuses_what_it_cannot_play_with_exit_2() {
    let book = "scenarios/havering-multi-agency/roles/mash/by-the-book.ron";
    let run = |extra: &[&str]| {
        let mut a = vec!["run".to_string(), "havering-multi-agency".to_string()];
        a.extend(extra.iter().map(|s| s.to_string()));
        sr(&a)
    };
    // A role the protocol does not have.
    let (code, out, err) = run(&["--play", &format!("rhi_workr={book}")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(out.is_empty(), "nothing printed: {out}");
    assert!(
        err.contains("`rhi_workr` is not a role of protocol `havering-2023-10` (did you mean `rhi_worker`?)"),
        "{err}"
    );
    // A role of the protocol that people may not play in this scenario.
    let (code, _, err) = run(&["--play", &format!("team_manager={book}")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("is not a role people may play in `havering-multi-agency`"),
        "{err}"
    );
    assert!(
        err.contains("parent_carer, police_call_handler, response_officer, mash, rhi_worker"),
        "{err}"
    );
    // A script that is not there.
    let (code, _, err) = run(&["--play", "mash=scenarios/havering-multi-agency/roles/mash/nope.ron"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("nope.ron:1:1: cannot read decisions file"), "{err}");
    // Not ROLE=FILE.
    let (code, _, err) = run(&["--play", book]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is not ROLE=FILE"), "{err}");
    // One role twice.
    let (code, _, err) = run(&["--play", &format!("mash={book}"), "--play", &format!("mash={book}")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("`mash` is played twice"), "{err}");
    // Another role's script: its acts are not this role's, at their place in the file.
    let (code, _, err) = run(&["--play", &format!("rhi_worker={book}")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("mash/by-the-book.ron:")
            && err.contains("actions[0].action: `record_episode` is not something the RHI"),
        "{err}"
    );
    // With --decisions (a single trainee's run).
    let (code, _, err) = run(&[
        "--play",
        &format!("mash={book}"),
        "--decisions",
        "scenarios/havering-multi-agency/by-the-book.ron",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--decisions plays the trainee alone"), "{err}");
}

/// What the table would refuse is refused before the run, at its place: a required field of the
/// form left out, a grading left out.
#[test]
fn a_script_the_table_would_refuse_is_refused_at_its_place() {
    let dir = scratch("live-scenarios-bad-script");
    fs::create_dir_all(&dir).unwrap();
    let f = dir.join("no-fields.ron");
    fs::write(
        &f,
        "Decisions(\n    actions: [\n        (at_hours: 2.25, action: \"search_and_enquiries\"),\n        (at_hours: 2.5, action: \"report_to_police\", fields: [(\"clothing\", \"black jacket\")]),\n    ],\n)\n",
    )
    .unwrap();
    let (code, _, err) = sr(&[
        "run".into(),
        "havering-multi-agency".into(),
        "--play".into(),
        format!("parent_carer={}", f.display()),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("no-fields.ron:4:")
            && err.contains("actions[1].fields: Placement written record on the child leaving (Philomena Protocol): fill in “The child's presentation”"),
        "{err}"
    );
    let g = dir.join("no-grade.ron");
    fs::write(&g, "Decisions(actions: [(at_hours: 2.75, action: \"grade_risk\")])\n").unwrap();
    let (code, _, err) = sr(&[
        "run".into(),
        "havering-multi-agency".into(),
        "--play".into(),
        format!("police_call_handler={}", g.display()),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("no-grade.ron:1:") && err.contains("`grade_risk` grades the risk: say how"),
        "{err}"
    );
}

/// `scenario validate` checks the scripts under `roles/ROLE/` and refuses a folder for a role
/// people may not play.
#[test]
fn scenario_validate_checks_the_role_scripts() {
    let from = Path::new(ROOT).join("scenarios/havering-multi-agency");
    let dir = scratch("live-scenarios-validate");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("roles/mash")).unwrap();
    fs::copy(from.join("scenario.ron"), dir.join("scenario.ron")).unwrap();
    // The police's script filed under MASH: its acts are not MASH's.
    let police = fs::read_to_string(from.join("roles/police_call_handler/by-the-book.ron")).unwrap();
    fs::write(dir.join("roles/mash/by-the-book.ron"), &police).unwrap();
    fs::create_dir_all(dir.join("roles/dcs")).unwrap();
    let out = bin(&["scenario", "validate", dir.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let line = police
        .lines()
        .position(|l| l.contains("decide_missing_investigation"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("roles/mash/by-the-book.ron:{line}:"))
            && err.contains(
                "`decide_missing_investigation` is not something the MASH contact officer (BSO) (`mash`) does"
            ),
        "{err}"
    );
    assert!(
        err.contains("roles/dcs:1:1: `dcs` is not a role people may play in this scenario"),
        "{err}"
    );
}

/// The Missing Co-ordinator refers Rhys for a return interview six hours late; the return
/// interviewer, told only then, checks his medical needs at once. "Within an hour of being found"
/// ran out before she could know of him: her hour counts from when she was told, and she is not
/// marked down for the co-ordinator's delay (which the debrief's chain shows).
#[test]
fn a_return_interviewer_told_late_is_not_marked_late_for_the_referrals_delay() {
    let sc = scenario("bromley-multi-agency");
    let mut late = script(&sc, "missing_coordinator", "by-the-book");
    for d in late.actions.iter_mut().filter(|d| d.action == "refer_for_rhi") {
        d.at_hours += 6.0;
    }
    let scripts = vec![
        ("missing_coordinator".to_string(), late),
        ("rhi_worker".to_string(), script(&sc, "rhi_worker", "by-the-book")),
    ];
    let (t, held) = play_scripts(&sc, &scripts, 1).unwrap();
    let out = outcome(&t, &held);
    assert_eq!(
        told(&out, "rhi_worker"),
        Some(29.25),
        "she hears of him with the referral"
    );
    let rhi = out.roles.iter().find(|r| r.role == "rhi_worker").unwrap();
    let medical = rhi
        .report
        .obligations
        .iter()
        .find(|o| o.action == "assess_medical_needs")
        .expect("her duty to check his medical needs");
    assert_eq!(format!("{:?}", medical.status), "Met", "{medical:?}");
    assert_eq!(percent(&out, "rhi_worker"), 100.0, "{:?}", rhi.report.obligations);
    // Bromley sets no time for the referral itself ("once located"): the co-ordinator's delay
    // is not scored, but the debrief's chain shows it, six hours between Rhys found and the
    // interviewer told.
    let found = 23.25;
    assert_eq!(told(&out, "rhi_worker").map(|t| t - found), Some(6.0));
}
