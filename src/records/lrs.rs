//! Talking to a Learning Record Store over HTTP(S): posting statements (with retries, and
//! statements the LRS already holds counted as recorded) and reading them back page by page,
//! following `more` links. The queue is sent from here too.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::clock::Clock;
use super::config::{PASSWORD_ENV, Settings, USERNAME_ENV, web_address};
use super::queue::{Batch, Queue};

/// The xAPI version spoken.
pub const XAPI_VERSION: &str = "1.0.3";
/// Statements posted in one request at most.
const CHUNK: usize = 50;
/// Pages read back at most (a guard against an LRS whose `more` never ends).
const MAX_PAGES: usize = 100_000;

/// The LRS's xAPI endpoint from what the user gave: a web address, `statements` at its end
/// taken off, and a `/` added: `https://lrs.example.org/xAPI/`.
pub fn endpoint(arg: &str) -> Result<String, String> {
    let t = arg.trim();
    web_address(t)?;
    let t = t.trim_end_matches('/');
    let t = t.strip_suffix("/statements").unwrap_or(t);
    Ok(format!("{t}/"))
}

/// Why statements did not go.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The LRS refused the credentials (401, 403): trying again will not help.
    Refused(String),
    /// The LRS refused the statements themselves (another 4xx): this batch waits, others go.
    Rejected(String),
    /// The LRS is down, slow, or failing (5xx, a timeout, no connection): try again later.
    Unavailable(String),
}

impl Failure {
    pub fn message(&self) -> &str {
        match self {
            Failure::Refused(m) | Failure::Rejected(m) | Failure::Unavailable(m) => m,
        }
    }
}

pub struct Lrs {
    endpoint: String,
    auth: Option<String>,
    agent: ureq::Agent,
    timeout: Duration,
    tries: u32,
    settings_file: Option<String>,
    /// Pause before the second try; doubled before each later one.
    pub backoff: Duration,
}

