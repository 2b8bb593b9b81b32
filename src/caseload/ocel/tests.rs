use std::sync::Arc;

use super::*;
use crate::caseload::load_caseload;
use crate::sim::engine::Status;

fn setup() -> (ProtocolInfo, LoadedCaseload) {
    let p = crate::protocol::load_protocol(&crate::paths::protocols_dir().join("havering-2023-10.ron"))
        .expect("protocol loads")
        .protocol;
    let path = crate::paths::root().join("assets/caseloads/stretched-rhi.ron");
    let mut cl = load_caseload(&path, &[&p]).expect("caseload loads");
    cl.caseload.horizon_days = 60;
    (ProtocolInfo::new(Arc::new(p)), cl)
}

/// Waits for the one RHI worker, in minutes, over the kept duties of the RHI worker.
fn rhi_waits(e: &Engine) -> f64 {
    e.obligations
        .iter()
        .filter(|o| o.role == "rhi_worker" && matches!(o.status, Status::Met | Status::Late))
        .map(|o| o.queue_wait_minutes)
        .sum()
}

/// Replication 0 of a seed, run keeping no records and again keeping them for the first
/// `kept` children.
struct Runs {
    info: ProtocolInfo,
    cl: LoadedCaseload,
    plan: Plan,
    engine_seed: u64,
    plain: crate::caseload::stress::Replication,
    /// The engine of the run keeping records.
    kept: Engine,
}

/// `Runs` of `seed`, checking that keeping records changes nothing in the results.
fn without_and_with_records(seed: u64, kept: usize) -> Runs {
    let (info, cl) = setup();
    let engine_seed = generate::engine_seed(seed, 0);
    let mut plan = generate::plan(&cl, seed, 0);
    let (plain, _) = run_plan(&info, &cl, &mut plan, false, engine_seed, 0, |_| {});
    let (with, e) = run_plan(&info, &cl, &mut plan, false, engine_seed, kept, |_| {});
    assert_eq!(
        serde_json::to_string(&plain).unwrap(),
        serde_json::to_string(&with).unwrap()
    );
    Runs {
        info,
        cl,
        plan,
        engine_seed,
        plain,
        kept: e,
    }
}

fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a time")
}

#[test]
fn uk_times_carry_the_offset_in_force_then() {
    // Winter and summer.
    assert_eq!(ts(local("2024-01-15 12:00")), "2024-01-15T12:00:00+00:00");
    assert_eq!(ts(local("2024-07-01 09:30")), "2024-07-01T09:30:00+01:00");
    // 2024: clocks forward on Sunday 31 March, back on Sunday 27 October.
    assert_eq!(last_sunday(2024, 3), NaiveDate::from_ymd_opt(2024, 3, 31).unwrap());
    assert_eq!(last_sunday(2024, 10), NaiveDate::from_ymd_opt(2024, 10, 27).unwrap());
    assert_eq!(ts(local("2024-03-31 00:59")), "2024-03-31T00:59:00+00:00");
    assert_eq!(ts(local("2024-03-31 02:00")), "2024-03-31T02:00:00+01:00");
    assert_eq!(ts(local("2024-03-30 02:00")), "2024-03-30T02:00:00+00:00");
    // The skipped hour is written as the moment the clocks went forward.
    assert_eq!(ts(local("2024-03-31 01:00")), "2024-03-31T02:00:00+01:00");
    assert_eq!(ts(local("2024-03-31 01:59")), "2024-03-31T02:00:00+01:00");
    // The repeated hour is taken in summer time (its first occurrence).
    assert_eq!(ts(local("2024-10-27 00:59")), "2024-10-27T00:59:00+01:00");
    assert_eq!(ts(local("2024-10-27 01:30")), "2024-10-27T01:30:00+01:00");
    assert_eq!(ts(local("2024-10-27 02:00")), "2024-10-27T02:00:00+00:00");
    assert_eq!(ts(local("2024-10-26 02:00")), "2024-10-26T02:00:00+01:00");
    // 2025: 30 March and 26 October (31 March 2025 is a Monday).
    assert_eq!(last_sunday(2025, 3), NaiveDate::from_ymd_opt(2025, 3, 30).unwrap());
    assert_eq!(last_sunday(2025, 10), NaiveDate::from_ymd_opt(2025, 10, 26).unwrap());
    assert_eq!(ts(local("2025-03-30 01:13")), "2025-03-30T02:00:00+01:00");
    assert_eq!(ts(local("2025-03-31 01:13")), "2025-03-31T01:13:00+01:00");
    assert_eq!(ts(local("2025-10-26 03:00")), "2025-10-26T03:00:00+00:00");
    // A month whose last day is a Sunday: 31 March 2030 / 31 October 2027.
    assert_eq!(last_sunday(2027, 10), NaiveDate::from_ymd_opt(2027, 10, 31).unwrap());
    assert_eq!(last_sunday(2030, 3), NaiveDate::from_ymd_opt(2030, 3, 31).unwrap());
}

#[test]
fn written_instants_never_run_backwards() {
    // Minute by minute through both changes of 2024, the written instants do not go back.
    let instant = |t: NaiveDateTime| {
        let (l, off) = uk_local(t);
        l - chrono::Duration::hours(off as i64)
    };
    for day in ["2024-03-30 22:00", "2024-10-26 22:00"] {
        let mut t = local(day);
        let mut last = instant(t);
        for _ in 0..8 * 60 {
            t += chrono::Duration::minutes(1);
            assert!(instant(t) >= last, "{t}");
            last = instant(t);
        }
    }
}

#[test]
fn a_stress_run_gives_what_a_run_keeping_every_record_gives() {
    // Stress runs take shortcuts (no records, plain acts off the agenda, misses settled at
    // the deadline); a run keeping every record takes none. The results must be the same.
    let Runs {
        plain: fast, kept: e, ..
    } = without_and_with_records(3, usize::MAX);
    assert!(e.obligations.len() as u64 >= fast.rules.iter().map(|t| t.fired).sum::<u64>());
    assert!(
        fast.rules.iter().any(|t| t.late > 0),
        "the one RHI worker makes some duties late"
    );
}

#[test]
fn the_event_log_is_of_the_real_run_with_its_queues() {
    // Keeping records for some children changes nothing in the results.
    let Runs {
        info,
        cl,
        plan,
        engine_seed: seed,
        kept: e,
        ..
    } = without_and_with_records(1, 40);
    assert!(!e.obligations.is_empty() && e.obligations.iter().all(|o| o.child < 40));
    assert!(e.log.iter().all(|l| l.child < 40));
    // Those 40 children share the one RHI worker with the 1,960 others: they wait longer
    // than they would with the worker to themselves.
    let mut alone = generate::plan(&cl, 1, 0);
    alone.children.truncate(40);
    alone.episodes.retain(|p| p.child < 40);
    let (_, by_themselves) = run_plan(&info, &cl, &mut alone, true, seed, 40, |_| {});
    assert!(
        rhi_waits(&e) > 2.0 * rhi_waits(&by_themselves),
        "in the run {} min, alone {} min",
        rhi_waits(&e),
        rhi_waits(&by_themselves)
    );
    let log = build(&plan, &e);
    let children = log.objects.iter().filter(|o| o.kind == "child").count();
    assert_eq!(children, 40);
}
