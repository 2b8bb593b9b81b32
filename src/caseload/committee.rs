//! What a committee reads: the verdict in words, the staff hours and full-time posts the work
//! takes, the promises counted once per act (one return interview meets every rule that asks
//! for it: it is one interview, not four rules), and the staffing answer for each staffed role.
//!
//! Everything here is worked out from the summary of a run and a few stated assumptions (a
//! full-time post's hours, the share of them on casework, the minutes an action takes where the
//! caseload does not say): nothing is simulated again.

use serde::Serialize;

use super::report::{pct, thousands};
use super::stress::{BACKLOG_SHARE, Estimate, ProtocolResult, RoleResult, RuleResult, Summary};

/// The assumptions that turn minutes of work into full-time posts, and the mark the reports
/// judge shares by.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Assumptions {
    /// Hours in a full-time post's week (37: local-government terms).
    pub post_hours_per_week: f64,
    /// The share of those hours spent on casework (the rest: leave, training, supervision,
    /// travel, meetings about other work).
    pub casework_share: f64,
    /// Minutes an action takes, for a role the caseload does not staff (a staffed role's are
    /// its `service_minutes`).
    pub minutes_per_action: f64,
    /// The share of duties met in time a promise is judged by (as a sweep's default target).
    pub target: f64,
}

impl Default for Assumptions {
    fn default() -> Self {
        Assumptions {
            post_hours_per_week: 37.0,
            casework_share: 0.8,
            minutes_per_action: 30.0,
            target: 0.95,
        }
    }
}

impl Assumptions {
    /// Hours of casework a full-time post gives a week.
    pub fn casework_hours(&self) -> f64 {
        self.post_hours_per_week * self.casework_share
    }

    /// The post assumption in words.
    pub fn post_words(&self) -> String {
        format!(
            "a full-time post is {} hours a week, {} % of them on casework ({} hours of casework a week)",
            num(self.post_hours_per_week),
            num(self.casework_share * 100.0),
            num(self.casework_hours())
        )
    }
}

/// A number as people write it: `37`, `29.6`.
pub(crate) fn num(x: f64) -> String {
    let t = format!("{x:.1}");
    t.strip_suffix(".0").map(str::to_string).unwrap_or(t)
}

/// An estimate scaled by `k` (a mean and interval in other units).
fn scale(e: Estimate, k: f64) -> Estimate {
    Estimate {
        mean: e.mean * k,
        lo: e.lo.map(|x| x * k),
        hi: e.hi.map(|x| x * k),
    }
}

/// An estimate in words with one decimal: `5.8 (5.7–6.0)`.
pub fn est1(e: &Estimate) -> String {
    e.text(1)
}

/// One role's work under one protocol, in hours a week and full-time posts.
#[derive(Debug, Clone, Serialize)]
pub struct StaffHours {
    pub protocol: String,
    pub role: String,
    pub name: String,
    /// Workers on the caseload's rota (none: the role acts by the book).
    pub workers: Option<i64>,
    pub actions_per_week: Estimate,
    /// Minutes an action takes: the caseload's `service_minutes` for a staffed role, else the
    /// assumption.
    pub minutes_per_action: f64,
    /// Where the hours come from, in words.
    pub basis: String,
    pub hours_per_week: Estimate,
    /// Full-time posts: hours a week ÷ hours of casework a post gives.
    pub posts: Estimate,
}

/// Every role's work under every protocol (roles that did nothing left out). A staffed role's
/// hours are the time booked on its rota (every action at its `service_minutes`, duties that
/// lapsed before a worker got to them included, as a worker was held for them); another role's
/// are its actions at the assumed minutes each.
pub fn staff_hours(s: &Summary, a: &Assumptions) -> Vec<StaffHours> {
    let mut out = Vec::new();
    for p in &s.protocols {
        for r in p.roles.iter().filter(|r| r.actions_per_week.mean > 0.0) {
            let staff = s.caseload.staffing.iter().find(|st| st.role == r.id);
            let (minutes, basis, hours) = match (staff, r.booked_hours_per_week) {
                (Some(st), Some(h)) => (
                    st.service_minutes,
                    format!(
                        "time booked on the rota, at the caseload's {} min an action",
                        num(st.service_minutes)
                    ),
                    h,
                ),
                _ => (
                    a.minutes_per_action,
                    format!("its actions at an assumed {} min each", num(a.minutes_per_action)),
                    scale(r.actions_per_week, a.minutes_per_action / 60.0),
                ),
            };
            out.push(StaffHours {
                protocol: p.id.clone(),
                role: r.id.clone(),
                name: r.name.clone(),
                workers: r.workers,
                actions_per_week: r.actions_per_week,
                minutes_per_action: minutes,
                basis,
                hours_per_week: hours,
                posts: scale(hours, 1.0 / a.casework_hours().max(1e-9)),
            });
        }
    }
    out
}

