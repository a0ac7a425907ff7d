//! A push service on loopback, as a browser vendor runs one (RFC 8030): it takes a POST of an
//! encrypted message to a subscription's endpoint, answers 201 (or what the test sets: 410 for
//! a subscription that is gone, 429 with `Retry-After`), and keeps what it received so the test
//! can play the browser and decrypt it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use warp::Filter;
use warp::http::StatusCode;

use crate::common::eventually;

#[derive(Debug, Clone)]
pub struct Pushed {
    pub path: String,
    /// Names in lower case.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Pushed {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
    }
}

#[derive(Default)]
struct State {
    received: Mutex<Vec<Pushed>>,
    /// What it answers: a status and a header (`Retry-After`, `Location`).
    answer: Mutex<(u16, Option<(&'static str, String)>)>,
}

pub struct PushService {
    addr: std::net::SocketAddr,
    state: Arc<State>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for PushService {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl PushService {
    pub async fn start() -> PushService {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        *state.answer.lock().unwrap() = (201, None);
        let shared = state.clone();
        let routes = warp::post()
            .and(warp::path::full())
            .and(warp::header::headers_cloned())
            .and(warp::body::bytes())
            .map(
                move |path: warp::path::FullPath,
                      headers: warp::http::HeaderMap,
                      body: bytes::Bytes| {
                    let headers = headers
                        .iter()
                        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                        .collect();
                    shared.received.lock().unwrap().push(Pushed {
                        path: path.as_str().to_owned(),
                        headers,
                        body: body.to_vec(),
                    });
                    let (status, header) = shared.answer.lock().unwrap().clone();
                    let reply = warp::reply::with_status("", StatusCode::from_u16(status).unwrap());
                    match header {
                        Some((name, value)) => {
                            warp::reply::with_header(reply, name, value).into_response()
                        }
                        None => warp::reply::Reply::into_response(reply),
                    }
                },
            );
        let server = tokio::spawn(warp::serve(routes).incoming(listener).run());
        PushService {
            addr,
            state,
            server,
        }
    }

    /// What `--push-service` allows it by.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// A subscription's endpoint at this service.
    pub fn endpoint(&self, name: &str) -> String {
        format!("http://{}/push/{name}", self.addr)
    }

    /// From now on, answers `status` (with `Retry-After` when given).
    pub fn answer(&self, status: u16, retry_after: Option<&str>) {
        *self.state.answer.lock().unwrap() = (
            status,
            retry_after.map(|after| ("Retry-After", after.to_owned())),
        );
    }

    /// From now on, answers 307 to `location`.
    pub fn redirect(&self, location: &str) {
        *self.state.answer.lock().unwrap() = (307, Some(("Location", location.to_owned())));
    }

    pub fn received(&self) -> Vec<Pushed> {
        self.state.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` messages arrived; returns them all, in order of arrival.
    pub async fn wait_for(&self, n: usize) -> Vec<Pushed> {
        eventually(&format!("{n} push message(s)"), || async {
            let all = self.received();
            (all.len() >= n).then_some(all)
        })
        .await
    }
}

use warp::Reply;
