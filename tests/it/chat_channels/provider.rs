//! A provider's API on 127.0.0.1:0: records every request (method, path, query, lower-case
//! headers, raw body) and answers with what `answer` says for it, so each test plays the
//! provider it stands for (Twilio checking its auth and numbers, a chat service saying "ok").

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use warp::Filter;
use warp::http::StatusCode;

use crate::common::eventually;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// The raw query string ("" when none).
    pub query: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The query's (or a form body's) pairs, decoded.
    pub fn pairs(raw: &[u8]) -> Vec<(String, String)> {
        url::form_urlencoded::parse(raw).into_owned().collect()
    }
}

type Answer = dyn Fn(&Request) -> (u16, String) + Send + Sync;

pub struct Provider {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Request>>>,
    server: JoinHandle<()>,
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Provider {
    /// A chat service: 200 "ok" to everything (what Mattermost and Rocket.Chat answer).
    pub async fn accepting() -> Provider {
        Provider::start(|_| (200, "ok".into())).await
    }

    pub async fn start(
        answer: impl Fn(&Request) -> (u16, String) + Send + Sync + 'static,
    ) -> Provider {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received: Arc<Mutex<Vec<Request>>> = Arc::default();
        let answer: Arc<Answer> = Arc::new(answer);
        let (log, answer) = (received.clone(), answer.clone());
        let query = warp::query::raw().or(warp::any().map(String::new)).unify();
        let routes = warp::method()
            .and(warp::path::full())
            .and(query)
            .and(warp::header::headers_cloned())
            .and(warp::body::bytes())
            .map(
                move |method: warp::http::Method,
                      path: warp::path::FullPath,
                      query,
                      headers: warp::http::HeaderMap,
                      body: bytes::Bytes| {
                    let request = Request {
                        method: method.to_string(),
                        path: path.as_str().to_owned(),
                        query,
                        headers: headers
                            .iter()
                            .map(|(k, v)| {
                                (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())
                            })
                            .collect(),
                        body: body.to_vec(),
                    };
                    let (status, text) = answer(&request);
                    log.lock().unwrap().push(request);
                    let reply = warp::reply::with_header(text, "content-type", "application/json");
                    warp::reply::with_status(reply, StatusCode::from_u16(status).unwrap())
                },
            );
        let server = tokio::spawn(warp::serve(routes).incoming(listener).run());
        Provider {
            addr,
            received,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn received(&self) -> Vec<Request> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived; returns them all, in order of arrival.
    pub async fn wait_for(&self, n: usize) -> Vec<Request> {
        eventually(&format!("{n} request(s) at {}", self.addr), || async {
            let all = self.received();
            (all.len() >= n).then_some(all)
        })
        .await
    }

    /// The requests at `path`, in order of arrival.
    pub fn at(&self, path: &str) -> Vec<Request> {
        self.received()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
}
