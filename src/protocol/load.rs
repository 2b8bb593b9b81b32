//! Reading protocol files and checking them: every error names `file:line:col` and the field.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::model::*;
use super::spans::SpanMap;
use crate::diag::{Collector, Diagnostics, parse_ron};

/// Longest quote accepted in a citation (the guide asks for about 200 characters).
pub const MAX_QUOTE_CHARS: usize = 300;
/// Longest deadline accepted: a year.
pub const MAX_DEADLINE_HOURS: i64 = 366 * 24;
/// Longest span a timer or a window may give (`MissingFor`, `min_hours_away`, an episode-count
/// window): ten years, as the longest stress-test horizon. Every time the engine works out from
/// one (from a start no later than 2200) stays well inside its clock (1677 to 2262).
pub const MAX_SPAN_DAYS: i64 = 3660;
/// `MAX_SPAN_DAYS` in hours.
pub const MAX_SPAN_HOURS: f64 = (MAX_SPAN_DAYS * 24) as f64;
/// Shortest repeat: an hour (a duty repeated every few minutes would swamp a run with bookings).
pub const MIN_REPEAT_MINUTES: i64 = 60;
/// Highest score a risk-tool item may give (totals stay far from overflow).
pub const MAX_ITEM_SCORE: i64 = 1000;

/// A protocol together with where it came from, so later findings can point into the file.
#[derive(Debug, Clone)]
pub struct LoadedProtocol {
    pub protocol: Protocol,
    pub path: std::path::PathBuf,
    pub spans: SpanMap,
}

impl LoadedProtocol {
    /// `path:line:col` of a value, e.g. `rules[3].deadline`.
    pub fn locate(&self, field: &str) -> String {
        let p = self.spans.get(field);
        format!("{}:{}:{}", self.path.display(), p.line, p.col)
    }
    /// `path:line:col` of the rule with this id.
    pub fn locate_rule(&self, id: &str) -> String {
        match self.protocol.rules.iter().position(|r| r.id == id) {
            Some(i) => self.locate(&format!("rules[{i}]")),
            None => self.path.display().to_string(),
        }
    }
}

/// Read, parse and check a protocol file.
pub fn load_protocol(path: &Path) -> Result<LoadedProtocol, Diagnostics> {
    let src = crate::diag::read_source(path, "protocol")?;
    parse_protocol(path, &src)
}

/// Parse and check protocol text (path is used for messages only).
pub fn parse_protocol(path: &Path, src: &str) -> Result<LoadedProtocol, Diagnostics> {
    let protocol: Protocol = parse_ron(path, src)?;
    let spans = SpanMap::scan(src);
    let mut c = Collector::new(path, &spans);
    check(&protocol, &mut c);
    c.finish()?;
    Ok(LoadedProtocol {
        protocol,
        path: path.to_path_buf(),
        spans,
    })
}

/// Parse without the semantic checks (lint reports those as findings instead).
pub fn parse_unchecked(path: &Path) -> Result<(LoadedProtocol, Vec<crate::diag::SourceError>), Diagnostics> {
    let src = crate::diag::read_source(path, "protocol")?;
    let protocol: Protocol = parse_ron(path, &src)?;
    let spans = SpanMap::scan(&src);
    let mut c = Collector::new(path, &spans);
    check(&protocol, &mut c);
    let errors = c.errors;
    Ok((
        LoadedProtocol {
            protocol,
            path: path.to_path_buf(),
            spans,
        },
        errors,
    ))
}

struct Names<'p> {
    roles: HashSet<&'p str>,
    actions: HashSet<&'p str>,
    categories: HashSet<&'p str>,
    docs: HashSet<&'p str>,
    /// The bands the protocol's risk tools give.
    tool_bands: Vec<Rag>,
}

