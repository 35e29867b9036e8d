//! Headless Chromium for the tests, driven over the DevTools protocol (a WebSocket): open a
//! page, evaluate JavaScript in it, take a screenshot. `.ci/run` installs Debian's `chromium`
//! when it is missing; `CHROMIUM` names another binary.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A running headless browser.
pub struct Browser {
    child: Child,
    port: u16,
    profile: PathBuf,
}

/// A tab.
pub struct Page {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next: u64,
}

/// The browser binary, if this machine has one.
pub fn binary() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

impl Browser {
    /// Starts headless Chromium, or `None` when there is none.
    pub fn launch() -> Option<Browser> {
        let bin = binary()?;
        let profile =
            std::env::temp_dir().join(format!("perfcycle-chromium-{}", uuid::Uuid::new_v4()));
        let mut child = Command::new(bin)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start chromium");
        let stderr = child.stderr.take().expect("chromium's stderr");
        // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…"
        let port = BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| {
                let rest = line.split("ws://127.0.0.1:").nth(1)?;
                rest.split('/').next()?.parse::<u16>().ok()
            })
            .expect("chromium did not say where DevTools listen");
        Some(Browser {
            child,
            port,
            profile,
        })
    }

    /// Opens `url` in a new tab.
    pub async fn open(&self, url: &str) -> Page {
        let target: Value = reqwest::Client::new()
            .put(format!(
                "http://127.0.0.1:{}/json/new?about:blank",
                self.port
            ))
            .send()
            .await
            .expect("DevTools did not answer")
            .json()
            .await
            .expect("DevTools answered no JSON");
        let ws = target["webSocketDebuggerUrl"]
            .as_str()
            .expect("a tab to debug")
            .to_owned();
        let (socket, _) = tokio_tungstenite::connect_async(ws)
            .await
            .expect("cannot reach the tab");
        let mut page = Page { socket, next: 1 };
        // Navigating here keeps the address whole (a fragment would not survive /json/new).
        page.call("Page.navigate", json!({ "url": url })).await;
        page
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
        std::fs::remove_dir_all(&self.profile).ok();
    }
}

impl Page {
    /// Calls a DevTools method and returns its result.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.socket
            .send(Message::Text(
                json!({ "id": id, "method": method, "params": params })
                    .to_string()
                    .into(),
            ))
            .await
            .expect("DevTools went away");
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(20), self.socket.next())
                .await
                .expect("DevTools did not answer in 20 s");
            let Some(Ok(Message::Text(text))) = frame else {
                continue;
            };
            let m: Value = serde_json::from_str(&text).expect("DevTools JSON");
            if m["id"] == id {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
        }
    }

    /// The value of a JavaScript expression in the page.
    pub async fn eval(&mut self, expression: &str) -> Value {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true }),
            )
            .await;
        r["result"]["value"].clone()
    }

    /// The text of the element with this id (`null` until it exists).
    pub async fn text(&mut self, id: &str) -> Value {
        self.eval(&format!(
            "(document.getElementById({id:?}) || {{}}).textContent ?? null"
        ))
        .await
    }

    /// Waits (up to 20 s) until element `id` reads `want`; fails with what it last read.
    pub async fn wait_text(&mut self, id: &str, want: &str) {
        let started = std::time::Instant::now();
        loop {
            let got = self.text(id).await;
            if got == want {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "#{id} still reads {got} after 20 s, not {want:?}; status: {}",
                self.text("status").await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A PNG of the page.
    pub async fn screenshot(&mut self) -> Vec<u8> {
        use base64::Engine as _;
        let r = self
            .call("Page.captureScreenshot", json!({ "format": "png" }))
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().unwrap_or_default())
            .expect("a base64 screenshot")
    }
}
