//! Acts: someone does an action. It is recorded, judged against the protocol's prohibitions,
//! meets the duties it does (or is kept for those that arise later and count it), and its effects
//! fire triggers.

use super::automation::by_the_book_grade;
use super::duties::{DoneAct, Obligation, Status};
use super::happenings::ActionParams;
use super::records::{LogEntry, NO_ACTION, fmt_hours, form_record};
use super::time::{Nanos, minutes, nanos, time_at};
use super::triggers::Label;
use super::{Engine, keep_spare};
use crate::protocol::{Effect, Facts, Trigger};

impl Engine {
    /// Someone does an action: duties it meets are settled, its effects fire triggers.
    pub(super) fn act(
        &mut self,
        child: usize,
        role_sym: u32,
        action_sym: u32,
        (by_trainee, judged): (bool, bool),
        params: &ActionParams,
        queue_wait: f64,
    ) {
        self.count_act(self.now_ns, role_sym, action_sym);
        self.keep_done_act(child, role_sym, action_sym, None);
        let has_effects = self.has_effects[action_sym as usize];
        let before = self.acting.replace((child as u32, role_sym));
        if self.keeps(child) || by_trainee || judged || has_effects || !params.answers.is_empty() {
            self.act_in_full(child, role_sym, action_sym, (by_trainee, judged), params, queue_wait);
        } else {
            // Nothing to record, judge or set off but the duties met, who it tells and the
            // action itself.
            self.inform(child, role_sym, action_sym);
            self.meet_duties(child, role_sym, action_sym, queue_wait);
            self.fire_done(child, action_sym);
        }
        self.acting = before;
    }

    /// Settle the child's open duties that this action by this role meets.
    fn meet_duties(&mut self, child: usize, role_sym: u32, action_sym: u32, queue_wait: f64) {
        if let Some(kind) = self.kind_of(role_sym, action_sym) {
            self.meet_duties_of_kind(child, kind as u16, role_sym, action_sym, queue_wait, self.now_ns);
        }
    }

    /// The duty kind an action by a role does, if any rule asks for it.
    fn kind_of(&self, role_sym: u32, action_sym: u32) -> Option<u32> {
        self.kinds_of_action
            .get(action_sym as usize)
            .and_then(|v| v.iter().find(|(r, _)| *r == role_sym))
            .map(|(_, k)| *k)
            .or_else(|| self.joint_kind.get(action_sym as usize).copied().flatten())
    }

    /// Keep an act done for a child now (or at `at`) while an episode is open, where a duty
    /// that arises later may count it (see `Rule::window_anchor`).
    pub(super) fn keep_done_act(&mut self, child: usize, role_sym: u32, action_sym: u32, at: Option<Nanos>) {
        let Some(kind) = self.kind_of(role_sym, action_sym) else {
            return;
        };
        if !self.kind_counts_early.get(kind as usize).copied().unwrap_or(false)
            || self.children[child].episode.is_none()
        {
            return;
        }
        // Where records are kept the act is recorded (in `act_in_full`) just after this.
        let record = self.keeps(child).then_some(self.actions_done.len() as u32);
        self.open_by_child[child].done.push(DoneAct {
            kind: kind as u16,
            role: role_sym,
            at: at.unwrap_or(self.now_ns),
            record,
        });
    }

    /// An act done for the child in this episode, since the child left and before duty `ri`
    /// arose, that meets the duty: its time and record. Only for rules whose window opens
    /// when the child left (see `Rule::window_anchor`). A joint action done by someone else
    /// does not do the trainee's part.
    pub(super) fn met_early(&self, child: usize, ri: usize) -> Option<DoneAct> {
        if !self.rule_info[ri].from_left {
            return None;
        }
        let left = self.children[child].episode.as_ref()?.left_ns;
        let kind = self.rule_kind[ri] as u16;
        let (role, _) = self.rule_names[ri];
        let trainee_part =
            self.trainee == Some(role) && self.kind_is_joint.get(kind as usize).copied().unwrap_or(false);
        self.open_by_child[child]
            .done
            .iter()
            .find(|a| a.kind == kind && a.at >= left && a.at <= self.now_ns && (!trainee_part || a.role == role))
            .copied()
    }

