//! Checking a scenario and its decision scripts. Everything a run would refuse or choke on is
//! refused here first, each error as `file:line:col: field: message`: dates the engine's clock
//! cannot hold, events about a missing child before the child has left, references (also inside
//! conditional events) to actions, places, roles and people nobody declared, and decision-script
//! answers the protocol's tool does not have.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};

use super::{Decisions, LoadedScenario, Scenario, parse_time};
use crate::diag::{Collector, did_you_mean};
use crate::protocol::{AssessmentTool, Protocol, ToolItem};
use crate::sim::engine::{Happening, NO_ACTION};

/// The dates a scenario may use (its start, earlier episodes, the child's birth), in words. The
/// engine's clock runs from 1677 to 2262; these keep every time it works out (a year's scenario,
/// ten-year timers, a year's deadline) well inside it.
pub const DATE_RANGE: &str = "1900-01-01 to 2200-12-31";

fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).expect("a real date")
}
fn latest() -> NaiveDate {
    NaiveDate::from_ymd_opt(2200, 12, 31).expect("a real date")
}

/// Whether a date falls in `DATE_RANGE`.
pub fn date_in_range(d: NaiveDate) -> bool {
    (earliest()..=latest()).contains(&d)
}

/// A protocol id as a scenario names it: the name of a file under `assets/protocols/` without
/// `.ron` (letters, digits, `-`, `_` and `.`, not starting with a dot), never a path.
/// The message for a protocol id that is not a plain name (control characters in it shown
/// escaped, as `\u{1b}`, not sent to the terminal).
pub fn bad_id_message(id: &str) -> String {
    let id = id.escape_debug();
    format!(
        "`{id}` is not a protocol id: give the name of a file in assets/protocols without `.ron` \
         (letters, digits, `-`, `_` and `.`, such as `haringey-2021`), not a path"
    )
}

/// Check everything in a scenario but the protocol file itself. Returns the start (if it is a
/// real date in range) and the earlier episodes' starts.
pub(super) fn check_scenario(
    s: &Scenario,
    p: Option<&Protocol>,
    c: &mut Collector,
) -> (Option<NaiveDateTime>, Vec<NaiveDateTime>) {
    let start = check_dates(s, c);
    let previous = check_previous(s, start, c);
    let places: Vec<&str> = s.places.iter().map(|p| p.id.as_str()).collect();
    if !places.contains(&"placement") {
        c.err("places", "one place must have id `placement` (where the child lives)");
    }
    for (i, pl) in s.places.iter().enumerate() {
        if places.iter().filter(|x| **x == pl.id).count() > 1 {
            c.err(&format!("places[{i}].id"), format!("duplicate place id `{}`", pl.id));
        }
        if !(0.0..=100.0).contains(&pl.x) || !(0.0..=100.0).contains(&pl.y) {
            c.err(&format!("places[{i}]"), "board positions run from 0 to 100");
        }
    }
    if let Some(m) = s.pass_mark
        && !(0.0..=100.0).contains(&m)
    {
        c.err("pass_mark", format!("{m} is out of range: give 0 to 100 (per cent)"));
    }
    let refs = Refs { s, p, places };
    if let Some(p) = p {
        refs.role(c, "trainee_role", &s.trainee_role);
        for (i, m) in s.cast.iter().enumerate() {
            refs.role(c, &format!("cast[{i}].role"), &m.role);
        }
        for (i, r) in s.playable_roles.iter().enumerate() {
            let field = format!("playable_roles[{i}]");
            refs.role(c, &field, r);
            if s.playable_roles[..i].contains(r) {
                c.err(&field, format!("`{r}` is listed twice"));
            } else if p.role(r).is_some() && p.actions_for_role(r).is_empty() {
                c.err(
                    &field,
                    format!("the protocol asks nothing of `{r}`: there would be nothing to play"),
                );
            }
        }
        if !s.playable_roles.is_empty() && !s.playable_roles.contains(&s.trainee_role) {
            c.err(
                "playable_roles",
                format!(
                    "list the trainee's role `{}` too (the role the scenario is written for)",
                    s.trainee_role
                ),
            );
        }
        for (i, pr) in s.prompts.iter().enumerate() {
            for (j, r) in pr.rules.iter().enumerate() {
                if p.rule(r).is_none() {
                    c.err(
                        &format!("prompts[{i}].rules[{j}]"),
                        format!("unknown rule `{r}` in protocol `{}`", p.id),
                    );
                }
            }
        }
    }
    for (i, m) in s.cast.iter().enumerate() {
        refs.place(c, &format!("cast[{i}].place"), &m.place);
    }
    check_events(s, &refs, c);
    for (i, w) in s.withheld.iter().enumerate() {
        refs.others_role(c, &format!("withheld[{i}].role"), &w.role, "withheld");
        refs.action(c, &format!("withheld[{i}].action"), &w.action);
    }
    for (i, pr) in s.prompts.iter().enumerate() {
        for (f, a) in [("if_done", &pr.if_done), ("unless_done", &pr.unless_done)] {
            if let Some(a) = a {
                refs.action(c, &format!("prompts[{i}].{f}"), a);
            }
        }
        if duration_ok(s) && !(pr.at_hours >= 0.0 && pr.at_hours <= s.duration_hours) {
            c.err(
                &format!("prompts[{i}].at_hours"),
                format!(
                    "{} h is outside the scenario (0 to {} h)",
                    pr.at_hours, s.duration_hours
                ),
            );
        }
    }
    (start, previous)
}

