//! ICMP checks: pings to loopback (127.0.0.1, and ::1 where loopback has IPv6), and to an
//! address inside a network namespace the test makes (a veth pair, 10.213.x.1/30 on this side
//! and .2 inside), whose kernel is told to ignore echo requests
//! (`net.ipv4.icmp_echo_ignore_all`) so that pings go unanswered. Two tests run this binary
//! again inside a namespace: one where unprivileged ping sockets are allowed (the `dgram` path,
//! whose identifiers the kernel rewrites), one without any privilege (the message saying what to
//! grant). What needs namespaces is skipped, with the reason printed, where they cannot be made
//! (not root, no `ip` or `unshare`).
//!
//! Which socket the loopback tests use depends on the machine (a ping socket where
//! `net.ipv4.ping_group_range` allows it, else a raw one as root); the namespace tests pin it.

use std::net::Ipv4Addr;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use dutyduck::monitors::kinds::CheckKind;
use dutyduck::monitors::kinds::icmp::{IcmpSettings, NOT_PERMITTED};
use dutyduck::monitors::model::ErrorKind;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::lifecycle::Watched;

/// Set in this binary's environment when a test runs it again inside a namespace.
const CHILD: &str = "DUTYDUCK_ICMP_CHILD";

fn settings(body: Value) -> IcmpSettings {
    IcmpSettings::create(serde_json::from_value(body).unwrap()).unwrap()
}

/// Whether loopback has IPv6 (::1) here.
fn loopback_has_ipv6() -> bool {
    std::net::UdpSocket::bind("[::1]:0").is_ok()
}

/// Asserts a check that got every reply: its details and response time.
fn assert_all_answered(
    outcome: &dutyduck::monitors::check::CheckOutcome,
    address: &str,
    sent: u64,
) {
    assert_eq!(outcome.error_kind, ErrorKind::None, "{outcome:?}");
    assert!(outcome.answered);
    let details = outcome.details.as_ref().unwrap();
    assert_eq!(details["address"], address, "{details}");
    assert_eq!(details["sent"], sent, "{details}");
    assert_eq!(details["received"], sent, "{details}");
    assert_eq!(details["lossPercent"], 0.0, "{details}");
    let (min, avg, max) = (
        details["rttMinMs"].as_f64().unwrap(),
        details["rttAvgMs"].as_f64().unwrap(),
        details["rttMaxMs"].as_f64().unwrap(),
    );
    assert!(min <= avg && avg <= max, "{details}");
    assert_eq!(outcome.response_time_ms, avg.round() as u32, "{details}");
    assert!(
        ["dgram", "raw"].contains(&details["socket"].as_str().unwrap()),
        "{details}"
    );
}

#[tokio::test]
async fn pings_to_loopback() {
    let timeout = Duration::from_secs(2);
    let outcome = settings(json!({"pingHost": "127.0.0.1"}))
        .check(&(), timeout)
        .await;
    if outcome.error.as_deref() == Some(NOT_PERMITTED) {
        eprintln!("pings to loopback skipped: no ping socket nor raw socket allowed here");
        return;
    }
    assert_all_answered(&outcome, "127.0.0.1", 3);

    let by_name = settings(json!({"pingHost": "localhost", "ipVersion": "4", "packetCount": 2}))
        .check(&(), timeout)
        .await;
    assert_all_answered(&by_name, "127.0.0.1", 2);

    // Many checks at once, over both families: each counts only its own replies.
    let mut hosts = vec!["127.0.0.1"; 8];
    if loopback_has_ipv6() {
        hosts.extend(["::1"; 8]);
    } else {
        eprintln!("pings to ::1 skipped: loopback has no IPv6 address here");
    }
    let checks = hosts.iter().map(|host| {
        let s = settings(json!({"pingHost": host, "packetCount": 5}));
        async move { s.check(&(), timeout).await }
    });
    let outcomes = futures_util::future::join_all(checks).await;
    for (host, outcome) in hosts.iter().zip(&outcomes) {
        assert_all_answered(outcome, host, 5);
    }
}

