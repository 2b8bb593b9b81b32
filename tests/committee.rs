//! What a committee reads, checked as a policy analyst would: the one-page summary beside the
//! report (the verdict, the numbers with their intervals, the staffing answer, the posts and the
//! assumptions behind them), staff hours that are the minutes booked, a comparison that names
//! both versions, rules and roles named in words where the reader looks (ids only under them),
//! per-rule paired intervals in `comparison.csv`, pages that print on A4, and names that cannot
//! break the page.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use safe_return::caseload::committee::{self, Assumptions};
use safe_return::caseload::load_caseload;
use safe_return::caseload::stress::{self, ProtocolInfo};
use safe_return::protocol::{Protocol, load_protocol};

mod common;
use common::{ROOT, bin, scratch};

const MAY: &str = "havering-2023-05";
const OCT: &str = "havering-2023-10";

/// `stress` on 300 children of the borough for 13 weeks, 4 replications, its files in a fresh
/// folder: stdout, and the folder.
fn stress_out(tag: &str, extra: &[&str]) -> (String, PathBuf) {
    let dir = scratch(&format!("committee-{tag}"));
    let _ = std::fs::remove_dir_all(&dir);
    let mut args = vec![
        "stress",
        "--caseload",
        "borough-2000",
        "--children",
        "300",
        "--days",
        "91",
        "--replications",
        "4",
        "--threads",
        "1",
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend(extra);
    let o = bin(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (String::from_utf8(o.stdout).unwrap(), dir)
}

/// May 2023 against October 2023, made once.
fn comparison() -> &'static (String, PathBuf) {
    static RUN: OnceLock<(String, PathBuf)> = OnceLock::new();
    RUN.get_or_init(|| stress_out("compare", &["--protocol", MAY, "--compare", OCT]))
}

/// October 2023 alone, made once.
fn single() -> &'static (String, PathBuf) {
    static RUN: OnceLock<(String, PathBuf)> = OnceLock::new();
    RUN.get_or_init(|| stress_out("single", &["--protocol", OCT]))
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// A CSV file as rows of named cells.
fn rows(dir: &Path, file: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join(file)).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter().cloned().zip(rec.iter().map(String::from)).collect()
        })
        .collect()
}

/// HTML with its tags taken out and the five entities put back (for reading its words).
fn words(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The contents of every element named `tag` (`<tag …>…</tag>`), whatever its attributes.
fn elements<'a>(html: &'a str, tag: &str) -> Vec<(&'a str, &'a str)> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        // `<th` must not match `<thead`.
        if !after.starts_with(['>', ' ']) {
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else { break };
        let attrs = &after[..gt];
        let body = &after[gt + 1..];
        let Some(end) = body.find(&close) else { break };
        out.push((attrs, &body[..end]));
        rest = &body[end..];
    }
    out
}

