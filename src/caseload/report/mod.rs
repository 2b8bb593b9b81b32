//! Stress-test reports: text for the terminal, CSV tables, the JSON summary and a self-contained
//! HTML page with SVG charts drawn here (no scripts, no external files).

use std::path::Path;

use super::stress::{Estimate, ProtocolResult, Summary};

mod charts;
mod committee_html;
mod compare_html;
mod html;
mod page;
mod summary;
mod text;

pub use super::numbers::{counted, thousands, thousands_1, upper_first};
pub(crate) use charts::{COLOURS, chart_frame, esc, legend_line, round_top};
pub use html::to_html;
pub(crate) use page::head as page_head;
pub use summary::to_summary_html;
pub use text::to_text;

/// A share as a percentage with its interval: `87.5 (84.0–91.0) %`.
pub fn pct(e: &Option<Estimate>) -> String {
    match e {
        Some(e) => {
            let s = Estimate {
                mean: e.mean * 100.0,
                lo: e.lo.map(|x| x * 100.0),
                hi: e.hi.map(|x| x * 100.0),
            };
            format!("{} %", s.text(1))
        }
        None => "—".into(),
    }
}

/// A figure of the protocol's strategy-meeting slots, or why there is none.
pub fn slot_text(p: &ProtocolResult, f: &dyn Fn(&super::stress::MeetingSlotResult) -> String) -> String {
    match &p.meeting_slots {
        Some(m) => f(m),
        None => "— (the protocol holds no strategy meetings)".into(),
    }
}

/// An estimate with its interval, or `—` where there is none.
pub fn opt(e: &Option<Estimate>, decimals: usize) -> String {
    e.map(|e| e.text(decimals)).unwrap_or_else(|| "—".into())
}

/// A headline measure's name in words (`summary.csv` names → report labels).
pub fn change_label(measure: &str) -> &str {
    match measure {
        "duties_met_in_time_shared_timed_rules" => "Duties met in time, timed rules both share",
        "duties_met_in_time" => "Duties met in time",
        "duties_met_in_time_staffed_roles" => "Duties met in time, staffed roles",
        "strategy_meetings_per_week" => "Strategy meetings a week",
        "escalation_duties" => "Escalation duties (repeat-episode rules)",
        "children_over_a_repeat_threshold" => "Children over a repeat threshold",
        "duties_open_at_end" => "Duties still open at the end",
        other => other,
    }
}

/// The comparison's headline in words: the change on the timed rules both versions share, and
/// the duties the rules added and removed bring, a year, apart ("havering-2023-10 adds 20,600
/// duties a year with no time limit, which can never be late").
pub fn comparison_headline(cmp: &super::stress::Comparison, horizon_days: i64) -> String {
    let year = 365.0 / horizon_days.max(1) as f64;
    let per_year = |n: f64| thousands((n * year).round());
    let mut o = match cmp
        .changes
        .first()
        .filter(|c| c.measure == "duties_met_in_time_shared_timed_rules")
    {
        Some(c) => format!(
            "On the {} rules with a time limit that both versions have, duties met in time go from {} to {}: {} (paired, 95 % interval).",
            cmp.shared_timed_rules,
            pct(&cmp.baseline_shared_timed),
            pct(&cmp.revision_shared_timed),
            change_text(c)
        ),
        None => "The two versions share no rule with a time limit: they are compared as wholes.".to_string(),
    };
    let side = |who: &str, verb: &str, timed: f64, untimed: f64| -> Option<String> {
        (timed + untimed >= 0.5).then(|| {
            format!(
                " {who} {verb} {} duties a year with no time limit (which can never be late) and {} with one.",
                per_year(untimed),
                per_year(timed)
            )
        })
    };
    o += &side(&cmp.revision, "adds", cmp.added_duties_timed, cmp.added_duties_untimed).unwrap_or_default();
    o += &side(
        &cmp.revision,
        "drops",
        cmp.removed_duties_timed,
        cmp.removed_duties_untimed,
    )
    .unwrap_or_default();
    o += " The other measures below count every rule, added and removed ones included.";
    o
}

