//! The cohort view: how a group of trainees did, rule by rule. Read from a folder of JSON
//! debriefs (`safe-return run … --json`), a file of statements (`--xapi`), or an LRS; counted
//! per rule (met, late, missed, wrongful…), per role and per scenario; written as text, CSV or a
//! self-contained HTML page.
//!
//! Counts are of duties: a rule that arose twice in one attempt (a weekly meeting) counts
//! twice. An attempt is one played scenario (one debrief, one registration).

pub mod html;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::statements::{Ids, LANGUAGE};
use crate::scoring::{ObligationReport, Score};
use crate::sim::engine::Status;

/// One played scenario, as the cohort view needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// The debrief's file, or the registration.
    pub source: String,
    pub trainee: Option<String>,
    pub scenario: String,
    pub title: String,
    pub protocol: String,
    pub role: String,
    /// The score in per cent, where the attempt was completed.
    pub percent: Option<f64>,
    pub duties: Vec<Duty>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Duty {
    pub rule: String,
    pub citation: String,
    pub status: Status,
}

/// Duties by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Counts {
    pub met: u64,
    pub late: u64,
    pub missed: u64,
    pub wrongful: u64,
    pub early: u64,
    /// Cancelled, withdrawn or not applicable: not scored.
    pub not_counted: u64,
}

impl Counts {
    pub fn add(&mut self, s: Status) {
        match s {
            Status::Met => self.met += 1,
            Status::Late => self.late += 1,
            Status::Missed | Status::Open => self.missed += 1,
            Status::Wrongful => self.wrongful += 1,
            Status::Early => self.early += 1,
            Status::Cancelled | Status::Withdrawn | Status::NotApplicable => self.not_counted += 1,
        }
    }
    pub fn total(&self) -> u64 {
        self.met + self.late + self.missed + self.wrongful + self.early + self.not_counted
    }
    fn merge(&mut self, o: &Counts) {
        self.met += o.met;
        self.late += o.late;
        self.missed += o.missed;
        self.wrongful += o.wrongful;
        self.early += o.early;
        self.not_counted += o.not_counted;
    }
}

/// One rule across the cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleRow {
    pub protocol: String,
    pub rule: String,
    pub role: String,
    pub citation: String,
    pub counts: Counts,
    /// Attempts in which the rule set a duty.
    pub attempts: usize,
    /// Scenarios it arose in.
    pub scenarios: Vec<String>,
}

/// A role or a scenario across the cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    pub name: String,
    /// For a scenario: its title; for a role: the protocols it was played under.
    pub detail: String,
    pub attempts: usize,
    pub trainees: usize,
    /// Mean score of the completed attempts, in per cent.
    pub mean_percent: Option<f64>,
    pub counts: Counts,
}

/// One rule within one scenario (the CSV's rows).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioRuleRow {
    pub scenario: String,
    pub protocol: String,
    pub role: String,
    pub rule: String,
    pub citation: String,
    pub counts: Counts,
    /// Attempts of the scenario in which the rule set a duty.
    pub attempts: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Where the attempts came from (a folder, a file, an LRS).
    pub source: String,
    pub attempts: usize,
    pub trainees: usize,
    /// Sessions started but neither completed nor with any settled duty (not counted).
    pub unfinished: usize,
    pub rules: Vec<RuleRow>,
    /// The rules whose duties were missed most often (at most five).
    pub most_missed: Vec<RuleRow>,
    pub by_role: Vec<GroupRow>,
    pub by_scenario: Vec<GroupRow>,
    pub scenario_rules: Vec<ScenarioRuleRow>,
}

/// The most-missed list's length.
pub const MOST_MISSED: usize = 5;

fn trainee_key(a: &Attempt) -> String {
    // A debrief with no trainee named is a trainee of its own.
    match &a.trainee {
        Some(t) => format!("t:{t}"),
        None => format!("s:{}", a.source),
    }
}

fn group(name: String, detail: String, members: &[&Attempt]) -> GroupRow {
    let mut counts = Counts::default();
    for a in members {
        for d in &a.duties {
            counts.add(d.status);
        }
    }
    let scores: Vec<f64> = members.iter().filter_map(|a| a.percent).collect();
    let mean = (!scores.is_empty()).then(|| (scores.iter().sum::<f64>() / scores.len() as f64 * 10.0).round() / 10.0);
    GroupRow {
        name,
        detail,
        attempts: members.len(),
        trainees: members.iter().map(|a| trainee_key(a)).collect::<BTreeSet<_>>().len(),
        mean_percent: mean,
        counts,
    }
}

