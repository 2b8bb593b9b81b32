//! Who knows what, when: how the agencies of a protocol learn that a child is missing.
//!
//! A role acting by the book acts on a missing child only once it has been told (the carer's
//! report reaches the police call handler, the police notification reaches MASH, MASH's reaches
//! the social worker). A protocol says so in its `knowledge` section:
//!
//! - `at_once`: the people the child was with, who find the child gone (a parent, the home's staff);
//! - `on_report`: who a report to the police reaches (an action with the effect `ReportsMissing`);
//! - every action with the effect `Notifies(role)` tells that role;
//! - `tells`: acts that pass the news on without being a formal notification (a transfer of the
//!   police report to the missing persons unit);
//! - `together`: roles that share one record or one chain of command (the police's missing
//!   person record): when one of them learns, all of them do;
//! - `assumed_told`: roles the document never says how they learn — assumed told when a duty of
//!   theirs arises (the note says so, and `protocol show` lists them);
//! - whoever acts for the child, or hears the child's disclosure, knows.
//!
//! Once a role knows of an episode it follows it to its end (its return, its classification, its
//! disclosures): the protocols tell who is told a child is missing, and rarely who is told each
//! later fact. A protocol without a `knowledge` section lets every role act the moment a duty
//! arises (as if everyone were told at once).

use std::collections::{BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use super::model::{Citation, Effect, Protocol};
use crate::diag::Collector;

/// How the agencies learn of a missing child (see the module's documentation).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Knowledge {
    /// The people the child was with, who find the child gone.
    pub at_once: Vec<String>,
    /// Who a report to the police reaches (an action with the effect `ReportsMissing`).
    pub on_report: Vec<String>,
    /// Roles that share one record or one chain of command: when one learns, all do.
    #[serde(default)]
    pub together: Vec<SharedRecord>,
    /// Acts that pass the news on to roles without being a formal notification.
    #[serde(default)]
    pub tells: Vec<Tell>,
    /// Roles the document never says how they learn: assumed told when a duty of theirs arises.
    #[serde(default)]
    pub assumed_told: Vec<String>,
    /// How the encoder read the document: what it says and what was assumed.
    pub note: String,
}

/// Roles that share one record (see `Knowledge::together`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SharedRecord {
    pub roles: Vec<String>,
    pub note: String,
    #[serde(default)]
    pub citation: Option<Citation>,
}

/// An act that passes the news on (see `Knowledge::tells`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Tell {
    pub action: String,
    pub to: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub citation: Option<Citation>,
}

/// How a role comes to know of a missing child, in words a protocol's owner reads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Learns {
    AtOnce,
    FromReport,
    /// Told by doing one of these actions (their ids).
    By(Vec<String>),
    /// Shares a record with these roles (their ids).
    With(Vec<String>),
    Assumed,
    /// Nothing tells it.
    Never,
}

impl Knowledge {
    /// The roles that learn with `role` (its shared records, closed: a role in two records joins
    /// them), `role` included, in the protocol's order of roles.
    pub fn group_of<'a>(&'a self, role: &'a str) -> Vec<&'a str> {
        let mut group: Vec<&str> = vec![role];
        let mut grew = true;
        while grew {
            grew = false;
            for rec in &self.together {
                if rec.roles.iter().any(|r| group.contains(&r.as_str())) {
                    for r in &rec.roles {
                        if !group.contains(&r.as_str()) {
                            group.push(r);
                            grew = true;
                        }
                    }
                }
            }
        }
        group
    }

    /// The actions that tell `role` of the child (its own `Notifies` and `tells`), by id.
    pub fn told_by(&self, p: &Protocol, role: &str) -> Vec<String> {
        let mut out: BTreeSet<String> = BTreeSet::new();
        for a in &p.actions {
            if a.effects.iter().any(|e| matches!(e, Effect::Notifies(r) if r == role)) {
                out.insert(a.id.clone());
            }
        }
        for t in &self.tells {
            if t.to.iter().any(|r| r == role) {
                out.insert(t.action.clone());
            }
        }
        out.into_iter().collect()
    }