/// Duties that one act meets together, counted once: the timed rules of one protocol asking one
/// role for one action within one time limit.
#[derive(Debug, Clone, Serialize)]
pub struct Act {
    pub role: String,
    pub role_name: String,
    pub action: String,
    /// The action in the protocol's words ("Offer a return home interview").
    pub action_name: String,
    /// The time limit as the rules say it ("within 72 h", "immediately").
    pub limit: String,
    /// The rules that ask for it (ids).
    pub rules: Vec<String>,
    /// Acts asked for a run: the most duties any one of its rules had (one act meets them
    /// together), per replication.
    pub duties: f64,
    /// Met in time, over the group's duties together, per replication with its interval.
    pub compliance: Option<Estimate>,
    /// Late and missed, per replication (those of the rule with the most duties).
    pub late: f64,
    pub missed: f64,
    /// Why it is late, where the staffing explains it (its worst rule's `likely_cause`).
    pub likely_cause: Option<String>,
}

impl Act {
    /// "Offer a return home interview, within 72 h".
    pub fn title(&self) -> String {
        format!("{}, {}", self.action_name, self.limit)
    }
}

/// The action's name and the time limit in words, from the rule's sentence ("Role: Action,
/// within 72 h after child returned"); the ids where the sentence is not of that form.
fn action_and_limit(r: &RuleResult, role_name: &str) -> (String, String) {
    let rest = r.what.strip_prefix(&format!("{role_name}: ")).unwrap_or(&r.what);
    if let Some(x) = rest.strip_suffix(&format!(" after {}", r.trigger))
        && let Some((action, limit)) = x.rsplit_once(", ")
    {
        return (action.to_string(), limit.to_string());
    }
    if let Some(action) = rest.strip_suffix(&format!(", by the time of {}", r.trigger)) {
        return (action.to_string(), format!("by the time of {}", r.trigger));
    }
    (r.action.clone(), format!("within {}", r.deadline))
}

