//! The review pack as Markdown: the same content as the page, every text from the protocol
//! escaped (`crate::escape`), so none of it can add a heading, a table row or HTML.

use super::{FindingView, Review, RuleView};
use crate::escape::{markdown_cell, markdown_code, markdown_inline, markdown_text};

const SIGN: &str = "☐ Agreed<br>☐ Change needed<br>Initials: ____";

fn cell_findings(v: &[FindingView]) -> Vec<String> {
    v.iter()
        .map(|f| format!("**{}:** {}", f.severity, markdown_cell(&f.message)))
        .collect()
}

fn rule_row(r: &RuleView) -> String {
    let duty = [
        format!("**{}** ({})", markdown_cell(&r.who), r.strength),
        markdown_cell(&r.what),
        format!("By: {}", markdown_cell(&r.by)),
        format!("For: {}", markdown_cell(&r.for_whom)),
        format!("Rule {}", markdown_code(&r.id).replace('|', "\\|")),
    ];
    let document = if r.document.is_empty() {
        String::new()
    } else {
        format!(", {}", markdown_cell(&r.document))
    };
    let quote = format!(
        "“{}”<br>— {}{document}",
        markdown_cell(&r.quote),
        markdown_cell(&r.section)
    );
    let mut notes: Vec<String> = r.note.iter().map(|n| markdown_cell(n)).collect();
    notes.extend(r.assumptions.iter().map(|a| format!("*{}*", markdown_cell(a))));
    notes.extend(cell_findings(&r.findings));
    format!(
        "| {} | {quote} | {} | {SIGN} |\n",
        duty.join("<br>"),
        notes.join("<br>")
    )
}

/// The pack as Markdown.
pub fn to_markdown(r: &Review) -> String {
    let mut s = format!("# Review pack: {}\n\n", markdown_inline(&r.title));
    s += &format!("{}\n\n", markdown_text(&r.subtitle));
    s += &format!(
        "For the protocol's owner to check the encoding against the document and sign it off. Every \
         rule of the file is here ({} rules), in the order an episode meets them. Tick a box for each \
         row, initial it, and sign at the end.\n\n",
        r.rule_count
    );
    s += &format!("- Made from: {}\n", markdown_inline(&r.source_file));
    if let Some(o) = &r.office_hours {
        s += &format!("- Office hours: {o}\n");
    }
    for d in &r.documents {
        s += &format!("- Source document: {}\n", markdown_inline(d));
    }
    s += "\n## Categories and classification\n\n";
    for c in &r.categories {
        s += &format!(
            "- **{}**: {} — “{}” ({})\n",
            markdown_inline(&c.name),
            markdown_inline(&c.definition),
            markdown_inline(&c.quote),
            markdown_inline(&c.section)
        );
    }
    s += "\n### How a child is classified (the first entry that fits decides)\n\n";
    s += "| Classified as | What the document says | For | Sign-off |\n|---|---|---|---|\n";
    for c in &r.classification {
        s += &format!(
            "| **{}** | “{}”<br>— {} | {} | {SIGN} |\n",
            markdown_cell(&c.category),
            markdown_cell(&c.quote),
            markdown_cell(&c.section),
            markdown_cell(&c.when)
        );
    }
    for st in &r.stages {
        s += &format!("\n## {}\n\n{}\n", st.stage.title(), st.stage.intro());
        for g in &st.groups {
            s += &format!("\n### {}\n\n", markdown_inline(&g.when));
            s += "| Who must do what | What the document says | Encoder's notes and findings | Sign-off |\n";
            s += "|---|---|---|---|\n";
            for x in &g.rules {
                s += &rule_row(x);
            }
        }
    }
    if !r.prohibitions.is_empty() {
        s += "\n## What must never happen\n\n";
        s += "| Never | What the document says | Encoder's notes and findings | Sign-off |\n|---|---|---|---|\n";
        for x in &r.prohibitions {
            s += &format!(
                "| **{}**<br>Binds: {}<br>For: {}<br>Prohibition {} | “{}”<br>— {} | {} | {SIGN} |\n",
                markdown_cell(&x.what),
                markdown_cell(&x.binds),
                markdown_cell(&x.when),
                markdown_code(&x.id).replace('|', "\\|"),
                markdown_cell(&x.quote),
                markdown_cell(&x.section),
                x.note
                    .iter()
                    .map(|n| markdown_cell(n))
                    .chain(cell_findings(&x.findings))
                    .collect::<Vec<_>>()
                    .join("<br>")
            );
        }
    }
    if let Some(note) = &r.learning_note {
        s += "\n## Who learns of a missing child, and how\n\n";
        s += "| Who | How they learn | Sign-off |\n|---|---|---|\n";
        for (who, how) in &r.learning {
            s += &format!("| {} | {} | {SIGN} |\n", markdown_cell(who), markdown_cell(how));
        }
        s += &format!("\n{}\n", crate::escape::markdown_text(note));
    }
    if !r.instruments.is_empty() {
        s += "\n## Risk tools and grading\n";
        for l in &r.instruments {
            s += &format!("\n### {}\n\n", markdown_inline(&l.heading));
            if let Some(i) = &l.intro {
                s += &format!("{}\n\n", markdown_text(i));
            }
            for x in &l.lines {
                s += &format!("- {}\n", markdown_text(x));
            }
        }
    }
    if !r.general_findings.is_empty() {
        s += "\n## Findings on the protocol as a whole\n\n";
        for f in &r.general_findings {
            s += &format!("- **{}:** {}\n", f.severity, markdown_text(&f.message));
        }
    }
    s += "\n## Sign-off\n\nI have checked each row above against the source document. Rows marked \
          “Change needed” are to be corrected before the protocol is used.\n\n\
          ☐ Approved as encoded ☐ Approved once the changes marked are made ☐ Not approved\n\n\
          Name: ______________________________\n\n\
          Role: ______________________________\n\n\
          Signature: _________________________\n\n\
          Date: ______________________________\n";
    s
}
