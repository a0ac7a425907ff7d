//! TCP checks against a real listener on loopback that accepts, answers a banner, answers a
//! line sent to it, stays silent, or is gone (connection refused).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dutyduck::monitors::kinds::CheckKind;
use dutyduck::monitors::kinds::tcp::TcpSettings;
use dutyduck::monitors::model::ErrorKind;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::lifecycle::Watched;

#[derive(Clone)]
enum Reply {
    /// Writes this as soon as a client connects.
    Banner(&'static str),
    /// Answers "PONG" to a line "PING".
    Pong,
    /// Accepts and says nothing.
    Silent,
}

struct Listener {
    port: u16,
    reply: Arc<Mutex<Reply>>,
    task: Option<JoinHandle<()>>,
}

impl Listener {
    async fn start(reply: Reply) -> Listener {
        let socket = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut listener = Listener {
            port: socket.local_addr().unwrap().port(),
            reply: Arc::new(Mutex::new(reply)),
            task: None,
        };
        listener.serve(socket);
        listener
    }

    fn serve(&mut self, socket: TcpListener) {
        let reply = self.reply.clone();
        self.task = Some(tokio::spawn(async move {
            while let Ok((mut stream, _)) = socket.accept().await {
                let reply = reply.lock().unwrap().clone();
                tokio::spawn(async move {
                    match reply {
                        Reply::Banner(text) => {
                            let _ = stream.write_all(text.as_bytes()).await;
                        }
                        Reply::Pong => {
                            let mut line = [0u8; 64];
                            let n = stream.read(&mut line).await.unwrap_or(0);
                            if line[..n].starts_with(b"PING\r\n") {
                                let _ = stream.write_all(b"PONG\r\n").await;
                            }
                        }
                        Reply::Silent => {}
                    }
                    tokio::time::sleep(Duration::from_secs(30)).await;
                });
            }
        }));
    }

    fn set(&self, reply: Reply) {
        *self.reply.lock().unwrap() = reply;
    }