/// A network namespace made by a test, removed (with its interfaces) when dropped.
struct Namespace {
    name: String,
    /// This process's count of namespaces when it was made.
    number: u32,
    /// This side of the veth pair, if any.
    veth: Option<String>,
}

/// A distinct number for each namespace this process makes.
static MADE: AtomicU32 = AtomicU32::new(0);

/// Runs `program` with `args`; its stderr as the error when it fails.
fn run(program: &str, args: &[&str]) -> Result<Output, String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`{program} {}` failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim(),
            String::from_utf8_lossy(&output.stdout).trim()
        ));
    }
    Ok(output)
}

impl Namespace {
    /// A namespace with its loopback up; Err says why it cannot be made here.
    fn new() -> Result<Namespace, String> {
        let number = MADE.fetch_add(1, Ordering::Relaxed);
        let name = format!("dutyduck-icmp-{}-{number}", std::process::id());
        run("ip", &["netns", "add", &name])?;
        let namespace = Namespace {
            name,
            number,
            veth: None,
        };
        namespace.ip(&["link", "set", "lo", "up"])?;
        Ok(namespace)
    }

    /// A namespace reached through a veth pair: returns it with the address inside it.
    fn with_veth() -> Result<(Namespace, Ipv4Addr), String> {
        let mut namespace = Namespace::new()?;
        // Names of at most 15 characters; a /30 of 10.213.0.0/16 for each namespace.
        let id = (std::process::id() % 100_000) * 8 + namespace.number % 8;
        let (here, there) = (format!("ddi{id}a"), format!("ddi{id}b"));
        let subnet = id % 16_384;
        let base = Ipv4Addr::new(10, 213, (subnet / 64) as u8, ((subnet % 64) * 4) as u8);
        let host = Ipv4Addr::from(u32::from(base) + 1);
        let peer = Ipv4Addr::from(u32::from(base) + 2);
        run(
            "ip",
            &[
                "link",
                "add",
                &here,
                "type",
                "veth",
                "peer",
                "name",
                &there,
                "netns",
                &namespace.name,
            ],
        )?;
        namespace.veth = Some(here.clone());
        run("ip", &["addr", "add", &format!("{host}/30"), "dev", &here])?;
        run("ip", &["link", "set", &here, "up"])?;
        namespace.ip(&["addr", "add", &format!("{peer}/30"), "dev", &there])?;
        namespace.ip(&["link", "set", &there, "up"])?;
        Ok((namespace, peer))
    }

    /// `ip` inside the namespace.
    fn ip(&self, args: &[&str]) -> Result<(), String> {
        let mut all = vec!["-n", &self.name];
        all.extend_from_slice(args);
        run("ip", &all).map(|_| ())
    }

    /// Sets a sysctl of the namespace (`net/ipv4/...`, as under /proc/sys).
    fn sysctl(&self, key: &str, value: &str) {
        let write = format!("echo '{value}' > /proc/sys/{key}");
        run("ip", &["netns", "exec", &self.name, "sh", "-c", &write]).unwrap();
    }

    /// Whether the namespace answers pings.
    fn answer_pings(&self, answer: bool) {
        self.sysctl(
            "net/ipv4/icmp_echo_ignore_all",
            if answer { "0" } else { "1" },
        );
    }

