//! The self-contained HTML report (`report.html`).

use std::fmt::Write as _;

use super::super::stress::{ProtocolResult, Summary};
use super::{
    COLOURS, change_label, change_text, chart_frame, comparison_headline, counted, esc, hours_late, legend_line, opt,
    pct, round_top, slot_text, thousands, thresholds_text, upper_first,
};

/// Horizontal grouped bars: compliance per rule, one bar per protocol.
/// Bars of the share met in time for each rule not always met in time under some protocol, worst
/// first, with 95 % intervals as whiskers.
fn compliance_chart(s: &Summary) -> String {
    let ids: Vec<&str> = s
        .rules_worst_first()
        .into_iter()
        .filter(|id| s.worst_compliance(id) < 0.999)
        .collect();
    if ids.is_empty() {
        return "<p>Every duty that fell due was met in time.</p>".into();
    }
    let n = s.protocols.len().max(1);
    let bar = 9.0;
    let row = bar * n as f64 + 6.0;
    let label_w = 330.0;
    let plot_w = 420.0;
    let top = 44.0;
    let height = top + row * ids.len() as f64 + 30.0;
    let width = label_w + plot_w + 70.0;
    let mut o = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="Duties met in time, by rule">"#
    );
    for k in 0..=10 {
        let x = label_w + plot_w * k as f64 / 10.0;
        let _ = write!(
            o,
            r##"<line x1="{x}" y1="{top}" x2="{x}" y2="{}" stroke="#ddd"/><text x="{x}" y="{}" font-size="10" text-anchor="middle">{}%</text>"##,
            height - 24.0,
            top - 8.0,
            k * 10
        );
    }
    for (i, id) in ids.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            o,
            r#"<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>"#,
            label_w - 6.0,
            y + row / 2.0 + 3.0,
            esc(id)
        );
        for (k, p) in s.protocols.iter().enumerate() {
            let by = y + 3.0 + bar * k as f64;
            let rule = p.rules.iter().find(|r| r.id == *id);
            if let Some(c) = rule.and_then(|r| r.compliance) {
                let w = plot_w * c.mean.clamp(0.0, 1.0);
                let _ = write!(
                    o,
                    r#"<rect x="{label_w}" y="{by}" width="{w:.1}" height="{bar}" fill="{}"><title>{}: {} — {:.1} %</title></rect><text x="{:.1}" y="{}" font-size="8">{:.1}</text>"#,
                    COLOURS[k % COLOURS.len()],
                    esc(&p.id),
                    esc(id),
                    c.mean * 100.0,
                    label_w + w.max(plot_w * c.hi.unwrap_or(c.mean)) + 3.0,
                    by + bar - 1.5,
                    c.mean * 100.0
                );
                if let (Some(lo), Some(hi)) = (c.lo, c.hi) {
                    let (x1, x2) = (label_w + plot_w * lo, label_w + plot_w * hi);
                    let ym = by + bar / 2.0;
                    let _ = write!(
                        o,
                        r##"<line x1="{x1:.1}" y1="{ym}" x2="{x2:.1}" y2="{ym}" stroke="#222"/><line x1="{x1:.1}" y1="{}" x2="{x1:.1}" y2="{}" stroke="#222"/><line x1="{x2:.1}" y1="{}" x2="{x2:.1}" y2="{}" stroke="#222"/>"##,
                        by + 2.0,
                        by + bar - 2.0,
                        by + 2.0,
                        by + bar - 2.0
                    );
                }
            } else {
                let what = match rule {
                    None => "not in this protocol",
                    Some(_) => "none fell due",
                };
                let _ = write!(
                    o,
                    r##"<text x="{}" y="{}" font-size="8" fill="#777">{what}</text>"##,
                    label_w + 3.0,
                    by + bar - 1.5
                );
            }
        }
    }
    // The key above the bars (a long chart would hide it at the bottom), and the axis title below.
    for (k, p) in s.protocols.iter().enumerate() {
        let x = label_w + 180.0 * k as f64;
        let _ = write!(
            o,
            r#"<rect x="{x}" y="2" width="10" height="10" fill="{}"/><text x="{}" y="11" font-size="11">{}</text>"#,
            COLOURS[k % COLOURS.len()],
            x + 14.0,
            esc(&p.id)
        );
    }
    let _ = write!(
        o,
        r#"<text x="{}" y="{}" font-size="11" text-anchor="middle">duties met in time, % of those that fell due (whiskers: 95 % interval)</text>"#,
        label_w + plot_w / 2.0,
        height - 6.0
    );
    o + "</svg>"
}

