//! The terminal report.

use std::fmt::Write as _;

use super::super::stress::{ProtocolResult, Summary};
use super::{
    change_label, change_text, comparison_headline, counted, hours_late, opt, pct, slot_text, thousands, thousands_1,
    thresholds_text, upper_first,
};

/// The terminal report: each protocol, side by side.
pub fn to_text(s: &Summary) -> String {
    let mut o = String::new();
    let c = &s.caseload;
    let _ = writeln!(o, "Stress test: {}", c.describe());
    if let Some(note) = c.calendar_note() {
        let _ = writeln!(o, "{note}");
    }
    let _ = writeln!(o, "\nVerdict");
    for line in wrap(&crate::caseload::committee::verdict(s, &s.assumptions), 96) {
        let _ = writeln!(o, "  {line}");
    }
    for line in wrap(&format!("({})", assumptions_text(s)), 96) {
        let _ = writeln!(o, "  {line}");
    }
    let _ = writeln!(o);
    match c.replications {
        1 => {
            let _ = writeln!(
                o,
                "One replication: means with no intervals (two or more give 95 % intervals).\n"
            );
        }
        _ => {
            let _ = writeln!(o, "Means per replication with 95 % confidence intervals.\n");
        }
    }
    let ps = &s.protocols;
    let w = 26;
    let mut row = |label: &str, f: &dyn Fn(&ProtocolResult) -> String| {
        let _ = write!(o, "{label:<36}");
        for p in ps {
            let _ = write!(o, " {:<w$}", f(p));
        }
        let _ = writeln!(o);
    };
    row("", &|p| p.id.clone());
    row("Episodes", &|p| p.episodes.text(0));
    row("Duties met in time", &|p| pct(&p.compliance));
    if !c.staffing.is_empty() {
        row("  of the staffed roles", &|p| pct(&p.compliance_staffed));
    }
    row("Duties still open at the end", &|p| p.outstanding.text(0));
    row("Strategy meetings a week", &|p| p.strategy_meetings_per_week.text(1));
    row("Strategy-meeting actions a week", &|p| {
        p.strategy_meeting_actions_per_week.text(1)
    });
    if c.strategy_meeting_slots.is_some() {
        row("  meetings in a slot a week", &|p| {
            slot_text(p, &|m| m.meetings_per_week.text(1))
        });
        row("  wait for a meeting slot (min)", &|p| {
            slot_text(p, &|m| opt(&m.mean_wait_minutes, 1))
        });
        row("  then for office hours (min)", &|p| {
            slot_text(p, &|m| opt(&m.mean_office_hours_wait_minutes, 1))
        });
        row("  meeting slots busy", &|p| slot_text(p, &|m| pct(&Some(m.busy))));
    }
    row("Escalation duties (repeat episodes)", &|p| p.escalations.text(1));
    row("Children over a repeat threshold", &|p| match p.thresholds.is_empty() {
        true => "— (the protocol sets none)".into(),
        false => p.children_escalated.text(1),
    });
    row("Episodes per child", &|p| p.episodes_per_child.text(2));
    let _ = writeln!(o);
    for p in ps {
        let _ = writeln!(o, "{}: {}", p.id, p.title);
        let _ = writeln!(o, "  repeat thresholds: {}", thresholds_text(p));
    }
    let _ = writeln!(o, "\nWorkload: actions a week (busiest week)");
    let mut roles: Vec<&str> = Vec::new();
    for p in ps {
        for r in &p.roles {
            if !roles.contains(&r.id.as_str()) {
                roles.push(&r.id);
            }
        }
    }
    for id in &roles {
        let staff = ps
            .iter()
            .flat_map(|p| &p.roles)
            .find(|r| r.id == *id)
            .and_then(|r| r.workers)
            .map(|n| format!(" ({n} staff)"))
            .unwrap_or_default();
        let _ = write!(o, "  {:<34}", format!("{id}{staff}"));
        for p in ps {
            let cell = match p.roles.iter().find(|r| r.id == *id) {
                Some(r) => format!("{:.1} ({:.0})", r.actions_per_week.mean, r.busiest_week.mean),
                None => "—".into(),
            };
            let _ = write!(o, " {cell:<w$}");
        }
        let _ = writeln!(o);
    }
    // Roles the caseload staffs (the others act by the book, with no queue to wait in).
    let staffed: Vec<&str> = roles
        .iter()
        .copied()
        .filter(|id| {
            ps.iter()
                .flat_map(|p| &p.roles)
                .any(|r| r.id == *id && r.workers.is_some())
        })
        .collect();
    if !staffed.is_empty() {
        let _ = writeln!(
            o,
            "\nStaffed roles: duties arising a week; mean wait for a free worker; share of time on duty busy; duties still open at the end"
        );
    }
    let cells: Vec<(&str, Vec<String>)> = staffed
        .iter()
        .map(|id| {
            let cells = ps
                .iter()
                .map(|p| match p.roles.iter().find(|r| r.id == *id) {
                    Some(r) => format!(
                        "{:.1}; wait {}; busy {}; {} open",
                        r.duties_per_week.mean,
                        r.mean_queue_wait_minutes
                            .map_or("—".into(), |e| crate::caseload::stress::wait_short(e.mean)),
                        r.utilisation.map_or("—".into(), |u| format!("{:.0} %", u.mean * 100.0)),
                        thousands(r.outstanding.mean)
                    ),
                    None => "—".into(),
                })
                .collect();
            (*id, cells)
        })
        .collect();
    let cw = cells
        .iter()
        .flat_map(|(_, c)| c.iter().map(|x| x.chars().count()))
        .max()
        .unwrap_or(0)
        .max(w);
    for (id, cs) in cells {
        let _ = write!(o, "  {id:<34}");
        for cell in cs {
            let _ = write!(o, " {cell:<cw$}");
        }
        let _ = writeln!(o);
    }
    committee_text(&mut o, s);
    for p in ps {
        let mut worst: Vec<_> = p.rules.iter().filter(|r| r.compliance.is_some()).collect();
        worst.sort_by(|a, b| {
            a.compliance
                .map(|e| e.mean)
                .partial_cmp(&b.compliance.map(|e| e.mean))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.id.cmp(&b.id))
        });
        let shown: Vec<_> = worst
            .iter()
            .filter(|r| r.compliance.is_some_and(|c| c.mean < 0.999))
            .take(12)
            .collect();
        let _ = writeln!(o, "\n{}: rules least often met in time", p.id);
        if shown.is_empty() {
            let _ = writeln!(o, "  every duty that fell due was met in time");
        }
        let never = p.rules.iter().filter(|r| r.fired.mean == 0.0).count();
        if never > 0 {
            let _ = writeln!(
                o,
                "  ({never} of its {} rules were never set off by this caseload: rules.csv lists them, with fired 0)",
                p.rules.len()
            );
        }
        for r in shown {
            rule_lines(&mut o, r);
        }
        // Rules met in time whenever they fell due, but with many duties still waiting.
        let backlog: Vec<_> = p
            .rules
            .iter()
            .filter(|r| r.compliance.is_none_or(|c| c.mean >= 0.999))
            .filter(|r| {
                r.fired.mean > 0.0 && r.outstanding.mean / r.fired.mean >= crate::caseload::stress::BACKLOG_SHARE
            })
            .filter(|r| r.likely_cause.is_some())
            .collect();
        if !backlog.is_empty() {
            let _ = writeln!(o, "\n{}: rules with a backlog (duties still open at the end)", p.id);
            for r in backlog {
                rule_lines(&mut o, r);
            }
        }
    }
    if let Some(cmp) = &s.comparison {
        let _ = writeln!(o, "\n{} → {}", cmp.baseline, cmp.revision);
        let _ = writeln!(o, "  {}", comparison_headline(cmp, s.caseload.horizon_days));
        let _ = writeln!(o, "  {}", cmp.rule_overlap());
        let _ = writeln!(
            o,
            "  change, revision minus baseline (paired by replication, 95 % interval):"
        );
        for c in &cmp.changes {
            let _ = writeln!(o, "    {:<44} {}", change_label(&c.measure), change_text(c));
        }
        if cmp.rules_shared > 0 {
            for (what, list) in [("added", &cmp.rules_added), ("removed", &cmp.rules_removed)] {
                if list.is_empty() {
                    continue;
                }
                let more = match list.len() > 20 {
                    true => format!(" … and {} more (comparison.csv lists every rule)", list.len() - 20),
                    false => String::new(),
                };
                let _ = writeln!(o, "  {what}: {}{more}", list[..list.len().min(20)].join(", "));
            }
            for r in cmp.rules.iter().filter(|r| !r.changed.is_empty()).take(20) {
                let _ = writeln!(o, "  changed: {} ({})", r.id, r.changed.join("; "));
            }
        }
        let moved = cmp.rules_moved_most();
        if !moved.is_empty() {
            let _ = writeln!(o, "  largest changes in duties met in time:");
        }
        for r in moved.iter().take(10) {
            let _ = writeln!(
                o,
                "    {:<44} {} → {} ({:+.1} points)",
                r.id,
                pct(&r.baseline_compliance),
                pct(&r.revision_compliance),
                r.compliance_change.unwrap_or(0.0) * 100.0
            );
        }
        let changed: Vec<_> = cmp
            .roles
            .iter()
            .filter(|r| r.change_per_week.is_some_and(|d| d.abs() >= 0.05))
            .collect();
        if !changed.is_empty() {
            let _ = writeln!(o, "  workload change, actions a week:");
            for r in changed {
                // The same id may name different posts in two boroughs' protocols.
                let names = match (&r.baseline_name, &r.revision_name) {
                    (Some(a), Some(b)) if a != b => format!(" ({a} → {b})"),
                    _ => String::new(),
                };
                let _ = writeln!(o, "    {:<30} {:+.1}{names}", r.id, r.change_per_week.unwrap_or(0.0));
            }
        }
    }
    let _ = writeln!(
        o,
        "\n{} episodes, {} events in {:.2} s ({} events/s, {}){}",
        thousands(s.episodes as f64),
        thousands(s.events as f64),
        s.run.wall_seconds,
        thousands(s.run.events_per_second),
        counted(s.run.threads as f64, "thread", "threads"),
        s.run
            .peak_rss_bytes
            .map(|b| format!(", peak memory {:.0} MB", b as f64 / 1_048_576.0))
            .unwrap_or_default()
    );
    o
}

