//! What a revision changed: rules added, removed and changed field by field.

use serde::Serialize;

use super::model::*;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RuleSummary {
    pub rule: String,
    pub role: String,
    pub action: String,
    /// "must" or "should", as the document puts it.
    pub strength: String,
    pub trigger: String,
    pub deadline: String,
    pub citation: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RuleChange {
    pub rule: String,
    pub old_citation: String,
    pub new_citation: String,
    pub fields: Vec<FieldChange>,
}

/// Changes to declarations (roles, actions, categories, classification, prohibitions, instruments).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OtherChange {
    pub what: String,
    pub id: String,
    pub change: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct ProtocolDiff {
    pub old: String,
    pub new: String,
    pub added: Vec<RuleSummary>,
    pub removed: Vec<RuleSummary>,
    pub changed: Vec<RuleChange>,
    pub other: Vec<OtherChange>,
}

fn ron<T: Serialize>(v: &T) -> String {
    ron::to_string(v).unwrap_or_else(|e| format!("<{e}>"))
}

fn summary(r: &Rule) -> RuleSummary {
    RuleSummary {
        rule: r.id.clone(),
        role: r.role.clone(),
        action: r.action.clone(),
        strength: match r.strength {
            Strength::Must => "must",
            Strength::Should => "should",
        }
        .into(),
        trigger: r.trigger.label(),
        deadline: r.deadline.label(),
        citation: r.citation.to_string(),
    }
}

pub fn diff(old: &Protocol, new: &Protocol) -> ProtocolDiff {
    let mut d = ProtocolDiff {
        old: old.id.clone(),
        new: new.id.clone(),
        ..Default::default()
    };
    for r in &new.rules {
        if old.rule(&r.id).is_none() {
            d.added.push(summary(r));
        }
    }
    for r in &old.rules {
        match new.rule(&r.id) {
            None => d.removed.push(summary(r)),
            Some(n) => {
                let mut fields = Vec::new();
                let mut cmp = |field: &str, a: String, b: String| {
                    if a != b {
                        fields.push(FieldChange {
                            field: field.into(),
                            old: a,
                            new: b,
                        });
                    }
                };
                cmp("citation.doc", r.citation.doc.clone(), n.citation.doc.clone());
                cmp(
                    "citation.section",
                    r.citation.section.clone(),
                    n.citation.section.clone(),
                );
                cmp("citation.quote", r.citation.quote.clone(), n.citation.quote.clone());
                cmp("trigger", ron(&r.trigger), ron(&n.trigger));
                cmp("when", ron(&r.when), ron(&n.when));
                cmp("role", r.role.clone(), n.role.clone());
                cmp("action", r.action.clone(), n.action.clone());
                cmp("deadline", ron(&r.deadline), ron(&n.deadline));
                cmp("strength", ron(&r.strength), ron(&n.strength));
                cmp("repeat", ron(&r.repeat), ron(&n.repeat));
                cmp("cancel_if_found", ron(&old.rule_lapses(r)), ron(&new.rule_lapses(n)));
                cmp("points", r.weight().to_string(), n.weight().to_string());
                cmp("note", ron(&r.note), ron(&n.note));
                // A citation that moved document only because the revision is a new document is
                // not a change of substance: leave it out when nothing else changed in it.
                let only_doc = fields.len() == 1 && fields[0].field == "citation.doc";
                if !fields.is_empty() && !only_doc {
                    d.changed.push(RuleChange {
                        rule: r.id.clone(),
                        old_citation: r.citation.to_string(),
                        new_citation: n.citation.to_string(),
                        fields,
                    });
                }
            }
        }
    }
    // A citation that names the revision's own document instead of the old one is no change.
    let docs: Vec<(String, String)> = old
        .documents
        .iter()
        .zip(&new.documents)
        .map(|(a, b)| (format!("doc:{:?}", a.id), format!("doc:{:?}", b.id)))
        .collect();
    let norm = |s: String| docs.iter().fold(s, |s, (a, b)| s.replace(a.as_str(), b));
    let n = &norm;
    decl(&mut d.other, "role", &old.roles, &new.roles, |r| r.id.clone(), n);
    decl(&mut d.other, "action", &old.actions, &new.actions, |r| r.id.clone(), n);
    decl(
        &mut d.other,
        "category",
        &old.categories,
        &new.categories,
        |r| r.id.clone(),
        n,
    );
    decl(
        &mut d.other,
        "prohibition",
        &old.prohibitions,
        &new.prohibitions,
        |r| r.id.clone(),
        n,
    );
    decl(
        &mut d.other,
        "assessment tool",
        &old.risk.tools,
        &new.risk.tools,
        |r| r.id.clone(),
        n,
    );
    decl(
        &mut d.other,
        "escalation ladder",
        &old.risk.ladders,
        &new.risk.ladders,
        |r| r.id.clone(),
        n,
    );
    if norm(ron(&old.classification)) != ron(&new.classification) {
        d.other.push(OtherChange {
            what: "classification".into(),
            id: "classification".into(),
            change: format!(
                "{} entries → {} entries, order or conditions changed",
                old.classification.len(),
                new.classification.len()
            ),
        });
    }
    d
}

fn decl<T: Serialize>(
    out: &mut Vec<OtherChange>,
    what: &str,
    old: &[T],
    new: &[T],
    id: impl Fn(&T) -> String,
    norm: &dyn Fn(String) -> String,
) {
    for n in new {
        match old.iter().find(|o| id(o) == id(n)) {
            None => out.push(OtherChange {
                what: what.into(),
                id: id(n),
                change: "added".into(),
            }),
            Some(o) if norm(ron(o)) != ron(n) => out.push(OtherChange {
                what: what.into(),
                id: id(n),
                change: "changed".into(),
            }),
            _ => {}
        }
    }
    for o in old {
        if !new.iter().any(|n| id(n) == id(o)) {
            out.push(OtherChange {
                what: what.into(),
                id: id(o),
                change: "removed".into(),
            });
        }
    }
}

impl ProtocolDiff {
    pub fn to_text(&self) -> String {
        let mut s = format!("Changes from {} to {}\n", self.old, self.new);
        s += &format!("\n{} rules added\n", self.added.len());
        for r in &self.added {
            s += &format!(
                "  + {}: {} {} {} within {} after {}\n      [{}]\n",
                r.rule, r.role, r.strength, r.action, r.deadline, r.trigger, r.citation
            );
        }
        s += &format!("\n{} rules removed\n", self.removed.len());
        for r in &self.removed {
            s += &format!(
                "  - {}: {} {} {} within {} after {}\n      [{}]\n",
                r.rule, r.role, r.strength, r.action, r.deadline, r.trigger, r.citation
            );
        }
        s += &format!("\n{} rules changed\n", self.changed.len());
        for c in &self.changed {
            s += &format!("  ~ {}  [{}]\n", c.rule, c.new_citation);
            for f in &c.fields {
                s += &format!("      {}: {} → {}\n", f.field, f.old, f.new);
            }
        }
        if !self.other.is_empty() {
            s += "\nOther changes\n";
            for o in &self.other {
                s += &format!("  {} `{}`: {}\n", o.what, o.id, o.change);
            }
        }
        s
    }
}
