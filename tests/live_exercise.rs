//! A live exercise as a room would run it: `safe-return host` serving a table, a mother and a
//! police call handler joining over WebSockets, the facilitator running the clock. The call
//! handler hears of Daniel only once the mother has rung; nobody can act for another agency or
//! run the clock; a host stopped and started again from its journal loses nothing.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

#[path = "common/browser.rs"]
mod browser;

use fantoccini::Locator;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const BIN: &str = env!("CARGO_BIN_EXE_safe-return");

struct Host {
    child: Child,
    port: u16,
    token: String,
    codes: Vec<String>,
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start a host and read what it prints: the port, the facilitator's secret, each table's code.
fn host(args: &[&str]) -> Host {
    host_with(args, &[])
}

fn host_with(args: &[&str], env: &[(&str, &str)]) -> Host {
    let mut child = Command::new(BIN)
        .envs(env.iter().copied())
        .arg("host")
        .args(args)
        .args(["--headless", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the host");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut port, mut token, mut codes) = (0, String::new(), Vec::new());
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("Safe Return live exercise: serving on http://127.0.0.1:") {
            port = rest.trim_end_matches('/').parse().unwrap();
        } else if let Some(i) = line.find("facilitator#") {
            token = line[i + "facilitator#".len()..].to_string();
        } else if let Some(i) = line.find("· code ") {
            codes.push(line[i + "· code ".len()..].to_string());
        } else if line.starts_with("Only this computer can join") {
            break;
        }
    }
    // Keep draining what it prints so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    assert!(
        port > 0 && !token.is_empty() && !codes.is_empty(),
        "the host printed no address"
    );
    Host {
        child,
        port,
        token,
        codes,
    }
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(port: u16) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/ws"))
        .await
        .expect("connect to the host");
    ws
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// The next message of this type (others skipped), within twenty seconds.
async fn next(ws: &mut Ws, kind: &str) -> Value {
    let wait = async {
        loop {
            let m = ws.next().await.expect("connection open").expect("a message");
            if let Message::Text(t) = m {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["type"] == kind {
                    return v;
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .unwrap_or_else(|_| panic!("no `{kind}` message"))
}

/// The views a page receives until one satisfies `ok`.
async fn view_until(ws: &mut Ws, ok: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let v = next(ws, "view").await;
        if ok(&v["view"]) {
            return v["view"].clone();
        }
    }
    panic!("the view never came");
}

/// The facilitator jumps from event to event until the clock reaches `hours`.
async fn jump_to(fac: &mut Ws, code: &str, hours: f64) {
    let mut at = 0.0;
    for _ in 0..20 {
        if at >= hours {
            return;
        }
        send(fac, json!({"type": "next", "code": code})).await;
        loop {
            let t = next(fac, "tables").await;
            let now = t["tables"][0]["clock"]["hours"].as_f64().unwrap();
            if now > at {
                at = now;
                break;
            }
        }
    }
    panic!("the clock never reached {hours} h");
}

async fn join(port: u16, code: &str, name: &str, role: &str) -> (Ws, String) {
    let mut ws = connect(port).await;
    send(
        &mut ws,
        json!({"type": "join", "code": code, "name": name, "role": role}),
    )
    .await;
    let joined = next(&mut ws, "joined").await;
    (ws, joined["token"].as_str().unwrap().to_string())
}

fn report_form() -> Value {
    json!([
        ["description", "11, school uniform, red coat"],
        ["last_seen", "school gate at 3.15 pm with friends"],
        ["photograph", "school photo, sent by e-mail"],
        ["addresses_associates", "Kacper's house; the park; Wood Green"],
        ["history", "never gone missing before"],
        ["circumstances", "did not come home from school"],
        ["risk_factors", "11 years old; phone rings out"]
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_handler_hears_of_daniel_only_when_his_mother_rings_and_nothing_is_lost() {
    let journal = tempdir("live-journal");
    let journal_arg = journal.to_str().unwrap();
    let h = host(&["haringey-home-eleven", "--journal", journal_arg]);
    let code = h.codes[0].clone();

    // A participant looks the table up by its code (in any case) and sees the roles to take.
    let mut look = connect(h.port).await;
    send(&mut look, json!({"type": "lookup", "code": code.to_lowercase()})).await;
    let table = next(&mut look, "table").await;
    assert!(table["title"].as_str().unwrap().contains("Daniel"), "{table}");
    let roles: Vec<&str> = table["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles[0], "parent_carer",
        "the scenario's own role comes first: {roles:?}"
    );
    assert!(roles.contains(&"police_call_handler"), "{roles:?}");
    send(&mut look, json!({"type": "lookup", "code": "ZZZZ"})).await;
    assert!(
        next(&mut look, "refused").await["message"]
            .as_str()
            .unwrap()
            .contains("ZZZZ")
    );

    let (mut mum, mum_token) = join(h.port, &code, "Marta <script>", "parent_carer").await;
    let (mut police, police_token) = join(h.port, &code, "Call handler", "police_call_handler").await;

    // Nobody but the facilitator runs the clock.
    send(&mut mum, json!({"type": "start", "code": code})).await;
    assert!(
        next(&mut mum, "refused").await["message"]
            .as_str()
            .unwrap()
            .contains("facilitator")
    );
    let mut fac = connect(h.port).await;
    send(&mut fac, json!({"type": "facilitate", "token": "wrong"})).await;
    next(&mut fac, "refused").await;
    send(&mut fac, json!({"type": "facilitate", "token": h.token})).await;
    send(&mut fac, json!({"type": "start", "code": code})).await;
    send(&mut fac, json!({"type": "pause", "code": code})).await;
    let tables = next(&mut fac, "tables").await;
    let roles = tables["tables"][0]["roles"].as_array().unwrap().clone();
    let mum_row = roles.iter().find(|r| r["role"] == "parent_carer").unwrap();
    assert_eq!(
        mum_row["players"][0], "Marta <script>",
        "the name is kept as typed (pages show it as text)"
    );
    let mrs = roles.iter().find(|r| r["role"] == "mash").unwrap();
    assert!(mrs["players"].as_array().unwrap().is_empty(), "MASH acts by the book");

    // The clock jumps to Daniel's leaving (0.75 h): his mother knows at once; the call handler
    // knows nothing of him.
    jump_to(&mut fac, &code, 0.75).await;
    let v = view_until(&mut mum, |v| v["clock"]["hours"].as_f64().unwrap() >= 0.75).await;
    assert_eq!(v["told"], true, "a parent knows the moment the child is not home");
    assert_eq!(v["child"]["name"].as_str().unwrap().split(' ').next(), Some("Daniel"));
    assert!(
        v["inbox"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["kind"] == "prompt" && l["text"].as_str().unwrap().contains("3.45 pm")),
        "the scenario's prompt reaches the role it was written for: {}",
        v["inbox"]
    );
    // The facilitator's injects: one for the police only, one for everyone.
    send(&mut fac, json!({"type": "inject", "code": code, "to": "police_call_handler", "text": "A second 101 call about a boy at the bus station"})).await;
    send(&mut fac, json!({"type": "inject", "code": code, "text": "  "})).await;
    assert!(
        next(&mut fac, "refused").await["message"]
            .as_str()
            .unwrap()
            .contains("inject")
    );
    send(
        &mut fac,
        json!({"type": "inject", "code": code, "to": null, "text": "It starts to rain"}),
    )
    .await;
    send(
        &mut mum,
        json!({"type": "inject", "code": code, "text": "I am the facilitator now"}),
    )
    .await;
    assert!(
        next(&mut mum, "refused").await["message"]
            .as_str()
            .unwrap()
            .contains("facilitator")
    );
    let v = view_until(&mut mum, |v| {
        v["inbox"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["text"] == "It starts to rain")
    })
    .await;
    assert!(
        !v["inbox"].to_string().contains("bus station"),
        "an inject for the police is theirs alone"
    );
    let v = view_until(&mut police, |v| {
        v["inbox"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["text"] == "It starts to rain")
    })
    .await;
    assert!(v["inbox"].to_string().contains("A second 101 call"), "{}", v["inbox"]);
    assert!(
        !v["inbox"].to_string().contains("3.45 pm"),
        "the mother's prompt is not the police's"
    );
    assert_eq!(v["told"], false, "nobody has rung the police yet: {v}");
    assert!(v["child"].is_null());
    assert!(
        !v["inbox"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["kind"] == "event" || l["kind"] == "prompt"),
        "the police see nothing of Daniel's leaving: {}",
        v["inbox"]
    );

    // Nobody may act for another agency; a form left empty is refused, saying what is missing.
    send(
        &mut police,
        json!({"type": "act", "act": {"action": "report_to_police"}}),
    )
    .await;
    let why = next(&mut police, "refused").await["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(why.contains("is not something the"), "{why}");
    send(&mut mum, json!({"type": "act", "act": {"action": "report_to_police"}})).await;
    let why = next(&mut mum, "refused").await["message"].as_str().unwrap().to_string();
    assert!(why.contains("fill in"), "{why}");
    send(&mut mum, json!({"type": "act", "act": {"action": "fly_to_the_moon"}})).await;
    next(&mut mum, "refused").await;
    send(&mut mum, json!({"type": "no such thing"})).await;
    assert!(
        next(&mut mum, "refused").await["message"]
            .as_str()
            .unwrap()
            .contains("not understood")
    );
    mum.send(Message::Text("{not json".into())).await.unwrap();
    next(&mut mum, "refused").await;
    let huge = json!({"type": "act", "act": {"action": "search_and_enquiries", "rationale": "x".repeat(100_000)}});
    send(&mut mum, huge).await;
    assert!(
        next(&mut mum, "refused").await["message"]
            .as_str()
            .unwrap()
            .contains("too long")
    );

    // She rings 101 with what the police need: the call handler is told, at that moment.
    send(
        &mut mum,
        json!({"type": "act", "act": {"action": "report_to_police", "rationale": "he is never late", "fields": report_form()}}),
    )
    .await;
    let v = view_until(&mut mum, |v| !v["log"].as_array().unwrap().is_empty()).await;
    assert_eq!(v["log"][0]["rationale"], "he is never late");
    assert_eq!(v["log"][0]["hours"], 0.75, "she rang the moment he was overdue");
    // Her phone drops the connection; her page comes back to her seat with everything there.
    drop(mum);
    let mut mum = connect(h.port).await;
    send(&mut mum, json!({"type": "rejoin", "code": code, "token": mum_token})).await;
    next(&mut mum, "joined").await;
    let v = view_until(&mut mum, |_| true).await;
    assert_eq!(v["log"][0]["rationale"], "he is never late", "nothing she did is lost");
    assert_eq!(v["name"], "Marta <script>");
    let v = view_until(&mut police, |v| v["told"] == true).await;
    let inbox = v["inbox"].as_array().unwrap();
    assert!(
        inbox
            .iter()
            .any(|l| l["kind"] == "handover" && l["text"].as_str().unwrap().contains("now know")),
        "the handover is in the call handler's inbox: {inbox:?}"
    );
    assert!(
        v["log"].as_array().unwrap().is_empty(),
        "the mother's decisions are hers, not the police's"
    );
    let call_handler = |t: &Value| {
        t["tables"][0]["roles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["role"] == "police_call_handler")
            .unwrap()
            .clone()
    };
    let mut t = next(&mut fac, "tables").await;
    while call_handler(&t)["told_at"].is_null() {
        t = next(&mut fac, "tables").await;
    }
    let call = call_handler(&t);
    assert_eq!(
        call["told_at"], "Tue 12 Mar 15:45",
        "the facilitator sees when each agency heard: {call}"
    );

    // The journal holds the decision; a host started again from it has the table as it was.
    let file = journal.join(format!("table-{code}.json"));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["decisions"][0]["action"], "report_to_police");
    drop(h);
    let h2 = host(&["--resume", file.to_str().unwrap(), "--journal", journal_arg]);
    assert_eq!(h2.codes, vec![code.clone()]);
    let mut police = connect(h2.port).await;
    send(
        &mut police,
        json!({"type": "rejoin", "code": code, "token": police_token}),
    )
    .await;
    next(&mut police, "joined").await;
    let v = view_until(&mut police, |_| true).await;
    assert_eq!(v["told"], true, "after the restart the call handler still knows: {v}");
    assert!(v["clock"]["hours"].as_f64().unwrap() >= 0.75);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_nobody_took_cannot_be_joined_once_the_clock_runs_and_names_are_checked() {
    let journal = tempdir("live-journal-2");
    let h = host(&[
        "haringey-home-eleven",
        "--tables",
        "2",
        "--journal",
        journal.to_str().unwrap(),
    ]);
    assert_eq!(h.codes.len(), 2, "two tables, two codes");
    assert_ne!(h.codes[0], h.codes[1]);
    let code = &h.codes[0];
    let mut p = connect(h.port).await;
    send(
        &mut p,
        json!({"type": "join", "code": code, "name": "  ", "role": "parent_carer"}),
    )
    .await;
    assert!(
        next(&mut p, "refused").await["message"]
            .as_str()
            .unwrap()
            .contains("display name")
    );
    send(
        &mut p,
        json!({"type": "join", "code": code, "name": "Sam", "role": "ad_dcs"}),
    )
    .await;
    assert!(
        next(&mut p, "refused").await["message"]
            .as_str()
            .unwrap()
            .contains("not a role of this exercise")
    );
    let (_mum, _) = join(h.port, code, "Marta", "parent_carer").await;
    let mut fac = connect(h.port).await;
    send(&mut fac, json!({"type": "facilitate", "token": h.token})).await;
    send(&mut fac, json!({"type": "speed", "code": code, "speed": 7200})).await;
    assert!(
        next(&mut fac, "refused").await["message"]
            .as_str()
            .unwrap()
            .contains("1× to 3600×")
    );
    send(&mut fac, json!({"type": "start", "code": code})).await;
    while next(&mut fac, "tables").await["tables"][0]["clock"]["started"] != true {}
    let mut late = connect(h.port).await;
    send(
        &mut late,
        json!({"type": "join", "code": code, "name": "Jo", "role": "police_call_handler"}),
    )
    .await;
    let why = next(&mut late, "refused").await["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(why.contains("acts by the book"), "{why}");
    // A second person may join the role already played (a syndicate), and the other table is
    // untouched.
    let (_ws, _) = join(h.port, code, "Second parent", "parent_carer").await;
    let t = next(&mut fac, "tables").await;
    assert_eq!(t["tables"][1]["clock"]["started"], false);
}

/// A participant in a real browser: joins with the code from the facilitator's screen, sees her
/// role's page, fills in the police's form and acts; her name is shown as typed, as text. The
/// page is looked at on a phone's width and a laptop's (screenshots under target/).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_joins_and_rings_the_police_from_a_browser() {
    let journal = tempdir("live-journal-3");
    let h = host(&["haringey-home-eleven", "--journal", journal.to_str().unwrap()]);
    let code = h.codes[0].clone();
    let driver = browser::driver();
    let c = driver.session(412, 915).await;
    c.goto(&format!("http://127.0.0.1:{}/", h.port)).await.unwrap();
    c.find(Locator::Id("code"))
        .await
        .unwrap()
        .send_keys(&code.to_lowercase())
        .await
        .unwrap();
    c.find(Locator::Css("#code-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let name = c.wait().for_element(Locator::Id("name")).await.unwrap();
    // The form shows once the table is found.
    for _ in 0..50 {
        if name.is_displayed().await.unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    name.send_keys("Marta <b>bold</b>").await.unwrap();
    let roles = c.find_all(Locator::Css("#roles label")).await.unwrap();
    let mut labels = Vec::new();
    for r in &roles {
        labels.push(r.text().await.unwrap());
    }
    assert!(labels.iter().any(|l| l.contains("Police")), "roles offered: {labels:?}");
    c.find(Locator::Css("#seat-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let heading = c.wait().for_element(Locator::Id("role-h")).await.unwrap();
    let mut text = String::new();
    for _ in 0..50 {
        text = heading.text().await.unwrap();
        if !text.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        text.starts_with("Marta <b>bold</b>:"),
        "the heading shows the name as typed: {text:?}"
    );
    assert!(
        c.find_all(Locator::Css("#role-h b")).await.unwrap().is_empty(),
        "no markup from a name"
    );
    std::fs::create_dir_all("target/live-screens").unwrap();
    std::fs::write("target/live-screens/phone-waiting.png", c.screenshot().await.unwrap()).unwrap();

    // The facilitator starts the clock and jumps to Daniel's leaving.
    let mut fac = connect(h.port).await;
    send(&mut fac, json!({"type": "facilitate", "token": h.token})).await;
    send(&mut fac, json!({"type": "start", "code": code})).await;
    send(&mut fac, json!({"type": "pause", "code": code})).await;
    jump_to(&mut fac, &code, 0.75).await;
    let child = c.find(Locator::Id("child")).await.unwrap();
    for _ in 0..50 {
        if child.text().await.unwrap().contains("Daniel") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        child.text().await.unwrap().contains("Daniel"),
        "the mother sees her son's details"
    );

    // She chooses to report him, fills in what the police need, gives her reason, and acts.
    c.find(Locator::Css("#action option[value=report_to_police]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let fields = c.find_all(Locator::Css("[data-field]")).await.unwrap();
    assert_eq!(fields.len(), 7, "the police's form has seven fields");
    for f in &fields {
        f.send_keys("as I told the call handler").await.unwrap();
    }
    c.find(Locator::Id("rationale"))
        .await
        .unwrap()
        .send_keys("he is never late")
        .await
        .unwrap();
    c.find(Locator::Css("#act-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let log = c.find(Locator::Id("log")).await.unwrap();
    for _ in 0..50 {
        if log.text().await.unwrap().contains("he is never late") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let logged = log.text().await.unwrap();
    assert!(
        logged.contains("Report the child missing") && logged.contains("he is never late"),
        "{logged}"
    );
    std::fs::write("target/live-screens/phone-acted.png", c.screenshot().await.unwrap()).unwrap();
    c.set_window_size(1280, 800).await.unwrap();
    std::fs::write("target/live-screens/laptop-acted.png", c.screenshot().await.unwrap()).unwrap();

    // The facilitator's page in a browser lists the decision with its rationale.
    let f = driver.session(1280, 900).await;
    f.goto(&format!("http://127.0.0.1:{}/facilitator#{}", h.port, h.token))
        .await
        .unwrap();
    let tables = f.wait().for_element(Locator::Css(".table")).await.unwrap();
    let mut seen = String::new();
    for _ in 0..50 {
        seen = tables.text().await.unwrap();
        if seen.contains("he is never late") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen.contains("he is never late") && seen.contains(&code), "{seen}");
    std::fs::write("target/live-screens/facilitator.png", f.screenshot().await.unwrap()).unwrap();
    f.close().await.unwrap();
    c.close().await.unwrap();
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("safe-return-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// When a table ends, each participant's learning records are written: a statement per
/// decision and per duty of their agency and one on completion with the score, one registration
/// for the table, the facilitator as instructor and the others as the team, every id distinct,
/// each statement within xAPI's rules.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_table_leaves_each_participants_learning_records() {
    let dir = tempdir("live-xapi");
    let xapi = dir.join("statements.jsonl");
    let h = host_with(
        &[
            "haringey-home-eleven",
            "--journal",
            dir.to_str().unwrap(),
            "--xapi",
            xapi.to_str().unwrap(),
        ],
        &[("SAFE_RETURN_CLOCK", "2026-12-07T10:00:00Z")],
    );
    let code = h.codes[0].clone();
    let (mut mum, _) = join(h.port, &code, "T-07", "parent_carer").await;
    let (_police, _) = join(h.port, &code, "T-12", "police_call_handler").await;
    let mut fac = connect(h.port).await;
    send(&mut fac, json!({"type": "facilitate", "token": h.token})).await;
    send(&mut fac, json!({"type": "start", "code": code})).await;
    send(&mut fac, json!({"type": "pause", "code": code})).await;
    jump_to(&mut fac, &code, 0.75).await;
    send(
        &mut mum,
        json!({"type": "act", "act": {"action": "report_to_police", "rationale": "never late", "fields": report_form()}}),
    )
    .await;
    view_until(&mut mum, |v| !v["log"].as_array().unwrap().is_empty()).await;
    // An hour a second for a little, then the facilitator ends it: the rest runs by the book.
    send(&mut fac, json!({"type": "speed", "code": code, "speed": 3600})).await;
    send(&mut fac, json!({"type": "start", "code": code})).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    send(&mut fac, json!({"type": "end", "code": code})).await;
    let mut ended = false;
    for _ in 0..400 {
        let t = next(&mut fac, "tables").await;
        if t["tables"][0]["clock"]["ended"] == true {
            ended = true;
            break;
        }
    }
    assert!(ended, "the table never ended");
    let mut text = String::new();
    for _ in 0..100 {
        text = std::fs::read_to_string(&xapi).unwrap_or_default();
        if text.contains("completed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let statements: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!statements.is_empty(), "no statements written");
    let mut ids: Vec<&str> = statements.iter().map(|s| s["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), statements.len(), "every statement has its own id");
    let reg = statements[0]["context"]["registration"].clone();
    for s in &statements {
        let problems = safe_return::records::validate::statement(s);
        assert!(problems.is_empty(), "{problems:?}: {s}");
        assert_eq!(s["context"]["registration"], reg, "one registration for the table");
        assert_eq!(
            s["context"]["instructor"]["account"]["name"],
            format!("facilitator-{code}")
        );
        assert_eq!(s["timestamp"].as_str().unwrap(), "2026-12-07T10:00:00.000Z");
    }
    let of = |who: &'static str| statements.iter().filter(move |s| s["actor"]["account"]["name"] == who);
    let mum_decisions: Vec<&Value> = of("T-07")
        .filter(|s| s["verb"]["id"].as_str().unwrap().ends_with("interacted"))
        .collect();
    assert_eq!(mum_decisions.len(), 1, "one decision of hers");
    assert_eq!(mum_decisions[0]["result"]["response"], "never late");
    assert_eq!(
        of("T-07").next().unwrap()["context"]["team"]["member"][0]["account"]["name"],
        "T-12"
    );
    // Each participant's last statement: the session completed, with the score.
    let done = |who: &'static str| of(who).next_back().unwrap().clone();
    assert!(done("T-07")["result"]["score"]["scaled"].as_f64().unwrap() > 0.0);
    assert!(
        done("T-12")["result"]["score"]["scaled"].as_f64().unwrap() < 1.0,
        "the call handler did nothing after the report"
    );
    assert!(of("T-12").count() > 2, "their duties are recorded too");

    // The facilitator's debrief for the room, and nobody else's.
    let (status, _) = get(h.port, &format!("/debrief/{code}.html"));
    assert_eq!(status, 403);
    let (status, page) = get(h.port, &format!("/debrief/{code}.html?key={}", h.token));
    assert_eq!(status, 200);
    for want in ["Debrief: Tuesday", "T-07", "T-12", "never late", "by the book", "<svg"] {
        assert!(page.contains(want), "the debrief page lacks {want:?}");
    }
    let (status, md) = get(h.port, &format!("/debrief/{code}.md?key={}", h.token));
    assert_eq!(status, 200);
    assert!(md.contains("| T-07 |") || md.contains("T-07"), "{md}");
    let (_, json) = get(h.port, &format!("/debrief/{code}.json?key={}", h.token));
    let d: Value = serde_json::from_str(&json).unwrap();
    let police = d["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == "police_call_handler")
        .unwrap();
    assert_eq!(
        police["told_hours"], 0.75,
        "the call handler heard when the mother rang"
    );
}

/// A plain HTTP GET on the host: (status, body).
fn get(port: u16, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

/// A journal that is not one, a scenario that does not exist, or too many tables: refused with
/// where and why, exit 2, before anything is served.
#[test]
fn bad_host_input_is_refused_with_its_place() {
    let dir = tempdir("live-bad");
    let bad = dir.join("table-XXXX.json");
    std::fs::write(&bad, "{\n  \"code\": \"XXXX\",\n  \"seed\": \"one\"\n}\n").unwrap();
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec!["--resume".into(), bad.display().to_string()],
            format!("{}:3:", bad.display()),
        ),
        (vec!["no-such-scenario".into()], "no scenario `no-such-scenario`".into()),
        (
            vec!["haringey-home-eleven".into(), "--tables".into(), "50".into()],
            "--tables".into(),
        ),
    ];
    for (args, expect) in cases {
        let out = Command::new(BIN)
            .arg("host")
            .args(&args)
            .args(["--headless", "--port", "0"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(&expect), "{args:?}: {err}");
    }
}
