//! The OCEL 2.0 event log of a stress run (`safe-return stress --ocel`): what a process-mining
//! analyst would notice.
//!
//! One log serves most tests: Bromley 2020 (whose strategy meetings are joint actions, so one
//! role's act meets another role's duty) on the large borough started on 8 January 2024 for 100
//! days, so that it runs from winter (GMT) through the clocks going forward into summer time.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

mod common;
use common::{BIN, ROOT, scratch};

/// The borough caseload, started on 8 January 2024 instead of 1 April.
fn january_caseload() -> PathBuf {
    let text = std::fs::read_to_string(Path::new(ROOT).join("assets/caseloads/borough-2000.ron")).unwrap();
    let moved = text.replace("start: \"2024-04-01\"", "start: \"2024-01-08\"");
    assert_ne!(moved, text, "the borough caseload starts on 1 April");
    let path = scratch("ocel-january.ron");
    std::fs::write(&path, moved).unwrap();
    path
}

/// Write the log of the January run to `file`.
fn write_log(file: &Path) {
    let caseload = january_caseload();
    let out = Command::new(BIN)
        .args([
            "stress",
            "--protocol",
            "bromley-2020",
            "--caseload",
            caseload.to_str().unwrap(),
            "--children",
            "300",
            "--days",
            "100",
            "--replications",
            "1",
            "--threads",
            "1",
            "--json",
            "--ocel",
            file.to_str().unwrap(),
            "--ocel-children",
            "150",
        ])
        .current_dir(ROOT)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The January run's log, written once for all the tests.
fn log() -> &'static Log {
    static LOG: OnceLock<Log> = OnceLock::new();
    LOG.get_or_init(|| {
        let file = scratch("ocel-january.json");
        write_log(&file);
        let bytes = std::fs::read(&file).unwrap();
        Log::new(file, serde_json::from_slice(&bytes).unwrap())
    })
}

/// The log, with what the tests look up.
struct Log {
    file: PathBuf,
    json: Value,
    /// Object id → object.
    objects: HashMap<String, Value>,
}

impl Log {
    fn new(file: PathBuf, json: Value) -> Log {
        let objects = json["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (o["id"].as_str().unwrap().to_string(), o.clone()))
            .collect();
        Log { file, json, objects }
    }
    fn events(&self) -> &[Value] {
        self.json["events"].as_array().unwrap()
    }
    fn objects_of(&self, kind: &str) -> impl Iterator<Item = &Value> {
        self.json["objects"]
            .as_array()
            .unwrap()
            .iter()
            .filter(move |o| o["type"] == kind)
    }
}

/// An instant as the log writes it (with its offset).
type Time = DateTime<FixedOffset>;

/// An episode of a child's: when they left, when it closed (if it did in the run), its id.
type Span<'a> = (Time, Option<Time>, &'a str);

fn time(s: &Value) -> Time {
    DateTime::parse_from_rfc3339(s.as_str().unwrap()).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The objects an event (or object) relates to under a qualifier.
fn related<'a>(x: &'a Value, qualifier: &str) -> Vec<&'a str> {
    x["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["qualifier"] == qualifier)
        .map(|r| r["objectId"].as_str().unwrap())
        .collect()
}

/// An event's attribute, or the values an object's attribute takes over time (with their times).
fn attr<'a>(e: &'a Value, name: &str) -> Option<&'a Value> {
    e["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .map(|a| &a["value"])
}
fn values<'a>(o: &'a Value, name: &str) -> Vec<(&'a str, &'a Value)> {
    o["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["name"] == name)
        .map(|a| (a["time"].as_str().unwrap(), &a["value"]))
        .collect()
}

/// An object's attribute that does not change (OCEL's static value, at 1970-01-01).
fn one<'a>(o: &'a Value, name: &str) -> &'a str {
    let v = values(o, name);
    assert_eq!(v.len(), 1, "{} {name}: {v:?}", o["id"]);
    assert!(
        v[0].0.starts_with("1970-01-01T00:00:00"),
        "{} {name} changes: {v:?}",
        o["id"]
    );
    v[0].1
        .as_str()
        .unwrap_or_else(|| panic!("{} {name} is not text", o["id"]))
}