    /// `meet_duties` by duty kind, the act done at `now`. Whether it met any.
    pub(super) fn meet_duties_of_kind(
        &mut self,
        child: usize,
        kind: u16,
        role_sym: u32,
        action_sym: u32,
        queue_wait: f64,
        now: Nanos,
    ) -> bool {
        // A joint action done by someone else does not do the trainee's part.
        let spare = self
            .trainee
            .filter(|t| *t != role_sym && self.kind_is_joint.get(kind as usize).copied().unwrap_or(false));
        let repeats = self.kind_repeats[kind as usize];
        let opens = self.kind_opens.get(kind as usize).copied().unwrap_or(false);
        let met_any = if spare.is_none() && !self.keeps(child) && !repeats && !opens {
            // Stress runs: nothing to word or record, only the tallies (the same steps as
            // `settle_at`, without looking the child up again for each duty). Settling a duty
            // moves the list's last one into its place: that place is looked at again.
            let (mut i, mut met_any) = (0, false);
            let d = &mut self.open_by_child[child];
            while let Some(off) = d.open_kind[i..].iter().position(|k| *k == kind) {
                i += off;
                met_any = true;
                let r = d.remove(i);
                let status = match r.due {
                    Some(due) if now > due => Status::Late,
                    _ => Status::Met,
                };
                self.tallies[r.rule as usize].count(status, r.due, Some(now), queue_wait);
            }
            if let Some(lists) = d.take_emptied() {
                keep_spare(&mut self.spare_lists, lists);
            }
            met_any
        } else {
            let later = self.later_occurrences(child, kind);
            self.meet_each_duty_of_kind(child, kind, spare, &later, queue_wait, now)
        };
        if met_any {
            self.action_useful[action_sym as usize] += 1;
        }
        met_any
    }

    /// Of the child's open duties of `kind`, those one act leaves open: of a rule that repeats,
    /// every occurrence but the one due first. A meeting held for one week is not also the next
    /// week's, even if the next week's duty arose before it was held. (Empty, without
    /// allocating, for the kinds with no repeating rule.)
    #[cold]
    fn later_occurrences(&self, child: usize, kind: u16) -> Vec<u32> {
        if !self.kind_repeats.get(kind as usize).copied().unwrap_or(false) {
            return Vec::new();
        }
        let d = &self.open_by_child[child];
        d.open
            .iter()
            .zip(&d.open_kind)
            .filter(|(r, k)| **k == kind && self.has_earlier_occurrence(child, r.rule as usize, r.id, r.due))
            .map(|(r, _)| r.id)
            .collect()
    }

    /// Whether duty `id` (under rule `ri`, due `due`) is a repeating rule's occurrence with an
    /// earlier one of the same rule still open for the child.
    pub(super) fn has_earlier_occurrence(&self, child: usize, ri: usize, id: u32, due: Option<Nanos>) -> bool {
        if self.rule_info[ri].every.is_none() {
            return false;
        }
        let order = |due: Option<Nanos>, id: u32| (due.unwrap_or(Nanos::MAX), id);
        self.open_by_child[child]
            .open
            .iter()
            .any(|x| x.rule == ri as u32 && x.id != id && order(x.due, x.id) < order(due, id))
    }

    /// `meet_duties_of_kind` one duty at a time, each settled in full (scenarios, and kinds with a
    /// repeating rule; the duties of role `spare`, the trainee's part of a joint action, and those
    /// in `later` are left open). Whether any was met.
    fn meet_each_duty_of_kind(
        &mut self,
        child: usize,
        kind: u16,
        spare: Option<u32>,
        later: &[u32],
        queue_wait: f64,
        now: Nanos,
    ) -> bool {
        let mut met_any = false;
        // Settling a duty moves the list's last one into its place: look at that place again.
        let mut i = 0;
        loop {
            let d = &self.open_by_child[child];
            let Some(off) = d.open_kind[i..].iter().position(|k| *k == kind) else {
                break;
            };
            i += off;
            let r = &d.open[i];
            if spare.is_some_and(|t| self.rule_names[r.rule as usize].0 == t) || later.contains(&r.id) {
                i += 1;
                continue;
            }
            // Before its window opens an act does not meet the duty: noted as early, it waits
            // for one in the window (where records are kept; stress runs' roles act in it).
            if let Some(opens) = self.rule_info[r.rule as usize].opens
                && self.keeps(child)
            {
                let ob = &mut self.obligations[r.id as usize];
                if now < nanos(ob.fired_at).saturating_add(opens) {
                    ob.early_at = Some(time_at(now));
                    i += 1;
                    continue;
                }
            }
            met_any = true;
            match r.due {
                Some(d) if now > d => self.settle_at(child, i, Status::Late, Some(now), queue_wait, || {
                    format!("done {} after the deadline", fmt_hours(minutes(now - d)))
                }),
                _ => self.settle_at(child, i, Status::Met, Some(now), queue_wait, || "done in time".into()),
            }
        }
        met_any
    }

