//! The stress dashboard driven by its widget labels (egui_kittest): settings, a run on a
//! background thread, the headline table and charts, and bad input.
#![cfg(feature = "gui")]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use safe_return::caseload::stress::{self, StressOptions, Summary};
use safe_return::caseload::{LoadedCaseload, load_caseload};
use safe_return::protocol::{Protocol, load_protocol};
use safe_return::ui::dashboard::{self, Dashboard};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_safe-return");

fn root() -> PathBuf {
    PathBuf::from(ROOT)
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sr-dash-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn harness(d: Dashboard) -> Harness<'static, Dashboard> {
    Harness::builder().with_size([1280.0, 3400.0]).build_ui_state(
        |ui, d: &mut Dashboard| {
            dashboard::draw(ui, d);
        },
        d,
    )
}

fn protocol(id: &str) -> Arc<Protocol> {
    Arc::new(
        load_protocol(&root().join("assets/protocols").join(format!("{id}.ron")))
            .expect("protocol loads")
            .protocol,
    )
}

fn borough(ps: &[Arc<Protocol>]) -> LoadedCaseload {
    let refs: Vec<&Protocol> = ps.iter().map(|p| &**p).collect();
    load_caseload(&root().join("assets/caseloads/borough-2000.ron"), &refs).expect("caseload loads")
}

/// Let frames pass until the run in progress is in, as the app would: each frame polls it. (While
/// it runs the screen asks for a repaint every 100 ms, so frames are stepped one at a time.)
fn wait(h: &mut Harness<'static, Dashboard>, limit_s: u64) {
    let t0 = Instant::now();
    while h.state().is_running() {
        assert!(t0.elapsed() < Duration::from_secs(limit_s), "the run did not end");
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    h.run();
}

/// Click "Run stress test" and wait for the result.
fn run_and_wait(h: &mut Harness<'static, Dashboard>) {
    h.get_by_label("Run stress test").click();
    h.step();
    wait(h, 600);
}

fn rhi_wait(s: &Summary) -> f64 {
    dashboard::rhi(&s.protocols[0])
        .and_then(|r| r.mean_queue_wait_minutes)
        .expect("RHI workers waited")
        .mean
}

#[test]
fn a_small_run_shows_its_charts_and_the_numbers_of_the_runner_and_the_cli() {
    let mut d = Dashboard::new();
    assert_eq!(d.protocol, "havering-2023-05");
    assert_eq!(d.compare.as_deref(), Some("havering-2023-10"));
    assert!(d.caseload.ends_with("borough-2000.ron"), "{}", d.caseload);
    d.replications = "2".into();
    let mut h = harness(d);
    h.run();
    // The blank overrides are typed into, as a user would.
    h.get_by_label("Children").click();
    h.run();
    h.get_by_label("Children").type_text("200");
    h.run();
    h.get_by_label("Days").click();
    h.run();
    h.get_by_label("Days").type_text("30");
    h.run();
    assert_eq!(h.state().children, "200");
    assert_eq!(h.state().days, "30");
    run_and_wait(&mut h);
    assert!(h.state().errors.is_empty(), "{:?}", h.state().errors);
    h.get_by_label_contains("Finished in");
    for heading in [
        "Results",
        "Duties met in time, by rule",
        "Workload per role per week",
        "Strategy meetings per week",
        "Queue waits",
    ] {
        h.get_by_label(heading);
    }
    h.get_by_label("■ havering-2023-05");
    h.get_by_label("■ havering-2023-10");
    // Colours come with words: a legend for each chart, naming protocols (and roles).
    assert_eq!(h.query_all_by_label("Legend:").count(), 3);
    assert_eq!(h.query_all_by_label("Legend").count(), 1);
    assert!(h.query_all_by_label_contains(" — havering-2023-10").count() >= 2);

    // The report can be saved, as `stress --out` writes it.
    let reports = std::env::temp_dir().join(format!("sr-dash-report-{}", std::process::id()));
    h.state_mut().report_dir = reports.clone();
    h.get_by_label("Save the report (CSV tables, JSON summary, HTML with charts)")
        .click();
    h.run();
    assert!(h.state().saved.starts_with("Saved "), "{}", h.state().saved);
    let folder = reports.join("havering-2023-05-vs-havering-2023-10-seed1");
    assert!(folder.join("report.html").is_file(), "{}", h.state().saved);
    assert!(folder.join("summary.json").is_file());

    // The same run straight through the runner.
    let ps = [protocol("havering-2023-05"), protocol("havering-2023-10")];
    let cl = borough(&ps).with_children(200).with_days(30);
    let opts = StressOptions {
        replications: 2,
        seed: 1,
        threads: Some(1),
    };
    let direct = stress::run(&ps, &cl, &opts, &|| {});
    let shown = h.state().result.clone().expect("a result");
    assert_eq!(
        serde_json::to_value(&shown.protocols).unwrap(),
        serde_json::to_value(&direct.protocols).unwrap()
    );
    assert_eq!(
        serde_json::to_value(&shown.comparison).unwrap(),
        serde_json::to_value(&direct.comparison).unwrap()
    );
    assert_eq!((shown.episodes, shown.events), (direct.episodes, direct.events));
    // Every headline figure of the direct run is on the screen, row by row.
    let rows = dashboard::headline(&direct);
    assert_eq!(rows, dashboard::headline(&shown));
    for r in &rows {
        h.get_by_label(r.label);
        for cell in r.cells.iter().chain(&r.change) {
            assert!(
                h.query_all_by_label(cell).next().is_some(),
                "{}: `{cell}` is not shown",
                r.label
            );
        }
    }
    let met = rows.iter().find(|r| r.label == "Duties met in time").unwrap();
    assert!(
        met.cells[0].ends_with(" %") && met.cells[0].contains('–'),
        "{:?}",
        met.cells
    );

    // And the same as `safe-return stress` with the same options.
    let out = Command::new(BIN)
        .args([
            "stress",
            "--protocol",
            "havering-2023-05",
            "--compare",
            "havering-2023-10",
            "--caseload",
            "assets/caseloads/borough-2000.ron",
            "--children",
            "200",
            "--days",
            "30",
            "--replications",
            "2",
            "--seed",
            "1",
            "--json",
        ])
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cli["protocols"], serde_json::to_value(&shown.protocols).unwrap());
}