/// A change in words: shares in points, counts as they are.
pub fn change_text(c: &super::stress::MeasureChange) -> String {
    match c.measure.starts_with("duties_met_in_time") {
        true => format!("{} points", c.change.change_text(100.0, 1)),
        false => c.change.change_text(1.0, 1),
    }
}

/// The repeat-episode thresholds a protocol escalates at, in words: `3 episodes in 90 days`, or
/// `none set`.
pub fn thresholds_text(p: &ProtocolResult) -> String {
    if p.thresholds.is_empty() {
        return "none set".into();
    }
    let t: Vec<String> = p
        .thresholds
        .iter()
        .map(|t| format!("{} episodes in {} days", t.episodes, t.within_days))
        .collect();
    t.join("; ")
}

/// Hours late, as people say it: `1.8 h`, or `90.2 days` for long waits.
pub fn hours_late(h: f64) -> String {
    if h >= 48.0 {
        format!("{:.1} days", h / 24.0)
    } else {
        format!("{h:.1} h")
    }
}

pub(crate) fn est_cols(e: &Option<Estimate>) -> [String; 3] {
    match e {
        Some(e) => [
            e.mean.to_string(),
            e.lo.map(|x| x.to_string()).unwrap_or_default(),
            e.hi.map(|x| x.to_string()).unwrap_or_default(),
        ],
        None => [String::new(), String::new(), String::new()],
    }
}

