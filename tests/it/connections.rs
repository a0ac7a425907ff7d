//! Hostile or broken clients cost bounded resources: slow or idle connections are closed after
//! their timeout, heads over the limits get JSON 414/431, slow bodies 408, and the connection
//! caps (per address and overall) never lock a normal client out.

use crate::common;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use crate::common::{TestServer, code};
use dutyduck::clock::Clock;
use dutyduck::http::limits::Limits;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const SHORT: Duration = Duration::from_millis(300);
/// How long a test waits for something that must happen soon; never reached when it works.
const PATIENCE: Duration = Duration::from_secs(5);

async fn start(limits: Limits) -> TestServer {
    TestServer::start_configured(Clock::system(), |c| c.limits = limits).await
}

fn addr(server: &TestServer) -> SocketAddr {
    server.base.trim_start_matches("http://").parse().unwrap()
}

/// A raw connection to the server from the loopback address `127.0.0.<from>`.
async fn connect(server: &TestServer, from: u8) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind((Ipv4Addr::new(127, 0, 0, from), 0).into())
        .unwrap();
    socket.connect(addr(server)).await.unwrap()
}

/// The response at the start of `bytes` once it is whole (head and Content-Length body):
/// its status, head (lowercased) and JSON body.
fn parse_response(bytes: &[u8]) -> Option<(u16, String, Value)> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]).to_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse::<usize>().unwrap());
    let body = bytes.get(end + 4..end + 4 + length)?;
    let status = head[9..12].parse().unwrap();
    Some((
        status,
        head,
        serde_json::from_slice(body).unwrap_or(Value::Null),
    ))
}

/// Reads one whole response.
async fn read_response(stream: &mut TcpStream) -> (u16, String, Value) {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(response) = parse_response(&bytes) {
            return response;
        }
        let n = tokio::time::timeout(PATIENCE, stream.read(&mut buf))
            .await
            .expect("a response in time")
            .expect("read");
        assert!(n > 0, "closed before a whole response: {bytes:?}");
        bytes.extend_from_slice(&buf[..n]);
    }
}

/// Sends `piece` every 50 ms until the server answers (the response is returned) or closes
/// the connection (None).
async fn trickle(stream: &mut TcpStream, piece: &[u8]) -> Option<(u16, String, Value)> {
    let (mut reader, mut writer) = stream.split();
    let trickle = async {
        while writer.write_all(piece).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        std::future::pending::<()>().await;
    };
    let answer = async {
        let mut bytes = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = reader.read(&mut buf).await.unwrap_or(0);
            bytes.extend_from_slice(&buf[..n]);
            if n == 0 || parse_response(&bytes).is_some() {
                return parse_response(&bytes);
            }
        }
    };
    tokio::select! {
        answer = tokio::time::timeout(PATIENCE, answer) => answer.expect("an answer or a close in time"),
        () = trickle => unreachable!(),
    }
}

/// Waits for the server to close the connection; returns how long it took, or None if it
/// did not within `PATIENCE`. Panics if the server sends anything.
async fn closed_after(stream: &mut TcpStream) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    match tokio::time::timeout(PATIENCE, stream.read(&mut buf)).await {
        Err(_) => None,
        Ok(Ok(0) | Err(_)) => Some(started.elapsed()),
        Ok(Ok(n)) => panic!("unexpected bytes: {:?}", String::from_utf8_lossy(&buf[..n])),
    }
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: dutyduck\r\n\r\n";

