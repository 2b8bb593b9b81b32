//! The debrief for the room: each agency's score and duties as a single trainee's debrief has
//! them, one multi-agency timeline of acts and handovers, how long each agency waited to hear of
//! the child and then to act, and everyone's decisions with their rationales side by side. As
//! JSON, Markdown and a self-contained HTML page (maud escapes everything people typed).

use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Serialize;

use super::table::Table;
use super::view::{DecisionView, Line};
use crate::escape::{markdown_cell, markdown_text};

#[derive(Debug, Serialize)]
pub struct Duty {
    pub rule: String,
    pub citation: String,
    pub action: String,
    pub status: String,
    pub due: Option<String>,
    pub done: Option<String>,
    pub feedback: String,
}

#[derive(Debug, Serialize)]
pub struct Agency {
    pub role: String,
    pub name: String,
    /// Who played it; empty: it acted by the book.
    pub players: Vec<String>,
    pub percent: f64,
    pub earned: f64,
    pub possible: f64,
    pub duties: Vec<Duty>,
    /// When it was told of the child (hours into the scenario), if it was.
    pub told_hours: Option<f64>,
    /// Its first act after being told, if any (hours into the scenario).
    pub first_act_hours: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Debrief {
    pub code: String,
    pub title: String,
    pub protocol: String,
    /// When the child left (hours into the scenario), where the chain starts.
    pub left_hours: Option<f64>,
    pub agencies: Vec<Agency>,
    /// Every act, handover, message and event of the exercise, in time order.
    pub timeline: Vec<Line>,
    pub decisions: Vec<DecisionView>,
}

fn hours(t: &Table, x: chrono::NaiveDateTime) -> f64 {
    ((x - t.scenario.start).num_minutes() as f64 / 60.0 * 100.0).round() / 100.0
}

pub fn build(t: &Table) -> Debrief {
    let reports = t.debrief();
    let p = &t.scenario.protocol;
    let agencies = t
        .playable_roles()
        .iter()
        .map(|role| {
            let mut sc = t.scenario.clone();
            sc.scenario.trainee_role = role.clone();
            let report = reports
                .iter()
                .find(|r| &r.role == role)
                .cloned()
                .unwrap_or_else(|| crate::scoring::report(&sc, &t.engine, t.seed));
            let told = t.told_at(role);
            let first_act = told.and_then(|at| {
                t.engine
                    .actions_done
                    .iter()
                    .find(|(x, _, r, _, _)| r == role && *x >= at)
                    .map(|(x, ..)| *x)
            });
            Agency {
                role: role.clone(),
                name: t.role_name(role),
                players: t
                    .seats
                    .iter()
                    .filter(|s| &s.role == role)
                    .map(|s| s.name.clone())
                    .collect(),
                percent: report.score.percent,
                earned: report.score.earned,
                possible: report.score.possible,
                duties: report
                    .obligations
                    .iter()
                    .map(|o| Duty {
                        rule: o.rule.clone(),
                        citation: o.citation.clone(),
                        action: p.action(&o.action).map_or(o.action.clone(), |a| a.name.clone()),
                        status: format!("{:?}", o.status).to_lowercase(),
                        due: o.due_at.clone(),
                        done: o.done_at.clone(),
                        feedback: o.feedback.clone(),
                    })
                    .collect(),
                told_hours: told.map(|x| hours(t, x)),
                first_act_hours: first_act.map(|x| hours(t, x)),
            }
        })
        .collect();
    let v = super::view::facilitator(t);
    let left_hours = t
        .engine
        .log
        .iter()
        .find(|l| l.kind == "event" && l.text.contains(" leaves"))
        .map(|l| hours(t, l.at));
    Debrief {
        code: t.code.clone(),
        title: t.title().to_string(),
        protocol: p.full_title(),
        left_hours,
        agencies,
        timeline: v.chronology,
        decisions: v.decisions,
    }
}

fn h(x: Option<f64>) -> String {
    x.map_or("—".to_string(), |v| format!("{v} h"))
}

/// How long an agency took: to hear of the child, then to act.
fn waits(a: &Agency, left: Option<f64>) -> (Option<f64>, Option<f64>) {
    let heard = a.told_hours.zip(left).map(|(t, l)| ((t - l) * 100.0).round() / 100.0);
    let acted = a
        .first_act_hours
        .zip(a.told_hours)
        .map(|(f, t)| ((f - t) * 100.0).round() / 100.0);
    (heard, acted)
}

pub fn markdown(d: &Debrief) -> String {
    let mut s = format!(
        "# Debrief: {}\n\nTable {} · {}\n\n## Agencies\n\n| Agency | Played by | Score | Heard of the child | Then acted |\n|---|---|---:|---|---|\n",
        markdown_text(&d.title),
        markdown_text(&d.code),
        markdown_text(&d.protocol)
    );
    for a in &d.agencies {
        let (heard, acted) = waits(a, d.left_hours);
        let who = if a.players.is_empty() {
            "by the book".to_string()
        } else {
            a.players.join(", ")
        };
        s += &format!(
            "| {} | {} | {} % | {} | {} |\n",
            markdown_cell(&a.name),
            markdown_cell(&who),
            a.percent,
            heard.map_or("not told".into(), |x| format!("{x} h after the child left")),
            acted.map_or("—".into(), |x| format!("{x} h later")),
        );
    }
    s += "\n## Decisions\n\n| When | Who | Agency | Action | Rationale |\n|---|---|---|---|---|\n";
    for x in &d.decisions {
        s += &format!(
            "| {} | {} | {} | {} | {} |\n",
            markdown_cell(&x.at),
            markdown_cell(&x.by),
            markdown_cell(&x.role),
            markdown_cell(&x.action),
            markdown_cell(&x.rationale)
        );
    }
    for a in d.agencies.iter().filter(|a| !a.players.is_empty()) {
        s += &format!(
            "\n## {} ({} %)\n\n| Duty | Status | Due | Done | Feedback | Source |\n|---|---|---|---|---|---|\n",
            markdown_text(&a.name),
            a.percent
        );
        for u in &a.duties {
            s += &format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                markdown_cell(&u.action),
                markdown_cell(&u.status),
                markdown_cell(u.due.as_deref().unwrap_or("—")),
                markdown_cell(u.done.as_deref().unwrap_or("—")),
                markdown_cell(&u.feedback),
                markdown_cell(&u.citation)
            );
        }
    }
    s += "\n## Timeline\n\n";
    for l in &d.timeline {
        s += &format!(
            "- {} ({} h) **{}** {}\n",
            markdown_text(&l.at),
            l.hours,
            markdown_text(&l.who),
            markdown_text(&l.text)
        );
    }
    s
}