/// A rule in the text report: its figures, what it asks and where from, and why it is late.
fn rule_lines(o: &mut String, r: &crate::caseload::stress::RuleResult) {
    let late = match &r.mean_late_hours {
        Some(h) if r.late.mean > 0.0 => format!(", {} late on average", hours_late(h.mean)),
        _ => String::new(),
    };
    let open = match r.outstanding.mean >= 0.05 {
        true => format!("  still open {}", thousands_1(r.outstanding.mean)),
        false => String::new(),
    };
    let _ = writeln!(
        o,
        "  {:<44} met in time {}  of {} duties: late {}{late}  missed {}{open}",
        r.id,
        pct(&r.compliance),
        thousands_1(r.fired.mean),
        thousands_1(r.late.mean),
        thousands_1(r.missed.mean),
    );
    let _ = writeln!(o, "      {} [{}]", r.what, r.citation);
    if let Some(why) = &r.likely_cause {
        let _ = writeln!(o, "      why: {why}");
    }
}

/// Text wrapped at `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line += word;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The assumptions behind staff hours and the staffing answer, in a sentence.
fn assumptions_text(s: &Summary) -> String {
    let a = &s.assumptions;
    format!(
        "Staff hours: {}; a staffed role's hours are the time booked on its rota, another role's {} min an action (assumed). A promise is judged against {} % met in time.",
        a.post_words(),
        crate::caseload::committee::num(a.minutes_per_action),
        crate::caseload::committee::num(a.target * 100.0)
    )
}

