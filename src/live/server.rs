//! The host's web server: the participants' and the facilitator's pages (plain HTML, CSS and
//! JavaScript from `web/live/`, compiled in: nothing fetched from elsewhere) and one WebSocket
//! per page. Every message a page sends is answered with its new view or a refusal in words;
//! nothing a page sends can stop the host.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast;

use super::table::{MAX_SPEED, MIN_SPEED};
use super::{Act, Host, view};

const INDEX: &str = include_str!("../../web/live/index.html");
const PLAY_JS: &str = include_str!("../../web/live/play.js");
const FACILITATOR: &str = include_str!("../../web/live/facilitator.html");
const FACILITATOR_JS: &str = include_str!("../../web/live/facilitator.js");
const STYLE: &str = include_str!("../../web/live/style.css");

/// Largest message a page may send (a longer one is refused with the reason).
const MAX_MESSAGE: usize = 64 * 1024;
/// Longest a message may be before the connection itself is closed (nothing a page of ours sends
/// comes near it).
const MAX_FRAME: usize = 1024 * 1024;

#[derive(Clone)]
struct Shared {
    host: Arc<Mutex<Host>>,
    changed: broadcast::Sender<()>,
    /// The address participants open (the room's address where the host listens on all).
    join_url: Arc<String>,
    records: Option<Arc<super::records::LiveRecords>>,
}

/// A page's message.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum In {
    /// A table's title and the roles one may take.
    Lookup {
        code: String,
    },
    Join {
        code: String,
        name: String,
        role: String,
    },
    /// Back to one's seat after a reload (the browser kept the seat's token).
    Rejoin {
        code: String,
        token: String,
    },
    Act {
        act: Act,
    },
    Facilitate {
        token: String,
    },
    Start {
        code: String,
    },
    Pause {
        code: String,
    },
    Speed {
        code: String,
        speed: f64,
    },
    Next {
        code: String,
    },
    /// End the exercise now: the clock runs to the scenario's end (roles acting by the book
    /// do their part), and the debrief opens.
    End {
        code: String,
    },
    /// The facilitator's inject: to one agency (a role id), or to everyone.
    Inject {
        code: String,
        #[serde(default)]
        to: Option<String>,
        text: String,
    },
}

/// Who a connection is.
#[derive(Debug, Clone)]
enum Who {
    Nobody,
    Seat { code: String, token: String },
    Facilitator,
}

pub struct Options {
    pub bind: IpAddr,
    pub port: u16,
    /// Where ended tables' learning records go (none: not recorded).
    pub records: Option<super::records::LiveRecords>,
}

/// Serve until interrupted (Ctrl-C), writing each table's journal as it changes.
pub fn serve(host: Host, opts: Options) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(serve_async(host, opts))
}

async fn serve_async(host: Host, opts: Options) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(opts.bind, opts.port)).await?;
    let addr = listener.local_addr()?;
    announce(&host, addr);
    let join_url = match (addr.ip().is_unspecified(), room_address()) {
        (true, Some(ip)) => format!("http://{}/", SocketAddr::new(ip, addr.port())),
        (true, None) => format!("http://127.0.0.1:{}/", addr.port()),
        _ => format!("http://{addr}/"),
    };
    let qr = qr_svg(&join_url);
    let (changed, _) = broadcast::channel(16);
    let shared = Shared {
        host: Arc::new(Mutex::new(host)),
        changed,
        join_url: Arc::new(join_url),
        records: opts.records.map(Arc::new),
    };
    tokio::spawn(run_clocks(shared.clone()));
    let app = Router::new()
        .route("/", get(|| async { Html(INDEX) }))
        .route("/facilitator", get(|| async { Html(FACILITATOR) }))
        .route(
            "/play.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], PLAY_JS) }),
        )
        .route(
            "/facilitator.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], FACILITATOR_JS) }),
        )
        .route(
            "/style.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css")], STYLE) }),
        )
        .route(
            "/join.svg",
            get(move || async move { ([(header::CONTENT_TYPE, "image/svg+xml")], qr) }),
        )
        .route("/debrief/{file}", get(debrief))
        .route("/ws", get(socket))
        .with_state(shared.clone());
    let done = shared.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            let host = done.host.lock().unwrap_or_else(|e| e.into_inner());
            for t in &host.tables {
                if let Err(e) = host.save(&t.code) {
                    eprintln!("could not write table {}'s journal: {e}", t.code);
                }
            }
        })
        .await
}

