//! The cohort view as one self-contained HTML page: inline CSS and an inline SVG bar chart, no
//! script, nothing fetched. Every text from debriefs or the LRS goes through maud's escaping.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{Counts, GroupRow, RuleRow, Summary};

const CSS: &str = r#"
body { font-family: "Segoe UI", Arial, Helvetica, sans-serif; color: #1a1a1a; margin: 0 auto;
       max-width: 1100px; padding: 24px; font-size: 15px; line-height: 1.4; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 28px 0 6px; border-bottom: 2px solid #1a1a1a; }
.sub { color: #555; margin: 0 0 12px; }
table { width: 100%; border-collapse: collapse; margin: 6px 0 14px; }
th, td { border: 1px solid #b8b8b8; padding: 5px 7px; text-align: left; vertical-align: top; }
th { background: #eef2f7; font-size: 13px; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.cite { display: block; font-size: 12px; color: #555; }
.rid { font-family: Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; }
.legend span { display: inline-block; margin-right: 14px; font-size: 13px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }
svg { display: block; margin: 8px 0 16px; }
@media print { thead { display: table-header-group; } tr { break-inside: avoid; } }
"#;

/// Status, label and colour, in the order bars are stacked.
const SEGMENTS: [(&str, &str); 5] = [
    ("met", "#2e7d32"),
    ("late", "#f9a825"),
    ("missed", "#c62828"),
    ("wrongful", "#6a1b9a"),
    ("early", "#78909c"),
];

fn values(c: &Counts) -> [u64; 5] {
    [c.met, c.late, c.missed, c.wrongful, c.early]
}

/// A bar's label, cut to what fits left of the bars (the whole of it is the label's tooltip).
fn label(text: &str) -> String {
    const FITS: usize = 66;
    if text.chars().count() <= FITS {
        text.to_string()
    } else {
        format!(
            "…{}",
            text.chars().skip(text.chars().count() - (FITS - 1)).collect::<String>()
        )
    }
}

/// A bar's segments: where each starts, its width, label, colour and count (none for a count of 0).
fn segments(c: &Counts, left: f64, per_duty: f64) -> Vec<(f64, f64, &'static str, &'static str, u64)> {
    let mut x = left;
    let mut out = Vec::new();
    for ((label, colour), n) in SEGMENTS.iter().zip(values(c)) {
        if n > 0 {
            let w = per_duty * n as f64;
            out.push((x, w, *label, *colour, n));
            x += w;
        }
    }
    out
}

/// A horizontal stacked bar per rule: its scored duties by status.
fn chart(rules: &[RuleRow]) -> Markup {
    let rows: Vec<&RuleRow> = rules
        .iter()
        .filter(|r| values(&r.counts).iter().sum::<u64>() > 0)
        .collect();
    let most = rows
        .iter()
        .map(|r| values(&r.counts).iter().sum::<u64>())
        .max()
        .unwrap_or(1)
        .max(1);
    let (left, bar_w, row_h, top) = (440.0, 420.0, 22.0, 8.0);
    let width = left + bar_w + 60.0;
    let height = top * 2.0 + row_h * rows.len() as f64;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(width) height=(height)
            viewBox=(format!("0 0 {width} {height}")) role="img"
            aria-label="Scored duties per rule, by status" {
            @for (i, r) in rows.iter().enumerate() {
                @let y = top + row_h * i as f64;
                @let total = values(&r.counts).iter().sum::<u64>();
                text x=(left - 8.0) y=(y + 15.0) font-size="12" text-anchor="end" {
                    (label(&format!("{} / {}", r.protocol, r.rule)))
                    title { (format!("{} / {}", r.protocol, r.rule)) }
                }
                @for (x, w, label, colour, n) in segments(&r.counts, left, bar_w / most as f64) {
                    rect x=(format!("{x:.1}")) y=(y + 3.0) width=(format!("{w:.1}")) height=(row_h - 6.0) fill=(colour) {
                        title { (format!("{}: {n} {label}", r.rule)) }
                    }
                }
                text x=(format!("{:.1}", left + bar_w * total as f64 / most as f64 + 6.0)) y=(y + 15.0) font-size="12" {
                    (total)
                }
            }
        }
    }
}

fn count_cells(c: &Counts) -> Markup {
    html! {
        td.n { (c.met) } td.n { (c.late) } td.n { (c.missed) } td.n { (c.wrongful) } td.n { (c.early) }
        td.n { (c.not_counted) }
    }
}

fn count_heads() -> Markup {
    html! { th { "Met" } th { "Late" } th { "Missed" } th { "Wrongful" } th { "Early" } th { "Not counted" } }
}

fn group_table(first: &str, rows: &[GroupRow]) -> Markup {
    html! {
        table {
            thead { tr { th { (first) } th { "Attempts" } th { "Trainees" } th { "Mean score" } (count_heads()) } }
            tbody {
                @for g in rows {
                    tr {
                        td { span.rid { (g.name) } @if !g.detail.is_empty() { span.cite { (g.detail) } } }
                        td.n { (g.attempts) } td.n { (g.trainees) }
                        td.n { @match g.mean_percent { Some(p) => (format!("{p}%")), None => "–" } }
                        (count_cells(&g.counts))
                    }
                }
            }
        }
    }
}

/// The page.
pub fn page(s: &Summary) -> String {
    let markup = html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Cohort view" }
                style { (PreEscaped(CSS)) }
            }
            body {
                h1 { "Cohort view" }
                p.sub {
                    (s.attempts) " attempts by " (s.trainees) " trainees, from " (s.source)
                    @if s.unfinished > 0 { " (" (s.unfinished) " sessions started but not finished are not counted)" }
                }
                h2 { "Duties most often missed" }
                @if s.most_missed.is_empty() {
                    p { "No duty was missed." }
                } @else {
                    ol {
                        @for r in &s.most_missed {
                            li {
                                span.rid { (r.protocol) " / " (r.rule) } " (" (r.role) "): missed "
                                (r.counts.missed) " of " (r.counts.total()) " duties, in " (r.attempts) " attempts"
                                span.cite { "cites " (r.citation) }
                            }
                        }
                    }
                }
                h2 { "Scored duties per rule" }
                p.legend {
                    @for (label, colour) in SEGMENTS {
                        span { i style=(format!("background:{colour}")) {} (label) }
                    }
                }
                (chart(&s.rules))
                h2 { "Per rule" }
                table {
                    thead { tr { th { "Rule" } th { "Role" } (count_heads()) th { "Attempts" } } }
                    tbody {
                        @for r in &s.rules {
                            tr {
                                td { span.rid { (r.protocol) " / " (r.rule) } span.cite { (r.citation) } }
                                td { (r.role) }
                                (count_cells(&r.counts))
                                td.n { (r.attempts) }
                            }
                        }
                    }
                }
                h2 { "By role" }
                (group_table("Role", &s.by_role))
                h2 { "By scenario" }
                (group_table("Scenario", &s.by_scenario))
            }
        }
    };
    markup.into_string()
}
