//! Where learning records go and how: the partnership's settings file (credentials, the base of
//! its activity ids, time limits), the environment, and the folder statements wait in.
//!
//! The settings file is RON, `LearningRecords( … )`, found at `--lrs-config FILE`, else
//! `$SAFE_RETURN_LRS_CONFIG`, else `learning-records.ron` in the user's configuration folder
//! (`~/.config/safe-return/` on Linux). Credentials never need the command line:
//! `SAFE_RETURN_LRS_USERNAME` and `SAFE_RETURN_LRS_PASSWORD` override the file's.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::diag::{Collector, Diagnostics, parse_ron};
use crate::protocol::spans::SpanMap;

pub const CONFIG_ENV: &str = "SAFE_RETURN_LRS_CONFIG";
pub const USERNAME_ENV: &str = "SAFE_RETURN_LRS_USERNAME";
pub const PASSWORD_ENV: &str = "SAFE_RETURN_LRS_PASSWORD";
pub const RECORDS_DIR_ENV: &str = "SAFE_RETURN_RECORDS_DIR";
/// The activity base used where the partnership has not set one: `.invalid` can never resolve,
/// so records made with it are plainly not yet configured.
pub const DEFAULT_BASE: &str = "https://safe-return.invalid/";
/// The file name looked for in the user's configuration folder.
pub const CONFIG_FILE: &str = "learning-records.ron";

/// The settings file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearningRecords {
    /// The LRS key (HTTP Basic user name).
    #[serde(default)]
    pub username: Option<String>,
    /// The LRS secret (HTTP Basic password).
    #[serde(default)]
    pub password: Option<String>,
    /// Base IRI of every id Safe Return makes: `<base>scenarios/<id>`, `<base>protocols/<id>`, …
    #[serde(default)]
    pub activity_base: Option<String>,
    /// The `homePage` of trainees' accounts (default: the activity base).
    #[serde(default)]
    pub account_home_page: Option<String>,
    /// Seconds to wait for the LRS on each request, 1 to 300 (default 10).
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    /// Tries per batch of statements before giving up for now, 1 to 10 (default 3).
    #[serde(default)]
    pub tries: Option<u32>,
    /// Folder statements wait in before they are sent.
    #[serde(default)]
    pub records_dir: Option<PathBuf>,
}

/// The settings in force: file, environment and defaults together.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub username: Option<String>,
    pub password: Option<String>,
    /// Ends with `/`.
    pub activity_base: String,
    pub account_home_page: String,
    pub timeout: Duration,
    pub tries: u32,
    pub records_dir: Option<PathBuf>,
    /// The file read, if any.
    pub file: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            username: None,
            password: None,
            activity_base: DEFAULT_BASE.into(),
            account_home_page: DEFAULT_BASE.into(),
            timeout: Duration::from_secs(10),
            tries: 3,
            records_dir: None,
            file: None,
        }
    }
}

/// The user's configuration or data folder for Safe Return: on Linux `$XDG_CONFIG_HOME` or
/// `~/.config` (data: `$XDG_DATA_HOME` or `~/.local/share`), on macOS
/// `~/Library/Application Support`, on Windows `%APPDATA%`; `safe-return` inside it.
pub fn user_dir(data: bool) -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library").join("Application Support"))
    } else if data {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local").join("share")))
    } else {
        env("XDG_CONFIG_HOME").or_else(|| env("HOME").map(|h| h.join(".config")))
    };
    base.map(|b| b.join("safe-return"))
}

/// The settings file to read: the one named, else `$SAFE_RETURN_LRS_CONFIG`, else the user's
/// `learning-records.ron` where there is one.
pub fn config_path(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    user_dir(false).map(|d| d.join(CONFIG_FILE)).filter(|p| p.is_file())
}

