fn main() {
    let n: u64 = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(1000);
    let lp =
        safe_return::protocol::load_protocol(std::path::Path::new("assets/protocols/havering-2023-10.ron")).unwrap();
    let p = std::sync::Arc::new(lp.protocol);
    let cl = safe_return::caseload::LoadedCaseload::builtin().with_children(n);
    let (c, ep, ev, tp, t) = safe_return::caseload::stress::quick(&p, &cl, 1);
    println!(
        "children {c} episodes {ep} events {ev} plan {tp:.3}s total {t:.3}s  {:.0} ev/s",
        ev as f64 / (t - tp)
    );
}