/// What the facilitator needs on the console: where to send people, each table's code.
fn announce(host: &Host, addr: SocketAddr) {
    let mut out = std::io::stdout().lock();
    let url = format!("http://{addr}/");
    let _ = writeln!(out, "Safe Return live exercise: serving on {url}");
    let _ = writeln!(out, "Facilitator: {url}facilitator#{}", host.facilitator_token);
    for (i, t) in host.tables.iter().enumerate() {
        let _ = writeln!(out, "Table {}: {} · code {}", i + 1, t.title(), t.code);
    }
    if addr.ip().is_loopback() {
        let room = room_address().map_or(String::new(), |ip| {
            format!(" (this computer's address on the room's network: {ip})")
        });
        let _ = writeln!(
            out,
            "Only this computer can join. To let people in the room join from their phones and laptops, run again with --bind 0.0.0.0{room}; where the venue's Wi-Fi keeps devices apart, use a phone's hotspot or a wired laptop."
        );
    } else if addr.ip().is_unspecified() {
        if let Some(ip) = room_address() {
            let _ = writeln!(
                out,
                "Participants open http://{ip}:{}/ and type their table's code.",
                addr.port()
            );
        }
    } else {
        let _ = writeln!(out, "Participants open {url} and type their table's code.");
    }
    if let Some(dir) = &host.journal_dir {
        let _ = writeln!(out, "Every decision is written to {} as it is made.", dir.display());
    }
    let _ = out.flush();
}

/// The join address as a QR code a phone's camera reads off the projector.
fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
        Err(_) => String::from("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
    }
}

/// This machine's address on the network it would reach others by (no packet is sent).
fn room_address() -> Option<IpAddr> {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:9").ok()?;
    s.local_addr().ok().map(|a| a.ip()).filter(|ip| !ip.is_loopback())
}

/// The tables' clocks, a few times a second; each change is told to every page.
async fn run_clocks(s: Shared) {
    let mut every = tokio::time::interval(Duration::from_millis(200));
    let mut last = tokio::time::Instant::now();
    let mut since_save = 0.0;
    loop {
        every.tick().await;
        let now = tokio::time::Instant::now();
        let dt = (now - last).as_secs_f64();
        last = now;
        since_save += dt;
        let changed = {
            let mut host = s.host.lock().unwrap_or_else(|e| e.into_inner());
            let mut changed = Vec::new();
            for t in host.tables.iter_mut() {
                if t.tick(dt) {
                    changed.push(t.code.clone());
                }
            }
            if since_save >= 5.0 && !changed.is_empty() {
                since_save = 0.0;
                for c in &changed {
                    let _ = host.save(c);
                }
            }
            !changed.is_empty()
        };
        if changed {
            let _ = s.changed.send(());
            record_ended(&s);
        }
    }
}

/// Make the learning records of every table that has just ended (once each), off the clock's
/// thread: an LRS that is slow never holds up the exercise.
fn record_ended(s: &Shared) {
    let Some(records) = s.records.clone() else {
        return;
    };
    let mut host = s.host.lock().unwrap_or_else(|e| e.into_inner());
    let now = records.clock.now();
    for t in host.tables.iter_mut() {
        if t.started && t.started_at.is_none() {
            t.started_at = Some(now);
        }
    }
    let ended: Vec<usize> = (0..host.tables.len())
        .filter(|&i| host.tables[i].finished() && !host.tables[i].recorded)
        .collect();
    for i in ended {
        let t = &mut host.tables[i];
        t.recorded = true;
        match records.make(t) {
            Err(why) => eprintln!("{why}"),
            Ok(all) => {
                let records = records.clone();
                let code = t.code.clone();
                tokio::task::spawn_blocking(move || println!("{}", records.deliver(&code, all)));
            }
        }
    }
}

