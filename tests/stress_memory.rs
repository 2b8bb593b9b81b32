//! `stress` sizes its memory before it starts: a run that cannot fit is refused in words (and
//! leaves nothing behind), one whose replications at once cannot fit runs fewer at once and says
//! so; `--help` gives the limits the checks apply. `SAFE_RETURN_MEMORY_MB` stands for a machine
//! with that much memory available.

mod common;

use std::process::{Command, Output};

use common::{BIN, ROOT, bin, scratch};

fn stress_with_memory(mb: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("stress")
        .args(["--protocol", "havering-2023-10"])
        .args(args)
        .current_dir(ROOT)
        .env("SAFE_RETURN_MEMORY_MB", mb)
        .output()
        .unwrap()
}

#[test]
fn a_run_too_big_for_the_memory_is_refused_before_it_starts() {
    let out = scratch("memory-refused");
    let _ = std::fs::remove_dir_all(&out);
    let o = stress_with_memory(
        "2000",
        &[
            "--children",
            "10000000",
            "--replications",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(o.stdout.is_empty());
    // The estimate, what is available, and what would fit.
    assert!(err.starts_with("--children: 10000000 children"), "{err}");
    assert!(err.contains("GB of memory for one replication"), "{err}");
    assert!(err.contains("2.0 GB is available (SAFE_RETURN_MEMORY_MB)"), "{err}");
    let fit: u64 = err
        .split("use at most about ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("how many children fit: {err}"));
    assert!(fit > 100_000 && fit < 10_000_000, "{err}");
    assert!(!out.exists(), "nothing written or made before the refusal");
}

#[test]
fn replications_that_cannot_all_fit_at_once_run_fewer_at_once_with_the_same_results() {
    let args = [
        "--children",
        "2000",
        "--days",
        "7",
        "--replications",
        "4",
        "--threads",
        "4",
        "--json",
    ];
    // Four (or two) replications of 2,000 children at once need more than 37 MB; one fits.
    let o = stress_with_memory("37", &args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("note: 4 replications at once need about"), "{err}");
    assert!(err.contains("running 1 at once (--threads 1)"), "{err}");
    let lowered: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(lowered["threads"], 1);
    // Plenty of memory: four at once, no note, and the same results.
    let o = stress_with_memory("100000", &args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("at once"), "{err}");
    let full: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(full["threads"], 4);
    assert_eq!(lowered["protocols"], full["protocols"]);
    assert_eq!(lowered["episodes"], full["episodes"]);
    assert_eq!(lowered["events"], full["events"]);
}

#[test]
fn a_memory_setting_that_is_not_a_number_is_said_in_words() {
    let o = stress_with_memory("lots", &["--children", "10"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("SAFE_RETURN_MEMORY_MB: a whole number is needed"), "{err}");
}

#[test]
fn the_help_gives_the_limits_the_checks_apply() {
    let help = String::from_utf8(bin(&["stress", "--help"]).stdout).unwrap();
    let line = |flag: &str| {
        help.lines()
            .find(|l| l.trim_start().starts_with(flag))
            .unwrap_or_else(|| panic!("{flag} in {help}"))
            .to_string()
    };
    let days = line("--days");
    assert!(days.contains("7 to 3,660"), "{days}");
    let run = |d: &str| {
        bin(&[
            "stress",
            "--protocol",
            "havering-2023-10",
            "--children",
            "5",
            "--days",
            d,
            "--replications",
            "1",
        ])
    };
    // The ends of the range the help gives are accepted, one beyond them refused.
    for (d, ok) in [("6", false), ("7", true), ("3661", false)] {
        let o = run(d);
        assert_eq!(
            o.status.success(),
            ok,
            "--days {d}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        if !ok {
            assert_eq!(o.status.code(), Some(2));
        }
    }
    let children = line("--children");
    assert!(children.contains("1 to 10,000,000"), "{children}");
    assert!(children.contains("memory"), "{children}");
    let o = bin(&["stress", "--protocol", "havering-2023-10", "--children", "10000001"]);
    assert_eq!(o.status.code(), Some(2));
    let threads = line("--threads");
    assert!(threads.contains("1 to 256"), "{threads}");
    let o = bin(&["stress", "--protocol", "havering-2023-10", "--threads", "257"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_benchmark_size_too_big_for_the_memory_is_refused_before_any_runs() {
    let o = Command::new(BIN)
        .args(["bench", "--children", "1000", "10000000", "--replications", "0"])
        .current_dir(ROOT)
        .env("SAFE_RETURN_MEMORY_MB", "500")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(o.stdout.is_empty(), "no row measured before the refusal");
    assert!(err.contains("10000000 children"), "{err}");
    assert!(err.contains("500 MB is available"), "{err}");
}
