//! ntfy push notifications, by JSON publishing: a POST to the server's root naming the topic.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::shared::{check_url, good_news, keep_optional, mask_optional, truncate};
use super::{Envelope, KindConfig, HttpRequest, Kind, Outgoing};
use crate::error::{Error, Result};
use crate::limits;

pub struct Ntfy;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NtfyConfig {
    #[serde(default = "default_ntfy_server")]
    #[schemars(length(max = limits::URL), regex(pattern = limits::URL_PATTERN))]
    pub server_url: String,
    /// 1 to 64 letters, digits, '-' or '_'.
    #[schemars(regex(pattern = "^[A-Za-z0-9_-]{1,64}$"))]
    pub topic: String,
    /// An access token for protected topics.
    #[serde(default)]
    #[schemars(length(max = limits::SHORT), regex(pattern = "^[\\x21-\\x7e]+$"))]
    pub token: Option<String>,
}

fn default_ntfy_server() -> String {
    "https://ntfy.sh".to_owned()
}

impl KindConfig for NtfyConfig {
    fn validate(&self) -> Result<()> {
        check_url("config.serverUrl", &self.server_url)?;
        if let Some(token) = &self.token {
            limits::line("config.token", token, limits::SHORT)?;
        }
        let bearer = self.token.as_ref().map(|t| format!("Bearer {t}"));
        if bearer.is_some_and(|b| warp::http::HeaderValue::from_str(&b).is_err()) {
            return Err(Error::invalid_field(
                "config.token",
                "must be printable characters without line breaks",
            ));
        }
        let topic = self.topic.trim();
        if topic.is_empty()
            || topic.len() > 64
            || !topic
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        {
            return Err(Error::invalid_field(
                "config.topic",
                "1 to 64 letters, digits, '-' or '_'",
            ));
        }
        Ok(())
    }

    fn mask(&mut self) {
        mask_optional(&mut self.token);
    }

    fn keep_secrets(&mut self, old: &Self) {
        keep_optional(&mut self.token, &old.token);
    }
}

impl Kind for Ntfy {
    type Config = NtfyConfig;

    fn outgoing(c: &NtfyConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        let url = c.server_url.trim_end_matches('/');
        let mut request = HttpRequest::post_json(url, &payload(c.topic.trim(), e));
        if let Some(token) = &c.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        Outgoing::Http(request)
    }
}

/// Topic, title, message, priority, tags, click.
fn payload(topic: &str, e: &Envelope<'_>) -> Value {
    let (priority, tag) = if good_news(e.event) {
        (3, "white_check_mark")
    } else {
        (4, "rotating_light")
    };
    let mut body = json!({
        // ntfy turns a message over 4 KB into an attachment.
        "topic": topic, "title": truncate(&e.message.subject, 250),
        "message": truncate(&e.message.text, 3_500),
        "priority": priority, "tags": [tag],
    });
    if let Some(link) = &e.message.link {
        body["click"] = json!(link);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, message};

    #[test]
    fn a_post_to_the_server_root_naming_the_topic() {
        let c = NtfyConfig {
            server_url: "https://ntfy.example.com/".into(),
            topic: " ops ".into(),
            token: Some("tk_1".into()),
        };
        let m = message();
        let Outgoing::Http(r) = Ntfy::outgoing(&c, &envelope(&m, None), &[]) else {
            panic!("an HTTP request");
        };
        assert_eq!(r.url, "https://ntfy.example.com");
        assert_eq!(r.headers, [("Authorization".into(), "Bearer tk_1".into())]);
        let n = r.json();
        assert_eq!(
            (n["topic"].as_str(), n["priority"].as_u64()),
            (Some("ops"), Some(4))
        );
        assert_eq!(n["click"], m.link.clone().unwrap());
    }
}
