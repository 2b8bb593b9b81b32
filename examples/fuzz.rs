//! The long fuzz run (issue #20): `cargo run --release --example fuzz -- --cases N --seed S`
//! [`--heavy`]. Mutates every shipped protocol, scenario, decision script and caseload, feeds
//! each to its loader and, where it loads, a short run, and lists every panic with the input
//! kept under `target/fuzz/crashes/`. `--heavy` also runs deep-nesting and huge-file inputs
//! through the `safe-return` program (build it first: `cargo build --release`). Exits 1 if
//! anything crashed.

#[path = "../tests/fuzz_support/mod.rs"]
mod fuzz_support;

use std::path::PathBuf;
use std::time::Duration;

use rand::SeedableRng;

fn main() {
    let mut cases = 2_000usize;
    let mut seed = 1u64;
    let mut heavy = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |what: &str| {
            args.next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or_else(|| usage(&format!("{a} needs a whole number ({what})")))
        };
        match a.as_str() {
            "--cases" => cases = value("how many inputs") as usize,
            "--seed" => seed = value("the random seed"),
            "--heavy" => heavy = true,
            _ => usage(&format!("unknown argument `{a}`")),
        }
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(fuzz_support::ROOT).join("target"));
    let work = target.join("fuzz");
    let _ = std::fs::remove_dir_all(&work);
    let t0 = std::time::Instant::now();
    let tally = fuzz_support::fuzz_in_process(seed, cases, &work, move |case, t| {
        if (case + 1) % 500 == 0 {
            eprintln!(
                "{} cases, {} panics ({:.0} s)",
                case + 1,
                t.crashes.len(),
                t0.elapsed().as_secs_f64()
            );
        }
    });
    println!(
        "seed {seed}: {} cases: {} refused, {} loaded and ran, {} panicked",
        tally.cases,
        tally.refused,
        tally.ran,
        tally.crashes.len()
    );
    for c in &tally.crashes {
        println!("{c}");
    }
    let mut failed = !tally.crashes.is_empty();
    if heavy {
        let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
        let bin = target.join(profile).join("safe-return");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        for s in fuzz_support::corpus() {
            for (i, (what, bytes)) in fuzz_support::heavy_inputs(&mut rng, &s.bytes).into_iter().enumerate() {
                let file = work.join(format!(
                    "heavy-{i}-{}",
                    s.file.file_name().unwrap_or_default().to_string_lossy()
                ));
                std::fs::write(&file, &bytes).expect("write the input");
                if let Err(why) = fuzz_support::run_child(&bin, &s.kind, &file, Duration::from_secs(600)) {
                    println!(
                        "{} ({what}): {why}\n  input kept as {}",
                        s.file.display(),
                        file.display()
                    );
                    failed = true;
                }
            }
        }
    }
    std::process::exit(i32::from(failed));
}

fn usage(why: &str) -> ! {
    eprintln!("{why}\nusage: cargo run --release --example fuzz -- [--cases N] [--seed S] [--heavy]");
    std::process::exit(2)
}