/// Count the attempts.
pub fn summarise(source: &str, attempts: &[Attempt], unfinished: usize) -> Summary {
    let mut rules: BTreeMap<(String, String, String), RuleRow> = BTreeMap::new();
    let mut per_scenario: BTreeMap<(String, String, String, String), ScenarioRuleRow> = BTreeMap::new();
    for a in attempts {
        let mut seen = BTreeSet::new();
        for d in &a.duties {
            let key = (a.protocol.clone(), d.rule.clone(), a.role.clone());
            let row = rules.entry(key.clone()).or_insert_with(|| RuleRow {
                protocol: a.protocol.clone(),
                rule: d.rule.clone(),
                role: a.role.clone(),
                citation: d.citation.clone(),
                counts: Counts::default(),
                attempts: 0,
                scenarios: vec![],
            });
            row.counts.add(d.status);
            if row.citation.is_empty() {
                row.citation = d.citation.clone();
            }
            if !row.scenarios.contains(&a.scenario) {
                row.scenarios.push(a.scenario.clone());
                row.scenarios.sort();
            }
            let sk = (a.scenario.clone(), a.protocol.clone(), d.rule.clone(), a.role.clone());
            let srow = per_scenario.entry(sk).or_insert_with(|| ScenarioRuleRow {
                scenario: a.scenario.clone(),
                protocol: a.protocol.clone(),
                role: a.role.clone(),
                rule: d.rule.clone(),
                citation: d.citation.clone(),
                counts: Counts::default(),
                attempts: 0,
            });
            srow.counts.add(d.status);
            if seen.insert(key) {
                row.attempts += 1;
                srow.attempts += 1;
            }
        }
    }
    let rules: Vec<RuleRow> = rules.into_values().collect();
    let mut most_missed: Vec<RuleRow> = rules.iter().filter(|r| r.counts.missed > 0).cloned().collect();
    most_missed.sort_by(|a, b| {
        b.counts
            .missed
            .cmp(&a.counts.missed)
            .then_with(|| (a.protocol.as_str(), a.rule.as_str()).cmp(&(b.protocol.as_str(), b.rule.as_str())))
    });
    most_missed.truncate(MOST_MISSED);

    let mut roles: BTreeMap<String, Vec<&Attempt>> = BTreeMap::new();
    let mut scenarios: BTreeMap<String, Vec<&Attempt>> = BTreeMap::new();
    for a in attempts {
        roles.entry(a.role.clone()).or_default().push(a);
        scenarios.entry(a.scenario.clone()).or_default().push(a);
    }
    let by_role = roles
        .into_iter()
        .map(|(name, members)| {
            let protocols: BTreeSet<&str> = members.iter().map(|a| a.protocol.as_str()).collect();
            let detail = protocols.into_iter().collect::<Vec<_>>().join(", ");
            group(name, detail, &members)
        })
        .collect();
    let by_scenario = scenarios
        .into_iter()
        .map(|(name, members)| {
            let detail = members
                .iter()
                .map(|a| a.title.as_str())
                .find(|t| !t.is_empty())
                .unwrap_or("")
                .to_string();
            group(name, detail, &members)
        })
        .collect();
    let mut total = Counts::default();
    for r in &rules {
        total.merge(&r.counts);
    }
    Summary {
        source: source.to_string(),
        attempts: attempts.len(),
        trainees: attempts.iter().map(trainee_key).collect::<BTreeSet<_>>().len(),
        unfinished,
        rules,
        most_missed,
        by_role,
        by_scenario,
        scenario_rules: per_scenario.into_values().collect(),
    }
}

/// A debrief as `run --json` writes it (with `trainee` where the trainer named one).
#[derive(Debug, Deserialize)]
struct DebriefFile {
    #[serde(default)]
    trainee: Option<String>,
    scenario: String,
    #[serde(default)]
    title: String,
    protocol: String,
    role: String,
    score: Score,
    obligations: Vec<ObligationReport>,
}

/// A serde_json error as `file:line:col: message`.
fn json_error(path: &Path, what: &str, e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let msg = msg.strip_suffix(&suffix).unwrap_or(&msg);
    format!(
        "{}:{}:{}: {what}: {msg}",
        path.display(),
        e.line().max(1),
        e.column().max(1)
    )
}

