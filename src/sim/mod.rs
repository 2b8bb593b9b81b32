//! The simulation: a deterministic discrete-event engine and the Bevy plugins that drive it.

pub mod calendar;
pub mod engine;
pub mod plugins;

pub use engine::{Engine, Phase, Status};
