//! Each chat service gets, for an incident opened, acknowledged and resolved, the requests its
//! documentation describes: Teams a `message` with one Adaptive Card; Google Chat a `text` in
//! the incident's thread (`thread.threadKey` + `messageReplyOption`, the webhook's key and token
//! kept); Mattermost and Rocket.Chat their incoming-webhook `text` and `attachments`.

use serde_json::{Value, json};

use super::provider::{Provider, Request};
use super::{acknowledge, as_editor, backup_fails, link, refused};
use crate::notifications::{channel, nine_o_clock, run, setup};

const TEAMS: &str = "/workflows/0a1b/triggers/manual/paths/invoke";
const GOOGLE: &str = "/v1/spaces/AAAA1234/messages";
const MATTERMOST: &str = "/hooks/xj4pmm7d8fyx3ce3yktc6ra3qo";
const ROCKET: &str = "/hooks/6ZcGGzN2b2RtLc5Dq/PJcbG2x6WX4dnQGnmcgqbHLczvJ8FRWLEbaYKTRtNtdC8M5z";

const SUBJECTS: [&str; 3] = [
    "[dutyduck] Incident opened: Nightly backup",
    "[dutyduck] Incident acknowledged: Nightly backup",
    "[dutyduck] Incident resolved: Nightly backup",
];

/// The three requests at `path`, each a JSON POST.
fn three_posts(provider: &Provider, path: &str) -> Vec<Value> {
    let requests = provider.at(path);
    assert_eq!(requests.len(), 3, "open, acknowledge, resolve at {path}");
    requests
        .iter()
        .map(|r: &Request| {
            assert_eq!(r.method, "POST");
            assert_eq!(r.header("content-type"), Some("application/json"));
            r.json()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn teams_google_chat_mattermost_and_rocket_chat_get_their_documented_messages() {
    let chat = Provider::accepting().await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let google_url = chat.url(&format!(
        "{GOOGLE}?key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI&token=tok%3Den"
    ));
    let teams_url = chat.url(&format!(
        "{TEAMS}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sig=s3cr3t"
    ));
    for (name, kind, url) in [
        ("Teams", "teams", teams_url),
        ("Chat", "googleChat", google_url),
        ("Mattermost", "mattermost", chat.url(MATTERMOST)),
        ("Rocket", "rocketChat", chat.url(ROCKET)),
    ] {
        let body = json!({"name": name, "kind": kind, "config": {"webhookUrl": url}});
        channel(&server, &ada, body).await;
    }
    let incident = backup_fails(&server, &ada).await;
    chat.wait_for(4).await;
    acknowledge(&server, &ada, &incident).await;
    chat.wait_for(8).await;
    run(&server, &ada, "nightly-backup", "success").await;
    chat.wait_for(12).await;

    // Teams: one Adaptive Card 1.4 per message, coloured by the news, a button to the incident.
    let teams = three_posts(&chat, TEAMS);
    for (message, subject) in teams.iter().zip(SUBJECTS) {
        assert_eq!(message["type"], "message");
        let attachments = message["attachments"].as_array().unwrap();
        assert_eq!(attachments.len(), 1);
        assert_eq!(
            attachments[0]["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        let card = &attachments[0]["content"];
        assert_eq!(
            (&card["type"], &card["version"]),
            (&json!("AdaptiveCard"), &json!("1.4"))
        );
        assert_eq!(card["body"][0]["type"], "TextBlock");
        assert_eq!(card["body"][0]["text"], subject);
        let action = &card["actions"][0];
        assert_eq!(
            (&action["type"], &action["url"]),
            (&json!("Action.OpenUrl"), &json!(link(&incident)))
        );
    }
    let colours: Vec<&Value> = teams
        .iter()
        .map(|m| &m["attachments"][0]["content"]["body"][0]["color"])
        .collect();
    assert_eq!(
        colours,
        [&json!("Attention"), &json!("Good"), &json!("Good")]
    );
    assert!(
        chat.at(TEAMS)[0].query.ends_with("&sig=s3cr3t"),
        "the workflow URL as given"
    );

    // Google Chat: the space's key and token kept, every message in the incident's thread.
    for request in chat.at(GOOGLE) {
        let query = Request::pairs(request.query.as_bytes());
        let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("key"), Some("AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"));
        assert_eq!(get("token"), Some("tok=en"));
        assert_eq!(
            get("messageReplyOption"),
            Some("REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD")
        );
        assert_eq!(
            get("threadKey"),
            None,
            "the deprecated query parameter is not used"
        );
    }
    let google = three_posts(&chat, GOOGLE);
    for (message, subject) in google.iter().zip(SUBJECTS) {
        assert_eq!(message["thread"], json!({"threadKey": incident}));
        let text = message["text"].as_str().unwrap();
        assert!(text.starts_with(&format!("*{subject}*\n")), "{text}");
        assert!(text.chars().count() <= 4096);
        assert!(text.ends_with(&link(&incident)), "{text}");
    }

    // Mattermost and Rocket.Chat: a text, and an attachment whose title links to the incident.
    for (path, colours) in [
        (MATTERMOST, ["#d1242f", "#2ea043", "#2ea043"]),
        (ROCKET, ["#d1242f", "#2ea043", "#2ea043"]),
    ] {
        let messages = three_posts(&chat, path);
        for ((message, subject), colour) in messages.iter().zip(SUBJECTS).zip(colours) {
            assert_eq!(message["text"], subject, "{path}");
            let attachment = &message["attachments"][0];
            assert_eq!(attachment["title"], subject);
            assert_eq!(attachment["title_link"], link(&incident));
            assert_eq!(attachment["color"], colour);
            assert!(
                attachment["text"].as_str().unwrap().starts_with("Incident"),
                "{attachment}"
            );
        }
    }
    assert_eq!(chat.at(MATTERMOST).len() + chat.at(ROCKET).len(), 6);
    let mattermost = three_posts(&chat, MATTERMOST);
    assert_eq!(mattermost[0]["username"], "dutyduck");
    assert_eq!(mattermost[0]["attachments"][0]["fallback"], SUBJECTS[0]);
}

/// The URLs carry their secrets (Teams' `sig`, Google Chat's key and token, the webhook paths):
/// an Editor reads them masked, and a refused setting names its field.
#[tokio::test(flavor = "multi_thread")]
async fn webhook_urls_are_secrets_and_bad_ones_are_refused() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let url = "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=KEY&token=TOKEN";
    let id = channel(
        &server,
        &ada,
        json!({"name": "Chat", "kind": "googleChat", "config": {"webhookUrl": url}}),
    )
    .await;
    let shown = as_editor(&server, &id).await;
    assert_eq!(
        shown["config"]["webhookUrl"], "https://chat.googleapis.com/********",
        "{shown}"
    );
    for kind in ["teams", "googleChat", "mattermost", "rocketChat"] {
        let body = json!({"name": "x", "kind": kind, "config": {"webhookUrl": "ftp://x"}});
        let message = refused(&server, &ada, body).await;
        assert!(
            message.starts_with("config.webhookUrl:"),
            "{kind}: {message}"
        );
    }
}
