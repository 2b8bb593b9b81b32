//! Stress runs.
use super::{LoadedCaseload, generate};
use crate::protocol::Protocol;
use crate::sim::engine::Engine;
use std::sync::Arc;

pub fn quick(protocol: &Arc<Protocol>, cl: &LoadedCaseload, seed: u64) -> (u64, u64, u64, f64, f64) {
    let t0 = std::time::Instant::now();
    let plan = generate::plan(cl, seed, 0);
    let tp = t0.elapsed().as_secs_f64();
    let mut e = Engine::new(protocol.clone(), plan.start, generate::engine_seed(seed, 0));
    e.keep_records = false;
    e.automation = cl.automation();
    plan.add_children(&mut e);
    plan.run(&mut e, |_| {});
    (
        plan.children.len() as u64,
        e.episodes_started,
        e.events_processed,
        tp,
        t0.elapsed().as_secs_f64(),
    )
}
