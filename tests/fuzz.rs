//! The fuzz harness (issue #20): every shipped protocol, scenario, decision script and caseload,
//! mutated and fed to its loader and a short run, must never panic; brackets nested tens of
//! thousands deep and files of millions of values, run through the program, must never crash
//! it. A fixed seed and number of cases here; the long run is
//! `cargo run --release --example fuzz -- --cases N --seed S` (or the ignored test below).
//!
//! Inputs that once crashed are kept in `tests/fuzz_regressions/`, each with a first line
//! `// fuzz regression: KIND: what it is` (KIND as the harness labels it: `protocol`,
//! `scenario`, `decisions SCENARIO`, `caseload PROTOCOL`).

mod fuzz_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use fuzz_support::{Cache, Kind, Outcome, ROOT, Tally};
use rand::SeedableRng;

fn work(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn report(tally: &Tally) -> String {
    let mut s = format!(
        "{} cases: {} refused, {} loaded and ran, {} panicked",
        tally.cases,
        tally.refused,
        tally.ran,
        tally.crashes.len()
    );
    for c in &tally.crashes {
        s.push_str(&format!("\n{c}"));
    }
    s
}

#[test]
fn mutated_shipped_files_never_panic_a_loader_or_a_run() {
    let tally = fuzz_support::fuzz_in_process(20, 3_000, &work("fuzz"), |_, _| {});
    assert!(tally.crashes.is_empty(), "{}", report(&tally));
    // The mutations are small enough that some inputs still load and run, and bad enough that
    // most are refused: both paths are exercised.
    assert!(tally.ran > 0 && tally.refused > 0, "{}", report(&tally));
}

#[test]
#[ignore = "long run (minutes): cargo test --release --test fuzz -- --ignored"]
fn mutated_shipped_files_never_panic_long_run() {
    let tally = fuzz_support::fuzz_in_process(1, 20_000, &work("fuzz-long"), |_, _| {});
    assert!(tally.crashes.is_empty(), "{}", report(&tally));
}

#[test]
fn deep_nesting_and_huge_files_never_crash_the_program() {
    let bin = Path::new(env!("CARGO_BIN_EXE_safe-return"));
    let dir = work("fuzz-heavy");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let mut failures = Vec::new();
    let mut refused = 0;
    // One file of each kind.
    let mut seen = Vec::new();
    for seed in fuzz_support::corpus() {
        let label = seed.kind.label();
        let key = label.split_whitespace().next().unwrap_or_default().to_string();
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        for (i, (what, bytes)) in fuzz_support::heavy_inputs(&mut rng, &seed.bytes)
            .into_iter()
            .enumerate()
        {
            let file = dir.join(format!("{}-{i}.ron", label.replace(' ', "-")));
            std::fs::write(&file, &bytes).unwrap();
            match fuzz_support::run_child(bin, &seed.kind, &file, Duration::from_secs(300)) {
                Ok(2) => refused += 1,
                Ok(_) => {}
                Err(why) => failures.push(format!("{} ({what}): {why}", seed.file.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(refused > 0, "every heavy input was accepted");
}

/// Feed a kept regression input to its loader and run in this process, and to the program in a
/// child process; panics if either crashes.
fn regression(file: &str) {
    let path = Path::new(ROOT).join("tests/fuzz_regressions").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let label = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("// fuzz regression: "))
        .and_then(|l| l.split(':').next())
        .unwrap_or_else(|| panic!("{file}: no `// fuzz regression: KIND: …` first line"));
    let kind = Kind::from_label(label).unwrap_or_else(|| panic!("{file}: unknown kind `{label}`"));
    // A scenario is read from a folder named as the one it came from (`// from scenarios/NAME/`
    // on the second line), where its by-the-book script is looked for.
    let input = match &kind {
        Kind::Scenario => {
            let from = text
                .lines()
                .nth(1)
                .and_then(|l| l.strip_prefix("// from scenarios/"))
                .unwrap_or_default()
                .trim_end_matches("scenario.ron")
                .trim_end_matches('/');
            let dir = work(&format!("fuzz-regression-{file}")).join(from);
            std::fs::create_dir_all(&dir).unwrap();
            let f = dir.join("scenario.ron");
            std::fs::write(&f, &text).unwrap();
            f
        }
        _ => path,
    };
    let outcome = fuzz_support::quietly_feed(&kind, &input, &mut Cache::default());
    assert!(!matches!(outcome, Outcome::Panicked { .. }), "{file}: {outcome:?}");
    let bin = Path::new(env!("CARGO_BIN_EXE_safe-return"));
    if let Err(why) = fuzz_support::run_child(bin, &kind, &input, Duration::from_secs(300)) {
        panic!("{file}: {why}");
    }
}

#[test]
fn regression_deep_nesting_overflowed_the_span_scanner() {
    regression("protocol-deep-nesting.ron");
}

#[test]
fn regression_scenario_without_a_leaving_event_panicked_the_run() {
    regression("scenario-no-episode-reclassify.ron");
}
