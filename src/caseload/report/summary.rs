//! The one-page summary for a committee (`summary.html`, beside `report.html`): the verdict, the
//! few numbers that carry it with their intervals, the staffing answer and the staff hours, and
//! the assumptions that drive them. Self-contained (no scripts, no files), and laid out to print
//! on one or two A4 pages.

use std::fmt::Write as _;

use super::super::committee::{self, Act};
use super::super::stress::{MeasureChange, ProtocolResult, Summary};
use super::committee_html::{assumptions_words, hours_html, staffing_html, verdict_html};
use super::page::{TABLE_END, head, headings, table};
use super::{change_text, counted, esc, pct, thousands, upper_first};

/// Tighter print rules, so the page fits one or two sheets of A4.
const SUMMARY_STYLE: &str = r#"
body{max-width:900px}td.n{white-space:nowrap}h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.2em}
@page{margin:12mm 11mm}
@media print{body{font-size:9pt}h1{font-size:13pt}h2{font-size:10.5pt;margin-top:.7em}table{font-size:7.5pt;margin:.3em 0}td,th{padding:1px 4px}ul{margin:.2em 0;padding-left:1.4em}.verdict{padding:.3em .7em;margin:.5em 0}}
"#;

/// The numbers the verdict rests on, each protocol's and (for two) the paired change.
fn numbers_html(s: &Summary) -> String {
    let ps = &s.protocols;
    let cmp = s.comparison.as_ref();
    let mut h: Vec<String> = headings(&["Measure"]);
    for p in ps {
        h.push(format!("#{}", esc(&p.id)));
    }
    if cmp.is_some() {
        h.extend(headings(&["#Change (95 % interval, paired)"]));
    }
    let mut o = table(Some("Means per replication, with 95 % intervals"), &h);
    let change = |measure: &str| -> Option<&MeasureChange> { cmp?.changes.iter().find(|c| c.measure == measure) };
    let mut row = |label: &str, cells: Vec<String>, ch: Option<String>| {
        let _ = write!(o, "<tr><th>{}</th>", esc(label));
        for c in cells {
            let _ = write!(o, r#"<td class="n">{}</td>"#, esc(&c));
        }
        if cmp.is_some() {
            let _ = write!(o, r#"<td class="n">{}</td>"#, esc(&ch.unwrap_or_else(|| "—".into())));
        }
        o += "</tr>";
    };
    if let Some(c) = cmp
        && let Some(ch) = change("duties_met_in_time_shared_timed_rules")
    {
        row(
            &format!(
                "Duties met in time, the {} timed rules both versions have",
                c.shared_timed_rules
            ),
            vec![pct(&c.baseline_shared_timed), pct(&c.revision_shared_timed)],
            Some(change_text(ch)),
        );
    }
    let each = |f: &dyn Fn(&ProtocolResult) -> String| ps.iter().map(f).collect::<Vec<_>>();
    let ch = |m: &str| change(m).map(change_text);
    row(
        "Duties met in time, every rule",
        each(&|p| pct(&p.compliance)),
        ch("duties_met_in_time"),
    );
    if !s.caseload.staffing.is_empty() {
        row(
            "… of the staffed roles",
            each(&|p| pct(&p.compliance_staffed)),
            ch("duties_met_in_time_staffed_roles"),
        );
    }
    if ps.iter().any(|p| p.strategy_meetings_per_week.mean > 0.0) {
        row(
            "Strategy meetings a week",
            each(&|p| p.strategy_meetings_per_week.text(1)),
            ch("strategy_meetings_per_week"),
        );
    }
    row(
        "Duties still open at the end",
        each(&|p| p.outstanding.text(0)),
        ch("duties_open_at_end"),
    );
    // The promises least often kept under the last protocol, counted once per act, beside the
    // same act under the other.
    let acts: Vec<Vec<Act>> = ps.iter().map(committee::acts).collect();
    let last = acts.last().map_or(&[][..], |v| &v[..]);
    for a in last
        .iter()
        .filter(|a| a.compliance.is_some_and(|c| c.mean < 0.999))
        .take(3)
    {
        let cells = acts
            .iter()
            .map(|list| {
                list.iter()
                    .find(|x| x.role == a.role && x.action == a.action && x.limit == a.limit)
                    .map_or_else(|| "—".into(), |x| pct(&x.compliance))
            })
            .collect();
        row(
            &format!("{} ({}): met in time", upper_first(&a.title()), a.role_name),
            cells,
            None,
        );
    }
    o + TABLE_END
}

/// The assumptions that drive the numbers, as a list.
fn assumptions_html(s: &Summary) -> String {
    let c = &s.caseload;
    let mut items: Vec<String> = vec![format!(
        "A synthetic caseload (no real child is in it): {}, {}, {} days from {}{}; {} from seed {}. Every protocol runs on the same children and episodes.",
        if c.name.is_empty() {
            "the built-in borough".to_string()
        } else {
            c.name.clone()
        },
        counted(c.children as f64, "child", "children"),
        c.horizon_days,
        c.start,
        c.calendar_note().map(|n| format!(" ({n})")).unwrap_or_default(),
        counted(c.replications as f64, "replication", "replications"),
        c.seed
    )];
    for st in &c.staffing {
        items.push(format!(
            "{}: {} on the rota, {} min an action, {}, starting on a duty {}–{} min after it arises{}.",
            committee::role_name(s, &st.role),
            thousands(st.workers as f64),
            committee::num(st.service_minutes),
            if st.office_hours_only {
                "in office hours only"
            } else {
                "round the clock"
            },
            committee::num(st.latency_min_minutes),
            committee::num(st.latency_max_minutes),
            match st.compliance < 1.0 {
                true => format!(", doing a duty with chance {}", st.compliance),
                false => String::new(),
            }
        ));
    }
    items.push(match c.staffing.is_empty() {
        true => "No role is staffed: every role acts by the book, with no limit on capacity.".into(),
        false => {
            "Every other role acts by the book, with no limit on capacity: its duties are met in time by construction."
                .into()
        }
    });
    if let Some(m) = &c.strategy_meeting_slots {
        items.push(format!(
            "Strategy meetings: {}; a meeting waits in line for a free slot.",
            crate::caseload::stress::slots_words(m)
        ));
    }
    items.push("By-the-book meetings that have time to spare are held in office hours.".into());
    items.push(format!(
        "Duties that lapse if the child is found and allow more than a day are set about {} % of the way through the time allowed.",
        committee::num(c.lapsing_duties_start * 100.0)
    ));
    items.push(assumptions_words(s));
    items.push(
        "“Met in time”: done by the deadline, as a share of the duties that fell due (met, late or missed); “immediately” is within an hour. Intervals are 95 % confidence intervals over replications (Student's t); changes are paired replication by replication."
            .into(),
    );
    let mut o = String::from("<ul>");
    for i in items {
        let _ = write!(o, "<li>{}</li>", esc(&i));
    }
    o + "</ul>"
}

/// The one-page summary.
pub fn to_summary_html(s: &Summary) -> String {
    let c = &s.caseload;
    let names: Vec<&str> = s.protocols.iter().map(|p| p.id.as_str()).collect();
    let title = format!(
        "Stress test summary — {}: {}",
        if c.name.is_empty() { "caseload" } else { &c.name },
        names.join(" against ")
    );
    let mut o = head(&title, SUMMARY_STYLE);
    let _ = write!(o, "<h1>{}</h1>", esc(&title));
    let _ = write!(o, r#"<p class="note">"#);
    for (k, p) in s.protocols.iter().enumerate() {
        let _ = write!(
            o,
            "{}<b>{}</b>: {}",
            if k > 0 { "; " } else { "" },
            esc(&p.id),
            esc(&p.title)
        );
    }
    let _ = write!(
        o,
        ". {}, {} days, {}. The full report, with every rule and role, is report.html beside this page.</p>",
        esc(&counted(c.children as f64, "child", "children")),
        c.horizon_days,
        esc(&counted(c.replications as f64, "replication", "replications"))
    );
    o += &verdict_html(s, false);
    o += "<h2>The numbers</h2>";
    o += &numbers_html(s);
    o += "<h2>Staffing</h2>";
    o += &staffing_html(s, true);
    o += &hours_html(s, Some(c.staffing.len() + 2));
    o += "<h2>Assumptions</h2>";
    o += &assumptions_html(s);
    o += "</body></html>\n";
    o
}
