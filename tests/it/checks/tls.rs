//! TLS checks against a real server on loopback: certificates made here with rcgen (a test CA
//! and its leaves: valid, expiring soon, expired, not yet valid, for another name; and a
//! self-signed one), a TLS 1.2-only server, a plain-text port, a silent one, and SMTP, IMAP and
//! POP3 servers that speak enough of their protocol to agree to STARTTLS (or refuse it).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use dutyduck::monitors::check::CheckOutcome;
use dutyduck::monitors::kinds::CheckKind;
use dutyduck::monitors::kinds::tls::{TlsChecker, TlsSettings};
use dutyduck::monitors::model::ErrorKind;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use reqwest::StatusCode;
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use super::lifecycle::Watched;

const DAY: Duration = Duration::from_secs(86_400);

/// A test CA and the leaves it issues.
struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
}

/// A leaf certificate with its key, as a server presents it.
#[derive(Clone)]
struct Leaf {
    chain: Vec<CertificateDer<'static>>,
    key: Arc<Vec<u8>>,
    not_after: SystemTime,
}

impl Leaf {
    fn config(&self, versions: &[&'static rustls::SupportedProtocolVersion]) -> Arc<ServerConfig> {
        let config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_protocol_versions(versions)
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(
                    self.chain.clone(),
                    PrivateKeyDer::Pkcs8(self.key.to_vec().into()),
                )
                .unwrap();
        Arc::new(config)
    }

    /// A server config speaking TLS 1.2 and 1.3.
    fn tls(&self) -> Arc<ServerConfig> {
        self.config(&[&rustls::version::TLS13, &rustls::version::TLS12])
    }
}

fn leaf_params(names: &[&str], not_before: SystemTime, not_after: SystemTime) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names.clone()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, names[0].clone());
    params.not_before = not_before.into();
    params.not_after = not_after.into();
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params
}

impl Pki {
    fn new() -> Pki {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "Dutyduck Test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        Pki {
            ca: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    fn ca_pem(&self) -> String {
        self.ca.pem()
    }

    /// A leaf for `names`, issued by the CA, valid from `not_before` to `not_after`.
    fn leaf_between(&self, names: &[&str], not_before: SystemTime, not_after: SystemTime) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let cert = leaf_params(names, not_before, not_after)
            .signed_by(&key, &self.ca)
            .unwrap();
        Leaf {
            chain: vec![cert.der().clone()],
            key: Arc::new(key.serialize_der()),
            not_after,
        }
    }

    /// A leaf for `names`, valid since yesterday for `days` more days.
    fn leaf(&self, names: &[&str], days: u32) -> Leaf {
        let now = SystemTime::now();
        self.leaf_between(names, now - DAY, now + DAY * days)
    }
}

/// A self-signed certificate for 127.0.0.1, valid for 30 days.
fn self_signed() -> Leaf {
    let key = KeyPair::generate().unwrap();
    let now = SystemTime::now();
    let cert = leaf_params(&["127.0.0.1"], now - DAY, now + DAY * 30)
        .self_signed(&key)
        .unwrap();
    Leaf {
        chain: vec![cert.der().clone()],
        key: Arc::new(key.serialize_der()),
        not_after: now + DAY * 30,
    }
}

/// What a plain-text mail server says before agreeing to STARTTLS (or not).
#[derive(Clone, Copy, Debug)]
enum Prelude {
    Smtp,
    /// EHLO lists no STARTTLS.
    SmtpWithoutStarttls,
    /// STARTTLS is answered 454.
    SmtpRefusing,
    Imap,
    Pop3,
}

#[derive(Clone)]
enum Mode {
    /// TLS from the first byte.
    Tls(Arc<ServerConfig>),
    /// A plain-text prelude, then TLS.
    Starttls(Prelude, Arc<ServerConfig>),
    /// Not TLS at all: a banner.
    Banner,
    /// Accepts and says nothing.
    Silent,
}