/// A duration above 0 and at most a year (366 days). Where it is not, the times in the scenario
/// are not checked against it (the one error says what is wrong).
fn duration_ok(s: &Scenario) -> bool {
    s.duration_hours > 0.0 && s.duration_hours <= 24.0 * 366.0
}

fn check_dates(s: &Scenario, c: &mut Collector) -> Option<NaiveDateTime> {
    let mut start = parse_time(&s.start);
    match start {
        None => c.err(
            "start",
            format!("`{}` is not a real date and time (write YYYY-MM-DDTHH:MM)", s.start),
        ),
        Some(t) if !date_in_range(t.date()) => {
            c.err(
                "start",
                format!("{} is outside the dates this tool runs ({DATE_RANGE})", t.date()),
            );
            start = None;
        }
        Some(_) => {}
    }
    if !duration_ok(s) {
        c.err(
            "duration_hours",
            format!("duration must be between 0 and a year, not {}", s.duration_hours),
        );
    }
    let dob = s.child.date_of_birth;
    if !date_in_range(dob) {
        c.err(
            "child.date_of_birth",
            format!("{dob} is outside the dates this tool runs ({DATE_RANGE})"),
        );
    } else if let Some(t) = start {
        if dob > t.date() {
            c.err(
                "child.date_of_birth",
                format!(
                    "the child is born after the scenario starts ({dob} is after {})",
                    t.date()
                ),
            );
        } else if s.child.age_at(t) >= 18 {
            c.err(
                "child.date_of_birth",
                format!(
                    "the child is {} at the start; these protocols cover under-18s",
                    s.child.age_at(t)
                ),
            );
        }
    }
    start
}

fn check_previous(s: &Scenario, start: Option<NaiveDateTime>, c: &mut Collector) -> Vec<NaiveDateTime> {
    let mut previous = Vec::new();
    for (i, p) in s.previous_episodes.iter().enumerate() {
        let at = format!("previous_episodes[{i}]");
        match parse_time(p) {
            Some(t) if !date_in_range(t.date()) => c.err(
                &at,
                format!("{} is outside the dates this tool runs ({DATE_RANGE})", t.date()),
            ),
            Some(t) if start.is_none_or(|s| t < s) => previous.push(t),
            Some(_) => c.err(&at, "an earlier episode must be before the start"),
            None => c.err(&at, format!("`{p}` is not a real date and time")),
        }
    }
    previous
}

/// What the events of a scenario may name: its places, the protocol's actions and roles, the
/// cast and the child.
struct Refs<'a> {
    s: &'a Scenario,
    p: Option<&'a Protocol>,
    places: Vec<&'a str>,
}