/// A protocol's promises, counted once per act: its timed rules that fell due, grouped by role,
/// action and time limit, worst first.
pub fn acts(p: &ProtocolResult) -> Vec<Act> {
    let mut groups: Vec<(String, String, String, Vec<usize>)> = Vec::new();
    for (i, r) in p.rules.iter().enumerate() {
        if !r.timed || r.compliance.is_none() {
            continue;
        }
        match groups
            .iter_mut()
            .find(|g| g.0 == r.role && g.1 == r.action && g.2 == r.deadline)
        {
            Some(g) => g.3.push(i),
            None => groups.push((r.role.clone(), r.action.clone(), r.deadline.clone(), vec![i])),
        }
    }
    let mut out: Vec<Act> = groups
        .into_iter()
        .map(|(role, action, _, idx)| {
            let role_name = p
                .roles
                .iter()
                .find(|x| x.id == role)
                .map_or_else(|| role.clone(), |x| x.name.clone());
            let first = &p.rules[idx[0]];
            let (action_name, limit) = action_and_limit(first, &role_name);
            let shares: Vec<f64> = p
                .per_replication_rules
                .iter()
                .filter_map(|rep| {
                    let (m, l, s) = idx
                        .iter()
                        .filter_map(|&i| rep.get(i))
                        .fold((0, 0, 0), |a, t| (a.0 + t.0, a.1 + t.1, a.2 + t.2));
                    (m + l + s > 0).then(|| m as f64 / (m + l + s) as f64)
                })
                .collect();
            let most = idx
                .iter()
                .map(|&i| &p.rules[i])
                .max_by(|a, b| a.fired.mean.total_cmp(&b.fired.mean))
                .expect("a group has a rule");
            let worst = idx
                .iter()
                .map(|&i| &p.rules[i])
                .min_by(|a, b| {
                    let c = |r: &RuleResult| r.compliance.map_or(1.0, |c| c.mean);
                    c(a).total_cmp(&c(b))
                })
                .expect("a group has a rule");
            Act {
                role,
                role_name,
                action,
                action_name,
                limit,
                rules: idx.iter().map(|&i| p.rules[i].id.clone()).collect(),
                duties: most.fired.mean,
                compliance: (!shares.is_empty()).then(|| Estimate::of_share(&shares)),
                late: most.late.mean,
                missed: most.missed.mean,
                likely_cause: worst.likely_cause.clone(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let c = |x: &Act| x.compliance.map_or(1.0, |c| c.mean);
        c(a).total_cmp(&c(b)).then_with(|| a.title().cmp(&b.title()))
    });
    out
}

/// How a staffed role stands against the mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Standing {
    /// Every timed act of the role met in time at or above the mark (its interval too), no backlog.
    Enough,
    /// The weakest act's interval reaches across the mark: more replications are needed to say.
    OnTheEdge,
    /// Below the mark (its interval too), or a backlog.
    Short,
    /// None of its duties with a time limit fell due.
    NothingTimed,
}

/// A staffed role's answer under one protocol.
#[derive(Debug, Clone, Serialize)]
pub struct StaffingAnswer {
    pub protocol: String,
    pub role: String,
    pub name: String,
    pub workers: i64,
    pub posts: Option<Estimate>,
    /// Share of the workers' time on duty booked.
    pub busy: Option<Estimate>,
    /// The role's act least often met in time.
    pub weakest: Option<Act>,
    /// Its duties still open at the end, and whether some rule of it has a backlog.
    pub open_at_end: f64,
    pub backlog: bool,
    pub standing: Standing,
    /// The answer in a few words ("on the edge: run more replications").
    pub short: String,
    /// What keeps the least kept promise late, and so what would change it, where the figures
    /// say: in full ("a duty arising after hours waits for office hours (13 h on average…)"),
    /// and in a clause ("cover out of hours, more than more workers, would change it…").
    pub why: Option<String>,
    pub why_clause: Option<String>,
    /// The answer in a sentence: the standing, the weakest promise and its share met in time,
    /// and why it is late where the staffing explains it.
    pub words: String,
}

/// Whether a rule of the role was left with a backlog (a tenth or more of its duties still open
/// at the end, with waits that explain it), as the text report lists them.
fn backlog_rules<'a>(p: &'a ProtocolResult, role: &str) -> Vec<&'a RuleResult> {
    p.rules
        .iter()
        .filter(|r| r.role == role && r.compliance.is_none_or(|c| c.mean >= 0.999))
        .filter(|r| r.fired.mean > 0.0 && r.outstanding.mean / r.fired.mean >= BACKLOG_SHARE)
        .filter(|r| r.likely_cause.is_some())
        .collect()
}

/// What keeps a staffed role's promise late, and so what would change it: the time to start
/// on a duty (more workers would not help), the wait for office hours (cover out of hours
/// would), or the wait for a free worker (more workers would); none where the figures do not
/// say. `cause` is the act's likely cause (see `stress::likely_cause`). Returned in a clause for
/// a sentence and in full, with the figures.
pub fn lever(r: &RoleResult, cause: Option<&str>) -> Option<(String, String)> {
    let cause = cause?;
    for (starts, how) in [
        ("never in time as staffed", "is"),
        ("often late as staffed", "is often"),
    ] {
        if cause.starts_with(starts) {
            return Some((
                format!(
                    "more workers would not change it: starting on a duty and doing it {how} longer than the rule allows"
                ),
                format!(
                    "the time it takes to start on a duty and do it {how} longer than the rule allows, so more workers would not change it"
                ),
            ));
        }
    }
    let worker = r.mean_wait_for_worker_minutes.map_or(0.0, |e| e.mean);
    let office = r.mean_wait_for_office_hours_minutes.map_or(0.0, |e| e.mean);
    let busy = r.utilisation.map_or(0.0, |e| e.mean);
    let wait = super::stress::wait_short;
    if office >= worker && office >= 30.0 {
        Some((
            format!(
                "cover out of hours, more than more workers, would change it: duties arising after hours wait {} on average for office hours",
                wait(office)
            ),
            format!(
                "a duty arising after hours waits for office hours ({} on average, against {} for a free worker; the workers are busy {:.0} % of their time on duty), so cover out of hours would change it more than more workers",
                wait(office),
                wait(worker),
                busy * 100.0
            ),
        ))
    } else if worker >= 30.0 {
        Some((
            format!(
                "more workers would help: duties wait {} on average for a free worker",
                wait(worker)
            ),
            format!(
                "duties wait for a free worker ({} on average; the workers are busy {:.0} % of their time on duty), so more workers would help",
                wait(worker),
                busy * 100.0
            ),
        ))
    } else {
        None
    }
}

