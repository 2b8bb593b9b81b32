//! Helpers shared by the tests that run the `safe-return` program.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_safe-return");
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Run the program in the project folder, as a user would from there.
#[allow(dead_code)]
pub fn bin(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(ROOT)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"))
}

/// A path for a file a test writes, under `target/stress-test-files/`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(ROOT).join("target").join("stress-test-files");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir.join(name)
}