    /// Runs this binary's test `test` inside the namespace (after `prefix`, e.g. `unshare
    /// --user`), with `CHILD` set; panics with its output if it fails.
    fn run_test(&self, prefix: &[&str], test: &str) {
        let exe = std::env::current_exe().unwrap();
        let output = Command::new("ip")
            .args(["netns", "exec", &self.name])
            .args(prefix)
            .arg(exe)
            .args([
                "--exact",
                test,
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.status.success(),
            "{test} failed inside {}:\n{text}",
            self.name
        );
        assert!(text.contains("1 passed"), "{test} did not run:\n{text}");
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        // Deleting the namespace deletes the veth inside it, and so its peer here.
        let _ = run("ip", &["netns", "del", &self.name]);
        if let Some(veth) = &self.veth {
            let _ = Command::new("ip").args(["link", "del", veth]).output();
        }
    }
}

/// A namespace reached through a veth pair, or None (with the reason printed) where this
/// machine cannot make one.
fn namespace_with_veth(test: &str) -> Option<(Namespace, Ipv4Addr)> {
    Namespace::with_veth()
        .inspect_err(|reason| eprintln!("{test} skipped: no network namespace here ({reason})"))
        .ok()
}

#[tokio::test]
async fn pings_to_a_namespace_that_answers_then_drops_them() {
    let Some((namespace, peer)) = namespace_with_veth("pings to a namespace") else {
        return;
    };
    let peer = peer.to_string();
    let check = |extra: Value, timeout: Duration| {
        let mut body = json!({"pingHost": peer});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let s = settings(body);
        async move {
            let started = Instant::now();
            let outcome = s.check(&(), timeout).await;
            (outcome, started.elapsed())
        }
    };

    let (answered, _) = check(json!({"packetTimeoutMs": 500}), Duration::from_secs(2)).await;
    assert_all_answered(&answered, &peer, 3);

    namespace.answer_pings(false);
    let (lost, took) = check(json!({"packetTimeoutMs": 150}), Duration::from_secs(2)).await;
    assert_eq!(lost.error_kind, ErrorKind::Timeout, "{lost:?}");
    assert_eq!(
        lost.error.as_deref(),
        Some("no reply to 3 pings within 150 ms each")
    );
    assert!(!lost.answered, "no reply measures no round trip");
    let details = lost.details.unwrap();
    assert_eq!(
        (
            &details["sent"],
            &details["received"],
            &details["lossPercent"],
            &details["rttAvgMs"]
        ),
        (&json!(3), &json!(0), &json!(100.0), &Value::Null),
        "{details}"
    );
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_millis(1500),
        "{took:?}"
    );

    // Packets that would not fit in the monitor's timeout wait less: the check ends within it.
    let (capped, took) = check(
        json!({"packetTimeoutMs": 1000, "packetCount": 3}),
        Duration::from_millis(600),
    )
    .await;
    assert_eq!(
        capped.error.as_deref(),
        Some("no reply to 3 pings within 200 ms each"),
        "{capped:?}"
    );
    // Uncapped, 3 packets of 1 s would take 3 s; the slack is for a loaded machine (CI runs
    // other suites beside this one: 705 ms was seen with a 100 ms slack).
    assert!(
        took < Duration::from_millis(600) + Duration::from_millis(500),
        "{took:?}"
    );