fn check(p: &Protocol, c: &mut Collector) {
    if p.id.trim().is_empty() {
        c.err("id", "the protocol id must not be empty");
    }
    if chrono::NaiveDate::parse_from_str(&p.effective, "%Y-%m-%d").is_err() {
        c.err(
            "effective",
            format!("`{}` is not a real date (write YYYY-MM-DD)", p.effective),
        );
    }
    if p.documents.is_empty() {
        c.err("documents", "at least one source document must be listed");
    }
    if let Some(name) = &p.calendar
        && crate::sim::calendar::Calendar::named(name).is_none()
    {
        c.err(
            "calendar",
            format!(
                "no calendar `{name}`: the calendars are {}",
                crate::sim::calendar::CALENDARS
                    .iter()
                    .map(|(id, _)| format!("`{id}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    if let Some(h) = p.office_hours
        && (h.start_hour >= h.end_hour || h.end_hour > 24)
    {
        c.err(
            "office_hours",
            format!(
                "office hours {}–{} are impossible: they open at an hour from 0 to 23 and close later the same day, at 24 (midnight) at the latest",
                h.start_hour, h.end_hour
            ),
        );
    }

    unique(c, "documents", p.documents.iter().map(|d| d.id.as_str()), "document");
    unique(c, "roles", p.roles.iter().map(|d| d.id.as_str()), "role");
    unique(c, "actions", p.actions.iter().map(|d| d.id.as_str()), "action");
    unique(c, "categories", p.categories.iter().map(|d| d.id.as_str()), "category");
    unique(c, "rules", p.rules.iter().map(|d| d.id.as_str()), "rule");
    unique(
        c,
        "prohibitions",
        p.prohibitions.iter().map(|d| d.id.as_str()),
        "prohibition",
    );

    let n = Names {
        roles: p.roles.iter().map(|r| r.id.as_str()).collect(),
        actions: p.actions.iter().map(|r| r.id.as_str()).collect(),
        categories: p.categories.iter().map(|r| r.id.as_str()).collect(),
        docs: p.documents.iter().map(|r| r.id.as_str()).collect(),
        tool_bands: p
            .risk
            .tools
            .iter()
            .flat_map(|t| t.bands.iter().map(|b| b.rag))
            .collect(),
    };

    for (i, a) in p.actions.iter().enumerate() {
        if let Some(f) = &a.form
            && !p.risk.forms.iter().any(|x| &x.id == f)
        {
            let known: Vec<&str> = p.risk.forms.iter().map(|x| x.id.as_str()).collect();
            c.err(
                &format!("actions[{i}].form"),
                format!(
                    "unknown form `{f}` (declare it under `risk.forms`; known: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            );
        }
        for (j, e) in a.effects.iter().enumerate() {
            if let Effect::Notifies(r) = e {
                role_ref(c, &n, &format!("actions[{i}].effects[{j}].0"), r);
            }
        }
    }
    if let Some(k) = &p.knowledge {
        k.check(p, c);
        for (i, rec) in k.together.iter().enumerate() {
            if let Some(cit) = &rec.citation {
                citation(c, &n, &format!("knowledge.together[{i}].citation"), cit);
            }
        }
        for (i, t) in k.tells.iter().enumerate() {
            if let Some(cit) = &t.citation {
                citation(c, &n, &format!("knowledge.tells[{i}].citation"), cit);
            }
        }
    }
    for (i, k) in p.categories.iter().enumerate() {
        citation(c, &n, &format!("categories[{i}].citation"), &k.citation);
    }
    if p.classification.is_empty() {
        c.err("classification", "at least one classification entry is needed");
    }
    for (i, k) in p.classification.iter().enumerate() {
        let at = format!("classification[{i}]");
        category_ref(c, &n, &format!("{at}.category"), &k.category);
        condition(c, &n, &format!("{at}.when"), &k.when);
        citation(c, &n, &format!("{at}.citation"), &k.citation);
    }
    for (i, x) in p.prohibitions.iter().enumerate() {
        let at = format!("prohibitions[{i}]");
        match &x.forbids {
            Forbidden::Category(k) => category_ref(c, &n, &format!("{at}.forbids.0"), k),
            Forbidden::Action(a) => action_ref(c, &n, &format!("{at}.forbids.0"), a),
            Forbidden::Grade(_) => {}
        }
        for (j, r) in x.roles.iter().enumerate() {
            role_ref(c, &n, &format!("{at}.roles[{j}]"), r);
        }
        for (j, r) in x.except.iter().enumerate() {
            role_ref(c, &n, &format!("{at}.except[{j}]"), r);
        }
        if let Some(r) = x.roles.iter().find(|r| x.except.contains(r)) {
            c.err(
                &format!("{at}.except"),
                format!("`{r}` is both bound (`roles`) and spared (`except`): name it in one of them"),
            );
        }
        condition(c, &n, &format!("{at}.when"), &x.when);
        citation(c, &n, &format!("{at}.citation"), &x.citation);
    }
    for (i, r) in p.rules.iter().enumerate() {
        let at = format!("rules[{i}]");
        let who = format!("rule `{}`", r.id);
        if r.id.trim().is_empty() {
            c.err(&format!("{at}.id"), "a rule id must not be empty");
        }
        citation(c, &n, &format!("{at}.citation"), &r.citation);
        trigger(c, &n, &format!("{at}.trigger"), &r.trigger, &who);
        condition(c, &n, &format!("{at}.when"), &r.when);
        role_ref(c, &n, &format!("{at}.role"), &r.role);
        action_ref(c, &n, &format!("{at}.action"), &r.action);
        deadline(c, &format!("{at}.deadline"), &r.deadline, &who);
        if let Some(by) = &r.done_by {
            role_ref(c, &n, &format!("{at}.done_by"), by);
            if !matches!(r.trigger, Trigger::Done(_)) {
                c.err(
                    &format!("{at}.done_by"),
                    "`done_by` says whose act sets the rule off: it goes with a `Done(action)` trigger",
                );
            }
        }
        if let Some(h) = r.opens_after_hours
            && !(h > 0.0 && h <= MAX_SPAN_HOURS)
        {
            c.err(
                &format!("{at}.opens_after_hours"),
                format!(
                    "a window opens from just after 0 to {MAX_SPAN_HOURS} hours (ten years) after the trigger, not {h}"
                ),
            );
        }
        if let Some(rep) = &r.repeat {
            deadline(c, &format!("{at}.repeat.every"), &rep.every, &who);
            if matches!(rep.every, Deadline::Immediately | Deadline::NoLimit | Deadline::SameDay)
                || matches!(rep.every, Deadline::Hours(0) | Deadline::Days(0) | Deadline::Minutes(0))
            {
                c.err(
                    &format!("{at}.repeat.every"),
                    format!("{who}: a repeat needs a positive interval"),
                );
            } else if let Deadline::Minutes(m) = rep.every
                && (1..MIN_REPEAT_MINUTES).contains(&m)
            {
                c.err(
                    &format!("{at}.repeat.every.0"),
                    format!("{who}: a repeat is at least an hour apart (Minutes(60) or Hours(1)), not {m} min"),
                );
            }
            trigger(c, &n, &format!("{at}.repeat.until"), &rep.until, &who);
        }
        if let Some(pts) = r.points
            && pts < 0
        {
            c.err(
                &format!("{at}.points"),
                format!("{who}: points must not be negative ({pts})"),
            );
        }
    }

    let risk = &p.risk;
    for (i, g) in risk.police_grades.iter().enumerate() {
        citation(c, &n, &format!("risk.police_grades[{i}].citation"), &g.citation);
    }
    for (i, g) in risk.mash_rag.iter().enumerate() {
        deadline(
            c,
            &format!("risk.mash_rag[{i}].response"),
            &g.response,
            "MASH RAG response",
        );
        citation(c, &n, &format!("risk.mash_rag[{i}].citation"), &g.citation);
    }
    for (i, t) in risk.tools.iter().enumerate() {
        let at = format!("risk.tools[{i}]");
        citation(c, &n, &format!("{at}.citation"), &t.citation);
        let mut seen = HashSet::new();
        for (s, sec) in t.sections.iter().enumerate() {
            for (k, item) in sec.items.iter().enumerate() {
                let ip = format!("{at}.sections[{s}].items[{k}]");
                if !seen.insert(item.id.as_str()) {
                    c.err(
                        &format!("{ip}.id"),
                        format!("item id `{}` is used twice in tool `{}`", item.id, t.id),
                    );
                }
                if item.scores.is_empty() || item.scores.iter().any(|s| *s < 0) {
                    c.err(
                        &format!("{ip}.scores"),
                        "an item needs one or more scores, none negative",
                    );
                } else if let Some(s) = item.scores.iter().find(|s| **s > MAX_ITEM_SCORE) {
                    c.err(
                        &format!("{ip}.scores"),
                        format!("an item scores from 0 to {MAX_ITEM_SCORE}, not {s}"),
                    );
                }
            }
        }
        for (b, band) in t.bands.iter().enumerate() {
            citation(c, &n, &format!("{at}.bands[{b}].citation"), &band.citation);
            if let Some(max) = band.max
                && max < band.min
            {
                c.err(
                    &format!("{at}.bands[{b}].max"),
                    format!("band max {max} is below its min {}", band.min),
                );
            }
        }
    }
    for (i, f) in risk.forms.iter().enumerate() {
        citation(c, &n, &format!("risk.forms[{i}].citation"), &f.citation);
    }
    for (i, f) in risk.rhi_criteria.iter().enumerate() {
        citation(c, &n, &format!("risk.rhi_criteria[{i}].citation"), &f.citation);
    }
    for (i, l) in risk.ladders.iter().enumerate() {
        for (s, step) in l.steps.iter().enumerate() {
            let at = format!("risk.ladders[{i}].steps[{s}]");
            role_ref(c, &n, &format!("{at}.role"), &step.role);
            citation(c, &n, &format!("{at}.citation"), &step.citation);
            window(c, &at, step.episodes, step.within_days);
        }
    }
    for (i, t) in risk.establishment_thresholds.iter().enumerate() {
        let at = format!("risk.establishment_thresholds[{i}]");
        citation(c, &n, &format!("{at}.citation"), &t.citation);
        window(c, &at, t.episodes, t.within_days);
    }
}

fn unique<'a>(c: &mut Collector, list: &str, ids: impl Iterator<Item = &'a str>, what: &str) {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, id) in ids.enumerate() {
        if let Some(j) = first.get(id) {
            c.err(
                &format!("{list}[{i}].id"),
                format!("duplicate {what} id `{id}` (first used at {list}[{j}])"),
            );
        } else {
            first.insert(id, i);
        }
    }
}

fn role_ref(c: &mut Collector, n: &Names, at: &str, role: &str) {
    if !n.roles.contains(role) {
        c.err(
            at,
            format!("unknown role `{role}` (declared roles: {})", sorted(&n.roles)),
        );
    }
}
fn action_ref(c: &mut Collector, n: &Names, at: &str, action: &str) {
    if !n.actions.contains(action) {
        c.err(at, format!("unknown action `{action}` (declare it under `actions`)"));
    }
}
fn category_ref(c: &mut Collector, n: &Names, at: &str, cat: &str) {
    if !n.categories.contains(cat) {
        c.err(
            at,
            format!(
                "unknown category `{cat}` (declared categories: {})",
                sorted(&n.categories)
            ),
        );
    }
}

fn sorted(set: &HashSet<&str>) -> String {
    let mut v: Vec<_> = set.iter().copied().collect();
    v.sort();
    v.join(", ")
}

fn citation(c: &mut Collector, n: &Names, at: &str, cit: &Citation) {
    if !n.docs.contains(cit.doc.as_str()) {
        c.err(
            &format!("{at}.doc"),
            format!(
                "citation names document `{}`, which is not listed under `documents`",
                cit.doc
            ),
        );
    }
    if cit.section.trim().is_empty() {
        c.err(&format!("{at}.section"), "a citation needs the section or appendix");
    }
    if cit.quote.trim().is_empty() {
        c.err(
            &format!("{at}.quote"),
            "a citation needs a short quote of what the document says",
        );
    } else if cit.quote.chars().count() > MAX_QUOTE_CHARS {
        c.err(
            &format!("{at}.quote"),
            format!(
                "quote is {} characters; keep it under {MAX_QUOTE_CHARS}",
                cit.quote.chars().count()
            ),
        );
    }
}

fn trigger(c: &mut Collector, n: &Names, at: &str, t: &Trigger, who: &str) {
    match t {
        Trigger::ClassifiedAs(k) => category_ref(c, n, &format!("{at}.0"), k),
        Trigger::NotificationReceived(r) | Trigger::DisclosedTo(r) => role_ref(c, n, &format!("{at}.0"), r),
        Trigger::Done(a) => action_ref(c, n, &format!("{at}.0"), a),
        Trigger::MissingFor(h) if *h < 0.0 => {
            c.err(
                &format!("{at}.0"),
                format!("{who}: hours missing must be zero or more, not {h}"),
            );
        }
        Trigger::MissingFor(h) if h.is_nan() || *h > MAX_SPAN_HOURS => {
            c.err(
                &format!("{at}.0"),
                format!("{who}: hours missing run from 0 to {MAX_SPAN_HOURS} (ten years), not {h}"),
            );
        }
        Trigger::EpisodeCount { episodes, within_days } => window(c, at, *episodes, *within_days),
        _ => {}
    }
}

fn window(c: &mut Collector, at: &str, episodes: i64, days: i64) {
    if episodes < 1 {
        c.err(
            &format!("{at}.episodes"),
            format!("episode count must be at least 1, not {episodes}"),
        );
    }
    if !(1..=MAX_SPAN_DAYS).contains(&days) {
        c.err(
            &format!("{at}.within_days"),
            format!("a window runs from 1 day to {MAX_SPAN_DAYS} days (ten years), not {days}"),
        );
    }
}

fn condition(c: &mut Collector, n: &Names, at: &str, w: &Condition) {
    for (f, v) in [("min_age", w.min_age), ("max_age", w.max_age)] {
        if let Some(v) = v
            && !(0..=25).contains(&v)
        {
            c.err(
                &format!("{at}.{f}"),
                format!("age {v} is impossible for a child (0 to 25)"),
            );
        }
    }
    for (i, k) in w.category.iter().enumerate() {
        category_ref(c, n, &format!("{at}.category[{i}]"), k);
    }
    if let Some(h) = w.min_hours_away {
        if h < 0.0 {
            c.err(
                &format!("{at}.min_hours_away"),
                format!("hours away must be zero or more, not {h}"),
            );
        } else if h.is_nan() || h > MAX_SPAN_HOURS {
            c.err(
                &format!("{at}.min_hours_away"),
                format!("hours away run from 0 to {MAX_SPAN_HOURS} (ten years), not {h}"),
            );
        }
    }
    if let Some(e) = w.min_episodes {
        window(c, &format!("{at}.min_episodes"), e.episodes, e.within_days);
    }
    for (i, b) in w.tool_band.iter().enumerate() {
        if n.tool_bands.is_empty() {
            c.err(
                &format!("{at}.tool_band[{i}]"),
                "this protocol has no risk tool (risk.tools) to give a band",
            );
        } else if !n.tool_bands.contains(b) {
            let known: Vec<String> = n.tool_bands.iter().map(|b| format!("{b:?}")).collect();
            c.err(
                &format!("{at}.tool_band[{i}]"),
                format!("no band of the risk tool is {b:?} (its bands: {})", known.join(", ")),
            );
        }
    }
}

fn deadline(c: &mut Collector, at: &str, d: &Deadline, who: &str) {
    let (v, hours) = match *d {
        Deadline::Minutes(m) => (m, m / 60),
        Deadline::Hours(h) => (h, h),
        Deadline::Days(x) => (x, x.saturating_mul(24)),
        Deadline::WorkingDays(x) => (x, x.saturating_mul(24)),
        _ => return,
    };
    if v < 0 {
        c.err(
            &format!("{at}.0"),
            format!("{who}: deadline must not be negative ({})", d.label()),
        );
    } else if hours > MAX_DEADLINE_HOURS {
        c.err(
            &format!("{at}.0"),
            format!("{who}: deadline of {} is impossible (more than a year)", d.label()),
        );
    } else if matches!(d, Deadline::WorkingDays(0)) {
        c.err(
            &format!("{at}.0"),
            format!("{who}: zero working days is not a deadline; use Immediately or SameDay"),
        );
    }
}
