//! Matrix: an `m.notice` (what bots send: clients never answer it automatically) in one room,
//! by the client-server API's `PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}`
//! with the bot account's access token. The transaction id is the delivery's id, so a retry of
//! a message the homeserver already took (its answer lost) is not posted twice.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::provider::{check_pattern, escape_html, mask};
use super::shared::{check_url, keep, truncate};
use super::{Envelope, HttpRequest, Kind, KindConfig, Outgoing};
use crate::error::Result;
use crate::limits;

pub struct Matrix;

/// A room's id (`!opaque:server`), not an alias (`#name:server` would need resolving first).
const ROOM: &str = "^![A-Za-z0-9._=/+-]{1,200}:[A-Za-z0-9.:\\[\\]-]{1,250}$";
/// Access tokens: visible ASCII (they go in a header).
const TOKEN: &str = "^[\\x21-\\x7e]{1,1000}$";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatrixConfig {
    /// The bot account's homeserver (`https://matrix.example.org`).
    #[schemars(length(max = limits::URL), regex(pattern = limits::URL_PATTERN))]
    pub homeserver_url: String,
    /// The bot account's access token.
    #[schemars(regex(pattern = TOKEN))]
    pub access_token: String,
    /// The room's id (`!abc123:example.org`: Room settings → Advanced); the bot must have joined.
    #[schemars(regex(pattern = ROOM))]
    pub room_id: String,
}

impl KindConfig for MatrixConfig {
    fn validate(&self) -> Result<()> {
        check_url("config.homeserverUrl", &self.homeserver_url)?;
        let what = "printable characters without spaces";
        check_pattern("config.accessToken", &self.access_token, TOKEN, what)?;
        let what = "a room id like !abc123:example.org (not a #alias)";
        check_pattern("config.roomId", &self.room_id, ROOM, what)
    }

    fn mask(&mut self) {
        mask(&mut self.access_token);
    }

    fn keep_secrets(&mut self, old: &Self) {
        keep(&mut self.access_token, &old.access_token);
    }
}

impl Kind for Matrix {
    type Config = MatrixConfig;

    fn outgoing(c: &MatrixConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        let url = format!(
            "{}/_matrix/client/v3/rooms/{}/send/m.room.message/{}",
            c.homeserver_url.trim().trim_end_matches('/'),
            utf8_percent_encode(&c.room_id, NON_ALPHANUMERIC),
            e.delivery
        );
        let mut request = HttpRequest::post_json(&url, &content(e))
            .header("Authorization", format!("Bearer {}", c.access_token));
        request.method = reqwest::Method::PUT;
        Outgoing::Http(request)
    }
}

/// The plain `body` and its HTML twin: subject in bold, lines kept, the link clickable.
fn content(e: &Envelope<'_>) -> Value {
    // An event may not exceed 65,536 bytes; the escaped HTML can be 6 times its text.
    let text = truncate(&e.message.text, 8_000);
    let mut html = format!("<strong>{}</strong>", escape_html(&e.message.subject));
    for line in text.lines() {
        html.push_str("<br>");
        match &e.message.link {
            Some(link) if line == link => {
                let link = escape_html(link);
                html.push_str(&format!("<a href=\"{link}\">{link}</a>"));
            }
            _ => html.push_str(&escape_html(line)),
        }
    }
    json!({
        "msgtype": "m.notice",
        "body": format!("{}\n{text}", e.message.subject),
        "format": "org.matrix.custom.html",
        "formatted_body": html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, message};
    use crate::notify::channels::{ChannelConfig, ChannelKind};

    #[test]
    fn a_put_in_the_room_keyed_by_the_delivery_with_escaped_html() {
        let c = MatrixConfig {
            homeserver_url: "https://matrix.example.org/".into(),
            access_token: "syt_Ym90_abc".into(),
            room_id: "!ops:example.org".into(),
        };
        let mut m = message();
        m.text.push_str("\nhttps://duck.example.com/dashboard/incidents/i1");
        let Outgoing::Http(r) = Matrix::outgoing(&c, &envelope(&m, None), &[]) else {
            panic!("an HTTP request");
        };
        assert_eq!(r.method, reqwest::Method::PUT);
        assert_eq!(
            r.url,
            "https://matrix.example.org/_matrix/client/v3/rooms/%21ops%3Aexample%2Eorg\
             /send/m.room.message/0193a3c4-0000-7000-8000-000000000001"
        );
        assert_eq!(r.headers, [("Authorization".into(), "Bearer syt_Ym90_abc".into())]);
        let body = r.json();
        assert_eq!(body["msgtype"], "m.notice");
        assert_eq!(body["format"], "org.matrix.custom.html");
        let html = body["formatted_body"].as_str().unwrap();
        assert!(html.starts_with("<strong>[dutyduck] Incident opened: Shop</strong><br>"));
        assert!(html.contains("(HTTP 503) &lt;b&gt;"), "{html}");
        let link = "https://duck.example.com/dashboard/incidents/i1";
        assert!(html.ends_with(&format!("<a href=\"{link}\">{link}</a>")), "{html}");
        assert!(body["body"].as_str().unwrap().ends_with(link));
    }

    #[test]
    fn the_token_is_a_secret_and_aliases_are_refused() {
        let config = json!({"homeserverUrl": "https://m.example.org", "accessToken": "syt_x",
                            "roomId": "!abc:example.org"});
        let stored = ChannelConfig::parse(ChannelKind::Matrix, &config).unwrap();
        stored.validate().unwrap();
        let mut edited = ChannelConfig::parse(ChannelKind::Matrix, &stored.masked()).unwrap();
        edited.keep_secrets_from(&stored);
        assert_eq!(edited, stored);
        let alias = json!({"homeserverUrl": "https://m.example.org", "accessToken": "syt_x",
                           "roomId": "#ops:example.org"});
        let e = ChannelConfig::parse(ChannelKind::Matrix, &alias).unwrap().validate().unwrap_err();
        assert!(e.message.starts_with("config.roomId"), "{}", e.message);
    }
}
