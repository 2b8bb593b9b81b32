//! The protocol model: what a safeguarding protocol says, as data.
//!
//! Every type here is read from RON files under `assets/protocols/`. Field names are the words a
//! policy officer writes; see `docs/protocol-authoring.md` for a guide with examples.

use serde::{Deserialize, Serialize};

/// A whole protocol: its roles, categories of absence, rules and risk instruments.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    /// Short identifier, e.g. `havering-2023-10`. Scenarios refer to protocols by this id.
    pub id: String,
    pub title: String,
    /// The partnership or force that issued it.
    pub authority: String,
    pub version: String,
    /// Date the protocol took effect, `YYYY-MM-DD`.
    pub effective: String,
    /// The id of the protocol this one revises, if any.
    #[serde(default)]
    pub supersedes: Option<String>,
    /// Source documents that citations point into.
    pub documents: Vec<Document>,
    /// MASH / office hours (24 h clock); outside them the out-of-hours service (EDT) answers.
    #[serde(default)]
    pub office_hours: Option<OfficeHours>,
    /// Whose bank holidays count as days off (`assets/calendars/NAME.ron`): `england-and-wales`
    /// (the default), `scotland` or `northern-ireland`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    pub roles: Vec<RoleDecl>,
    pub actions: Vec<ActionDecl>,
    pub categories: Vec<CategoryDecl>,
    /// Ordered: the first entry whose conditions hold gives the child's category.
    pub classification: Vec<ClassificationRule>,
    #[serde(default)]
    pub prohibitions: Vec<Prohibition>,
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub risk: RiskInstruments,
    /// How the agencies learn of a missing child (who is told by whom): roles acting by the book
    /// act only on what they have been told. None: every role knows the moment a duty arises.
    #[serde(default)]
    pub knowledge: Option<super::knowledge::Knowledge>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub id: String,
    pub title: String,
    /// File name of the source text (in `shared/protocols/`).
    pub source: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OfficeHours {
    pub start_hour: u32,
    pub end_hour: u32,
}

/// Where a rule comes from: document, section or appendix, and the words themselves.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    pub doc: String,
    pub section: String,
    /// A short quote (at most about 200 characters) of what the document says.
    pub quote: String,
}

impl Citation {
    /// The quoted words as a reader sees them: the source's own bold (`**…**`, kept in the file
    /// so that it matches the document) left out.
    pub fn words(&self) -> String {
        self.quote.replace("**", "")
    }
}