/// The comparison of two protocols: paired changes of the headline measures, rules added,
/// removed and moved, and each role's workload.
fn comparison_html(s: &Summary, cmp: &crate::caseload::stress::Comparison) -> String {
    let (a, b) = (&s.protocols[0], &s.protocols[1]);
    let mut o = format!("<h2>{} → {}</h2>", esc(&cmp.baseline), esc(&cmp.revision));
    let _ = write!(
        o,
        r#"<p class="headline">{}</p>"#,
        esc(&comparison_headline(cmp, s.caseload.horizon_days))
    );
    let _ = write!(o, "<p>{}.</p>", esc(&upper_first(&cmp.rule_overlap())));
    let _ = write!(
        o,
        "<table><tr><th>Measure</th><th>{}</th><th>{}</th><th>Change (95 % interval, paired)</th></tr>",
        esc(&a.id),
        esc(&b.id)
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
    o += "</table>";
    let moved = cmp.rules_moved_most();
    if !moved.is_empty() {
        let _ = write!(
            o,
            "<h3>Rules in both whose share met in time moved most</h3><table><tr><th>Rule</th><th>{}</th><th>{}</th><th>Change</th></tr>",
            esc(&a.id),
            esc(&b.id)
        );
        for r in moved.iter().take(15) {
            let what = b.rules.iter().find(|x| x.id == r.id).map_or("", |x| x.what.as_str());
            let _ = write!(
                o,
                r#"<tr><td>{}<br><span class="note">{}</span></td><td class="n">{}</td><td class="n">{}</td><td class="n">{:+.1} points</td></tr>"#,
                esc(what),
                esc(&r.id),
                esc(&pct(&r.baseline_compliance)),
                esc(&pct(&r.revision_compliance)),
                r.compliance_change.unwrap_or(0.0) * 100.0
            );
        }
        o += "</table>";
    }
    if cmp.rules_shared > 0 {
        for (what, list, p) in [("added in", &cmp.rules_added, b), ("removed in", &cmp.rules_removed, a)] {
            if list.is_empty() {
                continue;
            }
            let _ = write!(
                o,
                "<details><summary>Rules {what} {} ({})</summary><ul>",
                esc(&b.id),
                list.len()
            );
            for id in list {
                let r = p.rules.iter().find(|x| &x.id == id);
                let _ = write!(
                    o,
                    r#"<li>{} <span class="note">({}; {})</span></li>"#,
                    esc(r.map_or("", |x| x.what.as_str())),
                    esc(id),
                    esc(r.map_or("", |x| x.citation.as_str()))
                );
            }
            o += "</ul></details>";
        }
        if !cmp.rules_changed.is_empty() {
            let _ = write!(
                o,
                "<details><summary>Rules changed in {} ({})</summary><ul>",
                esc(&b.id),
                cmp.rules_changed.len()
            );
            for r in cmp.rules.iter().filter(|r| !r.changed.is_empty()) {
                let _ = write!(
                    o,
                    r#"<li><code>{}</code>: {}</li>"#,
                    esc(&r.id),
                    esc(&r.changed.join("; "))
                );
            }
            o += "</ul></details>";
        }
    }
    let _ = write!(
        o,
        "<h3>Workload, actions a week</h3><table><tr><th>Role</th><th>{}</th><th>{}</th><th>Change</th></tr>",
        esc(&a.id),
        esc(&b.id)
    );
    for r in &cmp.roles {
        let name = match (&r.baseline_name, &r.revision_name) {
            (Some(x), Some(y)) if x != y => format!("{x} → {y}"),
            (Some(x), _) | (None, Some(x)) => x.clone(),
            _ => String::new(),
        };
        let _ = write!(
            o,
            r#"<tr><td>{}<br><span class="note">{}</span></td><td class="n">{}</td><td class="n">{}</td><td class="n">{:+.1}</td></tr>"#,
            esc(&name),
            esc(&r.id),
            esc(&opt(&r.baseline_actions_per_week, 1)),
            esc(&opt(&r.revision_actions_per_week, 1)),
            r.change_per_week.unwrap_or(0.0)
        );
    }
    o += "</table>";
    o
}

/// A line chart of weekly series: (label, colour, dashed, values), with a legend of (label,
/// colour, dashed) entries.
fn line_chart(
    title: &str,
    series: &[(String, &str, bool, Vec<f64>)],
    legend: &[(String, &str, bool)],
    y_label: &str,
) -> String {
    let (w, h) = (900.0, 300.0);
    let (left, right, top, bottom) = (56.0, 250.0, 26.0, 34.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let weeks = series.iter().map(|s| s.3.len()).max().unwrap_or(0).max(2);
    let ymax = series
        .iter()
        .flat_map(|s| s.3.iter().copied())
        .fold(0.0f64, f64::max)
        .max(1.0);
    let ytop = round_top(ymax);
    let mut o = chart_frame(title, (w, h), (left, top, pw, ph), ytop, "");
    let step = (weeks / 13).max(1);
    for k in (0..weeks).step_by(step) {
        let x = left + pw * k as f64 / (weeks - 1) as f64;
        let _ = write!(
            o,
            r#"<text x="{x}" y="{}" font-size="10" text-anchor="middle">{}</text>"#,
            top + ph + 14.0,
            k + 1
        );
    }
    let _ = write!(
        o,
        r#"<text x="{}" y="{}" font-size="10" text-anchor="middle">week</text><text x="12" y="{}" font-size="10" transform="rotate(-90 12 {})" text-anchor="middle">{}</text>"#,
        left + pw / 2.0,
        h - 4.0,
        top + ph / 2.0,
        top + ph / 2.0,
        esc(y_label)
    );
    for (label, colour, dashed, values) in series {
        let pts: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(k, v)| {
                format!(
                    "{:.1},{:.1}",
                    left + pw * k as f64 / (weeks - 1) as f64,
                    top + ph - ph * (v / ytop)
                )
            })
            .collect();
        let dash = if *dashed { r#" stroke-dasharray="5 3""# } else { "" };
        let _ = write!(
            o,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="1.6"{dash} points="{}"><title>{}</title></polyline>"#,
            pts.join(" "),
            esc(label)
        );
    }
    for (i, (label, colour, dashed)) in legend.iter().enumerate() {
        let dash = if *dashed { r#" stroke-dasharray="5 3""# } else { "" };
        o += &legend_line(left + pw + 10.0, top + 12.0 + 15.0 * i as f64, colour, dash, label);
    }
    o + "</svg>"
}

/// The self-contained HTML report.
pub fn to_html(s: &Summary) -> String {
    let c = &s.caseload;
    let mut o = String::new();
    let title = format!(
        "Stress test — {} ({}, {} days)",
        if c.name.is_empty() { "caseload" } else { &c.name },
        counted(c.children as f64, "child", "children"),
        c.horizon_days
    );
    let _ = write!(
        o,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{}</title><style>
body{{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}}
table{{border-collapse:collapse;margin:1em 0;font-size:13px}}td,th{{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}}
th{{background:#f2f2f2}}td.n{{text-align:right;font-variant-numeric:tabular-nums}}h2{{margin-top:2em;border-bottom:1px solid #ccc}}
.note{{color:#555;font-size:13px}}svg{{display:block;margin:1em 0}}
</style></head><body><h1>{}</h1>"#,
        esc(&title),
        esc(&title)
    );
    let _ = write!(o, "<ul>");
    for p in &s.protocols {
        let _ = write!(o, "<li><b>{}</b>: {}</li>", esc(&p.id), esc(&p.title));
    }
    let _ = write!(o, "</ul>");
    let staffed: Vec<String> = c
        .staffing
        .iter()
        .map(|st| format!("{} ({})", st.role, st.workers))
        .collect();
    let _ = write!(
        o,
        r#"<p class="note">A synthetic caseload: no real child is in it. {} replication{} from seed {}, starting {}. Figures are means per replication with 95 % confidence intervals (Student's t); changes between the two protocols are paired replication by replication (both run on the same children and episodes). Duties “met in time” are those done by their deadline, as a share of the duties that fell due (met, late or missed); “immediately” counts as within an hour. Cancelled duties are left out, and so are duties still open when the run ended (not yet due, or with no time limit): those are counted apart, and a large number of them is a backlog. {}</p>"#,
        c.replications,
        if c.replications == 1 { "" } else { "s" },
        c.seed,
        esc(&format!(
            "{}{}",
            c.start,
            c.calendar_note().map(|n| format!(" ({n})")).unwrap_or_default()
        )),
        if staffed.is_empty() {
            "No role is staffed: every role acts by the book, with no limit on capacity.".to_string()
        } else {
            esc(&format!(
                "Staffed roles (workers): {}; they start on a duty after a delay, work one duty at a time and may wait for a free worker. Every other role acts by the book, with no limit on capacity, so its duties are met in time by construction: “of the staffed roles” is the share that tests the staffing.",
                staffed.join(", ")
            ))
        } + &match &c.strategy_meeting_slots {
            Some(m) => esc(&format!(
                " Strategy meetings: {}; a meeting waits in line for a free slot, and one whose child is back first is not held.",
                crate::caseload::stress::slots_words(m)
            )),
            None => String::new(),
        }
    );
    // Headline table.
    let _ = write!(o, "<h2>Summary</h2><table><tr><th></th>");
    for p in &s.protocols {
        let _ = write!(o, "<th>{}</th>", esc(&p.id));
    }
    o += "</tr>";
    type Cell = Box<dyn Fn(&ProtocolResult) -> String>;
    let mut rows: Vec<(&str, Cell)> = vec![
        ("Episodes", Box::new(|p| p.episodes.text(0))),
        ("Duties met in time", Box::new(|p| pct(&p.compliance))),
    ];
    if !c.staffing.is_empty() {
        rows.push(("… of the staffed roles", Box::new(|p| pct(&p.compliance_staffed))));
    }
    rows.extend::<Vec<(&str, Cell)>>(vec![
        ("Duties still open at the end", Box::new(|p| p.outstanding.text(0))),
        (
            "Strategy meetings a week",
            Box::new(|p| p.strategy_meetings_per_week.text(1)),
        ),
        (
            "Strategy-meeting actions a week",
            Box::new(|p| p.strategy_meeting_actions_per_week.text(1)),
        ),
        (
            "Meetings held in a slot a week",
            Box::new(|p| slot_text(p, &|m| m.meetings_per_week.text(1))),
        ),
        (
            "Wait for a strategy-meeting slot (min)",
            Box::new(|p| slot_text(p, &|m| opt(&m.mean_wait_minutes, 1))),
        ),
        (
            "Then for office hours, as meeting slots keep them (min)",
            Box::new(|p| slot_text(p, &|m| opt(&m.mean_office_hours_wait_minutes, 1))),
        ),
        (
            "Strategy-meeting slots busy",
            Box::new(|p| slot_text(p, &|m| pct(&Some(m.busy)))),
        ),
        (
            "Escalation duties (repeat-episode rules)",
            Box::new(|p| p.escalations.text(1)),
        ),
        ("Repeat thresholds", Box::new(thresholds_text)),
        (
            "Children over a repeat threshold",
            Box::new(|p| match p.thresholds.is_empty() {
                true => "— (the protocol sets none)".into(),
                false => p.children_escalated.text(1),
            }),
        ),
        ("Episodes per child", Box::new(|p| p.episodes_per_child.text(2))),
    ]);
    if c.strategy_meeting_slots.is_none() {
        rows.retain(|(label, _)| !label.contains("meeting slot") && !label.contains("in a slot"));
    }
    for (label, f) in &rows {
        let _ = write!(o, "<tr><th>{}</th>", esc(label));
        for p in &s.protocols {
            let _ = write!(o, r#"<td class="n">{}</td>"#, esc(&f(p)));
        }
        o += "</tr>";
    }
    o += "</table>";
    if let Some(cmp) = &s.comparison {
        o += &comparison_html(s, cmp);
    }
    o += "<h2>Duties met in time, by rule</h2><p class=\"note\">Rules not always met in time under at least one protocol, worst first (the tables below give every rule).</p>";
    o += &compliance_chart(s);
    // Workload.
    o += "<h2>Workload per week</h2><p class=\"note\">Actions done per week by the staffed roles and the busiest others (mean over replications). Week 1 starts with no episode under way, so it is lighter than the rest.";
    if s.protocols.len() > 1 {
        let _ = write!(
            o,
            " Solid: {}; dashed: {}.",
            esc(&s.protocols[0].id),
            esc(&s.protocols[1].id)
        );
    }
    o += "</p>";
    let mut top: Vec<(&str, f64)> = Vec::new();
    for p in &s.protocols {
        for r in &p.roles {
            match top.iter_mut().find(|(id, _)| *id == r.id) {
                Some(t) => t.1 = t.1.max(r.actions_per_week.mean),
                None => top.push((&r.id, r.actions_per_week.mean)),
            }
        }
    }
    // Staffed roles first (the staffing is what is being tested), then the busiest others.
    let staffed = |id: &str| c.staffing.iter().any(|st| st.role == id);
    top.sort_by(|a, b| {
        staffed(b.0)
            .cmp(&staffed(a.0))
            .then(b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal))
            .then_with(|| a.0.cmp(b.0))
    });
    top.truncate(6);
    // A colour for each role; the revision's lines dashed (the legend says which is which).
    let mut series = Vec::new();
    for (k, p) in s.protocols.iter().enumerate() {
        for (i, (id, _)) in top.iter().enumerate() {
            if let Some(r) = p.roles.iter().find(|r| r.id == *id) {
                let label = if s.protocols.len() > 1 {
                    format!("{id} ({})", p.id)
                } else {
                    id.to_string()
                };
                series.push((label, COLOURS[i % COLOURS.len()], k > 0, r.weekly.clone()));
            }
        }
    }
    let mut legend: Vec<(String, &str, bool)> = top
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.to_string(), COLOURS[i % COLOURS.len()], false))
        .collect();
    if s.protocols.len() > 1 {
        for (k, p) in s.protocols.iter().enumerate() {
            legend.push((p.id.clone(), "#000", k > 0));
        }
    }
    o += &line_chart("Actions per week by role", &series, &legend, "actions");
    let meetings: Vec<_> = s
        .protocols
        .iter()
        .enumerate()
        .map(|(k, p)| {
            (
                p.id.clone(),
                COLOURS[k % COLOURS.len()],
                false,
                p.strategy_meetings_weekly.clone(),
            )
        })
        .collect();
    let legend: Vec<(String, &str, bool)> = meetings.iter().map(|(l, c, d, _)| (l.clone(), *c, *d)).collect();
    o += &line_chart("Strategy meetings held per week", &meetings, &legend, "meetings");
    // Roles table.
    for p in &s.protocols {
        let _ = write!(
            o,
            "<h2>{}: roles</h2><table><tr><th>Role</th><th>Staff</th><th>Duties arising a week</th><th>Actions a week</th><th>Busiest week</th><th>Busy (share of time on duty)</th><th>Mean wait for a worker</th><th>Late</th><th>Missed</th><th>Still open at the end</th></tr>",
            esc(&p.id)
        );
        for r in &p.roles {
            // Roles acting by the book have no queue to wait in.
            let wait = match (r.workers, r.mean_queue_wait_minutes) {
                (Some(_), Some(w)) => crate::caseload::stress::wait_short(w.mean),
                _ => "—".into(),
            };
            let _ = write!(
                o,
                r#"<tr><td>{}<br><span class="note">{}</span></td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                esc(&r.name),
                esc(&r.id),
                r.workers.map(|n| n.to_string()).unwrap_or_else(|| "by the book".into()),
                r.duties_per_week.text(1),
                r.actions_per_week.text(1),
                r.busiest_week.text(0),
                esc(&pct(&r.utilisation)),
                esc(&wait),
                r.late.text(1),
                r.missed.text(1),
                r.outstanding.text(1)
            );
        }
        o += "</table>";
        let _ = write!(
            o,
            "<h3>Episodes per child</h3><table><tr><th>Episodes in the horizon</th><th>Children</th></tr>"
        );
        for b in &p.episodes_per_child_histogram {
            let _ = write!(
                o,
                r#"<tr><td>{}</td><td class="n">{}</td></tr>"#,
                esc(&b.episodes),
                b.children.text(1)
            );
        }
        o += "</table>";
        if !p.thresholds.is_empty() {
            o += "<h3>Repeat-episode thresholds</h3><table><tr><th>Threshold</th><th>Children crossing it</th></tr>";
            for t in &p.thresholds {
                let _ = write!(
                    o,
                    r#"<tr><td>{} episodes in {} days</td><td class="n">{}</td></tr>"#,
                    t.episodes,
                    t.within_days,
                    t.children.text(1)
                );
            }
            o += "</table>";
        }
        let _ = write!(
            o,
            "<h2>{}: rules</h2><table><tr><th>Rule (what it asks, where from)</th><th>Duties</th><th>Met in time</th><th>Late</th><th>Mean time late</th><th>Missed</th><th>Cancelled</th><th>Still open at the end</th><th>Mean wait for a worker</th><th>Likely cause</th></tr>",
            esc(&p.id)
        );
        for r in &p.rules {
            let late = match (&r.mean_late_hours, r.late.mean > 0.0) {
                (Some(h), true) => hours_late(h.mean),
                _ => "—".into(),
            };
            let wait = match (
                &r.mean_queue_wait_minutes,
                c.staffing.iter().any(|st| st.role == r.role),
            ) {
                (Some(w), true) => crate::caseload::stress::wait_short(w.mean),
                _ => "—".into(),
            };
            let _ = write!(
                o,
                r#"<tr><td>{}<br><span class="note" title="{}">{} — {} ({})</span></td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td></tr>"#,
                esc(&r.what),
                esc(&r.quote),
                esc(&r.citation),
                esc(&r.id),
                esc(&r.strength.to_lowercase()),
                r.fired.text(1),
                pct(&r.compliance),
                r.late.text(1),
                esc(&late),
                r.missed.text(1),
                r.cancelled.text(1),
                r.outstanding.text(1),
                esc(&wait),
                esc(r.likely_cause.as_deref().unwrap_or(""))
            );
        }
        o += "</table>";
    }
    if !c.staffing.is_empty() {
        o += "<h2>Staffing</h2><table><tr><th>Role</th><th>Workers</th><th>Minutes per action</th><th>Office hours only</th><th>Latency (min)</th><th>Compliance</th></tr>";
        for st in &c.staffing {
            let _ = write!(
                o,
                r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td><td class="n">{}–{}</td><td class="n">{}</td></tr>"#,
                esc(&st.role),
                st.workers,
                st.service_minutes,
                if st.office_hours_only { "yes" } else { "no" },
                st.latency_min_minutes,
                st.latency_max_minutes,
                st.compliance
            );
        }
        o += "</table>";
    }
    let _ = write!(
        o,
        r#"<p class="note">{} episodes and {} engine events in {:.2} s on {}{}.</p></body></html>"#,
        thousands(s.episodes as f64),
        thousands(s.events as f64),
        s.run.wall_seconds,
        counted(s.run.threads as f64, "thread", "threads"),
        s.run
            .peak_rss_bytes
            .map(|b| format!("; peak memory {:.0} MB", b as f64 / 1_048_576.0))
            .unwrap_or_default()
    );
    o.push('\n');
    o
}