/// The baseline protocol alone, on 200 children for 30 days, twice.
fn small_borough_alone() -> Dashboard {
    let mut d = Dashboard::new();
    d.compare = None;
    d.children = "200".into();
    d.days = "30".into();
    d.replications = "2".into();
    d
}

#[test]
fn one_rhi_worker_waits_longer_than_twenty() {
    let wait = |workers: &str| {
        let mut d = small_borough_alone();
        d.rhi_workers = workers.into();
        let mut h = harness(d);
        run_and_wait(&mut h);
        assert!(h.state().errors.is_empty(), "{:?}", h.state().errors);
        let s = h.state().result.clone().expect("a result");
        // The dashboard shows the rota it ran with and the wait it found.
        let rows = dashboard::headline(&s);
        let rota = rows.iter().find(|r| r.label == "RHI workers on the rota").unwrap();
        assert_eq!(rota.cells, [workers]);
        h.get_by_label("Mean RHI queue wait (minutes)");
        // Under the chart of rules, in words, what in the staffing keeps each from being met in
        // time (here the social workers' "immediately" duties: they take up to four hours to start).
        let causes: Vec<String> = s.protocols[0]
            .rules
            .iter()
            .filter_map(|r| Some(format!("{}: {}", r.id, r.likely_cause.as_deref()?)))
            .collect();
        assert!(
            causes
                .iter()
                .any(|c| c.contains("often late as staffed: social_worker takes 15–240 min")),
            "{causes:?}"
        );
        h.get_by_label("Why, as staffed");
        for c in &causes {
            assert!(h.query_all_by_label(c).next().is_some(), "not shown: {c}");
        }
        let shown = &rows
            .iter()
            .find(|r| r.label == "Mean RHI queue wait (minutes)")
            .unwrap()
            .cells[0];
        assert!(h.query_all_by_label(shown).next().is_some(), "`{shown}` is not shown");
        assert_eq!(
            s.caseload
                .staffing
                .iter()
                .find(|x| x.role == "rhi_worker")
                .unwrap()
                .workers,
            workers.parse::<i64>().unwrap()
        );
        h.get_by_label("RHI workers busy (share of time on duty)");
        let busy = dashboard::rhi(&s.protocols[0])
            .and_then(|r| r.utilisation)
            .expect("busy share")
            .mean;
        (rhi_wait(&s), busy)
    };
    let ((one, busy_one), (twenty, busy_twenty)) = (wait("1"), wait("20"));
    eprintln!("mean RHI queue wait: 1 worker {one} min, 20 workers {twenty} min");
    assert!(one > twenty, "1 RHI worker: {one} min; 20: {twenty} min");
    // One worker carries the whole load: busy far more of the time than each of twenty.
    assert!(
        busy_one > 5.0 * busy_twenty,
        "busy: 1 worker {busy_one}, 20 workers {busy_twenty}"
    );
}

