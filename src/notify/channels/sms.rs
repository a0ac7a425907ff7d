//! SMS through a Twilio-compatible API: one `POST {apiUrl}/2010-04-01/Accounts/{sid}/Messages.json`
//! per number (form-encoded `To`, `From`, `Body`; HTTP Basic auth with the account SID and its
//! auth token), so `Outgoing::HttpMany`. A message addressed to one member (`Envelope.recipient`)
//! goes to that member's phone instead of the listed numbers. The text is cut to one SMS segment
//! (`sms_text.rs`): a second segment costs as much again and arrives out of order on some phones.

use base64::Engine;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::shared::{check_url, keep};
use super::sms_text::one_segment;
use super::{Envelope, HttpRequest, Kind, KindConfig, MASK, Outgoing};
use crate::error::{Error, Result};
use crate::limits;

pub struct Sms;

/// E.164: a plus, a country code not starting with 0, at most 15 digits in all.
pub const PHONE_PATTERN: &str = "^\\+[1-9][0-9]{6,14}$";
/// Numbers one channel texts: each is a paid message per notification.
const MAX_NUMBERS: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SmsConfig {
    /// The API's base URL: Twilio's, or a compatible provider's.
    #[serde(default = "default_api_url")]
    #[schemars(length(max = limits::URL), regex(pattern = limits::URL_PATTERN))]
    pub api_url: String,
    /// The account SID (`AC…` at Twilio): the user name of HTTP Basic auth.
    #[schemars(regex(pattern = "^[A-Za-z0-9]{1,64}$"))]
    pub account_sid: String,
    /// The auth token (or an API key's secret): the password of HTTP Basic auth.
    #[schemars(length(min = 1, max = 200), regex(pattern = "^[\\x21-\\x7e]+$"))]
    pub auth_token: String,
    /// The sending number, E.164 (`+14155550100`).
    #[schemars(regex(pattern = PHONE_PATTERN))]
    pub from: String,
    /// The numbers texted, E.164; at most 10.
    #[serde(default)]
    #[schemars(length(max = 10), inner(regex(pattern = PHONE_PATTERN)))]
    pub numbers: Vec<String>,
}

fn default_api_url() -> String {
    "https://api.twilio.com".to_owned()
}

/// Whether `number` is E.164 (`PHONE_PATTERN`).
pub fn is_phone(number: &str) -> bool {
    let digits = number.strip_prefix('+').unwrap_or("");
    (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

fn check_phone(field: &str, number: &str) -> Result<()> {
    match is_phone(number) {
        true => Ok(()),
        false => Err(Error::invalid_field(
            field,
            "must be a number in E.164 format: +, the country code, the number (+14155550100)",
        )),
    }
}

impl KindConfig for SmsConfig {
    fn validate(&self) -> Result<()> {
        check_url("config.apiUrl", &self.api_url)?;
        let sid = &self.account_sid;
        if sid.is_empty() || sid.len() > 64 || !sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::invalid_field(
                "config.accountSid",
                "must be 1 to 64 letters or digits",
            ));
        }
        let token = &self.auth_token;
        if token.is_empty() || token.len() > 200 || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid_field(
                "config.authToken",
                "must be 1 to 200 printable characters without spaces",
            ));
        }
        check_phone("config.from", &self.from)?;
        limits::count("config.numbers", self.numbers.len(), MAX_NUMBERS)?;
        for (i, number) in self.numbers.iter().enumerate() {
            check_phone(&format!("config.numbers[{i}]"), number)?;
        }
        Ok(())
    }

    fn mask(&mut self) {
        self.auth_token = MASK.to_owned();
    }

    fn keep_secrets(&mut self, old: &Self) {
        keep(&mut self.auth_token, &old.auth_token);
    }
}

impl Kind for Sms {
    type Config = SmsConfig;

