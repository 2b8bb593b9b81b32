//! What validation lets through, the engine runs: office hours to 24 mean midnight (a deadline by
//! the close of the first working day falls at midnight, not a crash); past 24 they are refused
//! with the allowed range.

use std::fs;
use std::path::Path;

mod common;
use common::{ROOT, bin, scratch};

/// Bromley's protocol (which has first-working-day deadlines) open round the clock.
fn bromley_open_round_the_clock() -> String {
    let src = fs::read_to_string(Path::new(ROOT).join("assets/protocols/bromley-2020.ron")).unwrap();
    assert!(
        src.contains("FirstWorkingDay"),
        "the test needs a first-working-day deadline"
    );
    let out = src.replacen(
        "    id: \"bromley-2020\",\n",
        "    id: \"bromley-2020-round-the-clock\",\n    office_hours: (start_hour: 0, end_hour: 24),\n",
        1,
    );
    assert_ne!(out, src, "office hours inserted");
    out
}

#[test]
fn office_hours_to_24_validate_and_a_stress_run_completes() {
    let path = scratch("bromley-round-the-clock.ron");
    fs::write(&path, bromley_open_round_the_clock()).unwrap();
    let p = path.to_str().unwrap();
    let out = bin(&["protocol", "validate", p]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = bin(&[
        "stress",
        "--protocol",
        p,
        "--children",
        "300",
        "--days",
        "28",
        "--replications",
        "1",
        "--threads",
        "1",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "no panic:\n{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("episodes"));
}

#[test]
fn office_hours_past_24_are_refused_with_the_range() {
    let path = scratch("bromley-past-midnight.ron");
    fs::write(
        &path,
        bromley_open_round_the_clock().replace("end_hour: 24", "end_hour: 25"),
    )
    .unwrap();
    let out = bin(&["protocol", "validate", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(":6:5: office_hours: office hours 0–25 are impossible")
            && stderr.contains("at 24 (midnight) at the latest"),
        "{stderr}"
    );
}
