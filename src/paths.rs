//! Where the project's data lives: `assets/protocols/` and `scenarios/`.

use std::path::{Path, PathBuf};

/// The project root: `$SAFE_RETURN_HOME`, else the nearest ancestor of the working directory or
/// of the executable holding `assets/protocols`, else the source tree this was built from.
pub fn root() -> PathBuf {
    if let Ok(p) = std::env::var("SAFE_RETURN_HOME") {
        return PathBuf::from(p);
    }
    let has = |p: &Path| p.join("assets").join("protocols").is_dir();
    let mut starts = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    if let Ok(exe) = std::env::current_exe() {
        starts.push(exe);
    }
    for s in starts {
        for a in s.ancestors() {
            if has(a) {
                return a.to_path_buf();
            }
        }
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn protocols_dir() -> PathBuf {
    root().join("assets").join("protocols")
}

pub fn scenarios_dir() -> PathBuf {
    root().join("scenarios")
}

/// The file for a protocol id, e.g. `havering-2023-10` → `assets/protocols/havering-2023-10.ron`.
pub fn protocol_file(id: &str) -> PathBuf {
    protocols_dir().join(format!("{id}.ron"))
}

/// Resolve a protocol argument: a file, or an id under `assets/protocols/`.
pub fn protocol_arg(arg: &str) -> PathBuf {
    let p = PathBuf::from(arg);
    if p.is_file() {
        return p;
    }
    let by_id = protocol_file(arg);
    if by_id.is_file() { by_id } else { p }
}

/// Resolve a scenario argument: a folder name under `scenarios/`, a folder, or a `scenario.ron`.
pub fn scenario_file(arg: &str) -> PathBuf {
    let p = PathBuf::from(arg);
    if p.is_file() {
        return p;
    }
    if p.is_dir() {
        return p.join("scenario.ron");
    }
    scenarios_dir().join(arg).join("scenario.ron")
}

/// Every `scenarios/*/scenario.ron`, sorted by folder name.
pub fn all_scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path().join("scenario.ron"))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}