/// Whether an event is an act (someone did an action).
fn is_act(e: &Value) -> bool {
    !related(e, "done by").is_empty()
}

/// The events that end a duty, other than the act that meets it.
const DUTY_ENDS: [&str; 10] = [
    "done before its window opened",
    "met by an earlier act",
    "duty withdrawn",
    "deadline missed",
    "duty not done by the end",
    "duty cancelled",
    "duty still open at the end",
    "duty does not apply",
    "role never told",
    "wrongful action",
];

#[test]
fn every_met_or_late_duty_is_linked_by_exactly_one_act_that_meets_it() {
    let log = log();
    let mut meets: HashMap<&str, Vec<&Value>> = HashMap::new();
    for e in log.events() {
        for d in related(e, "meets") {
            meets.entry(d).or_default().push(e);
        }
    }
    // Duties met by an act done before they arose (since the moment their rule counts from)
    // end with their own event instead.
    let early: HashSet<&str> = log
        .events()
        .iter()
        .filter(|e| e["type"] == "met by an earlier act")
        .flat_map(|e| related(e, "duty"))
        .collect();
    let mut by_another_role = 0;
    let mut met = 0;
    for o in log.objects_of("obligation") {
        let id = o["id"].as_str().unwrap();
        let status = one(o, "status");
        let acts = meets.get(id).map_or(&[][..], |v| &v[..]);
        if early.contains(id) {
            assert_eq!(status, "met", "{id}");
            assert!(acts.is_empty(), "{id}: met before it arose, yet an act meets it");
        } else if status == "met" || status == "late" {
            met += 1;
            assert_eq!(acts.len(), 1, "{id} ({status}) is met by {} acts", acts.len());
            let act = acts[0];
            assert!(is_act(act), "{id} is met by {}, not an act", act["type"]);
            let rule = &log.objects[related(o, "instance of")[0]];
            assert_eq!(
                attr(act, "action").unwrap(),
                one(rule, "action"),
                "{id} met by another action"
            );
            assert_eq!(act["time"], one(o, "settled"), "{id}");
            if related(act, "done by") != related(o, "owed by") {
                by_another_role += 1;
            }
        } else {
            assert!(acts.is_empty(), "{id} is {status} but an act meets it");
        }
    }
    assert!(met > 1000, "{met} duties met");
    // Bromley's strategy meetings are joint: one role holding it meets every role's duty to.
    assert!(
        by_another_role > 0,
        "no duty met by another role's joint act: the case is not exercised"
    );
}

#[test]
fn an_act_is_tied_to_the_episode_of_the_duties_it_meets() {
    let log = log();
    // Episodes by child: (left, closed, id).
    let mut episodes: HashMap<&str, Vec<Span>> = HashMap::new();
    for e in log.events() {
        let ep = related(e, "episode");
        if e["type"] == "child leaves" {
            episodes
                .entry(related(e, "child")[0])
                .or_default()
                .push((time(&e["time"]), None, ep[0]));
        }
        if e["type"] == "episode closed" {
            let list = episodes.get_mut(related(e, "child")[0]).unwrap();
            list.iter_mut().find(|x| x.2 == ep[0]).unwrap().1 = Some(time(&e["time"]));
        }
    }
    let mut not_the_latest = 0;
    for e in log.events().iter().filter(|e| is_act(e)) {
        let linked = related(e, "episode");
        let t = time(&e["time"]);
        let child = related(e, "child")[0];
        let mine = episodes.get(child).map_or(&[][..], |v| &v[..]);
        let met = related(e, "meets");
        for d in &met {
            let duty = &log.objects[*d];
            for ep in related(duty, "arises in") {
                assert!(
                    linked.contains(&ep),
                    "{} meets {d} of {ep} but is tied to {linked:?}",
                    e["id"]
                );
                let latest = mine.iter().rev().find(|x| x.0 <= t).map(|x| x.2);
                if latest != Some(ep) {
                    not_the_latest += 1;
                }
            }
        }
        // Tied only to episodes of the duties it met, or (meeting none with an episode) to the
        // one open at the time.
        let of_duties: HashSet<&str> = met
            .iter()
            .flat_map(|d| related(&log.objects[*d], "arises in"))
            .collect();
        if of_duties.is_empty() {
            for ep in &linked {
                let (left, closed, _) = mine.iter().find(|x| x.2 == *ep).unwrap();
                assert!(*left <= t && closed.is_none_or(|c| t <= c), "{} tied to {ep}", e["id"]);
            }
        } else {
            assert_eq!(linked.iter().copied().collect::<HashSet<_>>(), of_duties, "{}", e["id"]);
        }
    }
    // Some acts meet a duty left from an earlier episode after the child has left again.
    assert!(not_the_latest > 0, "the case is not exercised");
}