struct Server {
    port: u16,
    mode: Arc<Mutex<Mode>>,
    /// The server name the last client sent (SNI).
    sni: Arc<Mutex<Option<String>>>,
    /// The lines the last plain-text prelude received.
    heard: Arc<Mutex<Vec<String>>>,
    task: Option<JoinHandle<()>>,
}

/// A line from a plain-text client, read a byte at a time (the handshake follows on the same
/// socket), at most 512 bytes.
async fn read_line(stream: &mut TcpStream) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while line.len() < 512 {
        match stream.read(&mut byte).await {
            Ok(1) if byte[0] == b'\n' => break,
            Ok(1) => line.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&line).trim_end().to_owned()
}

/// Speaks `prelude`; true when the client may start the handshake.
async fn prelude(stream: &mut TcpStream, prelude: Prelude, heard: &Mutex<Vec<String>>) -> bool {
    let (greeting, steps): (&str, &[&str]) = match prelude {
        Prelude::Smtp => (
            "220 mail.test ESMTP ready\r\n",
            &[
                "250-mail.test greets you\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n",
                "220 2.0.0 Ready to start TLS\r\n",
            ],
        ),
        Prelude::SmtpWithoutStarttls => (
            "220 mail.test ESMTP ready\r\n",
            &["250-mail.test greets you\r\n250 SIZE 10240000\r\n"],
        ),
        Prelude::SmtpRefusing => (
            "220 mail.test ESMTP ready\r\n",
            &[
                "250-mail.test greets you\r\n250 STARTTLS\r\n",
                "454 4.7.0 TLS not available due to local problem\r\n",
            ],
        ),
        Prelude::Imap => (
            "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n",
            &["* NOTE an untagged line first\r\na1 OK Begin TLS negotiation now\r\n"],
        ),
        Prelude::Pop3 => ("+OK POP3 ready\r\n", &["+OK Begin TLS negotiation\r\n"]),
    };
    if stream.write_all(greeting.as_bytes()).await.is_err() {
        return false;
    }
    for step in steps {
        let line = read_line(stream).await;
        heard.lock().unwrap().push(line);
        if stream.write_all(step.as_bytes()).await.is_err() {
            return false;
        }
    }
    matches!(prelude, Prelude::Smtp | Prelude::Imap | Prelude::Pop3)
}

impl Server {
    async fn start(mode: Mode) -> Server {
        let socket = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut server = Server {
            port: socket.local_addr().unwrap().port(),
            mode: Arc::new(Mutex::new(mode)),
            sni: Arc::default(),
            heard: Arc::default(),
            task: None,
        };
        server.serve(socket);
        server
    }

