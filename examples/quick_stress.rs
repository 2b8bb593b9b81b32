fn main() {
    let n: u64 = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(1000);
    let nostaff = std::env::args().nth(2).is_some_and(|s| s == "nostaff");
    let lp =
        safe_return::protocol::load_protocol(std::path::Path::new("assets/protocols/havering-2023-10.ron")).unwrap();
    let p = std::sync::Arc::new(lp.protocol);
    let mut cl = safe_return::caseload::LoadedCaseload::builtin().with_children(n);
    if nostaff {
        cl.caseload.staffing.clear();
    }
    let t0 = std::time::Instant::now();
    let mut plan = safe_return::caseload::generate::plan(&cl, 1, 0);
    let tp = t0.elapsed().as_secs_f64();
    let opts = safe_return::sim::engine::SimOptions {
        keep_records: false,
        ..Default::default()
    };
    let mut e = safe_return::sim::engine::Engine::with_options(p.clone(), plan.start, 5, opts);
    e.automation = cl.automation(&[]);
    plan.move_children(&mut e);
    plan.run(&mut e, |_, _| {});
    let t = t0.elapsed().as_secs_f64();
    let ev = e.events_processed;
    println!(
        "children {n} episodes {} events {ev} plan {tp:.3}s total {t:.3}s  {:.0} ev/s",
        e.episodes_started,
        ev as f64 / (t - tp)
    );
    let eps = e.episodes_started as f64;
    for r in &p.roles {
        let done = e.role_actions_done(&r.id);
        if done > 0 {
            let wait: f64 = p
                .rules
                .iter()
                .zip(&e.tallies)
                .filter(|(x, _)| x.role == r.id)
                .map(|(_, t)| t.queue_wait_minutes_total)
                .sum();
            let late: u64 = p
                .rules
                .iter()
                .zip(&e.tallies)
                .filter(|(x, _)| x.role == r.id)
                .map(|(_, t)| t.late)
                .sum();
            let met: u64 = p
                .rules
                .iter()
                .zip(&e.tallies)
                .filter(|(x, _)| x.role == r.id)
                .map(|(_, t)| t.met)
                .sum();
            println!(
                "  {:<24} {:>6.2} acts/episode  met {met} late {late}  mean wait {:.0} min",
                r.id,
                done as f64 / eps,
                wait / done as f64
            );
        }
    }
}
