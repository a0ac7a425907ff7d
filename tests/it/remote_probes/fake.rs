//! A stand-in for the server's side of the probe protocol (`dutyduck::probes::wire`), with the
//! same types: the probe's own tests drive what it is told and see what it sends, and can make
//! the server answer 503 as if it were down. Its clock is the test's (a manual one, ahead of
//! the probe's by `skew`, so results must be on the server's grid, not the probe's).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dutyduck::clock::Clock;
use dutyduck::ids::{MonitorId, ProbeId};
use dutyduck::monitors::kinds::{Kind, KindSettings};
use dutyduck::monitors::remote::{Assignment, Recorded, RemoteResult};
use dutyduck::probes::wire::{Assignments, ProbeSelf, ResultBatch};
use tokio::sync::Notify;
use warp::Filter;
use warp::http::StatusCode;

pub const TOKEN: &str = "ddp_0123456789abcdef0123456789abcdef_secret";

#[derive(Default)]
pub struct State {
    pub version: u64,
    pub monitors: Vec<Assignment>,
    pub results: Vec<RemoteResult>,
    /// Answer 503 to everything.
    pub down: bool,
    /// The `version` of each assignments request, in order.
    pub polls: Vec<String>,
    /// Each request's `X-Probe-Time`.
    pub probe_times: Vec<String>,
}

pub struct Fake {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
}

/// An HTTP assignment of `url` checked every `interval` seconds.
pub fn http(n: u128, url: &str, interval: u32) -> Assignment {
    let input = serde_json::from_value(serde_json::json!({ "url": url })).unwrap();
    let settings = KindSettings::create(Kind::Http, input).unwrap();
    Assignment {
        id: MonitorId(uuid::Uuid::from_u128(n)),
        interval_seconds: interval,
        timeout_ms: 2000,
        kind: Kind::Http,
        settings: serde_json::from_str(&settings.to_stored()).unwrap(),
    }
}

impl Fake {
    pub async fn start(clock: Clock, skew: chrono::Duration) -> Fake {
        let state = Arc::new(Mutex::new(State::default()));
        let changed = Arc::new(Notify::new());
        let (st, ch) = (state.clone(), changed.clone());
        let assignments = warp::get()
            .and(warp::path!("probe" / "assignments"))
            .and(warp::query::<BTreeMap<String, String>>())
            .and(warp::header::optional::<String>("authorization"))
            .and(warp::header::optional::<String>("x-probe-time"))
            .then(move |query: BTreeMap<String, String>, auth, time| {
                let (state, changed, clock) = (st.clone(), ch.clone(), clock.clone());
                async move {
                    if let Some(refused) = refuse(&state, auth, time) {
                        return refused;
                    }
                    let asked = query.get("version").cloned().unwrap_or_default();
                    state.lock().unwrap().polls.push(asked.clone());
                    let wait: u64 = query
                        .get("waitSeconds")
                        .and_then(|w| w.parse().ok())
                        .unwrap_or(25);
                    if asked == state.lock().unwrap().version.to_string() {
                        let _ = tokio::time::timeout(Duration::from_secs(wait), changed.notified())
                            .await;
                    }
                    let s = state.lock().unwrap();
                    let body = Assignments {
                        version: s.version.to_string(),
                        server_time: clock.now() + skew,
                        probe: ProbeSelf {
                            id: ProbeId(uuid::Uuid::from_u128(9)),
                            name: "eu-west".into(),
                            labels: [("region".to_string(), "a".to_string())].into(),
                        },
                        monitors: s.monitors.clone(),
                    };
                    reply(StatusCode::OK, &body)
                }
            });
        let st = state.clone();
        let results = warp::post()
            .and(warp::path!("probe" / "results"))
            .and(warp::header::optional::<String>("authorization"))
            .and(warp::header::optional::<String>("x-probe-time"))
            .and(warp::body::json::<ResultBatch>())
            .then(move |auth, time, batch: ResultBatch| {
                let state = st.clone();
                async move {
                    if let Some(refused) = refuse(&state, auth, time) {
                        return refused;
                    }
                    let accepted = batch.results.len() as u32;
                    state.lock().unwrap().results.extend(batch.results);
                    let recorded = Recorded {
                        accepted,
                        late: 0,
                        ignored: 0,
                    };
                    reply(StatusCode::OK, &recorded)
                }
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(
            warp::serve(assignments.or(results).unify())
                .incoming(listener)
                .run(),
        );
        Fake {
            addr,
            state,
            changed,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A new list, answered at once to a waiting long poll.
    pub fn assign(&self, monitors: Vec<Assignment>) {
        let mut s = self.state.lock().unwrap();
        s.monitors = monitors;
        s.version += 1;
        drop(s);
        self.changed.notify_waiters();
    }

    pub fn set_down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
    }

    pub fn results(&self) -> Vec<RemoteResult> {
        self.state.lock().unwrap().results.clone()
    }

    /// Whether the probe waits on the current version (it has taken the current list).
    pub fn polling_current(&self) -> bool {
        let s = self.state.lock().unwrap();
        s.polls.last() == Some(&s.version.to_string())
    }
}

fn refuse(
    state: &Mutex<State>,
    auth: Option<String>,
    time: Option<String>,
) -> Option<warp::reply::Response> {
    let mut s = state.lock().unwrap();
    if s.down {
        return Some(reply(StatusCode::SERVICE_UNAVAILABLE, &"down"));
    }
    if auth.as_deref() != Some(&format!("Bearer {TOKEN}")) {
        return Some(reply(StatusCode::UNAUTHORIZED, &"no probe token"));
    }
    s.probe_times.push(time.unwrap_or_default());
    None
}

fn reply(status: StatusCode, body: &impl serde::Serialize) -> warp::reply::Response {
    use warp::Reply;
    warp::reply::with_status(warp::reply::json(body), status).into_response()
}