    fn serve(&mut self, socket: TcpListener) {
        let (mode, sni, heard) = (self.mode.clone(), self.sni.clone(), self.heard.clone());
        self.task = Some(tokio::spawn(async move {
            while let Ok((mut stream, _)) = socket.accept().await {
                let mode = mode.lock().unwrap().clone();
                let (sni, heard) = (sni.clone(), heard.clone());
                tokio::spawn(async move {
                    let config = match mode {
                        Mode::Tls(config) => config,
                        Mode::Starttls(kind, config) => {
                            heard.lock().unwrap().clear();
                            if !prelude(&mut stream, kind, &heard).await {
                                tokio::time::sleep(Duration::from_secs(5)).await;
                                return;
                            }
                            config
                        }
                        Mode::Banner => {
                            let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.6\r\n").await;
                            tokio::time::sleep(Duration::from_secs(5)).await;
                            return;
                        }
                        Mode::Silent => {
                            tokio::time::sleep(Duration::from_secs(30)).await;
                            return;
                        }
                    };
                    let accepted = tokio::time::timeout(
                        Duration::from_secs(5),
                        TlsAcceptor::from(config).accept(stream),
                    )
                    .await;
                    if let Ok(Ok(mut tls)) = accepted {
                        *sni.lock().unwrap() = tls.get_ref().1.server_name().map(str::to_owned);
                        let mut buf = [0u8; 64];
                        let _ =
                            tokio::time::timeout(Duration::from_secs(5), tls.read(&mut buf)).await;
                    }
                });
            }
        }));
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// Stops listening: connecting is refused.
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
fn settings(port: u16, extra: &Value) -> TlsSettings {
    let mut body = json!({"tlsHost": "127.0.0.1", "tlsPort": port});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    TlsSettings::create(serde_json::from_value(body).unwrap()).unwrap()
}

fn close_to(got: Option<DateTime<Utc>>, expected: SystemTime) -> bool {
    got.is_some_and(|got| (got - DateTime::<Utc>::from(expected)).num_seconds().abs() < 5)
}

fn day(at: SystemTime) -> String {
    DateTime::<Utc>::from(at).format("%Y-%m-%d").to_string()
}

/// Ample for a loopback handshake in a debug build on a loaded machine (they take ~50 ms).
const TIMEOUT: Duration = Duration::from_millis(1000);

/// One check of each outcome, each against its own server, at once.
#[tokio::test(flavor = "multi_thread")]
async fn tls_checks_against_local_servers() {
    let pki = Pki::new();
    let ca = pki.ca_pem();
    let now = SystemTime::now();
    let good = pki.leaf(&["127.0.0.1", "localhost"], 90);
    let expired = pki.leaf_between(&["127.0.0.1"], now - DAY * 30, now - DAY * 2);
    let future = pki.leaf_between(&["127.0.0.1"], now + DAY * 2, now + DAY * 30);
    let elsewhere = pki.leaf(&["other.example"], 90);
    let own = self_signed();
    let tls12 = [&rustls::version::TLS12];

    let refused_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }; // dropped: nothing listens there any more
    let with_ca = json!({"caCertificate": ca});
    let lenient = json!({"verifyChain": false});
    // (name, server mode or None for a refused port, extra settings, kind, message prefix)
    let cases: Vec<(&str, Option<Mode>, Value, ErrorKind, &str)> = vec![
        (
            "valid",
            Some(Mode::Tls(good.tls())),
            with_ca.clone(),
            ErrorKind::None,
            "",
        ),
        (
            "public roots",
            Some(Mode::Tls(good.tls())),
            json!({}),
            ErrorKind::Tls,
            "certificate not trusted: unknown issuer (CN=Dutyduck Test CA)",
        ),
        (
            "self-signed",
            Some(Mode::Tls(own.tls())),
            json!({}),
            ErrorKind::Tls,
            "certificate not trusted: self-signed (CN=127.0.0.1)",
        ),
        (
            "self-signed, not verified",
            Some(Mode::Tls(own.tls())),
            lenient.clone(),
            ErrorKind::None,
            "",
        ),
        (
            "expired",
            Some(Mode::Tls(expired.tls())),
            with_ca.clone(),
            ErrorKind::Tls,
            "certificate expired on ",
        ),
        (
            "expired, not verified",
            Some(Mode::Tls(expired.tls())),
            lenient.clone(),
            ErrorKind::None,
            "",
        ),
        (
            "not yet valid",
            Some(Mode::Tls(future.tls())),
            with_ca.clone(),
            ErrorKind::Tls,
            "certificate not valid before ",
        ),
        (
            "wrong name",
            Some(Mode::Tls(elsewhere.tls())),
            with_ca.clone(),
            ErrorKind::Tls,
            "certificate not valid for name 127.0.0.1 (valid for other.example)",
        ),
        (
            "server name",
            Some(Mode::Tls(good.tls())),
            json!({"caCertificate": ca, "serverName": "localhost"}),
            ErrorKind::None,
            "",
        ),
        (
            "TLS 1.2 accepted",
            Some(Mode::Tls(good.config(&tls12))),
            with_ca.clone(),
            ErrorKind::None,
            "",
        ),
        (
            "TLS 1.2 below the minimum",
            Some(Mode::Tls(good.config(&tls12))),
            json!({"caCertificate": ca, "minTlsVersion": "1.3"}),
            ErrorKind::Tls,
            "negotiated TLS 1.2, at least 1.3 required",
        ),
        (
            "TLS 1.3 at the minimum",
            Some(Mode::Tls(good.tls())),
            json!({"caCertificate": ca, "minTlsVersion": "1.3"}),
            ErrorKind::None,
            "",
        ),
        (
            "not TLS",
            Some(Mode::Banner),
            with_ca.clone(),
            ErrorKind::Tls,
            "handshake failed: ",
        ),
        (
            "silent",
            Some(Mode::Silent),
            with_ca.clone(),
            ErrorKind::Timeout,
            "no TLS handshake within 1000 ms",
        ),
        (
            "refused",
            None,
            with_ca.clone(),
            ErrorKind::Connect,
            "connection refused",
        ),
        (
            "SMTP",
            Some(Mode::Starttls(Prelude::Smtp, good.tls())),
            json!({"caCertificate": ca, "starttls": "smtp"}),
            ErrorKind::None,
            "",
        ),
        (
            "IMAP",
            Some(Mode::Starttls(Prelude::Imap, good.tls())),
            json!({"caCertificate": ca, "starttls": "imap"}),
            ErrorKind::None,
            "",
        ),
        (
            "POP3",
            Some(Mode::Starttls(Prelude::Pop3, good.tls())),
            json!({"caCertificate": ca, "starttls": "pop3"}),
            ErrorKind::None,
            "",
        ),
        (
            "SMTP refusing STARTTLS",
            Some(Mode::Starttls(Prelude::SmtpRefusing, good.tls())),
            json!({"caCertificate": ca, "starttls": "smtp"}),
            ErrorKind::Assertion,
            r#"STARTTLS refused: "454 4.7.0 TLS not available due to local problem""#,
        ),
        (
            "SMTP without STARTTLS",
            Some(Mode::Starttls(Prelude::SmtpWithoutStarttls, good.tls())),
            json!({"caCertificate": ca, "starttls": "smtp"}),
            ErrorKind::Assertion,
            r#"the server does not offer STARTTLS (EHLO reply: "250-mail.test greets you 250 SIZE 10240000")"#,
        ),
        (
            "STARTTLS to a server speaking TLS",
            Some(Mode::Tls(good.tls())),
            json!({"caCertificate": ca, "starttls": "smtp"}),
            ErrorKind::Timeout,
            "no SMTP greeting within 1000 ms",
        ),
        (
            "IMAP to an SMTP server",
            Some(Mode::Starttls(Prelude::Smtp, good.tls())),
            json!({"caCertificate": ca, "starttls": "imap"}),
            ErrorKind::Assertion,
            r#"unexpected IMAP greeting: "220 mail.test ESMTP ready""#,
        ),
    ];
    let mut servers = Vec::new();
    for (_, mode, ..) in &cases {
        servers.push(match mode {
            Some(mode) => Some(Server::start(mode.clone()).await),
            None => None,
        });
    }
    let checker = TlsChecker::default();
    let settings: Vec<TlsSettings> = cases
        .iter()
        .zip(&servers)
        .map(|((_, _, extra, ..), server)| {
            settings(server.as_ref().map_or(refused_port, |s| s.port), extra)
        })
        .collect();
    let outcomes: Vec<CheckOutcome> =
        futures_util::future::join_all(settings.iter().map(|s| s.check(&checker, TIMEOUT))).await;
    for ((name, _, _, kind, message), got) in cases.iter().zip(&outcomes) {
        assert_eq!(got.error_kind, *kind, "{name}: {got:?}");
        match *kind {
            ErrorKind::None => assert_eq!(got.error, None, "{name}"),
            _ => assert!(
                got.error.as_deref().is_some_and(|m| m.starts_with(message)),
                "{name}: {got:?}"
            ),
        }
        assert!(
            got.response_time_ms < TIMEOUT.as_millis() as u32 + 200,
            "{name}: within the timeout: {got:?}"
        );
        assert_eq!(got.http_code, None, "{name}");
    }
    let outcome = |n: &str| &outcomes[cases.iter().position(|c| c.0 == n).unwrap()];
    let details = |n: &str| outcome(n).details.clone().unwrap_or(Value::Null);

    // What a good certificate shows.
    let valid = outcome("valid");
    assert!(valid.answered);
    assert!(close_to(valid.tls_expires_at, good.not_after), "{valid:?}");
    let shown = details("valid");
    assert_eq!(shown["subject"], "CN=127.0.0.1", "{shown}");
    assert_eq!(shown["issuer"], "CN=Dutyduck Test CA");
    assert_eq!(shown["subjectAltNames"], json!(["127.0.0.1", "localhost"]));
    assert_eq!(shown["protocolVersion"], "TLS 1.3");
    assert!(
        shown["cipherSuite"].as_str().unwrap().starts_with("TLS13_"),
        "{shown}"
    );
    assert_eq!(shown["verified"], true);
    assert!(shown["serialNumber"].is_string());
    let not_after: DateTime<Utc> = serde_json::from_value(shown["notAfter"].clone()).unwrap();
    assert!(close_to(Some(not_after), good.not_after));
    assert!(shown["notBefore"].is_string());
    let tls12 = details("TLS 1.2 accepted");
    assert_eq!(tls12["protocolVersion"], "TLS 1.2");
    assert!(
        tls12["cipherSuite"]
            .as_str()
            .unwrap()
            .starts_with("TLS_ECDHE_"),
        "{tls12}"
    );
    assert_eq!(
        details("TLS 1.2 below the minimum")["protocolVersion"],
        "TLS 1.2"
    );
    assert_eq!(
        servers[cases.iter().position(|c| c.0 == "server name").unwrap()]
            .as_ref()
            .unwrap()
            .sni
            .lock()
            .unwrap()
            .as_deref(),
        Some("localhost"),
        "the server name is sent as SNI"
    );

    // A refused certificate is still described, and its expiry recorded.
    let expired_outcome = outcome("expired");
    assert_eq!(
        expired_outcome.error.as_deref().unwrap(),
        format!(
            "certificate expired on {} UTC",
            DateTime::<Utc>::from(expired.not_after).format("%Y-%m-%d %H:%M")
        )
    );
    assert!(expired_outcome.answered);
    assert!(close_to(expired_outcome.tls_expires_at, expired.not_after));
    assert_eq!(details("expired")["verified"], false);
    assert!(details("expired")["protocolVersion"].is_null());
    assert!(
        outcome("not yet valid")
            .error
            .as_deref()
            .unwrap()
            .contains(&day(now + DAY * 2))
    );
    assert_eq!(details("self-signed")["issuer"], "CN=127.0.0.1");
    assert!(close_to(
        outcome("self-signed").tls_expires_at,
        own.not_after
    ));

    // Not verified: accepted, shown as such, and still watched for expiry.
    let lenient_expired = outcome("expired, not verified");
    assert!(close_to(lenient_expired.tls_expires_at, expired.not_after));
    assert_eq!(details("expired, not verified")["verified"], false);
    assert_eq!(details("self-signed, not verified")["verified"], false);

    // STARTTLS: what the servers heard, and the certificate behind it.
    let heard = |n: &str| {
        servers[cases.iter().position(|c| c.0 == n).unwrap()]
            .as_ref()
            .unwrap()
            .heard
            .lock()
            .unwrap()
            .clone()
    };
    assert_eq!(heard("SMTP"), ["EHLO [127.0.0.1]", "STARTTLS"]);
    assert_eq!(heard("IMAP"), ["a1 STARTTLS"]);
    assert_eq!(heard("POP3"), ["STLS"]);
    for n in ["SMTP", "IMAP", "POP3"] {
        assert_eq!(details(n)["subject"], "CN=127.0.0.1", "{n}");
        assert!(close_to(outcome(n).tls_expires_at, good.not_after), "{n}");
    }
    assert!(outcome("SMTP refusing STARTTLS").answered);
    assert_eq!(outcome("SMTP refusing STARTTLS").tls_expires_at, None);

    // Nothing answered: no response time worth charting.
    for n in ["silent", "refused", "not TLS"] {
        assert!(!outcome(n).answered, "{n}");
        assert_eq!(outcome(n).tls_expires_at, None, "{n}");
    }
    assert!(outcome("silent").response_time_ms >= 950);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tls_monitor_goes_down_and_recovers_with_its_incident_and_notifications() {
    let pki = Pki::new();
    let good = pki.leaf(&["127.0.0.1"], 90);
    let elsewhere = pki.leaf(&["other.example"], 90);
    let mut server = Server::start(Mode::Tls(good.tls())).await;
    let mut watched = Watched::start(json!({"kind": "tls", "tlsHost": "127.0.0.1",
        "tlsPort": server.port, "caCertificate": pki.ca_pem()}))
    .await;
    let m = watched.get().await;
    assert_eq!(m["monitor"]["status"], "up", "{m}");
    assert_eq!(m["monitor"]["name"], "127.0.0.1", "the host names it");
    assert_eq!(
        m["monitor"]["target"],
        format!("tls://127.0.0.1:{}", server.port)
    );
    assert_eq!(m["monitor"]["kind"], "tls");
    assert_eq!(m["monitor"]["tlsPort"], server.port);
    assert_eq!(m["monitor"]["minTlsVersion"], "1.2");
    assert_eq!(m["monitor"]["verifyChain"], true);
    assert!(m["monitor"]["starttls"].is_null());
    let details = &m["monitor"]["lastCheckDetails"];
    assert_eq!(details["subject"], "CN=127.0.0.1", "{m}");
    assert_eq!(details["protocolVersion"], "TLS 1.3");
    let expires = DateTime::parse_from_rfc3339(m["monitor"]["tlsExpiresAt"].as_str().unwrap())
        .unwrap()
        .to_utc();
    assert!(close_to(Some(expires), good.not_after), "{m}");
    assert!(m["tlsIncident"].is_null(), "90 days left: no warning");
    assert!(m["monitor"]["lastResponseTimeMs"].is_u64());

    server.set(Mode::Tls(elsewhere.tls()));
    let down = watched.goes_down("tls").await;
    assert_eq!(
        down["monitor"]["lastError"],
        "certificate not valid for name 127.0.0.1 (valid for other.example)"
    );
    assert_eq!(
        down["monitor"]["lastCheckDetails"]["subjectAltNames"],
        json!(["other.example"])
    );
    server.set(Mode::Tls(good.tls()));
    watched.comes_back().await;

    server.stop().await;
    let down = watched.goes_down("connect").await;
    assert_eq!(down["monitor"]["lastError"], "connection refused");
    assert!(down["monitor"]["lastResponseTimeMs"].is_null());
    server.restart().await;
    watched.comes_back().await;

    let (_, checks) = watched
        .server
        .as_(&watched.token)
        .get(&format!("/monitors/{}/checks", watched.id))
        .await;
    assert_eq!(
        checks["items"][0]["details"]["subject"], "CN=127.0.0.1",
        "{checks}"
    );
    let results =
        |result: &str| format!("dutyduck_check_results_total{{kind=\"tls\",result=\"{result}\"}}");
    assert_eq!(watched.server.metric(&results("ok")).await, 3.0);
    assert_eq!(watched.server.metric(&results("failed")).await, 2.0);
    let api = || watched.server.as_(&watched.token);
    let kinds: Vec<Value> = api().items("/monitors?kind=tls").await;
    assert_eq!(kinds.len(), 1);
}

/// The certificate-expiry warning incident, unchanged, from what the TLS kind records: opened
/// for a certificate within `tlsExpiryWarningDays`, resolved by a renewed one, and opened again
/// beside the outage when the certificate shown has expired.
#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_close_to_expiry_opens_the_warning_incident() {
    let pki = Pki::new();
    let soon = pki.leaf(&["127.0.0.1"], 5);
    let server = Server::start(Mode::Tls(soon.tls())).await;
    let watched = Watched::start(json!({"kind": "tls", "tlsHost": "127.0.0.1",
        "tlsPort": server.port, "caCertificate": pki.ca_pem(), "tlsExpiryWarningDays": 14}))
    .await;
    let m = watched.get().await;
    assert_eq!(m["monitor"]["status"], "up", "{m}");
    assert!(m["ongoingIncident"].is_null(), "the endpoint itself is up");
    let warning = &m["tlsIncident"];
    assert_eq!(
        (warning["priority"].as_str(), warning["status"].as_str()),
        (Some("warning"), Some("ongoing")),
        "{m}"
    );
    assert_eq!(warning["incidentSourceType"], "tlscertificate");
    let days_left = warning["cause"]["daysLeft"].as_i64().unwrap();
    assert!((4..=5).contains(&days_left), "{warning}");

    let renewed = pki.leaf(&["127.0.0.1"], 90);
    server.set(Mode::Tls(renewed.tls()));
    let m = watched.check().await;
    assert_eq!(m["monitor"]["status"], "up", "{m}");
    assert!(m["tlsIncident"].is_null(), "renewed: the warning ends: {m}");

    let now = SystemTime::now();
    let expired = pki.leaf_between(&["127.0.0.1"], now - DAY * 30, now - DAY);
    server.set(Mode::Tls(expired.tls()));
    let m = watched.check().await;
    assert_eq!(m["monitor"]["status"], "down", "{m}");
    assert_eq!(m["monitor"]["errorKind"], "tls");
    assert!(
        m["monitor"]["lastError"]
            .as_str()
            .unwrap()
            .starts_with(&format!("certificate expired on {}", day(now - DAY))),
        "{m}"
    );
    assert_eq!(m["tlsIncident"]["status"], "ongoing", "{m}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_settings_are_checked_field_by_field() {
    let server = Server::start(Mode::Silent).await;
    let watched = Watched::start(json!({"kind": "tls", "tlsHost": "127.0.0.1",
        "tlsPort": server.port, "requestTimeoutMs": 200}))
    .await;
    let api = || watched.server.as_(&watched.token);
    let tls = |extra: Value| {
        let mut body = json!({"kind": "tls", "tlsHost": "mail.example"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (json!({"kind": "tls", "tlsPort": 443}), "tlsHost"),
        (tls(json!({"tlsHost": "not a host"})), "tlsHost"),
        (tls(json!({"tlsPort": 0})), "tlsPort"),
        (tls(json!({"tlsPort": 65536})), "tlsPort"),
        (tls(json!({"serverName": "bad name"})), "serverName"),
        (tls(json!({"starttls": "ftp"})), "starttls"),
        (tls(json!({"minTlsVersion": "1.1"})), "minTlsVersion"),
        (
            tls(json!({"caCertificate": "not a certificate"})),
            "caCertificate",
        ),
        (tls(json!({"host": "mail.example"})), "host"),
        (tls(json!({"url": "https://a.example"})), "url"),
        (
            json!({"url": "https://a.example", "tlsHost": "a.example"}),
            "tlsHost",
        ),
        (
            json!({"kind": "tcp", "host": "a.example", "port": 25, "starttls": "smtp"}),
            "starttls",
        ),
    ];
    for (body, field) in cases {
        watched.create_refused(body, field).await;
    }

    let path = format!("/monitors/{}", watched.id);
    watched.patch_refused(json!({"kind": "tcp"}), "kind").await;
    let (status, patched) = api()
        .patch(
            &path,
            json!({"starttls": "imap", "tlsPort": 143, "minTlsVersion": "1.3",
                   "serverName": "imap.example", "verifyChain": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["kind"], "tls");
    assert_eq!(patched["starttls"], "imap");
    assert_eq!(patched["tlsPort"], 143);
    assert_eq!(patched["minTlsVersion"], "1.3");
    assert_eq!(patched["serverName"], "imap.example");
    assert_eq!(patched["verifyChain"], false);
    assert_eq!(patched["target"], "tls://127.0.0.1:143");
    let (status, reset) = api()
        .patch(&path, json!({"serverName": null, "starttls": null}))
        .await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    assert!(reset["serverName"].is_null() && reset["starttls"].is_null());
    assert_eq!(reset["tlsPort"], 143, "absent fields are kept");
}
