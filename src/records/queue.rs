//! The records folder: statements wait here, on disk, until the LRS has them. Each played
//! scenario's statements are one file in `queue/` (written whole, then renamed into place, so a
//! crash leaves either the whole batch or none); a file is removed only once the LRS has
//! answered that it holds every statement in it. `log.json` keeps the last error and the last
//! successful send for `records status`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::clock::timestamp;
use crate::diag::io_words;

/// One batch of statements waiting to be sent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Batch {
    /// The LRS they are for (its xAPI endpoint).
    pub endpoint: String,
    /// When they were queued (real time).
    pub queued_at: String,
    pub statements: Vec<Value>,
}

/// What `records status` reports besides the queue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Log {
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    pub last_sent_at: Option<String>,
    /// Statements sent from this folder, all told.
    #[serde(default)]
    pub sent: u64,
}

/// The queue's state, for `records status`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QueueStatus {
    pub folder: String,
    pub batches: usize,
    pub statements: usize,
    /// When the oldest waiting batch was queued.
    pub oldest: Option<String>,
    /// The LRSs they wait for.
    pub endpoints: Vec<String>,
    /// Files in the queue that cannot be read (left alone, never deleted).
    pub unreadable: Vec<String>,
    #[serde(flatten)]
    pub log: Log,
}

pub struct Queue {
    dir: PathBuf,
}

impl Queue {
    pub fn new(dir: &Path) -> Queue {
        Queue { dir: dir.to_path_buf() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn queue_dir(&self) -> PathBuf {
        self.dir.join("queue")
    }

    /// Put a batch on disk; returns its file.
    pub fn push(&self, endpoint: &str, statements: Vec<Value>, now: DateTime<Utc>) -> Result<PathBuf, String> {
        let q = self.queue_dir();
        std::fs::create_dir_all(&q)
            .map_err(|e| format!("{}: cannot make the records folder: {}", q.display(), io_words(&e)))?;
        let first = statements
            .first()
            .and_then(|s| s["id"].as_str())
            .map(crate::paths::file_name_part)
            .unwrap_or_else(|| "empty".into());
        let name = format!("{}-{first}.json", now.format("%Y%m%dT%H%M%S%.3fZ"));
        let batch = Batch {
            endpoint: endpoint.to_string(),
            queued_at: timestamp(now),
            statements,
        };
        let text = serde_json::to_string_pretty(&batch).expect("serialisable");
        let path = q.join(&name);
        let tmp = q.join(format!(".{name}.part"));
        std::fs::write(&tmp, text)
            .and_then(|_| std::fs::rename(&tmp, &path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                format!("{}: cannot queue the statements: {}", path.display(), io_words(&e))
            })?;
        Ok(path)
    }

    /// The waiting batches, oldest first, and the files that could not be read (with why, as
    /// `file:line:col: message`).
    pub fn pending(&self) -> (Vec<(PathBuf, Batch)>, Vec<String>) {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.queue_dir())
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| {
                        p.extension().is_some_and(|x| x == "json")
                            && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        for f in files {
            match std::fs::read_to_string(&f) {
                Ok(text) => match serde_json::from_str::<Batch>(&text) {
                    Ok(b) => ok.push((f, b)),
                    Err(e) => bad.push(format!(
                        "{}:{}:{}: not a batch of queued statements: {e}",
                        f.display(),
                        e.line(),
                        e.column()
                    )),
                },
                Err(e) => bad.push(format!("{}:1:1: cannot read: {}", f.display(), io_words(&e))),
            }
        }
        (ok, bad)
    }

    /// A batch is recorded: remove its file (already gone is fine).
    pub fn done(&self, file: &Path) -> Result<(), String> {
        match std::fs::remove_file(file) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!(
                "{}: sent, but cannot remove it from the queue: {}",
                file.display(),
                io_words(&e)
            )),
        }
    }

    /// Write a batch back with fewer statements (those the LRS has are dropped).
    pub fn replace(&self, file: &Path, batch: &Batch) -> Result<(), String> {
        let tmp = file.with_extension("json.part");
        std::fs::write(&tmp, serde_json::to_string_pretty(batch).expect("serialisable"))
            .and_then(|_| std::fs::rename(&tmp, file))
            .map_err(|e| format!("{}: cannot update the queue: {}", file.display(), io_words(&e)))
    }

    pub fn log(&self) -> Log {
        std::fs::read_to_string(self.dir.join("log.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    fn write_log(&self, log: &Log) {
        // The log is a convenience: failing to write it loses no statement.
        let _ = std::fs::create_dir_all(&self.dir);
        let _ = std::fs::write(
            self.dir.join("log.json"),
            serde_json::to_string_pretty(log).expect("serialisable"),
        );
    }

    pub fn note_error(&self, message: &str, now: DateTime<Utc>) {
        let mut log = self.log();
        log.last_error = Some(message.to_string());
        log.last_error_at = Some(timestamp(now));
        self.write_log(&log);
    }

    /// Everything has gone: an earlier error no longer stands.
    pub fn clear_error(&self) {
        let mut log = self.log();
        if log.last_error.is_some() {
            log.last_error = None;
            log.last_error_at = None;
            self.write_log(&log);
        }
    }

    pub fn note_sent(&self, count: usize, now: DateTime<Utc>) {
        let mut log = self.log();
        log.sent += count as u64;
        log.last_sent_at = Some(timestamp(now));
        self.write_log(&log);
    }

    pub fn status(&self) -> QueueStatus {
        let (batches, unreadable) = self.pending();
        let mut endpoints: Vec<String> = batches.iter().map(|(_, b)| b.endpoint.clone()).collect();
        endpoints.sort();
        endpoints.dedup();
        QueueStatus {
            folder: self.dir.display().to_string(),
            batches: batches.len(),
            statements: batches.iter().map(|(_, b)| b.statements.len()).sum(),
            oldest: batches.iter().map(|(_, b)| b.queued_at.clone()).min(),
            endpoints,
            unreadable,
            log: self.log(),
        }
    }
}
