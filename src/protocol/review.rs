//! A review pack for the protocol's owner: every rule in the order an episode meets it, in the
//! protocol's own words for roles and acts, each beside the document's quote, the encoder's notes
//! and assumptions, the lint's findings, and a box to sign it off.
//!
//! This module turns the model into a view (`Review`); `html` and `markdown` write it. The view
//! holds plain text only: each writer escapes it for its own format.

use super::lint::{LintReport, Severity};
use super::model::*;
use super::show::{describe, risk_words};

mod html;
mod markdown;

pub use html::to_html;
pub use markdown::to_markdown;

/// Where in an episode a rule's trigger falls, in the order an episode meets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Leaving,
    Away,
    Reported,
    Located,
    Returned,
    Interview,
    Closed,
    Other,
}

impl Stage {
    pub fn title(self) -> &'static str {
        match self {
            Self::Leaving => "When the child leaves",
            Self::Away => "While the child is away",
            Self::Reported => "Reports, notifications and risk grading",
            Self::Located => "When the child is found",
            Self::Returned => "When the child returns",
            Self::Interview => "The return interview",
            Self::Closed => "When the episode is closed",
            Self::Other => "Placements and other duties",
        }
    }
    pub fn intro(self) -> &'static str {
        match self {
            Self::Leaving => "Duties that start as soon as the child is not where they should be, or is classified.",
            Self::Away => "Duties that start once the child has been away for a time, shortest time first.",
            Self::Reported => "Duties set off by a report to the police, a notification or the police risk grading.",
            Self::Located => "Duties set off by finding the child.",
            Self::Returned => "Duties set off by the child's return.",
            Self::Interview => "Duties set off by the return interview: held, declined, or harm disclosed.",
            Self::Closed => "Duties set off by closing the episode.",
            Self::Other => "Duties set off by a new placement, by becoming looked after, or by another act.",
        }
    }
    /// An id for links inside the page.
    pub fn anchor(self) -> &'static str {
        match self {
            Self::Leaving => "leaving",
            Self::Away => "away",
            Self::Reported => "reported",
            Self::Located => "located",
            Self::Returned => "returned",
            Self::Interview => "interview",
            Self::Closed => "closed",
            Self::Other => "other",
        }
    }
}

/// A finding of the lint, as the reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingView {
    /// "Error", "Warning" or "Note".
    pub severity: &'static str,
    pub message: String,
}

/// One rule, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleView {
    pub id: String,
    /// The role's name.
    pub who: String,
    /// The act's name.
    pub what: String,
    /// "Must" or "Should".
    pub strength: &'static str,
    /// By when, and how often: "Within 72 h", "Within 1 day, then every 1 day until …".
    pub by: String,
    /// Who it is for: "every child", "aged 16–17, looked after".
    pub for_whom: String,
    pub quote: String,
    pub section: String,
    /// The document's title where the protocol cites several; empty where it cites one.
    pub document: String,
    pub note: Option<String>,
    /// What the encoding assumes beyond the words (lapsing when found, where the window opens).
    pub assumptions: Vec<String>,
    pub findings: Vec<FindingView>,
}

/// Rules set off by one trigger.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    /// The heading: the trigger in words ("When: Missing for 24 hours", "Once this is done: Hold
    /// the strategy meeting").
    pub when: String,
    pub rules: Vec<RuleView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StageView {
    pub stage: Stage,
    pub groups: Vec<GroupView>,
}

/// A category of absence and its definition.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryView {
    pub name: String,
    pub definition: String,
    pub quote: String,
    pub section: String,
}

/// One entry of the classification (first match wins).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassView {
    pub category: String,
    pub when: String,
    pub quote: String,
    pub section: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProhibitionView {
    pub id: String,
    /// What must not be done: "Classify the child as Absent", "End the placement".
    pub what: String,
    /// Whom it binds: "Everyone", "Everyone except the Assistant Director".
    pub binds: String,
    pub when: String,
    pub quote: String,
    pub section: String,
    pub note: Option<String>,
    pub findings: Vec<FindingView>,
}

/// A list of lines under a heading (risk instruments).
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub heading: String,
    pub intro: Option<String>,
    pub lines: Vec<String>,
}

