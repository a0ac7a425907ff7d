//! DNS checks against a real resolver on loopback: a UDP and TCP responder on one port, built
//! with hickory-proto's messages, that answers records, answers an error code (NXDOMAIN,
//! SERVFAIL), stays silent, answers a truncated UDP message (the records come over TCP), answers
//! garbage, or is gone (the UDP query is refused by an ICMP port unreachable).

use std::net::Ipv4Addr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dutyduck::monitors::kinds::CheckKind;
use dutyduck::monitors::kinds::dns::DnsSettings;
use dutyduck::monitors::model::ErrorKind;
use hickory_proto::op::{Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME, MX, TXT};
use hickory_proto::rr::{Name, RData, Record};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::task::JoinHandle;

use super::lifecycle::Watched;

#[derive(Clone)]
enum Mode {
    /// NOERROR with these records (whatever the type asked: the check keeps the type it asked).
    Records(Vec<RData>),
    /// This response code and no records.
    Rcode(ResponseCode),
    /// Reads and answers nothing.
    Silent,
    /// Over UDP, an empty answer marked truncated; over TCP, these records.
    Truncated(Vec<RData>),
    /// Over UDP, an empty answer marked truncated; over TCP, nothing.
    TruncatedThenSilent,
    /// Bytes that are no DNS message.
    Garbage,
}

fn a(ip: &str) -> RData {
    RData::A(A(Ipv4Addr::from_str(ip).unwrap()))
}

fn name(text: &str) -> Name {
    Name::from_ascii(text).unwrap()
}

/// The answer to `query` in `mode` (None: no answer), as bytes.
fn respond(query: &[u8], mode: &Mode, over_udp: bool) -> Option<Vec<u8>> {
    if let Mode::Garbage = mode {
        return Some(b"not dns".to_vec());
    }
    let query = Message::from_vec(query).ok()?;
    let mut answer = Message::response(query.metadata.id, OpCode::Query);
    answer.metadata.recursion_desired = query.metadata.recursion_desired;
    answer.metadata.recursion_available = true;
    let asked = query.queries.first()?.name().clone();
    answer.add_queries(query.queries.clone());
    let records = match mode {
        Mode::Records(records) => records.clone(),
        Mode::Truncated(_) | Mode::TruncatedThenSilent if over_udp => {
            answer.metadata.truncation = true;
            Vec::new()
        }
        Mode::Truncated(records) => records.clone(),
        Mode::Rcode(code) => {
            answer.metadata.response_code = *code;
            Vec::new()
        }
        Mode::Silent | Mode::Garbage | Mode::TruncatedThenSilent => return None,
    };
    for data in records {
        answer.add_answer(Record::from_rdata(asked.clone(), 60, data));
    }
    answer.to_vec().ok()
}

