//! Google Chat incoming webhooks: a `text` message (Chat's own markup: `*bold*`,
//! `<url|label>`), threaded per incident: `thread.threadKey` is the incident's id and
//! `messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD` makes the acknowledgement and the
//! resolution replies to the opening (the deprecated `threadKey` query parameter is not used).
//! The webhook URL's `key` and `token` query parameters are its secret.

use serde_json::{Value, json};

use super::shared::truncate;
use super::{ChatConfig, Envelope, HttpRequest, Kind, Outgoing};

pub struct GoogleChat;

impl Kind for GoogleChat {
    type Config = ChatConfig;

    fn outgoing(c: &ChatConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        let url = match e.incident {
            Some(_) => reply_url(&c.webhook_url),
            None => c.webhook_url.clone(),
        };
        Outgoing::Http(HttpRequest::post_json(&url, &payload(e)))
    }
}

/// The URL with `messageReplyOption` set (replacing one the user's URL may carry).
fn reply_url(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return raw.to_owned();
    };
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "messageReplyOption" && k != "threadKey")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("messageReplyOption", "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
    url.into()
}

/// Chat reads `<…>` as a link or a mention, and `&` starts an entity: escaped as HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A text message is at most 4,096 characters: the subject in bold, the text cut to fit.
fn payload(e: &Envelope<'_>) -> Value {
    let subject = escape(&truncate(&e.message.subject, 500));
    let room = 4_096 - subject.chars().count() - 4;
    let text = truncate(&escape(&e.message.text), room);
    let mut body = json!({"text": format!("*{subject}*\n{text}")});
    if let Some(incident) = e.incident {
        body["thread"] = json!({"threadKey": incident.id});
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, facts, message};

    #[test]
    fn an_incident_s_messages_share_its_thread() {
        let (m, f) = (message(), facts());
        let c = ChatConfig {
            webhook_url: "https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t%3D"
                .into(),
        };
        let Outgoing::Http(r) = GoogleChat::outgoing(&c, &envelope(&m, Some(&f)), &[]) else {
            panic!("an HTTP request");
        };
        assert_eq!(
            r.url,
            "https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t%3D&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"
        );
        let p = r.json();
        assert_eq!(p["thread"]["threadKey"], "i1");
        let text = p["text"].as_str().unwrap();
        assert!(text.starts_with(&format!("*{}*\n", m.subject)), "{text}");
        assert!(text.ends_with("&lt;b&gt;"), "{text}");
    }

    #[test]
    fn a_test_message_has_no_thread_and_a_long_text_fits() {
        let mut m = message();
        m.text = "x".repeat(10_000);
        let p = payload(&envelope(&m, None));
        assert!(p.get("thread").is_none());
        assert!(p["text"].as_str().unwrap().chars().count() <= 4_096);
    }
}