#[test]
fn starting_if_still_missing_duties_at_once_shows_many_more_meetings() {
    let meetings = |typed: &str| {
        let mut h = harness(small_borough_alone());
        let label = "Start \u{201c}if still missing\u{201d} duties at";
        h.get_by_label(label).click();
        h.run();
        h.get_by_label(label).type_text(typed);
        h.run();
        run_and_wait(&mut h);
        assert!(h.state().errors.is_empty(), "{:?}", h.state().errors);
        let s = h.state().result.clone().expect("a result");
        s.protocols[0].strategy_meetings_per_week.mean
    };
    let (at_once, halfway) = (meetings("0"), meetings("0.5"));
    // (Meetings wait for office hours, by when some children are back: fewer than twice.)
    assert!(at_once > 1.5 * halfway, "at once {at_once} a week, halfway {halfway}");
}

#[test]
fn bad_values_and_a_malformed_caseload_show_errors_and_run_nothing() {
    let mut d = Dashboard::new();
    d.replications = "0".into();
    d.days = "forty".into();
    d.rhi_workers = "0".into();
    d.lapsing_start = "150".into();
    let mut h = harness(d);
    h.get_by_label("Run stress test").click();
    h.run();
    assert!(!h.state().is_running());
    h.get_by_label("Cannot run: fix these first");
    h.get_by_label_contains("if still missing\u{201d} duties at: a share runs from 0 to 1 (0 % to 100 %), not 150");
    h.get_by_label("Replications: run from 1 to 1,000 replications, not 0");
    h.get_by_label("Days: `forty` is not a whole number");
    h.get_by_label_contains("RHI workers: at least 1");
    assert!(h.state().result.is_none());

    // A caseload file with a wrong type: the error names the file, line and column.
    let bad = temp("caseload").join("bad.ron");
    std::fs::write(&bad, "Caseload(\n  name: \"bad\",\n  children: \"many\",\n)\n").unwrap();
    {
        let d = h.state_mut();
        d.replications = "1".into();
        d.days = "7".into();
        d.rhi_workers.clear();
        d.lapsing_start.clear();
        d.caseload = bad.display().to_string();
    }
    h.run();
    h.get_by_label("Run stress test").click();
    h.run();
    assert!(!h.state().is_running());
    let at = format!("{}:3:", bad.display());
    assert!(
        h.state().errors.iter().any(|e| e.starts_with(&at)),
        "{:?}",
        h.state().errors
    );
    h.get_by_label_contains(&at);

    // A protocol file that does not exist.
    h.state_mut().caseload.clear();
    h.state_mut().compare = Some("no-such-protocol".into());
    h.run();
    h.get_by_label("Run stress test").click();
    h.run();
    h.get_by_label_contains("cannot read protocol file");

    // Put right, the same dashboard runs (on the built-in caseload).
    h.state_mut().compare = None;
    h.state_mut().children = "50".into();
    h.run();
    run_and_wait(&mut h);
    assert!(h.state().errors.is_empty(), "{:?}", h.state().errors);
    assert!(h.state().result.is_some());
    h.get_by_label("Duties met in time, by rule");
}