/// The waits as bars: for each agency, from the child's leaving to when it heard, then to its
/// first act.
fn chart(d: &Debrief) -> Markup {
    let end = d
        .agencies
        .iter()
        .filter_map(|a| a.first_act_hours.or(a.told_hours))
        .fold(1.0f64, f64::max);
    let left = d.left_hours.unwrap_or(0.0);
    let span = (end - left).max(0.5);
    let (x0, width, row) = (260.0, 460.0, 26.0);
    let scale = |hrs: f64| x0 + (hrs - left).max(0.0) / span * width;
    let height = 30.0 + row * d.agencies.len() as f64;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 760 {height}")) role="img"
            aria-label="How long each agency took to hear of the child, then to act" {
            @for (i, a) in d.agencies.iter().enumerate() {
                @let y = 10.0 + row * i as f64;
                text x="0" y=(y + 14.0) font-size="12" { (a.name) }
                @if let Some(t) = a.told_hours {
                    rect x=(x0) y=(y) width=(scale(t) - x0) height="16" fill="#bbb" {}
                    @if let Some(f) = a.first_act_hours {
                        rect x=(scale(t)) y=(y) width=((scale(f) - scale(t)).max(1.0)) height="16" fill="#00557f" {}
                    }
                } @else {
                    text x=(x0) y=(y + 14.0) font-size="12" fill="#a4000f" { "never told of the child" }
                }
            }
            text x=(x0) y=(height - 4.0) font-size="11" { "the child left" }
            text x=(x0 + width - 80.0) y=(height - 4.0) font-size="11" { (format!("{:.1} h later", end - left)) }
        }
    }
}