/// `/debrief/CODE.html` (or `.md`, `.json`) `?key=FACILITATOR-TOKEN`: a table's debrief for the
/// room, to save or print.
async fn debrief(
    axum::extract::Path(file): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
    State(s): State<Shared>,
) -> axum::response::Response {
    use axum::http::StatusCode;
    let host = s.host.lock().unwrap_or_else(|e| e.into_inner());
    if q.get("key") != Some(&host.facilitator_token) {
        return (
            StatusCode::FORBIDDEN,
            "The debrief is the facilitator's: open it from the facilitator page.",
        )
            .into_response();
    }
    let (code, ext) = file.rsplit_once('.').unwrap_or((file.as_str(), ""));
    let Some(t) = host.table(code) else {
        return (
            StatusCode::NOT_FOUND,
            format!("There is no table with the code “{code}”."),
        )
            .into_response();
    };
    let d = super::debrief::build(t);
    let disposition = |name: &str| format!("inline; filename=\"debrief-{}.{name}\"", t.code);
    match ext {
        "html" => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, disposition("html")),
            ],
            super::debrief::html(&d),
        )
            .into_response(),
        "md" => (
            [
                (header::CONTENT_TYPE, "text/markdown; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, disposition("md")),
            ],
            super::debrief::markdown(&d),
        )
            .into_response(),
        "json" => (
            [
                (header::CONTENT_TYPE, "application/json".to_string()),
                (header::CONTENT_DISPOSITION, disposition("json")),
            ],
            serde_json::to_string_pretty(&d).unwrap_or_default(),
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, "Ask for CODE.html, CODE.md or CODE.json.").into_response(),
    }
}

async fn socket(ws: WebSocketUpgrade, State(s): State<Shared>) -> impl IntoResponse {
    ws.max_message_size(MAX_FRAME)
        .on_upgrade(move |socket| client(socket, s))
}

