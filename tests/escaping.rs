//! Text from users cannot change an output's structure: a scenario title, a message, a trainee's
//! note or form field, or a protocol's names holding HTML, a heading or a table row leave the
//! Markdown debrief and `protocol show --markdown` with the same headings, table rows and list
//! items, and no raw HTML; a quote that looks like a formula reaches `rules.csv` as text; an id
//! never reaches outside its folder.

mod common;

use std::path::{Path, PathBuf};

use common::{ROOT, bin, scratch};

/// Text that would add HTML, a heading and a table row if written verbatim (as a RON string).
const EVIL: &str = r#"<script>alert(1)</script>\n# heading\n| a | b |\n- item"#;
/// Text of the same lines and no syntax (as a RON string).
const PLAIN: &str = r#"first line\nsecond line\nthird line\nfourth line"#;

/// A fresh copy of a shipped scenario folder, `edit` applied to each file's text.
fn scenario_copy(name: &str, tag: &str, edit: impl Fn(&str, String) -> String) -> PathBuf {
    let from = Path::new(ROOT).join("scenarios").join(name);
    let to = scratch(&format!("escaping-{name}-{tag}"));
    let _ = std::fs::remove_dir_all(&to);
    std::fs::create_dir_all(&to).unwrap();
    for f in ["scenario.ron", "flawed.ron", "by-the-book.ron"] {
        let text = std::fs::read_to_string(from.join(f)).unwrap();
        std::fs::write(to.join(f), edit(f, text)).unwrap();
    }
    to
}

