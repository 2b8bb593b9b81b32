//! The case chronology: lines worded only where records are kept, and the words they use.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::Engine;

/// One line of the case chronology.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LogEntry {
    pub at: NaiveDateTime,
    pub child: usize,
    pub kind: String,
    pub who: String,
    pub text: String,
}

impl Engine {
    /// Whether records are kept for this child.
    pub(super) fn keeps(&self, child: usize) -> bool {
        self.keep_records && child < self.record_children
    }

    /// A line of the chronology, worded only where records are kept.
    pub(super) fn note(&mut self, child: usize, kind: &str, who: &str, text: impl FnOnce() -> String) {
        if self.keeps(child) {
            self.log.push(LogEntry {
                at: self.now,
                child,
                kind: kind.into(),
                who: who.into(),
                text: text(),
            });
        }
    }

    /// A place as the records name it (its id where the scenario gives no name).
    pub(super) fn place_words(&self, id: &str) -> String {
        self.place_names.get(id).cloned().unwrap_or_else(|| id.to_string())
    }

    /// Who sent a message, as the records name them: the scenario's cast member in that role,
    /// else the protocol's name for the role, else the name as written.
    pub(super) fn person_words(&self, from: &str) -> String {
        self.people_names
            .get(from)
            .cloned()
            .or_else(|| self.protocol.role(from).map(|r| r.name.clone()))
            .unwrap_or_else(|| from.to_string())
    }

    /// A change in the episode, worded only where records are kept.
    pub(super) fn transition(&mut self, child: usize, what: impl FnOnce() -> String) {
        let now = self.now;
        let keep = self.keeps(child);
        if let Some(e) = self.children[child].episode.as_mut()
            && keep
        {
            e.transitions.push((now, what()));
        }
    }

    /// The child's name for the records (empty where none are kept).
    pub(super) fn name_for_records(&self, child: usize) -> String {
        if self.keeps(child) {
            self.children[child].profile.name.clone()
        } else {
            String::new()
        }
    }
}

pub(super) fn sep(note: &str) -> String {
    if note.is_empty() {
        String::new()
    } else {
        format!(" — {note}")
    }
}

pub fn fmt_hours(minutes: i64) -> String {
    let h = minutes / 60;
    let m = minutes % 60;
    match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The one action every role has whatever the protocol: recording a decision not to act, with
/// its rationale in the note. It meets no duty; it goes into the chronology and the debrief.
pub const NO_ACTION: &str = "record_decision_not_to_act";

/// A filled-in form as one chronology line: every field written, then any required field left
/// empty.
pub fn form_record(form: &crate::protocol::Form, fields: &[(String, String)]) -> String {
    let value = |id: &str| {
        fields
            .iter()
            .find(|(f, _)| f == id)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let written: Vec<String> = form
        .fields
        .iter()
        .filter_map(|f| value(&f.id).map(|v| format!("{}: {v}", f.label)))
        .collect();
    let blank: Vec<&str> = form
        .fields
        .iter()
        .filter(|f| f.required && value(&f.id).is_none())
        .map(|f| f.label.as_str())
        .collect();
    let mut text = format!("{}:", form.name);
    if written.is_empty() {
        text += " nothing written";
    } else {
        text += &format!(" {}", written.join("; "));
    }
    if !blank.is_empty() {
        text += &format!(" — REQUIRED BUT LEFT EMPTY: {}", blank.join("; "));
    }
    text
}
