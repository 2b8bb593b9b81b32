//! Helpers for the tests that drive the engine directly: a protocol by id, a child, a time, a
//! leaving.
#![allow(dead_code)]

use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};
use safe_return::protocol::{LegalStatus, Placement, Protocol, load_protocol};
use safe_return::sim::engine::{ChildProfile, Happening};

/// `YYYY-MM-DD HH:MM`.
pub fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// A shipped protocol by id (`assets/protocols/ID.ron`).
pub fn protocol(id: &str) -> Protocol {
    load_protocol(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("assets/protocols/{id}.ron")))
        .unwrap_or_else(|d| panic!("{d}"))
        .protocol
}

/// A child born on 1 January of `born`, with this legal status and placement.
pub fn child(name: &str, born: i32, status: Vec<LegalStatus>, placement: Placement) -> ChildProfile {
    ChildProfile {
        name: name.into(),
        date_of_birth: NaiveDate::from_ymd_opt(born, 1, 1).unwrap(),
        legal_status: status,
        placement,
        out_of_borough: false,
        placed_here_by_other_authority: false,
        risk_factors: vec![],
    }
}

/// The child leaves for `to` (whereabouts known from the start, or not).
pub fn leaves_for(to: &str, whereabouts_known: bool) -> Happening {
    Happening::Leaves {
        to: to.into(),
        note: String::new(),
        whereabouts_known,
        last_seen_hours_before: None,
    }
}
