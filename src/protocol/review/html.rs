//! The review pack as one self-contained HTML page: inline CSS, no script, no external fonts;
//! printable on A4 (table headings repeat on every page, rows are not split). Every text from the
//! protocol goes through maud's escaping: none of it can add markup.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{FindingView, Review, RuleView};

const CSS: &str = r#"
:root { --ink: #1a1a1a; --muted: #555; --rule: #b8b8b8; --band: #eef2f7; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", Arial, Helvetica, sans-serif; color: var(--ink); margin: 0 auto;
       max-width: 1200px; padding: 24px; font-size: 15px; line-height: 1.4; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 32px 0 6px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 17px; margin: 20px 0 6px; }
.sub { color: var(--muted); margin: 0 0 12px; }
.intro { color: var(--muted); margin: 0 0 8px; }
table { width: 100%; border-collapse: collapse; margin: 6px 0 14px; }
th, td { border: 1px solid var(--rule); padding: 6px 8px; vertical-align: top; text-align: left; }
thead th { background: var(--band); font-size: 13px; }
col.duty { width: 29%; } col.quote { width: 31%; } col.notes { width: 24%; } col.sign { width: 16%; }
.who { font-weight: 600; }
.rid { display: block; margin-top: 6px; font-size: 11px; color: var(--muted);
       font-family: Consolas, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
.must, .should { display: inline-block; font-size: 11px; font-weight: 700; padding: 0 5px;
                 border: 1px solid var(--ink); border-radius: 3px; margin-right: 4px; }
.should { border-style: dashed; }
.field { display: block; margin-top: 3px; }
.label { color: var(--muted); font-size: 13px; }
blockquote { margin: 0; padding-left: 8px; border-left: 3px solid var(--rule); font-style: italic; }
.cite { display: block; margin-top: 4px; font-size: 12px; color: var(--muted); }
.note { margin: 0 0 4px; }
ul.assume { margin: 0; padding-left: 16px; font-size: 13px; color: var(--muted); }
.finding { margin: 4px 0 0; padding: 3px 5px; border-left: 4px solid #b36b00; background: #fff7e6;
           font-size: 13px; }
.finding.Error { border-left-color: #b00020; background: #fdecee; }
.sev { font-weight: 700; }
.box { display: inline-block; width: 13px; height: 13px; border: 1.5px solid var(--ink);
       vertical-align: -2px; margin-right: 5px; }
.choice { display: block; margin-bottom: 4px; white-space: nowrap; }
.initials { display: block; margin-top: 10px; font-size: 13px; }
.line { display: inline-block; width: 70%; border-bottom: 1px solid var(--ink); height: 14px; }
.contents li { margin: 2px 0; }
.summary { background: var(--band); padding: 10px 14px; border-radius: 4px; }
.signoff { margin-top: 24px; border: 2px solid var(--ink); padding: 14px 18px; break-inside: avoid;
           page-break-inside: avoid; }
.signoff .row { display: flex; gap: 12px; align-items: flex-end; margin: 18px 0 4px; }
.signoff .row span.k { width: 160px; }
.signoff .row span.v { flex: 1; border-bottom: 1px solid var(--ink); height: 18px; }
.listing li { margin: 2px 0; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  thead { display: table-header-group; }
  tr, .finding, blockquote { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  .finding, thead th, .summary { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

fn sign_cell() -> Markup {
    html! {
        td.sign {
            span.choice { span.box {} "Agreed" }
            span.choice { span.box {} "Change needed" }
            span.initials { "Initials " span.line {} }
        }
    }
}

fn thead(first: &str, second: &str, third: &str) -> Markup {
    html! {
        colgroup { col.duty; col.quote; col.notes; col.sign; }
        thead { tr { th { (first) } th { (second) } th { (third) } th { "Sign-off" } } }
    }
}

fn findings(v: &[FindingView]) -> Markup {
    html! {
        @for f in v {
            p class={ "finding " (f.severity) } { span.sev { (f.severity) ": " } (f.message) }
        }
    }
}

fn rule_row(r: &RuleView) -> Markup {
    html! {
        tr id={ "rule-" (r.id) } {
            td {
                span class=(r.strength.to_lowercase()) { (r.strength) }
                span.who { (r.who) }
                span.field { (r.what) }
                span.field { span.label { "By: " } (r.by) }
                span.field { span.label { "For: " } (r.for_whom) }
                span.rid { "Rule " (r.id) }
            }
            td {
                blockquote { "“" (r.quote) "”" }
                span.cite {
                    (r.section)
                    @if !r.document.is_empty() { " — " (r.document) }
                }
            }
            td {
                @if let Some(n) = &r.note { p.note { (n) } }
                @if !r.assumptions.is_empty() {
                    ul.assume { @for a in &r.assumptions { li { (a) } } }
                }
                (findings(&r.findings))
            }
            (sign_cell())
        }
    }
}

/// The pack as a self-contained HTML page.
pub fn to_html(r: &Review) -> String {
    let findings_beside: usize = r
        .stages
        .iter()
        .flat_map(|s| &s.groups)
        .flat_map(|g| &g.rules)
        .map(|x| x.findings.len())
        .sum();
    let page = html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Review: " (r.title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { "Review pack: " (r.title) }
                    p.sub { (r.subtitle) }
                }
                section.summary {
                    p {
                        "For the protocol's owner to check the encoding against the document and sign it off. "
                        "Every rule of the file is here (" (r.rule_count) " rules), in the order an episode meets them. "
                        "For each: who must do what, by when and for which children; the document's own words; "
                        "the encoder's notes and assumptions; any findings of the automatic checks ("
                        (findings_beside) " beside rules, " (r.general_findings.len()) " on the protocol as a whole). "
                        "Tick a box for each row, initial it, and sign at the end."
                    }
                    p {
                        span.label { "Made from: " } (r.source_file)
                        @if let Some(o) = &r.office_hours { " · " span.label { "Office hours: " } (o) }
                    }
                    @for d in &r.documents { p { span.label { "Source document: " } (d) } }
                }
                nav.contents {
                    h2 { "Contents" }
                    ol {
                        li { a href="#classification" { "Categories and classification" } }
                        @for s in &r.stages {
                            li { a href={ "#" (s.stage.anchor()) } { (s.stage.title()) } }
                        }
                        @if !r.prohibitions.is_empty() { li { a href="#never" { "What must never happen" } } }
                        @if r.learning_note.is_some() { li { a href="#learning" { "Who learns, and how" } } }
                        @if !r.instruments.is_empty() { li { a href="#risk" { "Risk tools and grading" } } }
                        @if !r.general_findings.is_empty() { li { a href="#findings" { "Findings on the protocol as a whole" } } }
                        li { a href="#sign-off" { "Sign-off" } }
                    }
                }
                section #classification {
                    h2 { "Categories and classification" }
                    p.intro { "The categories of absence the protocol uses, in its own words." }
                    ul.listing {
                        @for c in &r.categories {
                            li {
                                strong { (c.name) } ": " (c.definition)
                                span.cite { "“" (c.quote) "” — " (c.section) }
                            }
                        }
                    }
                    h3 { "How a child is classified (the first entry that fits decides)" }
                    table {
                        (thead("Classified as", "What the document says", "For"))
                        tbody {
                            @for c in &r.classification {
                                tr {
                                    td { span.who { (c.category) } }
                                    td { blockquote { "“" (c.quote) "”" } span.cite { (c.section) } }
                                    td { (c.when) }
                                    (sign_cell())
                                }
                            }
                        }
                    }
                }
                @for s in &r.stages {
                    section id=(s.stage.anchor()) {
                        h2 { (s.stage.title()) }
                        p.intro { (s.stage.intro()) }
                        @for g in &s.groups {
                            h3 { (g.when) }
                            table {
                                (thead("Who must do what", "What the document says", "Encoder's notes and findings"))
                                tbody { @for x in &g.rules { (rule_row(x)) } }
                            }
                        }
                    }
                }
                @if !r.prohibitions.is_empty() {
                    section #never {
                        h2 { "What must never happen" }
                        p.intro { "Acts the protocol forbids, whom each binds, and for which children." }
                        table {
                            (thead("Never", "What the document says", "Encoder's notes and findings"))
                            tbody {
                                @for x in &r.prohibitions {
                                    tr id={ "never-" (x.id) } {
                                        td {
                                            span.who { (x.what) }
                                            span.field { span.label { "Binds: " } (x.binds) }
                                            span.field { span.label { "For: " } (x.when) }
                                            span.rid { "Prohibition " (x.id) }
                                        }
                                        td { blockquote { "“" (x.quote) "”" } span.cite { (x.section) } }
                                        td {
                                            @if let Some(n) = &x.note { p.note { (n) } }
                                            (findings(&x.findings))
                                        }
                                        (sign_cell())
                                    }
                                }
                            }
                        }
                    }
                }
                @if let Some(note) = &r.learning_note {
                    section #learning {
                        h2 { "Who learns of a missing child, and how" }
                        p.intro { "Roles acting by the book act only on what they have been told. How each agency hears of the child:" }
                        table {
                            (thead("Who", "How they learn", "Encoder's notes"))
                            tbody {
                                @for (who, how) in &r.learning {
                                    tr { td { span.who { (who) } } td { (how) } td {} (sign_cell()) }
                                }
                            }
                        }
                        p.note { (note) }
                    }
                }
                @if !r.instruments.is_empty() {
                    section #risk {
                        h2 { "Risk tools and grading" }
                        @for l in &r.instruments {
                            h3 { (l.heading) }
                            @if let Some(i) = &l.intro { p.intro { (i) } }
                            ul.listing { @for x in &l.lines { li { (x) } } }
                        }
                    }
                }
                @if !r.general_findings.is_empty() {
                    section #findings {
                        h2 { "Findings on the protocol as a whole" }
                        p.intro { "What the automatic checks found that concerns no single rule." }
                        (findings(&r.general_findings))
                    }
                }
                section.signoff #sign-off {
                    h2 { "Sign-off" }
                    p {
                        "I have checked each row above against the source document. "
                        "Rows marked “Change needed” are to be corrected before the protocol is used."
                    }
                    p {
                        span.choice { span.box {} "Approved as encoded" }
                        span.choice { span.box {} "Approved once the changes marked are made" }
                        span.choice { span.box {} "Not approved" }
                    }
                    @for k in ["Name", "Role", "Signature", "Date"] {
                        div.row { span.k { (k) } span.v {} }
                    }
                }
            }
        }
    };
    page.into_string()
}
