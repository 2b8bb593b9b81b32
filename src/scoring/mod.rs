//! Scores and debriefs: every obligation of the trainee's role with its status, due and done
//! times, citation and feedback. The scoring rule is set out in `docs/scoring.md`.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::scenario::LoadedScenario;
use crate::sim::engine::{Engine, Obligation, Status, fmt_hours};

/// Points taken off for each wrongful action (an action the protocol says not to take).
pub const WRONGFUL_PENALTY: f64 = 10.0;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Score {
    pub earned: f64,
    pub possible: f64,
    pub percent: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ObligationReport {
    pub rule: String,
    pub citation: String,
    pub role: String,
    pub action: String,
    pub fired_at: String,
    pub due_at: Option<String>,
    pub done_at: Option<String>,
    pub status: Status,
    pub points: f64,
    pub feedback: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TimelineEntry {
    pub at: String,
    /// Hours since the scenario started.
    pub hours: f64,
    pub kind: String,
    pub who: String,
    pub text: String,
}

impl TimelineEntry {
    /// `[kind] who: text` (no `who: ` where nobody in particular acted).
    pub fn describe(&self) -> String {
        if self.who.is_empty() {
            format!("[{}] {}", self.kind, self.text)
        } else {
            format!("[{}] {}: {}", self.kind, self.who, self.text)
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub scenario: String,
    pub title: String,
    pub protocol: String,
    pub role: String,
    pub seed: u64,
    pub score: Score,
    /// The trainee's obligations (scored).
    pub obligations: Vec<ObligationReport>,
    /// Everyone else's obligations (not scored; shows what the protocol asked of the others).
    pub others: Vec<ObligationReport>,
    pub timeline: Vec<TimelineEntry>,
    /// The decision points the trainee was asked, in time order: a conditional prompt only where
    /// its condition held at its time (no "the call handler is taking your report" for a parent
    /// who never rang).
    #[serde(default)]
    pub prompts: Vec<PromptReport>,
}

/// A decision point as the trainee met it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PromptReport {
    pub at: String,
    /// Hours since the scenario started.
    pub hours: f64,
    pub text: String,
    /// The rules the decision is about.
    pub rules: Vec<String>,
}

fn ts(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

/// Points a duty earns: full when met, half when late, none when missed, minus the penalty
/// when wrongful; cancelled and not-applicable duties are not counted.
pub fn points(status: Status, weight: f64) -> (f64, f64) {
    match status {
        Status::Met => (weight, weight),
        Status::Late => (weight / 2.0, weight),
        // Early: possible, no points (the act came before the window opened).
        Status::Missed | Status::Open | Status::Early => (0.0, weight),
        Status::Wrongful => (-WRONGFUL_PENALTY, 0.0),
        Status::Cancelled | Status::NotApplicable | Status::Withdrawn => (0.0, 0.0),
    }
}

/// The score as a percentage to one decimal: earned of possible. With nothing possible it is
/// 100 %, unless the trainee did something wrongful: a wrong act never scores 100 % (with
/// nothing else to earn, it scores 0 %).
pub fn percent(earned: f64, possible: f64, wrongful: bool) -> f64 {
    if possible > 0.0 {
        (earned.max(0.0) / possible * 1000.0).round() / 10.0
    } else if wrongful {
        0.0
    } else {
        100.0
    }
}

pub fn report(sc: &LoadedScenario, e: &Engine, seed: u64) -> Report {
    let p = &sc.protocol;
    let role = &sc.scenario.trainee_role;
    let mut earned = 0.0;
    let mut possible = 0.0;
    let mut mine = Vec::new();
    let mut others = Vec::new();
    for o in &e.obligations {
        let weight = p.rule(&o.rule).map(|r| r.weight() as f64).unwrap_or(0.0);
        let (pts, poss) = points(o.status, weight);
        let r = ObligationReport {
            rule: o.rule.clone(),
            citation: citation_for(sc, o),
            role: o.role.clone(),
            action: o.action.clone(),
            fired_at: ts(o.fired_at),
            due_at: o.due_at.map(ts),
            done_at: o.done_at.map(ts),
            status: o.status,
            points: pts,
            feedback: feedback(sc, o),
        };
        if &o.role == role {
            earned += pts;
            possible += poss;
            mine.push(r);
        } else {
            others.push(r);
        }
    }
    let wrongful = mine.iter().any(|o: &ObligationReport| o.status == Status::Wrongful);
    let earned = earned.max(0.0);
    let percent = percent(earned, possible, wrongful);
    let timeline = e
        .log
        .iter()
        .map(|l| TimelineEntry {
            at: ts(l.at),
            hours: ((l.at - sc.start).num_minutes() as f64 / 60.0 * 100.0).round() / 100.0,
            kind: l.kind.clone(),
            who: l.who.clone(),
            text: l.text.clone(),
        })
        .collect();
    let prompts = sc
        .scenario
        .prompts
        .iter()
        .filter(|pr| sc.prompt_shown(pr, e))
        .map(|pr| PromptReport {
            at: ts(sc.at(pr.at_hours)),
            hours: pr.at_hours,
            text: pr.text.clone(),
            rules: pr.rules.clone(),
        })
        .collect();
    Report {
        scenario: sc.id.clone(),
        title: sc.scenario.title.clone(),
        protocol: p.id.clone(),
        role: role.clone(),
        seed,
        score: Score {
            earned,
            possible,
            percent,
        },
        obligations: mine,
        others,
        timeline,
        prompts,
    }
}

fn citation_for(sc: &LoadedScenario, o: &Obligation) -> String {
    if let Some(r) = sc.protocol.rule(&o.rule) {
        return r.citation.to_string();
    }
    if let Some(x) = sc.protocol.prohibitions.iter().find(|x| x.id == o.rule) {
        return x.citation.to_string();
    }
    if o.rule == "classification" {
        return sc
            .protocol
            .classification
            .first()
            .map(|c| c.citation.to_string())
            .unwrap_or_default();
    }
    String::new()
}

/// What a trainee reads about one of their duties: what it was, when it was due, how it ended.
pub fn feedback(sc: &LoadedScenario, o: &Obligation) -> String {
    let p = &sc.protocol;
    let what = p.action(&o.action).map(|a| a.name.clone()).unwrap_or(o.action.clone());
    let Some(rule) = p.rule(&o.rule) else {
        return format!("Wrongful: {what} — {}.", o.reason.trim_end_matches('.'));
    };
    let when = match rule.deadline {
        crate::protocol::Deadline::NoLimit => format!("after: {} (no time limit set)", p.trigger_text(&rule.trigger)),
        // A threshold due as it is reached ("at 48 hours"): by then.
        crate::protocol::Deadline::Minutes(0) => format!("by the time of: {}", p.trigger_text(&rule.trigger)),
        d => format!("{} after: {}", d.phrase(), p.trigger_text(&rule.trigger)),
    };
    // Reasons are sentences of their own: no second full stop.
    let reason = o.reason.trim_end_matches('.');
    match o.status {
        Status::Met if reason.starts_with("done before") => format!("Met: {what}, {when} — {reason}."),
        Status::Met => format!("Met: {what}, {when}."),
        Status::Late => {
            let by = match (o.due_at, o.done_at) {
                (Some(d), Some(x)) => fmt_hours((x - d).num_minutes()),
                _ => String::new(),
            };
            format!("Late by {by}: {what} was due {when}.")
        }
        Status::Missed if !reason.is_empty() => {
            format!("Missed: {what} was required {when}, and was {reason}.")
        }
        Status::Missed => format!("Missed: {what} was required {when}, and was not done."),
        Status::Cancelled => format!("Cancelled: {what} was no longer needed — {reason}."),
        Status::NotApplicable => format!("Not applicable: {what} — {reason}."),
        Status::Wrongful => format!("Wrongful: {reason}."),
        Status::Withdrawn => format!("Withdrawn: {what} — {reason}."),
        Status::Early => format!("Early: {what} is not to be done until its window opens, {when} — {reason}."),
        Status::Open => format!("Open: {what} due {when}."),
    }
}

impl Report {
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{} — {} as {} (seed {})\nScore: {} / {} ({}%)\n\n",
            self.title, self.protocol, self.role, self.seed, self.score.earned, self.score.possible, self.score.percent
        );
        for o in &self.obligations {
            s += &o.to_text();
        }
        s
    }
}

impl ObligationReport {
    /// One duty as the text debrief prints it: status, rule, due and done, points, feedback and
    /// citation.
    pub fn to_text(&self) -> String {
        let o = self;
        format!(
            "[{:<14}] {:<36} due {:<16} done {:<16} {:>5} pts\n    {}\n    cites {}\n",
            o.status.label(),
            o.rule,
            o.due_at.as_deref().unwrap_or("-"),
            o.done_at.as_deref().unwrap_or("-"),
            o.points,
            o.feedback,
            o.citation
        )
    }
}

impl Report {
    /// The debrief as Markdown, for printing or sharing. Every text from the scenario, the
    /// protocol or the trainee is escaped: none of it can add a heading, a table row or HTML.
    pub fn to_markdown(&self) -> String {
        use crate::escape::{markdown_cell as cell, markdown_code as code, markdown_inline, markdown_text};
        let mut s = format!("# Debrief: {}\n\n", markdown_inline(&self.title));
        s += &format!(
            "- Protocol: {}\n- Role: {}\n- Seed: {}\n- **Score: {} / {} ({}%)**\n\n",
            code(&self.protocol),
            code(&self.role),
            self.seed,
            self.score.earned,
            self.score.possible,
            self.score.percent
        );
        s += "## Your obligations\n\n| Status | Rule | Due | Done | Points | Feedback | Citation |\n|---|---|---|---|---|---|---|\n";
        for o in &self.obligations {
            s += &format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                cell(o.status.label()),
                cell(&o.rule),
                cell(o.due_at.as_deref().unwrap_or("—")),
                cell(o.done_at.as_deref().unwrap_or("—")),
                o.points,
                cell(&o.feedback),
                cell(&o.citation)
            );
        }
        if !self.prompts.is_empty() {
            s += "\n## Decision points\n\n";
            for p in &self.prompts {
                let rules: Vec<String> = p.rules.iter().map(|r| code(r)).collect();
                s += &format!("- {} (+{} h) {}", p.at, p.hours, markdown_text(&p.text));
                if !rules.is_empty() {
                    s += &format!(" — {}", rules.join(", "));
                }
                s += "\n";
            }
        }
        s += "\n## Timeline\n\n";
        for t in &self.timeline {
            s += &format!("- {} (+{} h) {}\n", t.at, t.hours, markdown_text(&t.describe()));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrongful_act_never_scores_full_marks() {
        // Nothing else to earn: the wrong act alone scores nothing.
        assert_eq!(percent(0.0, 0.0, true), 0.0);
        // Nothing to earn and nothing wrong: full marks.
        assert_eq!(percent(0.0, 0.0, false), 100.0);
        // Everything met but one wrong act (10 points off 50): 80 %.
        let (pts, _) = points(Status::Wrongful, 10.0);
        assert_eq!(percent(50.0 + pts, 50.0, true), 80.0);
    }
}
