//! Safe Return: rehearse and stress-test safeguarding protocols for children missing from home
//! or care.
//!
//! Layers: [`protocol`] (cited rules as data) ← `sim` (the kernel: a discrete-event engine in
//! `sim::engine`, the calendar, headless Bevy plugins) ← `scenario`, `scoring`, `caseload` (stress
//! runs and their reports), `live` (live multi-agency exercises), `records` (learning records) ←
//! `ui` (feature `gui`) and [`cli`]. See ARCHITECTURE.md.

pub mod caseload;
pub mod cli;
pub mod diag;
pub mod escape;
pub mod live;
pub mod paths;
pub mod protocol;
pub mod records;
pub mod scenario;
pub mod scoring;
pub mod sim;
#[cfg(feature = "gui")]
pub mod ui;
