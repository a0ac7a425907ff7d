//! Uptime Kuma notifications as dutyduck channels. `notification.config` is the provider's form
//! as the browser sent it (camelCase keys of that form, plus `isDefault`, `applyExisting`);
//! only what the dutyduck kind takes is read, and what it cannot say is reported.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::model::Kuma;
use crate::ids::OrgId;
use crate::import::{Entity, Lists, Report, origin_id, validate};

/// Maps every notification; answers Kuma notification id → channel id for those brought.
pub fn map(
    kuma: &Kuma,
    org: OrgId,
    report: &mut Report,
    lists: &mut Lists,
) -> HashMap<i64, String> {
    let mut ids = HashMap::new();
    for n in &kuma.notifications {
        let config = match &n.config {
            Some(Ok(Value::Object(c))) => c,
            Some(Err(why)) => {
                report.skipped(Entity::Channel, &n.name, why.clone());
                continue;
            }
            _ => {
                report.skipped(Entity::Channel, &n.name, "its config is not a JSON object");
                continue;
            }
        };
        let provider = config
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut notes = Vec::new();
        let mapped = kind(provider, config, &mut notes);
        let Some((kind, kind_config)) = mapped else {
            report.skipped(
                Entity::Channel,
                &n.name,
                format!("dutyduck has no {provider:?} channel; recreate it by hand if needed"),
            );
            continue;
        };
        let id = origin_id(org, &format!("uptime-kuma/notification/{}", n.id)).to_string();
        let entry = json!({"id": id, "name": n.name, "kind": kind,
                           "enabled": n.active, "config": kind_config});
        if let Err(why) = validate::channel(&entry) {
            report.skipped(Entity::Channel, &n.name, format!("{provider}: {why}"));
            continue;
        }
        report.imported(Entity::Channel, &n.name, format!("{provider} → {kind}"));
        for note in notes {
            report.approximated(Entity::Channel, &n.name, note);
        }
        ids.insert(n.id, id);
        lists.channels.push(entry);
    }
    ids
}

fn kind(
    provider: &str,
    c: &Map<String, Value>,
    notes: &mut Vec<String>,
) -> Option<(&'static str, Value)> {
    let s = |key: &str| {
        c.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let chat = |key: &str| json!({"webhookUrl": s(key).unwrap_or_default()});
    Some(match provider {
        "webhook" => {
            let mut headers = Map::new();
            if let Some(text) = s("webhookAdditionalHeaders") {
                match serde_json::from_str::<Value>(text) {
                    Ok(Value::Object(h)) => headers = h,
                    _ => notes.push("its additional headers are not a JSON object: dropped".into()),
                }
            }
            if s("webhookContentType") == Some("custom") || s("webhookCustomBody").is_some() {
                notes.push(
                    "custom body template dropped: dutyduck sends its documented JSON".into(),
                );
            }
            (
                "webhook",
                json!({"url": s("webhookURL").unwrap_or_default(), "headers": headers}),
            )
        }
        "smtp" => {
            let recipients: Vec<&str> = ["smtpTo", "smtpCC", "smtpBCC"]
                .iter()
                .filter_map(|k| s(k))
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect();
            notes.push(
                "its SMTP server, sender and subject are not kept: dutyduck sends through the \
                 instance's SMTP relay (serve --smtp-url)"
                    .into(),
            );
            ("email", json!({"recipients": recipients}))
        }
        "telegram" => {
            let mut config = json!({"botToken": s("telegramBotToken").unwrap_or_default(),
                                    "chatId": s("telegramChatID").unwrap_or_default()});
            if let Some(url) = s("telegramServerUrl").filter(|u| *u != "https://api.telegram.org") {
                config["apiUrl"] = url.into();
            }
            ("telegram", config)
        }
        "discord" => ("discord", chat("discordWebhookUrl")),
        "slack" => ("slack", chat("slackwebhookURL")),
        "mattermost" => ("mattermost", chat("mattermostWebhookUrl")),
        "rocket.chat" => ("rocketChat", chat("rocketwebhookURL")),
        "GoogleChat" => ("googleChat", chat("googleChatWebhookURL")),
        "teams" => {
            notes.push(
                "Teams now takes Power Automate workflow URLs: check the URL still works".into(),
            );
            ("teams", chat("webhookUrl"))
        }
        "ntfy" => {
            let mut config = json!({"serverUrl": s("ntfyserverurl").unwrap_or("https://ntfy.sh"),
                                    "topic": s("ntfytopic").unwrap_or_default()});
            if let Some(token) = s("ntfyaccesstoken") {
                config["token"] = token.into();
            } else if s("ntfyusername").is_some() {
                notes.push(
                    "user/password login not kept: dutyduck's ntfy takes an access token".into(),
                );
            }
            ("ntfy", config)
        }
        "pushover" => {
            let mut config = json!({"appToken": s("pushoverapptoken").unwrap_or_default(),
                                    "userKey": s("pushoveruserkey").unwrap_or_default(),
                                    // Emergency priority only where Uptime Kuma used it.
                                    "emergency": s("pushoverpriority") == Some("2")});
            if let Some(device) = s("pushoverdevice") {
                config["device"] = device.into();
            }
            ("pushover", config)
        }
        "gotify" => (
            "gotify",
            json!({"url": s("gotifyserverurl").unwrap_or_default(),
                                      "appToken": s("gotifyapplicationToken").unwrap_or_default()}),
        ),
        "PagerDuty" => {
            let mut config =
                json!({"routingKey": s("pagerdutyIntegrationKey").unwrap_or_default()});
            if let Some(url) = s("pagerdutyIntegrationUrl")
                .filter(|u| !u.starts_with("https://events.pagerduty.com"))
            {
                config["apiUrl"] = url.into();
            }
            ("pagerduty", config)
        }
        "Opsgenie" => {
            let mut config = json!({"apiKey": s("opsgenieApiKey").unwrap_or_default()});
            if s("opsgenieRegion") == Some("eu") {
                config["apiUrl"] = "https://api.eu.opsgenie.com".into();
            }
            ("opsgenie", config)
        }
        "matrix" => (
            "matrix",
            json!({"homeserverUrl": s("homeserverUrl").unwrap_or_default(),
                                      "accessToken": s("accessToken").unwrap_or_default(),
                                      "roomId": s("internalRoomId").unwrap_or_default()}),
        ),
        _ => return None,
    })
}