/// The committee's part: the staffing answer, staff hours and full-time posts, and the promises
/// least often kept, each act counted once.
fn committee_text(o: &mut String, s: &Summary) {
    use crate::caseload::committee;
    let a = &s.assumptions;
    let two = s.protocols.len() > 1;
    let answers = committee::staffing_answers(s, a);
    if !answers.is_empty() {
        let _ = writeln!(
            o,
            "\nStaffing answer (judged against {} % met in time)",
            committee::num(a.target * 100.0)
        );
        for x in &answers {
            let under = match two {
                true => format!(" under {}", x.protocol),
                false => String::new(),
            };
            let lines = wrap(
                &format!(
                    "{} ({}), {} on the rota{under}: {}.",
                    x.name, x.role, x.workers, x.words
                ),
                94,
            );
            for (k, line) in lines.iter().enumerate() {
                let _ = writeln!(o, "{}{line}", if k == 0 { "  " } else { "      " });
            }
        }
    }
    let hours = committee::staff_hours(s, a);
    if !hours.is_empty() {
        let _ = writeln!(o, "\nStaff hours a week and full-time posts ({})", a.post_words());
        let mut roles: Vec<&str> = Vec::new();
        for x in &hours {
            if !roles.contains(&x.role.as_str()) {
                roles.push(&x.role);
            }
        }
        let staffed = |id: &str| s.caseload.staffing.iter().any(|st| st.role == id);
        roles.sort_by_key(|id| !staffed(id));
        for id in roles {
            let cells: Vec<String> = s
                .protocols
                .iter()
                .filter_map(|p| {
                    let x = hours.iter().find(|x| x.role == id && x.protocol == p.id)?;
                    let under = match two {
                        true => format!("{}: ", p.id),
                        false => String::new(),
                    };
                    Some(format!(
                        "{under}{} h = {} posts",
                        committee::est1(&x.hours_per_week),
                        committee::est1(&x.posts)
                    ))
                })
                .collect();
            let basis = hours
                .iter()
                .rev()
                .find(|x| x.role == id)
                .map_or("", |x| x.basis.as_str());
            let _ = writeln!(o, "  {} ({id})", committee::role_name(s, id));
            let _ = writeln!(o, "      {} ({basis})", cells.join("; "));
        }
    }
    for p in &s.protocols {
        let acts = committee::acts(p);
        let shown: Vec<_> = acts
            .iter()
            .filter(|x| x.compliance.is_some_and(|c| c.mean < 0.999))
            .take(8)
            .collect();
        if shown.is_empty() {
            continue;
        }
        let _ = writeln!(
            o,
            "\n{}: promises least often kept (each act counted once, however many rules ask for it)",
            p.id
        );
        for x in shown {
            let _ = writeln!(
                o,
                "  {} ({}): met in time {} of {} a run",
                upper_first(&x.title()),
                x.role_name,
                pct(&x.compliance),
                thousands_1(x.duties)
            );
            let _ = writeln!(o, "      rules: {}", x.rules.join(", "));
        }
    }
}
