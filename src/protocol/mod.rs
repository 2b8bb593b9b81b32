//! Protocols as cited data: model, loading with positioned errors, lint, diff and summaries.

pub mod diff;
pub mod knowledge;
pub mod lint;
pub mod load;
pub mod model;
pub mod review;
pub mod show;
pub mod spans;

pub use knowledge::{Knowledge, Learns, SharedRecord, Tell};
pub use load::{LoadedProtocol, load_protocol, parse_protocol};
pub use model::*;

/// What the protocol's conditions are evaluated against: the child and the episode right now.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub age: i64,
    pub legal_status: Vec<LegalStatus>,
    pub placement: Option<Placement>,
    pub out_of_borough: bool,
    pub placed_here_by_other_authority: bool,
    pub whereabouts_known: bool,
    /// Hours since last seen without contact.
    pub hours_away: f64,
    pub category: Option<String>,
    pub risk: Option<RiskLevel>,
    pub risk_factors: Vec<String>,
    pub office_hours: bool,
    /// Age in days of each episode's start, this one included (0.0 for the current one).
    pub episode_ages_days: Vec<f64>,
    /// The band of the latest risk-tool score in this episode, if the tool was scored.
    pub tool_band: Option<Rag>,
}

impl Facts {
    pub fn looked_after(&self) -> bool {
        self.legal_status.iter().any(|s| s.is_looked_after())
    }
    pub fn episodes_within(&self, days: i64) -> i64 {
        self.episode_ages_days.iter().filter(|a| **a <= days as f64).count() as i64
    }
}

impl Condition {
    /// Does this condition hold for these facts?
    pub fn holds(&self, f: &Facts) -> bool {
        let opt = |want: Option<bool>, have: bool| want.is_none_or(|w| w == have);
        self.min_age.is_none_or(|a| f.age >= a)
            && self.max_age.is_none_or(|a| f.age <= a)
            && (self.legal_status.is_empty() || self.legal_status.iter().any(|s| f.legal_status.contains(s)))
            && opt(self.looked_after, f.looked_after())
            && (self.placement.is_empty() || f.placement.is_some_and(|p| self.placement.contains(&p)))
            && opt(self.out_of_borough, f.out_of_borough)
            && opt(self.placed_here_by_other_authority, f.placed_here_by_other_authority)
            && opt(self.whereabouts_known, f.whereabouts_known)
            && (self.category.is_empty() || f.category.as_ref().is_some_and(|c| self.category.contains(c)))
            && (self.risk.is_empty() || f.risk.is_some_and(|r| self.risk.contains(&r)))
            && (self.risk_factors.is_empty() || self.risk_factors.iter().any(|r| f.risk_factors.contains(r)))
            && self.min_hours_away.is_none_or(|h| f.hours_away >= h)
            && opt(self.office_hours, f.office_hours)
            && self
                .min_episodes
                .is_none_or(|w| f.episodes_within(w.within_days) >= w.episodes)
            && (self.tool_band.is_empty() || f.tool_band.is_some_and(|b| self.tool_band.contains(&b)))
    }

    /// True when the condition reads only what a child's profile says of them — legal status,
    /// placement, where they are placed from, risk factors — and not their age, the episode or
    /// the time: its answer for a child never changes.
    pub fn is_about_the_profile_only(&self) -> bool {
        // Every field is named, so that a new one has to be sorted into one kind or the other.
        let Condition {
            min_age,
            max_age,
            legal_status: _,
            looked_after: _,
            placement: _,
            out_of_borough: _,
            placed_here_by_other_authority: _,
            whereabouts_known,
            category,
            risk,
            risk_factors: _,
            min_hours_away,
            office_hours,
            min_episodes,
            tool_band,
        } = self;
        min_age.is_none()
            && max_age.is_none()
            && whereabouts_known.is_none()
            && category.is_empty()
            && risk.is_empty()
            && min_hours_away.is_none()
            && office_hours.is_none()
            && min_episodes.is_none()
            && tool_band.is_empty()
    }

    /// True when no child could ever satisfy this condition.
    pub fn is_impossible(&self) -> bool {
        matches!((self.min_age, self.max_age), (Some(a), Some(b)) if a > b)
            || (self.looked_after == Some(false)
                && !self.legal_status.is_empty()
                && self.legal_status.iter().all(|s| s.is_looked_after()))
    }
}

impl Protocol {
    /// The category this protocol gives the child now, with the entry that decided it.
    pub fn classify(&self, f: &Facts) -> Option<&ClassificationRule> {
        self.classification.iter().find(|c| c.when.holds(f))
    }