impl Refs<'_> {
    fn place(&self, c: &mut Collector, at: &str, id: &str) {
        if !self.places.contains(&id) {
            c.err(
                at,
                format!(
                    "unknown place `{id}` (declared places: {}){}",
                    self.places.join(", "),
                    did_you_mean(id, &self.places)
                ),
            );
        }
    }
    fn role(&self, c: &mut Collector, at: &str, r: &str) {
        let Some(p) = self.p else { return };
        if p.role(r).is_none() {
            let mut roles: Vec<&str> = p.roles.iter().map(|r| r.id.as_str()).collect();
            roles.sort();
            // A near miss is named alone; otherwise every role, to choose from.
            let hint = match did_you_mean(r, &roles) {
                h if h.is_empty() => format!(" (its roles: {})", roles.join(", ")),
                h => h,
            };
            c.err(at, format!("unknown role `{r}` in protocol `{}`{hint}", p.id));
        }
    }
    fn action(&self, c: &mut Collector, at: &str, a: &str) {
        let Some(p) = self.p else { return };
        if p.action(a).is_none() {
            let ids: Vec<&str> = p.actions.iter().map(|x| x.id.as_str()).collect();
            c.err(
                at,
                format!("unknown action `{a}` in protocol `{}`{}", p.id, did_you_mean(a, &ids)),
            );
        }
    }
    /// A role of the protocol that the trainee does not play (what a `Does` event or a
    /// `withheld` act is about: the trainee's own acts are the trainee's to do or not).
    fn others_role(&self, c: &mut Collector, at: &str, r: &str, what: &str) {
        self.role(c, at, r);
        if r == self.s.trainee_role {
            c.err(
                at,
                format!(
                    "`{r}` is the trainee's role: the trainee decides what it does, so a {what} \
                     act is for a role nobody plays"
                ),
            );
        }
    }
    /// A `Does` event: a role nobody plays does an action of the protocol, with a grading only
    /// where the action grades the risk and a category (one of the protocol's) only where it
    /// classifies the child.
    fn does(&self, c: &mut Collector, at: &str, role: &str, action: &str, grade: bool, category: Option<&str>) {
        self.others_role(c, &format!("{at}.role"), role, "`Does`");
        self.action(c, &format!("{at}.action"), action);
        let Some(p) = self.p else { return };
        let ids: Vec<&str> = p.categories.iter().map(|x| x.id.as_str()).collect();
        if let Some(k) = category
            && !ids.contains(&k)
        {
            c.err(
                &format!("{at}.category"),
                format!("unknown category `{k}` in protocol `{}`{}", p.id, did_you_mean(k, &ids)),
            );
        }
        let Some(decl) = p.action(action) else { return };
        let classifies = decl.effects.contains(&crate::protocol::Effect::Classifies);
        let grades = decl.effects.contains(&crate::protocol::Effect::GradesRisk);
        if grade && !grades {
            c.err(
                &format!("{at}.grade"),
                format!("`{action}` does not grade the risk: leave the grading out"),
            );
        }
        if !grade && grades {
            c.err(
                &format!("{at}.action"),
                format!("`{action}` grades the risk: say how, with `grade:` (High, Medium, Low or NoApparentRisk)"),
            );
        }
        if category.is_some() && !classifies {
            c.err(
                &format!("{at}.category"),
                format!("`{action}` does not classify the child: leave the category out"),
            );
        }
        if category.is_none() && classifies {
            c.err(
                &format!("{at}.action"),
                format!(
                    "`{action}` classifies the child: say as what, with `category:` (one of {})",
                    ids.join(", ")
                ),
            );
        }
    }
    /// A message's sender: a role of the protocol, a cast member or the child.
    fn sender(&self, c: &mut Collector, at: &str, from: &str) {
        let Some(p) = self.p else { return };
        if p.role(from).is_none() && !self.s.cast.iter().any(|m| m.name == from) && from != self.s.child.name {
            let mut known: Vec<&str> = p.roles.iter().map(|r| r.id.as_str()).collect();
            known.extend(self.s.cast.iter().map(|m| m.name.as_str()));
            known.push(&self.s.child.name);
            c.err(
                at,
                format!(
                    "`{from}` is neither a role of the protocol nor a cast member{}",
                    did_you_mean(from, &known)
                ),
            );
        }
    }
    /// Every reference in a happening, inside conditional ones too (`at`: its field path).
    fn happening(&self, c: &mut Collector, at: &str, h: &Happening) {
        match h {
            Happening::Leaves {
                to,
                last_seen_hours_before,
                ..
            } => {
                self.place(c, &format!("{at}.to"), to);
                if let Some(h) = last_seen_hours_before
                    && !(*h > 0.0 && *h <= crate::protocol::load::MAX_SPAN_HOURS)
                {
                    c.err(
                        &format!("{at}.last_seen_hours_before"),
                        format!(
                            "{h} hours is not a time before the child was missed: give more than 0 hours and at most {} (ten years)",
                            crate::protocol::load::MAX_SPAN_HOURS
                        ),
                    );
                }
            }
            Happening::Seen { at: pl, .. }
            | Happening::Located { at: pl, .. }
            | Happening::WhereaboutsKnown { at: pl, .. } => self.place(c, &format!("{at}.at"), pl),
            Happening::Message { from, .. } => self.sender(c, &format!("{at}.from"), from),
            Happening::Discloses { to: Some(to), .. } => self.role(c, &format!("{at}.to"), to),
            Happening::Does {
                role,
                action,
                grade,
                category,
                ..
            } => self.does(c, at, role, action, grade.is_some(), category.as_deref()),
            Happening::Conditional {
                if_done,
                unless_done,
                then,
            } => {
                for (f, a) in [("if_done", if_done), ("unless_done", unless_done)] {
                    if let Some(a) = a {
                        self.action(c, &format!("{at}.{f}"), a);
                    }
                }
                self.happening(c, &format!("{at}.then"), then);
            }
            _ => {}
        }
    }
}

