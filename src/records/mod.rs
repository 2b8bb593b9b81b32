//! Learning records: every played scenario as xAPI 1.0.3 statements (a session starting, each
//! decision, each settled duty, the completion with its score), queued on disk and sent to the
//! partnership's Learning Record Store, or written as JSON lines; and the cohort view read back
//! from debriefs or the LRS. See `docs/learning-records.md`.

pub mod clock;
pub mod cohort;
pub mod config;
pub mod lrs;
pub mod queue;
pub mod statements;
pub mod validate;
