//! What a user sets on a monitor of any kind (name, interval, thresholds, timeout, tags,
//! routing), beside the settings of its kind (`kinds`), and their validation: every error names
//! the field.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::kinds::{DEFAULT_KIND, Kind, KindInput, KindSettings};
use crate::error::{Error, Result};
use crate::limits;

/// The HTTP kind's rules, where callers found them before kinds existed.
pub use super::kinds::http::rules::{Assertion, StatusRanges};

pub const MIN_INTERVAL: u32 = 5;
pub const MAX_INTERVAL: u32 = 86_400;
pub const MAX_TIMEOUT_MS: u32 = 60_000;
pub const MAX_CONFIRMATIONS: u32 = 10;
pub const MAX_TLS_WARNING_DAYS: u32 = 365;
pub use crate::limits::URL_PATTERN;

/// What a user sets on a monitor. For create, absent fields take their defaults; for PATCH,
/// absent fields keep their value.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitorInput {
    /// Default: the host of what is checked.
    #[schemars(length(max = limits::NAME), pattern(limits::LINE_OR_EMPTY))]
    pub name: Option<String>,
    /// What the monitor checks; default "http". Set on create only.
    pub kind: Option<Kind>,
    /// 1 to 60000 ms; default 10000.
    #[schemars(range(min = 1, max = MAX_TIMEOUT_MS))]
    pub request_timeout_ms: Option<u32>,
    /// 5 to 86400 s; default 60.
    #[schemars(range(min = MIN_INTERVAL, max = MAX_INTERVAL))]
    pub interval_seconds: Option<u32>,
    /// 1 to 10 consecutive failures before "down"; default 2.
    #[schemars(range(min = 1, max = MAX_CONFIRMATIONS))]
    pub downtime_confirmation_threshold: Option<u32>,
    /// 1 to 10 consecutive successes before "up" again; default 2.
    #[schemars(range(min = 1, max = MAX_CONFIRMATIONS))]
    pub recovery_confirmation_threshold: Option<u32>,
    /// Open a warning incident this many days (0 to 365) before the certificate expires;
    /// default 14.
    #[schemars(range(max = MAX_TLS_WARNING_DAYS))]
    pub tls_expiry_warning_days: Option<u32>,
    #[serde(default)]
    #[schemars(schema_with = "limits::metadata_schema")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Create paused with false; default true.
    pub is_active: Option<bool>,
    /// The kind's own fields (those of an HTTP monitor: `url`, `method`…).
    #[serde(flatten)]
    pub settings: KindInput,
    #[serde(flatten)]
    pub routing: crate::notify::routing::RoutingInput,
    #[serde(flatten)]
    pub upstreams: super::upstreams::UpstreamsInput,
    /// Where it is checked from: "local" (this server) and/or label selectors `key=value`
    /// choosing remote probes; 1 to 10 distinct entries; absent on create or null: ["local"].
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(schema_with = "super::locations::select::schema")]
    pub locations: Option<Option<Vec<String>>>,
    /// Down when at least this many (1 to 20) of the locations reporting fail; null: a
    /// majority of them.
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(range(min = 1, max = super::locations::select::MAX_QUORUM))]
    pub quorum: Option<Option<u32>>,
}

impl crate::http::openapi::OnCreate for MonitorInput {
    const REQUIRED: &'static [&'static str] = super::kinds::REQUIRED_ON_CREATE;

    /// Each kind's required fields, and no field of another kind.
    fn more_rules(schema: &mut schemars::Schema, _: &mut schemars::SchemaGenerator) {
        schema.insert("oneOf".into(), super::kinds::create_alternatives().into());
    }
}

/// The settings of a monitor, validated: the common ones and its kind's, flat in its JSON.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub name: String,
    /// `kind` and the kind's settings.
    #[serde(flatten)]
    pub kind: KindSettings,
    /// How long a check may take.
    pub request_timeout_ms: u32,
    pub interval_seconds: u32,
    pub downtime_confirmation_threshold: u32,
    pub recovery_confirmation_threshold: u32,
    /// For kinds that see a certificate (its expiry opens a warning incident).
    pub tls_expiry_warning_days: u32,
    /// Key → value tags, used as filters.
    pub metadata: BTreeMap<String, String>,
    /// "local" and/or label selectors of probes (`region=eu-west`).
    pub locations: Vec<String>,
    /// Failing locations that make it down; null: a majority of those reporting.
    pub quorum: Option<u32>,
}

impl Settings {
    /// A new monitor's settings: its kind ("http" when absent) from `input`, the rest defaults
    /// with the fields of `input` applied.
    pub fn create(mut input: MonitorInput) -> Result<Settings> {
        let kind = KindSettings::create(
            input.kind.take().unwrap_or(DEFAULT_KIND),
            std::mem::take(&mut input.settings),
        )?;
        Settings {
            name: String::new(),
            kind,
            request_timeout_ms: 10_000,
            interval_seconds: 60,
            downtime_confirmation_threshold: 2,
            recovery_confirmation_threshold: 2,
            tls_expiry_warning_days: 14,
            metadata: BTreeMap::new(),
            locations: super::locations::select::default_locations(),
            quorum: None,
        }
        .apply(input)
    }

