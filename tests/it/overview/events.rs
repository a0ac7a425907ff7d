//! `GET /events` read by a real HTTP client: a change arrives within a second (a task's run
//! starting and failing too), another organization's never does, strangers get 401, the stream outlives the idle timeout, and it
//! does not hold up a shutdown.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{TestServer, Token};
use chrono::Utc;
use dutyduck::clock::Clock;

/// An open event stream and what was read of it but not parsed yet.
struct Stream {
    body: futures_util::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buffer: String,
}

impl Stream {
    async fn open(server: &TestServer, token: &Token) -> Stream {
        let response = server
            .as_(token)
            .request(Method::GET, "/events")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()["content-type"].to_str().unwrap();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        let mut stream = Stream {
            body: response.bytes_stream().boxed(),
            buffer: String::new(),
        };
        // The greeting says how long to wait before reconnecting.
        assert!(stream.next_block().await.contains("retry:2000"));
        stream
    }

    /// The next event or comment (lines up to a blank line).
    async fn next_block(&mut self) -> String {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block = self.buffer[..end].to_owned();
                self.buffer.drain(..end + 2);
                return block;
            }
            let chunk = self.body.next().await.expect("the stream goes on").unwrap();
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The subject of the next `change` event, heartbeats skipped.
    async fn next_change(&mut self) -> String {
        loop {
            let block = self.next_block().await;
            if !block.lines().any(|l| l == "event:change") {
                continue;
            }
            let data = block.lines().find_map(|l| l.strip_prefix("data:")).unwrap();
            let v: serde_json::Value = serde_json::from_str(data).unwrap();
            return v["subject"].as_str().unwrap().to_owned();
        }
    }

    /// `next_change`, which must come within a second.
    async fn change_within_a_second(&mut self) -> String {
        tokio::time::timeout(Duration::from_secs(1), self.next_change())
            .await
            .expect("a change within 1 s")
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_arrives_within_a_second_and_only_to_its_organization() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let bob = server.user_with_token("bob@example.com", "Globex");
    let mut ada_stream = Stream::open(&server, &ada).await;
    let mut bob_stream = Stream::open(&server, &bob).await;

    server
        .as_(&ada)
        .create(
            "/monitors",
            json!({"name": "Shop", "url": "http://127.0.0.1:9/", "intervalSeconds": 60}),
        )
        .await;
    assert_eq!(ada_stream.change_within_a_second().await, "monitors");
    // Bob's own change after Ada's: had hers reached him, it would come first.
    server
        .as_(&bob)
        .create("/incidents", json!({"title": "Globex is down"}))
        .await;
    assert_eq!(bob_stream.change_within_a_second().await, "incidents");
    server
        .as_(&ada)
        .create("/incidents", json!({"title": "Acme is down"}))
        .await;
    assert_eq!(ada_stream.change_within_a_second().await, "incidents");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_starting_and_failing_is_heard_by_the_task_page() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let created = server
        .as_(&ada)
        .create("/tasks", json!({"id": "cleanup"}))
        .await;
    let key = created["pingKey"].as_str().unwrap();
    let mut stream = Stream::open(&server, &ada).await;

    // The task page reloads on `tasks`: the start (running), then the failure (failing).
    for (path, status) in [("start", "running"), ("fail", "failing")] {
        let ping = server
            .request(Method::POST, &format!("/ping/{key}/{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(ping.status(), StatusCode::OK);
        assert_eq!(stream.change_within_a_second().await, "tasks", "{path}");
        let task = server.as_(&ada).get_ok("/tasks/cleanup").await;
        assert_eq!(task["task"]["status"], status, "{task}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn strangers_get_401() {
    let server = TestServer::start().await;
    let (status, body) = server.anonymous().get("/events").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["error"]["code"].is_string());
}

/// With a 1 s idle timeout, a stream quiet for 2 s is still open and still delivers; and
/// stopping the server closes it instead of waiting for it to end.
#[tokio::test(flavor = "multi_thread")]
async fn the_stream_outlives_the_idle_timeout_and_ends_at_shutdown() {
    let mut server = TestServer::start_configured(Clock::manual(Utc::now()), |c| {
        c.limits.idle_timeout = Duration::from_secs(1);
    })
    .await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let mut stream = Stream::open(&server, &ada).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    server
        .as_(&ada)
        .create("/incidents", json!({"title": "Acme is down"}))
        .await;
    assert_eq!(stream.change_within_a_second().await, "incidents");

    let started = Instant::now();
    server.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "shutdown waited {:?} for the stream",
        started.elapsed()
    );
    let rest = tokio::time::timeout(Duration::from_secs(1), stream.body.next()).await;
    assert!(
        matches!(rest, Ok(None) | Ok(Some(Err(_)))),
        "the stream ended"
    );
}