/// Write `rules.csv`, `workload.csv`, `summary.csv` (and `comparison.csv` and `changes.csv` for
/// two protocols), `summary.json`, `staff_hours.csv`, `report.html` and the one-page
/// `summary.html` into `dir`.
pub fn write_all(s: &Summary, dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    let csv_err = |e: csv::Error| std::io::Error::other(e.to_string());

    let path = dir.join("rules.csv");
    let mut w = csv::Writer::from_path(&path).map_err(csv_err)?;
    w.write_record(crate::escape::csv_record(&[
        "protocol",
        "rule",
        "role",
        "action",
        "trigger",
        "deadline",
        "strength",
        "fired",
        "met",
        "late",
        "missed",
        "cancelled",
        "compliance",
        "compliance_lo",
        "compliance_hi",
        "mean_late_hours",
        "mean_queue_wait_minutes",
        "likely_cause",
        "still_open_at_end",
        "what",
        "citation",
        "quote",
    ]))
    .map_err(csv_err)?;
    for p in &s.protocols {
        for r in &p.rules {
            let c = est_cols(&r.compliance);
            w.write_record(crate::escape::csv_record(&[
                p.id.as_str(),
                &r.id,
                &r.role,
                &r.action,
                &r.trigger,
                &r.deadline,
                &r.strength,
                &r.fired.mean.to_string(),
                &r.met.mean.to_string(),
                &r.late.mean.to_string(),
                &r.missed.mean.to_string(),
                &r.cancelled.mean.to_string(),
                &c[0],
                &c[1],
                &c[2],
                &est_cols(&r.mean_late_hours)[0],
                &est_cols(&r.mean_queue_wait_minutes)[0],
                r.likely_cause.as_deref().unwrap_or(""),
                &r.outstanding.mean.to_string(),
                &r.what,
                &r.citation,
                &r.quote,
            ]))
            .map_err(csv_err)?;
        }
    }
    w.flush()?;
    written.push(path);

    let path = dir.join("workload.csv");
    let mut w = csv::Writer::from_path(&path).map_err(csv_err)?;
    w.write_record(crate::escape::csv_record(&[
        "protocol",
        "role",
        "week",
        "week_starting",
        "actions",
    ]))
    .map_err(csv_err)?;
    let start = chrono::NaiveDate::parse_from_str(&s.caseload.start, "%Y-%m-%d").ok();
    for p in &s.protocols {
        for r in &p.roles {
            for (k, n) in r.weekly.iter().enumerate() {
                let from = start
                    .map(|d| (d + chrono::Duration::days(7 * k as i64)).to_string())
                    .unwrap_or_default();
                w.write_record(crate::escape::csv_record(&[
                    p.id.as_str(),
                    &r.id,
                    &(k + 1).to_string(),
                    &from,
                    &n.to_string(),
                ]))
                .map_err(csv_err)?;
            }
        }
    }
    w.flush()?;
    written.push(path);

    let path = dir.join("summary.csv");
    let mut w = csv::Writer::from_path(&path).map_err(csv_err)?;
    w.write_record(crate::escape::csv_record(&["protocol", "measure", "mean", "lo", "hi"]))
        .map_err(csv_err)?;
    for p in &s.protocols {
        let mut rows: Vec<(String, Option<Estimate>)> = vec![
            ("episodes".into(), Some(p.episodes)),
            ("events".into(), Some(p.events)),
            ("duties_met_in_time".into(), p.compliance),
            ("duties_met_in_time_staffed_roles".into(), p.compliance_staffed),
            ("duties_open_at_end".into(), Some(p.outstanding)),
            ("strategy_meetings_per_week".into(), Some(p.strategy_meetings_per_week)),
            (
                "strategy_meeting_actions_per_week".into(),
                Some(p.strategy_meeting_actions_per_week),
            ),
            ("escalation_duties".into(), Some(p.escalations)),
            ("children_over_a_repeat_threshold".into(), Some(p.children_escalated)),
            (
                "strategy_meeting_slot_wait_minutes".into(),
                p.meeting_slots.as_ref().and_then(|m| m.mean_wait_minutes),
            ),
            (
                "strategy_meeting_slots_busy".into(),
                p.meeting_slots.as_ref().map(|m| m.busy),
            ),
            (
                "strategy_meeting_slot_office_hours_wait_minutes".into(),
                p.meeting_slots.as_ref().and_then(|m| m.mean_office_hours_wait_minutes),
            ),
            (
                "strategy_meetings_in_a_slot_per_week".into(),
                p.meeting_slots.as_ref().map(|m| m.meetings_per_week),
            ),
            ("episodes_per_child".into(), Some(p.episodes_per_child)),
        ];
        for t in &p.thresholds {
            rows.push((
                format!("children_with_{}_episodes_in_{}_days", t.episodes, t.within_days),
                Some(t.children),
            ));
        }
        for b in &p.episodes_per_child_histogram {
            rows.push((
                format!("children_with_{}_episodes_in_the_horizon", b.episodes),
                Some(b.children),
            ));
        }
        for r in &p.roles {
            rows.push((format!("{}_actions_per_week", r.id), Some(r.actions_per_week)));
            if r.workers.is_some() {
                rows.push((format!("{}_mean_queue_wait_minutes", r.id), r.mean_queue_wait_minutes));
                rows.push((format!("{}_open_at_end", r.id), Some(r.outstanding)));
            }
        }
        for (m, e) in rows {
            let c = est_cols(&e);
            w.write_record(crate::escape::csv_record(&[p.id.as_str(), &m, &c[0], &c[1], &c[2]]))
                .map_err(csv_err)?;
        }
    }
    w.flush()?;
    written.push(path);

    if let Some(cmp) = &s.comparison {
        let path = dir.join("comparison.csv");
        let mut w = csv::Writer::from_path(&path).map_err(csv_err)?;
        w.write_record(crate::escape::csv_record(&[
            "rule",
            "what",
            "role",
            "in_protocols",
            "baseline_compliance",
            "baseline_compliance_lo",
            "baseline_compliance_hi",
            "revision_compliance",
            "revision_compliance_lo",
            "revision_compliance_hi",
            "change",
            "change_paired",
            "change_lo",
            "change_hi",
            "change_says",
            "baseline_fired",
            "revision_fired",
            "what_changed",
        ]))
        .map_err(csv_err)?;
        // The rule's sentence and role: the revision's where it has the rule.
        let rule_of = |id: &str| {
            s.protocols
                .iter()
                .rev()
                .find_map(|p| p.rules.iter().find(|r| r.id == id))
        };
        for r in &cmp.rules {
            let (b, v, d) = (
                est_cols(&r.baseline_compliance),
                est_cols(&r.revision_compliance),
                est_cols(&r.paired_change),
            );
            let rule = rule_of(&r.id);
            w.write_record(crate::escape::csv_record(&[
                r.id.as_str(),
                rule.map_or("", |x| x.what.as_str()),
                rule.map_or("", |x| x.role.as_str()),
                &r.in_protocols,
                &b[0],
                &b[1],
                &b[2],
                &v[0],
                &v[1],
                &v[2],
                &r.compliance_change.map(|x| x.to_string()).unwrap_or_default(),
                &d[0],
                &d[1],
                &d[2],
                &change_says(r.paired_change.as_ref()),
                &est_cols(&r.baseline_fired)[0],
                &est_cols(&r.revision_fired)[0],
                &r.changed.join("; "),
            ]))
            .map_err(csv_err)?;
        }
        w.flush()?;
        written.push(path);

        let path = dir.join("changes.csv");
        let mut w = csv::Writer::from_path(&path).map_err(csv_err)?;
        w.write_record(crate::escape::csv_record(&["measure", "change", "lo", "hi"]))
            .map_err(csv_err)?;
        for ch in &cmp.changes {
            let c = est_cols(&Some(ch.change));
            w.write_record(crate::escape::csv_record(&[ch.measure.as_str(), &c[0], &c[1], &c[2]]))
                .map_err(csv_err)?;
        }
        w.flush()?;
        written.push(path);
    }

    let path = dir.join("summary.json");
    std::fs::write(&path, serde_json::to_string_pretty(s).expect("serialisable") + "\n")?;
    written.push(path);

    let path = dir.join("staff_hours.csv");
    write_staff_hours(s, &path)?;
    written.push(path);

    let path = dir.join("report.html");
    std::fs::write(&path, to_html(s))?;
    written.push(path);

    let path = dir.join("summary.html");
    std::fs::write(&path, to_summary_html(s))?;
    written.push(path);
    Ok(written)
}