/// The whole pack, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub title: String,
    /// "Authority — version …, effective …".
    pub subtitle: String,
    /// The file the pack was made from (its name only).
    pub source_file: String,
    pub documents: Vec<String>,
    pub office_hours: Option<String>,
    pub rule_count: usize,
    pub categories: Vec<CategoryView>,
    pub classification: Vec<ClassView>,
    pub stages: Vec<StageView>,
    pub prohibitions: Vec<ProhibitionView>,
    /// How each agency learns of a missing child (role name, how), and the encoder's note on it.
    pub learning: Vec<(String, String)>,
    pub learning_note: Option<String>,
    pub instruments: Vec<Listing>,
    /// Lint findings that name no rule or prohibition: about the protocol as a whole.
    pub general_findings: Vec<FindingView>,
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
        Severity::Info => "Note",
    }
}

/// First letter upper case.
fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The quoted words without quote marks of their own around them (the writers add them).
pub fn quote_words(c: &Citation) -> String {
    c.words().trim().trim_matches(['"', '“', '”', '\'']).trim().to_string()
}

/// An id in words, where the protocol gives it no name (risk factors).
fn id_words(id: &str) -> String {
    id.replace('_', " ")
}

fn category_name(p: &Protocol, id: &str) -> String {
    p.categories
        .iter()
        .find(|c| c.id == id)
        .map_or_else(|| id_words(id), |c| c.name.clone())
}

fn role_name(p: &Protocol, id: &str) -> String {
    p.role(id).map_or_else(|| id_words(id), |r| r.name.clone())
}

fn action_name(p: &Protocol, id: &str) -> String {
    p.action(id).map_or_else(|| id_words(id), |a| a.name.clone())
}

/// Who a condition is for, with categories by their names rather than their ids.
pub fn condition_words(p: &Protocol, c: &Condition) -> String {
    if c.category.is_empty() {
        return describe(c);
    }
    let rest = Condition {
        category: Vec::new(),
        ..c.clone()
    };
    let names: Vec<String> = c.category.iter().map(|x| category_name(p, x)).collect();
    let classified = format!("classified as {}", names.join(" or "));
    if rest == Condition::default() {
        classified
    } else {
        format!("{}, {classified}", describe(&rest))
    }
}

/// Where a trigger falls in an episode, and its place within that stage.
fn trigger_place(p: &Protocol, t: &Trigger) -> Option<(Stage, f64)> {
    Some(match t {
        Trigger::Left => (Stage::Leaving, 0.0),
        Trigger::ClassifiedAs(c) => {
            // A category the classification gives only after hours away ("missing over 24
            // hours") is met while the child is away, at that hour.
            let entries: Vec<Option<f64>> = p
                .classification
                .iter()
                .filter(|x| &x.category == c)
                .map(|x| x.when.min_hours_away)
                .collect();
            if !entries.is_empty() && entries.iter().all(Option::is_some) {
                let h = entries.iter().flatten().copied().fold(f64::INFINITY, f64::min);
                (Stage::Away, h)
            } else {
                (Stage::Leaving, 1.0)
            }
        }
        Trigger::EpisodeCount { .. } => (Stage::Leaving, 2.0),
        Trigger::MissingFor(h) => (Stage::Away, *h),
        Trigger::ReportedMissing => (Stage::Reported, 0.0),
        Trigger::RiskGraded => (Stage::Reported, 1.0),
        Trigger::NotificationReceived(_) => (Stage::Reported, 2.0),
        Trigger::Located => (Stage::Located, 0.0),
        Trigger::Returned => (Stage::Returned, 0.0),
        Trigger::InterviewCompleted => (Stage::Interview, 0.0),
        Trigger::InterviewDeclined => (Stage::Interview, 1.0),
        Trigger::Disclosed => (Stage::Interview, 2.0),
        Trigger::DisclosedTo(_) => (Stage::Interview, 3.0),
        Trigger::EpisodeClosed => (Stage::Closed, 0.0),
        Trigger::PlacementStarted => (Stage::Other, 0.0),
        Trigger::BecameLookedAfter => (Stage::Other, 1.0),
        Trigger::Done(_) => return None,
    })
}

/// Sort key of a trigger: stage, place in the stage, and how many acts it follows ("done" chains
/// come right after the trigger of the act they follow).
type Key = (Stage, f64, u32);

fn trigger_key(p: &Protocol, t: &Trigger, seen: &mut Vec<String>) -> Key {
    if let Some((s, x)) = trigger_place(p, t) {
        return (s, x, 0);
    }
    let Trigger::Done(a) = t else {
        unreachable!("every other trigger has a place")
    };
    if seen.contains(a) {
        return (Stage::Other, 2.0, 0);
    }
    seen.push(a.clone());
    // After the earliest rule that asks for this act.
    let key = p
        .rules
        .iter()
        .filter(|r| &r.action == a && !matches!(&r.trigger, Trigger::Done(b) if b == a))
        .map(|r| trigger_key(p, &r.trigger, seen))
        .min_by(cmp_key)
        .map_or((Stage::Other, 2.0, 0), |(s, x, d)| (s, x, d + 1));
    seen.pop();
    key
}