/// The name of a happening that only makes sense while the child is missing (one about an open
/// episode), or `None`.
fn needs_episode(h: &Happening) -> Option<&'static str> {
    match h {
        Happening::WhereaboutsKnown { .. } => Some("WhereaboutsKnown"),
        Happening::WhereaboutsUnknown { .. } => Some("WhereaboutsUnknown"),
        Happening::Located { .. } => Some("Located"),
        Happening::Returned { .. } => Some("Returned"),
        Happening::DeclinesInterview => Some("DeclinesInterview"),
        Happening::CloseEpisode => Some("CloseEpisode"),
        Happening::Conditional { then, .. } => needs_episode(then),
        _ => None,
    }
}

fn check_events(s: &Scenario, refs: &Refs, c: &mut Collector) {
    let mut last = f64::MIN;
    // Whether the child has surely left by this event: an unconditional `Leaves` came before it.
    let mut left = false;
    for (i, e) in s.events.iter().enumerate() {
        let at = format!("events[{i}]");
        if e.at_hours < last {
            c.err(
                &format!("{at}.at_hours"),
                format!("events are out of time order: {} h comes after {} h", e.at_hours, last),
            );
        }
        if duration_ok(s) && !(e.at_hours >= 0.0 && e.at_hours <= s.duration_hours) {
            c.err(
                &format!("{at}.at_hours"),
                format!("{} h is outside the scenario (0 to {} h)", e.at_hours, s.duration_hours),
            );
        }
        last = last.max(e.at_hours);
        for (f, a) in [("if_done", &e.if_done), ("unless_done", &e.unless_done)] {
            if let Some(a) = a {
                refs.action(c, &format!("{at}.{f}"), a);
            }
        }
        refs.happening(c, &format!("{at}.event"), &e.event);
        if !left && let Some(what) = needs_episode(&e.event) {
            c.err(
                &format!("{at}.event"),
                format!(
                    "`{what}` at {} h comes before the child leaves: it is about a missing child, \
                     so put a `Leaves` event (one with no if_done or unless_done) before it",
                    e.at_hours
                ),
            );
        }
        if matches!(e.event, Happening::Leaves { .. }) && e.if_done.is_none() && e.unless_done.is_none() {
            left = true;
        }
    }
}

