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

/// Whether `id` is a plain name, safe to make a file name in one folder of: letters, digits,
/// `-`, `_` and `.`, not starting with `.` (so never `..`, a `/` or a backslash). `what` names the id
/// in the message (such as "protocol id").
pub fn plain_name(id: &str, what: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && !id.starts_with('.')
        && id.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not a {what}: use only letters, digits, `-`, `_` and `.` (not first), \
             such as havering-2023-10"
        ))
    }
}

/// The file for a protocol id, e.g. `havering-2023-10` → `assets/protocols/havering-2023-10.ron`.
/// An id that is not a plain name (such as `../secret`) is refused: the file is always inside
/// `assets/protocols/`.
pub fn protocol_file(id: &str) -> Result<PathBuf, String> {
    plain_name(id, "protocol id")?;
    Ok(protocols_dir().join(format!("{id}.ron")))
}

/// `text` (ids, a seed) made safe as one file or folder name: every character that is not a
/// letter, a digit, `-`, `_` or `.` becomes `_`, and a leading `.` too, so the name stays in the
/// folder it is joined to (such as the dashboard's report folder named after protocol ids).
pub fn file_name_part(text: &str) -> String {
    let mut name: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with('.') {
        name.replace_range(..name.find(|c| c != '.').unwrap_or(name.len()), "");
        name.insert(0, '_');
    }
    name
}

/// Resolve a protocol argument: a file, or an id under `assets/protocols/`.
pub fn protocol_arg(arg: &str) -> PathBuf {
    let p = PathBuf::from(arg);
    if p.is_file() {
        return p;
    }
    match protocol_file(arg) {
        Ok(by_id) if by_id.is_file() => by_id,
        _ => p,
    }
}

/// Resolve a scenario argument: a folder name under `scenarios/`, a folder, or a `scenario.ron`.
/// Only a plain name is looked for under `scenarios/`.
pub fn scenario_file(arg: &str) -> PathBuf {
    let p = PathBuf::from(arg);
    if p.is_file() {
        return p;
    }
    if p.is_dir() {
        return p.join("scenario.ron");
    }
    if plain_name(arg, "scenario name").is_err() {
        return p;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_become_paths() {
        for good in ["havering-2023-10", "west_mercia.2014", "a", "Bromley2"] {
            let f = protocol_file(good).unwrap();
            assert_eq!(f.parent(), Some(protocols_dir().as_path()), "{good}");
        }
        for bad in ["../x", "..", ".hidden", "a/b", "a\\b", "", "/etc/passwd", "a b", "x\0"] {
            let e = protocol_file(bad).unwrap_err();
            assert!(e.contains("is not a protocol id"), "{bad}: {e}");
        }
    }

    #[test]
    fn any_text_becomes_one_name_in_the_folder() {
        for (text, name) in [
            ("havering-2023-10-seed1", "havering-2023-10-seed1"),
            ("../../etc-seed1", "__.._etc-seed1"),
            ("..", "_"),
            ("", "_"),
            ("a/b\\c d", "a_b_c_d"),
        ] {
            assert_eq!(file_name_part(text), name, "{text}");
            let dir = Path::new("reports");
            assert_eq!(dir.join(file_name_part(text)).parent(), Some(dir), "{text}");
        }
    }
}
