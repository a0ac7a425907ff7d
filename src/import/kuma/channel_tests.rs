//! Every notification provider the importer maps, with the fields Uptime Kuma's forms store,
//! becomes a channel dutyduck's own rules accept.

use serde_json::json;

use super::model::{Kuma, Notification};
use crate::ids::OrgId;
use crate::import::Entity;

fn kuma(configs: &[serde_json::Value]) -> Kuma {
    let notifications = configs
        .iter()
        .enumerate()
        .map(|(i, c)| Notification {
            id: i as i64 + 1,
            name: format!("{} {i}", c["type"].as_str().unwrap()),
            active: true,
            config: Some(Ok(c.clone())),
        })
        .collect();
    Kuma {
        notifications,
        ..Kuma::default()
    }
}

#[test]
fn each_mapped_provider_becomes_a_valid_channel() {
    let hook = "https://hooks.example.com/abc/def";
    let configs = [
        json!({"type": "webhook", "webhookURL": hook, "webhookContentType": "json"}),
        json!({"type": "smtp", "smtpTo": "a@example.com, b@example.com", "smtpCC": "c@example.com"}),
        json!({"type": "telegram", "telegramBotToken": "123456:ABCdefGhIJKlmnoPQRstuvWXyz0123456789", "telegramChatID": "-100123"}),
        json!({"type": "discord", "discordWebhookUrl": "https://discord.com/api/webhooks/1/abc"}),
        json!({"type": "slack", "slackwebhookURL": "https://hooks.slack.com/services/T/B/X"}),
        json!({"type": "ntfy", "ntfyserverurl": "https://ntfy.sh", "ntfytopic": "alerts", "ntfyPriority": 5}),
        json!({"type": "pushover", "pushoveruserkey": "uQiRzpo4DXghDmr9QzzfQu27cmVRsG", "pushoverapptoken": "azGDORePK8gMaC0QOYAMyEEuzJnyUi"}),
        json!({"type": "gotify", "gotifyserverurl": "https://gotify.example.com", "gotifyapplicationToken": "AbCdEf123456"}),
        json!({"type": "teams", "webhookUrl": hook}),
        json!({"type": "GoogleChat", "googleChatWebhookURL": "https://chat.googleapis.com/v1/spaces/X/messages?key=k&token=t"}),
        json!({"type": "mattermost", "mattermostWebhookUrl": hook}),
        json!({"type": "rocket.chat", "rocketwebhookURL": hook}),
        json!({"type": "PagerDuty", "pagerdutyIntegrationKey": "0123456789abcdef0123456789abcdef", "pagerdutyIntegrationUrl": "https://events.pagerduty.com/v2/enqueue"}),
        json!({"type": "Opsgenie", "opsgenieApiKey": "6f1c7d0e-4a53-4c7e-9a31-2f0d5c1e8b11", "opsgenieRegion": "eu"}),
        json!({"type": "matrix", "homeserverUrl": "https://matrix.example.com", "accessToken": "syt_abc_def", "internalRoomId": "!room:example.com"}),
    ];
    let imported = super::map(
        &kuma(&configs),
        OrgId(uuid::Uuid::nil()),
        chrono::Utc::now(),
    );
    let report = imported.report;
    assert_eq!(report.counts(Entity::Channel).0, configs.len(), "{report}");
    let channels = imported.document["channels"].as_array().unwrap();
    let kinds: Vec<&str> = channels
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "webhook",
            "email",
            "telegram",
            "discord",
            "slack",
            "ntfy",
            "pushover",
            "gotify",
            "teams",
            "googleChat",
            "mattermost",
            "rocketChat",
            "pagerduty",
            "opsgenie",
            "matrix"
        ]
    );
    assert_eq!(
        channels[1]["config"]["recipients"],
        json!(["a@example.com", "b@example.com", "c@example.com"])
    );
    assert_eq!(
        channels[13]["config"]["apiUrl"],
        "https://api.eu.opsgenie.com"
    );
}