fn cmp_key(a: &Key, b: &Key) -> std::cmp::Ordering {
    a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2))
}

/// When a rule falls due, in words.
fn by_words(p: &Protocol, r: &Rule) -> String {
    let first = match r.deadline {
        Deadline::NoLimit => "No time limit set (before the episode closes)".to_string(),
        Deadline::Minutes(0) => "At the moment it arises".to_string(),
        d => capital(&d.phrase()),
    };
    match &r.repeat {
        Some(rep) => format!(
            "{first}, then every {} until {}",
            rep.every.label(),
            p.trigger_text(&rep.until)
        ),
        None => first,
    }
}

/// What the encoding assumes that the quote may not say.
fn assumptions(p: &Protocol, r: &Rule) -> Vec<String> {
    let mut v = Vec::new();
    if p.rule_lapses(r) {
        if r.trigger.is_missing_phase() {
            v.push("Lapses if the child is found before it falls due.".to_string());
        } else {
            v.push("Set to lapse if the child is found before it falls due.".to_string());
        }
    } else if r.trigger.is_missing_phase() && r.cancel_if_found.is_none() {
        v.push("Still made if the child is found first: the agency it tells must know of the episode.".to_string());
    } else if r.trigger.is_missing_phase() && r.deadline != Deadline::Immediately {
        v.push("Still due if the child is found first.".to_string());
    }
    if r.window_anchor() == Anchor::Left && r.trigger != Trigger::Left {
        v.push("An act done any time since the child left counts.".to_string());
    }
    if let Some(h) = r.opens_after_hours {
        v.push(format!(
            "Not to be done until {} after it is set off; the time allowed counts from then, and an act before it earns nothing.",
            super::hours_text(h)
        ));
    }
    if let Some(points) = r.points {
        v.push(format!("Worth {points} points in a score."));
    }
    v
}

/// The cited document's title, where the protocol cites more than one (with one, the pack's
/// header names it and each row would only repeat it).
fn doc_title(p: &Protocol, id: &str) -> String {
    if p.documents.len() <= 1 {
        return String::new();
    }
    p.documents
        .iter()
        .find(|d| d.id == id)
        .map_or_else(|| id.to_string(), |d| d.title.clone())
}

/// The lint's findings that name `id` (a rule's or a prohibition's).
fn findings_about(lint: &LintReport, id: &str) -> Vec<FindingView> {
    lint.findings
        .iter()
        .filter(|f| f.rules.iter().any(|x| x == id))
        .map(|f| FindingView {
            severity: severity_word(f.severity),
            message: f.message.clone(),
        })
        .collect()
}

fn rule_view(p: &Protocol, r: &Rule, lint: &LintReport) -> RuleView {
    RuleView {
        id: r.id.clone(),
        who: role_name(p, &r.role),
        what: action_name(p, &r.action),
        strength: match r.strength {
            Strength::Must => "Must",
            Strength::Should => "Should",
        },
        by: by_words(p, r),
        for_whom: capital(&condition_words(p, &r.when)),
        quote: quote_words(&r.citation),
        section: r.citation.section.clone(),
        document: doc_title(p, &r.citation.doc),
        note: r.note.clone(),
        assumptions: assumptions(p, r),
        findings: findings_about(lint, &r.id),
    }
}

fn forbidden_words(p: &Protocol, f: &Forbidden) -> String {
    match f {
        Forbidden::Category(c) => format!("Classify the child as {}", category_name(p, c)),
        Forbidden::Grade(g) => format!("Grade the child's risk as {}", risk_words(*g)),
        Forbidden::Action(a) => capital(&action_name(p, a)),
    }
}

fn binds_words(p: &Protocol, x: &Prohibition) -> String {
    let names = |ids: &[String]| ids.iter().map(|r| role_name(p, r)).collect::<Vec<_>>().join("; ");
    match (x.roles.is_empty(), x.except.is_empty()) {
        (true, true) => "Everyone".into(),
        (true, false) => format!("Everyone except: {}", names(&x.except)),
        (false, true) => names(&x.roles),
        (false, false) => format!("{}, except: {}", names(&x.roles), names(&x.except)),
    }
}

