//! A live table's learning records (xAPI): one registration for the table, each seat an actor
//! (its display name as the account name, as participants choose it), the facilitator as the
//! instructor and the other participants as the team; the statements of each seat are those of a
//! single trainee's session (started, each of its decisions, each duty of its agency, completed).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::table::Table;
use crate::records::config::Settings;
use crate::records::statements::Session;
use crate::scenario::Decisions;

/// Per cent a participant needs to pass where neither the host nor the scenario says.
pub const DEFAULT_PASS_MARK: f64 = 80.0;

/// Every statement of an ended table, seat by seat.
pub fn statements(
    t: &Table,
    settings: &Settings,
    pass_mark: Option<f64>,
    started: DateTime<Utc>,
    finished: DateTime<Utc>,
) -> Vec<Value> {
    let debrief = t.debrief();
    let pass_mark = pass_mark.or(t.scenario.scenario.pass_mark).unwrap_or(DEFAULT_PASS_MARK);
    let agent = |name: &str| {
        json!({
            "objectType": "Agent",
            "account": { "homePage": settings.account_home_page, "name": name },
        })
    };
    let instructor = json!({
        "objectType": "Agent",
        "account": { "homePage": settings.account_home_page, "name": format!("facilitator-{}", t.code) },
    });
    let mut out = Vec::new();
    for (i, seat) in t.seats.iter().enumerate() {
        let Some(report) = debrief.iter().find(|r| r.role == seat.role) else {
            continue;
        };
        let mut sc = t.scenario.clone();
        sc.scenario.trainee_role = seat.role.clone();
        let decisions = Decisions {
            actions: t
                .decisions
                .iter()
                .filter(|d| d.by == seat.name && d.role == seat.role)
                .map(|d| d.decision.clone())
                .collect(),
        };
        let mut session = Session::new(t.registration, Some(&seat.name), settings, pass_mark);
        session.scope = format!("seat-{i}/");
        let team: Vec<Value> = t
            .seats
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, s)| agent(&s.name))
            .collect();
        for mut s in session.for_run(&sc, &decisions, report, started, finished) {
            s["context"]["instructor"] = instructor.clone();
            if !team.is_empty() {
                s["context"]["team"] = json!({
                    "objectType": "Group",
                    "name": format!("Table {}", t.code),
                    "member": team,
                });
            }
            out.push(s);
        }
    }
    out
}

/// Where a host's learning records go, checked before anything is served.
pub struct LiveRecords {
    pub settings: Settings,
    pub clock: crate::records::clock::Clock,
    /// The LRS's statements endpoint, if sending.
    pub endpoint: Option<String>,
    /// A JSON-lines file to write every ended table's statements to.
    pub xapi: Option<std::path::PathBuf>,
    pub queue_dir: std::path::PathBuf,
    pub pass_mark: Option<f64>,
}

impl LiveRecords {
    /// An ended table's statements, checked against xAPI's rules (an error for the console if
    /// one breaks them: nothing is recorded then).
    pub fn make(&self, t: &Table) -> Result<Vec<Value>, String> {
        let finished = self.clock.now();
        let started = t.started_at.unwrap_or(finished);
        let all = statements(t, &self.settings, self.pass_mark, started, finished);
        match all
            .iter()
            .map(crate::records::validate::statement)
            .find(|p| !p.is_empty())
        {
            Some(bad) => Err(format!(
                "Learning records of table {}: a statement Safe Return made breaks xAPI's rules (nothing was recorded; please report this): {}",
                t.code,
                bad.join("; ")
            )),
            None => Ok(all),
        }
    }

    /// Write the statements to the file, queue them on disk and send them (blocking: the host
    /// calls it off the clock's thread). A message for the console.
    pub fn deliver(&self, code: &str, all: Vec<Value>) -> String {
        use crate::records::{lrs, queue::Queue};
        let finished = self.clock.now();
        let mut said = Vec::new();
        if let Some(x) = &self.xapi {
            let mut text = String::new();
            for s in &all {
                text += &serde_json::to_string(s).expect("serialisable");
                text.push('\n');
            }
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(x)
                .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
            said.push(match written {
                Ok(()) => format!("{} statements written to {}", all.len(), x.display()),
                Err(e) => format!("cannot write {}: {}", x.display(), crate::diag::io_words(&e)),
            });
        }
        if let Some(endpoint) = &self.endpoint {
            let queue = Queue::new(&self.queue_dir);
            match queue.push(endpoint, all, finished) {
                Err(e) => said.push(e),
                Ok(_) => {
                    let sent = lrs::send_queue(&queue, None, Some(endpoint), &self.settings, &self.clock);
                    said.push(if sent.errors.is_empty() {
                        format!("{} statements sent to {endpoint}", sent.sent)
                    } else {
                        format!(
                            "not all sent ({}); {} statements wait in {} (`safe-return records send`)",
                            sent.errors.join("; "),
                            sent.kept,
                            queue.dir().display()
                        )
                    });
                }
            }
        }
        format!("Learning records of table {code}: {}.", said.join("; "))
    }
}