#[tokio::test]
async fn headers_sent_too_slowly_get_the_connection_closed() {
    let server = start(Limits {
        header_timeout: SHORT,
        ..Limits::default()
    })
    .await;
    let mut stream = connect(&server, 1).await;
    let started = Instant::now();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .unwrap();
    // One header line every 50 ms, never the blank line that ends the head.
    let answer = trickle(&mut stream, b"X-Slow: 1\r\n").await;
    assert!(answer.is_none(), "closed without an answer, got {answer:?}");
    assert!(started.elapsed() >= SHORT - Duration::from_millis(50));
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_timeout() {
    let server = start(Limits {
        header_timeout: SHORT,
        ..Limits::default()
    })
    .await;
    let mut stream = connect(&server, 1).await;
    let took = closed_after(&mut stream).await.expect("closed");
    assert!(took >= SHORT - Duration::from_millis(50), "{took:?}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let server = start(Limits {
        idle_timeout: SHORT,
        ..Limits::default()
    })
    .await;
    let mut stream = connect(&server, 1).await;
    stream.write_all(HEALTHZ).await.unwrap();
    assert_eq!(read_response(&mut stream).await.0, 200);
    // Still open for a second request right away…
    stream.write_all(HEALTHZ).await.unwrap();
    assert_eq!(read_response(&mut stream).await.0, 200);
    // …then closed once idle past the timeout.
    let took = closed_after(&mut stream).await.expect("closed when idle");
    assert!(took >= SHORT - Duration::from_millis(50), "{took:?}");
}

#[tokio::test]
async fn a_body_that_trickles_past_the_body_timeout_gets_408() {
    let server = start(Limits {
        body_timeout: SHORT,
        ..Limits::default()
    })
    .await;
    let mut stream = connect(&server, 1).await;
    stream
        .write_all(
            b"POST /auth/login HTTP/1.1\r\nHost: dutyduck\r\nContent-Type: application/json\r\n\
              Content-Length: 1000\r\n\r\n{",
        )
        .await
        .unwrap();
    let (status, _, body) = trickle(&mut stream, b" ").await.expect("an answer");
    assert_eq!(status, 408);
    assert_eq!(code(&body), "request_timeout", "{body}");
}

#[tokio::test]
async fn too_many_or_too_large_headers_get_431_with_json() {
    let server = TestServer::start().await;
    let mut many = server.request(Method::GET, "/healthz");
    for i in 0..110 {
        many = many.header(format!("x-header-{i}"), "v");
    }
    let large = server
        .request(Method::GET, "/healthz")
        .header("x-large", "a".repeat(20 * 1024));
    for request in [many, large] {
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(code(&body), "header_fields_too_large", "{body}");
    }
    // Far past our limits, hyper refuses the head itself before buffering it.
    let huge = server
        .request(Method::GET, "/healthz")
        .header("x-huge", "a".repeat(400 * 1024))
        .send()
        .await;
    assert!(huge.is_err() || huge.unwrap().status() == 431);
}

#[tokio::test]
async fn an_over_long_url_or_too_many_query_parameters_get_414_with_json() {
    let server = TestServer::start().await;
    let long = format!("/monitors?q={}", "a".repeat(10 * 1024));
    let many = format!("/monitors?{}", vec!["include=up"; 300].join("&"));
    for path in [long, many] {
        let (status, body) = server.anonymous().get(&path).await;
        assert_eq!(status, StatusCode::URI_TOO_LONG);
        assert_eq!(code(&body), "uri_too_long", "{body}");
    }
}

#[tokio::test]
async fn a_method_the_route_does_not_take_gets_405_with_allow() {
    let server = TestServer::start().await;
    let response = server
        .request(Method::TRACE, "/healthz")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    let body: Value = response.json().await.unwrap();
    assert_eq!(code(&body), "method_not_allowed");
}

