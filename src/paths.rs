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

/// The shipped caseloads: `assets/caseloads/`.
pub fn caseloads_dir() -> PathBuf {
    root().join("assets").join("caseloads")
}

/// Whether `id` is a plain name, safe to make a file name in one folder of: at most 100 ASCII
/// letters, digits, `-`, `_` and `.`, not starting with `.` (so never `..`, a `/` or a
/// backslash). `what` names the id in the message (such as "protocol id").
pub fn plain_name(id: &str, what: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 100
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
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

/// Resolve a protocol argument: a file, or an id under `assets/protocols/`, or where neither
/// is found the argument as a path (loading it then says what is wrong). For a message that
/// lists the protocols instead, see [`resolve_protocol`].
pub fn protocol_arg(arg: &str) -> PathBuf {
    resolve_protocol(arg).unwrap_or_else(|_| PathBuf::from(arg))
}

/// Resolve a protocol given by id (`havering-2023-10`), by file name (`havering-2023-10.ron`,
/// looked for in `assets/protocols/` where it is not in the working folder) or by path. Where
/// none is found, the message lists the shipped protocols and suggests the nearest.
pub fn resolve_protocol(arg: &str) -> Result<PathBuf, String> {
    resolve(arg, &protocols_dir(), Kind::Protocol)
}

/// Resolve a caseload as [`resolve_protocol`] does a protocol, in `assets/caseloads/`.
pub fn resolve_caseload(arg: &str) -> Result<PathBuf, String> {
    resolve(arg, &caseloads_dir(), Kind::Caseload)
}

#[derive(Clone, Copy)]
enum Kind {
    Protocol,
    Caseload,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Protocol => "protocol",
            Kind::Caseload => "caseload",
        }
    }
    fn folder(self) -> &'static str {
        match self {
            Kind::Protocol => "assets/protocols/",
            Kind::Caseload => "assets/caseloads/",
        }
    }
}

/// The ids (file names less `.ron`) of the `.ron` files in `dir`, sorted.
pub fn ids_in(dir: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "ron"))
                .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

fn resolve(arg: &str, dir: &Path, kind: Kind) -> Result<PathBuf, String> {
    let p = PathBuf::from(arg);
    if p.exists() {
        // A folder too: loading it says "it is a folder, not a file".
        return Ok(p);
    }
    let id = arg.strip_suffix(".ron").unwrap_or(arg);
    if plain_name(id, "").is_ok() {
        let by_id = dir.join(format!("{id}.ron"));
        if by_id.is_file() {
            return Ok(by_id);
        }
    }
    Err(not_found(arg, dir, kind))
}

/// No such file, and no such id: what there is, and the nearest.
fn not_found(arg: &str, dir: &Path, kind: Kind) -> String {
    let ids = ids_in(dir);
    let names: Vec<&str> = ids.iter().map(String::as_str).collect();
    let path_like = arg.contains('/') || arg.contains('\\');
    let stem = Path::new(arg)
        .file_name()
        .and_then(|s| s.to_str())
        .map(|s| s.strip_suffix(".ron").unwrap_or(s))
        .unwrap_or(arg);
    let mut nearest = crate::diag::did_you_mean(stem, &names);
    if nearest.is_empty() && !stem.is_empty() {
        let lower = stem.to_lowercase();
        let starting: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| {
                let n = n.to_lowercase();
                n.starts_with(&lower) || lower.starts_with(&n)
            })
            .collect();
        if !starting.is_empty() {
            nearest = format!(
                " (did you mean {}?)",
                starting
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            );
        }
    }
    let (what, folder) = (kind.word(), kind.folder());
    let list = if names.is_empty() {
        format!("there are no {what}s in {folder} (run from the project folder or set SAFE_RETURN_HOME)")
    } else {
        format!("the {what}s in {folder}: {}", names.join(", "))
    };
    let shown = arg.escape_debug();
    if path_like {
        format!(
            "{shown}:1:1: cannot read {what} file: there is no such file or folder{nearest}; {list} (give one \
             by its id, such as {})",
            names.first().copied().unwrap_or("havering-2023-10")
        )
    } else {
        format!("no {what} `{shown}`: it is neither a file nor a {what} id in {folder}{nearest}; {list}")
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
