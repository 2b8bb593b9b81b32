//! The xAPI 1.0.3 statements a played scenario makes: one when the session starts, one per
//! trainee decision, one per settled duty of the trainee's role, and one on completion with the
//! score. What each says is set out in `docs/learning-records.md`.
//!
//! A session is one registration (a UUID). Each statement's id is a UUID v5 of the registration
//! and the event (`initialized`, `decision/3`, `duty/5/rule_id`, `completed`), so the same
//! statement sent twice is recorded once.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::clock::{iso_duration, timestamp};
use super::config::Settings;
use crate::scenario::{Decision, Decisions, LoadedScenario};
use crate::scoring::{ObligationReport, Report};
use crate::sim::engine::Status;

/// ADL verbs (http://adlnet.gov/expapi/verbs/ and the cmi5 profile's `waived`).
pub mod verbs {
    pub const INITIALIZED: &str = "http://adlnet.gov/expapi/verbs/initialized";
    pub const INTERACTED: &str = "http://adlnet.gov/expapi/verbs/interacted";
    pub const COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
    pub const FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
    pub const WAIVED: &str = "https://w3id.org/xapi/adl/verbs/waived";
}

/// ADL activity types.
pub mod types {
    pub const SIMULATION: &str = "http://adlnet.gov/expapi/activities/simulation";
    pub const INTERACTION: &str = "http://adlnet.gov/expapi/activities/interaction";
    pub const OBJECTIVE: &str = "http://adlnet.gov/expapi/activities/objective";
    pub const PROFILE: &str = "http://adlnet.gov/expapi/activities/profile";
}

/// The language every statement's words are in.
pub const LANGUAGE: &str = "en-GB";
/// The pass mark where neither the trainer nor the scenario sets one, in per cent.
pub const DEFAULT_PASS_MARK: f64 = 80.0;

/// `text` as one path segment of an IRI: letters, digits, `-`, `.`, `_` and `~` kept, every
/// other byte percent-encoded.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out += &format!("%{b:02X}");
        }
    }
    out
}

/// The ids Safe Return makes, all under the partnership's base.
#[derive(Debug, Clone, PartialEq)]
pub struct Ids {
    /// Ends with `/`.
    pub base: String,
}

impl Ids {
    pub fn scenario(&self, id: &str) -> String {
        format!("{}scenarios/{}", self.base, segment(id))
    }
    pub fn protocol(&self, id: &str) -> String {
        format!("{}protocols/{}", self.base, segment(id))
    }
    pub fn rule(&self, protocol: &str, rule: &str) -> String {
        format!("{}/rules/{}", self.protocol(protocol), segment(rule))
    }
    pub fn action(&self, protocol: &str, action: &str) -> String {
        format!("{}/actions/{}", self.protocol(protocol), segment(action))
    }
    /// The category every Safe Return statement carries, so its statements can be told from others.
    pub fn tool(&self) -> String {
        format!("{}safe-return", self.base)
    }
    /// An extension key: `<base>extensions/<name>`.
    pub fn ext(&self, name: &str) -> String {
        format!("{}extensions/{name}", self.base)
    }
}

/// One played scenario: who, under which registration, judged against which pass mark.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub registration: Uuid,
    /// The account name the trainer chose (a pseudonym).
    pub trainee: String,
    pub ids: Ids,
    /// The `homePage` of the trainee's account.
    pub home_page: String,
    /// Per cent needed to pass.
    pub pass_mark: f64,
    /// Put before each event's name in a statement's id: empty for a session of one trainee; in
    /// a live exercise (one registration, several people) the seat, so that ids stay apart.
    pub scope: String,
}

/// The account name used where the trainer names none: `trainee-` and the registration's first
/// eight hex digits.
pub fn default_trainee(registration: Uuid) -> String {
    format!("trainee-{}", &registration.simple().to_string()[..8])
}

