//! A real browser for tests: Debian's headless Chromium driven over WebDriver (`fantoccini`).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The WebDriver server, stopped when the test ends, however it ends.
pub struct Driver {
    child: Child,
    pub port: u16,
    chromium: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start chromedriver on a free port and wait until it listens (up to a minute).
pub fn driver() -> Driver {
    let (Some(chromium), Some(chromedriver)) = (on_path("chromium"), on_path("chromedriver")) else {
        panic!(
            "this test needs a real browser: chromium and chromedriver are not on PATH. Run .ci/run \
             (it installs Debian's chromium and chromium-driver), or apt-get install chromium chromium-driver"
        );
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let d = Driver { child, port, chromium };
    let mut tries = 0;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        tries += 1;
        assert!(tries < 600, "chromedriver did not start listening on port {port}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    d
}

impl Driver {
    /// A new browser session (a window of its own) of `width` × `height` pixels.
    pub async fn session(&self, width: u32, height: u32) -> fantoccini::Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": self.chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         format!("--window-size={width},{height}")],
            }),
        );
        fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a WebDriver session with headless Chromium")
    }
}
