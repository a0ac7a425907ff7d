//! What the end-to-end test drives: the real server's API with a user's token, the probes'
//! registration by the offline CLI, and a target telling which network each check came from.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;
use warp::Filter;

use super::process::Process;
use crate::common::{self, Token};

/// An HTTP target counting the checks it gets from each address (each probe's namespace has
/// its own).
pub struct Target {
    pub url: String,
    hits: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Target {
    pub async fn start(ip: std::net::Ipv4Addr) -> Target {
        let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
        let url = format!("http://{}/health", listener.local_addr().unwrap());
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let counter = hits.clone();
        let ok = warp::addr::remote().map(move |peer: Option<SocketAddr>| {
            if let Some(peer) = peer {
                *counter.lock().unwrap().entry(peer.ip()).or_insert(0) += 1;
            }
            "ok"
        });
        tokio::spawn(warp::serve(ok).incoming(listener).run());
        Target { url, hits }
    }

    /// Checks from the namespace whose host end is `host` (its probe's address is host + 1).
    pub fn hits_from(&self, host: std::net::Ipv4Addr) -> usize {
        let probe = IpAddr::V4(std::net::Ipv4Addr::from(u32::from(host) + 1));
        self.hits.lock().unwrap().get(&probe).copied().unwrap_or(0)
    }
}

/// Polls `f` every 100 ms until it gives Some, for at most `secs` seconds.
pub async fn until<T, F, Fut>(what: &str, secs: u64, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {secs} s waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub struct Api {
    pub base: String,
    pub token: Token,
    pub client: reqwest::Client,
}

impl Api {
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("X-Api-Token-Id", &self.token.id)
            .header("X-Api-Token-Secret-Key", &self.token.secret);
        if let Some(body) = body {
            req = req.json(&body);
        }
        match req.send().await {
            Ok(resp) => (resp.status(), resp.json().await.unwrap_or(Value::Null)),
            Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Value::Null),
        }
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.send(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// The location of monitor `id` named `name` in `GET /monitors/{id}/locations`.
    pub async fn location(&self, id: &str, name: &str) -> Value {
        let view = self.get(&format!("/monitors/{id}/locations")).await;
        let found = view["locations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == name);
        found.cloned().unwrap_or(Value::Null)
    }

    pub async fn monitor(&self, id: &str) -> Value {
        self.get(&format!("/monitors/{id}")).await["monitor"].clone()
    }

    pub async fn probe(&self, name: &str) -> Value {
        let probes = self.get("/probes").await;
        let list = probes["probes"].as_array().cloned().unwrap_or_default();
        let found = list.into_iter().find(|p| p["name"] == name);
        found.unwrap_or_else(|| panic!("no probe {name} in {probes}"))
    }
}

/// `dutyduck probes add`: the token it prints (`ddp_…`).
pub fn add_probe(data_dir: &Path, name: &str, region: &str) -> String {
    let label = format!("region={region}");
    let out = common::cli(
        data_dir,
        &["probes", "add", "--name", name, "--label", &label],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "probes add: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = text.split_whitespace().find(|w| w.starts_with("ddp_"));
    token
        .unwrap_or_else(|| panic!("no token in {text}"))
        .to_owned()
}

/// The server's address from its "listening on http://…" log line.
pub async fn listening(server: &Process) -> SocketAddr {
    server.wait_log("listening on http://").await;
    let log = server.log();
    let rest = log.split("listening on http://").nth(1).unwrap();
    rest.split_whitespace().next().unwrap().parse().unwrap()
}