    /// Hours-away thresholds at which the classification may change (for escalation timers).
    pub fn escalation_hours(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self
            .classification
            .iter()
            .filter_map(|c| c.when.min_hours_away)
            .collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    }

    /// The prohibition broken by classifying the child as `category`, if any.
    pub fn forbids_category(&self, f: &Facts, category: &str) -> Option<&Prohibition> {
        self.forbids_category_to(f, category, None)
    }

    /// The prohibition broken by `role` classifying the child in `category` (`None`: by anyone).
    pub fn forbids_category_to(&self, f: &Facts, category: &str, role: Option<&str>) -> Option<&Prohibition> {
        self.prohibitions
            .iter()
            .find(|p| matches!(&p.forbids, Forbidden::Category(c) if c == category) && p.binds(role) && p.when.holds(f))
    }

    /// The prohibition broken by grading the child at `level`, if any.
    pub fn forbids_grade(&self, f: &Facts, level: RiskLevel) -> Option<&Prohibition> {
        self.forbids_grade_to(f, level, None)
    }

    /// The prohibition broken by `role` grading the child at `level` (`None`: by anyone).
    pub fn forbids_grade_to(&self, f: &Facts, level: RiskLevel, role: Option<&str>) -> Option<&Prohibition> {
        self.prohibitions
            .iter()
            .find(|p| matches!(&p.forbids, Forbidden::Grade(g) if *g == level) && p.binds(role) && p.when.holds(f))
    }

    /// The prohibition broken by doing `action`, if any.
    pub fn forbids_action(&self, f: &Facts, action: &str) -> Option<&Prohibition> {
        self.forbids_action_to(f, action, None)
    }

    /// The prohibition broken by `role` doing `action` (`None`: by anyone).
    pub fn forbids_action_to(&self, f: &Facts, action: &str, role: Option<&str>) -> Option<&Prohibition> {
        self.prohibitions
            .iter()
            .find(|p| matches!(&p.forbids, Forbidden::Action(a) if a == action) && p.binds(role) && p.when.holds(f))
    }

    /// The actions a role can take in a scenario: every action a rule asks of it, then those a
    /// prohibition scoped by role forbids it or spares it ("only the Assistant Director may end a
    /// placement": offered to every role, so that a social worker can make the mistake), in the
    /// protocol's order, each once.
    pub fn actions_for_role(&self, role: &str) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        let scoped = self.prohibitions.iter().filter_map(|p| match &p.forbids {
            Forbidden::Action(a) if !p.except.is_empty() || p.roles.iter().any(|r| r == role) => Some(a.as_str()),
            _ => None,
        });
        for a in self
            .rules
            .iter()
            .filter(|r| r.role == role)
            .map(|r| r.action.as_str())
            .chain(scoped)
        {
            if !v.contains(&a) {
                v.push(a);
            }
        }
        v
    }

    /// Whether any prohibition names `action` (whoever it binds, whenever).
    pub fn may_forbid_action(&self, action: &str) -> bool {
        self.prohibitions
            .iter()
            .any(|p| matches!(&p.forbids, Forbidden::Action(a) if a == action))
    }

    /// The title with the version: two versions of a protocol share a title.
    pub fn full_title(&self) -> String {
        if self.version.is_empty() || self.title.contains(&self.version) {
            self.title.clone()
        } else if self.version.contains('(') {
            format!("{}, {}", self.title, self.version)
        } else {
            format!("{} ({})", self.title, self.version)
        }
    }

    /// What sets a rule off, in the protocol's own names for roles, actions and categories
    /// ("Return home interview done", "classified as Missing - high risk") rather than ids.
    pub fn trigger_text(&self, t: &Trigger) -> String {
        match t {
            Trigger::ClassifiedAs(c) => match self.categories.iter().find(|x| &x.id == c) {
                Some(x) => format!("classified as {}", x.name),
                None => t.label(),
            },
            Trigger::NotificationReceived(r) => match self.role(r) {
                Some(x) => format!("{} notified", x.name),
                None => t.label(),
            },
            Trigger::DisclosedTo(r) => match self.role(r) {
                Some(x) => format!("child discloses harm to the {}", x.name),
                None => t.label(),
            },
            Trigger::Done(a) => match self.action(a) {
                Some(x) => format!("{} done", x.name),
                None => t.label(),
            },
            _ => t.label(),
        }
    }

    /// A rule in a sentence, in the protocol's own names: "Social worker: hold a strategy
    /// meeting, within 72 h after child returned".
    pub fn rule_text(&self, r: &Rule) -> String {
        let role = self.role(&r.role).map_or(r.role.as_str(), |x| x.name.as_str());
        let action = self.action(&r.action).map_or(r.action.as_str(), |x| x.name.as_str());
        let when = match r.deadline {
            Deadline::NoLimit => format!("after {} (no time limit set)", self.trigger_text(&r.trigger)),
            Deadline::Minutes(0) => format!("by the time of {}", self.trigger_text(&r.trigger)),
            d => format!("{} after {}", d.phrase(), self.trigger_text(&r.trigger)),
        };
        format!("{role}: {action}, {when}")
    }

    /// Every condition in the protocol: its rules', classification's and prohibitions'.
    pub fn conditions(&self) -> impl Iterator<Item = &Condition> {
        self.rules
            .iter()
            .map(|r| &r.when)
            .chain(self.classification.iter().map(|c| &c.when))
            .chain(self.prohibitions.iter().map(|x| &x.when))
    }

    /// The risk factors its conditions ask about (with repeats).
    pub fn risk_factors_asked(&self) -> impl Iterator<Item = &str> {
        self.conditions()
            .flat_map(|w| w.risk_factors.iter().map(String::as_str))
    }

    pub fn role(&self, id: &str) -> Option<&RoleDecl> {
        self.roles.iter().find(|r| r.id == id)
    }
    pub fn action(&self, id: &str) -> Option<&ActionDecl> {
        self.actions.iter().find(|a| a.id == id)
    }
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
    pub fn tool(&self, id: &str) -> Option<&AssessmentTool> {
        self.risk.tools.iter().find(|t| t.id == id)
    }
}