/// A trainee's account name: 1 to 64 characters, no control characters.
pub fn check_trainee(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if name.trim().is_empty() || n > 64 {
        return Err(format!("give a name of 1 to 64 characters ({n} given)"));
    }
    if name.chars().any(char::is_control) {
        return Err("a name cannot hold line breaks, tabs or other control characters".into());
    }
    Ok(())
}

fn words(text: &str) -> Value {
    json!({ LANGUAGE: text })
}

fn verb(id: &str) -> Value {
    let name = id.rsplit('/').next().unwrap_or(id);
    json!({ "id": id, "display": words(name) })
}

/// A scenario time as the report writes it: `2024-03-02T19:00`.
fn sim_time(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

impl Session {
    pub fn new(registration: Uuid, trainee: Option<&str>, settings: &Settings, pass_mark: f64) -> Session {
        Session {
            registration,
            trainee: trainee
                .map(str::to_string)
                .unwrap_or_else(|| default_trainee(registration)),
            ids: Ids {
                base: settings.activity_base.clone(),
            },
            home_page: settings.account_home_page.clone(),
            pass_mark,
            scope: String::new(),
        }
    }

    /// The statement id for one event of this session.
    pub fn statement_id(&self, event: &str) -> Uuid {
        Uuid::new_v5(&self.registration, format!("{}{event}", self.scope).as_bytes())
    }

    /// The trainee: an account the trainer named, and nothing else.
    pub fn actor(&self) -> Value {
        json!({
            "objectType": "Agent",
            "account": { "homePage": self.home_page, "name": self.trainee },
        })
    }

    /// The scenario as an activity: in full as a statement's object, by name as a parent.
    fn scenario_activity(&self, sc: &LoadedScenario, full: bool) -> Value {
        let mut def = Map::new();
        def.insert("name".into(), words(&sc.scenario.title));
        if full {
            def.insert("description".into(), words(&sc.scenario.summary));
        }
        def.insert("type".into(), json!(types::SIMULATION));
        json!({
            "objectType": "Activity",
            "id": self.ids.scenario(&sc.id),
            "definition": def,
        })
    }

    fn protocol_activity(&self, sc: &LoadedScenario) -> Value {
        let p = &sc.protocol;
        json!({
            "objectType": "Activity",
            "id": self.ids.protocol(&p.id),
            "definition": {
                "name": words(&p.title),
                "description": words(&format!("{}, version {} (effective {})", p.authority, p.version, p.effective)),
            },
        })
    }

    /// The context every statement shares: the registration, the scenario as parent (for
    /// statements about its parts), the protocol as grouping, Safe Return as category, and the
    /// simulated time.
    fn context(&self, sc: &LoadedScenario, with_parent: bool, at: chrono::NaiveDateTime) -> Value {
        let mut activities = Map::new();
        if with_parent {
            activities.insert("parent".into(), json!([self.scenario_activity(sc, false)]));
        }
        activities.insert("grouping".into(), json!([self.protocol_activity(sc)]));
        activities.insert(
            "category".into(),
            json!([{
                "objectType": "Activity",
                "id": self.ids.tool(),
                "definition": { "name": words("Safe Return"), "type": types::PROFILE },
            }]),
        );
        let hours = ((at - sc.start).num_minutes() as f64 / 60.0 * 100.0).round() / 100.0;
        let mut ext = Map::new();
        ext.insert(self.ids.ext("simulated-time"), json!(sim_time(at)));
        ext.insert(self.ids.ext("simulated-hours"), json!(hours));
        ext.insert(self.ids.ext("scenario"), json!(sc.id));
        ext.insert(self.ids.ext("protocol"), json!(sc.protocol.id));
        ext.insert(self.ids.ext("role"), json!(sc.scenario.trainee_role));
        json!({
            "registration": self.registration.to_string(),
            "contextActivities": activities,
            "platform": "Safe Return",
            "language": LANGUAGE,
            "extensions": ext,
        })
    }

    fn statement(
        &self,
        event: &str,
        verb_id: &str,
        object: Value,
        result: Option<Value>,
        context: Value,
        at: DateTime<Utc>,
    ) -> Value {
        let mut s = Map::new();
        s.insert("id".into(), json!(self.statement_id(event).to_string()));
        s.insert("actor".into(), self.actor());
        s.insert("verb".into(), verb(verb_id));
        s.insert("object".into(), object);
        if let Some(r) = result {
            s.insert("result".into(), r);
        }
        s.insert("context".into(), context);
        s.insert("timestamp".into(), json!(timestamp(at)));
        Value::Object(s)
    }

    /// The session starts: `initialized` the scenario.
    pub fn started(&self, sc: &LoadedScenario, seed: u64, at: DateTime<Utc>) -> Value {
        let mut cx = self.context(sc, false, sc.start);
        cx["extensions"][self.ids.ext("seed")] = json!(seed);
        cx["extensions"][self.ids.ext("pass-mark")] = json!(self.pass_mark);
        self.statement(
            "initialized",
            verbs::INITIALIZED,
            self.scenario_activity(sc, true),
            None,
            cx,
            at,
        )
    }

    /// The trainee's `index`-th decision: `interacted` with the protocol's action, the form's
    /// fields and the rationale (the note) in the result.
    pub fn decision(&self, sc: &LoadedScenario, index: usize, d: &Decision, at: DateTime<Utc>) -> Value {
        let p = &sc.protocol;
        let name = p
            .action(&d.action)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| d.action.clone());
        let object = json!({
            "objectType": "Activity",
            "id": self.ids.action(&p.id, &d.action),
            "definition": { "name": words(&name), "type": types::INTERACTION },
        });
        let mut result = Map::new();
        if let Some(note) = d.note.as_deref().filter(|n| !n.trim().is_empty()) {
            result.insert("response".into(), json!(note));
        }
        let mut ext = Map::new();
        ext.insert(self.ids.ext("action"), json!(d.action));
        if !d.fields.is_empty() {
            let fields: Map<String, Value> = d.fields.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            ext.insert(self.ids.ext("fields"), Value::Object(fields));
        }
        if let Some(c) = &d.category {
            ext.insert(self.ids.ext("category"), json!(c));
        }
        if let Some(g) = d.grade {
            ext.insert(self.ids.ext("grade"), serde_json::to_value(g).unwrap_or(Value::Null));
        }
        if !d.answers.is_empty() {
            let answers: Map<String, Value> = d.answers.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            ext.insert(self.ids.ext("answers"), Value::Object(answers));
        }
        result.insert("extensions".into(), Value::Object(ext));
        let cx = self.context(sc, true, sc.at(d.at_hours));
        self.statement(
            &format!("decision/{index}"),
            verbs::INTERACTED,
            object,
            Some(Value::Object(result)),
            cx,
            at,
        )
    }

    /// The `index`-th duty of the trainee's role, settled: `completed` (met, late, early),
    /// `failed` (missed, wrongful) or `waived` (cancelled, withdrawn, not applicable), with the
    /// status, the rule's id and citation, and the feedback.
    pub fn duty(&self, sc: &LoadedScenario, index: usize, o: &ObligationReport, at: DateTime<Utc>) -> Value {
        let (verb_id, success, completion) = match o.status {
            Status::Met => (verbs::COMPLETED, Some(true), Some(true)),
            Status::Late | Status::Early => (verbs::COMPLETED, Some(false), Some(true)),
            Status::Missed | Status::Open => (verbs::FAILED, Some(false), Some(false)),
            Status::Wrongful => (verbs::FAILED, Some(false), None),
            Status::Cancelled | Status::Withdrawn | Status::NotApplicable => (verbs::WAIVED, None, None),
        };
        let p = &sc.protocol;
        let action = p
            .action(&o.action)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| o.action.clone());
        let mut def = Map::new();
        def.insert("name".into(), words(&format!("{} ({action})", o.rule)));
        if !o.citation.is_empty() {
            def.insert("description".into(), words(&o.citation));
        }
        def.insert("type".into(), json!(types::OBJECTIVE));
        let object = json!({
            "objectType": "Activity",
            "id": self.ids.rule(&p.id, &o.rule),
            "definition": def,
        });
        let mut result = Map::new();
        if let Some(s) = success {
            result.insert("success".into(), json!(s));
        }
        if let Some(c) = completion {
            result.insert("completion".into(), json!(c));
        }
        result.insert("response".into(), json!(o.feedback));
        let mut ext = Map::new();
        ext.insert(
            self.ids.ext("status"),
            serde_json::to_value(o.status).unwrap_or(Value::Null),
        );
        ext.insert(self.ids.ext("rule"), json!(o.rule));
        ext.insert(self.ids.ext("citation"), json!(o.citation));
        ext.insert(self.ids.ext("action"), json!(o.action));
        ext.insert(self.ids.ext("points"), json!(o.points));
        ext.insert(self.ids.ext("arose-at"), json!(o.fired_at));
        if let Some(d) = &o.due_at {
            ext.insert(self.ids.ext("due-at"), json!(d));
        }
        if let Some(d) = &o.done_at {
            ext.insert(self.ids.ext("done-at"), json!(d));
        }
        result.insert("extensions".into(), Value::Object(ext));
        let arose = crate::scenario::parse_time(&o.fired_at).unwrap_or(sc.start);
        let cx = self.context(sc, true, arose);
        self.statement(
            &format!("duty/{index}/{}", o.rule),
            verb_id,
            object,
            Some(Value::Object(result)),
            cx,
            at,
        )
    }

    /// The session ends: `completed` the scenario, with the score, success against the pass
    /// mark, and the real time it took.
    pub fn completed(&self, sc: &LoadedScenario, report: &Report, started: DateTime<Utc>, at: DateTime<Utc>) -> Value {
        let s = &report.score;
        let mut score = Map::new();
        // The percentage has one decimal: scaled to four, with no binary noise (0.829, not 0.8290000000000001).
        score.insert("scaled".into(), json!((s.percent * 10.0).round() / 1000.0));
        score.insert("raw".into(), json!(s.earned));
        if s.possible > 0.0 {
            score.insert("min".into(), json!(0.0));
            score.insert("max".into(), json!(s.possible));
        }
        let mut ext = Map::new();
        ext.insert(self.ids.ext("percent"), json!(s.percent));
        ext.insert(self.ids.ext("pass-mark"), json!(self.pass_mark));
        let result = json!({
            "score": score,
            "success": s.percent >= self.pass_mark,
            "completion": true,
            "duration": iso_duration(at - started),
            "extensions": ext,
        });
        let mut cx = self.context(sc, false, sc.end());
        cx["extensions"][self.ids.ext("seed")] = json!(report.seed);
        self.statement(
            "completed",
            verbs::COMPLETED,
            self.scenario_activity(sc, true),
            Some(result),
            cx,
            at,
        )
    }

    /// Every statement of a headless run, in order: started, each decision, each duty, completed.
    /// Decisions are stamped with the start, duties and completion with the end.
    pub fn for_run(
        &self,
        sc: &LoadedScenario,
        decisions: &Decisions,
        report: &Report,
        started: DateTime<Utc>,
        finished: DateTime<Utc>,
    ) -> Vec<Value> {
        let mut out = vec![self.started(sc, report.seed, started)];
        for (i, d) in decisions.actions.iter().enumerate() {
            out.push(self.decision(sc, i, d, started));
        }
        for (i, o) in report.obligations.iter().enumerate() {
            out.push(self.duty(sc, i, o, finished));
        }
        out.push(self.completed(sc, report, started, finished));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_one_segment() {
        assert_eq!(segment("havering-2023-10"), "havering-2023-10");
        assert_eq!(segment("a/b c?é"), "a%2Fb%20c%3F%C3%A9");
    }
}