fn instruments(p: &Protocol) -> Vec<Listing> {
    let risk = &p.risk;
    let mut v = Vec::new();
    if !risk.police_grades.is_empty() {
        v.push(Listing {
            heading: "Police risk grading".into(),
            intro: None,
            lines: risk
                .police_grades
                .iter()
                .map(|g| {
                    let response = if g.response.is_empty() {
                        String::new()
                    } else {
                        format!(" Response: {}", g.response)
                    };
                    format!(
                        "{}: {}{response} [{}]",
                        capital(risk_words(g.level)),
                        g.definition,
                        g.citation.section
                    )
                })
                .collect(),
        });
    }
    if !risk.mash_rag.is_empty() {
        v.push(Listing {
            heading: "MASH RAG ratings".into(),
            intro: None,
            lines: risk
                .mash_rag
                .iter()
                .map(|m| {
                    format!(
                        "{:?}: {} — respond {} [{}]",
                        m.rag,
                        m.meaning,
                        m.response.phrase(),
                        m.citation.section
                    )
                })
                .collect(),
        });
    }
    for t in &risk.tools {
        let mut lines: Vec<String> = t
            .bands
            .iter()
            .map(|b| {
                let max = b.max.map_or("any higher score".to_string(), |m| m.to_string());
                format!(
                    "{:?} ({}): {} to {max} — {} [{}]",
                    b.rag, b.label, b.min, b.response, b.citation.section
                )
            })
            .collect();
        for s in &t.sections {
            for i in &s.items {
                let scores: Vec<String> = i.scores.iter().map(i64::to_string).collect();
                lines.push(format!("{}: {} (scores {})", s.name, i.text, scores.join(" or ")));
            }
        }
        let items: usize = t.sections.iter().map(|s| s.items.len()).sum();
        v.push(Listing {
            heading: t.name.clone(),
            intro: Some(format!(
                "{items} items in {} sections, highest total {}. Bands first, then the items. [{}]",
                t.sections.len(),
                t.max_total(),
                t.citation.section
            )),
            lines,
        });
    }
    for l in &risk.ladders {
        v.push(Listing {
            heading: l.name.clone(),
            intro: Some("Repeat episodes and the meeting each calls for.".into()),
            lines: l
                .steps
                .iter()
                .map(|s| {
                    format!(
                        "{} episodes within {} days: {} (led by {}) [{}]",
                        s.episodes,
                        s.within_days,
                        s.level,
                        role_name(p, &s.role),
                        s.citation.section
                    )
                })
                .collect(),
        });
    }
    if !risk.establishment_thresholds.is_empty() {
        v.push(Listing {
            heading: "Thresholds for a home or establishment".into(),
            intro: None,
            lines: risk
                .establishment_thresholds
                .iter()
                .map(|t| {
                    format!(
                        "{}: {} episodes within {} days — {} [{}]",
                        t.description, t.episodes, t.within_days, t.response, t.citation.section
                    )
                })
                .collect(),
        });
    }
    if !risk.rhi_criteria.is_empty() {
        v.push(Listing {
            heading: "Return interview criteria".into(),
            intro: None,
            lines: risk
                .rhi_criteria
                .iter()
                .map(|c| format!("{} [{}]", c.text, c.citation.section))
                .collect(),
        });
    }
    for f in &risk.forms {
        v.push(Listing {
            heading: format!("Form: {}", f.name),
            intro: Some(format!("Fields to fill in. [{}]", f.citation.section)),
            lines: f
                .fields
                .iter()
                .map(|x| {
                    if x.required {
                        format!("{} (required)", x.label)
                    } else {
                        x.label.clone()
                    }
                })
                .collect(),
        });
    }
    v
}

