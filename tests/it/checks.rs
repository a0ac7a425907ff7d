//! HTTP(S) checks against real servers on loopback: a hand-written HTTP/1.1 responder on tokio,
//! and a blocking rustls server with an rcgen self-signed certificate.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use crate::common;

use dutyduck::monitors::check::{CheckOutcome, CheckSpec, Checker};
use dutyduck::monitors::model::ErrorKind;
use dutyduck::monitors::settings::{Assertion, StatusRanges};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BIG: usize = 3 * 1024 * 1024;

/// Reads one request (head, then a Content-Length body), bounded to 64 KiB.
async fn read_request(
    stream: &mut tokio::net::TcpStream,
) -> Option<(String, String, String, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream
            .read(&mut chunk)
            .await
            .ok()
            .filter(|n| *n > 0 && buf.len() < 65536)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut words = head.split_whitespace();
    let (method, path) = (words.next()?.to_string(), words.next()?.to_string());
    let header = |name: &str| {
        head.lines().find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_string())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
        .min(65536);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).to_string();
    Some((method, path, header("x-test").unwrap_or_default(), body))
}

async fn handle(mut stream: tokio::net::TcpStream) {
    let Some((method, path, x_test, body)) = read_request(&mut stream).await else {
        return;
    };
    let json = r#"{"status":"ok","n":42,"items":[{"name":"db","up":true}]}"#.to_string();
    let (status, extra, body) = match path.as_str() {
        "/ok" => (200, "", "all systems ok".to_string()),
        "/500" => (500, "", "boom".to_string()),
        "/json" => (200, "Content-Type: application/json\r\n", json),
        "/redirect" => (302, "Location: /ok\r\n", String::new()),
        "/loop" => (302, "Location: /loop\r\n", String::new()),
        "/echo" => (200, "", format!("{method} {x_test} {body}")),
        "/big" => (200, "", format!("needle{}tail", "a".repeat(BIG - 10))),
        "/delay" => {
            tokio::time::sleep(Duration::from_millis(200)).await;
            (200, "", "late".to_string())
        }
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(2)).await;
            (200, "", "too late".to_string())
        }
        _ => (404, "", "no such path".to_string()),
    };
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
        body.len()
    );
    // The client may hang up early (1 MiB cap, timeouts): write errors are expected.
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// A plain HTTP server on loopback for at most 64 connections; returns its base URL.
async fn http_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        for _ in 0..64 {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(handle(stream));
        }
    });
    base
}

fn spec(url: String) -> CheckSpec {
    CheckSpec {
        url,
        method: "GET".into(),
        headers: BTreeMap::new(),
        body: None,
        timeout: Duration::from_secs(5),
        follow_redirects: true,
        verify_tls: true,
        accepted: StatusRanges::parse(StatusRanges::DEFAULT).unwrap(),
        assertion: None,
        response_time_threshold: None,
        auth: None,
    }
}

fn assert_outcome(
    name: &str,
    got: &CheckOutcome,
    kind: ErrorKind,
    code: Option<u16>,
    message: Option<&str>,
) {
    assert_eq!(
        (got.error_kind, got.http_code),
        (kind, code),
        "{name}: {got:?}"
    );
    match message {
        None => assert_eq!(got.error, None, "{name}"),
        Some(prefix) => assert!(
            got.error.as_deref().is_some_and(|m| m.starts_with(prefix)),
            "{name}: {got:?}"
        ),
    }
    assert_eq!(got.ok(), kind == ErrorKind::None, "{name}");
}