    fn outgoing(c: &SmsConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        let to: Vec<&str> = match e.recipient {
            // Addressed to one member: their phone or nobody (never the whole list).
            Some(r) => r.phone.as_deref().into_iter().collect(),
            None => c.numbers.iter().map(String::as_str).collect(),
        };
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            c.api_url.trim_end_matches('/'),
            c.account_sid
        );
        let credentials = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", c.account_sid, c.auth_token));
        let body = one_segment(&e.message.subject, e.message.link.as_deref());
        let requests = to
            .into_iter()
            .map(|number| {
                let form = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("To", number)
                    .append_pair("From", &c.from)
                    .append_pair("Body", &body)
                    .finish();
                HttpRequest {
                    method: reqwest::Method::POST,
                    url: url.clone(),
                    content_type: "application/x-www-form-urlencoded",
                    headers: vec![("Authorization".into(), format!("Basic {credentials}"))],
                    body: form.into_bytes(),
                }
            })
            .collect();
        Outgoing::HttpMany(requests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, message};
    use crate::notify::channels::{ChannelConfig, ChannelKind, Recipient};
    use serde_json::json;

    fn config() -> SmsConfig {
        SmsConfig {
            api_url: "https://api.twilio.com/".into(),
            account_sid: "AC0123".into(),
            auth_token: "tok".into(),
            from: "+14155550100".into(),
            numbers: vec!["+33612345678".into(), "+447700900123".into()],
        }
    }

    #[test]
    fn one_form_post_per_number_with_basic_auth() {
        let m = message();
        let Outgoing::HttpMany(requests) = Sms::outgoing(&config(), &envelope(&m, None), &[])
        else {
            panic!("HTTP requests");
        };
        assert_eq!(requests.len(), 2);
        let r = &requests[1];
        assert_eq!(
            r.url,
            "https://api.twilio.com/2010-04-01/Accounts/AC0123/Messages.json"
        );
        assert_eq!(r.content_type, "application/x-www-form-urlencoded");
        // base64("AC0123:tok")
        assert_eq!(r.headers, [("Authorization".into(), "Basic QUMwMTIzOnRvaw==".into())]);
        let form: Vec<(String, String)> = url::form_urlencoded::parse(&r.body)
            .into_owned()
            .collect();
        assert_eq!(form[0], ("To".into(), "+447700900123".into()));
        assert_eq!(form[1], ("From".into(), "+14155550100".into()));
        assert!(form[2].1.ends_with(m.link.as_deref().unwrap()), "{form:?}");
    }

    #[test]
    fn a_message_for_one_member_goes_to_their_phone_only() {
        let m = message();
        let mut e = envelope(&m, None);
        let ada = Recipient {
            user: "0193a3c4-0000-7000-8000-0000000000aa".parse().unwrap(),
            email: "ada@example.com".into(),
            phone: Some("+4915112345678".into()),
        };
        e.recipient = Some(&ada);
        let Outgoing::HttpMany(requests) = Sms::outgoing(&config(), &e, &[]) else {
            panic!("HTTP requests");
        };
        assert_eq!(requests.len(), 1);
        assert!(String::from_utf8_lossy(&requests[0].body).starts_with("To=%2B4915112345678"));
        let no_phone = Recipient {
            user: ada.user,
            email: ada.email.clone(),
            phone: None,
        };
        e.recipient = Some(&no_phone);
        assert_eq!(Sms::outgoing(&config(), &e, &[]), Outgoing::HttpMany(vec![]));
    }

    #[test]
    fn numbers_are_e164_and_the_token_is_a_secret() {
        for bad in ["0612345678", "+0612345678", "+33 6 12 34 56 78", "+1234", "+1234567890123456"] {
            assert!(!is_phone(bad), "{bad}");
        }
        let value = json!({"accountSid": "AC1", "authToken": "secret-tok", "from": "+14155550100",
                           "numbers": ["+33612345678"]});
        let stored = ChannelConfig::parse(ChannelKind::Sms, &value).unwrap();
        stored.validate().unwrap();
        assert_eq!(stored.masked()["authToken"], MASK);
        let mut edited = ChannelConfig::parse(ChannelKind::Sms, &stored.masked()).unwrap();
        edited.keep_secrets_from(&stored);
        assert_eq!(edited, stored);
    }
}
