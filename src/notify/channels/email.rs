//! E-mail through the instance's SMTP relay (`--smtp-url`), to listed addresses and/or every
//! member of the organization.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Envelope, KindConfig, Kind, Outgoing};
use crate::error::{Error, Result};
use crate::limits;

pub struct Email;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("anyOf" = [
    {"required": ["recipients"], "properties": {"recipients": {"minItems": 1}}},
    {"required": ["allMembers"], "properties": {"allMembers": {"const": true}}},
]))]
pub struct EmailConfig {
    /// Addresses to write to (at least one unless `allMembers`).
    #[serde(default)]
    #[schemars(length(max = limits::LIST), inner(regex(pattern = limits::EMAIL_PATTERN)))]
    pub recipients: Vec<String>,
    /// Also write to every member of the organization.
    #[serde(default)]
    pub all_members: bool,
}

impl KindConfig for EmailConfig {
    fn validate(&self) -> Result<()> {
        limits::count("config.recipients", self.recipients.len(), limits::LIST)?;
        if self.recipients.is_empty() && !self.all_members {
            return Err(Error::invalid_field(
                "config.recipients",
                "list at least one address, or set allMembers",
            ));
        }
        for (i, r) in self.recipients.iter().enumerate() {
            r.trim().parse::<lettre::Address>().map_err(|e| {
                Error::invalid_field(
                    &format!("config.recipients[{i}]"),
                    format!("{r:?} is not an e-mail address: {e}"),
                )
            })?;
        }
        Ok(())
    }

    /// Addresses are shown to every reader of the channel.
    fn mask(&mut self) {}

    fn keep_secrets(&mut self, _: &Self) {}
}

impl Kind for Email {
    type Config = EmailConfig;

    /// The recipients and, with `allMembers`, the members, each once (case aside), sorted.
    fn outgoing(c: &EmailConfig, e: &Envelope<'_>, members: &[String]) -> Outgoing {
        // Addressed to one member (an escalation step naming them): to them only.
        if let Some(recipient) = e.recipient {
            return Outgoing::Email {
                to: vec![recipient.email.clone()],
            };
        }
        let mut to: Vec<String> = c.recipients.iter().map(|r| r.trim().to_owned()).collect();
        if c.all_members {
            to.extend(members.iter().cloned());
        }
        to.sort_by_key(|a| a.to_lowercase());
        to.dedup_by_key(|a| a.to_lowercase());
        Outgoing::Email { to }
    }
}

#[cfg(test)]
mod tests {

    /// The longest address the document's pattern allows is one the server takes (a fuzzer
    /// found a 65-character local part the pattern allowed and the address parser refused).
    #[test]
    fn the_longest_address_the_document_allows_is_accepted() {
        let part = "a".repeat(15);
        let local = [part.as_str(); 4].join(".");
        let label = [part.as_str(); 3].join("-");
        let address = format!("{local}@{}.{}", [label.as_str(); 4].join("."), "a".repeat(10));
        let pattern = regex::Regex::new(crate::limits::EMAIL_PATTERN).unwrap();
        assert!(pattern.is_match(&address));
        // Longer parts are outside the pattern: widening it needs this test widened too.
        assert!(!pattern.is_match(&format!("{}@example.com", "a".repeat(16))));
        let config = EmailConfig {
            recipients: vec![address.clone()],
            all_members: false,
        };
        assert!(config.validate().is_ok(), "{address}");
    }

    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, message};

    #[test]
    fn recipients_and_members_are_written_to_once() {
        let c = EmailConfig {
            recipients: vec![" Ops@example.com ".into()],
            all_members: true,
        };
        let m = message();
        let members = ["ann@example.com".to_owned(), "ops@example.com".to_owned()];
        assert_eq!(
            Email::outgoing(&c, &envelope(&m, None), &members),
            Outgoing::Email {
                to: vec!["ann@example.com".into(), "Ops@example.com".into()]
            }
        );
    }
}
