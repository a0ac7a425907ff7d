//! A probe as the API shows it, its rules (name, labels, status at a time) and its token.

use std::collections::BTreeMap;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{OrgId, ProbeId};
use crate::monitors::remote::ProbeLocation;

/// A probe not heard from for this long is silent: its incident opens, and the quorum of its
/// monitors counts only the other locations (it has no fresh result).
pub const SILENT_AFTER: Duration = Duration::minutes(3);

/// Probe names are shown in incident titles and lists: one line, short.
pub const NAME: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProbeStatus {
    /// Registered, never heard from: it has not been started yet (no incident).
    Waiting,
    /// Heard from within the last 3 minutes.
    Up,
    /// Heard from once, not for 3 minutes or more.
    Silent,
}

/// The status of a probe last seen at `last_seen` (never: None), at `now`.
pub fn status(last_seen: Option<Timestamp>, now: Timestamp) -> ProbeStatus {
    match last_seen {
        None => ProbeStatus::Waiting,
        Some(at) if now - at >= SILENT_AFTER => ProbeStatus::Silent,
        Some(_) => ProbeStatus::Up,
    }
}

/// Labels as people read them: `region=eu-west` joined by `separator`.
pub fn labels_text(labels: &BTreeMap<String, String>, separator: &str) -> String {
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.join(separator)
}

/// A probe as stored (never its token's digest).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProbe {
    pub id: ProbeId,
    /// None: instance-wide, changed only by the offline CLI.
    pub organization_id: Option<OrgId>,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub created_at: Timestamp,
    pub last_seen_at: Option<Timestamp>,
    pub clock_skew_ms: Option<i64>,
}

impl StoredProbe {
    /// The probe as monitors know it: where its results come from and what it checks.
    pub fn location(&self) -> ProbeLocation {
        ProbeLocation {
            id: self.id.to_string(),
            name: self.name.clone(),
            organization_id: self.organization_id,
            labels: self.labels.clone(),
        }
    }

    pub fn shown(self, now: Timestamp, monitors: usize) -> Probe {
        Probe {
            status: status(self.last_seen_at, now),
            id: self.id,
            organization_id: self.organization_id,
            name: self.name,
            labels: self.labels,
            created_at: self.created_at,
            last_seen_at: self.last_seen_at,
            clock_skew_ms: self.clock_skew_ms,
            monitors: monitors as u32,
        }
    }
}

/// A probe as listed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    pub id: ProbeId,
    /// null: an instance-wide probe, checking every organization's monitors that select its
    /// labels; read-only here (the instance's administrator runs `dutyduck probes`).
    pub organization_id: Option<OrgId>,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub created_at: Timestamp,
    pub last_seen_at: Option<Timestamp>,
    /// The probe's clock minus the server's, in milliseconds, as measured at its last request
    /// (from its `X-Probe-Time` header).
    pub clock_skew_ms: Option<i64>,
    pub status: ProbeStatus,
    /// How many monitors it checks now.
    pub monitors: u32,
}

pub fn check_name(name: &str) -> Result<String> {
    crate::limits::required_line("name", name, NAME)
}

/// A probe's token: `ddp_<its id, 32 hex>_<64 hex secret>`. One string (an environment
/// variable, a file) that says which probe it is, so checking it is one lookup by id and a
/// constant-time comparison of the secret's digest.
pub struct Token {
    pub id: ProbeId,
    pub secret: Vec<u8>,
}

pub const TOKEN_PREFIX: &str = "ddp_";

impl Token {
    /// A new token for `id`: its secret, and the text given once to whoever runs the probe.
    pub fn generate(id: ProbeId) -> (Token, String) {
        let secret = crate::secret::generate().to_vec();
        let text = format!("{TOKEN_PREFIX}{}_{}", id.0.simple(), hex::encode(&secret));
        (Token { id, secret }, text)
    }

    /// Reads a token's text; None when it is not shaped as one.
    pub fn parse(text: &str) -> Option<Token> {
        let rest = text.strip_prefix(TOKEN_PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        if id.len() != 32 || secret.len() != 64 {
            return None;
        }
        let id = ProbeId(uuid::Uuid::try_parse(id).ok()?);
        let secret = hex::decode(secret).ok()?;
        Some(Token { id, secret })
    }

    pub fn digest(&self) -> [u8; 32] {
        crate::secret::digest(&self.secret)
    }
}

/// The command that runs a probe with `token`, printed and shown once with it.
pub fn run_command(server: &str, token: &str) -> String {
    format!("DUTYDUCK_PROBE_TOKEN={token} dutyduck probe --server {server}")
}

/// Refuses a change to an instance-wide probe through the API: the instance's administrator
/// owns those, on the server's machine.
pub fn check_changeable(probe: &StoredProbe) -> Result<()> {
    if probe.organization_id.is_none() {
        return Err(Error::forbidden(format!(
            "probe {} is instance-wide: only the instance's administrator changes it, with `dutyduck probes` on the server",
            probe.name
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_table() {
        let now = crate::store::time::from_db(1_800_000_000_000);
        let ago = |s: i64| Some(now - Duration::seconds(s));
        let cases = [
            (None, ProbeStatus::Waiting),
            (ago(0), ProbeStatus::Up),
            (ago(179), ProbeStatus::Up),
            (ago(180), ProbeStatus::Silent),
            (ago(3600), ProbeStatus::Silent),
            // A probe whose clock-corrected sighting is ahead of ours is not silent.
            (ago(-5), ProbeStatus::Up),
        ];
        for (seen, expected) in cases {
            assert_eq!(status(seen, now), expected, "{seen:?}");
        }
    }

    #[test]
    fn tokens_read_back_and_refuse_other_shapes() {
        let id = ProbeId::generate();
        let (token, text) = Token::generate(id);
        assert_eq!(text.len(), 4 + 32 + 1 + 64);
        let read = Token::parse(&text).unwrap();
        assert_eq!((read.id, read.secret), (id, token.secret));
        for bad in [
            "",
            "ddp_",
            &text[1..],
            &text[..text.len() - 1],
            &text.replace("ddp_", "ddq_"),
            &format!("ddp_{}_{}", id, "a".repeat(64)),
            &format!("ddp_{}_{}", id.0.simple(), "g".repeat(64)),
        ] {
            assert!(Token::parse(bad).is_none(), "{bad:?}");
        }
    }
}
