//! Stress-test reports: text for the terminal, CSV tables, the JSON summary and a self-contained
//! HTML page with SVG charts drawn here (no scripts, no external files).

use std::fmt::Write as _;
use std::path::Path;

use super::stress::{Estimate, ProtocolResult, Summary};

/// A share as a percentage with its interval: `87.5 (84.0–91.0) %`.
/// A count with its noun, thousands separated: "1 child", "2,000 children".
pub fn counted(n: f64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1.0 { one } else { many })
}

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

/// A whole number with thousands separated by commas (`14,896,482`).
pub fn thousands(n: f64) -> String {
    let s = format!("{:.0}", n);
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// The terminal report: each protocol, side by side.
pub fn to_text(s: &Summary) -> String {
    let mut o = String::new();
    let c = &s.caseload;
    let _ = writeln!(o, "Stress test: {}", c.describe());
    if let Some(note) = c.calendar_note() {
        let _ = writeln!(o, "{note}");
    }
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
                            .map_or("—".into(), |e| super::stress::wait_short(e.mean)),
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
            .filter(|r| r.fired.mean > 0.0 && r.outstanding.mean / r.fired.mean >= super::stress::BACKLOG_SHARE)
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
fn rule_lines(o: &mut String, r: &super::stress::RuleResult) {
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

/// A mean count: thousands separated, one decimal below 100 (`3.9`, `1,716`).
pub fn thousands_1(n: f64) -> String {
    if n.abs() < 100.0 {
        format!("{n:.1}")
    } else {
        thousands(n)
    }
}

/// The text with its first letter a capital.
pub fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
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

/// Write `rules.csv`, `workload.csv`, `summary.csv` (and `comparison.csv` for two protocols),
/// `summary.json` and `report.html` into `dir`.
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
            "in_protocols",
            "baseline_compliance",
            "revision_compliance",
            "change",
            "change_paired",
            "change_lo",
            "change_hi",
            "baseline_fired",
            "revision_fired",
            "what_changed",
        ]))
        .map_err(csv_err)?;
        for r in &cmp.rules {
            w.write_record(crate::escape::csv_record(&[
                r.id.as_str(),
                &r.in_protocols,
                &est_cols(&r.baseline_compliance)[0],
                &est_cols(&r.revision_compliance)[0],
                &r.compliance_change.map(|x| x.to_string()).unwrap_or_default(),
                &est_cols(&r.paired_change)[0],
                &est_cols(&r.paired_change)[1],
                &est_cols(&r.paired_change)[2],
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

    let path = dir.join("report.html");
    std::fs::write(&path, to_html(s))?;
    written.push(path);
    Ok(written)
}

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) const COLOURS: [&str; 8] = [
    "#1f6fb2", "#e07b00", "#2a9d3a", "#c0392b", "#7b4fa0", "#8c564b", "#d4459b", "#5f6b6d",
];

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
fn comparison_html(s: &Summary, cmp: &super::stress::Comparison) -> String {
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

/// A round top for a chart's axis at or above `ymax` (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a
/// power of ten).
pub(crate) fn round_top(ymax: f64) -> f64 {
    let mag = 10f64.powf(ymax.log10().floor());
    [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|t| *t >= ymax)
        .unwrap_or(10.0 * mag)
}

/// An SVG chart's opening: its title, and six grid lines up the plot area (`left`, `top`, width,
/// height) labelled from 0 to `ytop`, each label followed by `suffix`.
pub(crate) fn chart_frame(
    title: &str,
    (w, h): (f64, f64),
    (left, top, pw, ph): (f64, f64, f64, f64),
    ytop: f64,
    suffix: &str,
) -> String {
    let mut o = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><text x="{left}" y="16" font-size="12" font-weight="bold">{t}</text>"#,
        t = esc(title)
    );
    for k in 0..=5 {
        let v = ytop * k as f64 / 5.0;
        let y = top + ph - ph * k as f64 / 5.0;
        let _ = write!(
            o,
            r##"<line x1="{left}" y1="{y}" x2="{}" y2="{y}" stroke="#ddd"/><text x="{}" y="{}" font-size="10" text-anchor="end">{}{suffix}</text>"##,
            left + pw,
            left - 4.0,
            y + 3.0,
            if ytop >= 10.0 { thousands(v) } else { format!("{v:.1}") }
        );
    }
    o
}

/// A line chart's legend entry at (`x`, `y`): a sample of the line (`dash`: its dash attribute,
/// or empty), then its label.
/// A label longer than the legend has room for is cut short with "…", whole in its tooltip.
pub(crate) fn legend_line(x: f64, y: f64, colour: &str, dash: &str, label: &str) -> String {
    const ROOM: usize = 38;
    let shown = match label.chars().count() > ROOM {
        true => format!("{}…", label.chars().take(ROOM - 1).collect::<String>()),
        false => label.to_string(),
    };
    format!(
        r#"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="{colour}" stroke-width="2"{dash}/><text x="{}" y="{}" font-size="10"><title>{}</title>{}</text>"#,
        x + 20.0,
        x + 24.0,
        y + 3.0,
        esc(label),
        esc(&shown)
    )
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
                super::stress::slots_words(m)
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
                (Some(_), Some(w)) => super::stress::wait_short(w.mean),
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
                (Some(w), true) => super::stress::wait_short(w.mean),
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
