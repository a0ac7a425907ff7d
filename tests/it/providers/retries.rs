//! A provider that says when to retry is not asked again sooner: Telegram's
//! `parameters.retry_after`, a `Retry-After` header (Matrix's 429), never past the day after
//! which the outbox gives up. On the manual clock.

use std::time::Duration as StdDuration;

use chrono::Duration;
use serde_json::{Value, json};

use super::with_channel;
use crate::common::receivers::{Answer, HttpReceiver};
use crate::common::{TestServer, Token};
use crate::notifications::{deliveries, nightly_backup_fails, wait_notifications};

const BOT_TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

/// The receiver got nothing more than `n` requests, a moment after the clock moved: what the
/// worker would have sent by now is in flight (the claim is immediate once due).
async fn still(receiver: &HttpReceiver, n: usize) {
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), n, "nothing sent before the hint");
}

async fn last_delivery(server: &TestServer, ada: &Token, channel: &str) -> Value {
    deliveries(server, ada, channel).await[0].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn telegram_too_many_requests_is_retried_after_its_retry_after() {
    let busy = json!({"ok": false, "error_code": 429,
                      "description": "Too Many Requests: retry after 90",
                      "parameters": {"retry_after": 90}});
    let sent = json!({"ok": true, "result": {"message_id": 7}});
    let tg = HttpReceiver::scripted(vec![Answer::json(429, busy)], Answer::json(200, sent)).await;
    let config = json!({"botToken": BOT_TOKEN, "chatId": "42", "apiUrl": tg.url("")});
    let (server, ada, clock, telegram) = with_channel("telegram", config).await;
    let incident = nightly_backup_fails(&server, &ada).await;

    let first = &wait_notifications(&server, &ada, &incident, 1).await[0];
    assert_eq!(first["outcome"], "failed");
    // Not the 30 s backoff: Telegram asked for 90.
    assert_eq!(first["nextAttemptAt"], "2026-11-30T09:01:30Z");
    let error = first["error"].as_str().unwrap();
    assert!(
        error.starts_with("HTTP 429 Too Many Requests: {"),
        "{error}"
    );
    assert!(
        error.contains("retry after 90") && !error.contains(BOT_TOKEN),
        "{error}"
    );
    let pending = last_delivery(&server, &ada, &telegram).await;
    assert_eq!(pending["nextAttemptAt"], "2026-11-30T09:01:30Z");

    clock.advance(Duration::seconds(89));
    still(&tg, 1).await;
    clock.advance(Duration::seconds(1));
    let requests = tg.wait_for(2).await;
    assert_eq!(requests[1].body, requests[0].body, "the same message");
    let second = &wait_notifications(&server, &ada, &incident, 2).await[1];
    assert_eq!(
        (&second["outcome"], &second["attempt"]),
        (&json!("sent"), &json!(2))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_header_is_honoured_and_capped_at_the_give_up_deadline() {
    let limited = json!({"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests"});
    let script = vec![
        // A hint-less failure: the usual backoff (30 s).
        Answer::json(502, json!({"errcode": "M_UNKNOWN", "error": "Bad gateway"})),
        Answer::json(429, limited.clone()).header("Retry-After", "120"),
        // Two days: more than the outbox waits; it tries once more at its deadline.
        Answer::json(429, limited).header("Retry-After", "172800"),
    ];
    let hs = HttpReceiver::scripted(script, Answer::json(200, json!({"event_id": "$e"}))).await;
    let config = json!({"homeserverUrl": hs.url(""), "accessToken": "syt_token",
                        "roomId": "!ops:example.org"});
    let (server, ada, clock, _) = with_channel("matrix", config).await;
    let incident = nightly_backup_fails(&server, &ada).await;

    let next = |n: usize| {
        let (server, ada, incident) = (&server, &ada, &incident);
        async move {
            let all = wait_notifications(server, ada, incident, n).await;
            all[n - 1]["nextAttemptAt"].clone()
        }
    };
    assert_eq!(next(1).await, "2026-11-30T09:00:30Z");
    clock.advance(Duration::seconds(30));
    assert_eq!(
        next(2).await,
        "2026-11-30T09:02:30Z",
        "120 s, not the 60 s backoff"
    );
    clock.advance(Duration::seconds(119));
    still(&hs, 2).await;
    clock.advance(Duration::seconds(1));
    assert_eq!(
        next(3).await,
        "2026-12-01T09:00:00Z",
        "the give-up deadline"
    );
    clock.advance(Duration::days(1) - Duration::seconds(150));
    let requests = hs.wait_for(4).await;
    assert_eq!(requests[3].status, Some(200));
    let last = &wait_notifications(&server, &ada, &incident, 4).await[3];
    assert_eq!(
        (&last["outcome"], &last["attempt"]),
        (&json!("sent"), &json!(4))
    );
}