    fn act_in_full(
        &mut self,
        child: usize,
        role_sym: u32,
        action_sym: u32,
        (by_trainee, judged): (bool, bool),
        params: &ActionParams,
        queue_wait: f64,
    ) {
        let now = self.now;
        let names = self.names.clone();
        let role = names.list[role_sym as usize].as_str();
        let action = names.list[action_sym as usize].as_str();
        let protocol = self.protocol.clone();
        let decl = names.action_decl[action_sym as usize].map(|i| &protocol.actions[i]);
        let who = || protocol.role(role).map(|r| r.name.clone()).unwrap_or(role.to_string());
        if self.keeps(child) {
            let what = match decl {
                Some(a) => a.name.clone(),
                None if action == NO_ACTION => "Decided not to act".to_string(),
                None => action.to_string(),
            };
            let mut extra = String::new();
            if let Some(c) = &params.category {
                extra += &format!(" — as {c}");
            }
            if let Some(g) = params.grade {
                extra += &format!(" — {g:?} risk");
            }
            if let Some(n) = &params.note {
                extra += &format!(" — \"{n}\"");
            }
            self.note(child, if by_trainee { "trainee" } else { "action" }, &who(), || {
                format!("{what}{extra}")
            });
        }
        if by_trainee {
            self.trainee_done.push((child, action.to_string()));
        }
        if self.keeps(child)
            && let Some(form) = decl
                .and_then(|a| a.form.as_deref())
                .and_then(|f| protocol.risk.forms.iter().find(|x| x.id == f))
            && !params.fields.is_empty()
        {
            let text = form_record(form, &params.fields);
            self.log.push(LogEntry {
                at: now,
                child,
                kind: "form".into(),
                who: who(),
                text,
            });
        }
        if !params.answers.is_empty() {
            for tool in &self.protocol.risk.tools {
                let text = match tool.total(&params.answers) {
                    Ok(total) => match tool.band(total) {
                        Some(b) => {
                            // Rules may ask for the band (`tool_band`): the score stands for
                            // the rest of the episode, until the tool is scored again.
                            if let Some(e) = self.children[child].episode.as_mut() {
                                e.tool_band = Some(b.rag);
                            }
                            format!("{}: total {total}, {:?} — {}", tool.name, b.rag, b.label)
                        }
                        None => format!("{}: total {total}, in no band", tool.name),
                    },
                    Err(e) => format!("{}: answers not accepted: {e}", tool.name),
                };
                if self.keeps(child) {
                    self.log.push(LogEntry {
                        at: now,
                        child,
                        kind: "assessment".into(),
                        who: who(),
                        text,
                    });
                }
            }
        }
        if self.keeps(child) {
            self.actions_done
                .push((now, child, role.to_string(), action.to_string(), by_trainee));
        }
        self.inform(child, role_sym, action_sym);

        self.meet_duties(child, role_sym, action_sym, queue_wait);

        let effects: &[Effect] = decl.map(|a| &a.effects[..]).unwrap_or(&[]);
        // The facts before any effect: prohibitions, gradings and classifications are judged on them.
        let needs_facts = judged
            || effects
                .iter()
                .any(|e| matches!(e, Effect::GradesRisk | Effect::Classifies));
        let filled = needs_facts.then(|| self.scratch_facts(child));
        let none = Facts::default();
        let facts: &Facts = filled.as_deref().unwrap_or(&none);
        if judged && let Some(p) = self.protocol.forbids_action_to(facts, action, Some(role)) {
            let p = p.clone();
            self.wrongful(
                child,
                role,
                action,
                &p.id,
                format!("the protocol says not to: {}", p.citation.words()),
            );
        }
        for e in effects {
            match e {
                Effect::ReportsMissing => self.fire_trigger(child, Trigger::ReportedMissing),
                Effect::Notifies(r) => {
                    let key = self.keys.notified.get(r.as_str()).copied();
                    self.fire_key(child, key, false, Label::Notified(r));
                }
                Effect::GradesRisk => {
                    let grade = params.grade.unwrap_or_else(|| by_the_book_grade(facts));
                    if let Some(p) = self.protocol.forbids_grade_to(facts, grade, Some(role)) {
                        let p = p.clone();
                        self.wrongful(
                            child,
                            role,
                            action,
                            &p.id,
                            format!(
                                "graded {grade:?}, which the protocol forbids here: {}",
                                p.citation.words()
                            ),
                        );
                    }
                    let ch = &mut self.children[child];
                    if let Some(ep) = ch.episode.as_mut() {
                        ep.risk = Some(grade);
                    }
                    self.transition(child, || format!("graded {grade:?}"));
                    self.fire_trigger(child, Trigger::RiskGraded);
                }
                Effect::Classifies => {
                    let cat = params.category.clone().or(facts.category.clone());
                    if let Some(cat) = cat {
                        if let Some(p) = self.protocol.forbids_category_to(facts, &cat, Some(role)) {
                            let p = p.clone();
                            self.wrongful(
                                child,
                                role,
                                action,
                                &p.id,
                                format!(
                                    "classified as {cat}, which the protocol forbids here: {}",
                                    p.citation.words()
                                ),
                            );
                        } else if judged && facts.category.as_deref().is_some_and(|c| c != cat) {
                            let right = facts.category.clone().unwrap_or_default();
                            let named = |id: &str| {
                                protocol
                                    .categories
                                    .iter()
                                    .find(|c| c.id == id)
                                    .map_or(id.to_string(), |c| c.name.clone())
                            };
                            let (given, should) = (named(&cat), named(&right));
                            self.wrongful(
                                child,
                                role,
                                action,
                                "classification",
                                format!("classified as {given}; under this protocol the child is {should}"),
                            );
                        }
                    }
                }
                Effect::CompletesInterview => {
                    self.fire_trigger(child, Trigger::InterviewCompleted);
                    // Stress runs: a child with the disclosing risk factor discloses harm in the
                    // interview, to the one who held it (acting now).
                    let discloses = self
                        .automation
                        .disclosing_risk_factor
                        .as_ref()
                        .is_some_and(|f| self.children[child].profile.risk_factors.contains(f));
                    if discloses && !self.is_away(child) {
                        let to = self.names.list[role_sym as usize].clone();
                        self.disclose(child, Some(to));
                    }
                }
                Effect::RecordsDecline => self.fire_trigger(child, Trigger::InterviewDeclined),
                Effect::LocatesChild => {
                    let place = self.children[child].place.clone();
                    self.locate(child, &place, "", true);
                }
            }
        }
        if let Some(f) = filled {
            self.scratch_facts = Some(f);
        }
        self.fire_done(child, action_sym);
    }

    fn wrongful(&mut self, child: usize, role: &str, action: &str, rule: &str, reason: String) {
        let id = self.obligations.len();
        self.obligations.push(Obligation {
            id,
            rule_index: usize::MAX,
            rule: rule.into(),
            child,
            episode: self.current_episode(child).unwrap_or(0),
            role: role.into(),
            action: action.into(),
            fired_at: self.now,
            due_at: None,
            done_at: Some(self.now),
            status: Status::Wrongful,
            reason: reason.clone(),
            queue_wait_minutes: 0.0,
            settled_at: Some(self.now),
            met_by: None,
            early_at: None,
        });
        let who = self.protocol.role(role).map_or(role.to_string(), |r| r.name.clone());
        self.note(child, "wrongful", &who, || reason);
    }
}
