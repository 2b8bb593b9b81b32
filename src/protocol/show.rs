//! A summary a trainer can print: roles, categories, rules grouped by trigger, deadlines.

use super::model::*;
use crate::escape::{markdown_cell, markdown_code, markdown_inline, markdown_text};

/// A summary of `p`, as plain text or as Markdown. In Markdown every text from the protocol is
/// escaped: none of it can add a heading, a table row or HTML.
pub fn render(p: &Protocol, markdown: bool) -> String {
    // Free text (`t`), a single-line label (`l`), an id (`id`) and a table cell (`cell`).
    let text = |x: &str| if markdown { markdown_text(x) } else { x.to_string() };
    let l = |x: &str| if markdown { markdown_inline(x) } else { x.to_string() };
    let id = |x: &str| {
        if markdown { markdown_code(x) } else { format!("`{x}`") }
    };
    let cell = |x: &str| if markdown { markdown_cell(x) } else { x.to_string() };
    let h = |level: usize, t: &str| {
        if markdown {
            format!("{} {}\n\n", "#".repeat(level), markdown_inline(t))
        } else {
            format!(
                "{t}\n{}\n",
                if level == 1 {
                    "=".repeat(t.chars().count())
                } else {
                    "-".repeat(t.chars().count())
                }
            )
        }
    };
    let mut s = h(1, &p.title);
    s += &text(&format!(
        "{} — version {}, effective {}{}",
        p.authority,
        p.version,
        p.effective,
        p.supersedes
            .as_ref()
            .map(|x| format!(", revises {x}"))
            .unwrap_or_default()
    ));
    s += "\n\n";
    s += &h(2, "Roles");
    for r in &p.roles {
        let n = p.rules.iter().filter(|x| x.role == r.id).count();
        s += &format!(
            "- {} ({}): {} rule{}\n",
            l(&r.name),
            id(&r.id),
            n,
            if n == 1 { "" } else { "s" }
        );
    }
    s += "\n";
    let joint: Vec<&str> = p.actions.iter().filter(|a| a.joint).map(|a| a.name.as_str()).collect();
    if !joint.is_empty() {
        s += &h(2, "Done together");
        s += "One act by any of the roles meets every role's duty to do it:\n";
        for name in joint {
            s += &format!("- {}\n", l(name));
        }
        s += "\n";
    }
    let learning = learning_lines(p);
    if let Some(k) = &p.knowledge {
        s += &h(2, "Who learns of a missing child, and how");
        s += &text(&k.note);
        s += "\n\n";
        for (who, how) in &learning {
            s += &format!("- {}\n", text(&format!("{who}: {how}")));
        }
        s += "\n";
    }
    s += &h(2, "Categories of absence");
    for c in &p.categories {
        s += &format!(
            "- {}\n",
            text(&format!("{}: {} [{}]", c.name, c.definition, c.citation.section))
        );
    }
    s += "\n";
    s += &h(2, "How a child is classified (first match wins)");
    for (i, c) in p.classification.iter().enumerate() {
        s += &format!(
            "{}. {}\n",
            i + 1,
            text(&format!(
                "{} — {} [{}]",
                c.category,
                describe(&c.when),
                c.citation.section
            ))
        );
    }
    s += "\n";
    if !p.prohibitions.is_empty() {
        s += &h(2, "Never");
        for x in &p.prohibitions {
            let what = match &x.forbids {
                Forbidden::Category(c) => format!("classify as {c}"),
                Forbidden::Grade(g) => format!("grade risk as {g:?}"),
                Forbidden::Action(a) => a.clone(),
            };
            s += &format!(
                "- {}\n",
                text(&format!("{what} — {} [{}]", describe(&x.when), x.citation.section))
            );
        }
        s += "\n";
    }
    s += &h(2, "Rules by trigger");
    let mut triggers: Vec<String> = Vec::new();
    for r in &p.rules {
        let l = r.trigger.label();
        if !triggers.contains(&l) {
            triggers.push(l);
        }
    }
    for t in triggers {
        s += &h(3, &format!("When: {t}"));
        if markdown {
            s += "| Rule | Who | Must do | By | For | Source |\n|---|---|---|---|---|---|\n";
        }
        for r in p.rules.iter().filter(|r| r.trigger.label() == t) {
            let who = p.role(&r.role).map(|x| x.name.as_str()).unwrap_or(&r.role);
            let what = p.action(&r.action).map(|x| x.name.as_str()).unwrap_or(&r.action);
            let by = match &r.repeat {
                Some(rep) => format!(
                    "{}, then every {} until {}",
                    r.deadline.label(),
                    rep.every.label(),
                    rep.until.label()
                ),
                None => r.deadline.label(),
            };
            let strength = if r.strength == Strength::Should {
                " (should)"
            } else {
                ""
            };
            if markdown {
                s += &format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    cell(&r.id),
                    cell(who),
                    cell(&format!("{what}{strength}")),
                    cell(&by),
                    cell(&describe(&r.when)),
                    cell(&r.citation.section)
                );
            } else {
                s += &format!(
                    "  {:<28} {who}: {what}{strength}, {by}; {} [{}]\n",
                    r.id,
                    describe(&r.when),
                    r.citation.section
                );
            }
        }
        s += "\n";
    }
    let risk = &p.risk;
    if !risk.police_grades.is_empty() {
        s += &h(2, "Police risk grading");
        for g in &risk.police_grades {
            s += &format!("- {}\n", text(&format!("{:?}: {}", g.level, g.definition)));
        }
        s += "\n";
    }
    for t in &risk.tools {
        s += &h(2, &t.name);
        let items: usize = t.sections.iter().map(|x| x.items.len()).sum();
        s += &format!(
            "{} items in {} sections, maximum total {}\n\n",
            items,
            t.sections.len(),
            t.max_total()
        );
        for b in &t.bands {
            s += &format!(
                "- {}\n",
                text(&format!(
                    "{:?} ({}): {} to {} — {}",
                    b.rag,
                    b.label,
                    b.min,
                    b.max.map(|m| m.to_string()).unwrap_or("any".into()),
                    b.response
                ))
            );
        }
        s += "\n";
    }
    for l in &risk.ladders {
        s += &h(2, &l.name);
        for st in &l.steps {
            s += &format!(
                "- {}\n",
                text(&format!(
                    "{} episodes within {} days: {} ({})",
                    st.episodes, st.within_days, st.level, st.role
                ))
            );
        }
        s += "\n";
    }
    s
}