/// Check a decision script against its scenario.
pub fn check_decisions(d: &Decisions, sc: &LoadedScenario, c: &mut Collector) {
    let p = &sc.protocol;
    let mut last = f64::MIN;
    for (i, a) in d.actions.iter().enumerate() {
        let at = format!("actions[{i}]");
        if !(a.at_hours >= 0.0 && a.at_hours <= sc.scenario.duration_hours) {
            c.err(
                &format!("{at}.at_hours"),
                format!(
                    "{} h is outside the scenario's time span (0 to {} h)",
                    a.at_hours, sc.scenario.duration_hours
                ),
            );
        }
        if a.at_hours < last {
            c.err(
                &format!("{at}.at_hours"),
                format!(
                    "decisions are out of time order: {} h comes after {} h",
                    a.at_hours, last
                ),
            );
        }
        last = last.max(a.at_hours);
        let decl = p.action(&a.action);
        if a.action == NO_ACTION {
            if a.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                c.err(
                    &format!("{at}.action"),
                    "a decision not to act needs its rationale in `note`",
                );
            }
            if a.category.is_some() {
                c.err(
                    &format!("{at}.category"),
                    "a decision not to act does not classify the child: leave the category out",
                );
            }
            if a.grade.is_some() {
                c.err(
                    &format!("{at}.grade"),
                    "a decision not to act does not grade the risk: leave the grading out",
                );
            }
        } else if decl.is_none() {
            let mut ids: Vec<&str> = p.actions.iter().map(|x| x.id.as_str()).collect();
            ids.push(NO_ACTION);
            c.err(
                &format!("{at}.action"),
                format!(
                    "unknown action `{}` in protocol `{}`{}",
                    a.action,
                    p.id,
                    did_you_mean(&a.action, &ids)
                ),
            );
        }
        if let Some(k) = &a.category
            && !p.categories.iter().any(|x| &x.id == k)
        {
            let ids: Vec<&str> = p.categories.iter().map(|x| x.id.as_str()).collect();
            c.err(
                &format!("{at}.category"),
                format!("unknown category `{k}` in protocol `{}`{}", p.id, did_you_mean(k, &ids)),
            );
        }
        // A judgement is scored on what it says: an action that classifies needs the category,
        // and one that does not cannot carry one (nor a grading).
        if let Some(decl) = decl {
            let classifies = decl.effects.contains(&crate::protocol::Effect::Classifies);
            let grades = decl.effects.contains(&crate::protocol::Effect::GradesRisk);
            let ids: Vec<&str> = p.categories.iter().map(|x| x.id.as_str()).collect();
            if classifies && a.category.is_none() {
                c.err(
                    &format!("{at}.action"),
                    format!(
                        "`{}` classifies the child: say as what, with `category:` (one of {})",
                        a.action,
                        ids.join(", ")
                    ),
                );
            }
            if !classifies && a.category.is_some() {
                c.err(
                    &format!("{at}.category"),
                    format!("`{}` does not classify the child: leave the category out", a.action),
                );
            }
            if !grades && a.grade.is_some() {
                c.err(
                    &format!("{at}.grade"),
                    format!("`{}` does not grade the risk: leave the grading out", a.action),
                );
            }
        }
        check_fields(a, p, &at, c);
        check_answers(a, p, &at, c);
    }
}

/// Check the decision script of one role of a live exercise (`roles/ROLE/…` beside the scenario,
/// `run --play ROLE=FILE`): as a trainee's script is checked, and besides, what a live table would
/// refuse mid-run — an act the protocol does not ask of that role, a decision not to act (a table
/// has none: the rationale goes with an act), an act that grades the risk without the grading, a
/// required field of the act's form left empty, and tool answers (a table's acts carry none).
pub fn check_role_decisions(d: &Decisions, sc: &LoadedScenario, role: &str, c: &mut Collector) {
    check_decisions(d, sc, c);
    let p = &sc.protocol;
    let name = p.role(role).map_or(role.to_string(), |r| r.name.clone());
    let mine = p.actions_for_role(role);
    for (i, a) in d.actions.iter().enumerate() {
        let at = format!("actions[{i}]");
        if a.action == NO_ACTION {
            c.err(
                &format!("{at}.action"),
                "a live table records no decision not to act: leave it out, and give the \
                 reason in the `note` of the act that follows",
            );
            continue;
        }
        let Some(decl) = p.action(&a.action) else {
            continue; // named by check_decisions
        };
        if !mine.contains(&a.action.as_str()) {
            c.err(
                &format!("{at}.action"),
                format!(
                    "`{}` is not something the {name} (`{role}`) does under `{}` (its actions: {}){}",
                    a.action,
                    p.id,
                    mine.join(", "),
                    did_you_mean(&a.action, &mine)
                ),
            );
            continue;
        }
        if decl.effects.contains(&crate::protocol::Effect::GradesRisk) && a.grade.is_none() {
            c.err(
                &format!("{at}.action"),
                format!(
                    "`{}` grades the risk: say how, with `grade:` (High, Medium, Low or NoApparentRisk)",
                    a.action
                ),
            );
        }
        if !a.answers.is_empty() {
            c.err(
                &format!("{at}.answers"),
                "a live table's acts carry no tool answers: leave the answers out",
            );
        }
        let form = decl
            .form
            .as_deref()
            .and_then(|f| p.risk.forms.iter().find(|x| x.id == f));
        if let Some(form) = form {
            for f in form.fields.iter().filter(|f| f.required) {
                let filled = a.fields.iter().any(|(id, v)| *id == f.id && !v.trim().is_empty());
                if !filled {
                    c.err(
                        &format!("{at}.fields"),
                        format!(
                            "{}: fill in “{}” (`(\"{}\", \"…\")`): the live table refuses the act without it",
                            form.name, f.label, f.id
                        ),
                    );
                }
            }
        }
    }
}