#[test]
fn times_carry_the_uk_offset_of_their_date() {
    let log = log();
    let (mut winter, mut summer) = (0, 0);
    let mut last: Option<Time> = None;
    for e in log.events() {
        let s = e["time"].as_str().unwrap();
        assert!(!s.ends_with('Z'), "{s}");
        // January and February are GMT; 10 April to the end is British Summer Time.
        if s.starts_with("2024-01") || s.starts_with("2024-02") {
            assert!(s.ends_with("+00:00"), "{s}");
            winter += 1;
        }
        if &s[..10] >= "2024-04-10" {
            assert!(s.ends_with("+01:00"), "{s}");
            summer += 1;
        }
        // Instants never go back along the array (across the change of clocks too).
        let t = time(&e["time"]);
        assert!(
            last.is_none_or(|l| l <= t),
            "{} at {s} is before the event ahead of it",
            e["id"]
        );
        last = Some(t);
    }
    assert!(winter > 100 && summer > 100, "{winter} in winter, {summer} in summer");
    // Object attributes' times and deadlines carry it too.
    for o in log.objects_of("obligation") {
        for a in o["attributes"].as_array().unwrap() {
            time(&a["time"]);
        }
        for (_, d) in values(o, "deadline") {
            assert!(time(d).offset().local_minus_utc() % 3600 == 0);
        }
    }
}

#[test]
fn every_duty_ends_once_when_its_final_status_takes_effect() {
    let log = log();
    let mut ends: HashMap<&str, Vec<&Value>> = HashMap::new();
    let mut arises: HashMap<&str, &Value> = HashMap::new();
    for e in log.events() {
        for d in related(e, "meets") {
            ends.entry(d).or_default().push(e);
        }
        if DUTY_ENDS.contains(&e["type"].as_str().unwrap()) {
            for d in related(e, "duty") {
                ends.entry(d).or_default().push(e);
            }
        }
        if e["type"] == "duty arises" {
            assert!(arises.insert(related(e, "duty")[0], e).is_none());
        }
    }
    let mut seen: HashSet<&str> = HashSet::new();
    for o in log.objects_of("obligation") {
        let id = o["id"].as_str().unwrap();
        // The final status, as a value that does not change: a tool's table of objects shows it.
        let last = one(o, "status");
        seen.insert(last);
        let arose = arises.get(id).unwrap_or_else(|| panic!("{id} never arises"));
        let end = ends.get(id).map_or(&[][..], |v| &v[..]);
        assert_eq!(end.len(), 1, "{id} ({last}) has {} closing events", end.len());
        let end = end[0];
        assert!(time(&end["time"]) >= time(&arose["time"]), "{id} ends before it arises");
        // When the status took effect: the closing event's time (none for a duty still open).
        match last {
            "open" => assert!(values(o, "settled").is_empty(), "{id} is open yet settled"),
            _ => assert_eq!(
                end["time"],
                one(o, "settled"),
                "{id} ({last}) ends at another time than its status"
            ),
        }
        let kind = end["type"].as_str().unwrap();
        match last {
            "met" => assert!(is_act(end) || kind == "met by an earlier act", "{id}"),
            "late" => assert!(is_act(end), "{id}"),
            "missed" => assert!(kind == "deadline missed" || kind == "duty not done by the end", "{id}"),
            "cancelled" => assert_eq!(kind, "duty cancelled", "{id}"),
            "withdrawn" => assert_eq!(kind, "duty withdrawn", "{id}"),
            "early" => assert_eq!(kind, "done before its window opened", "{id}"),
            "open" => assert_eq!(kind, "duty still open at the end", "{id}"),
            // Nobody told the role of the child: settled apart, neither open nor missed.
            "never told" => {
                assert_eq!(kind, "role never told", "{id}");
                assert!(one(o, "reason").contains("nobody told"), "{id}");
            }
            other => panic!("{id}: status {other}"),
        }
        // Missed at the deadline itself; the reason and the wait are kept.
        if kind == "deadline missed" {
            assert_eq!(one(o, "settled"), one(o, "deadline"), "{id}");
        }
        assert!(!one(o, "reason").is_empty(), "{id} has no reason");
        let wait = values(o, "queue_wait_minutes");
        assert!(wait.len() == 1 && wait[0].1.as_f64().unwrap() >= 0.0, "{id}");
    }
    // The run ends with duties in hand: they are open, not "not applicable"; and duties whose
    // role was never told of the child are said to be so.
    for s in ["met", "late", "cancelled", "open", "never told"] {
        assert!(seen.contains(s), "no duty {s}: {seen:?}");
    }
    assert!(!seen.contains("not applicable"), "{seen:?}");
}