/// A paired change's interval in words: whether it is clear of nothing (`a change the rules
/// make`), reaches across it (`within chance`), or has none (duties fell due under both in one
/// replication only).
pub fn change_says(c: Option<&Estimate>) -> String {
    match c.map(|c| (c.lo, c.hi)) {
        None => String::new(),
        Some((Some(lo), Some(hi))) if lo > 0.0 || hi < 0.0 => "a change the rules make".into(),
        Some((Some(_), Some(_))) => "within chance".into(),
        Some(_) => "no interval: duties fell due under both in one replication only".into(),
    }
}

/// `staff_hours.csv`: each role's work under each protocol, in hours a week and full-time posts,
/// with the assumptions that turn one into the other.
fn write_staff_hours(s: &Summary, path: &Path) -> std::io::Result<()> {
    let csv_err = |e: csv::Error| std::io::Error::other(e.to_string());
    let a = &s.assumptions;
    let mut w = csv::Writer::from_path(path).map_err(csv_err)?;
    w.write_record(crate::escape::csv_record(&[
        "protocol",
        "role",
        "role_name",
        "workers",
        "actions_per_week",
        "minutes_per_action",
        "basis",
        "hours_per_week",
        "hours_per_week_lo",
        "hours_per_week_hi",
        "full_time_posts",
        "full_time_posts_lo",
        "full_time_posts_hi",
        "post_hours_per_week",
        "casework_share",
    ]))
    .map_err(csv_err)?;
    for x in super::committee::staff_hours(s, a) {
        let (h, p) = (est_cols(&Some(x.hours_per_week)), est_cols(&Some(x.posts)));
        w.write_record(crate::escape::csv_record(&[
            x.protocol.as_str(),
            &x.role,
            &x.name,
            &x.workers.map(|n| n.to_string()).unwrap_or_default(),
            &x.actions_per_week.mean.to_string(),
            &x.minutes_per_action.to_string(),
            &x.basis,
            &h[0],
            &h[1],
            &h[2],
            &p[0],
            &p[1],
            &p[2],
            &a.post_hours_per_week.to_string(),
            &a.casework_share.to_string(),
        ]))
        .map_err(csv_err)?;
    }
    w.flush()
}
