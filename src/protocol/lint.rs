//! Findings a policy officer should look at: contradictions, gaps and rules that cannot fire.

use serde::Serialize;

use super::load::LoadedProtocol;
use super::model::*;

mod grace;
pub mod timing;

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub kind: String,
    pub severity: Severity,
    pub rules: Vec<String>,
    pub citations: Vec<String>,
    pub message: String,
    /// `path:line:col` of the first place involved.
    pub location: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct LintReport {
    pub findings: Vec<Finding>,
}

impl LintReport {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
    pub fn of_kind(&self, kind: &str) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.kind == kind).collect()
    }
}

/// Lint a protocol. `errors` are the semantic check errors (from `parse_unchecked`), reported as
/// findings of severity error.
pub fn lint(lp: &LoadedProtocol, errors: &[crate::diag::SourceError]) -> LintReport {
    let p = &lp.protocol;
    let mut out = Vec::new();
    for e in errors {
        let kind = if e.message.contains("unknown role") {
            "undeclared_role"
        } else if e.message.contains("unknown action") {
            "undeclared_action"
        } else if e.message.contains("unknown category") {
            "undeclared_category"
        } else {
            "invalid"
        };
        let rule = rule_at(lp, e.line);
        out.push(Finding {
            kind: kind.into(),
            severity: Severity::Error,
            citations: rule
                .iter()
                .filter_map(|id| p.rule(id))
                .map(|r| r.citation.to_string())
                .collect(),
            rules: rule,
            message: e.message.clone(),
            location: format!("{}:{}:{}", e.path.display(), e.line, e.col),
        });
    }
    conflicting_deadlines(lp, &mut out);
    unreachable_rules(lp, &mut out);
    score_bands(lp, &mut out);
    classification_shadowing(lp, &mut out);
    classification_vs_prohibitions(lp, &mut out);
    long_quotes(lp, &mut out);
    thresholds_without_limit(lp, &mut out);
    grace::deadline_grace(lp, &mut out);
    unused_declarations(lp, &mut out);
    out.sort_by(|a, b| a.severity.cmp(&b.severity).then_with(|| a.kind.cmp(&b.kind)));
    LintReport { findings: out }
}

/// The id of the rule whose text spans this line, if any.
fn rule_at(lp: &LoadedProtocol, line: usize) -> Vec<String> {
    let mut best = None;
    for (i, r) in lp.protocol.rules.iter().enumerate() {
        if lp.spans.contains(&format!("rules[{i}]")) && lp.spans.get(&format!("rules[{i}]")).line <= line {
            best = Some(r.id.clone());
        }
    }
    best.into_iter().collect()
}

fn finding(lp: &LoadedProtocol, kind: &str, sev: Severity, rules: &[&Rule], message: String) -> Finding {
    Finding {
        kind: kind.into(),
        severity: sev,
        rules: rules.iter().map(|r| r.id.clone()).collect(),
        citations: rules.iter().map(|r| r.citation.to_string()).collect(),
        location: rules
            .first()
            .map(|r| lp.locate_rule(&r.id))
            .unwrap_or_else(|| lp.path.display().to_string()),
        message,
    }
}

fn overlap_opt<T: PartialEq + Copy>(a: Option<T>, b: Option<T>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}
fn overlap_list<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.is_empty() || b.is_empty() || a.iter().any(|x| b.contains(x))
}

/// Could some child satisfy both conditions?
pub fn conditions_overlap(a: &Condition, b: &Condition) -> bool {
    let lo = a.min_age.unwrap_or(0).max(b.min_age.unwrap_or(0));
    let hi = a.max_age.unwrap_or(99).min(b.max_age.unwrap_or(99));
    lo <= hi
        && overlap_list(&a.legal_status, &b.legal_status)
        && overlap_opt(a.looked_after, b.looked_after)
        && overlap_list(&a.placement, &b.placement)
        && overlap_opt(a.out_of_borough, b.out_of_borough)
        && overlap_opt(a.placed_here_by_other_authority, b.placed_here_by_other_authority)
        && overlap_opt(a.whereabouts_known, b.whereabouts_known)
        && overlap_list(&a.category, &b.category)
        && overlap_list(&a.risk, &b.risk)
        && overlap_opt(a.office_hours, b.office_hours)
        && overlap_list(&a.tool_band, &b.tool_band)
}