#[test]
fn the_summary_page_gives_the_verdict_the_numbers_and_the_staffing_posts() {
    let (_, dir) = single();
    let page = read(dir, "summary.html");
    let text = words(&page);
    // The verdict, in words, before anything else.
    let verdict = text.find("Verdict").expect("a verdict");
    assert!(verdict < text.find("The numbers").unwrap());
    assert!(
        text.contains(&format!("Under {OCT}, ")) && text.contains("of the duties that fell due were met in time"),
        "{text}"
    );
    // Every staffed role, named, with the full-time posts its work takes — the same figure as
    // staff_hours.csv — and an answer.
    let hours = rows(dir, "staff_hours.csv");
    for role in ["rhi_worker", "social_worker", "mash"] {
        let h = hours
            .iter()
            .find(|r| r["role"] == role && r["protocol"] == OCT)
            .unwrap_or_else(|| panic!("{role} in staff_hours.csv"));
        let posts: f64 = h["full_time_posts"].parse().unwrap();
        assert!(text.contains(&h["role_name"]), "{} not named", h["role_name"]);
        assert!(
            text.contains(&format!("{posts:.1} (")),
            "{role}: {posts:.1} posts not shown"
        );
    }
    assert!(text.contains("full-time posts"));
    assert!(
        ["Enough", "On the edge", "Not enough as staffed"]
            .iter()
            .any(|a| text.contains(a)),
        "a staffing answer: {text}"
    );
    // The numbers come with their intervals, and the assumptions are named.
    assert!(text.contains("Duties met in time, every rule"));
    assert!(text.contains("95 % confidence intervals"));
    assert!(text.contains("a full-time post is 37 hours a week, 80 % of them on casework"));
    assert!(text.contains("A synthetic caseload (no real child is in it)"));
    assert!(text.contains("Return Home Interview"), "the staffing as run is listed");
    // Self-contained: nothing fetched, no script.
    for bad in ["<script", "src=", "href=", "@import", "url("] {
        assert!(!page.contains(bad), "summary.html has {bad}");
    }
    // The report says where the summary is; the terminal gives the same verdict first.
    assert!(read(dir, "report.html").contains("summary.html"));
    let (stdout, _) = single();
    let top: Vec<&str> = stdout.lines().take(4).collect();
    assert!(top.contains(&"Verdict"), "{stdout}");
    assert!(stdout.contains(&format!("Under {OCT}, ")));
    assert!(stdout.contains("Staff hours a week and full-time posts"));
}

#[test]
fn staff_hours_are_the_minutes_booked_over_sixty_a_week_and_posts_follow_from_them() {
    let p: Arc<Protocol> = Arc::new(
        load_protocol(&Path::new(ROOT).join(format!("assets/protocols/{OCT}.ron")))
            .unwrap()
            .protocol,
    );
    let cl = load_caseload(&Path::new(ROOT).join("assets/caseloads/borough-2000.ron"), &[&*p])
        .unwrap_or_else(|d| panic!("{d:?}"))
        .with_children(300)
        .with_days(91);
    let info = ProtocolInfo::new(p.clone());
    let mut plan = safe_return::caseload::generate::plan(&cl, 5, 0);
    let seed = safe_return::caseload::generate::engine_seed(5, 0);
    let (rep, engine) = stress::run_plan(&info, &cl, &mut plan, false, seed, 0, |_| {});
    let result = stress::aggregate(&info, &cl, std::slice::from_ref(&rep));
    let weeks = 91.0 / 7.0;
    let a = Assumptions::default();
    for st in &cl.caseload.staffing {
        let booked = engine.staff_stats(&st.role).minutes_booked;
        assert!(booked > 0.0, "{} booked nothing", st.role);
        let role = result.roles.iter().find(|r| r.id == st.role).unwrap();
        let hours = role.booked_hours_per_week.expect("a staffed role's hours").mean;
        assert!(
            (hours - booked / 60.0 / weeks).abs() < 1e-3,
            "{}: {hours} h a week, {booked} min booked",
            st.role
        );
        // Week by week, the hours add up to the minutes booked (13 whole weeks here).
        let weekly: f64 = role.booked_hours_weekly.iter().sum();
        assert!(
            (weekly * 60.0 - booked).abs() < 1.0,
            "{}: {weekly} h in the weeks",
            st.role
        );
        // Capacity: the workers' hours on duty, week by week (office hours, or round the clock).
        let on_duty = role.capacity_hours_weekly.iter().copied().fold(0.0, f64::max);
        let most = st.workers as f64 * if st.office_hours_only { 5.0 * 8.0 } else { 168.0 };
        assert!(
            on_duty > 0.0 && on_duty <= most + 1e-9,
            "{}: {on_duty} h on duty",
            st.role
        );
    }
    // Posts are hours over a post's hours of casework (37 × 80 %), as the summary says.
    let s = stress::run(
        &[p],
        &cl,
        &stress::StressOptions {
            replications: 1,
            seed: 5,
            threads: Some(1),
        },
        &|| {},
    );
    for h in committee::staff_hours(&s, &a) {
        assert!(
            (h.posts.mean - h.hours_per_week.mean / (37.0 * 0.8)).abs() < 1e-9,
            "{}",
            h.role
        );
        if !s.caseload.staffing.iter().any(|st| st.role == h.role) {
            // A role acting by the book: its actions at the assumed 30 minutes each.
            assert!((h.hours_per_week.mean - h.actions_per_week.mean * 0.5).abs() < 1e-9);
            assert!(h.basis.contains("assumed"), "{}", h.basis);
        }
    }
}