    /// These settings with the fields of `input` applied, then validated; errors name the
    /// field. The kind cannot change: a monitor's history and incidents are of one kind.
    pub fn apply(mut self, input: MonitorInput) -> Result<Settings> {
        if let Some(kind) = input.kind
            && kind != self.kind.kind()
        {
            return Err(Error::invalid_field(
                "kind",
                format!(
                    "cannot change (this monitor is {}); create a new monitor instead",
                    self.kind.kind().as_str()
                ),
            ));
        }
        self.kind = self.kind.apply(input.settings)?;
        macro_rules! set {
            ($($field:ident),*) => { $(if let Some(v) = input.$field { self.$field = v; })* };
        }
        set!(
            name,
            request_timeout_ms,
            interval_seconds,
            downtime_confirmation_threshold,
            recovery_confirmation_threshold,
            tls_expiry_warning_days,
            metadata
        );
        if let Some(locations) = input.locations {
            self.locations = locations.unwrap_or_else(super::locations::select::default_locations);
        }
        if let Some(quorum) = input.quorum {
            self.quorum = quorum;
        }
        self.validate()
    }

    /// How long one check may take.
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(u64::from(self.request_timeout_ms.max(1)))
    }

    /// What the monitor checks, as a URL (see `kinds::CheckKind::target`).
    pub fn target(&self) -> String {
        self.kind.target()
    }

    fn validate(mut self) -> Result<Settings> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            let target = self.target();
            self.name = url::Url::parse(&target)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or(target);
        }
        limits::line("name", &self.name, limits::NAME)?;
        limits::range(
            "requestTimeoutMs",
            self.request_timeout_ms,
            1,
            MAX_TIMEOUT_MS,
        )?;
        limits::range(
            "intervalSeconds",
            self.interval_seconds,
            MIN_INTERVAL,
            MAX_INTERVAL,
        )?;
        limits::range(
            "downtimeConfirmationThreshold",
            self.downtime_confirmation_threshold,
            1,
            MAX_CONFIRMATIONS,
        )?;
        limits::range(
            "recoveryConfirmationThreshold",
            self.recovery_confirmation_threshold,
            1,
            MAX_CONFIRMATIONS,
        )?;
        limits::range(
            "tlsExpiryWarningDays",
            self.tls_expiry_warning_days,
            0,
            MAX_TLS_WARNING_DAYS,
        )?;
        limits::metadata("metadata", self.metadata.iter())?;
        super::locations::select::validate(&self.locations, self.quorum)?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> MonitorInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn validation_names_the_field() {
        let cases = [
            (r#"{"url": "https://example.com"}"#, None),
            (r#"{"url": "ftp://example.com"}"#, Some("url")),
            (r#"{}"#, Some("url")),
            (
                r#"{"url": "https://a.example", "intervalSeconds": 4}"#,
                Some("intervalSeconds"),
            ),
            (
                r#"{"url": "https://a.example", "requestTimeoutMs": 60001}"#,
                Some("requestTimeoutMs"),
            ),
            (
                r#"{"url": "https://a.example", "downtimeConfirmationThreshold": 11}"#,
                Some("downtimeConfirmationThreshold"),
            ),
            (
                r#"{"url": "https://a.example", "method": "BREW"}"#,
                Some("method"),
            ),
        ];
        for (json, field) in cases {
            let result = Settings::create(input(json));
            match field {
                None => assert!(result.is_ok(), "{result:?}"),
                Some(field) => assert!(result.unwrap_err().message.starts_with(field), "{json}"),
            }
        }
    }

    #[test]
    fn the_kind_defaults_to_http_and_cannot_change() {
        let s = Settings::create(input(r#"{"url": "https://example.com"}"#)).unwrap();
        assert_eq!(s.kind.kind(), Kind::Http);
        let same = s.clone().apply(input(r#"{"kind": "http"}"#));
        assert!(same.is_ok(), "{same:?}");
        let other = s.apply(input(r#"{"kind": "tcp"}"#)).unwrap_err();
        assert!(
            other.message.starts_with("kind: cannot change"),
            "{other:?}"
        );
        assert!(serde_json::from_str::<MonitorInput>(r#"{"kind": "gopher"}"#).is_err());
    }

    #[test]
    fn name_defaults_to_the_host_and_urls_are_normalized() {
        let s = Settings::create(input(r#"{"url": "HTTPS://Example.com"}"#)).unwrap();
        assert_eq!(
            (s.name.as_str(), s.target().as_str()),
            ("example.com", "https://example.com/")
        );
    }
}