impl std::fmt::Display for Citation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, {}: \"{}\"", self.doc, self.section, self.words())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoleDecl {
    /// Identifier used by rules, e.g. `social_worker`.
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Where this role sits: `Police`, `LocalAuthority`, `Health`, `Education`, `Family`, `Provider`, `Other`.
    #[serde(default)]
    pub agency: Agency,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Agency {
    Police,
    LocalAuthority,
    Health,
    Education,
    Family,
    Provider,
    HomeOffice,
    #[default]
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActionDecl {
    /// Identifier used by rules, e.g. `report_to_police`.
    pub id: String,
    pub name: String,
    /// What doing this action sets off in the episode.
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// The form (under `risk.forms`) the protocol asks to be filled in when doing this action,
    /// e.g. the information to give police when reporting a child missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    /// Done together by everyone it involves (a strategy meeting): one act of it by any role
    /// meets every role's duty to do it for that child. A trainee's own duty is met only by the
    /// trainee's act, so that a meeting the others convene does not do the trainee's part.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub joint: bool,
}

/// What an action does to the episode besides being recorded.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Effect {
    /// The child is now reported missing to police (fires `ReportedMissing`).
    ReportsMissing,
    /// The named role now knows (fires `NotificationReceived(role)`).
    Notifies(String),
    /// The police risk grading is made (fires `RiskGraded`).
    GradesRisk,
    /// The absence is classified (fires `ClassifiedAs(category)`).
    Classifies,
    /// The return interview took place (fires `InterviewCompleted`).
    CompletesInterview,
    /// The child declined the return interview (fires `InterviewDeclined`).
    RecordsDecline,
    /// The child has been found (fires `Located`).
    LocatesChild,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CategoryDecl {
    /// e.g. `missing`, `absent`, `unauthorised_absence`, `not_missing`.
    pub id: String,
    pub name: String,
    pub definition: String,
    pub citation: Citation,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClassificationRule {
    pub category: String,
    #[serde(default)]
    pub when: Condition,
    pub citation: Citation,
}

/// Conditions on the child and the episode. Every field that is set must hold; lists mean
/// "any of". An empty condition `()` holds for every child.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Condition {
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    pub legal_status: Vec<LegalStatus>,
    /// Looked after by a local authority (s20, s31, s38, remanded; UASC are accommodated).
    pub looked_after: Option<bool>,
    pub placement: Vec<Placement>,
    /// Placed outside the responsible authority's area.
    pub out_of_borough: Option<bool>,
    /// A child of another authority placed in this area.
    pub placed_here_by_other_authority: Option<bool>,
    pub whereabouts_known: Option<bool>,
    /// Current category of absence, any of.
    pub category: Vec<String>,
    /// Current police risk grading, any of.
    pub risk: Vec<RiskLevel>,
    /// Risk factors the child has, any of (e.g. `cse`, `cce`, `trafficking`, `gangs`).
    pub risk_factors: Vec<String>,
    /// Hours since the child was last seen without contact.
    pub min_hours_away: Option<f64>,
    /// True during office (MASH) hours, false out of hours.
    pub office_hours: Option<bool>,
    /// Episodes within a rolling window, counting this one.
    pub min_episodes: Option<EpisodeWindow>,
    /// The band of the child's latest score on the protocol's risk tool in this episode, any of
    /// (an assessment done without scoring the tool gives no band).
    pub tool_band: Vec<Rag>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EpisodeWindow {
    pub episodes: i64,
    pub within_days: i64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LegalStatus {
    /// Accommodated under s20 Children Act 1989.
    S20,
    /// Care order, s31.
    S31,
    /// Interim care order, s38.
    S38,
    /// Remanded to local authority accommodation.
    Remanded,
    /// Unaccompanied asylum-seeking child.
    Uasc,
    ChildProtectionPlan,
    ChildInNeed,
    /// No statutory involvement.
    NoStatus,
}

impl LegalStatus {
    pub fn is_looked_after(self) -> bool {
        matches!(self, Self::S20 | Self::S31 | Self::S38 | Self::Remanded | Self::Uasc)
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Placement {
    Home,
    Foster,
    Residential,
    SemiIndependent,
    Secure,
    Other,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RiskLevel {
    High,
    Medium,
    Low,
    /// "No apparent risk" — the police "absent" grading used before 2017.
    NoApparentRisk,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rag {
    Red,
    Amber,
    Green,
    Blue,
}

/// What sets a rule off.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Trigger {
    /// The child has left or is not where they should be (the episode starts).
    Left,
    /// The child is classified in this category.
    ClassifiedAs(String),
    /// Police have been told the child is missing.
    ReportedMissing,
    /// The named role has been notified.
    NotificationReceived(String),
    /// The police risk grading has been made.
    RiskGraded,
    /// The child has been missing (since leaving) for this many hours and is not yet found.
    MissingFor(f64),
    Located,
    Returned,
    InterviewCompleted,
    InterviewDeclined,
    /// The child discloses harm to or from them — a safeguarding concern — to anyone (a
    /// scenario's `Discloses` event; in stress runs, a child with the risk factor
    /// `significant_harm` in each return interview: `Automation::disclosing_risk_factor`).
    Disclosed,
    /// The child discloses harm to the named role (the one told): for what only the one who hears
    /// it can act on ("If during the Return Interview discussion information is disclosed …").
    DisclosedTo(String),
    /// The named action has been done.
    Done(String),
    PlacementStarted,
    BecameLookedAfter,
    /// This episode is at least the Nth within a rolling window of days.
    EpisodeCount {
        episodes: i64,
        within_days: i64,
    },
    EpisodeClosed,
}

/// A span of hours as people say it: "12 weeks", "7 days", "24 hours", "1 hour", "2.5 hours".
pub fn hours_text(h: f64) -> String {
    let whole = h.fract() == 0.0 && h > 0.0;
    if whole && h >= 336.0 && h % 168.0 == 0.0 {
        format!("{} weeks", h / 168.0)
    } else if whole && h >= 48.0 && h % 24.0 == 0.0 {
        format!("{} days", h / 24.0)
    } else if h == 1.0 {
        "1 hour".into()
    } else {
        format!("{h} hours")
    }
}

impl Trigger {
    /// Triggers that happen while the child is still away: obligations they set off are
    /// cancelled by default if the child is found before they fall due.
    pub fn is_missing_phase(&self) -> bool {
        matches!(
            self,
            Self::Left
                | Self::ClassifiedAs(_)
                | Self::ReportedMissing
                | Self::NotificationReceived(_)
                | Self::RiskGraded
                | Self::MissingFor(_)
                | Self::EpisodeCount { .. }
        )
    }

    pub fn label(&self) -> String {
        match self {
            Self::Left => "child leaves / is not where they should be".into(),
            Self::ClassifiedAs(c) => format!("classified as {c}"),
            Self::ReportedMissing => "reported missing to police".into(),
            Self::NotificationReceived(r) => format!("{r} notified"),
            Self::RiskGraded => "police risk grading made".into(),
            Self::MissingFor(h) => format!("missing for {}", hours_text(*h)),
            Self::Located => "child located".into(),
            Self::Returned => "child returned".into(),
            Self::InterviewCompleted => "return interview completed".into(),
            Self::InterviewDeclined => "return interview declined".into(),
            Self::Disclosed => "child discloses harm (a safeguarding concern)".into(),
            Self::DisclosedTo(r) => format!("child discloses harm to {r}"),
            Self::Done(a) => format!("{a} done"),
            Self::PlacementStarted => "placement starts".into(),
            Self::BecameLookedAfter => "child becomes looked after".into(),
            Self::EpisodeCount { episodes, within_days } => {
                format!("{episodes} episodes within {within_days} days")
            }
            Self::EpisodeClosed => "episode closed".into(),
        }
    }
}

/// How long a role has to act once a rule fires.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub enum Deadline {
    /// At once; scored as within one hour.
    Immediately,
    Minutes(i64),
    Hours(i64),
    Days(i64),
    /// Before midnight of the day the rule fires.
    SameDay,
    /// By the end of the next working day.
    FirstWorkingDay,
    /// By the end of the Nth working day after the rule fires.
    WorkingDays(i64),
    /// No time limit is set; it must be done before the episode closes.
    NoLimit,
}

impl Deadline {
    /// The deadline in a sentence: "within 72 h", "the same day".
    pub fn phrase(&self) -> String {
        match self {
            Self::Immediately => "immediately".into(),
            Self::SameDay => "the same day".into(),
            Self::FirstWorkingDay => "by the end of the next working day".into(),
            Self::NoLimit => "(no time limit set)".into(),
            Self::Minutes(0) => "by the time".into(),
            other => format!("within {}", other.label()),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Self::Immediately => "immediately".into(),
            Self::Minutes(0) => "at the moment it arises".into(),
            Self::Minutes(m) => format!("{m} min"),
            Self::Hours(h) => format!("{h} h"),
            Self::Days(1) => "1 day".into(),
            Self::Days(d) => format!("{d} days"),
            Self::SameDay => "same day".into(),
            Self::FirstWorkingDay => "first working day".into(),
            Self::WorkingDays(1) => "1 working day".into(),
            Self::WorkingDays(d) => format!("{d} working days"),
            Self::NoLimit => "no time limit".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub enum Strength {
    #[default]
    Must,
    Should,
}

/// A repeating obligation: a new one falls due every interval until the trigger fires.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    pub every: Deadline,
    pub until: Trigger,
}

/// One normative statement: when `trigger` fires and `when` holds, `role` must do `action`
/// within `deadline`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub citation: Citation,
    pub trigger: Trigger,
    #[serde(default)]
    pub when: Condition,
    pub role: String,
    pub action: String,
    pub deadline: Deadline,
    #[serde(default)]
    pub strength: Strength,
    #[serde(default)]
    pub repeat: Option<Repeat>,
    /// Cancelled if the child is found before it falls due. Defaults to true for rules set off
    /// while the child is away, false for the others.
    #[serde(default)]
    pub cancel_if_found: Option<bool>,
    /// Points this rule is worth in a score (default: Must 10, Should 5).
    #[serde(default)]
    pub points: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
    /// The moment the duty's window opens: an act done from then on meets it, even one done
    /// before the duty arose. Defaults to `Left` for thresholds and classifications (the carer
    /// who reports at 5 hours meets "missing for 6 hours: report to the police"), and to
    /// `Trigger` for the others (a report, a notification, a grading, the return…) and always
    /// for rules that repeat.
    #[serde(default)]
    pub anchor: Option<Anchor>,
    /// The window opens this many hours after the trigger, not at once ("the report will not be
    /// transferred … until 48 hours after the report has been created"): the deadline counts from
    /// the opening, and an act before it is `early` (possible, no points) unless one in the window
    /// follows.
    #[serde(default)]
    pub opens_after_hours: Option<f64>,
    /// For a `Done(action)` trigger: only when this role did it (the social worker's risk
    /// assessment, not the MASH's screening under the same action).
    #[serde(default)]
    pub done_by: Option<String>,
}

/// Where a duty's window opens (see `Rule::anchor`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum Anchor {
    /// When the child left (the episode began): acts from then on count.
    Left,
    /// When the rule's trigger fired: only acts after the duty arose count.
    Trigger,
}

impl Protocol {
    /// Whether a duty under `r` lapses if the child is found before it falls due: as the rule
    /// says, or by default if it arises while the child is away — except a formal notification
    /// (an action with `Notifies`) under a protocol that says who learns what (`knowledge`): the
    /// agency it tells must know of the episode whether or not the child is back by then (its
    /// return interview, its records, the pattern of episodes).
    pub fn rule_lapses(&self, r: &Rule) -> bool {
        if let Some(c) = r.cancel_if_found {
            return c;
        }
        if !r.trigger.is_missing_phase() {
            return false;
        }
        let notifies = self.knowledge.is_some()
            && self
                .action(&r.action)
                .is_some_and(|a| a.effects.iter().any(|e| matches!(e, Effect::Notifies(_))));
        !notifies
    }
}

impl Rule {
    /// Whether the rule lapses if the child is found, from the rule alone (see
    /// `Protocol::rule_lapses`, which knows the rule's action).
    pub fn cancels_if_found(&self) -> bool {
        self.cancel_if_found.unwrap_or_else(|| self.trigger.is_missing_phase())
    }

    /// Where the duty's window opens: see `anchor`. A repeating rule, or one set off by doing
    /// its own action, is always counted from its trigger (each occurrence needs its own act).
    pub fn window_anchor(&self) -> Anchor {
        let own_act = matches!(&self.trigger, Trigger::Done(a) if *a == self.action);
        if self.repeat.is_some() || own_act || self.opens_after_hours.is_some() {
            return Anchor::Trigger;
        }
        // A threshold or a classification the episode's timers reach counts from the leaving
        // ("missing for 6 hours", "classified missing"); a report, notification or grading
        // counts from when it was made.
        self.anchor.unwrap_or(match self.trigger {
            Trigger::Left | Trigger::MissingFor(_) | Trigger::ClassifiedAs(_) | Trigger::EpisodeCount { .. } => {
                Anchor::Left
            }
            _ => Anchor::Trigger,
        })
    }
    pub fn weight(&self) -> i64 {
        self.points.unwrap_or(match self.strength {
            Strength::Must => 10,
            Strength::Should => 5,
        })
    }
}

/// Something the protocol says must not happen.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Prohibition {
    pub id: String,
    pub forbids: Forbidden,
    #[serde(default)]
    pub when: Condition,
    pub citation: Citation,
    /// The roles it binds (empty: every role).
    #[serde(default)]
    pub roles: Vec<String>,
    /// The roles it spares: "only the Assistant Director or above may end a placement" forbids
    /// ending one to everyone `except: ["assistant_director", "director"]`.
    #[serde(default)]
    pub except: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl Prohibition {
    /// Whether it binds `role` (`None`: whoever acts, for checks that name no role).
    pub fn binds(&self, role: Option<&str>) -> bool {
        match role {
            None => true,
            Some(r) => {
                (self.roles.is_empty() || self.roles.iter().any(|x| x == r)) && !self.except.iter().any(|x| x == r)
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Forbidden {
    /// Classifying the child in this category.
    Category(String),
    /// Grading the child at this risk level.
    Grade(RiskLevel),
    /// Doing this action.
    Action(String),
}

/// Risk instruments a protocol sets out.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RiskInstruments {
    pub police_grades: Vec<PoliceGrade>,
    pub mash_rag: Vec<MashRag>,
    pub tools: Vec<AssessmentTool>,
    pub forms: Vec<Form>,
    pub rhi_criteria: Vec<Criterion>,
    pub ladders: Vec<Ladder>,
    pub establishment_thresholds: Vec<Threshold>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PoliceGrade {
    pub level: RiskLevel,
    pub definition: String,
    #[serde(default)]
    pub response: String,
    pub citation: Citation,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MashRag {
    pub rag: Rag,
    pub meaning: String,
    pub response: Deadline,
    pub citation: Citation,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AssessmentTool {
    pub id: String,
    pub name: String,
    pub citation: Citation,
    pub sections: Vec<ToolSection>,
    pub bands: Vec<ScoreBand>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ToolSection {
    pub name: String,
    pub items: Vec<ToolItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ToolItem {
    pub id: String,
    pub text: String,
    /// Scores the assessor may give when the item applies (e.g. `[2, 3]` for "2/3"); 0 when it
    /// does not apply.
    pub scores: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScoreBand {
    pub rag: Rag,
    pub label: String,
    /// Inclusive lower bound of the total score.
    pub min: i64,
    /// Inclusive upper bound; none for "and over".
    #[serde(default)]
    pub max: Option<i64>,
    #[serde(default)]
    pub response: String,
    pub citation: Citation,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub id: String,
    pub name: String,
    pub citation: Citation,
    pub fields: Vec<FormField>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub id: String,
    pub text: String,
    pub citation: Citation,
}

/// Escalation by repeat episodes: N episodes within a window call for a meeting at a level.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Ladder {
    pub id: String,
    pub name: String,
    pub steps: Vec<LadderStep>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LadderStep {
    pub episodes: i64,
    pub within_days: i64,
    pub level: String,
    pub role: String,
    pub citation: Citation,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub id: String,
    pub description: String,
    pub episodes: i64,
    pub within_days: i64,
    pub response: String,
    pub citation: Citation,
}