#[test]
fn a_comparisons_summary_names_both_protocols_and_the_change_between_them() {
    let (stdout, dir) = comparison();
    let page = read(dir, "summary.html");
    let text = words(&page);
    for p in [MAY, OCT] {
        assert!(
            elements(&page, "th").iter().any(|(_, t)| words(t).trim() == p),
            "{p} heads a column of the numbers"
        );
    }
    assert!(text.contains(&format!("Moving from {MAY} to {OCT}: on the ")), "{text}");
    assert!(text.contains("rules with a time limit that both versions have"));
    assert!(text.contains("Change (95 % interval, paired)"));
    // The rules October adds with no time limit are said apart: they cannot be late.
    assert!(text.contains("duties a year with no time limit (which can never be late)"));
    // Each staffed role's posts under both versions, in the verdict.
    assert!(text.contains(&format!("under {MAY} and ")), "{text}");
    assert!(stdout.contains(&format!("Moving from {MAY} to {OCT}")));
}

#[test]
fn headings_legends_and_chart_labels_name_rules_and_roles_in_words() {
    let (_, dir) = comparison();
    let rule_ids: Vec<String> = rows(dir, "rules.csv").into_iter().map(|r| r["rule"].clone()).collect();
    let role_ids: Vec<String> = rows(dir, "staff_hours.csv")
        .into_iter()
        .map(|r| r["role"].clone())
        .filter(|id| id.contains('_'))
        .collect();
    assert!(rule_ids.len() > 100 && role_ids.contains(&"rhi_worker".to_string()));
    for file in ["summary.html", "report.html"] {
        let page = read(dir, file);
        let mut looked = 0;
        // Where a reader looks for what a row, column, chart or line is: headings, table
        // headings, captions, folds' titles, and chart text (an id may sit under a name, in its
        // own smaller line: class "id").
        for tag in ["h1", "h2", "h3", "th", "caption", "summary", "text"] {
            for (attrs, body) in elements(&page, tag) {
                if attrs.contains(r#"class="id""#) {
                    continue;
                }
                let said = words(body);
                looked += 1;
                for id in rule_ids.iter().chain(&role_ids) {
                    let hit = said
                        .split(|c: char| c.is_whitespace() || "(),;:".contains(c))
                        .any(|w| w == id);
                    assert!(!hit, "{file}: <{tag}> says the id {id}: {said}");
                }
            }
        }
        assert!(looked > 20, "{file}: {looked} labels");
    }
    // The chart of duties met in time gives each rule in words, its id in smaller type under it.
    let report = read(dir, "report.html");
    assert!(report.contains(r##"<text class="id""##));
    assert!(report.contains("Offer a return home interview, within 72 h"));
    // Legends name roles.
    assert!(report.contains("<title>RHI (Return Home Interview) or Conversation Worker</title>"));
}

#[test]
fn comparison_csv_gives_each_rule_its_paired_change_with_an_interval() {
    let (_, dir) = comparison();
    let rows = rows(dir, "comparison.csv");
    let mut paired = 0;
    for r in &rows {
        for col in [
            "what",
            "role",
            "baseline_compliance_lo",
            "revision_compliance_hi",
            "change_paired",
            "change_lo",
            "change_hi",
            "change_says",
        ] {
            assert!(r.contains_key(col), "no column {col}");
        }
        if r["in_protocols"] != "both" || r["change_paired"].is_empty() {
            continue;
        }
        if r["change_lo"].is_empty() {
            // Duties fell due under both in one replication only: no interval, and it says so.
            assert!(r["change_says"].starts_with("no interval"), "{r:?}");
            continue;
        }
        paired += 1;
        let n = |c: &str| r[c].parse::<f64>().unwrap_or_else(|_| panic!("{c}: {r:?}"));
        let (d, lo, hi) = (n("change_paired"), n("change_lo"), n("change_hi"));
        assert!(lo <= d + 1e-9 && d <= hi + 1e-9, "{r:?}");
        let says = if lo > 0.0 || hi < 0.0 {
            "a change the rules make"
        } else {
            "within chance"
        };
        assert_eq!(r["change_says"], says, "{r:?}");
        assert!(!r["what"].is_empty(), "{r:?}");
        // Each side's share with its own interval.
        let b = n("baseline_compliance");
        assert!(n("baseline_compliance_lo") <= b + 1e-9 && b <= n("baseline_compliance_hi") + 1e-9);
    }
    assert!(paired > 20, "{paired} rules with a paired change");
}

#[test]
fn the_pages_print_on_a4_with_table_headings_repeated_and_nothing_folded_away() {
    let (_, dir) = comparison();
    for file in ["summary.html", "report.html"] {
        let page = read(dir, file);
        assert!(page.contains("@page{size:A4"), "{file}");
        assert!(page.contains("thead{display:table-header-group}"), "{file}");
        // Every table has its headings in a thead (the part a printer repeats).
        let tables = page.matches("<table").count();
        assert!(tables > 0 && page.matches("<thead>").count() == tables, "{file}");
        // Folded lists are printed whole: each fold has a copy shown only in print.
        assert_eq!(
            page.matches(r#"<details class="screen-only">"#).count(),
            page.matches(r#"<div class="print-only">"#).count(),
            "{file}"
        );
        assert!(!page.contains("<details>"), "{file}: a fold with no print copy");
    }
    let report = read(dir, "report.html");
    assert!(report.contains("Rules added in havering-2023-10"));
    // The documents' words are printed under each rule (on screen, a tooltip).
    assert!(report.contains(r#"<div class="quote print-only">“"#));
    // Backlog and demand against capacity, as charts.
    assert!(report.contains("Open duties at each week's end, by role"));
    assert!(report.contains(
        "RHI (Return Home Interview) or Conversation Worker: work booked against time on duty, hours a week"
    ));
    assert!(report.contains(&format!("hours booked a week ({MAY})")));
    assert!(report.contains("hours on duty (1 worker, office hours)"));
}

#[test]
fn post_hours_and_casework_share_change_the_posts_and_are_named() {
    let (_, dir) = stress_out(
        "post-hours",
        &["--protocol", OCT, "--post-hours", "35", "--casework-share", "70%"],
    );
    for h in rows(&dir, "staff_hours.csv") {
        let n = |c: &str| h[c].parse::<f64>().unwrap();
        assert!(
            (n("full_time_posts") - n("hours_per_week") / (35.0 * 0.7)).abs() < 1e-9,
            "{h:?}"
        );
        assert_eq!((n("post_hours_per_week"), n("casework_share")), (35.0, 0.7));
    }
    let text = words(&read(&dir, "summary.html"));
    assert!(text.contains("a full-time post is 35 hours a week, 70 % of them on casework (24.5 hours"));
    let summary: serde_json::Value = serde_json::from_str(&read(&dir, "summary.json")).unwrap();
    assert_eq!(summary["assumptions"]["post_hours_per_week"], 35.0);
    // A share of nothing, and posts in a sweep, are refused with the reason.
    let o = bin(&["stress", "--protocol", OCT, "--casework-share", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--casework-share: a share above 0"));
    let o = bin(&[
        "stress",
        "--protocol",
        OCT,
        "--sweep",
        "rhi_worker=1-2",
        "--post-hours",
        "35",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a sweep's"));
}

#[test]
fn names_from_the_protocol_cannot_break_the_summary_or_the_report() {
    let from = Path::new(ROOT).join(format!("assets/protocols/{OCT}.ron"));
    let evil = r#"<script>alert(1)</script> & \"quoted\""#;
    let text = std::fs::read_to_string(from).unwrap();
    let title = r#"title: "Missing from home or care protocol 2023 - 2025""#;
    let role = r#"name: "RHI (Return Home Interview) or Conversation Worker""#;
    assert!(text.contains(title) && text.contains(role));
    let text = text
        .replacen(title, &format!(r#"title: "{evil}""#), 1)
        .replacen(role, &format!(r#"name: "{evil}""#), 1);
    let file = scratch("committee-evil.ron");
    std::fs::write(&file, text).unwrap();
    let (_, dir) = stress_out("evil", &["--protocol", file.to_str().unwrap()]);
    for page in ["summary.html", "report.html"] {
        let html = read(&dir, page);
        assert!(!html.contains("<script"), "{page}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;"),
            "{page}"
        );
    }
}

#[test]
fn one_return_interview_is_one_promise_however_many_rules_ask_for_it() {
    let p: Arc<Protocol> = Arc::new(
        load_protocol(&Path::new(ROOT).join(format!("assets/protocols/{OCT}.ron")))
            .unwrap()
            .protocol,
    );
    let cl = load_caseload(&Path::new(ROOT).join("assets/caseloads/borough-2000.ron"), &[&*p])
        .unwrap_or_else(|d| panic!("{d:?}"))
        .with_children(300)
        .with_days(91);
    let opts = stress::StressOptions {
        replications: 3,
        seed: 2,
        threads: Some(1),
    };
    let s = stress::run(&[p], &cl, &opts, &|| {});
    let acts = committee::acts(&s.protocols[0]);
    let interview: Vec<_> = acts
        .iter()
        .filter(|a| a.role == "rhi_worker" && a.action_name == "Offer a return home interview")
        .collect();
    assert_eq!(interview.len(), 1, "{interview:#?}");
    let a = interview[0];
    assert_eq!(a.limit, "within 72 h");
    assert!(
        a.rules.len() >= 2 && a.rules.contains(&"hv.rhi.offer-72h".to_string()),
        "{:?}",
        a.rules
    );
    // Counted once: the acts asked for are the most any one of its rules had, not their sum.
    let fired = |id: &str| s.protocols[0].rules.iter().find(|r| r.id == id).unwrap().fired.mean;
    let most = a.rules.iter().map(|id| fired(id)).fold(0.0, f64::max);
    assert_eq!(a.duties, most);
    // The least kept promises come first.
    let shares: Vec<f64> = acts.iter().map(|a| a.compliance.map_or(1.0, |c| c.mean)).collect();
    assert!(shares.windows(2).all(|w| w[0] <= w[1]), "{shares:?}");
}

/// Pages in a PDF Chromium wrote (its page objects, `/Type /Page`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type")
        .filter(|(i, _)| {
            let rest = text[i + 5..].trim_start();
            rest.starts_with("/Page") && !rest.starts_with("/Pages")
        })
        .count()
}

#[test]
fn the_summary_prints_on_one_or_two_a4_pages() {
    let chromium = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("chromium"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "this test prints the page in a real browser: chromium is not on PATH. Run .ci/run \
                 (it installs Debian's chromium), or apt-get install chromium"
            )
        });
    for (tag, dir) in [("compare", &comparison().1), ("single", &single().1)] {
        let pdf = scratch(&format!("committee-{tag}-summary.pdf"));
        let profile = scratch(&format!("committee-{tag}-chromium"));
        let _ = std::fs::remove_file(&pdf);
        let o = std::process::Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                &format!("--user-data-dir={}", profile.display()),
                &format!("--print-to-pdf={}", pdf.display()),
                &format!("file://{}", dir.join("summary.html").display()),
            ])
            .output()
            .unwrap();
        let bytes = std::fs::read(&pdf)
            .unwrap_or_else(|e| panic!("{tag}: no PDF ({e}): {}", String::from_utf8_lossy(&o.stderr)));
        let pages = pdf_pages(&bytes);
        assert!((1..=2).contains(&pages), "{tag}: summary.html prints on {pages} pages");
    }
}
