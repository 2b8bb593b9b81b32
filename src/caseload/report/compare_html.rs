//! The comparison of two protocols in the HTML report: paired changes of the headline measures,
//! the rules that moved most (each with its paired interval), rules added, removed and changed,
//! and each role's workload. Rules and roles are named in words, their ids on a secondary line.

use std::fmt::Write as _;

use super::super::stress::{Comparison, ProtocolResult, Summary};
use super::page::{TABLE_END, fold, headings, named, table};
use super::{change_label, change_says, change_text, comparison_headline, esc, opt, pct, upper_first};

/// The comparison's section.
pub(crate) fn comparison_html(s: &Summary, cmp: &Comparison) -> String {
    let (a, b) = (&s.protocols[0], &s.protocols[1]);
    let mut o = format!("<h2>{} → {}</h2>", esc(&cmp.baseline), esc(&cmp.revision));
    let _ = write!(
        o,
        r#"<p class="headline">{}</p>"#,
        esc(&comparison_headline(cmp, s.caseload.horizon_days))
    );
    let _ = write!(o, "<p>{}.</p>", esc(&upper_first(&cmp.rule_overlap())));
    o += &table(
        None,
        &[
            esc("Measure"),
            format!("#{}", esc(&a.id)),
            format!("#{}", esc(&b.id)),
            format!("#{}", esc("Change (95 % interval, paired)")),
        ],
    );
    let value = |p: &ProtocolResult, m: &str| -> String {
        match m {
            "duties_met_in_time_shared_timed_rules" if std::ptr::eq(p, a) => pct(&cmp.baseline_shared_timed),
            "duties_met_in_time_shared_timed_rules" => pct(&cmp.revision_shared_timed),
            "duties_met_in_time" => pct(&p.compliance),
            "duties_met_in_time_staffed_roles" => pct(&p.compliance_staffed),
            "strategy_meetings_per_week" => p.strategy_meetings_per_week.text(1),
            "escalation_duties" => p.escalations.text(1),
            "children_over_a_repeat_threshold" => p.children_escalated.text(1),
            "duties_open_at_end" => p.outstanding.text(0),
            _ => String::new(),
        }
    };
    for ch in &cmp.changes {
        let _ = write!(
            o,
            r#"<tr><th>{}</th><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            esc(change_label(&ch.measure)),
            esc(&value(a, &ch.measure)),
            esc(&value(b, &ch.measure)),
            esc(&change_text(ch))
        );
    }
    o += TABLE_END;
    // A rule's sentence (the revision's where it has the rule).
    let what = |id: &str| {
        b.rules
            .iter()
            .chain(&a.rules)
            .find(|x| x.id == id)
            .map_or("", |x| x.what.as_str())
    };
    let moved = cmp.rules_moved_most();
    if !moved.is_empty() {
        o += "<h3>Rules in both whose share met in time moved most</h3>";
        o += &table(
            None,
            &[
                esc("Rule"),
                format!("#{}", esc(&a.id)),
                format!("#{}", esc(&b.id)),
                format!("#{}", esc("Change, paired (95 % interval)")),
                esc("Says"),
            ],
        );
        for r in moved.iter().take(15) {
            let change = match &r.paired_change {
                Some(c) => format!("{} points", c.change_text(100.0, 1)),
                None => format!("{:+.1} points", r.compliance_change.unwrap_or(0.0) * 100.0),
            };
            let _ = write!(
                o,
                r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td></tr>"#,
                named(what(&r.id), &r.id),
                esc(&pct(&r.baseline_compliance)),
                esc(&pct(&r.revision_compliance)),
                esc(&change),
                esc(&change_says(r.paired_change.as_ref()))
            );
        }
        o += TABLE_END;
        o += r#"<p class="note">comparison.csv gives every rule's paired change with its interval.</p>"#;
    }
    if cmp.rules_shared > 0 {
        for (verb, list, p) in [("added in", &cmp.rules_added, b), ("removed in", &cmp.rules_removed, a)] {
            if list.is_empty() {
                continue;
            }
            let mut body = String::from("<ul>");
            for id in list {
                let r = p.rules.iter().find(|x| &x.id == id);
                let _ = write!(
                    body,
                    r#"<li>{} <span class="id">({}; {})</span></li>"#,
                    esc(r.map_or("", |x| x.what.as_str())),
                    esc(id),
                    esc(r.map_or("", |x| x.citation.as_str()))
                );
            }
            body += "</ul>";
            o += &fold(&format!("Rules {verb} {} ({})", esc(&b.id), list.len()), &body);
        }
        if !cmp.rules_changed.is_empty() {
            let mut body = String::from("<ul>");
            for r in cmp.rules.iter().filter(|r| !r.changed.is_empty()) {
                let _ = write!(
                    body,
                    r#"<li>{} <span class="id">({})</span>: {}</li>"#,
                    esc(what(&r.id)),
                    esc(&r.id),
                    esc(&r.changed.join("; "))
                );
            }
            body += "</ul>";
            o += &fold(
                &format!("Rules changed in {} ({})", esc(&b.id), cmp.rules_changed.len()),
                &body,
            );
        }
    }
    o += "<h3>Workload, actions a week</h3>";
    o += &table(
        None,
        &[
            esc("Role"),
            format!("#{}", esc(&a.id)),
            format!("#{}", esc(&b.id)),
            headings(&["#Change"]).remove(0),
        ],
    );
    for r in &cmp.roles {
        let name = match (&r.baseline_name, &r.revision_name) {
            (Some(x), Some(y)) if x != y => format!("{x} → {y}"),
            (Some(x), _) | (None, Some(x)) => x.clone(),
            _ => String::new(),
        };
        let _ = write!(
            o,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{:+.1}</td></tr>"#,
            named(&name, &r.id),
            esc(&opt(&r.baseline_actions_per_week, 1)),
            esc(&opt(&r.revision_actions_per_week, 1)),
            r.change_per_week.unwrap_or(0.0)
        );
    }
    o += TABLE_END;
    o
}