/// The staffing answer for each staffed role under each protocol.
pub fn staffing_answers(s: &Summary, a: &Assumptions) -> Vec<StaffingAnswer> {
    let hours = staff_hours(s, a);
    let mut out = Vec::new();
    for p in &s.protocols {
        let acts = acts(p);
        for st in &s.caseload.staffing {
            let Some(r) = p.roles.iter().find(|r| r.id == st.role) else {
                continue;
            };
            let weakest = acts.iter().find(|x| x.role == r.id).cloned();
            let backlog = backlog_rules(p, &r.id);
            let mark = a.target;
            let standing = match weakest.as_ref().and_then(|w| w.compliance) {
                None if backlog.is_empty() => Standing::NothingTimed,
                None => Standing::Short,
                Some(c) if c.hi.unwrap_or(c.mean) < mark - 1e-9 => Standing::Short,
                Some(_) if !backlog.is_empty() => Standing::Short,
                Some(c) if c.lo.unwrap_or(c.mean) + 1e-9 >= mark => Standing::Enough,
                Some(_) => Standing::OnTheEdge,
            };
            let mark_words = format!("{} %", num(mark * 100.0));
            let short = match standing {
                Standing::NothingTimed => "no duty with a time limit fell due",
                Standing::Enough => "enough",
                Standing::OnTheEdge => "on the edge: run more replications",
                Standing::Short => "not enough as staffed",
            }
            .to_string();
            let mut words = match (&weakest, standing) {
                (_, Standing::NothingTimed) => "none of its duties with a time limit fell due".to_string(),
                (Some(w), Standing::Enough) => format!(
                    "enough: even its least kept promise, {}, is met in time {}, at or above {mark_words}",
                    w.title(),
                    pct(&w.compliance)
                ),
                (Some(w), Standing::OnTheEdge) => format!(
                    "on the edge: {} is met in time {}, and the interval reaches across {mark_words}: run more replications to be sure",
                    w.title(),
                    pct(&w.compliance)
                ),
                (Some(w), _) if w.compliance.is_some_and(|c| c.mean < mark) => format!(
                    "not enough as staffed: {} is met in time {}, below {mark_words}",
                    w.title(),
                    pct(&w.compliance)
                ),
                _ => "not enough as staffed".to_string(),
            };
            let why = match standing {
                Standing::Enough | Standing::NothingTimed => None,
                _ => lever(r, weakest.as_ref().and_then(|w| w.likely_cause.as_deref())),
            };
            if let Some((clause, _)) = &why {
                words += &format!("; {clause}");
            }
            let (why_clause, why) = why.unzip();
            if !backlog.is_empty() {
                words += &format!(
                    "; a backlog: {} of its duties still open at the end",
                    thousands(r.outstanding.mean)
                );
            }
            out.push(StaffingAnswer {
                protocol: p.id.clone(),
                role: r.id.clone(),
                name: r.name.clone(),
                workers: st.workers,
                posts: hours
                    .iter()
                    .find(|h| h.protocol == p.id && h.role == r.id)
                    .map(|h| h.posts),
                busy: r.utilisation,
                weakest,
                open_at_end: r.outstanding.mean,
                backlog: !backlog.is_empty(),
                standing,
                short,
                why,
                why_clause,
                words,
            });
        }
    }
    out
}

