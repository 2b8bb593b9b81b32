//! Waiting is split as a manager would read it: the hours a duty waits for the office to open are
//! not "waiting for a free worker" when workers are free.

use std::sync::Arc;

use safe_return::protocol::{LegalStatus, Placement};
use safe_return::sim::engine::{Engine, RoleBehaviour};

mod episodes;
use episodes::{child, leaves_for, protocol, t};

/// Children leaving at 02:00 on Saturday 9 March 2024 under Havering May-23, the placement staffed
/// with `workers` in office hours only (10 minutes a duty, no latency).
fn night(workers: u32, children: usize) -> Engine {
    let mut e = Engine::new(Arc::new(protocol("havering-2023-05")), t("2024-03-08 10:00"), 7);
    e.automation.roles.insert(
        "placement_provider".into(),
        RoleBehaviour {
            latency_min_minutes: 0.0,
            latency_max_minutes: 0.0,
            compliance: 1.0,
            workers: Some(workers),
            service_minutes: 10.0,
            office_hours_only: true,
        },
    );
    for i in 0..children {
        let c = e.add_child(
            child(
                &format!("Child {i}"),
                2010,
                vec![LegalStatus::S31],
                Placement::Residential,
            ),
            "placement",
            vec![],
        );
        e.schedule(t("2024-03-09 02:00"), c, leaves_for("town", false));
    }
    e.finish(t("2024-03-13 02:00"));
    e
}

#[test]
fn a_night_duty_with_workers_free_waits_for_office_hours_not_for_a_worker() {
    // One child, many workers: every booking waits for Monday morning, none for a worker.
    let e = night(20, 1);
    let s = e.staff_stats("placement_provider");
    assert!(s.bookings > 0);
    assert!(s.wait_for_office_hours_minutes > 0.0, "{s:?}");
    assert_eq!(s.wait_for_worker_minutes, 0.0, "{s:?}");
}

#[test]
fn more_duties_than_workers_at_the_opening_wait_in_line_too() {
    // Twenty children, one worker: after the office opens they queue for her.
    let e = night(1, 20);
    let s = e.staff_stats("placement_provider");
    assert!(s.wait_for_office_hours_minutes > 0.0, "{s:?}");
    assert!(s.wait_for_worker_minutes > 0.0, "{s:?}");
}
