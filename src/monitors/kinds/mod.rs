//! Check kinds: what a monitor checks and how. Everything a kind knows lives in its own module
//! behind [`CheckKind`]; the rest of `monitors` (scheduler, thresholds, status machine, history,
//! incidents, API) sees a monitor's kind only through [`KindSettings`]. The one list of kinds is
//! the `kinds!` call below: adding a kind adds one line there (see
//! src/monitors/kinds/how-to-add-a-kind.md).

pub mod dns;
pub mod endpoint;
pub mod http;
pub mod icmp;
pub mod tcp;
pub mod tls;

use std::future::Future;
use std::time::Duration;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::monitors::check::CheckOutcome;
use crate::text_enum::text_enum;

/// What a check kind defines. Its settings are stored as JSON in `monitors.kind_settings` and
/// shown flat beside the common settings in the monitor's JSON, under the same camelCase names.
pub trait CheckKind:
    Sized + Clone + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned + JsonSchema
{
    /// The fields a user may send, all optional (on PATCH, absent keeps the value; use
    /// `serde_util::present` for fields that null resets). Serialized only to find which fields
    /// were sent, so their names must be the settings' names.
    type Input: Default + std::fmt::Debug + Clone + Serialize + DeserializeOwned + JsonSchema;
    /// What checks of this kind share (clients, connection pools), built once by the scheduler.
    type Checker: Default + Send + Sync;

    /// The input fields a create request must send (not null); the OpenAPI document states
    /// them per kind. `create` refuses their absence itself.
    const REQUIRED: &'static [&'static str];

    /// Settings from a create request; a missing required field is a 422 naming it.
    fn create(input: Self::Input) -> Result<Self>;
    /// These settings with the fields of `input` applied, validated; errors name the field.
    fn apply(self, input: Self::Input) -> Result<Self>;
    /// What is checked, written as a URL (`https://…`, `tcp://host:port`): shown in incidents
    /// (their `url` metadata) and notifications, searched by the list's `query`, and its host is
    /// the monitor's default name.
    fn target(&self) -> String;
    /// Replaces secrets (credentials, bodies…) by `redact::HIDDEN` for those who may not change
    /// the monitor; a URL's credentials with `redact::mask_url`.
    fn mask(&mut self);
    /// One check, finished within `timeout` (the monitor's `requestTimeoutMs`). Never panics:
    /// every failure is an outcome with an `ErrorKind` and a message saying what was expected.
    fn check(
        &self,
        checker: &Self::Checker,
        timeout: Duration,
    ) -> impl Future<Output = CheckOutcome> + Send;
}

/// Fields a create request must send whatever its kind: none, each kind's `create` names what
/// it misses (an HTTP monitor its `url`, a TCP one its `host` and `port`).
pub const REQUIRED_ON_CREATE: &[&str] = &[];