/// The text with its first letter a capital.
fn upper(s: &str) -> String {
    super::report::upper_first(s)
}

/// A paired change in words, and whether it is more than chance: `-0.9 points (-1.1 to -0.8), a
/// change the rules make, not chance`.
fn change_words(c: &Estimate, k: f64, unit: &str) -> String {
    let text = c.change_text(k, 1);
    let text = match unit.is_empty() {
        true => text,
        false => match text.split_once(' ') {
            Some((x, rest)) => format!("{x} {unit} {rest}"),
            None => format!("{text} {unit}"),
        },
    };
    match (c.lo, c.hi) {
        (Some(lo), Some(hi)) if lo > 0.0 || hi < 0.0 => format!("{text}: a change the rules make, not chance"),
        (Some(_), Some(_)) => format!("{text}: within chance, no change to act on"),
        _ => format!("{text} (one replication: no interval to judge it by)"),
    }
}

/// The role's name, short enough for a sentence ("Return Home Interview (RHI) Worker").
pub(crate) fn role_name(s: &Summary, id: &str) -> String {
    s.protocols
        .iter()
        .rev()
        .flat_map(|p| &p.roles)
        .find(|r| r.id == id)
        .map_or_else(|| id.to_string(), |r| r.name.clone())
}

/// What the rules the revision adds and drops bring a year, in words: "havering-2023-10 adds
/// 5,648 duties a year with no time limit (which can never be late) and 191 with one".
fn composition_words(s: &Summary) -> Option<String> {
    let cmp = s.comparison.as_ref()?;
    let year = 365.0 / s.caseload.horizon_days.max(1) as f64;
    let per_year = |n: f64| thousands((n * year).round());
    let side = |verb: &str, timed: f64, untimed: f64| {
        (timed + untimed >= 0.5).then(|| {
            format!(
                "{verb} {} duties a year with no time limit (which can never be late) and {} with one",
                per_year(untimed),
                per_year(timed)
            )
        })
    };
    let parts: Vec<String> = [
        side("adds", cmp.added_duties_timed, cmp.added_duties_untimed),
        side("drops", cmp.removed_duties_timed, cmp.removed_duties_untimed),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| format!("{} {}", cmp.revision, parts.join(", and ")))
}