/// A legal status in words.
pub fn status_words(s: LegalStatus) -> &'static str {
    match s {
        LegalStatus::S20 => "accommodated (s20)",
        LegalStatus::S31 => "on a care order (s31)",
        LegalStatus::S38 => "on an interim care order (s38)",
        LegalStatus::Remanded => "remanded",
        LegalStatus::Uasc => "an unaccompanied asylum-seeking child",
        LegalStatus::ChildProtectionPlan => "on a child protection plan",
        LegalStatus::ChildInNeed => "a child in need",
        LegalStatus::NoStatus => "with no statutory involvement",
    }
}

/// A placement in words.
pub fn placement_words(p: Placement) -> &'static str {
    match p {
        Placement::Home => "living at home",
        Placement::Foster => "in foster care",
        Placement::Residential => "in residential care",
        Placement::SemiIndependent => "in semi-independent living",
        Placement::Secure => "in secure accommodation",
        Placement::Other => "placed elsewhere",
    }
}

/// A police risk grading in words.
pub fn risk_words(r: RiskLevel) -> &'static str {
    match r {
        RiskLevel::High => "high",
        RiskLevel::Medium => "medium",
        RiskLevel::Low => "low",
        RiskLevel::NoApparentRisk => "no apparent risk",
    }
}

/// `a`, `a or b`, `a, b or c`.
fn any_of(items: Vec<String>) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// An id in words: `unauthorised_absence` → `unauthorised absence`.
fn id_words(id: &str) -> String {
    id.replace('_', " ")
}