#[test]
fn every_duty_belongs_to_an_episode_of_its_child() {
    let log = log();
    let mut after_closing = 0;
    let closed: HashMap<&str, Time> = log
        .events()
        .iter()
        .filter(|e| e["type"] == "episode closed")
        .map(|e| (related(e, "episode")[0], time(&e["time"])))
        .collect();
    let arose: HashMap<&str, Time> = log
        .events()
        .iter()
        .filter(|e| e["type"] == "duty arises")
        .map(|e| (related(e, "duty")[0], time(&e["time"])))
        .collect();
    for o in log.objects_of("obligation") {
        let id = o["id"].as_str().unwrap();
        let ep = related(o, "arises in");
        assert_eq!(ep.len(), 1, "{id} belongs to {ep:?}");
        let episode = &log.objects[ep[0]];
        assert_eq!(related(episode, "episode of"), related(o, "concerns"), "{id}");
        if closed.get(ep[0]).is_some_and(|c| *c <= arose[id]) {
            after_closing += 1;
        }
    }
    // Bromley's care plan is updated once the episode is closed: still that episode's duty.
    assert!(
        after_closing > 0,
        "no duty set off by an episode's closing: the case is not exercised"
    );
}

#[test]
fn a_cancelled_duty_ends_when_it_was_cancelled_not_after_its_episode_closed() {
    let log = log();
    let closed: HashMap<&str, Time> = log
        .events()
        .iter()
        .filter(|e| e["type"] == "episode closed")
        .map(|e| (related(e, "episode")[0], time(&e["time"])))
        .collect();
    let mut checked = 0;
    for e in log.events().iter().filter(|e| e["type"] == "duty cancelled") {
        let t = time(&e["time"]);
        let duty = &log.objects[related(e, "duty")[0]];
        // Before it fell due: a duty is cancelled only while it is not yet due.
        for (_, d) in values(duty, "deadline") {
            assert!(t < time(d), "{} cancelled at {t}, due {d}", duty["id"]);
        }
        for ep in related(duty, "arises in") {
            if let Some(c) = closed.get(ep) {
                assert!(t <= *c, "{} cancelled at {t}, after {ep} closed at {c}", duty["id"]);
                checked += 1;
            }
        }
        assert!(!attr(e, "reason").unwrap().as_str().unwrap().is_empty());
    }
    assert!(checked > 50, "{checked} cancelled duties of closed episodes");
}