#[test]
fn a_risk_factor_no_protocol_asks_about_is_shown_as_a_warning_and_the_run_goes_ahead() {
    let file = temp("caseload").join("typo.ron");
    std::fs::write(
        &file,
        "Caseload(\n  risk_factors: [(factor: \"csee\", share: 0.1)],\n)\n",
    )
    .unwrap();
    let mut d = small_borough_alone();
    d.children = "50".into();
    d.days = "7".into();
    d.replications = "1".into();
    d.caseload = file.display().to_string();
    let mut h = harness(d);
    run_and_wait(&mut h);
    assert!(h.state().errors.is_empty(), "{:?}", h.state().errors);
    assert!(h.state().result.is_some(), "the run went ahead");
    h.get_by_label("Check the caseload");
    h.get_by_label_contains("risk_factors[0].factor: no rule of havering-2023-05 asks about `csee`");
    h.get_by_label_contains("(did you mean `cse`?)");
}

#[test]
fn a_long_run_shows_progress_and_can_be_stopped() {
    let mut d = Dashboard::new();
    d.children = "20000".into();
    d.days = "365".into();
    d.replications = "8".into();
    let mut h = harness(d);
    h.get_by_label("Run stress test").click();
    h.step();
    h.step();
    assert!(h.state().is_running());
    h.get_by_label_contains("simulated days");
    let (_, total) = h.state().progress().unwrap();
    assert_eq!(total, 2 * 8 * 365);
    h.get_by_label("Stop").click();
    h.step();
    wait(&mut h, 120);
    assert!(h.state().status.starts_with("Stopped"), "{}", h.state().status);
    assert!(h.state().errors.is_empty(), "{:?}", h.state().errors);
    assert!(h.state().result.is_none());
}

#[test]
fn back_to_scenarios_is_reported_to_the_caller() {
    let mut h = Harness::builder().with_size([1280.0, 800.0]).build_ui_state(
        |ui, d: &mut Dashboard| {
            if dashboard::draw(ui, d) {
                d.status = "back".into();
            }
        },
        Dashboard::new(),
    );
    h.run();
    assert_ne!(h.state().status, "back");
    h.get_by_label("Back to scenarios").click();
    h.run();
    assert_eq!(h.state().status, "back");
}

#[test]
fn a_staffing_sweep_says_how_many_rhi_workers_each_protocol_needs_as_the_cli_does() {
    let mut d = Dashboard::new();
    d.replications = "2".into();
    d.days = "60".into();
    let mut h = harness(d);
    h.run();
    // Asked for before the numbers to try are given: said in words, nothing runs.
    h.get_by_label("Run staffing sweep").click();
    h.run();
    assert!(!h.state().is_running());
    assert!(
        h.state()
            .errors
            .iter()
            .any(|e| e.starts_with("Numbers to try: give the numbers of RHI workers")),
        "{:?}",
        h.state().errors
    );
    h.get_by_label_contains("Numbers to try: give the numbers of RHI workers");
    h.get_by_label("Numbers to try").click();
    h.run();
    h.get_by_label("Numbers to try").type_text("1-3, 6");
    h.run();
    h.get_by_label("Run staffing sweep").click();
    h.step();
    wait(&mut h, 600);
    assert!(h.state().errors.is_empty(), "{:?}", h.state().errors);
    h.get_by_label_contains("Staffing sweep finished in");
    h.get_by_label_contains("Staffing sweep — ");
    h.get_by_label("Fewest workers for 95 % of the duties in time, with no backlog:");
    h.get_by_label("Duties met in time by the number of workers");
    h.get_by_label("target 95 %");
    let shown = h.state().sweep.clone().expect("a sweep");
    let workers: Vec<u64> = shown.levels.iter().map(|l| l.workers).collect();
    assert_eq!(workers, vec![1, 2, 3, 6]);
    for e in &shown.enough {
        h.get_by_label(&e.text);
    }
    // One worker for the borough leaves most interviews late; six keep up.
    let met = |i: usize| shown.levels[i].protocols[0].met_in_time.unwrap().mean;
    assert!(met(0) < 0.6 && met(3) > 0.95, "{} → {}", met(0), met(3));

    // The same sweep on the command line gives the same figures.
    let out = Command::new(BIN)
        .args([
            "stress",
            "--protocol",
            "havering-2023-05",
            "--compare",
            "havering-2023-10",
            "--caseload",
            "assets/caseloads/borough-2000.ron",
            "--days",
            "60",
            "--replications",
            "2",
            "--sweep",
            "rhi_worker=1-3,6",
            "--json",
        ])
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cli["levels"], serde_json::to_value(&shown.levels).unwrap());
    assert_eq!(cli["enough"], serde_json::to_value(&shown.enough).unwrap());

    // Saved as `--out` writes it.
    let reports = temp("sweep-report");
    h.state_mut().report_dir = reports.clone();
    h.get_by_label("Save the sweep (CSV table, JSON, HTML with charts)")
        .click();
    h.run();
    assert!(
        h.state().sweep_saved.starts_with("Saved 3 files"),
        "{}",
        h.state().sweep_saved
    );
    let folder = reports.join("havering-2023-05-vs-havering-2023-10-rhi_worker-sweep-seed1");
    assert!(folder.join("sweep.html").is_file());
    assert!(folder.join("sweep.csv").is_file());
}

