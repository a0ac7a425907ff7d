//! Notifications end to end: the real server sends to real receivers on loopback (an SMTP
//! server, an HTTP endpoint standing in for webhooks, Slack, Discord and ntfy), and the tests
//! check what people and their tools would see: the e-mails, the signed payloads, retries with
//! one idempotency key, re-notifications, and the incident timeline. Time is the manual clock,
//! except where real elapsed time is the point (a hanging receiver).

use std::time::{Duration as StdDuration, Instant};

use crate::common::receivers::{
    Behaviour, HttpReceiver, Mail, Received, SmtpReceiver, verify_signature,
};
use crate::common::target::{Mode, Target};
use crate::common::{TestServer, Token, at, eventually};
use chrono::{Duration, Utc};
use dutyduck::clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Links in notifications start here (configured with a trailing slash, which must not double).
pub(crate) const PUBLIC_URL: &str = "https://duck.example.com";
const SECRET: &str = "whsec_0123456789abcdef";

/// A server on a manual clock at 09:00, with a public URL and optionally an SMTP relay, and
/// its first user, Ada (Owner of Acme).
pub(crate) async fn setup(clock: &Clock, smtp: Option<&SmtpReceiver>) -> (TestServer, Token) {
    let server = TestServer::start_configured(clock.clone(), |config| {
        config.public_url = Some(format!("{PUBLIC_URL}/"));
        config.smtp = smtp.map(SmtpReceiver::settings);
    })
    .await;
    let token = server.user_with_token("ada@example.com", "Acme");
    (server, token)
}

pub(crate) fn nine_o_clock() -> Clock {
    Clock::manual(at("2026-11-30T09:00:00Z"))
}