pub fn html(d: &Debrief) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Debrief: " (d.title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "Debrief: " (d.title) }
                p { "Table " (d.code) " · " (d.protocol) }
                h2 { "The chain: when each agency heard of the child, and when it acted" }
                p class="key" { span class="grey" { "grey" } ": from the child leaving to the agency being told; "
                    span class="blue" { "blue" } ": from being told to its first act." }
                (chart(d))
                table {
                    thead { tr { th { "Agency" } th { "Played by" } th { "Score" } th { "Heard of the child" } th { "Then acted" } } }
                    tbody {
                        @for a in &d.agencies {
                            @let (heard, acted) = waits(a, d.left_hours);
                            tr {
                                td { (a.name) }
                                td { @if a.players.is_empty() { "by the book" } @else { (a.players.join(", ")) } }
                                td { (a.percent) " %" }
                                td { @match heard { Some(x) => { (x) " h after the child left" }, None => { "not told" } } }
                                td { @match acted { Some(x) => { (x) " h later" }, None => { "—" } } }
                            }
                        }
                    }
                }
                h2 { "Decisions, side by side" }
                table {
                    thead { tr { th { "When" } th { "Who" } th { "Agency" } th { "Action" } th { "Rationale" } } }
                    tbody {
                        @for x in &d.decisions {
                            tr { td { (x.at) } td { (x.by) } td { (x.role) } td { (x.action) } td { (x.rationale) } }
                        }
                    }
                }
                @for a in d.agencies.iter().filter(|a| !a.players.is_empty()) {
                    h2 { (a.name) " — " (a.percent) " % (" (a.earned) " of " (a.possible) " points)" }
                    table {
                        thead { tr { th { "Duty" } th { "Status" } th { "Due" } th { "Done" } th { "Feedback" } th { "Source" } } }
                        tbody {
                            @for u in &a.duties {
                                tr class=(u.status) {
                                    td { (u.action) } td { (u.status) }
                                    td { (u.due.as_deref().unwrap_or("—")) } td { (u.done.as_deref().unwrap_or("—")) }
                                    td { (u.feedback) } td class="cite" { (u.citation) }
                                }
                            }
                        }
                    }
                }
                h2 { "Timeline" }
                ol class="timeline" {
                    @for l in &d.timeline {
                        li class=(l.kind) { span class="when" { (l.at) " (" (h(Some(l.hours))) ")" } " " strong { (l.who) } " " (l.text) }
                    }
                }
            }
        }
    };
    page.into_string()
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;max-width:70rem}\
table{border-collapse:collapse;width:100%;margin:.6rem 0 1.2rem}th,td{text-align:left;border-bottom:1px solid #ccc;padding:.3rem;vertical-align:top}\
thead{display:table-header-group}tr{break-inside:avoid}.cite{color:#555;font-size:.85em}\
.missed td:nth-child(2),.wrongful td:nth-child(2){color:#a4000f;font-weight:600}.late td:nth-child(2){color:#8a4b00;font-weight:600}\
.when{color:#555}.timeline li.handover{font-weight:600}.grey{background:#bbb;padding:0 .3rem}.blue{background:#00557f;color:#fff;padding:0 .3rem}\
svg{max-width:100%;height:auto}@page{size:A4;margin:15mm}@media print{body{margin:0}}";