/// The verdict: a paragraph in words for the top of every report — what changes between the
/// versions (or how the one protocol fares), the staffing answer for each staffed role, the
/// promise most often broken and why, and any backlog.
pub fn verdict(s: &Summary, a: &Assumptions) -> String {
    let mut out: Vec<String> = Vec::new();
    let answers = staffing_answers(s, a);
    let hours = staff_hours(s, a);
    let last = s.protocols.last().expect("a protocol");
    let two = s.protocols.len() > 1;
    match (&s.comparison, s.protocols.first()) {
        (Some(cmp), Some(first)) => {
            let headline = cmp
                .changes
                .first()
                .filter(|c| c.measure == "duties_met_in_time_shared_timed_rules");
            out.push(match headline {
                Some(c) => format!(
                    "Moving from {} to {}: on the {} rules with a time limit that both versions have, duties met in time go from {} to {}, {}.",
                    cmp.baseline,
                    cmp.revision,
                    cmp.shared_timed_rules,
                    pct(&cmp.baseline_shared_timed),
                    pct(&cmp.revision_shared_timed),
                    change_words(&c.change, 100.0, "points")
                ),
                None => format!(
                    "{} and {} share no rule with a time limit, so they are compared as wholes: duties met in time {} under {} and {} under {}.",
                    cmp.baseline,
                    cmp.revision,
                    pct(&first.compliance),
                    cmp.baseline,
                    pct(&last.compliance),
                    cmp.revision
                ),
            });
            if let Some(w) = composition_words(s).filter(|_| cmp.rules_shared > 0) {
                out.push(format!("{w}."));
            }
            if let Some(c) = cmp.changes.iter().find(|c| c.measure == "strategy_meetings_per_week")
                && (first.strategy_meetings_per_week.mean > 0.0 || last.strategy_meetings_per_week.mean > 0.0)
            {
                out.push(format!(
                    "Strategy meetings go from {:.1} to {:.1} a week, {}.",
                    first.strategy_meetings_per_week.mean,
                    last.strategy_meetings_per_week.mean,
                    change_words(&c.change, 1.0, "")
                ));
            }
            // Where the work moves, in full-time posts (the largest three changes of the roles
            // acting by the book: a staffed role's posts are in its own sentence below).
            let posts = |pid: &str, role: &str| {
                hours
                    .iter()
                    .find(|h| h.protocol == pid && h.role == role)
                    .map_or(0.0, |h| h.posts.mean)
            };
            let mut moves: Vec<(String, f64, f64)> = cmp
                .roles
                .iter()
                .filter(|r| !s.caseload.staffing.iter().any(|st| st.role == r.id))
                .map(|r| {
                    let d = posts(&last.id, &r.id) - posts(&first.id, &r.id);
                    (role_name(s, &r.id), d, r.change_per_week.unwrap_or(0.0))
                })
                .filter(|(_, d, _)| d.abs() >= 0.1)
                .collect();
            moves.sort_by(|x, y| y.1.abs().total_cmp(&x.1.abs()).then_with(|| x.0.cmp(&y.0)));
            if !moves.is_empty() {
                let list: Vec<String> = moves
                    .iter()
                    .take(3)
                    .map(|(name, d, w)| format!("{name} {d:+.1} full-time posts ({w:+.0} actions a week)"))
                    .collect();
                out.push(format!(
                    "The work of the roles acting by the book moves: {}.",
                    list.join("; ")
                ));
            }
        }
        _ => {
            let mut w = format!(
                "Under {}, {} of the duties that fell due were met in time",
                last.id,
                pct(&last.compliance)
            );
            if !s.caseload.staffing.is_empty() {
                w += &format!(
                    ", and {} of the staffed roles' duties (the share the staffing decides)",
                    pct(&last.compliance_staffed)
                );
            }
            out.push(w + ".");
        }
    }
    // The staffing answer, role by role (under the last protocol; the other's where it differs).
    for st in &s.caseload.staffing {
        let mine: Vec<&StaffingAnswer> = answers.iter().filter(|x| x.role == st.role).collect();
        let Some(end) = mine.last() else { continue };
        let posts: Vec<String> = mine
            .iter()
            .filter_map(|x| x.posts.map(|p| (x.protocol.as_str(), p)))
            .map(|(pid, p)| match two {
                false => format!("{} full-time posts", est1(&p)),
                true => format!("{} under {pid}", est1(&p)),
            })
            .collect();
        let work = match (two, posts.is_empty()) {
            (_, true) => String::new(),
            (false, false) => format!("; the work takes {}", posts.join("")),
            (true, false) => format!("; the work takes full-time posts of {}", posts.join(" and ")),
        };
        let mut w = format!("{}, {} on the rota{work}. ", end.name, st.workers);
        w += &match two {
            true => format!("Under {}, {}", end.protocol, end.words),
            false => upper(&end.words),
        };
        if two && let Some(other) = mine.first().filter(|x| x.standing != end.standing) {
            w += &format!(" (under {}: {})", other.protocol, other.short);
        }
        out.push(w + ".");
    }
    // The promise most often broken, counted once per act, where it is not a staffed role's
    // (whose answer says it already).
    if let Some(worst) = acts(last).into_iter().next()
        && worst.compliance.is_some_and(|c| c.mean < a.target)
        && !s.caseload.staffing.iter().any(|st| st.role == worst.role)
    {
        out.push(format!(
            "Most often late{}: {} ({}), {} in time.",
            match two {
                false => String::new(),
                true => format!(" under {}", last.id),
            },
            worst.title(),
            worst.role_name,
            pct(&worst.compliance)
        ));
    }
    if last.outstanding.mean >= 1.0 {
        out.push(format!(
            "{} duties were still open when the run ended{}.",
            thousands(last.outstanding.mean),
            match answers.iter().any(|x| x.backlog && x.protocol == last.id) {
                true => ", a backlog among them",
                false => " (not yet due, or in hand)",
            }
        ));
    }
    out.join(" ")
}