#[tokio::test]
async fn one_address_cannot_hold_more_than_its_share_of_connections() {
    let server = start(Limits {
        max_connections_per_address: 2,
        ..Limits::default()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = connect(&server, 2).await;
        stream.write_all(HEALTHZ).await.unwrap();
        assert_eq!(read_response(&mut stream).await.0, 200);
        held.push(stream);
    }
    let mut third = connect(&server, 2).await;
    let _ = third.write_all(HEALTHZ).await;
    assert!(
        closed_after(&mut third).await.is_some(),
        "a third connection from 127.0.0.2"
    );
    // Another address is served, and so are the two held connections.
    let (status, _) = server.anonymous().get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    for stream in &mut held {
        stream.write_all(HEALTHZ).await.unwrap();
        assert_eq!(read_response(stream).await.0, 200);
    }
}

/// Behind a reverse proxy every client's connection comes from the proxy's address: a trusted
/// proxy is not held to the per-address cap.
#[tokio::test]
async fn a_trusted_proxy_may_hold_more_connections_than_one_address() {
    let server = TestServer::start_configured(Clock::system(), |c| {
        c.limits.max_connections_per_address = 2;
        c.trusted_proxies =
            dutyduck::http::client_addr::TrustedProxies::new(vec!["127.0.0.2/32".parse().unwrap()]);
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut stream = connect(&server, 2).await;
        stream.write_all(HEALTHZ).await.unwrap();
        assert_eq!(read_response(&mut stream).await.0, 200);
        held.push(stream);
    }
    // Others are still held to it.
    let mut kept = Vec::new();
    for _ in 0..2 {
        let mut stream = connect(&server, 3).await;
        stream.write_all(HEALTHZ).await.unwrap();
        assert_eq!(read_response(&mut stream).await.0, 200);
        kept.push(stream);
    }
    let mut third = connect(&server, 3).await;
    let _ = third.write_all(HEALTHZ).await;
    assert!(
        closed_after(&mut third).await.is_some(),
        "a third from 127.0.0.3"
    );
}

#[tokio::test]
async fn at_the_connection_cap_a_normal_client_still_gets_an_answer() {
    let server = start(Limits {
        max_connections: Some(4),
        ..Limits::default()
    })
    .await;
    // Four connections: two idle after a request, two that never send anything.
    let mut held = Vec::new();
    for i in 0..4 {
        let mut stream = connect(&server, 2).await;
        if i < 2 {
            stream.write_all(HEALTHZ).await.unwrap();
            assert_eq!(read_response(&mut stream).await.0, 200);
        }
        held.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (status, _) = server.anonymous().get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    // The connection idle the longest made room for it.
    assert!(
        closed_after(&mut held[0]).await.is_some(),
        "the oldest idle one"
    );
    held[3].write_all(HEALTHZ).await.unwrap();
    assert_eq!(read_response(&mut held[3]).await.0, 200);
}

#[tokio::test]
async fn stopping_does_not_wait_for_idle_silent_or_half_sent_requests() {
    let mut server = TestServer::start().await;
    let mut idle = connect(&server, 1).await;
    idle.write_all(HEALTHZ).await.unwrap();
    assert_eq!(read_response(&mut idle).await.0, 200);
    let _silent = connect(&server, 1).await;
    let mut half_sent = connect(&server, 1).await;
    half_sent
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    server.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn slow_bodies_cannot_hold_more_memory_than_the_body_budget() {
    let server = start(Limits {
        max_pending_body_bytes: 4096,
        ..Limits::default()
    })
    .await;
    let head = "POST /auth/login HTTP/1.1\r\nHost: dutyduck\r\nContent-Type: application/json\r\n\
                Content-Length: 100000\r\n\r\n";
    let mut slow = connect(&server, 2).await;
    slow.write_all(head.as_bytes()).await.unwrap();
    slow.write_all(&[b' '; 3000]).await.unwrap();
    // A 2 KB body does not fit next to the 3 KB the slow one holds…
    let login = serde_json::json!({"email": "a@example.com", "password": "x".repeat(2000)});
    let busy = common::eventually("the slow body to be held", || async {
        let (status, body) = server.anonymous().post("/auth/login", login.clone()).await;
        (status == StatusCode::SERVICE_UNAVAILABLE).then_some(body)
    })
    .await;
    assert_eq!(code(&busy), "unavailable", "{busy}");
    // …and fits again once the slow client is gone.
    drop(slow);
    common::eventually("room for bodies again", || async {
        let (status, _) = server.anonymous().post("/auth/login", login.clone()).await;
        (status != StatusCode::SERVICE_UNAVAILABLE).then_some(())
    })
    .await;
}