async fn client(mut socket: WebSocket, s: Shared) {
    let mut rx = s.changed.subscribe();
    let mut who = Who::Nobody;
    loop {
        tokio::select! {
            msg = socket.recv() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t.to_string(),
                    Some(Ok(Message::Binary(_))) => refused("Send text (JSON), not binary."),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => continue,
                };
                let replies = handle(&s, &mut who, &text);
                for r in replies {
                    if socket.send(Message::Text(r.into())).await.is_err() {
                        return;
                    }
                }
            }
            r = rx.recv() => {
                if let Err(broadcast::error::RecvError::Closed) = r {
                    break;
                }
                if let Some(v) = view_of(&s, &who) && socket.send(Message::Text(v.into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

fn refused(message: &str) -> String {
    json!({"type": "refused", "message": message}).to_string()
}

/// The page's current view: its seat's, or every table's for the facilitator.
fn view_of(s: &Shared, who: &Who) -> Option<String> {
    let host = s.host.lock().unwrap_or_else(|e| e.into_inner());
    match who {
        Who::Nobody => None,
        Who::Seat { code, token } => {
            let v = view::participant(host.table(code)?, token)?;
            Some(json!({"type": "view", "view": v}).to_string())
        }
        Who::Facilitator => {
            let tables: Vec<_> = host.tables.iter().map(view::facilitator).collect();
            Some(json!({"type": "tables", "join": *s.join_url, "tables": tables}).to_string())
        }
    }
}

/// Do what a page asks; the replies to send it. Other pages hear of a change through `changed`.
fn handle(s: &Shared, who: &mut Who, text: &str) -> Vec<String> {
    if text.len() > MAX_MESSAGE {
        return vec![refused(&format!(
            "Message too long ({} KiB): a message is at most {} KiB.",
            text.len() / 1024,
            MAX_MESSAGE / 1024
        ))];
    }
    let msg: In = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => return vec![refused(&format!("Message not understood: {e}"))],
    };
    let mut host = s.host.lock().unwrap_or_else(|e| e.into_inner());
    let no_table = |code: &str| refused(&format!("There is no table with the code “{}”.", code.trim()));
    let (reply, changed): (Result<Option<String>, String>, Option<String>) = match msg {
        In::Lookup { code } => match host.table(&code) {
            None => (Err(no_table(&code)), None),
            Some(t) => {
                let roles: Vec<_> = t
                    .playable_roles()
                    .iter()
                    .map(|r| json!({"id": r, "name": t.role_name(r), "played": t.played.contains(r)}))
                    .collect();
                let reply =
                    json!({"type": "table", "code": t.code, "title": t.title(), "started": t.started, "roles": roles});
                (Ok(Some(reply.to_string())), None)
            }
        },
        In::Join { code, name, role } => {
            let token = super::code(&mut rand::rng(), 16);
            match host.table_mut(&code) {
                None => (Err(no_table(&code)), None),
                Some(t) => match t.join(&name, &role, token.clone()) {
                    Err(why) => (Err(refused(&why)), None),
                    Ok(_) => {
                        let code = t.code.clone();
                        *who = Who::Seat {
                            code: code.clone(),
                            token: token.clone(),
                        };
                        let reply = json!({"type": "joined", "code": code, "token": token});
                        (Ok(Some(reply.to_string())), Some(code))
                    }
                },
            }
        }
        In::Rejoin { code, token } => match host.table(&code) {
            Some(t) if t.seat(&token).is_some() => {
                *who = Who::Seat {
                    code: t.code.clone(),
                    token,
                };
                (Ok(Some(json!({"type": "joined", "code": t.code}).to_string())), None)
            }
            _ => (
                Err(refused("That seat is not at this host any more: join again.")),
                None,
            ),
        },
        In::Act { act } => match who.clone() {
            Who::Seat { code, token } => match host.table_mut(&code).map(|t| t.act(&token, act)) {
                Some(Ok(())) => (Ok(None), Some(code)),
                Some(Err(why)) => (Err(refused(&why)), None),
                None => (Err(no_table(&code)), None),
            },
            _ => (Err(refused("Join a table before acting.")), None),
        },
        In::Facilitate { token } => {
            if token == host.facilitator_token {
                *who = Who::Facilitator;
                (Ok(None), None)
            } else {
                (Err(refused("That is not this host's facilitator link.")), None)
            }
        }
        In::Start { code }
        | In::Pause { code }
        | In::Speed { code, .. }
        | In::Next { code }
        | In::End { code }
        | In::Inject { code, .. }
            if !matches!(who, Who::Facilitator) =>
        {
            let _ = code;
            (Err(refused("Only the facilitator runs the clock.")), None)
        }
        In::Start { code } => clock(&mut host, &code, |t| {
            t.start();
            Ok(())
        }),
        In::Pause { code } => clock(&mut host, &code, |t| {
            t.running = false;
            Ok(())
        }),
        In::Speed { code, speed } => clock(&mut host, &code, |t| {
            if !(MIN_SPEED..=MAX_SPEED).contains(&speed) {
                return Err(format!("A speed is 1× to 3600× (got {speed}×)."));
            }
            t.speed = speed;
            Ok(())
        }),
        In::Inject { code, to, text } => clock(&mut host, &code, |t| {
            t.inject(to.as_deref().filter(|r| !r.is_empty()), &text)
        }),
        In::End { code } => clock(&mut host, &code, |t| {
            if !t.started {
                return Err("Start the clock first.".into());
            }
            t.advance_to_hours(t.scenario.scenario.duration_hours);
            Ok(())
        }),
        In::Next { code } => clock(&mut host, &code, |t| {
            if !t.started {
                return Err("Start the clock first.".into());
            }
            t.next_event();
            Ok(())
        }),
    };
    if let Some(code) = &changed
        && let Err(e) = host.save(code)
    {
        eprintln!("could not write table {code}'s journal: {e}");
    }
    drop(host);
    let mut out = Vec::new();
    match reply {
        Ok(r) => out.extend(r),
        Err(r) => out.push(r),
    }
    if changed.is_some() {
        let _ = s.changed.send(());
        record_ended(s);
    }
    // A page that asked something always gets its view back, even with no change.
    if changed.is_none()
        && let Some(v) = view_of(s, who)
    {
        out.push(v);
    }
    out
}

fn clock(
    host: &mut Host,
    code: &str,
    f: impl FnOnce(&mut super::Table) -> Result<(), String>,
) -> (Result<Option<String>, String>, Option<String>) {
    match host.table_mut(code) {
        None => (
            Err(refused(&format!("There is no table with the code “{}”.", code.trim()))),
            None,
        ),
        Some(t) => match f(t) {
            Ok(()) => (Ok(None), Some(t.code.clone())),
            Err(why) => (Err(refused(&why)), None),
        },
    }
}
