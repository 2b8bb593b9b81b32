//! A live exercise under load (a benchmark, not a test): a host (the release binary) with six
//! tables of a scenario, five participants at each (30 in all) and a facilitator on loopback; the
//! clock runs at 3600× through the whole scenario while every participant acts every couple of
//! seconds. It reports decisions lost or duplicated (each accepted act must be in the table's
//! journal exactly once), the time from an act to its page and the facilitator's page both
//! showing it (p50, p99), and the host's CPU time and peak memory.
//!
//! ```sh
//! cargo build --release --no-default-features
//! cargo run --release --no-default-features --example live_load -- [SCENARIO] [--every-ms N]
//! ```

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const TABLES: usize = 6;
const SEATS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scenario = args
        .iter()
        .find(|a| !a.starts_with("--") && a.parse::<u64>().is_err())
        .cloned()
        .unwrap_or_else(|| "haringey-home-eleven".into());
    let every_ms: u64 = args
        .iter()
        .position(|a| a == "--every-ms")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let bin = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("safe-return");
    let journal = std::env::temp_dir().join(format!("safe-return-live-load-{}", std::process::id()));
    let mut host = Command::new(&bin)
        .args([
            "host",
            &scenario,
            "--headless",
            "--port",
            "0",
            "--tables",
            &TABLES.to_string(),
        ])
        .arg("--journal")
        .arg(&journal)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {}: {e} (build it with cargo build --release --no-default-features)",
                bin.display()
            )
        });
    let pid = host.id();
    let mut lines = BufReader::new(host.stdout.take().unwrap()).lines();
    let (mut port, mut token, mut codes) = (0u16, String::new(), Vec::new());
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("Safe Return live exercise: serving on http://127.0.0.1:") {
            port = rest.trim_end_matches('/').parse().unwrap();
        } else if let Some(i) = line.find("facilitator#") {
            token = line[i + 12..].to_string();
        } else if let Some(i) = line.find("· code ") {
            codes.push(line[i + "· code ".len()..].to_string());
        } else if line.starts_with("Only this computer") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = rt.block_on(run(port, token, codes.clone(), every_ms));
    let (cpu, peak) = host_usage(pid);
    let _ = host.kill();
    let _ = host.wait();
    // Every accepted act is in its table's journal exactly once.
    let mut in_journals = 0usize;
    let mut duplicated = 0usize;
    for c in &codes {
        let j: Value =
            serde_json::from_str(&std::fs::read_to_string(journal.join(format!("table-{c}.json"))).unwrap()).unwrap();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for d in j["decisions"].as_array().unwrap() {
            *seen
                .entry(d["note"].as_str().unwrap_or_default().to_string())
                .or_default() += 1;
        }
        in_journals += seen.len();
        duplicated += seen.values().filter(|n| **n > 1).map(|n| n - 1).sum::<usize>();
    }
    let mut lat = report.latencies_ms.clone();
    lat.sort_by(f64::total_cmp);
    let q = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "scenario {scenario}: {TABLES} tables × {SEATS} participants + 1 facilitator, 3600×, an act every {every_ms} ms per participant"
    );
    println!(
        "wall {:.1} s; acts sent {}, accepted {}, refused {}",
        report.wall_s, report.sent, report.accepted, report.refused
    );
    println!(
        "decisions in the journals {in_journals}; lost {}; duplicated {duplicated}",
        report.accepted.saturating_sub(in_journals)
    );
    println!(
        "act → shown on its page and the facilitator's: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} acts)",
        q(0.5),
        q(0.99),
        lat.last().copied().unwrap_or(f64::NAN),
        lat.len()
    );
    println!("host CPU {cpu:.1} s; peak memory {peak} kB");
    let _ = std::fs::remove_dir_all(&journal);
}