/// The same duty (the same act by the same role, or by anyone for an act done together) asked
/// of overlapping children by different times, from different passages: one finding per group of
/// such rules (the day-7 meeting against the day-5 and 72-hour ones is one contradiction, not
/// nine pairs). Rules on the same trigger are compared by their deadlines; rules on different
/// triggers by when they fall due counted from the leaving (see `timing`), where one act could
/// meet both (a later duty whose window opens only at its own trigger asks for another act).
/// Not a conflict: a rule with no time limit beside a timed one (it asks nothing about time), or
/// a rule for children with particular risks beside the baseline one (the risks narrow who it is
/// for).
fn conflicting_deadlines(lp: &LoadedProtocol, out: &mut Vec<Finding>) {
    use timing::{Span, deadline_span};
    let p = &lp.protocol;
    let rules = &p.rules;
    let end = timing::office_end(p);
    let timings: Vec<Option<timing::Timing>> = rules.iter().map(|r| timing::timing(p, r)).collect();
    let narrowed = |r: &Rule| !r.when.risk_factors.is_empty() || !r.when.risk.is_empty();
    // The time a rule allows from its trigger, its window's opening included.
    let allowed =
        |r: &Rule| deadline_span(r.deadline, end).map(|d| d.plus(Span::at(r.opens_after_hours.unwrap_or(0.0))));
    let conflict = |i: usize, j: usize| {
        let (a, b) = (&rules[i], &rules[j]);
        let comparable = timing::same_duty(p, a, b)
            && a.deadline != Deadline::NoLimit
            && b.deadline != Deadline::NoLimit
            && narrowed(a) == narrowed(b)
            && conditions_overlap(&a.when, &b.when)
            // One passage grading its own limits ("Red 4 hours, Amber 24 hours, Green 72
            // hours") is not a conflict: only two passages can contradict each other.
            && a.citation != b.citation;
        if !comparable {
            return false;
        }
        if a.trigger == b.trigger && a.done_by == b.done_by && a.repeat == b.repeat {
            return match (allowed(a), allowed(b)) {
                (Some(x), Some(y)) => !x.same(y),
                _ => false,
            };
        }
        match (&timings[i], &timings[j]) {
            (Some(x), Some(y)) => x.opens.lo <= y.due.hi && y.opens.lo <= x.due.hi && !x.due.same(y.due),
            _ => false,
        }
    };
    // Groups: rules joined by any conflict, through each other (union–find, smallest index leads).
    let mut parent: Vec<usize> = (0..rules.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut in_conflict = vec![false; rules.len()];
    for i in 0..rules.len() {
        for j in 0..i {
            if conflict(j, i) {
                let (a, b) = (root(&mut parent, j), root(&mut parent, i));
                parent[a.max(b)] = a.min(b);
                in_conflict[i] = true;
                in_conflict[j] = true;
            }
        }
    }
    let group: Vec<Option<usize>> = (0..rules.len())
        .map(|i| in_conflict[i].then(|| root(&mut parent, i)))
        .collect();
    let mut leaders: Vec<usize> = group.iter().flatten().copied().collect();
    leaders.sort();
    leaders.dedup();
    for g in leaders {
        let members: Vec<(usize, &Rule)> = rules.iter().enumerate().filter(|(i, _)| group[*i] == Some(g)).collect();
        let a = members[0].1;
        let one_trigger = members.iter().all(|(_, r)| r.trigger == a.trigger);
        let each: Vec<String> = members
            .iter()
            .map(|(i, r)| {
                let from_leaving = match &timings[*i] {
                    Some(t) if !one_trigger => format!(" (due {} after the child left)", t.due.text()),
                    _ => String::new(),
                };
                format!("`{}` {}{from_leaving}", r.id, p.rule_text(r))
            })
            .collect();
        let act = p.action(&a.action).map_or(a.action.as_str(), |x| x.name.as_str());
        let message = if one_trigger {
            format!(
                "{} rules ask for the same act ({act}) after {} of the same children by different deadlines: {}",
                members.len(),
                p.trigger_text(&a.trigger),
                each.join("; ")
            )
        } else {
            format!(
                "{} rules ask for the same act ({act}) of the same children by different times: {}",
                members.len(),
                each.join("; ")
            )
        };
        let members: Vec<&Rule> = members.into_iter().map(|(_, r)| r).collect();
        out.push(finding(
            lp,
            "conflicting_deadlines",
            Severity::Warning,
            &members,
            message,
        ));
    }
}

fn unreachable_rules(lp: &LoadedProtocol, out: &mut Vec<Finding>) {
    let p = &lp.protocol;
    let effects: Vec<&Effect> = p.actions.iter().flat_map(|a| &a.effects).collect();
    let has = |e: &Effect| effects.contains(&e);
    let classified: Vec<&str> = p.classification.iter().map(|c| c.category.as_str()).collect();
    for r in &p.rules {
        let why = match &r.trigger {
            Trigger::ClassifiedAs(c) if !classified.contains(&c.as_str()) => {
                Some(format!("no classification entry ever gives category `{c}`"))
            }
            Trigger::NotificationReceived(role) if !has(&Effect::Notifies(role.clone())) => {
                Some(format!("no action notifies `{role}`"))
            }
            Trigger::ReportedMissing if !has(&Effect::ReportsMissing) => {
                Some("no action reports the child missing".into())
            }
            Trigger::RiskGraded if !has(&Effect::GradesRisk) => Some("no action grades risk".into()),
            Trigger::InterviewCompleted if !has(&Effect::CompletesInterview) => {
                Some("no action completes a return interview".into())
            }
            // (InterviewDeclined is also set off by the child declining, a scenario event.)
            _ if r.when.is_impossible() => Some("its conditions can never all hold".into()),
            _ => None,
        };
        if let Some(why) = why {
            out.push(finding(
                lp,
                "unreachable_rule",
                Severity::Warning,
                &[r],
                format!("`{}` can never fire: {why}", r.id),
            ));
        }
    }
}

fn score_bands(lp: &LoadedProtocol, out: &mut Vec<Finding>) {
    for (ti, t) in lp.protocol.risk.tools.iter().enumerate() {
        let mut bands: Vec<(usize, &ScoreBand)> = t.bands.iter().enumerate().collect();
        bands.sort_by_key(|(_, b)| b.min);
        let loc = |bi: usize| lp.locate(&format!("risk.tools[{ti}].bands[{bi}]"));
        if let Some((i, first)) = bands.first()
            && first.min > 0
        {
            out.push(Finding {
                kind: "score_band_gap".into(),
                severity: Severity::Warning,
                rules: vec![],
                citations: vec![first.citation.to_string()],
                message: format!("{}: totals 0 to {} fall in no band", t.name, first.min - 1),
                location: loc(*i),
            });
        }
        for w in bands.windows(2) {
            let ((ia, a), (ib, b)) = (w[0], w[1]);
            let Some(amax) = a.max else {
                out.push(band_finding(
                    "score_band_overlap",
                    t,
                    a,
                    b,
                    format!("{} has no upper limit, so it overlaps {}", a.label, b.label),
                    loc(ib),
                ));
                continue;
            };
            if b.min <= amax {
                out.push(band_finding(
                    "score_band_overlap",
                    t,
                    a,
                    b,
                    format!(
                        "{}: a total of {}{} falls in both \"{}\" ({:?}) and \"{}\" ({:?})",
                        t.name,
                        b.min,
                        if amax > b.min {
                            format!(" to {amax}")
                        } else {
                            String::new()
                        },
                        a.label,
                        a.rag,
                        b.label,
                        b.rag
                    ),
                    loc(ia),
                ));
            } else if b.min > amax + 1 {
                out.push(band_finding(
                    "score_band_gap",
                    t,
                    a,
                    b,
                    format!("{}: totals {} to {} fall in no band", t.name, amax + 1, b.min - 1),
                    loc(ia),
                ));
            }
        }
        if let Some((i, last)) = bands.last()
            && let Some(m) = last.max
            && m < t.max_total()
        {
            out.push(Finding {
                kind: "score_band_gap".into(),
                severity: Severity::Warning,
                rules: vec![],
                citations: vec![last.citation.to_string()],
                message: format!("{}: totals above {m} (up to {}) fall in no band", t.name, t.max_total()),
                location: loc(*i),
            });
        }
    }
}

fn band_finding(
    kind: &str,
    t: &AssessmentTool,
    a: &ScoreBand,
    b: &ScoreBand,
    message: String,
    location: String,
) -> Finding {
    let _ = t;
    Finding {
        kind: kind.into(),
        severity: Severity::Warning,
        rules: vec![],
        citations: vec![a.citation.to_string(), b.citation.to_string()],
        message,
        location,
    }
}

fn classification_shadowing(lp: &LoadedProtocol, out: &mut Vec<Finding>) {
    let cls = &lp.protocol.classification;
    if let Some(i) = cls.iter().position(|c| c.when == Condition::default())
        && i + 1 < cls.len()
    {
        out.push(Finding {
            kind: "unreachable_classification".into(),
            severity: Severity::Warning,
            rules: vec![],
            citations: cls[i + 1..].iter().map(|c| c.citation.to_string()).collect(),
            message: format!(
                "classification entry {i} (`{}`) applies to every child, so the {} entries after it are never used",
                cls[i].category,
                cls.len() - i - 1
            ),
            location: lp.locate(&format!("classification[{}]", i + 1)),
        });
    }
}

/// Where the protocol's own classification (first match wins, with its escalation timers) puts a
/// child into a category that a prohibition forbids for that child. Found by walking a grid of
/// children (ages, statuses, placements, whereabouts, hours away, gradings), so order and
/// timers are respected.
fn classification_vs_prohibitions(lp: &LoadedProtocol, out: &mut Vec<Finding>) {
    use super::{Facts, LegalStatus as L, Placement as P, RiskLevel as R};
    let p = &lp.protocol;
    if !p
        .prohibitions
        .iter()
        .any(|x| matches!(x.forbids, Forbidden::Category(_)))
    {
        return;
    }
    let statuses: [&[L]; 7] = [
        &[L::NoStatus],
        &[L::S20],
        &[L::S31],
        &[L::Remanded],
        &[L::Uasc, L::S20],
        &[L::ChildProtectionPlan],
        &[L::ChildInNeed],
    ];
    let placements = [P::Home, P::Foster, P::Residential, P::SemiIndependent, P::Secure];
    let mut hours: Vec<f64> = vec![0.0, 1.0, 3.0, 12.0, 30.0, 100.0];
    hours.extend(p.escalation_hours());
    let mut reported: Vec<(usize, String)> = Vec::new();
    for age in [8, 12, 13, 15, 17] {
        for st in statuses {
            for pl in placements {
                for known in [false, true] {
                    for h in &hours {
                        for risk in [
                            None,
                            Some(R::High),
                            Some(R::Medium),
                            Some(R::Low),
                            Some(R::NoApparentRisk),
                        ] {
                            let f = Facts {
                                age,
                                legal_status: st.to_vec(),
                                placement: Some(pl),
                                whereabouts_known: known,
                                hours_away: *h,
                                risk,
                                office_hours: true,
                                ..Default::default()
                            };
                            let Some((i, c)) = p.classification.iter().enumerate().find(|(_, c)| c.when.holds(&f))
                            else {
                                continue;
                            };
                            if let Some(x) = p.forbids_category(&f, &c.category)
                                && !reported.contains(&(i, x.id.clone()))
                            {
                                reported.push((i, x.id.clone()));
                                out.push(Finding {
                                    kind: "contradiction".into(),
                                    severity: Severity::Warning,
                                    rules: vec![x.id.clone()],
                                    citations: vec![c.citation.to_string(), x.citation.to_string()],
                                    message: format!(
                                        "classification entry {i} gives `{}` to a child aged {age}, {:?}, placed {pl:?}, {}, away {h} h{} — but prohibition `{}` forbids that category for this child",
                                        c.category,
                                        st,
                                        if known { "whereabouts known" } else { "whereabouts unknown" },
                                        risk.map(|r| format!(", graded {r:?}")).unwrap_or_default(),
                                        x.id
                                    ),
                                    location: lp.locate(&format!("classification[{i}]")),
                                });
                            }
                        }
                    }
                }
            }
        }
    }
}

fn long_quotes(lp: &LoadedProtocol, out: &mut Vec<Finding>) {
    for r in &lp.protocol.rules {
        let n = r.citation.quote.chars().count();
        if n > 200 {
            out.push(finding(
                lp,
                "long_quote",
                Severity::Info,
                &[r],
                format!("`{}` quotes {n} characters; about 200 is enough", r.id),
            ));
        }
    }
}

/// A threshold ("missing for 48 hours: do X") says when the duty falls due: at the threshold.
/// With no time limit it can never be late (an 87a at 50 hours would score as in time); with
/// `Immediately` it is due an hour after the threshold, a grace the document's own time may not
/// give. (An act before the threshold meets it: see `Rule::window_anchor`.)
fn thresholds_without_limit(lp: &LoadedProtocol, out: &mut Vec<Finding>) {
    for r in &lp.protocol.rules {
        let Trigger::MissingFor(h) = r.trigger else {
            continue;
        };
        let at = super::hours_text(h);
        match r.deadline {
            Deadline::NoLimit => out.push(finding(
                lp,
                "threshold_without_limit",
                Severity::Warning,
                &[r],
                format!(
                    "`{}` is set off at {at} missing with no time limit: it can never be late; give it the time the document sets (\"at {at}\": `Immediately`, within the hour; an act before then meets it)",
                    r.id
                ),
            )),
            Deadline::Immediately => out.push(finding(
                lp,
                "threshold_grace",
                Severity::Info,
                &[r],
                format!(
                    "`{}` is due within the hour after {at} missing (`Immediately`, this project's reading of \"at once\"): write `Minutes(0)` if the document allows no such hour",
                    r.id
                ),
            )),
            _ => {}
        }
    }
}

fn unused_declarations(lp: &LoadedProtocol, out: &mut Vec<Finding>) {
    let p = &lp.protocol;
    for (i, role) in p.roles.iter().enumerate() {
        let used = p.rules.iter().any(|r| r.role == role.id)
            || p.actions
                .iter()
                .any(|a| a.effects.contains(&Effect::Notifies(role.id.clone())))
            || p.risk.ladders.iter().flat_map(|l| &l.steps).any(|s| s.role == role.id);
        if !used {
            out.push(Finding {
                kind: "unused_role".into(),
                severity: Severity::Info,
                rules: vec![],
                citations: vec![],
                message: format!(
                    "role `{}` ({}) is declared but no rule asks anything of it",
                    role.id, role.name
                ),
                location: lp.locate(&format!("roles[{i}]")),
            });
        }
    }
}