/// Text from the LRS, made safe to print: control characters out, at most 300 characters.
fn excerpt(text: &str) -> String {
    let t: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let t = t.trim();
    if t.chars().count() > 300 {
        format!("{}…", t.chars().take(300).collect::<String>())
    } else {
        t.to_string()
    }
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl Lrs {
    pub fn new(endpoint_arg: &str, settings: &Settings) -> Result<Lrs, String> {
        let endpoint = endpoint(endpoint_arg)?;
        let auth = settings.username.as_ref().map(|u| {
            let pair = format!("{u}:{}", settings.password.as_deref().unwrap_or(""));
            format!("Basic {}", base64(pair.as_bytes()))
        });
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(format!("safe-return/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Ok(Lrs {
            endpoint,
            auth,
            agent,
            timeout: settings.timeout,
            tries: settings.tries.max(1),
            settings_file: settings.file.as_ref().map(|f| f.display().to_string()),
            backoff: Duration::from_millis(500),
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn statements_url(&self) -> String {
        format!("{}statements", self.endpoint)
    }

    /// `scheme://host:port` of the endpoint.
    fn origin(&self) -> &str {
        let after = self.endpoint.find("//").map(|i| i + 2).unwrap_or(0);
        let end = self.endpoint[after..]
            .find('/')
            .map(|i| i + after)
            .unwrap_or(self.endpoint.len());
        &self.endpoint[..end]
    }

    fn where_credentials(&self) -> String {
        match &self.settings_file {
            Some(f) => format!("check username and password in {f} (or {USERNAME_ENV} and {PASSWORD_ENV})"),
            None => format!("set {USERNAME_ENV} and {PASSWORD_ENV}, or username and password in a settings file"),
        }
    }

    /// One request, its status and body; transport failures in words.
    fn request(&self, method: &str, url: &str, body: Option<&str>) -> Result<(u16, String), Failure> {
        let result = match method {
            "GET" => {
                let mut r = self.agent.get(url).header("X-Experience-API-Version", XAPI_VERSION);
                if let Some(a) = &self.auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            _ => {
                let mut r = if method == "PUT" {
                    self.agent.put(url)
                } else {
                    self.agent.post(url)
                }
                .header("X-Experience-API-Version", XAPI_VERSION)
                .header("Content-Type", "application/json");
                if let Some(a) = &self.auth {
                    r = r.header("Authorization", a);
                }
                r.send(body.unwrap_or(""))
            }
        };
        let mut resp = result.map_err(|e| Failure::Unavailable(self.transport_words(&e)))?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| Failure::Unavailable(self.transport_words(&e)))?;
        Ok((status, text))
    }

    fn transport_words(&self, e: &ureq::Error) -> String {
        let at = &self.endpoint;
        match e {
            ureq::Error::Timeout(_) => {
                format!("the LRS at {at} did not answer within {} s", self.timeout.as_secs_f64())
            }
            ureq::Error::HostNotFound => format!("cannot find the LRS's host ({at}): check the address"),
            ureq::Error::ConnectionFailed => format!("cannot connect to the LRS at {at}: nothing answers there"),
            ureq::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    format!("cannot connect to the LRS at {at}: nothing answers there (connection refused)")
                }
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                    format!("the LRS at {at} did not answer within {} s", self.timeout.as_secs_f64())
                }
                _ => format!("the connection to the LRS at {at} failed: {}", excerpt(&io.to_string())),
            },
            ureq::Error::Tls(why) => format!("the secure connection to the LRS at {at} failed: {why}"),
            other => format!("the LRS at {at} could not be reached: {}", excerpt(&other.to_string())),
        }
    }

    /// What an error status means, in words.
    fn status_failure(&self, status: u16, body: &str) -> Failure {
        let at = &self.endpoint;
        let detail = excerpt(body);
        let detail = if detail.is_empty() {
            String::new()
        } else {
            format!(": {detail}")
        };
        match status {
            401 | 403 => Failure::Refused(format!(
                "the LRS at {at} refused the credentials (HTTP {status}){detail}; {}",
                self.where_credentials()
            )),
            404 => Failure::Rejected(format!(
                "the LRS at {at} has no statements resource there (HTTP 404): give its xAPI endpoint, such as https://lrs.example.org/xAPI/"
            )),
            408 | 429 | 500..=599 => Failure::Unavailable(format!("the LRS at {at} failed (HTTP {status}){detail}")),
            _ => Failure::Rejected(format!(
                "the LRS at {at} refused the statements (HTTP {status}){detail}"
            )),
        }
    }

    /// A request tried up to `tries` times while the LRS is unavailable (no answer, a timeout,
    /// HTTP 408, 429 or 5xx), waiting longer before each try.
    fn call(&self, method: &str, url: &str, body: Option<&str>) -> Result<(u16, String), Failure> {
        let mut wait = self.backoff;
        let mut tried = 0;
        loop {
            tried += 1;
            let answer = match self.request(method, url, body) {
                Ok((s, t)) if matches!(s, 408 | 429 | 500..=599) => Err(self.status_failure(s, &t)),
                other => other,
            };
            match answer {
                Err(Failure::Unavailable(_)) if tried < self.tries => {
                    std::thread::sleep(wait);
                    wait *= 2;
                }
                Err(Failure::Unavailable(m)) if tried > 1 => {
                    return Err(Failure::Unavailable(format!("{m} ({tried} tries)")));
                }
                other => return other,
            }
        }
    }

    /// Post statements; `Ok` once the LRS holds every one of them (those it already held
    /// included).
    pub fn post(&self, statements: &[Value]) -> Result<(), Failure> {
        for chunk in statements.chunks(CHUNK) {
            let body = serde_json::to_string(chunk).expect("serialisable");
            let url = self.statements_url();
            let (status, text) = self.call("POST", &url, Some(&body))?;
            match status {
                200..=299 => {}
                // Some of them are there already: put them one by one, each id once.
                409 => {
                    for s in chunk {
                        self.put_one(s)?;
                    }
                }
                _ => return Err(self.status_failure(status, &text)),
            }
        }
        Ok(())
    }

    fn put_one(&self, s: &Value) -> Result<(), Failure> {
        let id = s["id"].as_str().unwrap_or_default();
        let url = format!("{}?statementId={id}", self.statements_url());
        let body = serde_json::to_string(s).expect("serialisable");
        let (status, text) = self.call("PUT", &url, Some(&body))?;
        match status {
            // 409: a statement with this id is there already: it cannot be recorded twice.
            200..=299 | 409 => Ok(()),
            _ => Err(self.status_failure(status, &text)),
        }
    }

    /// Every statement the LRS gives back, following `more` links (only on the same host, so
    /// the credentials go nowhere else).
    pub fn fetch_all(&self) -> Result<Vec<Value>, String> {
        let mut url = self.statements_url();
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let (status, text) = self.call("GET", &url, None).map_err(|f| f.message().to_string())?;
            if !(200..=299).contains(&status) {
                return Err(self.status_failure(status, &text).message().to_string());
            }
            let page: Value = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "the LRS at {} answered with something other than statements: {e}",
                    self.endpoint
                )
            })?;
            let list = page["statements"].as_array().ok_or_else(|| {
                format!(
                    "the LRS at {} answered without a `statements` list: {}",
                    self.endpoint,
                    excerpt(&text)
                )
            })?;
            let empty = list.is_empty();
            out.extend(list.iter().cloned());
            let more = page["more"].as_str().unwrap_or("");
            if more.is_empty() || empty {
                return Ok(out);
            }
            url = self.resolve_more(more)?;
        }
        Err(format!("the LRS at {} gave more than {MAX_PAGES} pages", self.endpoint))
    }

    fn resolve_more(&self, more: &str) -> Result<String, String> {
        if more.starts_with("http://") || more.starts_with("https://") {
            let origin = self.origin();
            if more == origin || more.starts_with(&format!("{origin}/")) {
                Ok(more.to_string())
            } else {
                Err(format!(
                    "the LRS at {} points to another host for its next page ({}): not followed",
                    self.endpoint,
                    excerpt(more)
                ))
            }
        } else if more.starts_with('/') {
            Ok(format!("{}{more}", self.origin()))
        } else {
            Ok(format!("{}{more}", self.endpoint))
        }
    }
}