#[test]
fn a_rule_object_carries_the_rule_once_and_each_duty_points_to_it() {
    let log = log();
    let protocol = safe_return::protocol::load_protocol(&Path::new(ROOT).join("assets/protocols/bromley-2020.ron"))
        .unwrap()
        .protocol;
    let mut strengths: HashSet<String> = HashSet::new();
    let mut no_limit = 0;
    let mut rules = 0;
    for r in log.objects_of("rule") {
        rules += 1;
        let rule = protocol.rule(one(r, "rule")).expect("a rule of the protocol");
        assert_eq!(r["id"], format!("rule:bromley-2020/{}", rule.id));
        assert_eq!(one(r, "what"), protocol.rule_text(rule));
        assert_eq!(one(r, "quote"), rule.citation.words());
        assert_eq!(one(r, "section"), rule.citation.section);
        let doc = protocol.documents.iter().find(|d| d.id == rule.citation.doc).unwrap();
        assert_eq!(one(r, "document"), doc.title);
        let strength = one(r, "strength");
        assert!(strength == "must" || strength == "should", "{strength}");
        strengths.insert(strength.to_string());
        assert_eq!(one(r, "protocol"), "bromley-2020");
        assert_eq!(one(r, "time_limit"), rule.deadline.label());
        assert_eq!(
            related(r, "owed by"),
            [format!("role:bromley-2020/{}", rule.role).as_str()]
        );
    }
    assert!(rules > 20, "{rules} rules");
    assert_eq!(strengths.len(), 2, "both must and should rules: {strengths:?}");
    for o in log.objects_of("obligation") {
        // The duty names its rule and points to it; the rule's words are not copied onto it.
        let r = related(o, "instance of");
        assert_eq!(r.len(), 1, "{}", o["id"]);
        let rule = &log.objects[r[0]];
        assert_eq!(one(o, "rule"), one(rule, "rule"));
        assert_eq!(related(o, "owed by"), related(rule, "owed by"));
        for name in ["document", "section", "quote", "strength", "time_limit", "what"] {
            assert!(values(o, name).is_empty(), "{} carries {name}", o["id"]);
        }
        if values(o, "deadline").is_empty() {
            assert_eq!(one(rule, "time_limit"), "no time limit", "{} has no deadline", o["id"]);
            no_limit += 1;
        }
    }
    assert!(no_limit > 0);
    // Events carry no rule metadata: the duty arising relates to the rule object.
    for e in log.events() {
        assert!(attr(e, "rule").is_none() && attr(e, "section").is_none(), "{e}");
        if e["type"] == "duty arises" {
            assert_eq!(related(e, "rule").len(), 1, "{e}");
        }
    }
}

#[test]
fn roles_name_the_protocol() {
    let log = log();
    let mut roles = 0;
    for r in log.objects_of("role") {
        assert_eq!(one(r, "protocol"), "bromley-2020");
        assert_eq!(one(r, "protocol_title"), "Missing Children Protocol 2020");
        roles += 1;
    }
    assert!(roles > 5);
}

