//! Live multi-agency exercises: one or more tables, each a scenario several people play from a
//! browser, each person one agency, while a facilitator runs the clock (`safe-return host`).
//!
//! `table` holds an exercise's state and rules (no I/O), `view` what each page shows, `server`
//! the web server (axum, WebSockets) and the pages shipped in `web/live/`, `play` a table played
//! headlessly from each role's decision script (`run --play`).

pub mod debrief;
pub mod play;
pub mod records;
pub mod server;
pub mod table;
pub mod view;

use std::path::{Path, PathBuf};

use rand::Rng;

use crate::scenario::LoadedScenario;
pub use play::{PlayError, Played, play_scripts};
pub use table::{Act, Journal, Table};

/// Letters and digits nobody confuses when read off a projector (no 0/O, 1/I/L).
const CODE_CHARS: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A random code of `n` characters from `CODE_CHARS`.
pub fn code(rng: &mut impl Rng, n: usize) -> String {
    (0..n)
        .map(|_| CODE_CHARS[rng.random_range(0..CODE_CHARS.len())] as char)
        .collect()
}

/// Every table of one host, under one facilitator.
pub struct Host {
    pub tables: Vec<Table>,
    /// The facilitator's secret (in the facilitator page's address).
    pub facilitator_token: String,
    /// Where each table's journal is written after every change (none: not kept).
    pub journal_dir: Option<PathBuf>,
}

impl Host {
    /// One table per scenario, `per` times each, each with its own code.
    pub fn new(scenarios: &[LoadedScenario], per: usize, seed: u64, rng: &mut impl Rng) -> Self {
        let mut tables: Vec<Table> = Vec::new();
        for sc in scenarios {
            for _ in 0..per.max(1) {
                let mut c = code(rng, 4);
                while tables.iter().any(|t| t.code == c) {
                    c = code(rng, 4);
                }
                tables.push(Table::new(c, sc.clone(), seed));
            }
        }
        Host {
            tables,
            facilitator_token: code(rng, 12),
            journal_dir: None,
        }
    }

    pub fn table(&self, code: &str) -> Option<&Table> {
        let code = code.trim().to_uppercase();
        self.tables.iter().find(|t| t.code == code)
    }

    pub fn table_mut(&mut self, code: &str) -> Option<&mut Table> {
        let code = code.trim().to_uppercase();
        self.tables.iter_mut().find(|t| t.code == code)
    }

    /// The journal file of table `code`.
    pub fn journal_path(dir: &Path, code: &str) -> PathBuf {
        dir.join(format!("table-{code}.json"))
    }

    /// Write a table's journal (whole file, written beside and renamed, so a crash mid-write
    /// leaves the last one whole).
    pub fn save(&self, code: &str) -> std::io::Result<()> {
        let (Some(dir), Some(t)) = (&self.journal_dir, self.table(code)) else {
            return Ok(());
        };
        std::fs::create_dir_all(dir)?;
        let path = Self::journal_path(dir, &t.code);
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(&t.journal()).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)
    }
}