/// Read the settings: the file (if any), then the environment. Errors are
/// `file:line:col: field: message`, or name the environment variable.
pub fn load(explicit: Option<&Path>) -> Result<Settings, String> {
    let mut s = Settings::default();
    if let Some(path) = config_path(explicit) {
        let f = read_file(&path).map_err(|d| d.to_string())?;
        s.username = f.username.filter(|u| !u.is_empty());
        s.password = f.password;
        if let Some(b) = f.activity_base {
            s.activity_base = base_iri(&b).expect("checked");
        }
        s.account_home_page = f.account_home_page.unwrap_or_else(|| s.activity_base.clone());
        s.timeout = Duration::from_secs(f.timeout_seconds.unwrap_or(10));
        s.tries = f.tries.unwrap_or(3);
        s.records_dir = f.records_dir.map(|d| {
            // A relative folder is taken from where the settings file is.
            if d.is_relative() {
                path.parent().unwrap_or(Path::new(".")).join(d)
            } else {
                d
            }
        });
        s.file = Some(path);
    }
    if let Ok(u) = std::env::var(USERNAME_ENV)
        && !u.is_empty()
    {
        s.username = Some(u);
    }
    if let Ok(p) = std::env::var(PASSWORD_ENV)
        && !p.is_empty()
    {
        s.password = Some(p);
    }
    Ok(s)
}

/// Read and check a settings file.
pub fn read_file(path: &Path) -> Result<LearningRecords, Diagnostics> {
    let src = crate::diag::read_source(path, "learning records settings")?;
    let f: LearningRecords = parse_ron(path, &src)?;
    let spans = SpanMap::scan(&src);
    let mut c = Collector::new(path, &spans);
    if let Some(b) = &f.activity_base
        && let Err(why) = base_iri(b)
    {
        c.err("activity_base", why);
    }
    if let Some(h) = &f.account_home_page
        && let Err(why) = web_address(h)
    {
        c.err("account_home_page", why);
    }
    if let Some(t) = f.timeout_seconds
        && !(1..=300).contains(&t)
    {
        c.err("timeout_seconds", format!("{t} is out of range: give 1 to 300 seconds"));
    }
    if let Some(t) = f.tries
        && !(1..=10).contains(&t)
    {
        c.err("tries", format!("{t} is out of range: give 1 to 10"));
    }
    if f.password.is_some() && f.username.as_deref().is_none_or(str::is_empty) {
        c.err("password", "a password needs its username");
    }
    c.finish()?;
    Ok(f)
}

/// An `http://` or `https://` address with a host, no user name or password in it, and no
/// query or fragment.
pub fn web_address(text: &str) -> Result<(), String> {
    let t = text.trim();
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .ok_or_else(|| {
            format!(
                "`{}` is not a web address: it starts with https:// (or http://)",
                t.escape_debug()
            )
        })?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() {
        return Err(format!("`{}` names no host after the //", t.escape_debug()));
    }
    if host.contains('@') {
        return Err(format!(
            "`{}` has a user name or password in it: put credentials in the settings file or in \
             {USERNAME_ENV} and {PASSWORD_ENV}, never in the address",
            t.escape_debug()
        ));
    }
    if t.contains(['?', '#']) {
        return Err(format!(
            "`{}` has a `?` or `#` part: give the address without it",
            t.escape_debug()
        ));
    }
    if !crate::records::validate::is_iri(t) {
        return Err(format!(
            "`{}` has spaces or characters an address cannot hold",
            t.escape_debug()
        ));
    }
    Ok(())
}

/// A base IRI for activity ids: a web address, ending with `/` (added if missing).
pub fn base_iri(text: &str) -> Result<String, String> {
    web_address(text)?;
    let t = text.trim();
    Ok(if t.ends_with('/') {
        t.to_string()
    } else {
        format!("{t}/")
    })
}

/// The records folder: `--records-dir`, else `$SAFE_RETURN_RECORDS_DIR`, else the settings
/// file's `records_dir`, else `records` in the user's data folder
/// (`~/.local/share/safe-return/records` on Linux), else `./records`.
pub fn records_dir(explicit: Option<&Path>, settings: &Settings) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os(RECORDS_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(p) = &settings.records_dir {
        return p.clone();
    }
    user_dir(true)
        .map(|d| d.join("records"))
        .unwrap_or_else(|| PathBuf::from("records"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_are_web_addresses_ending_in_a_slash() {
        assert_eq!(
            base_iri("https://lrs.example.org/sr").unwrap(),
            "https://lrs.example.org/sr/"
        );
        assert_eq!(base_iri("http://x.example/").unwrap(), "http://x.example/");
        for bad in [
            "lrs.example.org",
            "https://",
            "https://u:p@x.example/",
            "https://x.example/?a",
            "https://x y/",
        ] {
            assert!(base_iri(bad).is_err(), "{bad}");
        }
    }
}