/// Plain words for a condition: who a rule is for ("aged 16–17, in semi-independent living").
pub fn describe(c: &Condition) -> String {
    let mut v = Vec::new();
    match (c.min_age, c.max_age) {
        (Some(a), Some(b)) => v.push(format!("aged {a}–{b}")),
        (Some(a), None) => v.push(format!("aged {a} or over")),
        (None, Some(b)) => v.push(format!("aged {b} or under")),
        _ => {}
    }
    if !c.legal_status.is_empty() {
        v.push(any_of(
            c.legal_status.iter().map(|s| status_words(*s).to_string()).collect(),
        ));
    }
    match c.looked_after {
        Some(true) => v.push("looked after".into()),
        Some(false) => v.push("not looked after".into()),
        None => {}
    }
    if !c.placement.is_empty() {
        v.push(any_of(
            c.placement.iter().map(|p| placement_words(*p).to_string()).collect(),
        ));
    }
    if let Some(b) = c.out_of_borough {
        v.push(if b {
            "placed out of borough".into()
        } else {
            "placed in borough".into()
        });
    }
    if c.placed_here_by_other_authority == Some(true) {
        v.push("placed here by another authority".into());
    }
    match c.whereabouts_known {
        Some(true) => v.push("whereabouts known".into()),
        Some(false) => v.push("whereabouts unknown".into()),
        None => {}
    }
    if !c.category.is_empty() {
        v.push(format!(
            "classified as {}",
            any_of(c.category.iter().map(|x| id_words(x)).collect())
        ));
    }
    if !c.risk.is_empty() {
        v.push(format!(
            "graded {} risk",
            any_of(c.risk.iter().map(|r| risk_words(*r).to_string()).collect())
        ));
    }
    if !c.risk_factors.is_empty() {
        v.push(format!(
            "with a concern of {}",
            any_of(c.risk_factors.iter().map(|x| id_words(x)).collect())
        ));
    }
    if let Some(h) = c.min_hours_away {
        v.push(format!("away {h} h or more"));
    }
    match c.office_hours {
        Some(true) => v.push("in office hours".into()),
        Some(false) => v.push("out of hours".into()),
        None => {}
    }
    if let Some(e) = c.min_episodes {
        v.push(format!("{} or more episodes in {} days", e.episodes, e.within_days));
    }
    if !c.tool_band.is_empty() {
        v.push(format!(
            "the risk tool scored {}",
            any_of(c.tool_band.iter().map(|s| format!("{s:?}")).collect())
        ));
    }
    if v.is_empty() {
        "every child".into()
    } else {
        v.join(", ")
    }
}

/// How each role with a duty, or that some act tells, learns of a missing child, in words
/// (role name, how), in the protocol's order of roles; none without a `knowledge` section.
pub fn learning_lines(p: &Protocol) -> Vec<(String, String)> {
    use super::knowledge::Learns;
    let Some(k) = &p.knowledge else {
        return Vec::new();
    };
    let role_name = |id: &str| p.role(id).map(|r| r.name.clone()).unwrap_or_else(|| id.to_string());
    let action_name = |id: &str| p.action(id).map(|a| a.name.clone()).unwrap_or_else(|| id.to_string());
    let names = |ids: &[String], f: &dyn Fn(&str) -> String| -> String {
        let v: Vec<String> = ids.iter().map(|x| f(x)).collect();
        match v.len() {
            0 => String::new(),
            1 => v[0].clone(),
            n => format!("{} or {}", v[..n - 1].join("; "), v[n - 1]),
        }
    };
    let mut out = Vec::new();
    for r in &p.roles {
        let has_duty = p.rules.iter().any(|x| x.role == r.id);
        let how = match k.learns(p, &r.id) {
            Learns::AtOnce => "at once: the child was with them".to_string(),
            Learns::FromReport => "from the report to the police".to_string(),
            Learns::By(acts) => format!("when told: {}", names(&acts, &action_name)),
            Learns::With(roles) => {
                let note = k
                    .together
                    .iter()
                    .find(|t| t.roles.contains(&r.id))
                    .map(|t| format!(": {}", t.note.trim_end_matches('.')))
                    .unwrap_or_default();
                format!("together with {}{note}", names(&roles, &role_name))
            }
            Learns::Assumed => {
                "assumed told when a duty of theirs arises (the document does not say who tells them)".to_string()
            }
            Learns::Never if has_duty => "nothing tells them: they never act by the book".to_string(),
            Learns::Never => continue,
        };
        out.push((r.name.clone(), how));
    }
    out
}