/// Declares the kinds: `Variant(field: SettingsType) => "word"`. Gives the [`Kind`] enum (the
/// word is the API's `kind` and the stored one), the [`KindSettings`] tagged union, the
/// [`KindInput`] all kinds' input fields, the [`Checker`] holding every kind's shared state,
/// and the dispatch from `KindSettings` to the kind's [`CheckKind`] implementation.
macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident($field:ident: $settings:ty) => $word:literal),* $(,)?) => {
        text_enum!(
            /// What a monitor checks; set on create (default "http"), never changed.
            Kind { $($(#[$doc])* $variant => $word),* }
        );

        /// A monitor's kind with its settings: `"kind"` plus the kind's fields, flat.
        #[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
        #[serde(tag = "kind")]
        pub enum KindSettings {
            $($(#[$doc])* #[serde(rename = $word)] $variant($settings)),*
        }

        /// Every kind's input fields; only those of the monitor's kind may be sent.
        #[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
        pub struct KindInput {
            $(#[serde(flatten)] pub $field: <$settings as CheckKind>::Input),*
        }

        /// Every kind's shared checking state.
        #[derive(Default)]
        pub struct Checker {
            $($field: <$settings as CheckKind>::Checker),*
        }

        impl KindSettings {
            pub fn kind(&self) -> Kind {
                match self { $(Self::$variant(_) => Kind::$variant),* }
            }

            /// Settings of a new monitor of `kind`.
            pub fn create(kind: Kind, input: KindInput) -> Result<KindSettings> {
                refuse_other_kinds(kind, &input)?;
                match kind { $(Kind::$variant => Ok(Self::$variant(<$settings>::create(input.$field)?))),* }
            }

            /// These settings with `input` applied; the kind stays.
            pub fn apply(self, input: KindInput) -> Result<KindSettings> {
                refuse_other_kinds(self.kind(), &input)?;
                match self { $(Self::$variant(s) => Ok(Self::$variant(s.apply(input.$field)?))),* }
            }

            pub fn target(&self) -> String {
                match self { $(Self::$variant(s) => s.target()),* }
            }

            /// Secrets hidden, the target's credentials included.
            pub fn mask(&mut self) {
                match self { $(Self::$variant(s) => s.mask()),* }
            }

            pub async fn check(&self, checker: &Checker, timeout: Duration) -> CheckOutcome {
                match self { $(Self::$variant(s) => s.check(&checker.$field, timeout).await),* }
            }

            /// The kind's settings as stored in `monitors.kind_settings`.
            pub fn to_stored(&self) -> String {
                let json = match self { $(Self::$variant(s) => serde_json::to_string(s)),* };
                json.expect("kind settings serialize")
            }

            pub fn from_stored(kind: Kind, json: &str) -> serde_json::Result<KindSettings> {
                match kind { $(Kind::$variant => serde_json::from_str(json).map(Self::$variant)),* }
            }
        }

        /// The document's rules for a create request, one `oneOf` alternative per kind: its
        /// `kind` (absent or null meaning the default kind), its required fields, and the
        /// other kinds' fields absent or null (as `refuse_other_kinds` accepts them).
        pub fn create_alternatives() -> Vec<serde_json::Value> {
            let kinds: Vec<(Kind, &[&str], Vec<String>)> = vec![$((
                Kind::$variant,
                <$settings as CheckKind>::REQUIRED,
                field_names(&<$settings as CheckKind>::Input::default()),
            )),*];
            kinds
                .iter()
                .map(|(kind, required, _)| {
                    let mut properties = serde_json::Map::new();
                    let tag = if *kind == DEFAULT_KIND {
                        serde_json::json!({"enum": [kind.as_str(), null]})
                    } else {
                        serde_json::json!({"const": kind.as_str()})
                    };
                    properties.insert("kind".into(), tag);
                    for (other, _, fields) in &kinds {
                        if other != kind {
                            for field in fields {
                                properties.insert(field.clone(), serde_json::json!({"type": "null"}));
                            }
                        }
                    }
                    for field in required.iter() {
                        properties.insert((*field).into(), serde_json::json!({"not": {"type": "null"}}));
                    }
                    let mut needed: Vec<&str> = required.to_vec();
                    if *kind != DEFAULT_KIND {
                        needed.insert(0, "kind");
                    }
                    serde_json::json!({"properties": properties, "required": needed})
                })
                .collect()
        }

        /// A 422 naming a field that belongs to another kind than `kind`.
        fn refuse_other_kinds(kind: Kind, input: &KindInput) -> Result<()> {
            $(if kind != Kind::$variant && let Some(field) = first_sent(&input.$field) {
                return Err(Error::invalid_field(
                    &field,
                    format!("is not a setting of {} monitors", kind.as_str()),
                ));
            })*
            Ok(())
        }
    };
}

kinds! {
    /// An HTTP(S) request, judged by its status code, body and response time.
    Http(http: http::HttpSettings) => "http",
    /// A TCP connection, optionally sending a line and expecting a reply (banner checks).
    Tcp(tcp: tcp::TcpSettings) => "tcp",
    /// A DNS query, judged by the answer's response code and records.
    Dns(dns: dns::DnsSettings) => "dns",
    /// A TLS handshake (optionally after STARTTLS): certificate, expiry and protocol version.
    Tls(tls: tls::TlsSettings) => "tls",
    /// A ping: echo requests to a host, judged by packet loss and round trip.
    Icmp(icmp: icmp::IcmpSettings) => "icmp",
}

/// The kind of a monitor created without `kind` (the original product's clients send none).
pub const DEFAULT_KIND: Kind = Kind::Http;

/// The names of an input's fields (an input serializes every field, null when unset).
fn field_names<T: Serialize>(input: &T) -> Vec<String> {
    match serde_json::to_value(input) {
        Ok(serde_json::Value::Object(fields)) => fields.into_iter().map(|(k, _)| k).collect(),
        _ => Vec::new(),
    }
}

/// The name of the first field `input` sets (not null), if any.
fn first_sent<T: Serialize>(input: &T) -> Option<String> {
    match serde_json::to_value(input).ok()? {
        serde_json::Value::Object(fields) => fields
            .into_iter()
            .find(|(_, v)| !v.is_null())
            .map(|(k, _)| k),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_settings_round_trip() {
        let input: KindInput = serde_json::from_str(
            r#"{"url": "https://example.com/x", "method": "post", "requestHeaders": {"a": "b"},
                "assertion": {"kind": "bodyContains", "value": "ok"}}"#,
        )
        .unwrap();
        let settings = KindSettings::create(DEFAULT_KIND, input).unwrap();
        let stored = settings.to_stored();
        assert_eq!(
            KindSettings::from_stored(settings.kind(), &stored).unwrap(),
            settings
        );
        assert_eq!(settings.target(), "https://example.com/x");
    }

    /// What refuses a field of another kind: the first field an input sets, by its API name.
    #[test]
    fn first_sent_names_the_first_field_set() {
        let input = |json: &str| serde_json::from_str::<http::HttpInput>(json).unwrap();
        assert_eq!(first_sent(&input("{}")), None);
        assert_eq!(
            first_sent(&input(r#"{"verifyTls": false}"#)).as_deref(),
            Some("verifyTls")
        );
        assert_eq!(
            first_sent(&input(r#"{"requestHeaders": {}}"#)).as_deref(),
            Some("requestHeaders")
        );
    }

    #[test]
    fn the_kind_is_a_tag_beside_the_fields() {
        let settings = KindSettings::create(
            Kind::Http,
            serde_json::from_str(r#"{"url": "https://example.com"}"#).unwrap(),
        )
        .unwrap();
        let json = serde_json::to_value(&settings).unwrap();
        assert_eq!(json["kind"], "http");
        assert_eq!(json["url"], "https://example.com/");
        assert_eq!(json["method"], "GET");
    }
}
