//! `protocol review FILE --out DIR`: the pack a protocol's owner reads and signs off. Every rule
//! of the file on the page with its quote, in the order an episode meets it; text from the file
//! shown as text; and the page opened and printed in a real browser.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "common/browser.rs"]
mod browser;

use safe_return::protocol::{Protocol, Trigger, load_protocol, review};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

const ALL: [&str; 5] = [
    "assets/protocols/havering-2023-05.ron",
    "assets/protocols/havering-2023-10.ron",
    "assets/protocols/haringey-2021.ron",
    "assets/protocols/bromley-2020.ron",
    "assets/protocols/west-mercia-2014.ron",
];

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_safe-return"))
        .args(args)
        .current_dir(ROOT)
        .output()
        .expect("run safe-return")
}

/// A fresh folder for one test's output.
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("review-pack-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn protocol(file: &str) -> Protocol {
    load_protocol(&Path::new(ROOT).join(file)).unwrap().protocol
}

/// Text as HTML shows it (what maud writes for `&`, `<`, `>` and `"`).
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Write the pack of `file` to a fresh folder; the page and the Markdown.
fn pack(file: &str, name: &str) -> (PathBuf, String, String) {
    let dir = scratch(name);
    let out = run(&["protocol", "review", file, "--out", dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.join("index.html")).expect("index.html written");
    let md = std::fs::read_to_string(dir.join("review.md")).expect("review.md written");
    (dir, html, md)
}

fn stem(file: &str) -> &str {
    Path::new(file).file_stem().unwrap().to_str().unwrap()
}

/// Where a rule's row starts on the page.
fn row_at(html: &str, id: &str) -> usize {
    html.find(&format!("id=\"rule-{}\"", esc(id)))
        .unwrap_or_else(|| panic!("no row for rule {id}"))
}

#[test]
fn every_rule_of_each_shipped_protocol_is_on_the_page_with_its_quote_and_a_sign_off_box() {
    for file in ALL {
        let p = protocol(file);
        let (_, html, md) = pack(file, stem(file));
        for r in &p.rules {
            // The pack shows the quote without the quote marks some quotes carry of their own.
            let shown = review::quote_words(&r.citation);
            let words = r.citation.words();
            assert!(!shown.is_empty() && words.contains(&shown) && words.chars().count() - shown.chars().count() <= 2);
            let row = &html[row_at(&html, &r.id)..];
            let row = &row[..row.find("</tr>").unwrap()];
            assert!(
                row.contains(&format!("Rule {}", esc(&r.id))),
                "{file}: {} id line",
                r.id
            );
            assert!(
                row.contains(&esc(&review::quote_words(&r.citation))),
                "{file}: {} quote not in its row",
                r.id
            );
            assert!(row.contains(&esc(&r.citation.section)), "{file}: {} section", r.id);
            if let Some(n) = &r.note {
                assert!(row.contains(&esc(n)), "{file}: {} note not in its row", r.id);
            }
            assert!(row.contains("Change needed"), "{file}: {} has no sign-off box", r.id);
            assert!(md.contains(&r.id), "{file}: {} not in review.md", r.id);
        }
        for x in &p.prohibitions {
            assert!(
                html.contains(&esc(&review::quote_words(&x.citation))),
                "{file}: prohibition {}",
                x.id
            );
        }
        // How each agency learns of the child is on the page, to be signed off too.
        let learning = safe_return::protocol::show::learning_lines(&p);
        assert!(!learning.is_empty(), "{file}: no 'who learns' table");
        for (who, how) in &learning {
            assert!(
                html.contains(&esc(who)) && html.contains(&esc(how)),
                "{file}: how {who} learns"
            );
        }
        // One box per rule, classification entry, prohibition and role that learns; the sign-off
        // block is blank.
        let boxes = html.matches("Change needed</span>").count();
        assert_eq!(
            boxes,
            p.rules.len() + p.classification.len() + p.prohibitions.len() + learning.len(),
            "{file}"
        );
        let block = &html[html.find("id=\"sign-off\"").unwrap()..];
        for k in ["Name", "Role", "Signature", "Date"] {
            assert!(
                block.contains(&format!("<span class=\"k\">{k}</span><span class=\"v\"></span>")),
                "{k}"
            );
        }
    }
}

#[test]
fn rules_come_in_the_order_an_episode_meets_them_thresholds_by_the_hour() {
    let mut hours_seen = Vec::new();
    for file in ALL {
        let p = protocol(file);
        let (_, html, _) = pack(file, &format!("order-{}", stem(file)));
        let mut thresholds: Vec<(f64, usize, &str)> = p
            .rules
            .iter()
            .filter_map(|r| match r.trigger {
                Trigger::MissingFor(h) => Some((h, row_at(&html, &r.id), r.id.as_str())),
                _ => None,
            })
            .collect();
        thresholds.sort_by_key(|a| a.1);
        for w in thresholds.windows(2) {
            assert!(
                w[0].0 <= w[1].0,
                "{file}: {} ({} h) shown before {} ({} h)",
                w[0].2,
                w[0].0,
                w[1].2,
                w[1].0
            );
        }
        hours_seen.extend(thresholds.iter().map(|t| t.0));
        // Leaving, then the return, then the closing of the episode.
        let first = |t: fn(&Trigger) -> bool| p.rules.iter().find(|r| t(&r.trigger)).map(|r| row_at(&html, &r.id));
        let left = first(|t| *t == Trigger::Left);
        let returned = first(|t| *t == Trigger::Returned);
        let closed = first(|t| *t == Trigger::EpisodeClosed);
        if let (Some(a), Some(b)) = (left, returned) {
            assert!(a < b, "{file}: a return duty before a leaving duty");
        }
        if let (Some(a), Some(b)) = (returned, closed) {
            assert!(a < b, "{file}: a closing duty before a return duty");
        }
    }
    hours_seen.sort_by(f64::total_cmp);
    hours_seen.dedup();
    assert!(
        hours_seen.len() >= 3,
        "the shipped protocols set several thresholds: {hours_seen:?}"
    );
}

#[test]
fn headings_name_roles_acts_and_categories_in_words_not_ids() {
    for file in ALL {
        let p = protocol(file);
        let (_, html, _) = pack(file, &format!("ids-{}", stem(file)));
        let ids: Vec<&str> = p
            .roles
            .iter()
            .map(|r| r.id.as_str())
            .chain(p.actions.iter().map(|a| a.id.as_str()))
            .chain(p.categories.iter().map(|c| c.id.as_str()))
            .filter(|id| id.contains('_'))
            .collect();
        for h in html.split("<h3>").skip(1) {
            let h = &h[..h.find("</h3>").unwrap()];
            for id in &ids {
                assert!(!h.contains(id), "{file}: heading {h:?} shows the id {id}");
            }
        }
    }
}

#[test]
fn lint_findings_sit_beside_the_rules_and_prohibitions_they_concern() {
    let mut beside = 0;
    for file in ALL {
        let path = Path::new(ROOT).join(file);
        let (lp, errors) = safe_return::protocol::load::parse_unchecked(&path).unwrap();
        let report = safe_return::protocol::lint::lint(&lp, &errors);
        let (_, html, _) = pack(file, &format!("lint-{}", stem(file)));
        for f in &report.findings {
            for id in &f.rules {
                let at = match lp.protocol.prohibitions.iter().find(|x| &x.id == id) {
                    Some(_) => html
                        .find(&format!("id=\"never-{}\"", esc(id)))
                        .expect("prohibition row"),
                    None => row_at(&html, id),
                };
                let row = &html[at..];
                let row = &row[..row.find("</tr>").unwrap()];
                assert!(
                    row.contains(&esc(&f.message)),
                    "{file}: finding {:?} not beside {id}",
                    f.message
                );
                beside += 1;
            }
            if f.rules.is_empty() {
                let general = &html[html.find("id=\"findings\"").expect("general findings")..];
                assert!(general.contains(&esc(&f.message)), "{file}: {:?}", f.message);
            }
        }
    }
    assert!(beside > 0, "the shipped protocols have findings about rules");
}

#[test]
fn markup_in_a_quote_or_a_note_is_shown_as_text() {
    let src = std::fs::read_to_string(Path::new(ROOT).join(ALL[1])).unwrap();
    let quote = "Interpreters should be used as required instead of relying on family members.";
    let note = "No role is named; all agencies share information.";
    assert!(src.contains(quote) && src.contains(note));
    let src = src
        .replacen(quote, "Use <script>alert('quote')</script> & <b>interpreters</b>", 1)
        .replacen(note, "Note <script>alert(\\\"note\\\")</script> | # heading", 1);
    let dir = scratch("markup");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("hostile.ron");
    std::fs::write(&file, src).unwrap();
    let out_dir = dir.join("pack");
    let out = run(&[
        "protocol",
        "review",
        file.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(!html.contains("<script"), "a script tag reached the page");
    assert!(!html.contains("<b>interpreters"), "markup reached the page");
    assert!(html.contains("Use &lt;script&gt;alert('quote')&lt;/script&gt; &amp; &lt;b&gt;interpreters&lt;/b&gt;"));
    assert!(html.contains("Note &lt;script&gt;alert(&quot;note&quot;)&lt;/script&gt;"));
    let md = std::fs::read_to_string(out_dir.join("review.md")).unwrap();
    assert!(
        !md.contains("<script") && !md.contains("<b>"),
        "markup reached review.md"
    );
    assert!(md.contains("&lt;script&gt;alert"));
}

#[test]
fn the_same_protocol_gives_the_same_pack_byte_for_byte() {
    let (a, _, _) = pack(ALL[3], "same-a");
    let (b, _, _) = pack(ALL[3], "same-b");
    for f in ["index.html", "review.md"] {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn a_bad_protocol_is_refused_with_its_place_and_no_pack() {
    let dir = scratch("bad");
    let out = run(&[
        "protocol",
        "review",
        "tests/bad_protocols/duplicate_rule_id.ron",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let expected =
        std::fs::read_to_string(Path::new(ROOT).join("tests/bad_protocols/duplicate_rule_id.expected")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), expected.trim());
    assert!(!dir.exists(), "a pack folder was made for a bad protocol");
}

#[test]
fn an_out_that_is_a_file_is_refused_and_left_alone() {
    let dir = scratch("out-file");
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("notes.txt");
    std::fs::write(&f, "keep me").unwrap();
    let out = run(&["protocol", "review", ALL[0], "--out", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("notes.txt") && err.contains("not a folder"), "{err}");
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "keep me");
}

#[test]
fn the_view_holds_every_rule_once() {
    for file in ALL {
        let p = protocol(file);
        let r = review::review(&p, "x.ron", &Default::default());
        let mut ids: Vec<&str> = r
            .stages
            .iter()
            .flat_map(|s| &s.groups)
            .flat_map(|g| &g.rules)
            .map(|x| x.id.as_str())
            .collect();
        ids.sort();
        let mut want: Vec<&str> = p.rules.iter().map(|x| x.id.as_str()).collect();
        want.sort();
        assert_eq!(ids, want, "{file}");
    }
}

/// Where a program is on PATH.
/// Opens the page in headless Chromium over WebDriver (`fantoccini`): every rule id is in the
/// page as the browser built it, and printing it gives a PDF of several pages.
#[test]
fn the_page_opens_and_prints_in_a_real_browser() {
    let file = ALL[1];
    let p = protocol(file);
    let (dir, _, _) = pack(file, "browser");
    let page = format!("file://{}", dir.join("index.html").canonicalize().unwrap().display());
    let driver = browser::driver();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (title, shown, pdf) = rt.block_on(async {
        let c = driver.session(1280, 800).await;
        c.goto(&page).await.expect("open the page");
        let title = c.title().await.unwrap();
        let mut shown = Vec::new();
        for e in c.find_all(fantoccini::Locator::Css(".rid")).await.unwrap() {
            if e.is_displayed().await.unwrap() {
                shown.push(e.text().await.unwrap());
            }
        }
        let pdf = c
            .print(fantoccini::wd::PrintConfiguration::default())
            .await
            .expect("print to PDF");
        c.close().await.unwrap();
        (title, shown, pdf)
    });
    assert!(title.contains(&p.title), "the page's title is {title:?}");
    for r in &p.rules {
        let line = format!("Rule {}", r.id);
        assert!(shown.contains(&line), "rule {} is not shown in the browser", r.id);
    }
    assert!(pdf.starts_with(b"%PDF-"), "printing did not give a PDF");
    let pages = pdf
        .windows(12)
        .filter(|w| w.starts_with(b"/Type /Page") && w[11] != b's')
        .count();
    assert!(
        pages > 2,
        "the printed pack has {pages} pages; it should run to several"
    );
}
