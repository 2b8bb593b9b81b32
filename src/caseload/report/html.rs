//! The self-contained HTML report (`report.html`).

use std::fmt::Write as _;

use super::super::stress::{Estimate, ProtocolResult, RuleResult, Summary};
use super::charts::{demand_charts, line_chart, open_duties_chart, workload_chart};
use super::committee_html::{acts_html, hours_html, staffing_html, verdict_html};
use super::compare_html::comparison_html;
use super::page::{TABLE_END, fixed, head, headings, named, table};
use super::{COLOURS, counted, esc, hours_late, opt, pct, slot_text, thousands, thresholds_text};

/// A rule in words for a chart's label: its sentence less the name of the role that starts it
/// ("Offer a return home interview, within 72 h after child returned"), and where that is longer
/// than `room`, less its asides in brackets, then cut with "…".
fn rule_words(p: &ProtocolResult, r: &RuleResult, room: usize) -> String {
    let role = p
        .roles
        .iter()
        .find(|x| x.id == r.role)
        .map_or(r.role.as_str(), |x| x.name.as_str());
    let words = r
        .what
        .strip_prefix(role)
        .and_then(|x| x.strip_prefix(": "))
        .unwrap_or(&r.what);
    if words.chars().count() <= room {
        return words.to_string();
    }
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in words.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            c if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let plain = plain
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ,", ",");
    cut(&plain, room)
}

/// An estimate for a narrow table cell: the mean, and its 95 % interval on a second, smaller
/// line (so a printed column keeps each figure whole).
fn cell(e: &Estimate, decimals: usize) -> String {
    match (e.lo, e.hi) {
        (Some(lo), Some(hi)) => format!(
            r#"{:.*}<br><span class="ci">{:.*}–<wbr>{:.*}</span>"#,
            decimals, e.mean, decimals, lo, decimals, hi
        ),
        _ => format!("{:.*}", decimals, e.mean),
    }
}

/// A share for a narrow table cell, as [`cell`] in per cent (`—` where there is none).
fn share_cell(e: &Option<Estimate>) -> String {
    match e {
        Some(e) => {
            let k = |x: f64| x * 100.0;
            let e = Estimate {
                mean: k(e.mean),
                lo: e.lo.map(k),
                hi: e.hi.map(k),
            };
            cell(&e, 1).replacen("<br>", " %<br>", 1) + if e.lo.is_none() { " %" } else { "" }
        }
        None => "—".into(),
    }
}