    /// The roles an act by `actor` doing `action` tells (besides `actor`, who knows by acting).
    pub fn told_by_act<'a>(&'a self, p: &'a Protocol, action: &str) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        if let Some(a) = p.actions.iter().find(|a| a.id == action) {
            for e in &a.effects {
                match e {
                    Effect::Notifies(r) => out.push(r),
                    Effect::ReportsMissing => out.extend(self.on_report.iter().map(String::as_str)),
                    _ => {}
                }
            }
        }
        for t in self.tells.iter().filter(|t| t.action == action) {
            out.extend(t.to.iter().map(String::as_str));
        }
        out
    }

    /// How `role` first learns of a missing child.
    pub fn learns(&self, p: &Protocol, role: &str) -> Learns {
        let direct = |r: &str| -> Option<Learns> {
            if self.at_once.iter().any(|x| x == r) {
                return Some(Learns::AtOnce);
            }
            if self.on_report.iter().any(|x| x == r) {
                return Some(Learns::FromReport);
            }
            let by = self.told_by(p, r);
            if !by.is_empty() {
                return Some(Learns::By(by));
            }
            None
        };
        if let Some(l) = direct(role) {
            return l;
        }
        let group = self.group_of(role);
        let others: Vec<String> = group
            .iter()
            .filter(|r| **r != role && direct(r).is_some())
            .map(|r| r.to_string())
            .collect();
        if !others.is_empty() {
            return Learns::With(others);
        }
        if self.assumed_told.iter().any(|x| x == role) {
            return Learns::Assumed;
        }
        Learns::Never
    }

    /// Check role and action names, and that every role with a duty can learn of a child.
    pub fn check(&self, p: &Protocol, c: &mut Collector) {
        let roles: HashSet<&str> = p.roles.iter().map(|r| r.id.as_str()).collect();
        let actions: HashSet<&str> = p.actions.iter().map(|a| a.id.as_str()).collect();
        let mut known_roles: Vec<&str> = roles.iter().copied().collect();
        known_roles.sort_unstable();
        let role_ref = |c: &mut Collector, at: String, r: &str| {
            if !roles.contains(r) {
                c.err(
                    &at,
                    format!("unknown role `{r}` (declared roles: {})", known_roles.join(", ")),
                );
            }
        };
        for (i, r) in self.at_once.iter().enumerate() {
            role_ref(c, format!("knowledge.at_once[{i}]"), r);
        }
        for (i, r) in self.on_report.iter().enumerate() {
            role_ref(c, format!("knowledge.on_report[{i}]"), r);
        }
        for (i, rec) in self.together.iter().enumerate() {
            if rec.roles.len() < 2 {
                c.err(
                    &format!("knowledge.together[{i}].roles"),
                    "a shared record joins two roles or more",
                );
            }
            for (j, r) in rec.roles.iter().enumerate() {
                role_ref(c, format!("knowledge.together[{i}].roles[{j}]"), r);
            }
        }
        for (i, t) in self.tells.iter().enumerate() {
            if !actions.contains(t.action.as_str()) {
                c.err(
                    &format!("knowledge.tells[{i}].action"),
                    format!("unknown action `{}` (declare it under `actions`)", t.action),
                );
            }
            if t.to.is_empty() {
                c.err(&format!("knowledge.tells[{i}].to"), "name the roles the act tells");
            }
            for (j, r) in t.to.iter().enumerate() {
                role_ref(c, format!("knowledge.tells[{i}].to[{j}]"), r);
            }
        }
        for (i, r) in self.assumed_told.iter().enumerate() {
            role_ref(c, format!("knowledge.assumed_told[{i}]"), r);
        }
        if self.at_once.is_empty() {
            c.err(
                "knowledge.at_once",
                "name who finds the child gone (the parent, the placement's staff): otherwise nobody ever knows",
            );
        }
        let mut unreached: Vec<&str> = Vec::new();
        for role in &p.roles {
            let has_duty = p.rules.iter().any(|r| r.role == role.id);
            if has_duty
                && roles.contains(role.id.as_str())
                && self.learns(p, &role.id) == Learns::Never
                && !unreached.contains(&role.id.as_str())
            {
                unreached.push(&role.id);
            }
        }
        if !unreached.is_empty() {
            c.err(
                "knowledge",
                {
                    let one = unreached.len() == 1;
                    let (it, them, shares) = if one { ("it", "it", "it shares") } else { ("they", "them", "they share") };
                    format!(
                        "nothing tells {} of a missing child, so {it} would never act by the book: name the act that tells {them} (`tells`) or a record {shares} with a role that is told (`together`), or list {them} under `assumed_told` and say why in the note",
                        unreached.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", "),
                    )
                },
            );
        }
    }
}