#[test]
fn activities_are_named_by_role_and_act_in_words_and_keep_their_ids() {
    let log = log();
    let protocol = safe_return::protocol::load_protocol(&Path::new(ROOT).join("assets/protocols/bromley-2020.ron"))
        .unwrap()
        .protocol;
    // (role, action) → the activity its acts are logged as.
    let mut name_of: HashMap<(&str, &str), &str> = HashMap::new();
    for e in log.events().iter().filter(|e| is_act(e)) {
        let action = attr(e, "action").unwrap().as_str().unwrap();
        let role = related(e, "done by")[0].trim_start_matches("role:bromley-2020/");
        let kind = e["type"].as_str().unwrap();
        let words = format!(
            "{}: {}",
            protocol.role(role).expect("a role of the protocol").name,
            protocol.action(action).expect("an action of the protocol").name
        );
        assert!(
            kind == words || kind == format!("{words} ({role}, {action})"),
            "{kind} for {role}, {action}"
        );
        assert_eq!(*name_of.entry((role, action)).or_insert(kind), kind);
    }
    // One activity per role and act: two roles doing the same act, or different acts, never
    // share one.
    let names: HashSet<&str> = name_of.values().copied().collect();
    assert_eq!(names.len(), name_of.len());
    assert!(names.len() > 10);
    let roles_of_one_action = name_of
        .keys()
        .filter(|(_, a)| name_of.keys().filter(|(_, b)| a == b).count() > 1)
        .count();
    assert!(
        roles_of_one_action > 0,
        "no action done by two roles: the case is not exercised"
    );
    // The event types declare the ids' attribute.
    for t in log.json["eventTypes"].as_array().unwrap() {
        if names.contains(t["name"].as_str().unwrap()) {
            let attrs: Vec<&str> = t["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap())
                .collect();
            assert!(attrs.contains(&"action"), "{t}");
        }
    }
}

#[test]
fn classifications_carry_the_category_not_the_child() {
    let log = log();
    let protocol = safe_return::protocol::load_protocol(&Path::new(ROOT).join("assets/protocols/bromley-2020.ron"))
        .unwrap()
        .protocol;
    let mut changes = 0;
    let classified: Vec<&Value> = log.events().iter().filter(|e| e["type"] == "classified").collect();
    assert!(!classified.is_empty());
    for e in classified {
        let child = related(e, "child")[0].trim_start_matches("child:bromley-2020/");
        for a in e["attributes"].as_array().unwrap() {
            assert!(!a["value"].as_str().unwrap().contains(child), "{e}");
        }
        let cat = attr(e, "category").unwrap().as_str().unwrap();
        let decl = protocol.categories.iter().find(|c| c.id == cat).expect("a category");
        assert_eq!(attr(e, "category_name").unwrap(), decl.name.as_str());
        if let Some(was) = attr(e, "previous_category") {
            assert!(protocol.categories.iter().any(|c| c.id == was.as_str().unwrap()));
            assert_ne!(was, cat);
            changes += 1;
        }
        assert_eq!(related(e, "episode").len(), 1, "{e}");
        // The episode carries the category from then on, at the same time.
        let ep = &log.objects[related(e, "episode")[0]];
        assert!(
            ep["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["name"] == "category" && a["value"] == cat && a["time"] == e["time"]),
            "{ep}"
        );
    }
    assert!(changes > 0);
}

#[test]
fn a_qualifier_means_the_same_on_every_event_type() {
    let log = log();
    let kind_of = |id: &str| log.objects[id]["type"].as_str().unwrap().to_string();
    // (object type, act or not) → qualifiers used.
    let mut used: HashMap<(String, bool), HashSet<String>> = HashMap::new();
    for e in log.events() {
        let act = is_act(e);
        for r in e["relationships"].as_array().unwrap() {
            used.entry((kind_of(r["objectId"].as_str().unwrap()), act))
                .or_default()
                .insert(r["qualifier"].as_str().unwrap().to_string());
        }
    }
    let want = |kind: &str, act: bool, q: &[&str]| {
        let q: HashSet<String> = q.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            used[&(kind.to_string(), act)],
            q,
            "{kind} on {} events",
            if act { "act" } else { "other" }
        );
    };
    want("child", true, &["child"]);
    want("child", false, &["child"]);
    want("episode", true, &["episode"]);
    want("episode", false, &["episode"]);
    want("obligation", true, &["meets"]);
    want("obligation", false, &["duty"]);
    want("role", true, &["done by"]);
    want("role", false, &["owed by"]);
    want("rule", false, &["rule"]);
    assert!(
        !used.contains_key(&("rule".to_string(), true)),
        "an act relates to a rule"
    );
}

#[test]
fn the_log_declares_every_type_and_attribute_it_uses() {
    let log = log();
    let declared = |key: &str| -> HashMap<String, HashMap<String, String>> {
        log.json[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let attrs = t["attributes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| {
                        (
                            a["name"].as_str().unwrap().to_string(),
                            a["type"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect();
                (t["name"].as_str().unwrap().to_string(), attrs)
            })
            .collect()
    };
    let fits = |v: &Value, ty: &str| match ty {
        "string" => v.is_string(),
        "time" => v.is_string() && DateTime::parse_from_rfc3339(v.as_str().unwrap()).is_ok(),
        "integer" => v.is_i64() || v.is_u64(),
        "float" => v.is_f64(),
        "boolean" => v.is_boolean(),
        other => panic!("type {other} is not one of OCEL's"),
    };
    for (items, key) in [("events", "eventTypes"), ("objects", "objectTypes")] {
        let types = declared(key);
        for x in log.json[items].as_array().unwrap() {
            let decl = &types[x["type"].as_str().unwrap()];
            for a in x["attributes"].as_array().unwrap() {
                let name = a["name"].as_str().unwrap();
                let ty = decl
                    .get(name)
                    .unwrap_or_else(|| panic!("{name} of {} undeclared", x["type"]));
                assert!(fits(&a["value"], ty), "{name} = {} is not a {ty}", a["value"]);
            }
            for r in x["relationships"].as_array().unwrap() {
                assert!(log.objects.contains_key(r["objectId"].as_str().unwrap()));
            }
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_file_byte_for_byte() {
    let first = std::fs::read(&log().file).unwrap();
    let again = scratch("ocel-january-again.json");
    write_log(&again);
    assert!(std::fs::read(&again).unwrap() == first, "two runs differ");
}
