//! The storm the issue describes: 200 monitors of one organization watch one service, which goes
//! down. Their checks run concurrently and open 200 incidents in separate writes; each channel
//! (a webhook receiver and the SMTP receiver) must get at most 3 digests, plus at most the
//! threshold's first few messages sent before the storm was seen, naming all 200 between them.

use std::collections::BTreeSet;

use chrono::Duration;
use dutyduck::clock::Clock;
use serde_json::{Value, json};

use super::{names_in_mail, wait_all_incidents};
use crate::common::receivers::{Behaviour, HttpReceiver, SmtpReceiver};
use crate::common::target::Target;
use crate::common::{TestServer, Token, at, eventually};
use crate::notifications::{channel, setup, webhook};

const MONITORS: usize = 200;

fn name(n: usize) -> String {
    format!("Service {n:03}")
}

/// Moves the clock a minute and waits until every monitor was checked again.
async fn minute(server: &TestServer, token: &Token, clock: &Clock) {
    let checked = || async {
        let mut all = Vec::new();
        for page in 1..=2 {
            let path = format!("/monitors?itemsPerPage=100&pageNumber={page}");
            all.extend(server.as_(token).items(&path).await);
        }
        all.into_iter()
            .map(|m| m["lastCheckAt"].clone())
            .collect::<Vec<Value>>()
    };
    let before = checked().await;
    clock.advance(Duration::seconds(60));
    eventually("a check of every monitor", || async {
        let now = checked().await;
        now.iter()
            .zip(&before)
            .all(|(now, before)| !now.is_null() && now != before)
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_monitors_down_at_once_make_at_most_three_digests_per_channel() {
    let smtp = SmtpReceiver::start().await;
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    let clock = Clock::manual(at("2026-11-30T09:00:00Z"));
    let (server, ada) = setup(&clock, Some(&smtp)).await;
    webhook(&server, &ada, "Ops", hook.url("/in")).await;
    let mail = json!({"name": "On-call", "kind": "email",
                      "config": {"recipients": ["oncall@example.com"]}});
    channel(&server, &ada, mail).await;
    let mut service = Target::start().await;
    for n in 1..=MONITORS {
        let body = json!({"name": name(n), "url": service.url(), "intervalSeconds": 60});
        server.as_(&ada).create("/monitors", body).await;
    }
    minute(&server, &ada, &clock).await;

    service.down().await;
    // Suspicious after one failed check, down (the incident confirmed, people told) after two.
    minute(&server, &ada, &clock).await;
    minute(&server, &ada, &clock).await;
    wait_all_incidents(&server, &ada, MONITORS).await;
    // The digests gather for a few seconds after the storm begins.
    clock.advance(Duration::seconds(5));

    let all: BTreeSet<String> = (1..=MONITORS).map(name).collect();
    let (digests, alone) = eventually("every incident told by webhook", || async {
        let mut told = BTreeSet::new();
        let (mut digests, mut alone) = (0, 0);
        for request in hook.received() {
            let body = request.json();
            match body["digest"]["incidents"].as_array() {
                Some(items) => {
                    assert_eq!(body["event"], "digest.opened");
                    digests += 1;
                    told.extend(items.iter().map(|i| str(&i["source"]["name"])));
                }
                None => {
                    assert_eq!(body["event"], "incident.opened");
                    alone += 1;
                    told.insert(str(&body["source"]["name"]));
                }
            }
        }
        (told == all).then_some((digests, alone))
    })
    .await;
    assert!(digests <= 3, "{digests} digests by webhook");
    assert!(alone <= 5, "{alone} sent alone by webhook");

    let (digests, alone) = eventually("every incident told by e-mail", || async {
        let mut told = BTreeSet::new();
        let (mut digests, mut alone) = (0, 0);
        for m in smtp.mails() {
            match names_in_mail(&m.body()) {
                listed if listed.is_empty() => {
                    alone += 1;
                    let subject = m.header("Subject").unwrap();
                    told.insert(subject.rsplit(": ").next().unwrap().to_owned());
                }
                listed => {
                    digests += 1;
                    told.extend(listed);
                }
            }
        }
        (told == all).then_some((digests, alone))
    })
    .await;
    assert!(digests <= 3, "{digests} digests by e-mail");
    assert!(alone <= 5, "{alone} e-mailed alone");
}

fn str(v: &Value) -> String {
    v.as_str().unwrap().to_owned()
}