    /// Stops listening: connecting is refused (once the task has ended, the socket is closed).
    async fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// Listens again on the same port.
    async fn restart(&mut self) {
        let socket = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(socket);
    }
}

/// Settings checking 127.0.0.1:`port`, with `extra` fields.
fn settings(port: u16, extra: Value) -> TcpSettings {
    let mut body = json!({"host": "127.0.0.1", "port": port});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    TcpSettings::create(serde_json::from_value(body).unwrap()).unwrap()
}

#[tokio::test]
async fn tcp_checks_against_a_local_listener() {
    let mut listener = Listener::start(Reply::Banner("220 mail.example ESMTP ready\r\n")).await;
    let timeout = Duration::from_millis(500);
    let port = listener.port;
    let check = |extra: Value| {
        let settings = settings(port, extra);
        async move { settings.check(&(), timeout).await }
    };

    let connected = check(json!({})).await;
    assert_eq!(connected.error_kind, ErrorKind::None, "{connected:?}");
    assert!(connected.answered);

    let banner = check(json!({"expect": "220"})).await;
    assert_eq!(banner.error_kind, ErrorKind::None, "{banner:?}");
    assert_eq!(
        banner.details.unwrap()["reply"],
        "220 mail.example ESMTP ready\r\n"
    );

    let wrong = check(json!({"expect": "SSH-"})).await;
    assert_eq!(wrong.error_kind, ErrorKind::Assertion);
    assert_eq!(
        wrong.error.as_deref(),
        Some(r#"expected "SSH-" in the reply, got "220 mail.example ESMTP ready\r\n""#)
    );

    listener.set(Reply::Pong);
    let pong = check(json!({"send": "PING", "expect": "PONG"})).await;
    assert_eq!(pong.error_kind, ErrorKind::None, "{pong:?}");

    listener.set(Reply::Silent);
    let silent = check(json!({"expect": "220"})).await;
    assert_eq!(silent.error_kind, ErrorKind::Timeout);
    assert_eq!(
        silent.error.as_deref(),
        Some(r#"no reply (expected "220") within 500 ms"#)
    );
    assert!(!silent.answered, "a timeout measures no response time");

    listener.stop().await;
    let refused = check(json!({})).await;
    assert_eq!(refused.error_kind, ErrorKind::Connect);
    assert_eq!(refused.error.as_deref(), Some("connection refused"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tcp_monitor_goes_down_and_recovers_with_its_incident_and_notifications() {
    let mut listener = Listener::start(Reply::Banner("220 ready\r\n")).await;
    let mut watched = Watched::start(
        json!({"kind": "tcp", "host": "127.0.0.1", "port": listener.port, "expect": "220"}),
    )
    .await;
    let m = watched.get().await;
    assert_eq!(m["monitor"]["status"], "up", "{m}");
    assert_eq!(
        m["monitor"]["name"], "127.0.0.1",
        "the host names it by default"
    );
    assert_eq!(
        m["monitor"]["target"],
        format!("tcp://127.0.0.1:{}", listener.port)
    );
    assert_eq!(m["monitor"]["lastCheckDetails"]["reply"], "220 ready\r\n");
    assert!(m["monitor"]["lastResponseTimeMs"].is_u64());

    listener.set(Reply::Banner("554 go away\r\n"));
    let down = watched.goes_down("assertion").await;
    assert_eq!(
        down["monitor"]["lastError"],
        r#"expected "220" in the reply, got "554 go away\r\n""#
    );
    listener.set(Reply::Banner("220 ready\r\n"));
    watched.comes_back().await;

    listener.stop().await;
    let down = watched.goes_down("connect").await;
    assert_eq!(down["monitor"]["lastError"], "connection refused");
    assert!(down["monitor"]["lastResponseTimeMs"].is_null());
    listener.restart().await;
    watched.comes_back().await;

    let (_, checks) = watched
        .server
        .as_(&watched.token)
        .get(&format!("/monitors/{}/checks", watched.id))
        .await;
    let first = &checks["items"][0];
    assert_eq!(first["details"]["reply"], "220 ready\r\n", "{checks}");

    let results =
        |result: &str| format!("dutyduck_check_results_total{{kind=\"tcp\",result=\"{result}\"}}");
    assert_eq!(watched.server.metric(&results("ok")).await, 3.0);
    assert_eq!(watched.server.metric(&results("failed")).await, 2.0);

    // The list filters by kind.
    let api = || watched.server.as_(&watched.token);
    api()
        .create(
            "/monitors",
            json!({"url": "https://a.example", "isActive": false}),
        )
        .await;
    let names = |items: Vec<Value>| -> Vec<String> {
        items
            .iter()
            .map(|m| m["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(api().items("/monitors?kind=tcp").await), ["tcp"]);
    assert_eq!(names(api().items("/monitors?kind=http").await), ["http"]);
    assert_eq!(
        names(api().items("/monitors?kind=http&kind=tcp").await).len(),
        2
    );
    // The original clients' path lists what they know: HTTP monitors.
    let original = api().items("/http-monitors").await;
    let urls: Vec<&str> = original
        .iter()
        .map(|m| m["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls, ["https://a.example/"]);
    let (status, error) = api().get("/monitors?kind=gopher").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tcp_settings_are_checked_field_by_field() {
    let listener = Listener::start(Reply::Silent).await;
    let watched =
        Watched::start(json!({"kind": "tcp", "host": "127.0.0.1", "port": listener.port})).await;
    let api = || watched.server.as_(&watched.token);
    let cases = [
        (json!({"kind": "tcp", "port": 22}), "host"),
        (json!({"kind": "tcp", "host": "db.internal"}), "port"),
        (
            json!({"kind": "tcp", "host": "db.internal", "port": 65536}),
            "port",
        ),
        (
            json!({"kind": "tcp", "host": "not a host", "port": 22}),
            "host",
        ),
        (
            json!({"kind": "tcp", "host": "db.internal", "port": 22, "url": "https://a.example"}),
            "url",
        ),
        (
            json!({"url": "https://a.example", "host": "db.internal"}),
            "host",
        ),
    ];
    for (body, field) in cases {
        watched.create_refused(body, field).await;
    }

    let path = format!("/monitors/{}", watched.id);
    watched.patch_refused(json!({"kind": "http"}), "kind").await;
    let (status, patched) = api()
        .patch(&path, json!({"expect": "SSH-", "port": 2222}))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(
        (patched["kind"].as_str(), patched["port"].as_u64()),
        (Some("tcp"), Some(2222))
    );
    assert_eq!(patched["expect"], "SSH-");
}
