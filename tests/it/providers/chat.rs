//! Telegram (Bot API `sendMessage`, HTML parse mode) and Matrix (client-server API, an
//! `m.notice` with HTML): the markup of names reaches the chat as text, escaped.

use serde_json::json;

use super::{named_task_fails_and_recovers, with_channel};
use crate::common::receivers::{Answer, HttpReceiver};

const BOT_TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
/// A name a careless sender would turn into markup (or into a 400 "can't parse entities").
const HOSTILE: &str = "Backup <db> & \"logs\"";
const ESCAPED: &str = "Backup &lt;db&gt; &amp; &quot;logs&quot;";

#[tokio::test(flavor = "multi_thread")]
async fn telegram_gets_one_html_message_per_change_with_names_escaped() {
    let sent = json!({"ok": true, "result": {"message_id": 42, "date": 1_796_029_200,
                      "chat": {"id": -1_001_234_567_890_i64, "type": "supergroup"}}});
    let tg = HttpReceiver::scripted(vec![], Answer::json(200, sent)).await;
    let config = json!({"botToken": BOT_TOKEN, "chatId": "-1001234567890", "apiUrl": tg.url("")});
    let (server, ada, clock, _) = with_channel("telegram", config).await;
    let (incident, requests) =
        named_task_fails_and_recovers(&server, &ada, &clock, &tg, HOSTILE).await;

    let subjects = ["opened", "acknowledged", "resolved"];
    for (r, event) in requests.iter().zip(subjects) {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, format!("/bot{BOT_TOKEN}/sendMessage"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let message = r.json();
        assert_eq!(message["chat_id"], "-1001234567890");
        assert_eq!(message["parse_mode"], "HTML");
        let text = message["text"].as_str().unwrap();
        let bold = format!("<b>[dutyduck] Incident {event}: {ESCAPED}</b>\n");
        assert!(text.starts_with(&bold), "{text}");
        assert!(!text.contains(HOSTILE), "{text}");
        assert!(text.chars().count() <= 4096);
    }
    let opened = requests[0].json()["text"].as_str().unwrap().to_owned();
    assert!(
        opened.ends_with(&crate::notifications::link(&incident)),
        "{opened}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn matrix_gets_a_notice_put_once_per_delivery_with_a_bearer_token() {
    let tx = HttpReceiver::scripted(vec![], Answer::json(200, json!({"event_id": "$ev1"}))).await;
    let config = json!({"homeserverUrl": tx.url(""), "accessToken": "syt_ZHV0eWR1Y2s_secret",
                        "roomId": "!ops:example.org"});
    let (server, ada, clock, matrix) = with_channel("matrix", config).await;
    let (incident, requests) =
        named_task_fails_and_recovers(&server, &ada, &clock, &tx, HOSTILE).await;

    let mut transactions = Vec::new();
    for r in &requests {
        assert_eq!(r.method, "PUT");
        let prefix = "/_matrix/client/v3/rooms/%21ops%3Aexample%2Eorg/send/m.room.message/";
        let txn = r
            .path
            .strip_prefix(prefix)
            .unwrap_or_else(|| panic!("{}", r.path));
        transactions.push(txn.to_owned());
        assert_eq!(
            r.header("authorization"),
            Some("Bearer syt_ZHV0eWR1Y2s_secret")
        );
        let content = r.json();
        assert_eq!(content["msgtype"], "m.notice");
        assert_eq!(content["format"], "org.matrix.custom.html");
        let html = content["formatted_body"].as_str().unwrap();
        assert!(html.contains(ESCAPED) && !html.contains(HOSTILE), "{html}");
        assert!(content["body"].as_str().unwrap().contains(HOSTILE));
    }
    // Each change is its own transaction: its delivery's id, which a retry would reuse.
    let deliveries = crate::notifications::deliveries(&server, &ada, &matrix).await;
    let mut ids: Vec<String> = deliveries
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    transactions.sort();
    assert_eq!(ids, transactions);
    let opened = requests[0].json()["formatted_body"]
        .as_str()
        .unwrap()
        .to_owned();
    let link = crate::notifications::link(&incident);
    assert!(
        opened.ends_with(&format!("<a href=\"{link}\">{link}</a>")),
        "{opened}"
    );
}