fn replace_once(text: String, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` not found");
    text.replacen(from, to, 1)
}

/// The Havering residential scenario with `t` as its title, a message, a trainee's note and
/// form field.
fn havering_with(t: &str, tag: &str) -> PathBuf {
    scenario_copy("havering-care-residential", tag, |f, text| match f {
        "scenario.ron" => {
            let text = replace_once(
                text,
                r#"title: "Friday night at Elm Lodge""#,
                &format!(r#"title: "{t}""#),
            );
            replace_once(
                text,
                r#"text: "Her phone now goes straight to voicemail.""#,
                &format!(r#"text: "{t}""#),
            )
        }
        "flawed.ron" => replace_once(
            text,
            r#"(at_hours: 119.0, action: "offer_rhi")"#,
            &format!(r#"(at_hours: 119.0, action: "offer_rhi", note: "{t}", fields: [("call_or_text", "{t}")])"#),
        ),
        _ => text,
    })
}

/// The document's structure as a CommonMark renderer (with GitHub's tables) reads it:
/// headings, table rows, list items and paragraphs, and how much raw HTML it would pass on.
#[derive(Debug, PartialEq)]
struct Structure {
    headings: usize,
    rows: usize,
    items: usize,
    paragraphs: usize,
    html: usize,
}

fn structure(md: &str) -> Structure {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let mut s = Structure {
        headings: 0,
        rows: 0,
        items: 0,
        paragraphs: 0,
        html: 0,
    };
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for e in Parser::new_ext(md, opts) {
        match e {
            Event::Start(Tag::Heading { .. }) => s.headings += 1,
            Event::Start(Tag::TableHead | Tag::TableRow) => s.rows += 1,
            Event::Start(Tag::Item) => s.items += 1,
            Event::Start(Tag::Paragraph) => s.paragraphs += 1,
            Event::Html(_) | Event::InlineHtml(_) => s.html += 1,
            _ => {}
        }
    }
    s
}

fn debrief(dir: &Path, out: &str) -> String {
    let md = scratch(out);
    let _ = std::fs::remove_file(&md);
    let o = bin(&[
        "run",
        dir.to_str().unwrap(),
        "--decisions",
        dir.join("flawed.ron").to_str().unwrap(),
        "--markdown",
        md.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(md).unwrap()
}

#[test]
fn a_debrief_keeps_its_structure_whatever_the_scenario_and_trainee_write() {
    let plain = debrief(&havering_with(PLAIN, "plain"), "escaping-plain.md");
    let evil = debrief(&havering_with(EVIL, "evil"), "escaping-evil.md");
    // The texts are there (shown, not obeyed) …
    assert!(plain.contains("second line"), "{plain}");
    assert!(evil.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{evil}");
    assert!(
        evil.matches("heading").count() >= 3,
        "title, message, note and field: {evil}"
    );
    // … and change nothing else.
    assert!(!evil.contains("<script"), "{evil}");
    let st = structure(&evil);
    assert_eq!(st, structure(&plain), "{evil}");
    // Title, your obligations, the decision points asked and the timeline.
    assert_eq!(st.headings, 4, "{evil}");
    assert_eq!(st.html, 0, "{evil}");
    assert!(st.rows > 2 && st.items > 5, "{evil}");
    assert!(evil.starts_with("# Debrief: &lt;script&gt;"), "{evil}");
}

#[test]
fn a_debrief_to_a_file_that_cannot_be_written_is_refused_before_the_run() {
    let blocker = scratch("escaping-not-a-folder");
    std::fs::write(&blocker, "a file").unwrap();
    let md = blocker.join("debrief.md");
    let o = bin(&["run", "havering-care-residential", "--markdown", md.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(o.stdout.is_empty(), "nothing printed before the refusal");
    assert!(err.starts_with("--markdown: "), "{err}");
    assert!(err.contains("is a file, not a folder"), "{err}");
    // A folder given: the message suggests a file name.
    let dir = scratch("escaping-a-folder");
    std::fs::create_dir_all(&dir).unwrap();
    let o = bin(&["run", "havering-care-residential", "--markdown", dir.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("is a folder, not a file"), "{err}");
}

/// A copy of Havering's protocol with `t` as its title, a role's name and a rule's section.
fn protocol_with(t: &str, tag: &str) -> PathBuf {
    let from = Path::new(ROOT).join("assets/protocols/havering-2023-10.ron");
    let text = std::fs::read_to_string(from).unwrap();
    let text = replace_once(
        text,
        r#"title: "Missing from home or care protocol 2023 - 2025""#,
        &format!(r#"title: "{t}""#),
    );
    let text = replace_once(text, r#"name: "Team Manager""#, &format!(r#"name: "{t}""#));
    let text = replace_once(
        text,
        r#"section: "Missing", quote:"#,
        &format!(r#"section: "{t}", quote:"#),
    );
    let to = scratch(&format!("escaping-protocol-{tag}.ron"));
    std::fs::write(&to, text).unwrap();
    to
}

#[test]
fn a_protocol_summary_keeps_its_structure_whatever_the_protocol_says() {
    let show = |f: &Path| {
        let o = bin(&["protocol", "show", f.to_str().unwrap(), "--markdown"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let plain = show(&protocol_with(PLAIN, "plain"));
    let evil = show(&protocol_with(EVIL, "evil"));
    assert!(plain.contains("second line"), "{plain}");
    assert!(!evil.contains("<script"), "{evil}");
    assert!(evil.contains("&lt;script&gt;"), "{evil}");
    assert_eq!(structure(&evil), structure(&plain));
    assert_eq!(structure(&evil).html, 0);
    assert!(evil.starts_with("# &lt;script&gt;alert(1)&lt;/script&gt; / \\# heading / \\| a \\| b \\| / \\- item\n"));
}

#[test]
fn a_quote_that_looks_like_a_formula_reaches_rules_csv_as_text() {
    let from = Path::new(ROOT).join("assets/protocols/havering-2023-10.ron");
    let text = std::fs::read_to_string(from).unwrap();
    // Every quote of the protocol starts with a formula.
    let text = text.replace(r#"quote: ""#, r#"quote: "=SUM(1)+"#);
    let file = scratch("escaping-formula.ron");
    std::fs::write(&file, text).unwrap();
    let out = scratch("escaping-formula-out");
    let _ = std::fs::remove_dir_all(&out);
    let o = bin(&[
        "stress",
        "--protocol",
        file.to_str().unwrap(),
        "--children",
        "50",
        "--days",
        "7",
        "--replications",
        "2",
        "--threads",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut r = csv::Reader::from_path(out.join("rules.csv")).unwrap();
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (quote, fired, compliance) = (col("quote"), col("fired"), col("compliance"));
    let mut rows = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        rows += 1;
        assert!(rec[quote].starts_with("'=SUM(1)+"), "{:?}", &rec[quote]);
        for cell in rec.iter() {
            assert!(!cell.starts_with(['=', '+', '@', '\t', '\r']), "{rec:?}");
        }
        // Numbers stay numbers.
        assert!(rec[fired].parse::<f64>().is_ok(), "{rec:?}");
        assert!(
            rec[compliance].is_empty() || rec[compliance].parse::<f64>().is_ok(),
            "{rec:?}"
        );
    }
    assert!(rows > 10);
}

#[test]
fn a_scenarios_protocol_id_cannot_reach_outside_the_protocols_folder() {
    let dir = scenario_copy("havering-care-residential", "dotdot", |f, text| match f {
        "scenario.ron" => replace_once(
            text,
            r#"protocol: "havering-2023-10""#,
            r#"protocol: "../protocols/havering-2023-10""#,
        ),
        _ => text,
    });
    let o = bin(&["scenario", "validate", dir.join("scenario.ron").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    // Where, which field, and what to write instead; no path of the project's own.
    let line = std::fs::read_to_string(dir.join("scenario.ron"))
        .unwrap()
        .lines()
        .position(|l| l.contains("protocol: \"../"))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("scenario.ron:{line}:")), "{err}");
    assert!(err.contains("protocol"), "{err}");
    assert!(
        err.contains("`../protocols/havering-2023-10` is not a protocol id"),
        "{err}"
    );
    // (The folder is named to say where protocols live, never as the project's own full path.)
    assert!(!err.contains(&format!("{ROOT}/assets")), "{err}");
}

#[test]
fn a_scenario_name_with_a_path_in_it_is_not_looked_for_under_scenarios() {
    // `run ../scenarios/X` from the project folder: no such folder beside the project, and the
    // name is not made into a path under `scenarios/`.
    let o = bin(&["run", "../scenarios/havering-care-residential"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no scenario `../scenarios/havering-care-residential`"),
        "{err}"
    );
    assert!(!err.contains("scenarios/../"), "{err}");
}
