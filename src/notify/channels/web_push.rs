//! Web push: notifications on the phones and desktops where members turned them on in the
//! dashboard (`notify::push`). No URL or secret here: the browsers' subscriptions are the
//! members' own, and the server's VAPID key is the instance's. The config only says whom.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ChannelConfig, Envelope, Kind, KindConfig, Outgoing};
use crate::error::{Error, Result};
use crate::ids::{OrgId, UserId};
use crate::limits;

pub struct WebPush;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebPushConfig {
    /// The members whose browsers are notified (user ids, at most 100); null: every member.
    /// Someone not (or no longer) a member of the organization is never notified.
    #[serde(default)]
    #[schemars(length(min = 1, max = limits::LIST))]
    pub members: Option<Vec<UserId>>,
}

impl KindConfig for WebPushConfig {
    fn validate(&self) -> Result<()> {
        if let Some(members) = &self.members {
            if members.is_empty() {
                return Err(Error::invalid_field(
                    "config.members",
                    "name at least one member, or null for every member",
                ));
            }
            limits::count("config.members", members.len(), limits::LIST)?;
        }
        Ok(())
    }

    fn mask(&mut self) {}

    fn keep_secrets(&mut self, _: &Self) {}
}

/// Refuses (404 naming `config.members[i]`) a webPush channel naming someone who is not a
/// member of the organization: it would silently reach nobody. Needs the database, so it runs
/// where the channel is saved rather than in `validate`.
pub fn members_exist(conn: &rusqlite::Connection, org: OrgId, config: &ChannelConfig) -> Result<()> {
    match config {
        ChannelConfig::WebPush(WebPushConfig {
            members: Some(members),
        }) => crate::notify::escalation::store::are_members(conn, org, "config.members", members),
        _ => Ok(()),
    }
}

impl Kind for WebPush {
    type Config = WebPushConfig;

    /// A notification addressed to one member (personal delivery) goes to their browsers only.
    fn outgoing(c: &WebPushConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        let users = match e.recipient {
            Some(r) => Some(vec![r.user]),
            None => c.members.clone(),
        };
        Outgoing::WebPush { users }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, message};
    use crate::notify::channels::{ChannelConfig, ChannelKind};
    use serde_json::json;

    #[test]
    fn whom_the_config_names_is_whom_it_pushes_to() {
        let m = message();
        let everyone = ChannelConfig::parse(ChannelKind::WebPush, &json!({})).unwrap();
        assert_eq!(
            everyone.outgoing(&envelope(&m, None), &[]),
            Outgoing::WebPush { users: None }
        );
        let id = UserId::generate();
        let one = ChannelConfig::parse(ChannelKind::WebPush, &json!({"members": [id]})).unwrap();
        assert_eq!(
            one.outgoing(&envelope(&m, None), &[]),
            Outgoing::WebPush {
                users: Some(vec![id])
            }
        );
        let grace = crate::notify::channels::Recipient {
            user: UserId::generate(),
            email: "grace@example.com".into(),
            phone: None,
        };
        let addressed = Envelope {
            recipient: Some(&grace),
            ..envelope(&m, None)
        };
        assert_eq!(
            one.outgoing(&addressed, &[]),
            Outgoing::WebPush {
                users: Some(vec![grace.user])
            }
        );
    }
}