struct Resolver {
    port: u16,
    mode: Arc<Mutex<Mode>>,
    /// How many queries came over TCP.
    tcp_queries: Arc<Mutex<usize>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Resolver {
    async fn start(mode: Mode) -> Resolver {
        // The TCP port of the same number may be taken: try a few UDP ports.
        for _ in 0..20 {
            let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let port = udp.local_addr().unwrap().port();
            let Ok(tcp) = TcpListener::bind(("127.0.0.1", port)).await else {
                continue;
            };
            let mut resolver = Resolver {
                port,
                mode: Arc::new(Mutex::new(mode)),
                tcp_queries: Arc::new(Mutex::new(0)),
                tasks: Vec::new(),
            };
            resolver.serve(udp, tcp);
            return resolver;
        }
        panic!("no port free for both UDP and TCP");
    }

    fn serve(&mut self, udp: UdpSocket, tcp: TcpListener) {
        let mode = self.mode.clone();
        self.tasks.push(tokio::spawn(async move {
            let mut buffer = vec![0u8; 4096];
            while let Ok((n, peer)) = udp.recv_from(&mut buffer).await {
                let mode = mode.lock().unwrap().clone();
                if let Some(reply) = respond(&buffer[..n], &mode, true) {
                    let _ = udp.send_to(&reply, peer).await;
                }
            }
        }));
        let mode = self.mode.clone();
        let tcp_queries = self.tcp_queries.clone();
        self.tasks.push(tokio::spawn(async move {
            while let Ok((stream, _)) = tcp.accept().await {
                let mode = mode.clone();
                let tcp_queries = tcp_queries.clone();
                tokio::spawn(async move { serve_tcp(stream, mode, tcp_queries).await });
            }
        }));
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// Closes both sockets: a UDP query to the port is then refused (ICMP port unreachable).
    async fn stop(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
            let _ = task.await;
        }
    }

    /// Serves again on the same port.
    async fn restart(&mut self) {
        let udp = UdpSocket::bind(("127.0.0.1", self.port)).await.unwrap();
        let tcp = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(udp, tcp);
    }
}

/// One query over TCP (two-byte length, message), answered in the current mode.
async fn serve_tcp(mut stream: TcpStream, mode: Arc<Mutex<Mode>>, queries: Arc<Mutex<usize>>) {
    let mut length = [0u8; 2];
    if stream.read_exact(&mut length).await.is_err() {
        return;
    }
    let mut query = vec![0u8; usize::from(u16::from_be_bytes(length))];
    if stream.read_exact(&mut query).await.is_err() {
        return;
    }
    *queries.lock().unwrap() += 1;
    let mode = mode.lock().unwrap().clone();
    match respond(&query, &mode, false) {
        Some(reply) => {
            let mut framed = u16::try_from(reply.len()).unwrap().to_be_bytes().to_vec();
            framed.extend_from_slice(&reply);
            let _ = stream.write_all(&framed).await;
        }
        None => tokio::time::sleep(Duration::from_secs(30)).await,
    }
}

/// Settings asking www.example.com of the resolver on `port`, with `extra` fields.
fn settings(port: u16, extra: Value) -> DnsSettings {
    let mut body = json!({"dnsName": "www.example.com", "resolver": format!("127.0.0.1:{port}")});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    DnsSettings::create(serde_json::from_value(body).unwrap()).unwrap()
}

#[tokio::test]
async fn dns_checks_against_a_local_resolver() {
    let mut resolver = Resolver::start(Mode::Records(vec![a("192.0.2.1"), a("192.0.2.2")])).await;
    let timeout = Duration::from_millis(500);
    let port = resolver.port;
    let check = |extra: Value| {
        let settings = settings(port, extra);
        async move { settings.check(&(), timeout).await }
    };

    // Resolves: the records kept as details.
    let resolves = check(json!({})).await;
    assert_eq!(resolves.error_kind, ErrorKind::None, "{resolves:?}");
    assert!(resolves.answered);
    assert_eq!(
        resolves.details.unwrap(),
        json!({"resolver": format!("127.0.0.1:{port}"), "protocol": "udp", "rcode": "NOERROR",
               "records": ["192.0.2.1", "192.0.2.2"]})
    );

    // Expected values: any of them, or all of them.
    let any = check(json!({"expectedValues": ["192.0.2.9", "192.0.2.2"]})).await;
    assert_eq!(any.error_kind, ErrorKind::None, "{any:?}");
    let all =
        check(json!({"expectedValues": ["192.0.2.1", "192.0.2.9"], "valuesMatch": "all"})).await;
    assert_eq!(all.error_kind, ErrorKind::Assertion);
    assert_eq!(
        all.error.as_deref(),
        Some(
            r#"expected all of ["192.0.2.1", "192.0.2.9"], missing ["192.0.2.9"], got ["192.0.2.1", "192.0.2.2"]"#
        )
    );
    assert!(all.answered, "an answer, if not the expected one, is timed");

    // Wrong values.
    resolver.set(Mode::Records(vec![a("198.51.100.7")]));
    let wrong = check(json!({"expectedValues": ["192.0.2.1"]})).await;
    assert_eq!(wrong.error_kind, ErrorKind::Assertion);
    assert_eq!(
        wrong.error.as_deref(),
        Some(r#"expected one of ["192.0.2.1"], got ["198.51.100.7"]"#)
    );
    assert_eq!(wrong.details.unwrap()["records"], json!(["198.51.100.7"]));

    // Only records of the type asked count: a CNAME alone resolves no A record.
    resolver.set(Mode::Records(vec![RData::CNAME(CNAME(name(
        "elsewhere.example.net.",
    )))]));
    let dangling = check(json!({})).await;
    assert_eq!(dangling.error_kind, ErrorKind::Assertion);
    assert_eq!(
        dangling.error.as_deref(),
        Some("no A records for www.example.com")
    );
    let cname =
        check(json!({"recordType": "CNAME", "expectedValues": ["Elsewhere.example.net"]})).await;
    assert_eq!(cname.error_kind, ErrorKind::None, "{cname:?}");
    assert_eq!(
        cname.details.unwrap()["records"],
        json!(["elsewhere.example.net."])
    );

    // Other types, written as their records are.
    resolver.set(Mode::Records(vec![
        RData::MX(MX::new(10, name("mail.example.com."))),
        RData::TXT(TXT::new(vec!["v=spf1 -all".into()])),
    ]));
    let mx = check(json!({"recordType": "MX", "expectedValues": ["mail.example.com"]})).await;
    assert_eq!(mx.error_kind, ErrorKind::None, "{mx:?}");
    assert_eq!(
        mx.details.unwrap()["records"],
        json!(["10 mail.example.com."])
    );
    let txt = check(json!({"recordType": "TXT", "expectedValues": ["v=spf1 -all"]})).await;
    assert_eq!(txt.error_kind, ErrorKind::None, "{txt:?}");

    // Response codes: NXDOMAIN is down unless expected; SERVFAIL is down.
    resolver.set(Mode::Rcode(ResponseCode::NXDomain));
    let nxdomain = check(json!({})).await;
    assert_eq!(nxdomain.error_kind, ErrorKind::Assertion);
    assert_eq!(
        nxdomain.error.as_deref(),
        Some("answered NXDOMAIN, expected NOERROR")
    );
    assert_eq!(nxdomain.details.as_ref().unwrap()["rcode"], "NXDOMAIN");
    let expected = check(json!({"expectedRcode": "NXDOMAIN"})).await;
    assert_eq!(expected.error_kind, ErrorKind::None, "{expected:?}");
    resolver.set(Mode::Rcode(ResponseCode::ServFail));
    let servfail = check(json!({})).await;
    assert_eq!(
        (servfail.error_kind, servfail.error.as_deref()),
        (
            ErrorKind::Assertion,
            Some("answered SERVFAIL, expected NOERROR")
        )
    );
    resolver.set(Mode::Rcode(ResponseCode::NoError));
    let empty = check(json!({"recordType": "AAAA"})).await;
    assert_eq!(
        empty.error.as_deref(),
        Some("no AAAA records for www.example.com")
    );

    // A truncated UDP answer: asked again over TCP.
    resolver.set(Mode::Truncated(vec![a("192.0.2.1")]));
    let truncated = check(json!({"expectedValues": ["192.0.2.1"]})).await;
    assert_eq!(truncated.error_kind, ErrorKind::None, "{truncated:?}");
    let details = truncated.details.unwrap();
    assert_eq!(
        (&details["protocol"], &details["records"]),
        (&json!("tcp"), &json!(["192.0.2.1"]))
    );
    assert_eq!(*resolver.tcp_queries.lock().unwrap(), 1);

    // Garbage: not a DNS message.
    resolver.set(Mode::Garbage);
    let garbage = check(json!({})).await;
    assert_eq!(garbage.error_kind, ErrorKind::Decode, "{garbage:?}");
    assert!(
        garbage
            .error
            .as_deref()
            .unwrap()
            .starts_with(&format!("undecodable answer from 127.0.0.1:{port}: ")),
        "{garbage:?}"
    );

    // No answer: a timeout, within the timeout.
    resolver.set(Mode::Silent);
    let started = Instant::now();
    let silent = check(json!({})).await;
    assert!(started.elapsed() < timeout + Duration::from_millis(200));
    assert_eq!(silent.error_kind, ErrorKind::Timeout);
    assert_eq!(
        silent.error.as_deref(),
        Some(format!("no answer from 127.0.0.1:{port} within 500 ms").as_str())
    );
    assert!(!silent.answered, "a timeout measures no response time");
    assert_eq!(
        silent.details.unwrap()["resolver"],
        format!("127.0.0.1:{port}")
    );

    // Gone: the UDP query is refused.
    resolver.stop().await;
    let started = Instant::now();
    let refused = check(json!({})).await;
    assert!(started.elapsed() < timeout);
    assert_eq!(refused.error_kind, ErrorKind::Connect, "{refused:?}");
    assert_eq!(
        refused.error.as_deref(),
        Some(format!("connection refused (127.0.0.1:{port})").as_str())
    );
}

#[tokio::test]
async fn a_truncated_answer_whose_tcp_fallback_fails_is_a_failure_within_the_timeout() {
    // UDP answers truncated, and nothing listens on TCP: refused over TCP.
    let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = udp.local_addr().unwrap().port();
    let truncating = tokio::spawn(async move {
        let mut buffer = vec![0u8; 4096];
        while let Ok((n, peer)) = udp.recv_from(&mut buffer).await {
            let reply = respond(&buffer[..n], &Mode::Truncated(Vec::new()), true).unwrap();
            let _ = udp.send_to(&reply, peer).await;
        }
    });
    let timeout = Duration::from_millis(500);
    let refused = settings(port, json!({})).check(&(), timeout).await;
    assert_eq!(refused.error_kind, ErrorKind::Connect, "{refused:?}");
    assert_eq!(
        refused.error.as_deref(),
        Some(format!("connection refused (127.0.0.1:{port} over TCP)").as_str())
    );
    assert_eq!(refused.details.unwrap()["protocol"], "tcp");
    truncating.abort();

    // TCP accepts and stays silent: a timeout, within the timeout.
    let resolver = Resolver::start(Mode::TruncatedThenSilent).await;
    let started = Instant::now();
    let silent = settings(resolver.port, json!({})).check(&(), timeout).await;
    assert!(started.elapsed() < timeout + Duration::from_millis(200));
    assert_eq!(silent.error_kind, ErrorKind::Timeout, "{silent:?}");
    assert_eq!(
        silent.error.as_deref(),
        Some(
            format!(
                "no answer from 127.0.0.1:{} over TCP within 500 ms",
                resolver.port
            )
            .as_str()
        )
    );
    assert_eq!(*resolver.tcp_queries.lock().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dns_monitor_goes_down_and_recovers_with_its_incident_and_notifications() {
    let mut resolver = Resolver::start(Mode::Records(vec![a("192.0.2.1")])).await;
    let resolver_address = format!("127.0.0.1:{}", resolver.port);
    let mut watched = Watched::start(json!({"kind": "dns", "dnsName": "www.example.com",
        "resolver": resolver_address, "expectedValues": ["192.0.2.1"], "requestTimeoutMs": 500}))
    .await;
    let m = watched.get().await;
    assert_eq!(m["monitor"]["status"], "up", "{m}");
    assert_eq!(
        m["monitor"]["name"], "www.example.com",
        "the name queried names it by default"
    );
    assert_eq!(
        m["monitor"]["target"],
        format!("dns://www.example.com/A?resolver={resolver_address}")
    );
    assert_eq!(
        (
            &m["monitor"]["recordType"],
            &m["monitor"]["valuesMatch"],
            &m["monitor"]["expectedRcode"]
        ),
        (&json!("A"), &json!("any"), &json!("NOERROR"))
    );
    assert_eq!(
        m["monitor"]["lastCheckDetails"],
        json!({"resolver": resolver_address, "protocol": "udp", "rcode": "NOERROR",
               "records": ["192.0.2.1"]})
    );
    assert!(m["monitor"]["lastResponseTimeMs"].is_u64());

    // The resolver answers another value, then the right one again.
    resolver.set(Mode::Records(vec![a("198.51.100.7")]));
    let down = watched.goes_down("assertion").await;
    assert_eq!(
        down["monitor"]["lastError"],
        r#"expected one of ["192.0.2.1"], got ["198.51.100.7"]"#
    );
    assert!(
        down["monitor"]["lastResponseTimeMs"].is_u64(),
        "the resolver answered"
    );
    resolver.set(Mode::Records(vec![a("192.0.2.1")]));
    watched.comes_back().await;

    // The name disappears.
    resolver.set(Mode::Rcode(ResponseCode::NXDomain));
    let down = watched.goes_down("assertion").await;
    assert_eq!(
        down["monitor"]["lastError"],
        "answered NXDOMAIN, expected NOERROR"
    );
    assert_eq!(down["monitor"]["lastCheckDetails"]["rcode"], "NXDOMAIN");
    resolver.set(Mode::Truncated(vec![a("192.0.2.1")]));
    let up = watched.comes_back().await;
    assert_eq!(up["monitor"]["lastCheckDetails"]["protocol"], "tcp");

    // The resolver goes away.
    resolver.stop().await;
    let down = watched.goes_down("connect").await;
    assert_eq!(
        down["monitor"]["lastError"],
        format!("connection refused ({resolver_address})")
    );
    assert!(down["monitor"]["lastResponseTimeMs"].is_null());
    resolver.restart().await;
    resolver.set(Mode::Records(vec![a("192.0.2.1")]));
    watched.comes_back().await;

    let (_, checks) = watched
        .server
        .as_(&watched.token)
        .get(&format!("/monitors/{}/checks", watched.id))
        .await;
    assert_eq!(
        checks["items"][0]["details"]["records"],
        json!(["192.0.2.1"]),
        "{checks}"
    );
    let results =
        |result: &str| format!("dutyduck_check_results_total{{kind=\"dns\",result=\"{result}\"}}");
    assert_eq!(watched.server.metric(&results("ok")).await, 4.0);
    assert_eq!(watched.server.metric(&results("failed")).await, 3.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn dns_settings_are_checked_field_by_field() {
    let resolver = Resolver::start(Mode::Records(vec![a("192.0.2.1")])).await;
    let watched = Watched::start(json!({"kind": "dns", "dnsName": "www.example.com",
        "resolver": format!("127.0.0.1:{}", resolver.port), "expectedValues": ["192.0.2.1"]}))
    .await;
    let api = || watched.server.as_(&watched.token);
    let dns = |extra: Value| {
        let mut body = json!({"kind": "dns", "dnsName": "www.example.com"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (json!({"kind": "dns", "recordType": "A"}), "dnsName"),
        (dns(json!({"dnsName": "not a name"})), "dnsName"),
        (dns(json!({"dnsName": "192.0.2.1"})), "dnsName"),
        (dns(json!({"recordType": "PTR"})), "recordType"),
        (dns(json!({"resolver": "dns.example.com"})), "resolver"),
        (dns(json!({"resolver": "192.0.2.1:99999"})), "resolver"),
        (dns(json!({"valuesMatch": "most"})), "valuesMatch"),
        (dns(json!({"expectedRcode": "GONE"})), "expectedRcode"),
        (
            dns(json!({"expectedValues": ["mail.example.com"]})),
            "expectedValues",
        ),
        (
            dns(json!({"expectedValues": ["192.0.2.1"], "expectedRcode": "NXDOMAIN"})),
            "expectedValues",
        ),
        (dns(json!({"host": "db.internal"})), "host"),
        (dns(json!({"url": "https://a.example"})), "url"),
        (
            json!({"kind": "tcp", "host": "db.internal", "port": 22, "dnsName": "a.example"}),
            "dnsName",
        ),
        (
            json!({"url": "https://a.example", "recordType": "MX"}),
            "recordType",
        ),
    ];
    for (body, field) in cases {
        watched.create_refused(body, field).await;
    }

    let path = format!("/monitors/{}", watched.id);
    watched.patch_refused(json!({"kind": "tcp"}), "kind").await;
    // The values stay: an A monitor's addresses are no AAAA values.
    watched
        .patch_refused(json!({"recordType": "AAAA"}), "expectedValues")
        .await;
    let (status, patched) = api()
        .patch(
            &path,
            json!({"recordType": "aaaa", "expectedValues": ["2001:db8::1"], "valuesMatch": "ALL",
                   "resolver": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(
        (
            &patched["kind"],
            &patched["recordType"],
            &patched["valuesMatch"],
            &patched["resolver"],
            &patched["target"]
        ),
        (
            &json!("dns"),
            &json!("AAAA"),
            &json!("all"),
            &Value::Null,
            &json!("dns://www.example.com/AAAA")
        )
    );
    assert_eq!(patched["expectedValues"], json!(["2001:db8::1"]));
}
