//! Storm grouping end to end on the manual clock: 200 scheduled tasks go late at once, and each
//! of two channels (a webhook receiver and the SMTP receiver) gets a few digests that together
//! name all 200, instead of 200 messages; their resolutions are grouped likewise.

use std::collections::BTreeSet;

use chrono::Duration;
use dutyduck::clock::Clock;
use serde_json::{Value, json};

use crate::common::receivers::{Behaviour, HttpReceiver, SmtpReceiver};
use crate::common::{TestServer, Token, at, eventually};
use crate::notifications::{channel, run, setup, webhook};

const TASKS: usize = 200;

fn name(n: usize) -> String {
    format!("Job {n:03}")
}

/// The deliveries of a channel (all of them: several pages).
async fn all_deliveries(server: &TestServer, token: &Token, channel: &str) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let path = format!(
            "/notification-channels/{channel}/deliveries?itemsPerPage=100&pageNumber={page}"
        );
        let items = server.as_(token).items(&path).await;
        if items.is_empty() {
            break;
        }
        all.extend(items);
    }
    all
}

/// The task names an e-mail digest lists ("- Job 007" lines).
fn names_in_mail(body: &str) -> Vec<String> {
    body.lines()
        .filter_map(|l| l.strip_prefix("- "))
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_tasks_late_at_once_make_a_few_digests_per_channel() {
    let smtp = SmtpReceiver::start().await;
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    let clock = Clock::manual(at("2026-11-30T09:00:00Z"));
    let (server, ada) = setup(&clock, Some(&smtp)).await;
    let ops = webhook(&server, &ada, "Ops", hook.url("/in")).await;
    let mail = channel(
        &server,
        &ada,
        json!({"name": "On-call", "kind": "email", "config": {"recipients": ["oncall@example.com"]}}),
    )
    .await;
    for n in 1..=TASKS {
        server
            .as_(&ada)
            .create(
                "/tasks",
                json!({"id": format!("job-{n:03}"), "name": name(n), "cronSchedule": "0 10 * * *",
                       "startWindowSeconds": 120}),
            )
            .await;
    }

    // At 10:02 every task is late, in one pass of the deadline timer: 200 incidents at once.
    clock.set(at("2026-11-30T10:02:00Z"));
    wait_all_incidents(&server, &ada, TASKS).await;

    // Nothing went out alone: on each channel, every row belongs to one of two digests of 100,
    // due 5 s after the storm began.
    for channel in [&ops, &mail] {
        let rows = all_deliveries(&server, &ada, channel).await;
        assert_eq!(rows.len(), TASKS);
        let digests: BTreeSet<&str> = rows
            .iter()
            .map(|d| d["digestId"].as_str().expect("in a digest"))
            .collect();
        assert_eq!(digests.len(), 2, "{digests:?}");
        let leaders: Vec<&Value> = rows.iter().filter(|d| d["id"] == d["digestId"]).collect();
        assert_eq!(leaders.len(), 2);
        assert!(
            leaders
                .iter()
                .all(|l| l["nextAttemptAt"] == "2026-11-30T10:02:05Z")
        );
        assert!(rows.iter().all(|d| d["status"] == "pending"));
    }
    assert!(hook.received().is_empty() && smtp.mails().is_empty());

    clock.advance(Duration::seconds(5));
    let opened = hook.wait_for(2).await;
    let mails = smtp.wait_for(2).await;
    let mut named = BTreeSet::new();
    for request in &opened {
        let body = request.json();
        assert_eq!(body["event"], "digest.opened");
        assert_eq!(request.header("x-dutyduck-event"), Some("digest.opened"));
        assert_eq!(request.header("idempotency-key"), body["id"].as_str());
        assert!(
            body["subject"].as_str().unwrap().contains("tasks failing"),
            "{body}"
        );
        assert_eq!(
            body["digest"]["url"],
            "https://duck.example.com/dashboard/incidents?status=ongoing"
        );
        let incidents = body["digest"]["incidents"].as_array().unwrap();
        assert_eq!(body["digest"]["count"], incidents.len());
        named.extend(
            incidents
                .iter()
                .map(|i| i["source"]["name"].as_str().unwrap().to_owned()),
        );
    }
    assert_eq!(named.len(), TASKS, "the webhook digests name every task");
    let in_mails: BTreeSet<String> = mails
        .iter()
        .flat_map(|m| names_in_mail(&m.body()))
        .collect();
    assert_eq!(in_mails, named, "so do the e-mails");
    for m in &mails {
        let subject = m.header("Subject").unwrap();
        assert!(
            subject.starts_with("[dutyduck] 100 tasks failing: Job "),
            "{subject}"
        );
    }
    // Every row of both digests is sent; no message went alone.
    eventually("every row sent", || async {
        let rows = all_deliveries(&server, &ada, &ops).await;
        rows.iter().all(|d| d["status"] == "sent").then_some(())
    })
    .await;
    assert_eq!((hook.received().len(), smtp.mails().len()), (2, 2));

    // Each task runs again: 200 resolutions within seconds. The first few may go alone before
    // the storm is seen; the rest are digests.
    clock.advance(Duration::seconds(5));
    for n in 1..=TASKS {
        run(&server, &ada, &format!("job-{n:03}"), "success").await;
    }
    clock.advance(Duration::seconds(5));
    let resolved = eventually("every resolution told", || async {
        let now: Vec<Value> = hook.received()[2..].iter().map(|r| r.json()).collect();
        let told: usize = now
            .iter()
            .map(|b| b["digest"]["count"].as_u64().map_or(1, |c| c as usize))
            .sum();
        (told >= TASKS).then_some(now)
    })
    .await;
    let digests = resolved
        .iter()
        .filter(|b| b["event"] == "digest.resolved")
        .count();
    let alone = resolved
        .iter()
        .filter(|b| b["event"] == "incident.resolved")
        .count();
    assert!(digests <= 3, "{digests} resolution digests");
    assert!(
        alone <= 5,
        "{alone} resolutions alone (at most the threshold)"
    );
    let mut resolved_names = BTreeSet::new();
    for body in &resolved {
        match body["digest"]["incidents"].as_array() {
            Some(items) => resolved_names.extend(
                items
                    .iter()
                    .map(|i| i["source"]["name"].as_str().unwrap().to_owned()),
            ),
            None => {
                resolved_names.insert(body["source"]["name"].as_str().unwrap().to_owned());
            }
        }
    }
    assert_eq!(resolved_names, named);
    // The e-mail channel groups on its own: a resolution that went alone on the webhook may
    // still have been waiting for the slower SMTP sender when the storm began, and then joined
    // the digest. Each channel keeps to the same bounds.
    let (mail_digests, mail_alone) = eventually("every resolution e-mailed", || async {
        let mut told = BTreeSet::new();
        let (mut digests, mut alone) = (0, 0);
        for m in smtp.mails().iter().skip(2) {
            let listed = names_in_mail(&m.body());
            if listed.is_empty() {
                // One alone: "Incident resolved: Job 007".
                let subject = m.header("Subject").unwrap();
                told.insert(subject.rsplit(": ").next().unwrap().to_owned());
                alone += 1;
            } else {
                told.extend(listed);
                digests += 1;
            }
        }
        (told == named).then_some((digests, alone))
    })
    .await;
    assert!(
        mail_digests <= 3,
        "{mail_digests} resolution digests by e-mail"
    );
    assert!(mail_alone <= 5, "{mail_alone} resolutions e-mailed alone");
}

/// Waits until `n` incidents are ongoing.
async fn wait_all_incidents(server: &TestServer, token: &Token, n: usize) {
    eventually(&format!("{n} ongoing incidents"), || async {
        let (_, body) = server.as_(token).get("/incidents/ongoing-count").await;
        (body["ongoing"] == n).then_some(())
    })
    .await;
}

mod monitors;