/// Text cut to `room` characters, with "…" where it was cut.
fn cut(t: &str, room: usize) -> String {
    match t.chars().count() > room {
        true => format!("{}…", t.chars().take(room - 1).collect::<String>()),
        false => t.to_string(),
    }
}

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
    // Room for the rule in words and its id under it.
    let row = (bar * n as f64 + 6.0).max(26.0);
    let label_w = 430.0;
    let plot_w = 380.0;
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
        // The rule in words (whole in its tooltip), its id on a second, smaller line.
        let rule = s
            .protocols
            .iter()
            .rev()
            .find_map(|p| p.rules.iter().find(|r| r.id == *id).map(|r| (p, r)));
        let words = rule.map_or_else(|| id.to_string(), |(p, r)| rule_words(p, r, 76));
        let rule = rule.map(|(_, r)| r);
        let _ = write!(
            o,
            r##"<text x="{x}" y="{}" font-size="10" text-anchor="end"><title>{}</title>{}</text><text class="id" x="{x}" y="{}" font-size="8" fill="#777" text-anchor="end">{}</text>"##,
            y + row / 2.0 - 1.0,
            esc(rule.map_or(*id, |r| r.what.as_str())),
            esc(&words),
            y + row / 2.0 + 9.0,
            esc(id),
            x = label_w - 6.0,
        );
        for (k, p) in s.protocols.iter().enumerate() {
            let by = y + (row - bar * n as f64) / 2.0 + bar * k as f64;
            let rule = p.rules.iter().find(|r| r.id == *id);
            if let Some(c) = rule.and_then(|r| r.compliance) {
                let w = plot_w * c.mean.clamp(0.0, 1.0);
                let _ = write!(
                    o,
                    r#"<rect x="{label_w}" y="{by}" width="{w:.1}" height="{bar}" fill="{}"><title>{}: {} — {:.1} %</title></rect><text x="{:.1}" y="{}" font-size="8">{:.1}</text>"#,
                    COLOURS[k % COLOURS.len()],
                    esc(&p.id),
                    esc(&words),
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

/// The page's opening paragraph: what was run, and how to read the figures.
fn intro(s: &Summary) -> String {
    let c = &s.caseload;
    let staffed: Vec<String> = c
        .staffing
        .iter()
        .map(|st| {
            format!(
                "{} ({})",
                crate::caseload::committee::role_name(s, &st.role),
                st.workers
            )
        })
        .collect();
    format!(
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
    )
}

/// The headline measures, protocol by protocol.
fn summary_table(s: &Summary) -> String {
    let c = &s.caseload;
    let mut h = vec![String::new()];
    h.extend(s.protocols.iter().map(|p| format!("#{}", esc(&p.id))));
    let mut o = table(None, &h);
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
    o + TABLE_END
}

/// The charts over time: workload, open duties (backlog), work booked against time on duty,
/// strategy meetings.
fn charts_over_time(s: &Summary) -> String {
    let mut o = String::new();
    let solid_dashed = match s.protocols.len() > 1 {
        true => format!(
            " Solid: {}; dashed: {}.",
            esc(&s.protocols[0].id),
            esc(&s.protocols[1].id)
        ),
        false => String::new(),
    };
    let _ = write!(
        o,
        r#"<h2>Workload per week</h2><p class="note">Actions done per week by the staffed roles and the busiest others (mean over replications). Week 1 starts with no episode under way, so it is lighter than the rest.{solid_dashed}</p>"#
    );
    o += &workload_chart(s);
    let _ = write!(
        o,
        r#"<h2>Open duties over time</h2><p class="note">Duties arisen and not yet met, missed or cancelled at the end of each week, by role (the staffed roles and those with the most open): a line that keeps rising is a backlog of work waiting for a worker. Duties whose role nobody has told of the child are left out: they are no one's backlog, and are counted as never told.{}{solid_dashed}</p>"#,
        esc(&never_told_words(s))
    );
    o += &open_duties_chart(s);
    if !s.caseload.staffing.is_empty() {
        o += r#"<h2>Demand against capacity</h2><p class="note">For each staffed role: the hours of its workers' time booked each week (every action at the caseload's minutes, duties that lapsed before a worker got to them included) against the hours its workers are on duty (workers × office hours on working days, or round the clock). Demand close to capacity means long waits; demand far below it, with duties still late, means the waits are for office hours or the start-up delay, not for a free worker.</p>"#;
        o += &demand_charts(s);
    }
    if s.protocols.iter().any(|p| p.strategy_meetings_per_week.mean > 0.0) {
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
        o += "<h2>Strategy meetings</h2>";
        o += &line_chart("Strategy meetings held per week", &meetings, &legend, "meetings");
    }
    o
}

/// The duties whose role nobody told of the child, by role, in words (" Never told, a run: …").
fn never_told_words(s: &Summary) -> String {
    let mut parts: Vec<String> = Vec::new();
    for p in &s.protocols {
        let mut by_role: Vec<(&str, f64)> = Vec::new();
        for r in p.rules.iter().filter(|r| r.never_told.mean > 0.0) {
            match by_role.iter_mut().find(|x| x.0 == r.role) {
                Some(x) => x.1 += r.never_told.mean,
                None => by_role.push((&r.role, r.never_told.mean)),
            }
        }
        by_role.sort_by(|a, b| b.1.total_cmp(&a.1));
        let list: Vec<String> = by_role
            .iter()
            .filter(|x| x.1 >= 0.5)
            .map(|(role, n)| format!("{} {}", crate::caseload::committee::role_name(s, role), thousands(*n)))
            .collect();
        if !list.is_empty() {
            let under = match s.protocols.len() > 1 {
                true => format!(" under {}", p.id),
                false => String::new(),
            };
            parts.push(format!("{}{under}", list.join(", ")));
        }
    }
    match parts.is_empty() {
        true => String::new(),
        false => format!(" Duties never told, a run: {}.", parts.join("; ")),
    }
}

/// A protocol's roles, episodes per child, repeat thresholds and rules, as tables.
fn protocol_tables(s: &Summary, p: &ProtocolResult) -> String {
    let c = &s.caseload;
    let mut o = format!("<h2>{}: roles</h2>", esc(&p.id));
    o += &table(
        None,
        &headings(&[
            "Role",
            "#Staff",
            "#Duties arising a week",
            "#Actions a week",
            "#Busiest week",
            "#Busy (share of time on duty)",
            "#Mean wait for a worker",
            "#Late",
            "#Missed",
            "#Still open at the end",
        ]),
    );
    for r in &p.roles {
        // Roles acting by the book have no queue to wait in.
        let wait = match (r.workers, r.mean_queue_wait_minutes) {
            (Some(_), Some(w)) => crate::caseload::stress::wait_short(w.mean),
            _ => "—".into(),
        };
        let _ = write!(
            o,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            named(&r.name, &r.id),
            r.workers.map(|n| n.to_string()).unwrap_or_else(|| "by the book".into()),
            cell(&r.duties_per_week, 1),
            cell(&r.actions_per_week, 1),
            cell(&r.busiest_week, 0),
            share_cell(&r.utilisation),
            esc(&wait),
            cell(&r.late, 1),
            cell(&r.missed, 1),
            cell(&r.outstanding, 1)
        );
    }
    o += TABLE_END;
    o += "<h3>Episodes per child</h3>";
    o += &table(None, &headings(&["Episodes in the horizon", "#Children"]));
    for b in &p.episodes_per_child_histogram {
        let _ = write!(
            o,
            r#"<tr><td>{}</td><td class="n">{}</td></tr>"#,
            esc(&b.episodes),
            b.children.text(1)
        );
    }
    o += TABLE_END;
    if !p.thresholds.is_empty() {
        o += "<h3>Repeat-episode thresholds</h3>";
        o += &table(None, &headings(&["Threshold", "#Children crossing it"]));
        for t in &p.thresholds {
            let _ = write!(
                o,
                r#"<tr><td>{} episodes in {} days</td><td class="n">{}</td></tr>"#,
                t.episodes,
                t.within_days,
                t.children.text(1)
            );
        }
        o += TABLE_END;
    }
    let _ = write!(o, "<h2>{}: rules</h2>", esc(&p.id));
    o += &fixed(
        table(
            None,
            &headings(&[
                "Rule (what it asks, where from)",
                "#Duties",
                "#Met in time",
                "#Late",
                "#Mean time late",
                "#Missed",
                "#Cancelled",
                "#Still open at the end",
                "#Mean wait for a worker",
                "Likely cause",
            ]),
        ),
        &["32%", "7%", "8%", "6%", "6%", "6%", "6%", "6%", "6%", "17%"],
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
        // The document's words: a tooltip on screen, printed under the rule on paper.
        let quote = match r.quote.is_empty() {
            true => String::new(),
            false => format!(r#"<div class="quote print-only">“{}”</div>"#, esc(&r.quote)),
        };
        let _ = write!(
            o,
            r#"<tr><td>{}<br><span class="note" title="{}">{} ({})</span><br><span class="id">{}</span>{quote}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td></tr>"#,
            esc(&r.what),
            esc(&r.quote),
            esc(&r.citation),
            esc(&r.strength.to_lowercase()),
            esc(&r.id),
            cell(&r.fired, 1),
            share_cell(&r.compliance),
            cell(&r.late, 1),
            esc(&late),
            cell(&r.missed, 1),
            cell(&r.cancelled, 1),
            cell(&r.outstanding, 1),
            esc(&wait),
            esc(r.likely_cause.as_deref().unwrap_or(""))
        );
    }
    o + TABLE_END
}

/// The caseload's staffing, as run.
fn staffing_table(s: &Summary) -> String {
    let mut o = String::from("<h2>Staffing as run</h2>");
    o += &table(
        None,
        &headings(&[
            "Role",
            "#Workers",
            "#Minutes per action",
            "Office hours only",
            "#Latency (min)",
            "#Compliance",
        ]),
    );
    for st in &s.caseload.staffing {
        let _ = write!(
            o,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td><td class="n">{}–{}</td><td class="n">{}</td></tr>"#,
            named(&crate::caseload::committee::role_name(s, &st.role), &st.role),
            st.workers,
            st.service_minutes,
            if st.office_hours_only { "yes" } else { "no" },
            st.latency_min_minutes,
            st.latency_max_minutes,
            st.compliance
        );
    }
    o + TABLE_END
}

/// The self-contained HTML report: the verdict first, then the numbers, the staffing answer and
/// staff hours, the comparison, the charts, and every role and rule.
pub fn to_html(s: &Summary) -> String {
    let c = &s.caseload;
    let title = format!(
        "Stress test — {} ({}, {} days)",
        if c.name.is_empty() { "caseload" } else { &c.name },
        counted(c.children as f64, "child", "children"),
        c.horizon_days
    );
    let mut o = head(&title, "");
    let _ = write!(o, "<h1>{}</h1><ul>", esc(&title));
    for p in &s.protocols {
        let _ = write!(o, "<li><b>{}</b>: {}</li>", esc(&p.id), esc(&p.title));
    }
    o += "</ul>";
    o += &verdict_html(s, true);
    o += r#"<p class="note">summary.html, beside this page, puts the verdict, its numbers and assumptions and the staffing answer on one printed page.</p>"#;
    o += &intro(s);
    o += "<h2>Summary</h2>";
    o += &summary_table(s);
    o += "<h2>Staffing: the answer</h2>";
    o += &staffing_html(s, false);
    o += "<h2>Staff hours and full-time posts</h2>";
    o += &hours_html(s, None);
    o += "<h2>Promises, each act counted once</h2><p class=\"note\">Rules that ask one role for one act within one time limit are one promise: one return interview meets every rule that asks for it. Least often kept first; the rules' ids under each.</p>";
    for p in &s.protocols {
        o += &acts_html(p, 10);
    }
    if let Some(cmp) = &s.comparison {
        o += &comparison_html(s, cmp);
    }
    o += "<h2>Duties met in time, by rule</h2><p class=\"note\">Rules not always met in time under at least one protocol, worst first (the tables below give every rule).</p>";
    o += &compliance_chart(s);
    o += &charts_over_time(s);
    for p in &s.protocols {
        o += &protocol_tables(s, p);
    }
    if !c.staffing.is_empty() {
        o += &staffing_table(s);
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