fn check_fields(a: &super::Decision, p: &Protocol, at: &str, c: &mut Collector) {
    if a.fields.is_empty() {
        return;
    }
    let form = p
        .action(&a.action)
        .and_then(|x| x.form.as_deref())
        .and_then(|f| p.risk.forms.iter().find(|x| x.id == f));
    let Some(form) = form else {
        c.err(
            &format!("{at}.fields"),
            format!("action `{}` has no form to fill in", a.action),
        );
        return;
    };
    let known: Vec<&str> = form.fields.iter().map(|x| x.id.as_str()).collect();
    let mut seen = HashSet::new();
    for (j, (f, _)) in a.fields.iter().enumerate() {
        if !known.contains(&f.as_str()) {
            c.err(
                &format!("{at}.fields[{j}].0"),
                format!(
                    "`{f}` is not a field of {} (fields: {}){}",
                    form.name,
                    known.join(", "),
                    did_you_mean(f, &known)
                ),
            );
        } else if !seen.insert(f.as_str()) {
            c.err(
                &format!("{at}.fields[{j}].0"),
                format!("field `{f}` is filled in twice"),
            );
        }
    }
}

/// Tool answers (`answers: [("item", score), …]`): each names an item of the protocol's risk
/// tool, once, with a score the item allows (or 0: it does not apply), all from one tool.
fn check_answers(a: &super::Decision, p: &Protocol, at: &str, c: &mut Collector) {
    if a.answers.is_empty() {
        return;
    }
    let tools = &p.risk.tools;
    if a.action == NO_ACTION {
        c.err(
            &format!("{at}.answers"),
            "a decision not to act scores no tool: leave the answers out",
        );
        return;
    }
    if tools.is_empty() {
        c.err(
            &format!("{at}.answers"),
            format!(
                "protocol `{}` has no risk tool (risk.tools) to score: leave the answers out",
                p.id
            ),
        );
        return;
    }
    let find = |id: &str| -> Option<(&AssessmentTool, &ToolItem)> {
        tools.iter().find_map(|t| {
            t.sections
                .iter()
                .flat_map(|s| &s.items)
                .find(|x| x.id == id)
                .map(|x| (t, x))
        })
    };
    let mut seen = HashSet::new();
    let mut scored: Option<&AssessmentTool> = None;
    for (j, (id, score)) in a.answers.iter().enumerate() {
        let Some((tool, item)) = find(id) else {
            let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
            let items: Vec<&str> = tools
                .iter()
                .flat_map(|t| t.sections.iter().flat_map(|s| &s.items))
                .map(|x| x.id.as_str())
                .collect();
            c.err(
                &format!("{at}.answers[{j}].0"),
                format!(
                    "`{id}` is not an item of {}{}",
                    names.join(" or "),
                    did_you_mean(id, &items)
                ),
            );
            continue;
        };
        if !seen.insert(id.as_str()) {
            c.err(
                &format!("{at}.answers[{j}].0"),
                format!("item `{id}` is answered twice"),
            );
        }
        match scored {
            Some(t) if t.id != tool.id => c.err(
                &format!("{at}.answers[{j}].0"),
                format!(
                    "`{id}` is an item of {}, but these answers score {}: one tool per action",
                    tool.name, t.name
                ),
            ),
            Some(_) => {}
            None => scored = Some(tool),
        }
        if *score != 0 && !item.scores.contains(score) {
            let allowed: Vec<String> = item.scores.iter().map(|s| s.to_string()).collect();
            c.err(
                &format!("{at}.answers[{j}].1"),
                format!(
                    "item `{id}` scores {} when it applies, or 0 when it does not; not {score}",
                    allowed.join(" or ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_ids_are_plain_names_never_paths() {
        let is_plain_id = |id: &str| crate::paths::plain_name(id, "protocol id").is_ok();
        for ok in ["haringey-2021", "havering-2023-10", "west_mercia.v2"] {
            assert!(is_plain_id(ok), "{ok}");
        }
        for bad in ["", "../x", "/abs", "a/b", "a\\b", ".hidden", "..", "x y", "x\u{1b}[31m"] {
            assert!(!is_plain_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_bad_id_is_shown_escaped() {
        let m = bad_id_message("x\u{1b}[31m");
        assert!(!m.contains('\u{1b}'), "{m}");
        assert!(m.contains("x\\u{1b}[31m"), "{m}");
    }

    #[test]
    fn dates_run_from_1900_to_2200() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(date_in_range(d(1900, 1, 1)) && date_in_range(d(2200, 12, 31)));
        assert!(!date_in_range(d(1899, 12, 31)) && !date_in_range(d(2201, 1, 1)));
    }
}
