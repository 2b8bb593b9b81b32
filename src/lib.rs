//! Safe Return: rehearse and stress-test safeguarding protocols for children missing from home
//! or care.
//!
//! Layers: [`protocol`] (cited rules as data) ← `sim` (headless Bevy ECS) ← `scenario`,
//! `scoring`, `caseload` ← `ui` (feature `gui`) and [`cli`].

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