#[derive(Default)]
struct Report {
    sent: usize,
    accepted: usize,
    refused: usize,
    latencies_ms: Vec<f64>,
    wall_s: f64,
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(port: u16) -> Ws {
    tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/ws"))
        .await
        .unwrap()
        .0
}

/// Sent acts waiting to be seen: note → (sent at, seen by its page, seen by the facilitator).
type Pending = Arc<Mutex<HashMap<String, (Instant, bool, bool)>>>;

async fn run(port: u16, token: String, codes: Vec<String>, every_ms: u64) -> Report {
    let pending: Pending = Arc::default();
    let report = Arc::new(Mutex::new(Report::default()));
    let start = Instant::now();
    // The facilitator watches every table's decisions.
    let mut fac = connect(port).await;
    fac.send(Message::Text(
        json!({"type": "facilitate", "token": token}).to_string().into(),
    ))
    .await
    .unwrap();
    let mut seats = Vec::new();
    for code in &codes {
        let mut look = connect(port).await;
        look.send(Message::Text(
            json!({"type": "lookup", "code": code}).to_string().into(),
        ))
        .await
        .unwrap();
        let roles: Vec<String> = loop {
            if let Some(Ok(Message::Text(t))) = look.next().await {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["type"] == "table" {
                    break v["roles"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r["id"].as_str().unwrap().to_string())
                        .collect();
                }
            }
        };
        for i in 0..SEATS {
            let role = roles[i % roles.len()].clone();
            let mut ws = connect(port).await;
            let name = format!("P{}-{i}", code);
            ws.send(Message::Text(
                json!({"type": "join", "code": code, "name": name, "role": role})
                    .to_string()
                    .into(),
            ))
            .await
            .unwrap();
            seats.push((code.clone(), name, ws));
        }
    }
    for code in &codes {
        for m in [
            json!({"type": "speed", "code": code, "speed": 3600}),
            json!({"type": "start", "code": code}),
        ] {
            fac.send(Message::Text(m.to_string().into())).await.unwrap();
        }
    }
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let fac_task = {
        let pending = pending.clone();
        let report = report.clone();
        let done = done.clone();
        let n = codes.len();
        tokio::spawn(async move {
            while let Some(Ok(m)) = fac.next().await {
                let Message::Text(t) = m else { continue };
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["type"] != "tables" {
                    continue;
                }
                let now = Instant::now();
                let mut p = pending.lock().unwrap();
                for t in v["tables"].as_array().unwrap() {
                    for d in t["decisions"].as_array().unwrap() {
                        if let Some(e) = p.get_mut(d["rationale"].as_str().unwrap_or_default()) {
                            e.2 = true;
                        }
                    }
                }
                settle(&mut p, &report, now);
                let ended = v["tables"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|t| t["clock"]["ended"] == true)
                    .count();
                if ended == n {
                    done.store(true, std::sync::atomic::Ordering::SeqCst);
                    break;
                }
            }
        })
    };
    let mut tasks = Vec::new();
    for (k, (_code, name, ws)) in seats.into_iter().enumerate() {
        let (mut tx, mut rx) = ws.split();
        let done = done.clone();
        // The page's actions without a form, category or grading (learned from its first view).
        let (atx, mut arx) = tokio::sync::watch::channel(Vec::<String>::new());
        // Reads: the page's views (its own decision log) and refusals.
        let reader = {
            let pending = pending.clone();
            let report = report.clone();
            tokio::spawn(async move {
                while let Some(Ok(m)) = rx.next().await {
                    let Message::Text(t) = m else { continue };
                    let v: Value = serde_json::from_str(&t).unwrap();
                    if v["type"] == "refused" {
                        report.lock().unwrap().refused += 1;
                        continue;
                    }
                    if v["type"] != "view" {
                        continue;
                    }
                    if atx.borrow().is_empty() {
                        let plain: Vec<String> = v["view"]["actions"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .filter(|a| {
                                a["fields"].as_array().unwrap().is_empty()
                                    && a["classifies"] == false
                                    && a["grades"] == false
                            })
                            .map(|a| a["id"].as_str().unwrap().to_string())
                            .collect();
                        let _ = atx.send(plain);
                    }
                    let now = Instant::now();
                    let mut p = pending.lock().unwrap();
                    for d in v["view"]["log"].as_array().unwrap() {
                        if let Some(e) = p.get_mut(d["rationale"].as_str().unwrap_or_default()) {
                            e.1 = true;
                        }
                    }
                    settle(&mut p, &report, now);
                }
            })
        };
        let pending = pending.clone();
        let report = report.clone();
        // Acts: one every `every_ms`, staggered, until every table has ended.
        tasks.push(tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(10), arx.wait_for(|a| !a.is_empty())).await;
            let actions = arx.borrow().clone();
            if actions.is_empty() {
                reader.abort();
                return; // a role whose every act needs a form: it watches
            }
            tokio::time::sleep(Duration::from_millis(200 + (k as u64 * every_ms) / 30)).await;
            let mut n = 0usize;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                n += 1;
                let note = format!("{name}#{n}");
                let action = &actions[n % actions.len()];
                pending
                    .lock()
                    .unwrap()
                    .insert(note.clone(), (Instant::now(), false, false));
                report.lock().unwrap().sent += 1;
                let msg = json!({"type": "act", "act": {"action": action, "rationale": note}});
                if tx.send(Message::Text(msg.to_string().into())).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(every_ms)).await;
            }
            reader.abort();
        }));
    }
    let _ = fac_task.await;
    for t in tasks {
        let _ = t.await;
    }
    let mut r = report.lock().unwrap();
    let accepted = r.latencies_ms.len() + pending.lock().unwrap().values().filter(|e| e.1 || e.2).count();
    r.accepted = accepted;
    r.wall_s = start.elapsed().as_secs_f64();
    std::mem::take(&mut *r)
}

fn settle(p: &mut HashMap<String, (Instant, bool, bool)>, report: &Arc<Mutex<Report>>, now: Instant) {
    let seen: Vec<String> = p.iter().filter(|(_, e)| e.1 && e.2).map(|(k, _)| k.clone()).collect();
    let mut r = report.lock().unwrap();
    for k in seen {
        let (at, ..) = p.remove(&k).unwrap();
        r.latencies_ms.push(now.duration_since(at).as_secs_f64() * 1000.0);
    }
}

/// CPU seconds and peak resident memory (kB) of a process, from /proc.
fn host_usage(pid: u32) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, r)| r.split_whitespace().collect());
    let ticks = 100.0;
    let cpu = fields.get(11).and_then(|u| u.parse::<f64>().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (cpu / ticks, peak)
}