/// What a send did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SendReport {
    pub sent: usize,
    pub batches_sent: usize,
    /// Statements still waiting.
    pub kept: usize,
    pub errors: Vec<String>,
}

/// Send what waits in the queue: each batch to its own LRS (or to `to` where given), oldest
/// first. A batch leaves the queue only when the LRS holds all of it. An LRS that refuses the
/// credentials, or is down, gets no more tries this time; one that rejects a batch gets the next.
/// `only` limits the send to batches queued for that endpoint.
pub fn send_queue(
    queue: &Queue,
    to: Option<&str>,
    only: Option<&str>,
    settings: &Settings,
    clock: &Clock,
) -> SendReport {
    let mut report = SendReport::default();
    let (batches, unreadable) = queue.pending();
    report.errors.extend(unreadable);
    let mut clients: BTreeMap<String, Result<Lrs, String>> = BTreeMap::new();
    let mut given_up: BTreeMap<String, ()> = BTreeMap::new();
    for (file, batch) in batches {
        let target = to.map(str::to_string).unwrap_or_else(|| batch.endpoint.clone());
        if only.is_some_and(|o| o != batch.endpoint) || given_up.contains_key(&target) {
            if only.is_none_or(|o| o == batch.endpoint) {
                report.kept += batch.statements.len();
            }
            continue;
        }
        let lrs = clients
            .entry(target.clone())
            .or_insert_with(|| Lrs::new(&target, settings));
        let lrs = match lrs {
            Ok(l) => l,
            Err(why) => {
                report.errors.push(format!("{}: {why}", file.display()));
                report.kept += batch.statements.len();
                given_up.insert(target, ());
                continue;
            }
        };
        match send_batch(queue, lrs, &file, batch) {
            Ok(n) => {
                report.sent += n;
                report.batches_sent += 1;
                queue.note_sent(n, clock.now());
            }
            Err((f, sent, left)) => {
                report.sent += sent;
                report.kept += left;
                if sent > 0 {
                    queue.note_sent(sent, clock.now());
                }
                queue.note_error(f.message(), clock.now());
                report.errors.push(f.message().to_string());
                if !matches!(f, Failure::Rejected(_)) {
                    given_up.insert(target, ());
                }
            }
        }
    }
    if report.errors.is_empty() && queue.pending().0.is_empty() {
        queue.clear_error();
    }
    report
}

/// Send one batch in chunks; on failure the chunks sent are dropped from its file.
fn send_batch(
    queue: &Queue,
    lrs: &Lrs,
    file: &std::path::Path,
    mut batch: Batch,
) -> Result<usize, (Failure, usize, usize)> {
    let total = batch.statements.len();
    let mut sent = 0;
    while sent < total {
        let end = (sent + CHUNK).min(total);
        if let Err(f) = lrs.post(&batch.statements[sent..end]) {
            if sent > 0 {
                batch.statements.drain(..sent);
                let _ = queue.replace(file, &batch);
            }
            return Err((f, sent, total - sent));
        }
        sent = end;
    }
    queue.done(file).map_err(|m| (Failure::Rejected(m), 0, 0))?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_normalised() {
        assert_eq!(
            endpoint("http://127.0.0.1:8100/xAPI").unwrap(),
            "http://127.0.0.1:8100/xAPI/"
        );
        assert_eq!(
            endpoint("https://lrs.example/xAPI/statements/").unwrap(),
            "https://lrs.example/xAPI/"
        );
        assert!(
            endpoint("https://user:pw@lrs.example/xAPI")
                .unwrap_err()
                .contains("never in the address")
        );
    }

    #[test]
    fn basic_auth_is_base64() {
        assert_eq!(base64(b"trainer:secret"), "dHJhaW5lcjpzZWNyZXQ=");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }
}