/// Creates a channel; returns its id.
pub(crate) async fn channel(server: &TestServer, token: &Token, body: Value) -> String {
    let created = server
        .as_(token)
        .create("/notification-channels", body)
        .await;
    created["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn webhook(server: &TestServer, token: &Token, name: &str, url: String) -> String {
    channel(
        server,
        token,
        json!({"name": name, "kind": "webhook", "config": {"url": url}}),
    )
    .await
}

/// Creates an ad-hoc task (no schedule: only its runs change it).
pub(crate) async fn task(server: &TestServer, token: &Token, body: Value) {
    server.as_(token).create("/tasks", body).await;
}

/// One run of the task, ending with `status`: "failure" opens the task's incident (ongoing at
/// once), "success" resolves it. Returns the task's newest incident id.
pub(crate) async fn run(server: &TestServer, token: &Token, id: &str, status: &str) -> String {
    let (code, body) = server
        .as_(token)
        .post(&format!("/tasks/{id}/start"), Value::Null)
        .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    let exit_code = if status == "success" { 0 } else { 1 };
    let (code, body) = server
        .as_(token)
        .post(
            &format!("/tasks/{id}/finish"),
            json!({"status": status, "exitCode": exit_code}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let incidents = server
        .as_(token)
        .incidents(id, &["ongoing", "resolved"])
        .await;
    incidents[0]["id"].as_str().unwrap().to_owned()
}

/// Creates the task "Nightly backup" (id `nightly-backup`) and reports a failed run of it:
/// the usual way these tests open an incident. Returns the incident id.
pub(crate) async fn nightly_backup_fails(server: &TestServer, token: &Token) -> String {
    task(
        server,
        token,
        json!({"id": "nightly-backup", "name": "Nightly backup"}),
    )
    .await;
    run(server, token, "nightly-backup", "failure").await
}

pub(crate) async fn acknowledge(server: &TestServer, token: &Token, incident: &str) {
    let path = format!("/incidents/{incident}/acknowledge");
    let (status, body) = server.as_(token).post_empty(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The payloads of the incident's `notification` timeline events, oldest first.
async fn notifications(server: &TestServer, token: &Token, incident: &str) -> Vec<Value> {
    let path = format!("/incidents/{incident}/events?itemsPerPage=200");
    server
        .as_(token)
        .items(&path)
        .await
        .iter()
        .filter(|e| e["eventType"] == "notification")
        .map(|e| e["payload"].clone())
        .collect()
}

/// Waits until `n` delivery attempts are on the incident's timeline. A receiver has the
/// request before the server records the answer, and a test must not move the manual clock
/// in between: the retry time is computed from the clock when the answer is recorded, and a
/// delivery still in flight when the clock passes its claim's lease (60 s) is claimed and sent
/// again, as after a crash.
pub(crate) async fn wait_notifications(
    server: &TestServer,
    token: &Token,
    incident: &str,
    n: usize,
) -> Vec<Value> {
    eventually(&format!("{n} notification event(s)"), || async {
        let all = notifications(server, token, incident).await;
        (all.len() >= n).then_some(all)
    })
    .await
}

/// A channel's deliveries, newest first.
pub(crate) async fn deliveries(server: &TestServer, token: &Token, channel: &str) -> Vec<Value> {
    let path = format!("/notification-channels/{channel}/deliveries?itemsPerPage=50");
    let body = server.as_(token).get_ok(&path).await;
    let items = body["items"].as_array().unwrap().clone();
    assert_eq!(body["totalNumberOfResults"], items.len());
    items
}

fn events_of(deliveries: &[Value]) -> Vec<&str> {
    deliveries
        .iter()
        .map(|d| d["event"].as_str().unwrap())
        .collect()
}

pub(crate) fn link(incident: &str) -> String {
    format!("{PUBLIC_URL}/dashboard/incidents/{incident}")
}

/// An e-mail from dutyduck's address with this subject, whose body (transfer encoding undone)
/// has each of `lines` and ends with the link to the incident.
fn check_mail(mail: &Mail, subject: &str, lines: &[&str], incident: &str) {
    assert_eq!(mail.from, "duck@example.com");
    assert_eq!(
        mail.header("From").as_deref(),
        Some("dutyduck <duck@example.com>")
    );
    assert_eq!(mail.header("Subject").as_deref(), Some(subject));
    let body = mail.body();
    let body_lines: Vec<&str> = body.lines().collect();
    for line in lines {
        assert!(body_lines.contains(line), "{line:?} in {body}");
    }
    assert_eq!(body_lines.last(), Some(&link(incident).as_str()), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn incidents_are_e_mailed_to_listed_addresses_and_all_members_in_the_org_language() {
    let smtp = SmtpReceiver::start().await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, Some(&smtp)).await;
    server.create_user("bob@example.com", "Acme", Some("Editor"));
    channel(
        &server,
        &ada,
        json!({"name": "On-call", "kind": "email",
               "config": {"recipients": ["oncall@example.com", "lead@example.com"]}}),
    )
    .await;
    // Ada is listed and a member: she gets one copy.
    channel(
        &server,
        &ada,
        json!({"name": "Everyone", "kind": "email",
               "config": {"recipients": ["ada@example.com"], "allMembers": true}}),
    )
    .await;

    let (_, listed) = server.as_(&ada).get("/notification-channels").await;
    assert_eq!(listed["emailConfigured"], true, "{listed}");

    let incident = nightly_backup_fails(&server, &ada).await;
    let mut mails = smtp.wait_for(2).await;
    mails.sort_by(|a, b| a.to.cmp(&b.to));
    assert_eq!(mails[0].to, ["ada@example.com", "bob@example.com"]);
    assert_eq!(mails[1].to, ["lead@example.com", "oncall@example.com"]);
    for mail in &mails {
        // Several recipients: none sees the others' addresses.
        if mail.to.len() > 1 {
            assert!(
                mail.header("To").is_none() && mail.header("Bcc").is_none(),
                "{}",
                mail.data
            );
        }
        check_mail(
            mail,
            "[dutyduck] Incident opened: Nightly backup",
            &[
                "A run of Nightly backup failed (exit code 1).",
                "Priority major, opened at 2026-11-30T09:00:00Z.",
            ],
            &incident,
        );
    }
    let outcomes = wait_notifications(&server, &ada, &incident, 2).await;
    assert!(
        outcomes.iter().all(|n| n["outcome"] == "sent"),
        "{outcomes:?}"
    );

    // The run succeeds: both channels say it is resolved.
    clock.advance(Duration::minutes(20));
    run(&server, &ada, "nightly-backup", "success").await;
    let mails = smtp.wait_for(4).await;
    for mail in &mails[2..] {
        check_mail(
            mail,
            "[dutyduck] Incident resolved: Nightly backup",
            &["Opened at 2026-11-30T09:00:00Z, resolved at 2026-11-30T09:20:00Z."],
            &incident,
        );
    }
    wait_notifications(&server, &ada, &incident, 4).await;

    // In French once the organization says so; accents survive the transfer encoding.
    let (status, settings) = server
        .as_(&ada)
        .put(
            "/notification-settings",
            json!({"language": "fr", "renotifyMinutes": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(
        settings,
        json!({"language": "fr", "renotifyMinutes": null,
               "stormThreshold": 5, "stormWindowSeconds": 60})
    );
    clock.advance(Duration::minutes(10));
    let second = run(&server, &ada, "nightly-backup", "failure").await;
    let mails = smtp.wait_for(6).await;
    for mail in &mails[4..] {
        check_mail(
            mail,
            "[dutyduck] Incident ouvert: Nightly backup",
            &[
                "Une exécution de Nightly backup a échoué (exit code 1).",
                "Priorité major, ouvert à 2026-11-30T09:30:00Z.",
            ],
            &second,
        );
    }
}

/// The receiver answered a verified webhook delivery about `event`; returns its JSON body.
fn check_webhook(request: &Received, event: &str) -> Value {
    assert_eq!(request.status, Some(200), "the signature verified");
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/hooks/dutyduck")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("authorization"), Some("Bearer hook-token"));
    assert_eq!(request.header("x-dutyduck-event"), Some(event));
    let body = request.json();
    assert_eq!(request.header("x-dutyduck-delivery"), body["id"].as_str());
    assert_eq!(request.header("idempotency-key"), body["id"].as_str());
    assert_eq!(body["event"], format!("incident.{event}"));
    assert_eq!(body["organization"], json!({"name": "Acme"}));
    assert_eq!(
        body["source"],
        json!({"type": "task", "id": "nightly-backup", "name": "Nightly backup", "url": null})
    );
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_webhook_follows_the_incident_and_the_timeline_records_each_delivery() {
    let hook = HttpReceiver::verifying(SECRET).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let ops = channel(
        &server,
        &ada,
        json!({"name": "Ops webhook", "kind": "webhook", "config": {
            "url": hook.url("/hooks/dutyduck"), "secret": SECRET,
            "headers": {"Authorization": "Bearer hook-token"}}}),
    )
    .await;

    let incident = nightly_backup_fails(&server, &ada).await;
    let opened = check_webhook(&hook.wait_for(1).await[0], "opened");
    assert_eq!(opened["occurredAt"], "2026-11-30T09:00:00.000Z");
    assert_eq!(
        opened["subject"],
        "[dutyduck] Incident opened: Nightly backup"
    );
    assert!(
        opened["text"]
            .as_str()
            .unwrap()
            .starts_with("Incident opened: Nightly backup\nA run of Nightly backup failed"),
        "{opened}"
    );
    let i = &opened["incident"];
    assert_eq!(i["id"], incident);
    assert_eq!(i["title"], "Nightly backup");
    assert_eq!(i["status"], "ongoing");
    assert_eq!(i["priority"], "major");
    assert_eq!(i["cause"]["kind"], "failed");
    assert_eq!(i["cause"]["exitCode"], 1);
    assert_eq!(i["createdAt"], "2026-11-30T09:00:00Z");
    assert_eq!(i["resolvedAt"], Value::Null);
    assert_eq!(i["acknowledgedBy"], json!([]));
    assert_eq!(i["url"], link(&incident));
    wait_notifications(&server, &ada, &incident, 1).await;

    clock.advance(Duration::minutes(1));
    acknowledge(&server, &ada, &incident).await;
    let acknowledged = check_webhook(&hook.wait_for(2).await[1], "acknowledged");
    assert_eq!(
        acknowledged["subject"],
        "[dutyduck] Incident acknowledged: Nightly backup"
    );
    assert_eq!(acknowledged["occurredAt"], "2026-11-30T09:01:00.000Z");
    assert_eq!(
        acknowledged["incident"]["acknowledgedBy"],
        json!(["Ada Lovelace"])
    );
    assert_eq!(acknowledged["incident"]["status"], "ongoing");
    wait_notifications(&server, &ada, &incident, 2).await;

    clock.advance(Duration::minutes(4));
    run(&server, &ada, "nightly-backup", "success").await;
    let resolved = check_webhook(&hook.wait_for(3).await[2], "resolved");
    assert_eq!(resolved["incident"]["status"], "resolved");
    assert_eq!(resolved["incident"]["resolvedAt"], "2026-11-30T09:05:00Z");

    // Every attempt is on the incident's timeline, and in the channel's deliveries.
    let timeline = wait_notifications(&server, &ada, &incident, 3).await;
    let summary: Vec<(&str, &str, u64)> = timeline
        .iter()
        .map(|n| {
            assert_eq!(n["channelId"], ops);
            assert_eq!(n["channelName"], "Ops webhook");
            assert_eq!(n["channelKind"], "webhook");
            assert_eq!(
                (&n["error"], &n["nextAttemptAt"]),
                (&Value::Null, &Value::Null)
            );
            (
                n["event"].as_str().unwrap(),
                n["outcome"].as_str().unwrap(),
                n["attempt"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("opened", "sent", 1),
            ("acknowledged", "sent", 1),
            ("resolved", "sent", 1)
        ]
    );
    let delivered = deliveries(&server, &ada, &ops).await;
    assert_eq!(
        events_of(&delivered),
        ["resolved", "acknowledged", "opened"]
    );
    for (d, sent_at) in delivered.iter().zip([
        "2026-11-30T09:05:00Z",
        "2026-11-30T09:01:00Z",
        "2026-11-30T09:00:00Z",
    ]) {
        assert_eq!(d["status"], "sent");
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["channelId"], ops);
        assert_eq!(d["incidentId"], incident);
        assert_eq!(d["sentAt"], sent_at);
        assert_eq!(d["lastError"], Value::Null);
    }
    let ids: Vec<&Value> = delivered.iter().map(|d| &d["id"]).collect();
    let sent: Vec<Value> = hook
        .received()
        .iter()
        .rev()
        .map(|r| r.json()["id"].clone())
        .collect();
    assert_eq!(
        ids,
        sent.iter().collect::<Vec<_>>(),
        "one request per delivery"
    );

    // A body changed in transit no longer matches its signature: the receiver refuses it.
    let original = &hook.received()[0];
    let signature = original.header("x-dutyduck-signature").unwrap().to_owned();
    let now = Utc::now().timestamp();
    assert_eq!(
        verify_signature(SECRET, &signature, &original.body, now),
        Ok(())
    );
    let tampered = String::from_utf8(original.body.clone())
        .unwrap()
        .replace("Nightly backup", "Nothing to see");
    assert_eq!(
        verify_signature(SECRET, &signature, tampered.as_bytes(), now),
        Err("signature mismatch".to_owned())
    );
    let replay = server
        .client
        .post(hook.url("/hooks/dutyduck"))
        .header("Content-Type", "application/json")
        .header("X-Dutyduck-Signature", &signature)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(replay.text().await.unwrap(), "signature mismatch");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_receiver_gets_the_same_delivery_until_it_accepts_it_once() {
    let hook = HttpReceiver::start(Behaviour::FailFirst(2)).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let ops = webhook(&server, &ada, "Ops", hook.url("/in")).await;
    let incident = nightly_backup_fails(&server, &ada).await;

    // Refused at once; retried 30 s later, refused again; retried 60 s after that, accepted.
    hook.wait_for(1).await;
    let first = &wait_notifications(&server, &ada, &incident, 1).await[0];
    assert_eq!(first["outcome"], "failed");
    assert_eq!(first["attempt"], 1);
    assert_eq!(
        first["error"],
        "HTTP 500 Internal Server Error: planned failure 1"
    );
    assert_eq!(first["nextAttemptAt"], "2026-11-30T09:00:30Z");
    let pending = &deliveries(&server, &ada, &ops).await[0];
    assert_eq!(
        (&pending["status"], &pending["attempts"]),
        (&json!("pending"), &json!(1))
    );
    assert_eq!(
        pending["lastError"],
        "HTTP 500 Internal Server Error: planned failure 1"
    );

    clock.advance(Duration::seconds(30));
    hook.wait_for(2).await;
    let second = &wait_notifications(&server, &ada, &incident, 2).await[1];
    assert_eq!(
        (&second["outcome"], &second["attempt"]),
        (&json!("failed"), &json!(2))
    );
    assert_eq!(second["nextAttemptAt"], "2026-11-30T09:01:30Z");

    clock.advance(Duration::seconds(60));
    let requests = hook.wait_for(3).await;
    let timeline = wait_notifications(&server, &ada, &incident, 3).await;
    let outcomes: Vec<&Value> = timeline.iter().map(|n| &n["outcome"]).collect();
    assert_eq!(
        outcomes,
        [&json!("failed"), &json!("failed"), &json!("sent")]
    );
    assert_eq!(timeline[2]["attempt"], 3);

    // One delivery, one key: a receiver that deduplicates on it acts exactly once.
    let delivery = &deliveries(&server, &ada, &ops).await;
    assert_eq!(delivery.len(), 1);
    let key = delivery[0]["id"].as_str().unwrap();
    for r in &requests {
        assert_eq!(r.header("idempotency-key"), Some(key));
        assert_eq!(r.header("x-dutyduck-delivery"), Some(key));
        assert_eq!(r.body, requests[0].body, "the same payload each time");
    }
    let answers: Vec<Option<u16>> = requests.iter().map(|r| r.status).collect();
    assert_eq!(answers, [Some(500), Some(500), Some(200)]);
    assert_eq!(delivery[0]["status"], "sent");
    assert_eq!(delivery[0]["attempts"], 3);
    assert_eq!(delivery[0]["sentAt"], "2026-11-30T09:01:30Z");
    assert_eq!(delivery[0]["lastError"], Value::Null);
    assert_eq!(delivery[0]["nextAttemptAt"], Value::Null);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_planned_before_a_restart_is_delivered_after_it() {
    let hook = HttpReceiver::start(Behaviour::FailFirst(1)).await;
    let clock = nine_o_clock();
    let (mut server, ada) = setup(&clock, None).await;
    let ops = webhook(&server, &ada, "Ops", hook.url("/in")).await;
    let incident = nightly_backup_fails(&server, &ada).await;
    let first = &wait_notifications(&server, &ada, &incident, 1).await[0];
    assert_eq!(first["outcome"], "failed");
    assert_eq!(first["nextAttemptAt"], "2026-11-30T09:00:30Z");

    // The retry lives in the database, not in the process that planned it.
    server.restart().await;
    clock.advance(Duration::seconds(30));
    let requests = hook.wait_for(2).await;
    assert_eq!(requests[1].status, Some(200));
    assert_eq!(
        requests[1].header("idempotency-key"),
        requests[0].header("idempotency-key")
    );
    let timeline = wait_notifications(&server, &ada, &incident, 2).await;
    assert_eq!(
        (&timeline[1]["outcome"], &timeline[1]["attempt"]),
        (&json!("sent"), &json!(2))
    );
    let delivery = &deliveries(&server, &ada, &ops).await[0];
    assert_eq!(
        (&delivery["status"], &delivery["attempts"]),
        (&json!("sent"), &json!(2))
    );
    // The link still points at the public URL, whatever port the new process got.
    assert_eq!(requests[1].json()["incident"]["url"], link(&incident));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unacknowledged_incident_is_re_notified_until_someone_acknowledges_it() {
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let (status, settings) = server
        .as_(&ada)
        .put(
            "/notification-settings",
            json!({"language": "en", "renotifyMinutes": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    let ops = webhook(&server, &ada, "Ops", hook.url("/in")).await;
    let incident = nightly_backup_fails(&server, &ada).await;
    hook.wait_for(1).await;
    wait_notifications(&server, &ada, &incident, 1).await;

    // Every 10 minutes while nobody has it in hand.
    for (n, minute) in [(2, "10"), (3, "20")] {
        clock.advance(Duration::minutes(10));
        let again = &hook.wait_for(n).await[n - 1];
        assert_eq!(again.header("x-dutyduck-event"), Some("renotification"));
        let body = again.json();
        assert_eq!(body["event"], "incident.renotification");
        assert_eq!(
            body["subject"],
            "[dutyduck] Still open, not acknowledged: Nightly backup"
        );
        assert_eq!(
            body["occurredAt"],
            format!("2026-11-30T09:{minute}:00.000Z")
        );
        wait_notifications(&server, &ada, &incident, n).await;
    }

    clock.advance(Duration::minutes(1));
    acknowledge(&server, &ada, &incident).await;
    let ack = &hook.wait_for(4).await[3];
    assert_eq!(ack.header("x-dutyduck-event"), Some("acknowledged"));
    wait_notifications(&server, &ada, &incident, 4).await;

    // Well past the next 10-minute mark, another task fails; its own renotifyMinutes (5)
    // beats the organization's. The worker pass that sends the canary's notification first
    // runs the re-notification check at that later time, in the same write: once the canary
    // has arrived, a re-notification of the acknowledged incident would already be queued.
    clock.advance(Duration::minutes(15));
    task(&server, &ada, json!({"id": "canary", "renotifyMinutes": 5})).await;
    let canary = run(&server, &ada, "canary", "failure").await;
    let canary_opened = &hook.wait_for(5).await[4];
    assert_eq!(canary_opened.json()["incident"]["id"], canary);
    wait_notifications(&server, &ada, &canary, 1).await;
    let of_first: Vec<Value> = deliveries(&server, &ada, &ops)
        .await
        .into_iter()
        .filter(|d| d["incidentId"] == incident)
        .collect();
    assert_eq!(
        events_of(&of_first),
        ["acknowledged", "renotification", "renotification", "opened"]
    );

    clock.advance(Duration::minutes(5));
    let canary_again = &hook.wait_for(6).await[5];
    assert_eq!(
        canary_again.header("x-dutyduck-event"),
        Some("renotification")
    );
    assert_eq!(canary_again.json()["incident"]["id"], canary);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hanging_receiver_does_not_delay_another_channel() {
    let hanging = HttpReceiver::start(Behaviour::Hang).await;
    let prompt = HttpReceiver::start(Behaviour::Accept).await;
    // Real time: the point is how long a real delivery waits.
    let server = TestServer::start_configured(Clock::system(), |config| {
        config.public_url = Some(PUBLIC_URL.into());
    })
    .await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    webhook(&server, &ada, "Hanging", hanging.url("/in")).await;
    webhook(&server, &ada, "Prompt", prompt.url("/in")).await;
    task(&server, &ada, json!({"id": "nightly-backup"})).await;

    let started = Instant::now();
    let incident = run(&server, &ada, "nightly-backup", "failure").await;
    let arrived = prompt.wait_for(1).await[0].at;
    let timeline = eventually("the prompt delivery recorded", || async {
        let all = notifications(&server, &ada, &incident).await;
        all.into_iter().find(|n| n["channelName"] == "Prompt")
    })
    .await;
    let recorded = started.elapsed();
    assert!(
        arrived - started < StdDuration::from_secs(5),
        "arrived after {:?}",
        arrived - started
    );
    assert!(
        recorded < StdDuration::from_secs(5),
        "recorded after {recorded:?}"
    );
    assert_eq!(timeline["outcome"], "sent");
    // The other one is still waiting for an answer meanwhile (the send timeout is 10 s).
    let stuck = hanging.wait_for(1).await;
    assert_eq!(stuck[0].status, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn slack_discord_and_ntfy_get_their_documented_payloads() {
    let chat = HttpReceiver::start(Behaviour::Accept).await;
    let ntfy = HttpReceiver::start(Behaviour::Accept).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let slack_path = "/services/T000/B000/XXXX";
    let discord_path = "/api/webhooks/123/abc";
    channel(
        &server,
        &ada,
        json!({"name": "Slack", "kind": "slack", "config": {"webhookUrl": chat.url(slack_path)}}),
    )
    .await;
    channel(
        &server,
        &ada,
        json!({"name": "Discord", "kind": "discord", "config": {"webhookUrl": chat.url(discord_path)}}),
    )
    .await;
    channel(
        &server,
        &ada,
        json!({"name": "Phones", "kind": "ntfy",
               "config": {"serverUrl": ntfy.url(""), "topic": "ops-alerts", "token": "tk_ntfy_secret"}}),
    )
    .await;
    let incident = nightly_backup_fails(&server, &ada).await;
    let subject = "[dutyduck] Incident opened: Nightly backup";
    let at_path = |requests: &[Received], path: &str| -> Value {
        let found: Vec<&Received> = requests.iter().filter(|r| r.path == path).collect();
        assert_eq!(found.len(), 1, "one request at {path}");
        assert_eq!(found[0].method, "POST");
        assert_eq!(found[0].header("content-type"), Some("application/json"));
        found[0].json()
    };

    let requests = chat.wait_for(2).await;
    // Slack: `text` is the notification fallback, one mrkdwn section holds the message.
    let slack = at_path(&requests, slack_path);
    assert_eq!(slack.as_object().unwrap().len(), 2, "{slack}");
    assert_eq!(slack["text"], subject);
    let section = &slack["blocks"][0];
    assert_eq!(slack["blocks"].as_array().unwrap().len(), 1);
    assert_eq!(section["type"], "section");
    assert_eq!(section["text"]["type"], "mrkdwn");
    let text = section["text"]["text"].as_str().unwrap();
    assert!(
        text.starts_with(&format!("*{subject}*\nIncident opened")),
        "{text}"
    );
    assert!(text.ends_with(&link(&incident)), "{text}");
    // Discord: one red embed linking to the incident.
    let discord = at_path(&requests, discord_path);
    assert_eq!(discord["username"], "dutyduck");
    let embed = &discord["embeds"][0];
    assert_eq!(embed["title"], subject);
    assert_eq!(embed["url"], link(&incident));
    assert_eq!(embed["color"], 0xd1242f);
    assert_eq!(embed["timestamp"], "2026-11-30T09:00:00Z");
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("A run of Nightly backup failed (exit code 1)."),
        "{embed}"
    );
    // ntfy: JSON published to the server root, with the access token.
    let pushed = ntfy.wait_for(1).await;
    assert_eq!(
        pushed[0].header("authorization"),
        Some("Bearer tk_ntfy_secret")
    );
    let body = at_path(&pushed, "/");
    assert_eq!(body["topic"], "ops-alerts");
    assert_eq!(body["title"], subject);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Incident opened: Nightly backup\n")
    );
    assert_eq!(body["priority"], 4);
    assert_eq!(body["tags"], json!(["rotating_light"]));
    assert_eq!(body["click"], link(&incident));

    // Good news looks like it: a green embed, an ordinary-priority push.
    run(&server, &ada, "nightly-backup", "success").await;
    let requests = chat.wait_for(4).await;
    let discord = at_path(&requests[2..], discord_path);
    assert_eq!(discord["embeds"][0]["color"], 0x2ea043);
    let pushed = ntfy.wait_for(2).await;
    let body = pushed[1].json();
    assert_eq!(
        body["title"],
        "[dutyduck] Incident resolved: Nightly backup"
    );
    assert_eq!(
        (&body["priority"], &body["tags"]),
        (&json!(3), &json!(["white_check_mark"]))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_notifies_only_its_channels_and_disabled_channels_get_nothing() {
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let a = webhook(&server, &ada, "A", hook.url("/a")).await;
    let b = webhook(&server, &ada, "B", hook.url("/b")).await;
    let off = channel(
        &server,
        &ada,
        json!({"name": "Off", "kind": "webhook", "enabled": false, "config": {"url": hook.url("/off")}}),
    )
    .await;
    task(
        &server,
        &ada,
        json!({"id": "only-b", "notificationChannels": [b]}),
    )
    .await;
    task(&server, &ada, json!({"id": "everyone"})).await;
    let (_, shown) = server.as_(&ada).get("/tasks/only-b").await;
    assert_eq!(shown["task"]["notificationChannels"], json!([b]));

    // Deliveries are queued in the same write as the incident: once the run is reported, who
    // will hear of it is settled, and the receiver can only ever get what is queued.
    let only_b = run(&server, &ada, "only-b", "failure").await;
    assert_eq!(hook.wait_for(1).await[0].path, "/b");
    wait_notifications(&server, &ada, &only_b, 1).await;
    assert!(deliveries(&server, &ada, &a).await.is_empty());
    assert!(deliveries(&server, &ada, &off).await.is_empty());

    // A minute later, so deliveries (newest first) have distinct times.
    clock.advance(Duration::minutes(1));
    let everyone = run(&server, &ada, "everyone", "failure").await;
    let mut paths: Vec<String> = hook.wait_for(3).await[1..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    paths.sort();
    assert_eq!(paths, ["/a", "/b"]);
    assert!(deliveries(&server, &ada, &off).await.is_empty());
    let to_b: Vec<Value> = deliveries(&server, &ada, &b)
        .await
        .iter()
        .map(|d| d["incidentId"].clone())
        .collect();
    assert_eq!(to_b, [json!(everyone), json!(only_b)]);
    assert_eq!(hook.received().len(), 3);

    // A deleted channel leaves the tasks that chose it.
    let (status, _) = server
        .as_(&ada)
        .delete(&format!("/notification-channels/{b}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, shown) = server.as_(&ada).get("/tasks/only-b").await;
    assert_eq!(shown["task"]["notificationChannels"], json!([]));
    let (_, shown) = server.as_(&ada).get("/tasks/everyone").await;
    assert_eq!(
        shown["task"]["notificationChannels"],
        Value::Null,
        "still all channels"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sending_a_test_answers_with_the_outcome_and_is_not_retried() {
    let working = HttpReceiver::start(Behaviour::Accept).await;
    let broken = HttpReceiver::start(Behaviour::FailFirst(usize::MAX)).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let good = webhook(&server, &ada, "Good", working.url("/in")).await;
    let bad = webhook(&server, &ada, "Bad", broken.url("/in")).await;
    let mail = channel(
        &server,
        &ada,
        json!({"name": "Mail", "kind": "email", "config": {"recipients": ["ops@example.com"]}}),
    )
    .await;
    let test = |id: String| {
        let (server, ada) = (&server, &ada);
        async move {
            let path = format!("/notification-channels/{id}/test");
            let (status, body) = server.as_(ada).post_empty(&path).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };

    let sent = test(good).await;
    assert_eq!(
        (&sent["outcome"], &sent["error"]),
        (&json!("sent"), &Value::Null)
    );
    assert_eq!(sent["delivery"]["event"], "test");
    assert!(
        sent["delivery"].get("incidentId").is_none(),
        "a test message has no incident, and says so by leaving the field out: {sent}"
    );
    assert_eq!(sent["delivery"]["status"], "sent");
    let got = &working.received()[0];
    assert_eq!(got.header("x-dutyduck-event"), Some("test"));
    let body = got.json();
    assert_eq!(body["event"], "test");
    assert_eq!(body["subject"], "[dutyduck] Test message");
    assert_eq!(
        (&body["incident"], &body["source"]),
        (&Value::Null, &Value::Null)
    );

    let failed = test(bad.clone()).await;
    assert_eq!(failed["outcome"], "failed");
    assert_eq!(
        failed["error"],
        "HTTP 500 Internal Server Error: planned failure 1"
    );
    // Given up at once: the worker only ever picks pending deliveries, so this one is final.
    let d = &failed["delivery"];
    assert_eq!(
        (&d["status"], &d["attempts"]),
        (&json!("gaveup"), &json!(1))
    );
    assert_eq!(d["nextAttemptAt"], Value::Null);
    assert_eq!(deliveries(&server, &ada, &bad).await[0]["status"], "gaveup");
    assert_eq!(broken.received().len(), 1);

    // This server has no SMTP relay: the list tells the dashboard, the test says so too.
    let (_, listed) = server.as_(&ada).get("/notification-channels").await;
    assert_eq!(listed["emailConfigured"], false, "{listed}");
    let no_smtp = test(mail).await;
    assert_eq!(no_smtp["outcome"], "failed");
    assert!(
        no_smtp["error"]
            .as_str()
            .unwrap()
            .starts_with("no SMTP server configured"),
        "{no_smtp}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_channels_settings_and_routing_are_refused_naming_the_field() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let hook = "http://127.0.0.1:9/in";
    let cases = [
        (json!({"kind": "webhook", "config": {"url": hook}}), "name"),
        (json!({"name": "x", "config": {"url": hook}}), "kind"),
        (json!({"name": "x", "kind": "pager", "config": {}}), "kind"),
        (
            json!({"name": "x", "kind": "webhook", "config": {"url": "ftp://x"}}),
            "config.url",
        ),
        (
            json!({"name": "x", "kind": "webhook", "config": {"url": hook, "secret": "short"}}),
            "config.secret",
        ),
        (
            json!({"name": "x", "kind": "email", "config": {"recipients": ["not an address"]}}),
            "config.recipients[0]",
        ),
        (
            json!({"name": "x", "kind": "email", "config": {}}),
            "config.recipients",
        ),
        (
            json!({"name": "x", "kind": "slack", "config": {"webhookUrl": "nope"}}),
            "config.webhookUrl",
        ),
        (
            json!({"name": "x", "kind": "ntfy", "config": {"topic": "a b"}}),
            "config.topic",
        ),
    ];
    for (body, field) in cases {
        let (status, error) = server
            .as_(&ada)
            .post("/notification-channels", body.clone())
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{field}:")),
            "{body}: {message}"
        );
    }

    let id = webhook(&server, &ada, "Ops", hook.into()).await;
    let others = [
        (
            Method::PATCH,
            format!("/notification-channels/{id}"),
            json!({"kind": "slack"}),
            "kind",
        ),
        (
            Method::PUT,
            "/notification-settings".into(),
            json!({"language": "de", "renotifyMinutes": null}),
            "language",
        ),
        (
            Method::PUT,
            "/notification-settings".into(),
            json!({"language": "en", "renotifyMinutes": 2}),
            "renotifyMinutes",
        ),
        (
            Method::POST,
            "/tasks".into(),
            json!({"id": "t", "renotifyMinutes": 1}),
            "renotifyMinutes",
        ),
        (
            Method::PUT,
            "/notification-settings".into(),
            json!({"language": "en", "renotifyMinutes": null, "stormThreshold": 0}),
            "stormThreshold",
        ),
        (
            Method::PUT,
            "/notification-settings".into(),
            json!({"language": "en", "renotifyMinutes": null, "stormWindowSeconds": 5}),
            "stormWindowSeconds",
        ),
    ];
    for (method, path, body, field) in others {
        let (status, error) = server
            .as_(&ada)
            .send(method, &path, Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{field}:")),
            "{body}: {message}"
        );
    }
    // A channel that does not exist is not found, like an unknown id in a path.
    let (status, error) = server.as_(&ada).post("/tasks", json!({"id": "t", "notificationChannels": [id, "01930000-0000-7000-8000-000000000000"]}))
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("notificationChannels[1]:")
    );

    // Another organization's channel is as unknown as a made-up one.
    let other = server.user_with_token("zoe@example.com", "Globex");
    let (status, error) = server
        .as_(&other)
        .post("/tasks", json!({"id": "t", "notificationChannels": [id]}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{error}");
    let (status, _) = server
        .as_(&other)
        .get(&format!("/notification-channels/{id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn editors_see_channels_with_secrets_masked_and_reporters_do_not_see_them() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let config = json!({"url": "https://hooks.example.com/in", "secret": SECRET,
                        "headers": {"Authorization": "Bearer hook-token"}});
    let id = channel(
        &server,
        &ada,
        json!({"name": "Ops", "kind": "webhook", "config": config}),
    )
    .await;
    server.create_user("eve@example.com", "Acme", Some("Editor"));
    let editor = server.create_token("eve@example.com", &[]);
    server.create_user("rex@example.com", "Acme", Some("Reporter"));
    let reporter = server.create_token("rex@example.com", &[]);

    // The owner reads the secrets; an editor sees that they exist, not what they are.
    let path = format!("/notification-channels/{id}");
    let (_, mine) = server.as_(&ada).get(&path).await;
    assert_eq!(mine["config"], config);
    let masked = json!({"url": "https://hooks.example.com/in", "secret": "********",
                        "headers": {"Authorization": "********"}});
    let (status, listed) = server.as_(&editor).get("/notification-channels").await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["items"][0]["config"], masked);
    let (_, one) = server.as_(&editor).get(&path).await;
    assert_eq!(one["config"], masked);

    // Only those who may manage channels change them.
    let writes = [
        (
            Method::POST,
            "/notification-channels".to_owned(),
            Some(
                json!({"name": "Mine", "kind": "webhook", "config": {"url": "https://x.example.com"}}),
            ),
        ),
        (
            Method::PATCH,
            path.clone(),
            Some(json!({"name": "Renamed"})),
        ),
        (Method::DELETE, path.clone(), None),
        (Method::POST, format!("{path}/test"), None),
        (
            Method::PUT,
            "/notification-settings".into(),
            Some(json!({"language": "fr", "renotifyMinutes": null})),
        ),
    ];
    for (method, path, body) in writes {
        let (status, error) = server.as_(&editor).send(method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {error}");
    }
    for path in [
        "/notification-channels".to_owned(),
        path.clone(),
        format!("{path}/deliveries"),
        "/notification-settings".into(),
    ] {
        let (status, error) = server.as_(&reporter).get(&path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {error}");
    }

    // What the dashboard sends back masked keeps the stored secrets.
    let (status, patched) = server
        .as_(&ada)
        .patch(&path, json!({"name": "Ops (EU)", "config": masked}))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "Ops (EU)");
    assert_eq!(patched["config"], config);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receiver_down_for_a_day_is_given_up_on_and_the_timeline_says_so() {
    let hook = HttpReceiver::start(Behaviour::FailFirst(usize::MAX)).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let ops = webhook(&server, &ada, "Ops", hook.url("/in")).await;
    let incident = nightly_backup_fails(&server, &ada).await;

    // Each retry happens when the previous attempt planned it, until none is planned.
    let mut attempted_at = vec![clock.now()];
    let last = loop {
        let n = attempted_at.len();
        let latest = wait_notifications(&server, &ada, &incident, n).await[n - 1].clone();
        assert_eq!(latest["attempt"], n);
        let Some(next) = latest["nextAttemptAt"].as_str() else {
            break latest;
        };
        assert_eq!(latest["outcome"], "failed");
        assert!(n < 30, "still retrying after {n} attempts");
        clock.set(at(next));
        attempted_at.push(at(next));
    };
    let waits: Vec<i64> = attempted_at
        .windows(2)
        .map(|w| (w[1] - w[0]).num_seconds())
        .collect();
    let mut expected = vec![30, 60, 120, 240, 480, 960, 1920, 3840];
    expected.resize(18, 7200);
    assert_eq!(waits, expected, "30 s doubling, at most 2 h, for a day");
    assert_eq!(last["outcome"], "gaveup");
    assert_eq!(
        last["error"],
        "HTTP 500 Internal Server Error: planned failure 19"
    );
    let delivery = &deliveries(&server, &ada, &ops).await[0];
    assert_eq!(
        (&delivery["status"], &delivery["attempts"]),
        (&json!("gaveup"), &json!(19))
    );
    assert_eq!(delivery["nextAttemptAt"], Value::Null);
    assert_eq!(hook.received().len(), 19);
}

/// Moves the clock by `seconds` and waits for the monitor's next check to bring it to
/// `status` (each step of the test below changes it).
async fn check_until(server: &TestServer, token: &Token, id: &str, seconds: i64, status: &str) {
    server.clock.advance(Duration::seconds(seconds));
    eventually(&format!("monitor {status}"), || async {
        let (_, body) = server.as_(token).get(&format!("/monitors/{id}")).await;
        (body["monitor"]["status"] == status).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_monitor_notifies_once_its_outage_is_confirmed_and_when_it_recovers() {
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    let target = Target::start().await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let ops = webhook(&server, &ada, "Ops", hook.url("/in")).await;
    let (status, created) = server
        .as_(&ada)
        .post(
            "/monitors",
            json!({"name": "Shop", "url": target.url(), "intervalSeconds": 60,
                    "downtimeConfirmationThreshold": 2, "recoveryConfirmationThreshold": 1,
                    "notificationChannels": [ops]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    check_until(&server, &ada, &id, 5, "up").await;

    // A first failure is only a suspicion: nobody is told (deliveries are queued in the same
    // write as the check, so none now means none ever for it).
    target.set(Mode::Status(503));
    check_until(&server, &ada, &id, 60, "suspicious").await;
    assert!(deliveries(&server, &ada, &ops).await.is_empty());
    check_until(&server, &ada, &id, 60, "down").await;
    let opened = &hook.wait_for(1).await[0].json();
    assert_eq!(opened["event"], "incident.opened");
    assert_eq!(
        opened["source"],
        json!({"type": "httpmonitor", "id": id, "name": "Shop", "url": target.url()})
    );
    let sentence = format!("{} is not responding correctly (HTTP 503).", target.url());
    assert!(
        opened["text"].as_str().unwrap().contains(&sentence),
        "{opened}"
    );
    let incident = opened["incident"]["id"].as_str().unwrap().to_owned();
    wait_notifications(&server, &ada, &incident, 1).await;

    target.set(Mode::Up);
    check_until(&server, &ada, &id, 60, "up").await;
    let resolved = &hook.wait_for(2).await[1].json();
    assert_eq!(resolved["event"], "incident.resolved");
    assert_eq!(resolved["incident"]["id"], incident);
    wait_notifications(&server, &ada, &incident, 2).await;

    // A blip (one failure, then fine: recovering, up) is discarded unannounced.
    target.set(Mode::Status(503));
    check_until(&server, &ada, &id, 60, "suspicious").await;
    target.set(Mode::Up);
    check_until(&server, &ada, &id, 60, "recovering").await;
    check_until(&server, &ada, &id, 60, "up").await;
    assert_eq!(
        events_of(&deliveries(&server, &ada, &ops).await),
        ["resolved", "opened"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn disabling_a_channel_stops_its_pending_retries() {
    let hook = HttpReceiver::start(Behaviour::FailFirst(1)).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let ops = webhook(&server, &ada, "Ops", hook.url("/in")).await;
    let incident = nightly_backup_fails(&server, &ada).await;
    let first = &wait_notifications(&server, &ada, &incident, 1).await[0];
    assert_eq!(first["nextAttemptAt"], "2026-11-30T09:00:30Z");

    let path = format!("/notification-channels/{ops}");
    let (status, body) = server
        .as_(&ada)
        .patch(&path, json!({"enabled": false}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    clock.advance(Duration::seconds(30));
    let last = &wait_notifications(&server, &ada, &incident, 2).await[1];
    assert_eq!(
        (&last["outcome"], &last["error"]),
        (&json!("gaveup"), &json!("the channel is disabled"))
    );
    assert_eq!(deliveries(&server, &ada, &ops).await[0]["status"], "gaveup");
    assert_eq!(hook.received().len(), 1, "nothing more was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn turning_re_notification_on_applies_to_incidents_already_open() {
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    webhook(&server, &ada, "Ops", hook.url("/in")).await;
    let incident = nightly_backup_fails(&server, &ada).await;
    hook.wait_for(1).await;
    wait_notifications(&server, &ada, &incident, 1).await;

    // Opened while re-notification was off; switching it on starts the clock from now.
    clock.advance(Duration::minutes(3));
    let body = json!({"language": "en", "renotifyMinutes": 10});
    let (status, _) = server.as_(&ada).put("/notification-settings", body).await;
    assert_eq!(status, StatusCode::OK);
    clock.advance(Duration::minutes(10));
    let again = &hook.wait_for(2).await[1];
    assert_eq!(again.header("x-dutyduck-event"), Some("renotification"));
    assert_eq!(again.json()["occurredAt"], "2026-11-30T09:13:00.000Z");
}