#[tokio::test]
async fn http_checks_against_a_local_server() {
    let base = http_server().await;
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", listener.local_addr().unwrap())
    }; // dropped: nothing listens there any more
    let url = |path: &str| format!("{base}{path}");
    let with = |path: &str, f: &dyn Fn(&mut CheckSpec)| {
        let mut s = spec(url(path));
        f(&mut s);
        s
    };
    let asserting = |a: Assertion| move |s: &mut CheckSpec| s.assertion = Some(a.clone());
    let contains = |v: &str| asserting(Assertion::BodyContains { value: v.into() });
    let regex = |v: &str| asserting(Assertion::Regex { value: v.into() });
    let pointer = |p: &str, v: serde_json::Value| {
        asserting(Assertion::JsonPointer {
            pointer: p.into(),
            value: v,
        })
    };
    // (name, spec, expected kind, expected status code, expected message prefix)
    let cases: Vec<(&str, CheckSpec, ErrorKind, Option<u16>, Option<&str>)> = vec![
        ("up", spec(url("/ok")), ErrorKind::None, Some(200), None),
        (
            "500",
            spec(url("/500")),
            ErrorKind::HttpCode,
            Some(500),
            Some("status 500 not accepted (200-399)"),
        ),
        (
            "404 with custom ranges",
            with("/nope", &|s| {
                s.accepted = StatusRanges::parse("200-299,301,418").unwrap()
            }),
            ErrorKind::HttpCode,
            Some(404),
            Some("status 404 not accepted (200-299,301,418)"),
        ),
        (
            "refused",
            spec(refused),
            ErrorKind::Connect,
            None,
            Some("connection refused"),
        ),
        (
            "timeout",
            with("/slow", &|s| s.timeout = Duration::from_millis(300)),
            ErrorKind::Timeout,
            None,
            Some("timed out after 300 ms"),
        ),
        (
            "slow",
            with("/delay", &|s| {
                s.response_time_threshold = Some(Duration::from_millis(50))
            }),
            ErrorKind::Slow,
            Some(200),
            Some("response took "),
        ),
        (
            "under the threshold",
            with("/ok", &|s| {
                s.response_time_threshold = Some(Duration::from_secs(4))
            }),
            ErrorKind::None,
            Some(200),
            None,
        ),
        (
            "contains",
            with("/ok", &contains("systems ok")),
            ErrorKind::None,
            Some(200),
            None,
        ),
        (
            "wrong content",
            with("/ok", &contains("healthy")),
            ErrorKind::Assertion,
            Some(200),
            Some(r#"body does not contain "healthy""#),
        ),
        (
            "not contains",
            with(
                "/ok",
                &asserting(Assertion::BodyNotContains {
                    value: "error".into(),
                }),
            ),
            ErrorKind::None,
            Some(200),
            None,
        ),
        (
            "contains unwanted",
            with(
                "/ok",
                &asserting(Assertion::BodyNotContains { value: "ok".into() }),
            ),
            ErrorKind::Assertion,
            Some(200),
            Some(r#"body contains "ok", expected it not to"#),
        ),
        (
            "regex",
            with("/json", &regex(r#""n":\s*\d+"#)),
            ErrorKind::None,
            Some(200),
            None,
        ),
        (
            "regex mismatch",
            with("/ok", &regex("^down")),
            ErrorKind::Assertion,
            Some(200),
            Some(r#"body does not match the regular expression "^down""#),
        ),
        (
            "json pointer",
            with("/json", &pointer("/items/0/name", json!("db"))),
            ErrorKind::None,
            Some(200),
            None,
        ),
        (
            "json pointer, number as text",
            with("/json", &pointer("/n", json!("42"))),
            ErrorKind::None,
            Some(200),
            None,
        ),
        (
            "json pointer mismatch",
            with("/json", &pointer("/items/0/up", json!(false))),
            ErrorKind::Assertion,
            Some(200),
            Some(r#"JSON at "/items/0/up" is true, expected false"#),
        ),
        (
            "json pointer missing",
            with("/json", &pointer("/items/3", json!(1))),
            ErrorKind::Assertion,
            Some(200),
            Some(r#"JSON pointer "/items/3" not found in the body; expected 1"#),
        ),
        (
            "json on a non-JSON body",
            with("/ok", &pointer("/n", json!(1))),
            ErrorKind::Assertion,
            Some(200),
            Some("body is not JSON"),
        ),
        (
            "redirect followed",
            spec(url("/redirect")),
            ErrorKind::None,
            Some(200),
            None,
        ),
        (
            "redirect not followed",
            with("/redirect", &|s| {
                s.follow_redirects = false;
                s.accepted = StatusRanges::parse("200-299").unwrap();
            }),
            ErrorKind::HttpCode,
            Some(302),
            Some("status 302 not accepted (200-299); redirects to /ok"),
        ),
        (
            "redirect not followed, 3xx accepted",
            with("/redirect", &|s| s.follow_redirects = false),
            ErrorKind::None,
            Some(302),
            None,
        ),
        (
            "redirect loop",
            spec(url("/loop")),
            ErrorKind::Redirect,
            None,
            Some("too many redirects (more than 10)"),
        ),
        (
            "method, headers and body are sent",
            with("/echo", &|s| {
                s.method = "POST".into();
                s.headers.insert("X-Test".into(), "hello".into());
                s.body = Some("payload".into());
                s.assertion = Some(Assertion::BodyContains {
                    value: "POST hello payload".into(),
                });
            }),
            ErrorKind::None,
            Some(200),
            None,
        ),
        (
            "only the first MiB is read",
            with("/big", &contains("needle")),
            ErrorKind::None,
            Some(200),
            None,
        ),
        (
            "nothing past the first MiB",
            with("/big", &contains("tail")),
            ErrorKind::Assertion,
            Some(200),
            Some(r#"body does not contain "tail""#),
        ),
        (
            "bad header",
            with("/ok", &|s| {
                s.headers.insert("bad header".into(), "x".into());
            }),
            ErrorKind::Builder,
            None,
            Some("invalid request"),
        ),
        (
            "bad method",
            with("/ok", &|s| s.method = "NO GOOD".into()),
            ErrorKind::Builder,
            None,
            Some(r#"invalid method "NO GOOD""#),
        ),
        (
            "bad url",
            spec("http://".into()),
            ErrorKind::Builder,
            None,
            Some("invalid request"),
        ),
    ];
    let checker = Checker::new();
    let outcomes =
        futures_util::future::join_all(cases.iter().map(|(_, spec, ..)| checker.check(spec))).await;
    for ((name, spec, kind, code, message), got) in cases.iter().zip(&outcomes) {
        assert_outcome(name, got, *kind, *code, *message);
        assert_eq!(got.tls_expires_at, None, "{name}");
        let limit = spec.timeout.as_millis() as u32;
        assert!(got.response_time_ms <= limit + 1000, "{name}: {got:?}");
    }
    let by_name = |n: &str| &outcomes[cases.iter().position(|c| c.0 == n).unwrap()];
    assert!(
        (300..2000).contains(&by_name("timeout").response_time_ms),
        "{:?}",
        by_name("timeout")
    );
    assert!(
        by_name("slow").response_time_ms >= 200,
        "{:?}",
        by_name("slow")
    );
    assert!(
        by_name("slow")
            .error
            .as_deref()
            .unwrap()
            .ends_with("ms, over the 50 ms threshold")
    );
}

#[tokio::test]
async fn https_with_a_self_signed_certificate() {
    let not_after = SystemTime::now() + Duration::from_secs(5 * 86_400);
    let expected = chrono::DateTime::<chrono::Utc>::from(not_after);
    let checker = Checker::new();

    let strict = checker
        .check(&spec(common::target::https_server(not_after)))
        .await;
    assert_outcome(
        "verified",
        &strict,
        ErrorKind::Tls,
        None,
        Some("TLS: invalid peer certificate"),
    );
    assert_eq!(strict.tls_expires_at, None);

    let lenient = checker
        .check(&CheckSpec {
            verify_tls: false,
            ..spec(common::target::https_server(not_after))
        })
        .await;
    assert_outcome("not verified", &lenient, ErrorKind::None, Some(200), None);
    let got = lenient
        .tls_expires_at
        .expect("the leaf certificate's notAfter");
    assert!(
        (got - expected).num_seconds().abs() < 60,
        "{got} vs {expected}"
    );
}

mod dns;
mod http_extras;
mod icmp;
mod lifecycle;
mod tcp;
mod tls;