/// The review of `p` (read from `source_file`), with the lint's findings beside their rules.
pub fn review(p: &Protocol, source_file: &str, lint: &LintReport) -> Review {
    // Rules grouped by trigger, groups in episode order, rules in the file's order.
    let mut groups: Vec<(Key, usize, &Trigger, Vec<&Rule>)> = Vec::new();
    for (i, r) in p.rules.iter().enumerate() {
        match groups.iter_mut().find(|g| *g.2 == r.trigger) {
            Some(g) => g.3.push(r),
            None => groups.push((trigger_key(p, &r.trigger, &mut Vec::new()), i, &r.trigger, vec![r])),
        }
    }
    groups.sort_by(|a, b| cmp_key(&a.0, &b.0).then(a.1.cmp(&b.1)));
    let mut stages: Vec<StageView> = Vec::new();
    for (key, _, trigger, rules) in groups {
        let when = match trigger {
            Trigger::Done(a) => format!("Once this is done: {}", action_name(p, a)),
            t => format!("When: {}", capital(&p.trigger_text(t))),
        };
        let group = GroupView {
            when,
            rules: rules.into_iter().map(|r| rule_view(p, r, lint)).collect(),
        };
        match stages.last_mut() {
            Some(s) if s.stage == key.0 => s.groups.push(group),
            _ => stages.push(StageView {
                stage: key.0,
                groups: vec![group],
            }),
        }
    }
    let ids: Vec<&str> = p
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .chain(p.prohibitions.iter().map(|x| x.id.as_str()))
        .collect();
    let supersedes = p
        .supersedes
        .as_ref()
        .map(|x| format!(", revises {x}"))
        .unwrap_or_default();
    Review {
        title: p.full_title(),
        subtitle: format!(
            "{} — version {}, effective {}{supersedes}",
            p.authority, p.version, p.effective
        ),
        source_file: source_file.to_string(),
        documents: p
            .documents
            .iter()
            .map(|d| format!("{} ({})", d.title, d.source))
            .collect(),
        office_hours: p
            .office_hours
            .map(|o| format!("{:02}:00 to {:02}:00", o.start_hour, o.end_hour)),
        rule_count: p.rules.len(),
        categories: p
            .categories
            .iter()
            .map(|c| CategoryView {
                name: c.name.clone(),
                definition: c.definition.clone(),
                quote: quote_words(&c.citation),
                section: c.citation.section.clone(),
            })
            .collect(),
        classification: p
            .classification
            .iter()
            .map(|c| ClassView {
                category: category_name(p, &c.category),
                when: capital(&condition_words(p, &c.when)),
                quote: quote_words(&c.citation),
                section: c.citation.section.clone(),
            })
            .collect(),
        stages,
        prohibitions: p
            .prohibitions
            .iter()
            .map(|x| ProhibitionView {
                id: x.id.clone(),
                what: forbidden_words(p, &x.forbids),
                binds: binds_words(p, x),
                when: capital(&condition_words(p, &x.when)),
                quote: quote_words(&x.citation),
                section: x.citation.section.clone(),
                note: x.note.clone(),
                findings: findings_about(lint, &x.id),
            })
            .collect(),
        learning: super::show::learning_lines(p),
        learning_note: p.knowledge.as_ref().map(|k| k.note.clone()),
        instruments: instruments(p),
        general_findings: lint
            .findings
            .iter()
            .filter(|f| !f.rules.iter().any(|id| ids.contains(&id.as_str())))
            .map(|f| FindingView {
                severity: severity_word(f.severity),
                message: f.message.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, trigger: Trigger, action: &str) -> Rule {
        Rule {
            id: id.into(),
            citation: Citation {
                doc: "d".into(),
                section: "s".into(),
                quote: "q".into(),
            },
            trigger,
            when: Condition::default(),
            role: "sw".into(),
            action: action.into(),
            deadline: Deadline::Hours(1),
            strength: Strength::Must,
            repeat: None,
            cancel_if_found: None,
            points: None,
            note: None,
            anchor: None,
            opens_after_hours: None,
            done_by: None,
        }
    }

    #[test]
    fn a_done_chain_follows_the_act_it_waits_for_and_thresholds_go_in_hour_order() {
        let p = crate::protocol::load_protocol(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/protocols/havering-2023-10.ron"
        )))
        .unwrap()
        .protocol;
        let mut q = p.clone();
        q.rules = vec![
            rule("after-meeting", Trigger::Done("hold".into()), "record"),
            rule("returned", Trigger::Returned, "offer"),
            rule("at-72", Trigger::MissingFor(72.0), "hold"),
            rule("at-24", Trigger::MissingFor(24.0), "escalate"),
            rule("placement", Trigger::PlacementStarted, "plan"),
            rule("left", Trigger::Left, "search"),
        ];
        let r = review(&q, "x.ron", &LintReport::default());
        let order: Vec<&str> = r
            .stages
            .iter()
            .flat_map(|s| &s.groups)
            .flat_map(|g| &g.rules)
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(
            order,
            ["left", "at-24", "at-72", "after-meeting", "returned", "placement"]
        );
        let stages: Vec<Stage> = r.stages.iter().map(|s| s.stage).collect();
        assert_eq!(stages, [Stage::Leaving, Stage::Away, Stage::Returned, Stage::Other]);
    }
}