    namespace.answer_pings(true);
    let (back, _) = check(json!({"packetCount": 1}), Duration::from_secs(2)).await;
    assert_all_answered(&back, &peer, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_icmp_monitor_goes_down_and_recovers_with_its_incident_and_notifications() {
    let Some((namespace, peer)) = namespace_with_veth("the ICMP monitor's lifecycle") else {
        return;
    };
    let mut watched = Watched::start(json!({"kind": "icmp", "pingHost": peer.to_string(),
        "packetCount": 2, "packetTimeoutMs": 200, "requestTimeoutMs": 1000}))
    .await;
    let m = watched.get().await;
    assert_eq!(m["monitor"]["status"], "up", "{m}");
    assert_eq!(m["monitor"]["name"], peer.to_string(), "the host names it");
    assert_eq!(m["monitor"]["target"], format!("icmp://{peer}"));
    assert_eq!(m["monitor"]["pingHost"], peer.to_string());
    assert_eq!(m["monitor"]["packetCount"], 2);
    assert_eq!(m["monitor"]["maxPacketLossPercent"], 50);
    assert!(m["monitor"]["ipVersion"].is_null() && m["monitor"]["maxRoundTripMs"].is_null());
    let details = &m["monitor"]["lastCheckDetails"];
    assert_eq!(details["address"], peer.to_string(), "{m}");
    assert_eq!(details["received"], 2, "{m}");
    assert!(m["monitor"]["lastResponseTimeMs"].is_u64(), "{m}");

    namespace.answer_pings(false);
    let down = watched.goes_down("timeout").await;
    assert_eq!(
        down["monitor"]["lastError"],
        "no reply to 2 pings within 200 ms each"
    );
    assert!(down["monitor"]["lastResponseTimeMs"].is_null(), "{down}");
    assert_eq!(down["monitor"]["lastCheckDetails"]["lossPercent"], 100.0);

    namespace.answer_pings(true);
    watched.comes_back().await;

    let (_, checks) = watched
        .server
        .as_(&watched.token)
        .get(&format!("/monitors/{}/checks", watched.id))
        .await;
    assert_eq!(checks["items"][0]["details"]["received"], 2, "{checks}");
    let results =
        |result: &str| format!("dutyduck_check_results_total{{kind=\"icmp\",result=\"{result}\"}}");
    assert_eq!(watched.server.metric(&results("ok")).await, 2.0);
    assert_eq!(watched.server.metric(&results("failed")).await, 1.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn icmp_settings_are_checked_field_by_field() {
    let watched = Watched::start(json!({"kind": "icmp", "pingHost": "127.0.0.1"})).await;
    let api = || watched.server.as_(&watched.token);
    let icmp = |extra: Value| {
        let mut body = json!({"kind": "icmp", "pingHost": "db.internal"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (json!({"kind": "icmp"}), "pingHost"),
        (
            json!({"kind": "icmp", "pingHost": "not a host"}),
            "pingHost",
        ),
        (icmp(json!({"ipVersion": "5"})), "ipVersion"),
        (
            json!({"kind": "icmp", "pingHost": "::1", "ipVersion": "4"}),
            "ipVersion",
        ),
        (icmp(json!({"packetCount": 0})), "packetCount"),
        (icmp(json!({"packetCount": 21})), "packetCount"),
        (icmp(json!({"packetTimeoutMs": 50})), "packetTimeoutMs"),
        (icmp(json!({"packetTimeoutMs": 20000})), "packetTimeoutMs"),
        (
            icmp(json!({"maxPacketLossPercent": 101})),
            "maxPacketLossPercent",
        ),
        (icmp(json!({"maxRoundTripMs": 0})), "maxRoundTripMs"),
        (icmp(json!({"host": "db.internal"})), "host"),
        (icmp(json!({"url": "https://a.example"})), "url"),
        (
            json!({"kind": "tcp", "host": "db.internal", "port": 22, "pingHost": "db.internal"}),
            "pingHost",
        ),
        (
            json!({"url": "https://a.example", "packetCount": 3}),
            "packetCount",
        ),
    ];
    for (body, field) in cases {
        watched.create_refused(body, field).await;
    }

    let path = format!("/monitors/{}", watched.id);
    watched.patch_refused(json!({"kind": "tcp"}), "kind").await;
    watched
        .patch_refused(json!({"ipVersion": "6"}), "ipVersion")
        .await;
    let (status, patched) = api()
        .patch(
            &path,
            json!({"pingHost": "localhost", "ipVersion": "4", "maxRoundTripMs": 250,
                   "packetTimeoutMs": 400}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["kind"], "icmp");
    assert_eq!(patched["target"], "icmp://localhost");
    assert_eq!(
        (
            &patched["ipVersion"],
            &patched["maxRoundTripMs"],
            &patched["packetTimeoutMs"],
            &patched["packetCount"]
        ),
        (&json!("4"), &json!(250), &json!(400), &json!(3))
    );
    let (status, reset) = api()
        .patch(&path, json!({"ipVersion": null, "maxRoundTripMs": null}))
        .await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    assert!(
        reset["ipVersion"].is_null() && reset["maxRoundTripMs"].is_null(),
        "{reset}"
    );
}

#[test]
fn ping_sockets_where_the_kernel_allows_them() {
    let namespace = match Namespace::new() {
        Ok(namespace) => namespace,
        Err(reason) => {
            eprintln!("ping sockets skipped: no network namespace here ({reason})");
            return;
        }
    };
    // A new namespace allows no group; this one allows every group ping sockets.
    namespace.sysctl("net/ipv4/ping_group_range", "0 2147483647");
    namespace.run_test(&[], "checks::icmp::inside_ping_sockets_are_used");
}

/// Inside a namespace where unprivileged ping sockets are allowed (run by the test above).
#[tokio::test]
#[ignore = "run inside a network namespace by ping_sockets_where_the_kernel_allows_them"]
async fn inside_ping_sockets_are_used() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let mut hosts = vec!["127.0.0.1"];
    if loopback_has_ipv6() {
        hosts.push("::1");
    }
    for host in hosts {
        // The kernel rewrites the identifiers: replies are matched all the same.
        let outcome = settings(json!({"pingHost": host}))
            .check(&(), Duration::from_secs(2))
            .await;
        assert_all_answered(&outcome, host, 3);
        assert_eq!(outcome.details.unwrap()["socket"], "dgram", "{host}");
    }
    // This namespace has no route out: the pings cannot be sent.
    let outcome = settings(json!({"pingHost": "192.0.2.1"}))
        .check(&(), Duration::from_secs(2))
        .await;
    assert_eq!(outcome.error_kind, ErrorKind::Connect, "{outcome:?}");
    let error = outcome.error.unwrap();
    assert!(
        error.starts_with("could not send a ping to 192.0.2.1: "),
        "{error}"
    );
}

#[test]
fn without_privileges_the_error_says_what_to_grant() {
    if let Err(reason) = run("unshare", &["--user", "true"]) {
        eprintln!("unprivileged pings skipped: no user namespace here ({reason})");
        return;
    }
    let namespace = match Namespace::new() {
        Ok(namespace) => namespace,
        Err(reason) => {
            eprintln!("unprivileged pings skipped: no network namespace here ({reason})");
            return;
        }
    };
    // A new namespace's ping_group_range allows no group, and a user namespace of its own
    // leaves the test without CAP_NET_RAW in this one: neither socket may be opened.
    namespace.run_test(
        &["unshare", "--user"],
        "checks::icmp::inside_without_privileges",
    );
}

/// Without any privilege (run by the test above): the monitor is down, and its last error says
/// which sysctl or capability to grant.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "run without privileges by without_privileges_the_error_says_what_to_grant"]
async fn inside_without_privileges() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let outcome = settings(json!({"pingHost": "127.0.0.1"}))
        .check(&(), Duration::from_secs(2))
        .await;
    assert_eq!(outcome.error_kind, ErrorKind::Connect, "{outcome:?}");
    assert_eq!(outcome.error.as_deref(), Some(NOT_PERMITTED));

    let watched = Watched::start(json!({"kind": "icmp", "pingHost": "127.0.0.1"})).await;
    let m = watched.get().await;
    assert_eq!(m["monitor"]["status"], "down", "{m}");
    assert_eq!(m["monitor"]["errorKind"], "connect", "{m}");
    assert_eq!(m["monitor"]["lastError"], NOT_PERMITTED, "{m}");
    assert!(m["monitor"]["lastCheckDetails"].is_null(), "{m}");
    assert_eq!(
        m["ongoingIncident"]["cause"]["lastPing"]["error"],
        NOT_PERMITTED
    );
}