impl AssessmentTool {
    /// Sum item scores. `answers` maps item id → score given (0 or absent: does not apply).
    /// Unknown items or scores the item does not allow are errors.
    pub fn total(&self, answers: &[(String, i64)]) -> Result<i64, String> {
        let mut total = 0;
        for (id, score) in answers {
            let item = self
                .sections
                .iter()
                .flat_map(|s| &s.items)
                .find(|i| &i.id == id)
                .ok_or_else(|| format!("`{id}` is not an item of {}", self.name))?;
            if *score != 0 && !item.scores.contains(score) {
                return Err(format!("item `{id}` can score {:?} (or 0), not {score}", item.scores));
            }
            total += score;
        }
        Ok(total)
    }

    /// The band a total falls in. Where the document's bands overlap (Bromley's "10 - 30" and
    /// "30 - 50"), the more serious band wins: safeguarding errs towards the higher concern.
    pub fn band(&self, total: i64) -> Option<&ScoreBand> {
        self.bands
            .iter()
            .filter(|b| total >= b.min && b.max.is_none_or(|m| total <= m))
            .min_by_key(|b| b.rag)
    }

    pub fn max_total(&self) -> i64 {
        self.sections
            .iter()
            .flat_map(|s| &s.items)
            .map(|i| i.scores.iter().max().copied().unwrap_or(0))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_conditions_that_cannot_change_for_a_child_count_as_about_the_profile() {
        let profile_only = Condition {
            looked_after: Some(true),
            placed_here_by_other_authority: Some(false),
            legal_status: vec![LegalStatus::Uasc],
            risk_factors: vec!["cse".into()],
            ..Condition::default()
        };
        assert!(profile_only.is_about_the_profile_only());
        // A child grows older, an episode changes, the clock moves: none of these is fixed.
        let changing = [
            Condition {
                min_age: Some(11),
                ..profile_only.clone()
            },
            Condition {
                max_age: Some(17),
                ..profile_only.clone()
            },
            Condition {
                whereabouts_known: Some(false),
                ..profile_only.clone()
            },
            Condition {
                category: vec!["missing".into()],
                ..profile_only.clone()
            },
            Condition {
                risk: vec![RiskLevel::High],
                ..profile_only.clone()
            },
            Condition {
                min_hours_away: Some(24.0),
                ..profile_only.clone()
            },
            Condition {
                office_hours: Some(true),
                ..profile_only.clone()
            },
            Condition {
                min_episodes: Some(EpisodeWindow {
                    episodes: 3,
                    within_days: 90,
                }),
                ..profile_only.clone()
            },
        ];
        for c in changing {
            assert!(!c.is_about_the_profile_only(), "{c:?}");
        }
    }
}