/// Every debrief (`*.json`) in a folder, in file-name order. Errors name each bad file.
pub fn from_folder(dir: &Path) -> Result<Vec<Attempt>, Vec<String>> {
    let rd = std::fs::read_dir(dir).map_err(|e| {
        vec![format!(
            "{}:1:1: cannot read the folder: {}",
            dir.display(),
            crate::diag::io_words(&e)
        )]
    })?;
    let mut files: Vec<_> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("json")))
        .collect();
    files.sort();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        match read_debrief(&f) {
            Ok(a) => out.push(a),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn read_debrief(f: &Path) -> Result<Attempt, String> {
    let text = crate::diag::read_source(f, "debrief").map_err(|d| d.to_string())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let d: DebriefFile = serde_json::from_str(text)
        .map_err(|e| json_error(f, "not a debrief written by `safe-return run … --json`", &e))?;
    Ok(Attempt {
        source: f.display().to_string(),
        trainee: d.trainee.filter(|t| !t.is_empty()),
        scenario: d.scenario,
        title: d.title,
        protocol: d.protocol,
        role: d.role,
        percent: Some(d.score.percent),
        duties: d
            .obligations
            .into_iter()
            .map(|o| Duty {
                rule: o.rule,
                citation: o.citation,
                status: o.status,
            })
            .collect(),
    })
}

/// A file of statements, one JSON object a line (as `--xapi` writes them). Errors name the line.
pub fn read_statement_lines(f: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(f)
        .map_err(|e| format!("{}:1:1: cannot read: {}", f.display(), crate::diag::io_words(&e)))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| {
            format!(
                "{}:{}:{}: not a statement: {}",
                f.display(),
                i + 1,
                e.column().max(1),
                {
                    let m = e.to_string();
                    let suffix = format!(" at line {} column {}", e.line(), e.column());
                    m.strip_suffix(&suffix).unwrap_or(&m).to_string()
                }
            )
        })?;
        out.push(v);
    }
    Ok(out)
}

/// Attempts from Safe Return's statements (those carrying its category under this base; others
/// are left out), one per registration. Returns the attempts and the count of unfinished sessions.
pub fn from_statements(statements: &[Value], ids: &Ids) -> (Vec<Attempt>, usize) {
    let tool = ids.tool();
    let ext = |name: &str| ids.ext(name);
    let mut seen = BTreeSet::new();
    let mut sessions: BTreeMap<String, (Attempt, bool)> = BTreeMap::new();
    for s in statements {
        let ours = s["context"]["contextActivities"]["category"]
            .as_array()
            .is_some_and(|c| c.iter().any(|a| a["id"] == tool.as_str()));
        let Some(reg) = s["context"]["registration"].as_str() else {
            continue;
        };
        if !ours {
            continue;
        }
        // An LRS gives each id once; a file written twice may not.
        if let Some(id) = s["id"].as_str()
            && !seen.insert(id.to_string())
        {
            continue;
        }
        let cx = &s["context"]["extensions"];
        let text = |v: &Value| v.as_str().unwrap_or("").to_string();
        let (a, finished) = sessions.entry(reg.to_string()).or_insert_with(|| {
            (
                Attempt {
                    source: reg.to_string(),
                    trainee: s["actor"]["account"]["name"].as_str().map(str::to_string),
                    scenario: text(&cx[ext("scenario")]),
                    title: String::new(),
                    protocol: text(&cx[ext("protocol")]),
                    role: text(&cx[ext("role")]),
                    percent: None,
                    duties: vec![],
                },
                false,
            )
        });
        let scenario_id = ids.scenario(&a.scenario);
        if s["object"]["id"] == scenario_id.as_str()
            && let Some(t) = s["object"]["definition"]["name"][LANGUAGE].as_str()
        {
            a.title = t.to_string();
        }
        let rx = &s["result"]["extensions"];
        if let Some(status) = rx[ext("status")].as_str() {
            if let Ok(st) = serde_json::from_value::<Status>(Value::String(status.to_string())) {
                a.duties.push(Duty {
                    rule: text(&rx[ext("rule")]),
                    citation: text(&rx[ext("citation")]),
                    status: st,
                });
                *finished = true;
            }
        } else if s["verb"]["id"] == super::statements::verbs::COMPLETED && s["object"]["id"] == scenario_id.as_str() {
            a.percent = rx[ext("percent")].as_f64().or_else(|| {
                s["result"]["score"]["scaled"]
                    .as_f64()
                    .map(|x| (x * 1000.0).round() / 10.0)
            });
            *finished = true;
        }
    }
    let unfinished = sessions.values().filter(|(_, f)| !f).count();
    let attempts = sessions.into_values().filter(|(_, f)| *f).map(|(a, _)| a).collect();
    (attempts, unfinished)
}

/// Text from a debrief or an LRS made safe for a terminal: control characters (escape
/// sequences, line breaks) become spaces.
pub fn plain(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}
