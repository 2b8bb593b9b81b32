//! Prints everything observable about engine runs, to check that engine optimisations keep behaviour.
use std::fmt::Write;
use std::sync::Arc;

use safe_return::caseload::{LoadedCaseload, generate};
use safe_return::sim::engine::Engine;

fn main() {
    let mut out = String::new();
    let mut files: Vec<_> = std::fs::read_dir("assets/protocols")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let p = Arc::new(safe_return::protocol::load_protocol(&f).unwrap().protocol);
        for variant in 0..3 {
            for keep in [false, true] {
                let mut cl = LoadedCaseload::builtin()
                    .with_children(if keep { 60 } else { 400 })
                    .with_days(120);
                // Fixed staffing, so that changes to the caseload defaults do not show here.
                let staff =
                    |role: &str, workers, service_minutes, office_hours_only, lo, hi| safe_return::caseload::Staff {
                        role: role.into(),
                        workers,
                        service_minutes,
                        office_hours_only,
                        latency_min_minutes: lo,
                        latency_max_minutes: hi,
                        compliance: 1.0,
                    };
                cl.caseload.staffing = vec![
                    staff("rhi_worker", 3, 60.0, true, 60.0, 480.0),
                    staff("social_worker", 40, 30.0, false, 15.0, 240.0),
                    staff("mash", 2, 15.0, true, 5.0, 60.0),
                ];
                match variant {
                    0 => {}
                    1 => {
                        for s in &mut cl.caseload.staffing {
                            s.compliance = 0.8;
                            s.workers = 1;
                        }
                    }
                    _ => cl.caseload.staffing.clear(),
                }
                let plan = generate::plan(&cl, 7, variant as u64);
                let mut e = Engine::new(p.clone(), plan.start, 99 + variant as u64);
                e.keep_records = keep;
                e.automation = cl.automation(&[]);
                if variant == 2 {
                    e.automation.default.latency_max_minutes = 300.0;
                    e.automation.default.compliance = 0.9;
                }
                plan.add_children(&mut e);
                plan.run(&mut e, |_, _| {});
                writeln!(
                    out,
                    "== {} v{variant} keep={keep} events={} episodes={}",
                    p.id, e.events_processed, e.episodes_started
                )
                .unwrap();
                for (i, t) in e.tallies.iter().enumerate() {
                    writeln!(out, "tally {i} {:?}", t).unwrap();
                }
                let mut w: Vec<_> = e.workload.iter().collect();
                w.sort();
                writeln!(out, "workload {:?}", w).unwrap();
                if keep {
                    for o in &e.obligations {
                        writeln!(out, "ob {:?}", o).unwrap();
                    }
                    for l in &e.log {
                        writeln!(out, "log {:?}", l).unwrap();
                    }
                    for a in &e.actions_done {
                        writeln!(out, "act {:?}", a).unwrap();
                    }
                    for c in &e.children {
                        writeln!(
                            out,
                            "child {} {:?} {:?} {} {}",
                            c.profile.name,
                            c.history,
                            c.episode
                                .as_ref()
                                .map(|e| (&e.transitions, e.phase, &e.category, e.risk)),
                            c.episodes_total,
                            c.place
                        )
                        .unwrap();
                    }
                    writeln!(out, "trainee {:?}", e.trainee_done).unwrap();
                }
            }
        }
    }
    print!("{out}");
}