#[test]
fn one_strategy_meeting_slot_typed_in_makes_meetings_wait_and_the_dashboard_says_how_long() {
    let run = |typed: &str| {
        // A borough's 2,000 children: strategy meetings often enough (once each agency has been
        // told of the child) for two to want the one slot at once.
        let mut d = small_borough_alone();
        d.children = "2000".into();
        d.days = "90".into();
        let mut h = harness(d);
        h.run();
        if !typed.is_empty() {
            h.get_by_label("Strategy-meeting slots").click();
            h.run();
            h.get_by_label("Strategy-meeting slots").type_text(typed);
            h.run();
        }
        run_and_wait(&mut h);
        assert!(h.state().errors.is_empty(), "{:?}", h.state().errors);
        let s = h.state().result.clone().expect("a result");
        let rows = dashboard::headline(&s);
        let shown = rows
            .iter()
            .find(|r| r.label == "Wait for a strategy-meeting slot (minutes)");
        (s, shown.cloned(), h)
    };
    let (free, row, _) = run("");
    assert!(row.is_none(), "no slot row without slots");
    assert!(free.caseload.strategy_meeting_slots.is_none());
    let (one, row, h) = run("1");
    let row = row.expect("a slot row with slots");
    h.get_by_label("Wait for a strategy-meeting slot (minutes)");
    assert!(h.query_all_by_label(&row.cells[0]).next().is_some(), "{:?}", row.cells);
    let slots = one.protocols[0].meeting_slots.as_ref().expect("slot figures");
    assert_eq!((slots.slots, slots.minutes), (1, 60.0));
    // In line for the one slot, and then (mostly) for office hours: an hour or more in all.
    let (in_line, office) = (
        slots.mean_wait_minutes.unwrap().mean,
        slots.mean_office_hours_wait_minutes.unwrap().mean,
    );
    assert!(in_line > 0.0 && in_line + office > 60.0, "{slots:?}");
    // Meetings that wait past the child's return are not held.
    assert!(
        one.protocols[0].strategy_meetings_per_week.mean < free.protocols[0].strategy_meetings_per_week.mean,
        "{} vs {}",
        one.protocols[0].strategy_meetings_per_week.mean,
        free.protocols[0].strategy_meetings_per_week.mean
    );
}

#[test]
fn a_sweep_of_strategy_meeting_slots_is_chosen_with_a_radio_button() {
    let mut d = small_borough_alone();
    d.days = "60".into();
    d.sweep_levels = "1-2".into();
    let mut h = harness(d);
    h.run();
    h.get_by_label("strategy-meeting slots").click();
    h.run();
    assert!(h.state().sweep_slots);
    h.get_by_label("Run staffing sweep").click();
    h.step();
    wait(&mut h, 600);
    assert!(h.state().errors.is_empty(), "{:?}", h.state().errors);
    let s = h.state().sweep.clone().expect("a sweep");
    assert_eq!((s.role.as_str(), s.unit.as_str()), ("strategy_meeting_slots", "slots"));
    h.get_by_label("Staffing sweep — Strategy-meeting slots");
    h.get_by_label("Fewest slots for 95 % of the duties in time, with no backlog:");
    h.get_by_label("Duties met in time by the number of slots");
    h.get_by_label("Wait for a slot");
    let busy: Vec<f64> = s.levels.iter().map(|l| l.protocols[0].busy.unwrap().mean).collect();
    assert!(busy[0] > busy[1], "one slot is busier than each of two: {busy:?}");
}
