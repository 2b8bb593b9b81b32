//! The committee's parts of the HTML pages (`report.html` and `summary.html`): the verdict, the
//! staffing answer, staff hours and full-time posts, and the promises counted once per act.

use std::fmt::Write as _;

use super::super::committee::{self, Assumptions, Standing};
use super::super::stress::{ProtocolResult, Summary};
use super::page::{TABLE_END, headings, named, table};
use super::{esc, pct, thousands_1};

/// The assumptions the staff hours and the staffing answer rest on, in a sentence.
pub(crate) fn assumptions_words(s: &Summary) -> String {
    let a: &Assumptions = &s.assumptions;
    let staffed = match s.caseload.staffing.is_empty() {
        true => String::new(),
        false => "a staffed role's hours are the time booked on its rota (each action at the caseload's minutes, duties that lapsed before a worker got to them included); ".into(),
    };
    format!(
        "Staff hours: {}; {staffed}another role's hours are its actions at {} min each (assumed). A promise is judged against {} of its duties met in time.",
        a.post_words(),
        committee::num(a.minutes_per_action),
        committee::num(a.target * 100.0) + " %"
    )
}

/// The verdict in a box at the top of a page, with the assumptions under it (`assumptions`:
/// where the page does not list them apart).
pub(crate) fn verdict_html(s: &Summary, assumptions: bool) -> String {
    let under = match assumptions {
        true => format!(r#"<p class="note">{}</p>"#, esc(&assumptions_words(s))),
        false => String::new(),
    };
    format!(
        r#"<section class="verdict"><h2>Verdict</h2><p>{}</p>{under}</section>"#,
        esc(&committee::verdict(s, &s.assumptions))
    )
}

/// The staffing answer for each staffed role (under each protocol): workers, the posts the work
/// takes, how busy they are, the weakest promise and the answer in words, with why in full (or,
/// `brief`, in a clause).
pub(crate) fn staffing_html(s: &Summary, brief: bool) -> String {
    let answers = committee::staffing_answers(s, &s.assumptions);
    if answers.is_empty() {
        return "<p>No role is staffed: every role acts by the book, with no limit on capacity, so there is no staffing to judge.</p>".into();
    }
    let two = s.protocols.len() > 1;
    let mut h = vec!["Role"];
    if two {
        h.push("Protocol");
    }
    h.extend([
        "#On the rota",
        "#Work, in full-time posts",
        "#Busy (share of time on duty)",
    ]);
    if !brief {
        h.push("Least kept promise (met in time)");
    }
    h.push(match brief {
        true => "Answer: the least kept promise, and why",
        false => "Answer (and why)",
    });
    let mut o = table(None, &headings(&h));
    for x in &answers {
        let _ = write!(o, "<tr><td>{}</td>", named(&x.name, &x.role));
        if two {
            let _ = write!(o, "<td>{}</td>", esc(&x.protocol));
        }
        let weakest = x.weakest.as_ref().map_or_else(
            || "—".to_string(),
            |w| format!("{} ({})", esc(&w.title()), esc(&pct(&w.compliance))),
        );
        let class = match x.standing {
            Standing::Enough => "enough",
            Standing::OnTheEdge => "edge",
            Standing::Short => "short",
            Standing::NothingTimed => "none",
        };
        let mut why: Vec<String> = Vec::new();
        if let Some(w) = if brief { &x.why_clause } else { &x.why } {
            why.push(w.clone());
        }
        if x.backlog {
            why.push(format!(
                "a backlog: {} duties still open at the end",
                thousands_1(x.open_at_end)
            ));
        }
        let why = match why.is_empty() {
            true => String::new(),
            false => format!(r#"<br><span class="note">{}</span>"#, esc(&why.join("; "))),
        };
        let _ = write!(
            o,
            r#"<td class="n">{}</td><td class="n">{}</td><td class="n">{}</td>"#,
            x.workers,
            x.posts.map_or_else(|| "—".into(), |p| esc(&committee::est1(&p))),
            esc(&pct(&x.busy)),
        );
        let answer = esc(&super::upper_first(&x.short));
        let _ = match brief {
            true if x.weakest.is_none() => write!(o, r#"<td class="{class}"><b>{answer}</b>{why}</td></tr>"#),
            true => write!(o, r#"<td class="{class}"><b>{answer}</b>: {weakest}{why}</td></tr>"#),
            false => write!(
                o,
                r#"<td>{weakest}</td><td class="{class}"><b>{answer}</b>{why}</td></tr>"#
            ),
        };
    }
    o + TABLE_END
}

/// Staff hours and full-time posts, role by role, under each protocol, with the assumption named
/// in the caption: the staffed roles first, then by hours; `limit` roles at most (the rest
/// counted in a last row).
pub(crate) fn hours_html(s: &Summary, limit: Option<usize>) -> String {
    let hours = committee::staff_hours(s, &s.assumptions);
    if hours.is_empty() {
        return "<p>No role did anything in these runs.</p>".into();
    }
    let mut h: Vec<String> = headings(&["Role"]);
    for p in &s.protocols {
        h.push(format!("#Hours a week<br>{}", esc(&p.id)));
        h.push(format!("#Full-time posts<br>{}", esc(&p.id)));
    }
    h.push(esc("Where the hours come from"));
    let caption = format!(
        "Staff hours and full-time posts ({}; 95 % intervals)",
        s.assumptions.post_words()
    );
    let mut o = table(Some(&caption), &h);
    let mut roles: Vec<&str> = Vec::new();
    for x in &hours {
        if !roles.contains(&x.role.as_str()) {
            roles.push(&x.role);
        }
    }
    // Staffed roles first, then by the most hours under any protocol.
    let most = |id: &str| {
        hours
            .iter()
            .filter(|x| x.role == id)
            .map(|x| x.hours_per_week.mean)
            .fold(0.0, f64::max)
    };
    let staffed = |id: &str| s.caseload.staffing.iter().any(|st| st.role == id);
    roles.sort_by(|a, b| {
        staffed(b)
            .cmp(&staffed(a))
            .then(most(b).total_cmp(&most(a)))
            .then_with(|| a.cmp(b))
    });
    let more = roles.len().saturating_sub(limit.unwrap_or(usize::MAX));
    roles.truncate(limit.unwrap_or(usize::MAX));
    for id in roles {
        let mine: Vec<_> = hours.iter().filter(|x| x.role == id).collect();
        let name = mine.last().map_or(id, |x| x.name.as_str());
        let _ = write!(o, "<tr><td>{}</td>", named(name, id));
        for p in &s.protocols {
            match mine.iter().find(|x| x.protocol == p.id) {
                Some(x) => {
                    let _ = write!(
                        o,
                        r#"<td class="n">{}</td><td class="n">{}</td>"#,
                        esc(&committee::est1(&x.hours_per_week)),
                        esc(&committee::est1(&x.posts))
                    );
                }
                None => o += r#"<td class="n">—</td><td class="n">—</td>"#,
            }
        }
        let basis = mine.last().map_or("", |x| x.basis.as_str());
        let _ = write!(o, "<td>{}</td></tr>", esc(basis));
    }
    if more > 0 {
        let _ = write!(
            o,
            r#"<tr><td colspan="{}" class="note">… and {more} more role{} with less work (report.html lists every role)</td></tr>"#,
            2 + 2 * s.protocols.len(),
            if more == 1 { "" } else { "s" }
        );
    }
    o + TABLE_END
}

/// A protocol's promises counted once per act, the `n` least often met in time.
pub(crate) fn acts_html(p: &ProtocolResult, n: usize) -> String {
    let acts = committee::acts(p);
    if acts.is_empty() {
        return "<p>No duty with a time limit fell due.</p>".into();
    }
    let caption = format!(
        "{}: promises least often kept, each act counted once (one act meets every rule that asks for it)",
        p.id
    );
    let mut o = table(
        Some(&caption),
        &headings(&[
            "Promise (the rules that ask for it)",
            "Role",
            "#Acts asked for a run",
            "#Met in time",
            "#Late",
            "#Missed",
            "Why",
        ]),
    );
    for a in acts.iter().take(n) {
        let _ = write!(
            o,
            r#"<tr><td>{}<br><span class="id">{}</span></td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td></tr>"#,
            esc(&super::upper_first(&a.title())),
            esc(&a.rules.join(", ")),
            named(&a.role_name, &a.role),
            thousands_1(a.duties),
            esc(&pct(&a.compliance)),
            thousands_1(a.late),
            thousands_1(a.missed),
            esc(a.likely_cause.as_deref().unwrap_or(""))
        );
    }
    if acts.len() > n {
        let _ = write!(
            o,
            r#"<tr><td colspan="7" class="note">… and {} more (met in time more often)</td></tr>"#,
            acts.len() - n
        );
    }
    o + TABLE_END
}
