//! Helpers for the learning-records tests: the program run with a fixed clock in a folder of its
//! own, a real LRS (Ralph) on a free loopback port, and a tiny fake LRS that answers with errors.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_safe-return");
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");
pub const CLOCK: &str = "2026-01-01T10:00:00Z";
pub const REG_A: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
pub const REG_B: &str = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d";
pub const USER: &str = "trainer";
pub const PASSWORD: &str = "not-a-real-secret";

/// A folder of the test's own, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sr-xapi-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    pub fn s(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The program, run in the project folder with a fixed clock, its user folders inside `home`,
/// and no learning-records settings from the environment unless `env` gives them.
pub fn run_in(home: &Scratch, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args)
        .current_dir(ROOT)
        .env("SAFE_RETURN_CLOCK", CLOCK)
        .env("HOME", home.path("home"))
        .env("XDG_CONFIG_HOME", home.path("config"))
        .env("XDG_DATA_HOME", home.path("data"))
        .env_remove("SAFE_RETURN_LRS_CONFIG")
        .env_remove("SAFE_RETURN_LRS_USERNAME")
        .env_remove("SAFE_RETURN_LRS_PASSWORD")
        .env_remove("SAFE_RETURN_RECORDS_DIR");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"))
}

pub fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

/// The statements of a JSON-lines file.
pub fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Where `ralph` is: `$SAFE_RETURN_RALPH` (CI sets it), else `target/ralph-venv/bin/ralph`, else
/// `ralph` on the PATH. Missing in CI (`CI` or `SAFE_RETURN_RALPH` set) is a failure with the
/// reason; missing elsewhere skips the test with a note.
pub fn ralph() -> Option<PathBuf> {
    let given = std::env::var_os("SAFE_RETURN_RALPH")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let candidates: Vec<PathBuf> = match &given {
        Some(p) => vec![p.clone()],
        None => {
            let mut v = vec![
                Path::new(ROOT)
                    .join("target")
                    .join("ralph-venv")
                    .join("bin")
                    .join("ralph"),
            ];
            if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
                v.push(PathBuf::from(dir).join("ralph-venv").join("bin").join("ralph"));
            }
            if let Some(path) = std::env::var_os("PATH") {
                v.extend(std::env::split_paths(&path).map(|d| d.join("ralph")));
            }
            v
        }
    };
    if let Some(p) = candidates.into_iter().find(|p| p.is_file()) {
        return Some(p);
    }
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty()) || given.is_some();
    let why = format!(
        "the LRS tests need Ralph (`pip install 'ralph-malph[cli,lrs]' requests` in a virtual \
         environment, then SAFE_RETURN_RALPH=/path/to/venv/bin/ralph); not found{}",
        given
            .map(|g| format!(" at SAFE_RETURN_RALPH={}", g.display()))
            .unwrap_or_default()
    );
    if in_ci {
        panic!("{why}");
    }
    eprintln!("SKIPPED: {why}");
    None
}

/// A Ralph LRS (file-system backend) on a loopback port, with one user.
pub struct Ralph {
    exe: PathBuf,
    pub dir: Scratch,
    pub port: u16,
    page: usize,
    child: Option<Child>,
}

impl Ralph {
    /// Credentials made with `ralph auth`, then `ralph runserver -b fs` started; `page` sets how
    /// many statements a page of the statements API holds (to make `more` links).
    pub fn start(exe: PathBuf, page: usize) -> Ralph {
        let dir = Scratch::new("ralph");
        let out = Command::new(&exe)
            .args([
                "auth",
                "-u",
                USER,
                "-p",
                PASSWORD,
                "-s",
                "all",
                "-w",
                "-A",
                USER,
                "https://example.org/",
            ])
            .current_dir(&dir.0)
            .env("RALPH_AUTH_FILE", dir.path("auth.json"))
            .env("RALPH_APP_DIR", dir.path("app"))
            .env("RALPH_RUNSERVER_BACKEND", "fs")
            .output()
            .expect("ralph auth runs");
        assert!(out.status.success(), "ralph auth failed: {}", text(&out.stderr));
        let mut r = Ralph {
            exe,
            dir,
            port: free_port(),
            page,
            child: None,
        };
        r.restart();
        r
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/xAPI/", self.port)
    }

    /// Start (again) on the same port with the same statements.
    pub fn restart(&mut self) {
        use std::os::unix::process::CommandExt;
        assert!(self.child.is_none(), "already running");
        let log = std::fs::File::create(self.dir.path("server.log")).unwrap();
        let child = Command::new(&self.exe)
            .args(["runserver", "-b", "fs", "-h", "127.0.0.1", "-p", &self.port.to_string()])
            .arg("--fs-default-directory-path")
            .arg(self.dir.path("statements"))
            // Ralph 5.1's file-system LRS writes every POST to one file it will not open twice
            // ("already exists and overwrite is not allowed"): with no file name set, each POST
            // gets a file of its own, and reads take them all.
            .args(["--fs-default-lrs-file", ""])
            .current_dir(&self.dir.0)
            .env("RALPH_AUTH_FILE", self.dir.path("auth.json"))
            .env("RALPH_APP_DIR", self.dir.path("app"))
            .env("RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT", self.page.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            // Its own process group: the server and the workers it starts stop together.
            .process_group(0)
            .spawn()
            .expect("ralph runserver starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "ralph runserver stopped ({status}): {}",
                    std::fs::read_to_string(self.dir.path("server.log")).unwrap_or_default()
                );
            }
            if http_status(self.port, "/__heartbeat__") == Some(200) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "ralph did not start in 90 s: {}",
                std::fs::read_to_string(self.dir.path("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Stop the server (its whole process group) and wait until the port is closed.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        let group = format!("-{}", child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = child.wait();
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The settings the program and the library read the LRS with.
    pub fn settings(&self) -> safe_return::records::config::Settings {
        safe_return::records::config::Settings {
            username: Some(USER.into()),
            password: Some(PASSWORD.into()),
            ..Default::default()
        }
    }

    /// Every statement the LRS holds (following `more` links).
    pub fn statements(&self) -> Vec<serde_json::Value> {
        let lrs = safe_return::records::lrs::Lrs::new(&self.endpoint(), &self.settings()).unwrap();
        lrs.fetch_all().unwrap()
    }
}

impl Drop for Ralph {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The status of a plain GET on the loopback port, if anything answers.
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    buf.split_whitespace().nth(1)?.parse().ok()
}

/// How the fake LRS answers.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    Status(u16),
    /// Reads the request and says nothing for this long.
    Silent(Duration),
}

/// A tiny LRS that answers every request the same way and counts them.
pub struct FakeLrs {
    pub port: u16,
    pub requests: std::sync::Arc<AtomicUsize>,
}

impl FakeLrs {
    pub fn start(answer: Answer) -> FakeLrs {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = std::sync::Arc::new(AtomicUsize::new(0));
        let count = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let count = count.clone();
                std::thread::spawn(move || {
                    read_request(&mut stream);
                    count.fetch_add(1, Ordering::SeqCst);
                    match answer {
                        Answer::Status(code) => {
                            let body = format!("{{\"detail\":\"fake LRS says {code}\"}}");
                            let _ = write!(
                                stream,
                                "HTTP/1.1 {code} Fake\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                body.len()
                            );
                        }
                        Answer::Silent(d) => std::thread::sleep(d),
                    }
                });
            }
        });
        FakeLrs { port, requests }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/xAPI/", self.port)
    }
}

fn read_request(s: &mut TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let Ok(n) = s.read(&mut chunk) else { return };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let Ok(n) = s.read(&mut chunk) else { return };
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return;
        }
    }
}
