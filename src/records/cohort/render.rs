//! The cohort view as text (for a terminal) and as CSV (for a spreadsheet: one row per rule per
//! scenario, every cell escaped against formulas).

use super::{Counts, GroupRow, Summary, plain};
use crate::escape::csv_record;

fn counts_text(c: &Counts) -> String {
    format!(
        "met {:>3}  late {:>3}  missed {:>3}  wrongful {:>3}  early {:>3}  not counted {:>3}",
        c.met, c.late, c.missed, c.wrongful, c.early, c.not_counted
    )
}

fn score_text(p: Option<f64>) -> String {
    p.map(|p| format!("{p}%")).unwrap_or_else(|| "-".into())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn groups(title: &str, rows: &[GroupRow]) -> String {
    let mut s = format!("\n{title}\n");
    for g in rows {
        s += &format!(
            "  {}  ({}): {}, {}, mean score {}\n    {}\n",
            plain(&g.name),
            plain(&g.detail),
            plural(g.attempts, "attempt", "attempts"),
            plural(g.trainees, "trainee", "trainees"),
            score_text(g.mean_percent),
            counts_text(&g.counts)
        );
    }
    s
}

/// The cohort view as text.
pub fn text(s: &Summary) -> String {
    let mut out = format!(
        "Cohort: {} by {} from {}\n",
        plural(s.attempts, "attempt", "attempts"),
        plural(s.trainees, "trainee", "trainees"),
        plain(&s.source)
    );
    if s.unfinished > 0 {
        out += &format!(
            "({} started but not finished: not counted)\n",
            plural(s.unfinished, "session", "sessions")
        );
    }
    if s.attempts == 0 {
        return out + "Nothing to count yet.\n";
    }
    out += "\nDuties most often missed\n";
    if s.most_missed.is_empty() {
        out += "  none: no duty was missed\n";
    }
    for (i, r) in s.most_missed.iter().enumerate() {
        out += &format!(
            "  {}. {} / {} ({}): missed {} of {} duties, in {}\n     cites {}\n",
            i + 1,
            plain(&r.protocol),
            plain(&r.rule),
            plain(&r.role),
            r.counts.missed,
            r.counts.total(),
            plural(r.attempts, "attempt", "attempts"),
            plain(&r.citation)
        );
    }
    out += "\nPer rule (duties by status)\n";
    for r in &s.rules {
        out += &format!(
            "  {} / {} ({})\n    {}\n    cites {}\n",
            plain(&r.protocol),
            plain(&r.rule),
            plain(&r.role),
            counts_text(&r.counts),
            plain(&r.citation)
        );
    }
    out += &groups("By role", &s.by_role);
    out += &groups("By scenario", &s.by_scenario);
    out
}

/// The CSV: one row per rule per scenario.
pub fn csv(s: &Summary) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "scenario",
        "protocol",
        "role",
        "rule",
        "citation",
        "duties",
        "met",
        "late",
        "missed",
        "wrongful",
        "early",
        "not_counted",
        "attempts",
    ];
    w.write_record(header).expect("in memory");
    for r in &s.scenario_rules {
        let c = &r.counts;
        let nums = [
            c.total(),
            c.met,
            c.late,
            c.missed,
            c.wrongful,
            c.early,
            c.not_counted,
            r.attempts as u64,
        ];
        let mut cells = vec![
            r.scenario.clone(),
            r.protocol.clone(),
            r.role.clone(),
            r.rule.clone(),
            r.citation.clone(),
        ];
        cells.extend(nums.iter().map(|n| n.to_string()));
        w.write_record(csv_record(&cells)).expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("utf-8 in, utf-8 out")
}
